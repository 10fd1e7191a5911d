"""Proof that the spec tells wrong code from right, kata by kata.

``tests/variants/<kata>.py`` rewrites the kata's reference solution two ways:

- ``BROKEN``: plausible wrong implementations (a pitfall, an off-by-one, a wrong ``dim``).
  At least one of the kata's tests must fail on each, or the spec cannot see that bug.
- ``ALTERNATIVES``: correct implementations written another way (``nn.Sequential`` against
  a subclass, a loop against vectorised code). Every test must pass on each, or a test is
  over-specified: it checks one way of writing the answer, not the behaviour.

``python -m kata variants`` (part of ``make test``) runs every kata's tests against every
variant and prints one line per kata. Each worker process imports torch once and runs
pytest in-process, one session per variant.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import tempfile
import textwrap
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from kata.engine.curriculum import BY_NAME, CURRICULUM, ROOT, Kata

VARIANTS_DIR = ROOT / "tests" / "variants"


class VariantError(ValueError):
    """A variant that no longer applies to its reference, or changes nothing."""


class Variant:
    """The reference with each ``(old, new)`` edit made (``old`` must occur exactly once),
    then ``append`` added at the end, where a redefinition replaces the reference's."""

    def __init__(self, name: str, *edits: tuple[str, str], append: str = ""):
        self.name = name
        self.edits = edits
        self.append = textwrap.dedent(append).strip()

    def apply(self, source: str) -> str:
        changed = source
        for old, new in self.edits:
            count = changed.count(old)
            if count != 1:
                raise VariantError(
                    f"variant {self.name!r}: {old!r} occurs {count} times in the reference, "
                    "not once; update the edit to match the reference"
                )
            changed = changed.replace(old, new)
        if self.append:
            changed = f"{changed.rstrip()}\n\n\n{self.append}\n"
        if changed == source:
            raise VariantError(f"variant {self.name!r} changes nothing")
        return changed

    def __repr__(self) -> str:
        return f"Variant({self.name!r})"


@dataclass
class Outcome:
    variant: str
    failed: list[tuple[str, str]] = field(default_factory=list)  # (test, first message line)
    passed: int = 0
    error: str = ""  # the variant itself would not import or collect


@dataclass
class Tally:
    kata: str
    tests: int = 0
    broken: list[Outcome] = field(default_factory=list)
    alternatives: list[Outcome] = field(default_factory=list)
    problem: str = ""  # no variants file, or one that does not apply

    @property
    def survivors(self) -> list[Outcome]:
        return [o for o in self.broken if o.error or not o.failed]

    @property
    def rejected(self) -> list[Outcome]:
        return [o for o in self.alternatives if o.error or o.failed]

    @property
    def ok(self) -> bool:
        return not (self.problem or self.survivors or self.rejected)

    def line(self) -> str:
        if self.problem:
            return f"{self.kata:<28} {self.problem}"
        caught = len(self.broken) - len(self.survivors)
        accepted = len(self.alternatives) - len(self.rejected)
        broken = f"{caught:>2}/{len(self.broken):<2}"
        alternatives = f"{accepted}/{len(self.alternatives)}"
        return (
            f"{self.kata:<28} {self.tests:>4} tests   broken caught {broken}"
            f"   alternatives accepted {alternatives}"
        )

    def details(self) -> list[str]:
        lines = [f"{self.kata}: broken variant {o.variant!r} " + _why(o) for o in self.survivors]
        for outcome in self.rejected:
            why = outcome.error or "; ".join(f"{test}: {msg}" for test, msg in outcome.failed[:3])
            lines.append(f"{self.kata}: correct alternative {outcome.variant!r} rejected by {why}")
        return lines


def _why(outcome: Outcome) -> str:
    if outcome.error:
        return f"does not even import: {outcome.error}"
    return f"passed all {outcome.passed} tests: no test catches it"


def load(kata: Kata) -> tuple[list[Variant], list[Variant]]:
    """The kata's (BROKEN, ALTERNATIVES), read from tests/variants/<kata>.py."""
    path = VARIANTS_DIR / f"{kata.name}.py"
    if not path.exists():
        raise VariantError(f"tests/variants/{kata.name}.py is missing")
    spec = importlib.util.spec_from_file_location(f"_kata_variants_{kata.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    broken, alternatives = list(module.BROKEN), list(module.ALTERNATIVES)
    if not broken or not alternatives:
        raise VariantError(f"tests/variants/{kata.name}.py needs BROKEN and ALTERNATIVES both")
    return broken, alternatives


class _Collector:
    """A pytest plugin: counts the tests and keeps the failures of one session."""

    def __init__(self, module: str, path: Path):
        self.module, self.path = module, path
        self.outcome = Outcome(variant="")
        self.collected = 0

    @staticmethod
    def _first_line(report) -> str:
        crash = getattr(report.longrepr, "reprcrash", None)
        text = crash.message if crash else str(report.longrepr)
        return (text.strip().splitlines() or [""])[0][:200]

    def pytest_sessionstart(self, session) -> None:
        # After every pytest_configure: the conftest's installed the reference by then.
        from kata.engine import impl

        impl.redirect({self.module: self.path})

    def pytest_collection_finish(self, session) -> None:
        self.collected = len(session.items)

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            self.outcome.error = self._first_line(report)

    def pytest_runtest_logreport(self, report) -> None:
        if report.failed:
            self.outcome.failed.append((report.nodeid.split("::", 1)[-1], self._first_line(report)))
        elif report.passed and report.when == "call":
            self.outcome.passed += 1


_DROP_PREFIXES = ("tests.test_",)


def _forget_imports() -> None:
    """Drop the kata and test modules a session imported, so the next session imports the
    next variant afresh; the import hooks the session added go too."""
    from kata.engine import impl

    names = {kata.module for kata in CURRICULUM}
    for name in list(sys.modules):
        if name in names or name.startswith(_DROP_PREFIXES):
            del sys.modules[name]
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, impl._Redirect)]


