"""The curriculum: every kata complete, selectable by name, listed in the README."""

import re
import subprocess
import sys

import pytest

from kata.engine.curriculum import CURRICULUM, ROOT, find


@pytest.mark.parametrize("kata", CURRICULUM, ids=lambda kata: f"kata{CURRICULUM.index(kata) + 1}")
def test_each_kata_has_its_three_files_and_escalating_hints(kata):
    for path in (kata.path, kata.reference_path, kata.test_path):
        assert path.exists(), f"{path.relative_to(ROOT)} is missing"
    assert len(kata.hints) >= 2, "hints escalate: a question first, then the PyTorch calls"
    assert kata.hints[0].endswith("?"), f"the first hint is a question: {kata.hints[0]!r}"
    opening = kata.reference_path.read_text(encoding="utf-8").splitlines()[0]
    assert opening == f'"""Kata: {kata.name}.', f"the lesson opens with its name: {opening!r}"


def test_an_unknown_kata_name_lists_the_real_ones():
    with pytest.raises(ValueError, match="autograd"):
        find("autograds")


def test_the_readme_lists_the_katas_in_curriculum_order():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\|\s*(\d+)\s*\|\s*`(\w+)`", readme, flags=re.MULTILINE)
    assert [name for _, name in rows] == [kata.name for kata in CURRICULUM], rows


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
