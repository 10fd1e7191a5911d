"""Proof that the spec tells wrong code from right, kata by kata.

``tests/variants/<kata>.py`` rewrites the kata's reference solution two ways:

- ``BROKEN``: plausible wrong implementations (a pitfall, an off-by-one, a wrong ``dim``).
  At least one of the kata's tests must fail on each, or the spec cannot see that bug.
- ``ALTERNATIVES``: correct implementations written another way (``nn.Sequential`` against
  a subclass, a loop against vectorised code). Every test must pass on each, or a test is
  over-specified: it checks one way of writing the answer, not the behaviour.

``python -m kata variants`` (part of ``make test``) runs every kata's tests against every
variant and prints one line per kata. Each worker process imports torch and the conftest
once and runs pytest in-process, one session per variant. It runs only what can matter:

- **Impact**: a traced run of the kata's tests on its reference records which functions
  each test runs (kata/engine/impact.py); a variant runs only the tests that reach what its
  edits change. A test that reaches none of it passes on the variant as on the reference.
- **The catching test first**: a broken variant stops at its first failing test, and the
  test that caught it last time (kept in ``.kata/variants/``) runs first.
- **Its own time limit**: on a broken variant each test may take ``FACTOR`` times its time
  on the reference, at least ``FLOOR_S``; a broken variant that makes training crawl is cut
  off there and counts as caught by the time limit. A correct alternative gets the suite's
  own limit: it is never refused for being slow on a busy machine.
- **Verdicts reused**: a variant's verdict stands while the reference, the variant, the
  test file and every module the two import, the conftest, the engine and the package
  versions are byte-identical (kata/engine/fingerprint.py); ``.kata/variants/<kata>.json``
  keeps them.

Hypothesis draws some examples from the constants of "local" modules, and by default from
every one this process ever loaded: a kata's verdicts then depended on the katas the worker
ran before. Here each session's constants are pinned to those of the kata's reference, its
variants and the kata modules its tests import, the same for every variant and every run.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path

from kata.engine import fingerprint
from kata.engine.curriculum import BY_NAME, CURRICULUM, ROOT, VARIANTS_DIR, Kata, relative
from kata.engine.impact import EVERYTHING, Impact, TracePlugin, changed_functions

RECORDS = ROOT / ".kata" / "variants"
FACTOR, FLOOR_S = 10, 10.0  # a test's time limit on a variant: FACTOR x its time, >= FLOOR_S


class VariantError(ValueError):
    """A variant that no longer applies to its reference, or changes nothing."""


class Variant:
    """The reference with each ``(old, new)`` edit made (``old`` must occur exactly once),
    then ``append`` added at the end, where a redefinition replaces the reference's.

    ``why``: for display alone (``python -m kata approaches``), the sentence that says why a
    correct alternative is right, where its name does not; the name by default."""

    def __init__(self, name: str, *edits: tuple[str, str], append: str = "", why: str = ""):
        self.name = name
        self.edits = edits
        self.append = textwrap.dedent(append).strip()
        self.why = why or name

    def edited(self, source: str) -> str:
        """The reference with the edits made, nothing appended yet."""
        changed = source
        for old, new in self.edits:
            count = changed.count(old)
            if count != 1:
                raise VariantError(
                    f"variant {self.name!r}: {old!r} occurs {count} times in the reference, "
                    "not once; update the edit to match the reference"
                )
            changed = changed.replace(old, new)
        return changed

    def apply(self, source: str) -> str:
        changed = self.edited(source)
        if self.append:
            changed = f"{changed.rstrip()}\n\n\n{self.append}\n"
        if changed == source:
            raise VariantError(f"variant {self.name!r} changes nothing")
        return changed

    def changes(self, source: str) -> frozenset[str]:
        """The reference's functions it changes (EVERYTHING: the module itself)."""
        try:
            return changed_functions(source, self.edited(source), self.append)
        except SyntaxError:  # every test runs, and collecting them reports the error
            return frozenset({EVERYTHING})

    @property
    def key(self) -> str:
        """Its content: a verdict is reused only for the same name, edits and appended code
        (``why`` is left out: it changes what is shown, never a verdict)."""
        text = json.dumps([self.name, self.edits, self.append])
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def __repr__(self) -> str:
        return f"Variant({self.name!r})"


