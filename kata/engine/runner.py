"""How ``python -m kata`` runs the learner's tests, and what it remembers of them.

- **Only what changed is rerun.** A kata whose inputs (``fingerprint.of_kata``) are the same
  as when it last went green is taken from the record in ``.kata/record.json``.
- **One learner's kata never spills into another.** A test process that dies (``os._exit``,
  a segfault, a hang inside C++ that no signal ends) is named against the test it was
  running, and the katas after it run in a fresh process.
- ``run_pytest`` is the one place a pytest session starts: by default in a fresh process;
  ``python -m kata watch`` swaps in an in-process run inside a warm worker.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from kata.engine import fingerprint, impl
from kata.engine.curriculum import ROOT, Kata
from kata.engine.results import kata_of

RECORD = ROOT / ".kata" / "record.json"
# A test still running this long after its own time limit is stuck where no signal reaches.
GRACE_S = 15.0


@dataclass
class Progress:
    kata: Kata
    passed: int = 0
    failed: int = 0
    broken: str | None = None  # the error that stopped the test file from importing
    first_failure: dict | None = None
    collected: int = 0
    checked: bool = True  # False: not run, because an earlier kata is unfinished
    recorded: bool = False  # True: unchanged since it last went green, taken from the record
    crashed: bool = False  # the test process died inside one of its tests
    timed_out: str | None = None  # the test stopped by the time limit

    @property
    def total(self) -> int:
        return self.passed + self.failed if self.checked else self.collected

    @property
    def done(self) -> bool:
        return self.checked and self.broken is None and self.failed == 0 and self.passed > 0


def _subprocess_pytest(args: list[str]) -> int:
    """``python -m pytest ARGS`` in a fresh process, against the learner's files.

    A test still running ``GRACE_S`` after its time limit is stuck beyond the reach of the
    limit's signal (inside a C++ call, say): the process is killed, and the results file
    still names the test it was running."""
    env = {**os.environ, impl.ENV_VAR: "kata"}
    results = Path(next(a.split("=", 1)[1] for a in args if a.startswith("--kata-results=")))
    command = [sys.executable, "-m", "pytest", *args]
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as process:
        while process.poll() is None:
            try:
                process.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                if _stuck(results):
                    process.kill()
        stderr = process.stderr.read() if process.stderr else ""
    if process.returncode not in (0, 1, 5) and stderr.strip():
        _last_stderr[:] = [stderr]
    return process.returncode


_last_stderr: list[str] = []


def _stuck(results: Path) -> bool:
    try:
        state = json.loads(results.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    limit = state.get("limit") or 0
    return bool(state.get("running") and limit and time.time() - state["started"] > limit + GRACE_S)


run_pytest = _subprocess_pytest


# ---- the record ------------------------------------------------------------------------


def _load_record() -> dict:
    try:
        record = json.loads(RECORD.read_text(encoding="utf-8"))
        return record if isinstance(record, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_record(record: dict) -> None:
    RECORD.parent.mkdir(exist_ok=True)
    temporary = RECORD.with_suffix(".tmp")
    temporary.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temporary, RECORD)


# ---- running ---------------------------------------------------------------------------


def _session(
    katas: list[Kata], stop_early: bool, derandomize: list[str], files: dict[str, Path]
) -> tuple[dict, int]:
    with tempfile.TemporaryDirectory(prefix="kata-run-") as folder:
        results_file = Path(folder) / "results.json"
        args = [
            "-q",
            "--tb=short",  # the table shows one message a test; its long form is not read
            "-p",
            "kata.engine.results",
            f"--kata-results={results_file}",
            "--impl=kata",
            "--continue-on-collection-errors",
            *(["--kata-stop-early"] if stop_early else []),
            *([f"--kata-derandomize={','.join(derandomize)}"] if derandomize else []),
            *(f"--kata-file={name}={path}" for name, path in files.items()),
            "-p",
            "no:cacheprovider",
            *(str(kata.test_path.relative_to(ROOT)) for kata in katas),
        ]
        _last_stderr.clear()
        code = run_pytest(args)
        if not results_file.exists():
            detail = "".join(_last_stderr).strip()
            raise SystemExit(
                f"the tests did not run (pytest exit code {code}): try `pytest tests` to see "
                f"why\n{detail}"
            )
        return json.loads(results_file.read_text(encoding="utf-8")), code


def _tally(progress: dict[str, Progress], results: dict, code: int) -> str | None:
    """Add one session's results; the kata whose test crashed the process, if one did."""
    crashed = None
    if results["running"]:  # the process died inside a test: a crash, not a failure
        crashed = kata_of(results["running"])
        stuck = results.get("limit") and time.time() - results["started"] > results["limit"]
        why = (
            f"did not stop within its {results['limit']:g} s time limit plus {GRACE_S:g} s, "
            "even when signalled (stuck inside a C++ call?), so the test process was killed"
            if stuck
            else f"made the test process exit (exit code {code}): `os._exit`, `sys.exit` "
            "in a child, or a crash inside torch"
        )
        message = f"{results['running']} {why}; this kata's later tests did not run"
        test = {"nodeid": results["running"], "kata": crashed, "line": None}
        results["tests"].append({**test, "outcome": "failed", "message": message})
    for name, error in results["broken"].items():
        progress[name].broken = error
    seen = {test["kata"] for test in results["tests"]}
    for name, count in results.get("collected", {}).items():
        progress[name].collected = count
        progress[name].checked = name in seen
    for test in results["tests"]:
        entry = progress[test["kata"]]
        if test["outcome"] == "passed":
            entry.passed += 1
        elif test["outcome"] == "failed":
            entry.failed += 1
            entry.first_failure = entry.first_failure or test
            if test.get("timeout") and not entry.timed_out:
                entry.timed_out = test["nodeid"].split("::", 1)[-1]
    if crashed:
        progress[crashed].crashed = True
    return crashed


