"""The curriculum: one manifest, every kata complete, selectable by name, listed in the README,
and an engine that names no kata."""

import re
import subprocess
import sys

import pytest

from kata.engine import check, curriculum, variants
from kata.engine.curriculum import CURRICULUM, ROOT, find, relative


@pytest.mark.parametrize("kata", CURRICULUM, ids=lambda kata: f"kata{CURRICULUM.index(kata) + 1}")
def test_each_kata_has_its_four_files_and_escalating_hints(kata):
    for path in kata.files:
        assert path.exists(), f"{relative(path)} is missing"
    assert len(kata.hints) >= 2, "hints escalate: a question first, then the PyTorch calls"
    assert kata.hints[0].endswith("?"), f"the first hint is a question: {kata.hints[0]!r}"
    opening = kata.reference_path.read_text(encoding="utf-8").splitlines()[0]
    assert opening == f'"""Kata: {kata.name}.', f"the lesson opens with its name: {opening!r}"


def test_an_unknown_kata_name_lists_the_real_ones():
    with pytest.raises(ValueError, match="autograd"):
        find("autograds")


def test_the_readme_table_is_the_manifest_row_by_row_and_column_by_column():
    assert check.readme_problems() == []


def test_the_kata_folders_hold_the_katas_files_and_nothing_else():
    assert check.layout_problems() == []


def test_no_module_of_the_engine_names_a_kata():
    """What the engine knows of a kata comes from the manifest: no name, no path, no module
    of one is written into the engine, not even in a comment."""
    names = "|".join(kata.name for kata in CURRICULUM)
    words = re.compile(rf"(?<!\w)(test_)?({names})(?!\w)")  # tests/test_<name>.py too
    found = [
        f"{relative(path)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "kata" / "engine").glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if words.search(line)
    ]
    assert not found, "the engine names a kata; read it from the manifest:\n" + "\n".join(found)


MANIFEST = '''
[[kata]]
name = "one"
concept = """
    a concept
    over two lines
"""
notes = "N"
hints = ["Why?", "Because."]
slow = 2

[kata.function_hints]
f = ["What does f do?", """
    This,
    then that.
"""]
'''


def test_the_manifest_folds_line_breaks_and_refuses_unknown_keys(tmp_path):
    manifest = tmp_path / "curriculum.toml"
    manifest.write_text(MANIFEST, encoding="utf-8")
    (kata,) = curriculum.load(manifest)
    assert kata.concept == "a concept over two lines"
    assert kata.hints_for("f") == ("one::f", ("What does f do?", "This, then that."))
    assert (kata.slow, kata.spawns_processes) == (2, False)
    manifest.write_text(MANIFEST.replace("slow = 2", "slowest = 2"), encoding="utf-8")
    with pytest.raises(ValueError, match=r"unknown key\(s\) slowest"):
        curriculum.load(manifest)


def test_with_no_timed_run_the_slow_katas_of_the_manifest_start_first(monkeypatch, tmp_path):
    monkeypatch.setattr(variants, "RECORDS", tmp_path)
    order = sorted((kata.name for kata in CURRICULUM), key=variants._slow_first)
    slow = sorted((k for k in CURRICULUM if k.slow), key=lambda kata: -kata.slow)
    assert slow, "the manifest marks the katas whose variants run longest"
    assert order[: len(slow)] == [kata.name for kata in slow]


def test_selecting_a_kata_by_name_selects_nothing_else():
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "--impl=reference", "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    nodeids = [line for line in collected if "::" in line]
    for kata in CURRICULUM:
        strays = [
            n
            for n in nodeids
            if kata.name in n.lower() and not n.startswith(f"tests/test_{kata.name}.py")
        ]
        assert not strays, f"`pytest -k {kata.name}` would also run {strays[:5]}: rename them"
