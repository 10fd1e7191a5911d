"""The mutation score of the reference solutions, from the results ``mutmut run`` leaves.

mutmut makes small changes to kata/solutions/*.py (``+`` to ``-``, ``<`` to ``<=``, a
number to another) and runs the tests that call the changed function. A mutant the tests
notice is killed; one they do not notice survived: either a hole in the spec, or an
equivalent change no test could see (CONTRIBUTING.md lists those). ``make mutate`` runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from kata.engine.curriculum import BY_NAME, CURRICULUM, REFERENCE_DIR, ROOT, relative
from kata.engine.impl import MUTATION_ENV_VAR

MUTANTS = ROOT / "mutants"
META_DIR = MUTANTS / relative(REFERENCE_DIR)
RECHECKED = MUTANTS / "kata-rechecked.json"
KILLED = {"killed", "timeout", "segfault", "caught by type check"}
KILLED_IN_RANKS = "killed in spawned ranks"


def _status(exit_code: int | None) -> str:
    from mutmut.stats import status_by_exit_code

    return status_by_exit_code[exit_code]


def _mutants() -> dict[str, dict[str, str]]:
    """Per kata, each mutant's status (a recheck's kill included)."""
    rechecked = json.loads(RECHECKED.read_text(encoding="utf-8")) if RECHECKED.exists() else {}
    by_kata = {}
    for meta in sorted(META_DIR.glob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
        if not codes:  # kata/solutions/__init__.py
            continue
        by_kata[meta.name.removesuffix(".py.meta")] = {
            key: KILLED_IN_RANKS if rechecked.get(key) == 1 else _status(code)
            for key, code in codes.items()
        }
    return by_kata


def statuses() -> dict[str, Counter]:
    """Per kata, how many of its mutants ended in each status."""
    return {kata: Counter(mutants.values()) for kata, mutants in _mutants().items()}


def _run_kata_tests(kata: str, mutant: str) -> int:
    env = {**os.environ, "MUTANT_UNDER_TEST": mutant, MUTATION_ENV_VAR: "1"}
    command = [sys.executable, "-m", "pytest", relative(BY_NAME[kata].test_path), "-x", "-q"]
    command += ["-p", "no:cacheprovider", "--impl=reference", "--hypothesis-profile=variants"]
    return subprocess.run(command, cwd=MUTANTS, env=env, capture_output=True).returncode


def recheck(jobs: int) -> None:
    """Run the whole test file of each kata that spawns processes on each mutant mutmut left.

    mutmut runs, for each mutant, the tests that called its function in mutmut's own process.
    Code that runs only in processes the tests start (a kata with ``spawns_processes`` in the
    manifest) has no such test, so its mutants look untested; here the mutant is switched on
    through the environment, which those processes inherit."""
    spawning = [kata.name for kata in CURRICULUM if kata.spawns_processes]
    left = [
        (kata, key)
        for kata, mutants in _mutants().items()
        if kata in spawning
        for key, status in mutants.items()
        if status not in KILLED | {KILLED_IN_RANKS, "skipped"}
    ]
    print(f"rechecking {len(left)} mutants of {', '.join(spawning)} with their whole test files")
    with ThreadPoolExecutor(jobs) as pool:
        codes = list(pool.map(lambda job: _run_kata_tests(*job), left))
    rechecked = json.loads(RECHECKED.read_text(encoding="utf-8")) if RECHECKED.exists() else {}
    rechecked.update({key: code for (_, key), code in zip(left, codes, strict=True)})
    RECHECKED.write_text(json.dumps(rechecked, indent=1), encoding="utf-8")


def main(minimum: float, recheck_jobs: int = 0) -> int:
    if recheck_jobs:
        recheck(recheck_jobs)
    by_kata = statuses()
    if not by_kata:
        print("no mutation results yet: run `make mutate`")
        return 1
    total = Counter()
    for name, counts in by_kata.items():
        total += counts
        mutants = sum(counts.values()) - counts["skipped"]
        killed = sum(counts[s] for s in KILLED | {KILLED_IN_RANKS})
        others = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()) if s != "killed")
        print(f"{name:<28} killed {killed:>4}/{mutants:<4} {others}")
    mutants = sum(total.values()) - total["skipped"]
    killed = sum(total[s] for s in KILLED | {KILLED_IN_RANKS})
    score = 100 * killed / max(1, mutants)
    print(f"\nmutation score: {killed} of {mutants} mutants killed ({score:.1f}%, goal {minimum}%)")
    if total["not checked"]:
        print(f"{total['not checked']} mutants were not checked: the run did not finish")
    print("list the survivors with `mutmut results`; see one with `mutmut show <name>`")
    return 0 if score >= minimum and not total["not checked"] else 1
