"""The katas in the order a learner meets them, read from the manifest, kata/curriculum.toml.

The manifest holds every fact about a kata: its name, concept, section of the notes,
escalating hints, and the flags the engine reads (``slow``, ``spawns_processes``), so that
no module of the engine names a kata. ``Kata`` owns the layout: each kata has four files,
named after it, and every path to one of them comes from here.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, fields
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the tomli package, which became tomllib
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
# The layout: where a kata's four files live, each named after it.
LEARNER_DIR = ROOT / "kata"  # kata/<name>.py: the learner's file
REFERENCE_DIR = LEARNER_DIR / "solutions"  # kata/solutions/<name>.py: the reference
TESTS_DIR = ROOT / "tests"  # tests/test_<name>.py: the specification
VARIANTS_DIR = TESTS_DIR / "variants"  # tests/variants/<name>.py: broken and correct rewrites
MANIFEST = LEARNER_DIR / "curriculum.toml"


@dataclass(frozen=True)
class Kata:
    name: str
    concept: str
    notes: str  # the section of the notes it teaches
    hints: tuple[str, ...]
    # Ladders for single functions: (function, hints). The hint command follows the function
    # whose test fails; a function without a ladder of its own gets the kata's.
    function_hints: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # How slow its variants are, as a rank (0: not slow): the higher, the earlier a run over
    # many katas starts it, while no earlier run was timed.
    slow: int = 0
    # Its code runs in processes that its tests start (ranks that train together, say).
    spawns_processes: bool = False

    def hints_for(self, function: str | None) -> tuple[str, tuple[str, ...]]:
        """(the key its level is kept under, the ladder) for the failing ``function``."""
        for name, hints in self.function_hints:
            if function is not None and function.split(".")[0] == name:
                return f"{self.name}::{name}", hints
        return self.name, self.hints

    @property
    def module(self) -> str:
        return f"kata.{self.name}"

    @property
    def reference_module(self) -> str:
        return f"kata.solutions.{self.name}"

    @property
    def path(self) -> Path:
        """The learner's file, kata/<name>.py."""
        return LEARNER_DIR / f"{self.name}.py"

    @property
    def reference_path(self) -> Path:
        """The reference solution, kata/solutions/<name>.py."""
        return REFERENCE_DIR / f"{self.name}.py"

    @property
    def test_path(self) -> Path:
        """The specification, tests/test_<name>.py."""
        return TESTS_DIR / f"test_{self.name}.py"

    @property
    def variants_path(self) -> Path:
        """The broken and correct rewrites of the reference, tests/variants/<name>.py."""
        return VARIANTS_DIR / f"{self.name}.py"

    @property
    def files(self) -> tuple[Path, Path, Path, Path]:
        """All four files: the learner's, the reference, the tests and the variants."""
        return self.path, self.reference_path, self.test_path, self.variants_path


def relative(path: Path) -> str:
    """``path`` as the project shows it, from its root (kata/<name>.py); as given if outside."""
    path = Path(path)
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def _text(value: object, where: str) -> str:
    """A text of the manifest, its line breaks and indentation folded into single spaces."""
    if not isinstance(value, str):
        raise ValueError(f"{where}: a text in quotes, not {value!r}")
    return " ".join(value.split())


def _ladder(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"{where}: a list of hints, not {value!r}")
    return tuple(_text(hint, where) for hint in value)


_KEYS = {field.name for field in fields(Kata)}


def _kata(entry: dict, number: int) -> Kata:
    where = f"{relative(MANIFEST)}, kata {number} ({entry.get('name', 'no name')})"
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {sorted(_KEYS)}")
    missing = sorted({"name", "concept", "notes", "hints"} - set(entry))
    if missing:
        raise ValueError(f"{where}: {', '.join(missing)} missing")
    function_hints = entry.get("function_hints", {})
    if not isinstance(function_hints, dict):
        raise ValueError(f"{where}: function_hints is a table of function = [hints]")
    slow, spawns = entry.get("slow", 0), entry.get("spawns_processes", False)
    if not isinstance(slow, int) or slow < 0:
        raise ValueError(f"{where}: slow is a whole number >= 0, not {slow!r}")
    if not isinstance(spawns, bool):
        raise ValueError(f"{where}: spawns_processes is true or false, not {spawns!r}")
    name = _text(entry["name"], where)
    if not name.isidentifier():
        raise ValueError(f"{where}: the name is a module's, a Python identifier: {name!r}")
    return Kata(
        name=name,
        concept=_text(entry["concept"], where),
        notes=_text(entry["notes"], where),
        hints=_ladder(entry["hints"], where),
        function_hints=tuple(
            (function, _ladder(hints, f"{where}, {function}"))
            for function, hints in function_hints.items()
        ),
        slow=int(slow),
        spawns_processes=spawns,
    )


def load(path: Path = MANIFEST) -> tuple[Kata, ...]:
    """The katas of the manifest at ``path``, in its order."""
    with open(path, "rb") as file:
        manifest = tomllib.load(file)
    katas = tuple(_kata(entry, n) for n, entry in enumerate(manifest.get("kata", []), start=1))
    names = [kata.name for kata in katas]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValueError(f"{relative(path)}: more than one kata named {', '.join(twice)}")
    return katas


CURRICULUM: tuple[Kata, ...] = load()

BY_NAME = {kata.name: kata for kata in CURRICULUM}


def find(name: str) -> Kata:
    """The kata called ``name``, or a ValueError that lists the real names."""
    try:
        return BY_NAME[name]
    except KeyError:
        known = ", ".join(BY_NAME)
        raise ValueError(f"there is no kata called {name!r}; the katas are: {known}") from None