def _run_variant(kata: Kata, variant: Variant, source: str, folder: Path, stop: bool) -> tuple:
    import pytest

    path = folder / f"{kata.name}.py"
    path.write_text(variant.apply(source), encoding="utf-8")
    collector = _Collector(kata.module, path)
    args = [
        str(kata.test_path.relative_to(ROOT)),
        "--impl=reference",
        "--hypothesis-profile=variants",
        "-q",
        "-p",
        "no:cacheprovider",
        *(["-x"] if stop else []),
    ]
    try:
        pytest.main(args, plugins=[collector])
    finally:
        _forget_imports()
    outcome = collector.outcome
    outcome.variant = variant.name
    return outcome, collector.collected


def run_kata(name: str, variants: tuple[list, list] | None = None) -> Tally:
    """Run one kata's tests against each of its variants (in this process): those of
    tests/variants/<name>.py, or the given ``(broken, alternatives)``."""
    kata = BY_NAME[name]
    tally = Tally(kata.name)
    try:
        broken, alternatives = variants or load(kata)
        source = kata.reference_path.read_text(encoding="utf-8")
        for variant in (*broken, *alternatives):
            variant.apply(source)  # every edit still applies, before anything runs
    except VariantError as error:
        tally.problem = str(error)
        return tally
    os.chdir(ROOT)
    with tempfile.TemporaryDirectory(prefix=f"kata-variant-{name}-") as folder:
        for variant in broken:
            outcome, _ = _run_variant(kata, variant, source, Path(folder), stop=True)
            tally.broken.append(outcome)
        for variant in alternatives:
            outcome, collected = _run_variant(kata, variant, source, Path(folder), stop=False)
            tally.alternatives.append(outcome)
            tally.tests = max(tally.tests, collected)
    return tally


def _worker_init(threads: int) -> None:
    """Each worker gets its share of the cores, and its pytest chatter goes nowhere."""
    import torch

    torch.set_num_threads(threads)
    os.environ["PYTEST_XDIST_WORKER_COUNT"] = "0"
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


# The slowest katas start first, so that no worker is left alone with one at the end.
_SLOW_FIRST = ("distributed", "capstones", "performance", "fit", "rnn", "cnn", "regularization")


def run(names: list[str], jobs: int) -> list[Tally]:
    """Every named kata's tally, in curriculum order; ``jobs`` worker processes."""
    order = sorted(names, key=lambda n: _SLOW_FIRST.index(n) if n in _SLOW_FIRST else 99)
    threads = max(1, (os.cpu_count() or 1) // jobs)
    tallies: dict[str, Tally] = {}
    context = get_context("spawn")
    with ProcessPoolExecutor(jobs, context, initializer=_worker_init, initargs=(threads,)) as pool:
        futures = {pool.submit(run_kata, name): name for name in order}
        for future in as_completed(futures):
            name = futures[future]
            try:
                tallies[name] = future.result()
            except Exception as error:  # a crashed worker, say: report it as the kata's
                tallies[name] = Tally(name, problem=f"the variant run crashed: {error!r}")
    return [tallies[name] for name in names]


def report(tallies: list[Tally]) -> int:
    for tally in tallies:
        print(tally.line())
    bad = [line for tally in tallies for line in tally.details()]
    bad += [f"{t.kata}: {t.problem}" for t in tallies if t.problem]
    total_broken = sum(len(t.broken) for t in tallies)
    total_alternatives = sum(len(t.alternatives) for t in tallies)
    if bad:
        print("\nthe spec does not yet tell wrong code from right:")
        for line in bad:
            print(f"  {line}")
        return 1
    print(
        f"\nvariants: all {total_broken} broken variants caught and all "
        f"{total_alternatives} correct alternatives accepted, over {len(tallies)} katas."
    )
    return 0


def main(names: list[str], jobs: int) -> int:
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise ValueError(f"no kata named {', '.join(unknown)}")
    names = names or [kata.name for kata in CURRICULUM]
    jobs = max(1, min(jobs, len(names)))
    print(f"variants: {len(names)} katas, {jobs} worker(s); each worker imports torch once")
    with contextlib.suppress(KeyboardInterrupt):
        return report(run(names, jobs))
    return 130
