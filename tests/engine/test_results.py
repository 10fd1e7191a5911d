"""The results plugin behind `make kata`: outcomes per kata, and the early stop."""

import json
import os
import subprocess
import sys

import pytest

from kata.engine.curriculum import ROOT

FILES = {
    "tests/test_tensors.py": "def test_unfinished():\n    assert False, 'expected 6'\n",
    "tests/test_autograd.py": "def test_finished():\n    pass\n",
}


def run_recorded(tmp_path, *args: str) -> dict:
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    results = tmp_path / "results.json"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "kata.engine.results",
        "-p",
        "no:cacheprovider",
    ]
    command += [f"--kata-results={results}", *args, *FILES]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, check=False, timeout=60)
    return json.loads(results.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> dict:
    return run_recorded(tmp_path_factory.mktemp("full"))


@pytest.fixture(scope="module")
def early(tmp_path_factory) -> dict:
    return run_recorded(tmp_path_factory.mktemp("early"), "--kata-stop-early")


def test_each_outcome_is_recorded_with_its_kata_and_message(full):
    outcomes = {(t["kata"], t["outcome"]) for t in full["tests"]}
    assert outcomes == {("tensors", "failed"), ("autograd", "passed")}, full
    failed = next(t for t in full["tests"] if t["outcome"] == "failed")
    assert "expected 6" in failed["message"], failed
    assert full["running"] is None, "a finished session names no running test"


def test_the_early_stop_skips_the_katas_after_the_first_unfinished(early):
    assert {t["kata"] for t in early["tests"]} == {"tensors"}, early
    assert early["collected"] == {"tensors": 1, "autograd": 1}, "totals come from collection"
