"""The implementation switch as a spawned process needs it: what to redirect, and redirecting."""

import importlib
import os
import subprocess
import sys

from kata.engine import impl
from kata.engine.curriculum import ROOT, find


def test_redirected_names_the_files_that_install_chose():
    script = (
        "from kata.engine import impl\n"
        "print(impl.redirected())\n"
        "impl.install('reference')\n"
        "print(impl.redirected()['kata.tensors'])\n"
    )
    lines = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert lines == ["{}", str(find("tensors").reference_path)], lines


def test_redirect_makes_a_kata_import_load_the_given_file(tmp_path, monkeypatch):
    given = tmp_path / "given.py"
    given.write_text("ORIGIN = 'the given file'\n", encoding="utf-8")
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    monkeypatch.setitem(sys.modules, "kata.no_such_module", None)  # undone after the test
    impl.redirect({"kata.no_such_module": given})
    module = importlib.import_module("kata.no_such_module")
    assert module.ORIGIN == "the given file"
    assert impl.redirected()["kata.no_such_module"] == given


def test_under_mutation_testing_a_kata_is_its_reference_module_itself():
    script = (
        "import importlib\n"
        "from kata.engine import impl\n"
        "impl.install('reference')\n"
        "kata = importlib.import_module('kata.tensors')\n"
        "print(kata is importlib.import_module('kata.solutions.tensors'))\n"
        "print(kata.counting_grid.__module__)\n"
    )
    env = {**os.environ, impl.MUTATION_ENV_VAR: "1"}
    lines = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert lines == ["True", "kata.solutions.tensors"], lines
