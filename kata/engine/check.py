"""``python -m kata check``: every kata complete and in its place, nothing else there, the
learner's files true to the references' API, and the README's curriculum table true to the
manifest.

The layout comes from ``Kata`` (kata/engine/curriculum.py): each kata of the manifest has its
four files, and the folders that hold them hold nothing else (besides the packages' own
``__init__.py``, ``__main__.py``, the engine and the manifest).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from kata.engine import stubgen
from kata.engine.curriculum import (
    CURRICULUM,
    LEARNER_DIR,
    MANIFEST,
    REFERENCE_DIR,
    ROOT,
    TESTS_DIR,
    VARIANTS_DIR,
    Kata,
    relative,
)

README = ROOT / "README.md"
# What the kata folders may hold besides the katas' own files.
PACKAGE_FILES = {
    LEARNER_DIR: {"__init__.py", "__main__.py", "engine", REFERENCE_DIR.name, MANIFEST.name},
    REFERENCE_DIR: {"__init__.py"},
    VARIANTS_DIR: {"__init__.py"},
}
TABLE_HEADER = "| # | kata | concept | the notes' section |"
COLUMNS = ("#", "kata", "concept", "the notes' section")


def _ignored(path: Path) -> bool:
    """Caches and hidden files (an editor's, the system's): never a stray."""
    return path.name == "__pycache__" or path.name.startswith(".")


def layout_problems(katas: Iterable[Kata] = CURRICULUM) -> list[str]:
    """Each kata's missing files, each file no kata owns, and each kata test file without a
    kata in the manifest."""
    katas = list(katas)
    problems = []
    for kata in katas:
        problems += [f"{kata.name}: {relative(p)} is missing" for p in kata.files if not p.exists()]
    owned = {path for kata in katas for path in kata.files}
    for folder, allowed in PACKAGE_FILES.items():
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if path not in owned and path.name not in allowed and not _ignored(path):
                problems.append(f"{relative(path)} belongs to no kata in {relative(MANIFEST)}")
    problems += [
        f"{relative(path)} belongs to no kata in {relative(MANIFEST)}"
        for path in sorted(TESTS_DIR.glob("test_*.py"))
        if path not in owned
    ]
    return problems


def drift_problems(katas: Iterable[Kata] = CURRICULUM) -> list[str]:
    """Every way a learner's file differs in API from its reference."""
    problems = []
    for kata in katas:
        if kata.path.exists() and kata.reference_path.exists():
            problems += stubgen.drift(
                kata.reference_path.read_text(encoding="utf-8"),
                kata.path.read_text(encoding="utf-8"),
                relative(kata.reference_path),
                relative(kata.path),
            )
    return problems


def table_row(number: int, kata: Kata) -> str:
    """The kata's row of the README's curriculum table, as the manifest gives it."""
    return f"| {number} | `{kata.name}` | {kata.concept} | {kata.notes} |"


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def readme_problems(katas: Iterable[Kata] = CURRICULUM, readme: Path = README) -> list[str]:
    """Where the README's curriculum table says something other than the manifest, column by
    column: its rows are ``table_row`` of each kata, in the manifest's order."""
    katas = list(katas)
    where = f"{relative(readme)}, the curriculum table"
    lines = readme.read_text(encoding="utf-8").splitlines()
    if TABLE_HEADER not in lines:
        return [f"{relative(readme)} has no curriculum table: no line {TABLE_HEADER!r}"]
    start = lines.index(TABLE_HEADER) + 2  # after the header and its |---| line
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    problems = []
    for number, (kata, row) in enumerate(zip(katas, rows, strict=False), start=1):
        want = _cells(table_row(number, kata))
        have = _cells(row)
        if len(have) != len(want):
            problems.append(f"{where}, row {number}: {len(have)} columns, not {len(want)}: {row}")
            continue
        for column, wanted, found in zip(COLUMNS, want, have, strict=True):
            if found != wanted:
                problems.append(
                    f"{where}, row {number}, column {column!r}: {found!r}, where "
                    f"{relative(MANIFEST)} says {wanted!r}"
                )
    for number, kata in enumerate(katas[len(rows) :], start=len(rows) + 1):
        problems.append(f"{where}: no row {number}; the manifest's is: {table_row(number, kata)}")
    for number, row in enumerate(rows[len(katas) :], start=len(katas) + 1):
        problems.append(f"{where}, row {number}: no kata {number} in {relative(MANIFEST)}: {row}")
    return problems


def problems() -> list[str]:
    return [*layout_problems(), *drift_problems(), *readme_problems()]


def main() -> int:
    """Print every problem, then a count: exit status 1 if there is any."""
    found = problems()
    for problem in found:
        print(problem)
    print(f"check: {len(CURRICULUM)} katas, {len(found)} problems")
    return 1 if found else 0