@dataclass
class Outcome:
    variant: str
    failed: list[tuple[str, str]] = field(default_factory=list)  # (test, first message line)
    passed: int = 0
    error: str = ""  # the variant itself would not import or collect
    timed_out: str = ""  # the test stopped by its time limit, if one was
    limit: float = 0.0  # that test's limit, in seconds
    unreached: int = 0  # tests that never reach what it changes: not run, they pass
    reused: bool = False  # the verdict of an earlier run, whose inputs are all unchanged

    @classmethod
    def from_json(cls, data: dict) -> Outcome:
        data = dict(data, failed=[tuple(pair) for pair in data.get("failed", [])])
        return cls(**data)


@dataclass
class Tally:
    kata: str
    tests: int = 0
    broken: list[Outcome] = field(default_factory=list)
    alternatives: list[Outcome] = field(default_factory=list)
    problem: str = ""  # no variants file, or one that does not apply
    tests_run: int = 0  # test runs this time, over all variants
    tests_whole: int = 0  # what running every test on every variant run this time would be

    @property
    def survivors(self) -> list[Outcome]:
        return [o for o in self.broken if o.error or not o.failed]

    @property
    def rejected(self) -> list[Outcome]:
        return [o for o in self.alternatives if o.error or o.failed]

    @property
    def timeouts(self) -> list[Outcome]:
        return [o for o in self.broken if o.timed_out and o not in self.survivors]

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
        by_timeout = f"   ({len(self.timeouts)} by time limit)" if self.timeouts else ""
        return (
            f"{self.kata:<28} {self.tests:>4} tests   broken caught {broken}"
            f"   alternatives accepted {alternatives}{by_timeout}"
        )

    def details(self) -> list[str]:
        lines = [f"{self.kata}: broken variant {o.variant!r} " + _why(o) for o in self.survivors]
        for outcome in self.rejected:
            why = _rejection(outcome)
            lines.append(f"{self.kata}: correct alternative {outcome.variant!r} rejected by {why}")
        return lines


def _why(outcome: Outcome) -> str:
    if outcome.error:
        return f"does not even import: {outcome.error}"
    if not outcome.passed:
        return "changes only code that no test runs: no test catches it"
    others = f" that run what it changes ({outcome.unreached} others never do)"
    others = others if outcome.unreached else ""
    return f"passed all {outcome.passed} tests{others}: no test catches it"


def _rejection(outcome: Outcome) -> str:
    if outcome.error:
        return outcome.error
    if outcome.timed_out:
        return (
            f"{outcome.timed_out}: ran past its limit of {outcome.limit:.0f} s "
            f"({FACTOR}x its time on the reference)"
        )
    return "; ".join(f"{test}: {msg}" for test, msg in outcome.failed[:3])


def load(kata: Kata, folder: Path = VARIANTS_DIR) -> tuple[list[Variant], list[Variant]]:
    """The kata's (BROKEN, ALTERNATIVES), read from its variants file (tests/variants/<kata>.py),
    or from the file of that name in another ``folder``."""
    path = folder / kata.variants_path.name
    shown = relative(path)
    if not path.exists():
        raise VariantError(f"{shown} is missing")
    spec = importlib.util.spec_from_file_location(f"_kata_variants_{kata.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    broken, alternatives = list(module.BROKEN), list(module.ALTERNATIVES)
    if folder == VARIANTS_DIR and not (broken and alternatives):
        raise VariantError(f"{shown} needs BROKEN and ALTERNATIVES both")
    return broken, alternatives


def on_record(kata, found=None, records: Path = RECORDS) -> dict[str, Outcome]:
    """The kata's verdicts that still stand, by variant key: those of its record whose inputs
    are all unchanged. Read from the record, never run. ``found``: (broken, alternatives),
    else those of its variants file."""
    work = _Work.prepare(kata, found, records)
    return {key: Outcome.from_json(verdict) for key, verdict in work.verdicts.items()}


def records_for(folder: Path) -> Path:
    """Where the verdicts of a variant set are kept: the project's own in .kata/variants/,
    a set from elsewhere (an audit's, say) in a folder of its own beside them."""
    if folder.resolve() == VARIANTS_DIR.resolve():
        return RECORDS
    return RECORDS / "elsewhere" / hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:12]


# ---- hypothesis' constants ----------------------------------------------------------------