def run_katas(
    katas: list[Kata],
    stop_early: bool = False,
    rerun: bool = False,
    files: dict[str, Path] | None = None,
) -> list[Progress]:
    """Each kata's progress against the learner's files; katas unchanged since they last went
    green are taken from the record (unless ``rerun``).

    With ``stop_early``, the katas after the first unfinished one are not run (rustlings' way:
    one next step, quickly). ``files`` (kata name -> file) runs those katas from other files
    than the learner's, a notebook's cells written over them: such a run is never taken from
    the record and never kept in it, which speaks for the learner's files alone."""
    files = files or {}
    rerun = rerun or bool(files)
    record = _load_record()
    green = record.setdefault("green", {})
    engine = fingerprint.of_engine()
    prints = {kata.name: fingerprint.of_kata(kata, engine=engine) for kata in katas}
    progress = {kata.name: Progress(kata, checked=False) for kata in katas}
    pending = []
    for kata in katas:
        if not kata.test_path.exists():
            progress[kata.name].broken = f"{kata.test_path.relative_to(ROOT)} is missing"
            progress[kata.name].checked = True
        elif not rerun and green.get(kata.name, {}).get("fingerprint") == prints[kata.name]:
            passed = green[kata.name]["passed"]
            progress[kata.name] = Progress(kata, passed=passed, collected=passed, recorded=True)
        else:
            pending.append(kata)
    counts = record.setdefault("tests", {})
    done_once = set(record.setdefault("done", []))
    for entry in progress.values():
        entry.collected = entry.collected or counts.get(entry.kata.name, 0)
    # Katas once done are checked derandomized: a new random example never flips them red.
    derandomize = [kata.name for kata in pending if kata.name in done_once]
    batch = 1  # stop_early: the first pending kata is usually the unfinished one; then 2, 4, ...
    while pending:
        if stop_early and any(not p.done and p.checked for p in progress.values()):
            break
        chunk = pending[:batch] if stop_early else pending
        results, code = _session(chunk, stop_early, derandomize, files)
        crashed = _tally(progress, results, code)
        counts.update(results.get("collected", {}))
        ran = {kata.name for kata in chunk}
        if crashed:
            after = [kata.name for kata in chunk].index(crashed) + 1
            pending = chunk[after:] + pending[len(chunk) :]
        elif stop_early:
            pending = pending[len(chunk) :]
            batch *= 2
        else:
            pending = [kata for kata in pending if kata.name not in ran]
    if files:
        return list(progress.values())
    for kata in katas:
        entry = progress[kata.name]
        if entry.done and not entry.recorded:
            green[kata.name] = {"fingerprint": prints[kata.name], "passed": entry.passed}
            done_once.add(kata.name)
        elif entry.checked and not entry.done:
            green.pop(kata.name, None)
    record["done"] = sorted(done_once)
    _save_record(record)
    return list(progress.values())
