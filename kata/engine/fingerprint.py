"""What a kata's verdict depends on, fingerprinted by content.

A verdict (its tests pass, say) can be reused while every input is byte-identical: the kata's
module and every ``kata`` module it imports, its test file and every test helper and kata
module that imports, the conftest and the engine, and the versions of Python and the packages
that run the tests.
"""

from __future__ import annotations

import ast
import hashlib
import sys
from collections.abc import Callable, Iterable
from functools import cache
from importlib import metadata
from pathlib import Path

from kata.engine.curriculum import ROOT, Kata

PACKAGES = ("torch", "numpy", "pytest", "pytest-timeout", "hypothesis")
ENGINE = (
    "conftest.py",
    "pyproject.toml",
    "kata/__init__.py",
    "kata/curriculum.toml",
    "kata/engine/**/*.py",
)


def learner_file(module: str) -> Path | None:
    """``kata.<name>`` -> kata/<name>.py, ``tests.checks`` -> tests/checks.py."""
    path = ROOT.joinpath(*module.split(".")).with_suffix(".py")
    return path if path.is_file() else None


def imported_modules(path: Path) -> frozenset[str]:
    """The ``kata.*`` and ``tests.*`` modules a file imports, read from its syntax tree."""
    try:
        stat = path.stat()
    except OSError:
        return frozenset()
    return _imported_modules(path, stat.st_mtime_ns, stat.st_size)


@cache  # keyed by modification time and size: a warm `make watch` parses each file once
def _imported_modules(path: Path, mtime_ns: int, size: int) -> frozenset[str]:
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return frozenset()  # a file that does not parse: its own bytes are in the fingerprint
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return frozenset(name for name in found if name.split(".")[0] in ("kata", "tests"))


def closure(start: Iterable[Path], resolve: Callable[[str], Path | None]) -> list[Path]:
    """``start`` and every local file they import, directly or not."""
    seen: dict[Path, None] = {}
    todo = list(start)
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen[path] = None
        todo += [found for name in imported_modules(path) if (found := resolve(name))]
    return sorted(seen)


@cache
def environment() -> str:
    """The versions the verdicts were reached with."""
    versions = [sys.version]
    for package in PACKAGES:
        try:
            versions.append(f"{package}=={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} missing")
    return "\n".join(versions)


def engine_files() -> list[Path]:
    return sorted({path for pattern in ENGINE for path in ROOT.glob(pattern)})


def digest(paths: Iterable[Path], *extra: str) -> str:
    hasher = hashlib.sha256()
    for text in extra:
        hasher.update(text.encode() + b"\0")
    for path in paths:
        hasher.update(str(path.relative_to(ROOT)).encode() + b"\0")
        try:
            hasher.update(path.read_bytes())
        except OSError:
            hasher.update(b"<missing>")
        hasher.update(b"\0")
    return hasher.hexdigest()


def of_engine() -> str:
    """The part every kata shares: the engine, the conftest and the versions."""
    return digest(engine_files(), environment())


def of_kata(
    kata: Kata, resolve: Callable[[str], Path | None] = learner_file, engine: str = ""
) -> str:
    """The fingerprint of ``kata``'s verdict against the files ``resolve`` gives; pass
    ``engine=of_engine()`` when fingerprinting many katas at once."""
    files = closure([kata.path, kata.test_path], resolve)
    return digest(files, engine or of_engine())