def _constants(texts: list[str]):
    """hypothesis' "local constants" of these sources, as it would collect them; None when
    this hypothesis keeps them elsewhere."""
    try:
        from hypothesis.internal.constants_ast import Constants, _constants_from_source
        from hypothesis.internal.floats import float_to_int
        from sortedcontainers import SortedSet
    except ImportError:
        return None
    pool = Constants(
        integers=SortedSet(),
        floats=SortedSet(key=float_to_int),
        bytes=SortedSet(),
        strings=SortedSet(),
    )
    for text in texts:
        if len(text.encode()) <= 512 * 1024:  # hypothesis skips larger files
            with contextlib.suppress(Exception):
                pool |= _constants_from_source(text, limit=True)
    return pool


@functools.lru_cache(maxsize=4)
def _pool_of(texts: tuple[str, ...]):
    return _constants(list(texts))


def _pool(texts: list[str], files: list[str]):
    """The constants of the reference, its variants and the other kata modules imported."""
    return _pool_of((*texts, *(Path(file).read_text(encoding="utf-8") for file in files)))


def _describe(pool) -> str:
    if pool is None:
        return ""
    kinds = (pool.integers, pool.floats, pool.bytes, pool.strings)
    return repr([sorted(map(repr, kind)) for kind in kinds])


@contextlib.contextmanager
def _pinned_constants(pool):
    """hypothesis draws its constants from ``pool`` alone, whatever else was imported."""
    try:
        from hypothesis.internal.conjecture import providers

        original = providers._get_local_constants
    except (ImportError, AttributeError):
        original = None
    if pool is None or original is None:  # another hypothesis: its own way, unpinned
        yield
        return
    providers._get_local_constants = lambda: pool
    providers.CONSTANTS_CACHE.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        providers.CONSTANTS_CACHE.cache.clear()


# ---- one pytest session -------------------------------------------------------------------


class _Session:
    """A pytest plugin: the kata's module from ``path``, the tests of ``plan`` alone (all of
    them when None) in that order, each within its time limit; keeps the outcome."""

    def __init__(self, module: str, path: Path, texts: list[str], constant_files=None, **run):
        self.module, self.path, self.texts = module, path, texts
        self.constant_files = constant_files  # None: the kata modules the tests import
        self.plan, self.limits = run.get("plan"), run.get("limits", {})
        self.stop = run.get("stop", False)
        self.outcome = Outcome(variant="")
        self.collected = 0
        self.started = 0.0
        self.loaded: dict[str, str] = {}
        self.pin = contextlib.ExitStack()

    @staticmethod
    def _first_line(report) -> str:
        crash = getattr(report.longrepr, "reprcrash", None)
        text = crash.message if crash else str(report.longrepr)
        return (text.strip().splitlines() or [""])[0][:200]

    def pytest_sessionstart(self, session) -> None:
        # After every pytest_configure: the conftest's installed the reference by then.
        from kata.engine import impl

        impl.redirect({self.module: self.path})

    def pytest_collection_modifyitems(self, session, config, items) -> None:
        import pytest

        if self.plan is not None:
            by_id = {item.nodeid: item for item in items}
            chosen = [by_id[test] for test in self.plan if test in by_id]
            left = set(by_id) - set(self.plan)
            config.hook.pytest_deselected(items=[i for i in items if i.nodeid in left])
            items[:] = chosen
        for item in items:
            if item.nodeid in self.limits:
                item.add_marker(pytest.mark.timeout(self.limits[item.nodeid]))

    def pytest_collection_finish(self, session) -> None:
        self.collected = len(session.items)
        if self.constant_files is None:
            modules = list(sys.modules.items())
            found = [m.__file__ for name, m in modules if _is_kata(name, self.module, m)]
            self.constant_files = sorted(found)
        self.pin.enter_context(_pinned_constants(_pool(self.texts, self.constant_files)))

    def pytest_sessionfinish(self, session) -> None:
        self.pin.close()
        self.loaded = _loaded_files(Path(session.config.args[0]))

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            self.outcome.error = self._first_line(report)

    def pytest_runtest_logstart(self, nodeid, location) -> None:
        self.started = time.perf_counter()

    def pytest_runtest_logreport(self, report) -> None:
        if report.failed:
            test = report.nodeid.split("::", 1)[-1]
            limit = self.limits.get(report.nodeid)
            if limit and time.perf_counter() - self.started >= 0.98 * limit:
                self.outcome.timed_out, self.outcome.limit = test, limit
            self.outcome.failed.append((test, self._first_line(report)))
        elif report.passed and report.when == "call":
            self.outcome.passed += 1


