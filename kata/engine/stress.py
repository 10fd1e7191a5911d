"""Proof that the spec never fails correct code by luck.

A learner runs the tests with the ``learner`` profile: 25 fresh random examples per
property on every run. A property whose tolerance holds on most examples, not all, fails
a correct solution now and then, and the example database then replays that failure on
every later run. ``python -m kata stress`` looks for such tests before a learner does: it
runs every kata's tests on the references, as a learner runs them, many times over, each
run with a fresh seed, and reports each failure with the seed that reproduces it and,
for a property, the failing example with the ``@reproduce_failure`` line that replays it.

A run's seed goes to hypothesis (``--hypothesis-seed``) and to the isolation plugin, which
adds it to the seed it gives every test (``KATA_SEED_OFFSET``). Nothing is read from or written to
the example database (``.hypothesis/``): each run starts from fresh examples. As
``python -m kata variants`` does, each worker process imports torch once and runs pytest
in-process, one session per kata and run.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import os
import secrets
import shlex
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from kata.engine.curriculum import BY_NAME, CURRICULUM, ROOT, relative
from kata.engine.variants import _conftest, _worker_init

SEED_ENV_VAR = "KATA_SEED_OFFSET"  # read by kata/engine/plugins/isolation.py
PROFILE = "stress"  # the learner profile without an example database (plugins/profiles.py)
_EXAMPLE_STARTS = ("Falsifying example", "Failing test case", "Falsifying explicit example")


@dataclass
class Failure:
    test: str  # the node id
    seed: int
    message: str  # the first line of the failure
    example: str = ""  # what hypothesis printed about the failing example, if any

    def reproduce(self) -> str:
        command = f"--impl=reference --hypothesis-seed={self.seed} {shlex.quote(self.test)}"
        return f"{SEED_ENV_VAR}={self.seed} python -m pytest {command}"


@dataclass
class Run:
    kata: str
    seed: int
    passed: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0


def falsifying_example(text: str) -> str:
    """The lines hypothesis adds to a failure about its example, from the first on."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(_EXAMPLE_STARTS)), None)
    return "" if start is None else "\n".join(lines[start:]).strip()


class _Collector:
    """A pytest plugin: the learner profile without a database, and the session's tally."""

    def __init__(self, run: Run, reference: Path | None = None):
        self.run, self.reference = run, reference

    def pytest_sessionstart(self, session) -> None:
        import hypothesis

        from kata.engine import impl

        if self.reference is not None:  # after --impl has installed the references
            impl.redirect({BY_NAME[self.run.kata].module: self.reference})

        hypothesis.settings.load_profile(PROFILE)

    def _fail(self, report, test: str) -> None:
        crash = getattr(report.longrepr, "reprcrash", None)
        text = crash.message if crash else str(report.longrepr)
        first = (text.strip().splitlines() or [""])[0][:200]
        failure = Failure(test, self.run.seed, first, falsifying_example(text))
        self.run.failures.append(failure)

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            self._fail(report, report.nodeid)

    def pytest_runtest_logreport(self, report) -> None:
        if report.failed:
            self._fail(report, report.nodeid)
        elif report.passed and report.when == "call":
            self.run.passed += 1


def _forget_imports() -> None:
    """Drop the kata and test modules a session imported, and the import hooks it added: the
    next session starts as a fresh ``pytest`` process would, but for torch."""
    from kata.engine import impl

    for name in list(sys.modules):
        if name.startswith(("kata.", "tests.")) and not name.startswith("kata.engine"):
            del sys.modules[name]
    impl.unredirect()


def run_once(name: str, seed: int, reference: Path | None = None) -> Run:
    """One run of a kata's tests on its reference (or on ``reference``), in this process."""
    import pytest

    kata = BY_NAME[name]
    run = Run(name, seed)
    conftest = _conftest()
    os.chdir(ROOT)
    os.environ[SEED_ENV_VAR] = str(seed)
    args = [
        str(kata.test_path.relative_to(ROOT)),
        "--impl=reference",
        f"--hypothesis-seed={seed}",
        "-q",
        "--noconftest",
        *(arg for plugin in getattr(conftest, "pytest_plugins", []) for arg in ("-p", plugin)),
        *("-p", "no:cacheprovider", "-p", "no:xdist"),
    ]
    start = time.perf_counter()
    try:
        code = pytest.main(args, plugins=[conftest, _Collector(run, reference)])
    finally:
        _forget_imports()
        # What outlives a session lives as long as the worker: freeze it, so that the
        # collections of each later session look at that session's objects alone.
        gc.collect()
        gc.freeze()
    run.seconds = time.perf_counter() - start
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):  # no test ran, say
        run.failures.append(Failure(args[0], seed, f"pytest stopped: {code!r}"))
    return run


def _stress_worker_init(threads: int, storage: str) -> None:
    """As a variants worker, and hypothesis keeps its caches away from ``.hypothesis/``."""
    os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = storage
    _worker_init(threads)


def run(names: list[str], runs: int, jobs: int) -> list[Run]:
    """``runs`` runs of every named kata, each with a fresh seed; ``jobs`` worker processes."""
    order = sorted(names, key=lambda name: -BY_NAME[name].slow)  # the slowest first
    threads = max(1, (os.cpu_count() or 1) // jobs)
    done: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="kata-stress-") as storage:
        context = get_context("spawn")
        initargs = (threads, storage)
        with ProcessPoolExecutor(jobs, context, _stress_worker_init, initargs) as pool:
            futures = {
                pool.submit(run_once, name, secrets.randbelow(2**32)): name
                for _ in range(runs)
                for name in order
            }
            for future in as_completed(futures):
                try:
                    done.append(future.result())
                except Exception as error:  # a crashed worker, say: report it as a failure
                    name = futures[future]
                    test_file = relative(BY_NAME[name].test_path)
                    crash = Failure(test_file, -1, f"the run crashed: {error!r}")
                    done.append(Run(name, -1, failures=[crash]))
    return done


def report(runs: list[Run], names: list[str]) -> int:
    failures = [failure for r in runs for failure in r.failures]
    for name in names:
        mine = [r for r in runs if r.kata == name]
        failed = sum(len(r.failures) for r in mine)
        tests = max((r.passed + len(r.failures) for r in mine), default=0)
        seconds = sum(r.seconds for r in mine)
        verdict = f"{failed} failed" if failed else "all passed"
        print(f"{name:<28} {len(mine):>4} runs {tests:>4} tests {seconds:>7.0f} s   {verdict}")
    if failures:
        print(f"\nfailures on the references ({len(failures)}):")
        for failure in failures:
            print(f"\n{failure.test} (seed {failure.seed})\n  {failure.message}")
            if failure.example:
                print("  " + failure.example.replace("\n", "\n  "))
            print(f"  reproduce: {failure.reproduce()}")
        return 1
    print(
        f"\nstress: {len(runs)} runs over {len(names)} katas, each with its own seed, all passed."
    )
    return 0


def main(names: list[str], runs: int, jobs: int) -> int:
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise ValueError(f"no kata named {', '.join(unknown)}")
    names = names or [kata.name for kata in CURRICULUM]
    jobs = max(1, min(jobs, len(names) * runs))
    print(
        f"stress: {len(names)} katas x {runs} runs on the references, {jobs} worker(s); "
        "the learner profile, a fresh seed per run, no example database"
    )
    with contextlib.suppress(KeyboardInterrupt):
        return report(run(names, runs, jobs), names)
    return 130