def _is_kata(name: str, kata_module: str, module) -> bool:
    """A kata module the tests imported, other than the one under test."""
    return (
        name.startswith("kata.")
        and not name.startswith("kata.engine")
        and name != kata_module
        and bool(getattr(module, "__file__", None))
    )


def _conftest():
    """The suite's conftest, imported once per process and handed to every session as a
    plugin (pytest would import it afresh for each session, each copy registering itself
    with hypothesis again: every session slower than the one before)."""
    module = sys.modules.get("conftest")
    if module is None or Path(getattr(module, "__file__", "")) != ROOT / "conftest.py":
        spec = importlib.util.spec_from_file_location("conftest", ROOT / "conftest.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["conftest"] = module
        spec.loader.exec_module(module)
    return module


_KEPT = ("kata.engine", "tests.engine")


def _forget_imports(test_path: Path) -> None:
    """Drop the kata and test modules a session imported, so the next session imports the
    next variant afresh; the import hooks the session added go too."""
    from kata.engine import impl

    for name, module in list(sys.modules.items()):
        ours = name.startswith(("kata.", "tests.")) and not name.startswith(_KEPT)
        beside = Path(getattr(module, "__file__", None) or "/").parent == test_path.parent
        if ours or beside:  # a module beside the test file: its helper
            del sys.modules[name]
    impl.unredirect()


def _pytest(kata, session: _Session, *plugins) -> None:
    import pytest

    args = [
        str(kata.test_path),
        "-c",
        str(ROOT / "pyproject.toml"),
        "--rootdir",
        str(ROOT),
        "--impl=reference",
        "--hypothesis-profile=variants",
        "-q",
        "--noconftest",
        *("-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:xdist.looponfail"),
        *("-p", "no:benchmark"),
        *(["-x"] if session.stop else []),
    ]
    try:
        pytest.main(args, plugins=[_conftest(), session, *plugins])
    finally:
        _forget_imports(kata.test_path)
        # What outlives a session lives as long as the worker: freeze it, so that the
        # collections pytest makes in each session look at that session's objects alone.
        gc.collect()
        gc.freeze()


# ---- a kata's variants --------------------------------------------------------------------


def _reference_file(kata) -> Callable[[str], Path | None]:
    def resolve(module: str) -> Path | None:
        if module == kata.module:
            return Path(kata.reference_path)
        name = module.removeprefix("kata.")
        if module.startswith("kata.") and name in BY_NAME:
            return BY_NAME[name].reference_path
        return fingerprint.learner_file(module)

    return resolve


@dataclass
class _Work:
    """A kata's variants, what their verdicts depend on, and the record of earlier runs."""

    kata: object  # a Kata, or anything with its name, module, reference_path and test_path
    broken: list[Variant]
    alternatives: list[Variant]
    source: str
    texts: list[str]  # the reference and every variant: hypothesis' constants come from them
    fingerprint: str
    record: dict
    path: Path | None

    @classmethod
    def prepare(
        cls, kata, variants=None, records: Path | None = RECORDS, folder: Path = VARIANTS_DIR
    ) -> _Work:
        broken, alternatives = variants or load(kata, folder)
        source = Path(kata.reference_path).read_text(encoding="utf-8")
        texts = [source, *(v.apply(source) for v in (*broken, *alternatives))]
        start = [Path(kata.reference_path), Path(kata.test_path)]
        files = fingerprint.closure(start, _reference_file(kata))
        elsewhere = [f"{f}\n{f.read_text(encoding='utf-8')}" for f in files if not _inside(f)]
        stamp = fingerprint.digest(
            [f for f in files if _inside(f)],
            fingerprint.of_engine(),
            *elsewhere,  # a kata of its own, outside this project (the engine's tests)
            _describe(_constants(texts)),
            f"time limits {FACTOR}x, at least {FLOOR_S} s",
        )
        path = records / f"{kata.name}.json" if records else None
        record = {}
        if path and path.exists():
            with contextlib.suppress(ValueError, OSError):
                record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("fingerprint") != stamp or _changed(record.get("files", {})):
            record = {"fingerprint": stamp, "caught_by": record.get("caught_by", {})}
        for verdict in record.get("verdicts", {}).values():
            verdict["reused"] = True
        return cls(kata, broken, alternatives, source, texts, stamp, record, path)

    @property
    def verdicts(self) -> dict:
        return self.record.setdefault("verdicts", {})

    @property
    def todo(self) -> list[Variant]:
        return [v for v in (*self.broken, *self.alternatives) if v.key not in self.verdicts]

    def save(self) -> None:
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(self.record, indent=1), encoding="utf-8")

    def tally(self, ran: tuple[int, int] = (0, 0)) -> Tally:
        tally = Tally(self.kata.name, tests=len(self.record.get("impact", {}).get("tests", [])))
        for variant in (*self.broken, *self.alternatives):
            outcome = self.verdicts[variant.key]
            outcome = outcome if isinstance(outcome, Outcome) else Outcome.from_json(outcome)
            (tally.broken if variant in self.broken else tally.alternatives).append(outcome)
        tally.tests_run, tally.tests_whole = ran
        return tally


def _inside(path: Path) -> bool:
    return path.resolve().is_relative_to(ROOT)


def _hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def _loaded_files(test_path: Path) -> dict[str, str]:
    """Each file of this project (or beside the test file) that a session imported, with
    its hash: an import the fingerprint's static reading cannot see counts too."""
    found = {}
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if not file or "site-packages" in file:
            continue
        path = Path(file).resolve()
        if path.is_relative_to(ROOT) or path.parent == Path(test_path).resolve().parent:
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            found[str(shown)] = _hash(path)
    return found


def _changed(files: dict[str, str]) -> bool:
    return any(_hash(ROOT / name) != digest for name, digest in files.items())


def _trace(work: _Work) -> tuple[Impact, dict[str, str]]:
    """The traced run on the reference, and the files it imported."""
    kata = work.kata
    session = _Session(kata.module, Path(kata.reference_path), work.texts)
    tracer = TracePlugin(Path(kata.reference_path), kata.module)
    _pytest(kata, session, tracer)
    impact = tracer.impact()
    if session.outcome.error:
        impact.failed.setdefault("collection", session.outcome.error)
    impact.constant_files = session.constant_files
    return impact, session.loaded


def _run_variant(work: _Work, impact: Impact, variant: Variant, folder: Path) -> Outcome:
    kata, broken = work.kata, variant in work.broken
    plan = impact.select(variant.changes(work.source))
    if broken:  # it stops at the first failure: the test that caught it last, then the quickest
        plan.sort(key=lambda test: impact.seconds.get(test, 0.0))
        caught_by = work.record["caught_by"].get(variant.name)
        if caught_by in plan:
            plan.remove(caught_by)
            plan.insert(0, caught_by)
    unreached = len(impact.tests) - len(plan)
    if not plan:
        return Outcome(variant.name, unreached=unreached)
    path = folder / Path(kata.reference_path).name
    path.write_text(variant.apply(work.source), encoding="utf-8")
    # A broken variant that slows a test to a crawl is caught by its time limit; a correct
    # alternative is never refused for speed (a busy machine would refuse it by chance).
    limits = {test: max(FLOOR_S, FACTOR * impact.seconds.get(test, 0.0)) for test in plan}
    limits = limits if broken else {}
    files = impact.constant_files
    session = _Session(kata.module, path, work.texts, files, plan=plan, limits=limits, stop=broken)
    _pytest(kata, session)
    outcome = session.outcome
    outcome.variant, outcome.unreached = variant.name, unreached
    if broken and outcome.failed:
        work.record["caught_by"][variant.name] = _nodeid(plan, outcome.failed[0][0])
    return outcome


def _nodeid(plan: list[str], test: str) -> str:
    return next((nodeid for nodeid in plan if nodeid.endswith(f"::{test}")), test)


def run_kata(
    name,
    variants: tuple[list, list] | None = None,
    records: Path | None = RECORDS,
    folder: Path = VARIANTS_DIR,
) -> Tally:
    """Run one kata's tests against each of its variants (in this process): those of
    <folder>/<name>.py (tests/variants/), or the given ``(broken, alternatives)``. ``name``
    may also be a kata of its own (name, module, reference_path, test_path); ``records`` is
    where the verdicts are kept between runs (None: nowhere)."""
    kata = BY_NAME[name] if isinstance(name, str) else name
    try:
        work = _Work.prepare(kata, variants, records, folder)
    except VariantError as error:
        return Tally(kata.name, problem=str(error))
    os.chdir(ROOT)
    ran, start = [0, 0], time.perf_counter()
    if work.todo:
        if "impact" not in work.record:
            impact, work.record["files"] = _trace(work)
            work.record["impact"] = impact.to_json()
        impact = Impact.from_json(work.record["impact"])
        if impact.failed:
            test, message = next(iter(impact.failed.items()))
            return Tally(kata.name, problem=f"fails on the reference: {test}: {message}")
        with tempfile.TemporaryDirectory(prefix=f"kata-variant-{kata.name}-") as folder:
            for variant in work.todo:
                outcome = _run_variant(work, impact, variant, Path(folder))
                ran[0] += len(outcome.failed) + outcome.passed
                ran[1] += len(impact.tests)
                work.verdicts[variant.key] = asdict(outcome)
                work.save()
        work.record["seconds"] = round(time.perf_counter() - start, 1)  # this run's, in the worker
        work.save()
    return work.tally(tuple(ran))


def _worker_init(threads: int) -> None:
    """Each worker gets its share of the cores, and its pytest chatter goes nowhere."""
    import torch

    torch.set_num_threads(threads)
    os.environ["PYTEST_XDIST_WORKER_COUNT"] = "0"
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


def _slow_first(name: str) -> tuple[float, int]:
    """The slowest katas start first, so that no worker is left alone with one at the end: by
    the time their last run took, or, with no record yet, by the manifest's ``slow`` rank."""
    try:
        record = json.loads((RECORDS / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    return -float(record.get("seconds", 0.0)), -BY_NAME[name].slow


def _reused(name: str, folder: Path = VARIANTS_DIR) -> Tally | None:
    """The kata's tally from its record alone, when every verdict in it can be reused."""
    try:
        work = _Work.prepare(BY_NAME[name], records=records_for(folder), folder=folder)
    except VariantError as error:
        return Tally(name, problem=str(error))
    return None if work.todo else work.tally()


def run(names: list[str], jobs: int, folder: Path = VARIANTS_DIR) -> list[Tally]:
    """Every named kata's tally, in curriculum order; ``jobs`` worker processes for the katas
    whose verdicts cannot all be reused. ``folder`` holds the variant files."""
    tallies: dict[str, Tally] = {name: t for name in names if (t := _reused(name, folder))}
    left = [name for name in names if name not in tallies]
    order = sorted(left, key=_slow_first)
    if not order:
        return [tallies[name] for name in names]
    jobs = max(1, min(jobs, len(order)))
    threads = max(1, (os.cpu_count() or 1) // jobs)
    context = get_context("spawn")
    with ProcessPoolExecutor(jobs, context, initializer=_worker_init, initargs=(threads,)) as pool:
        records = records_for(folder)
        futures = {pool.submit(run_kata, name, None, records, folder): name for name in order}
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
    timeouts = [(t.kata, o) for t in tallies for o in t.timeouts]
    if timeouts:
        print(f"\ncaught by the time limit ({FACTOR}x the test's time on the reference):")
        for kata, outcome in timeouts:
            print(f"  {kata}: {outcome.variant!r} in {outcome.timed_out} ({outcome.limit:.0f} s)")
    outcomes = [o for t in tallies for o in (*t.broken, *t.alternatives)]
    reused = sum(o.reused for o in outcomes)
    run_now = len(outcomes) - reused
    tests_run, tests_whole = sum(t.tests_run for t in tallies), sum(t.tests_whole for t in tallies)
    if run_now:
        print(
            f"\n{reused} of {len(outcomes)} verdicts reused; the other {run_now} variants ran "
            f"{tests_run} tests, where their whole test files would have run {tests_whole}"
        )
    elif outcomes:
        print(f"\nall {reused} verdicts reused: nothing they depend on changed")
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


def main(names: list[str], jobs: int, folder: Path | None = None) -> int:
    """Run the variants of the named katas (all of them); ``folder``: a variant set kept
    elsewhere, such as an independent audit's, with a <kata>.py for each kata it covers."""
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise ValueError(f"no kata named {', '.join(unknown)}")
    folder = Path(folder) if folder else VARIANTS_DIR
    if not folder.is_dir():
        raise ValueError(f"no folder {folder}")
    names = names or [kata.name for kata in CURRICULUM]
    if folder != VARIANTS_DIR:
        names = [name for name in names if (folder / BY_NAME[name].variants_path.name).exists()]
        if not names:
            raise ValueError(f"{folder} holds no <kata>.py of a kata named")
    print(f"variants: {len(names)} katas, up to {jobs} worker(s); each imports torch once")
    with contextlib.suppress(KeyboardInterrupt):
        return report(run(names, jobs, folder))
    return 130
