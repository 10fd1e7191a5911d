"""The mutation score of the reference solutions, from the results ``mutmut run`` leaves.

mutmut makes small changes to kata/solutions/*.py (``+`` to ``-``, ``<`` to ``<=``, a
number to another) and runs the tests that call the changed function. A mutant the tests
notice is killed; one they do not notice survived: either a hole in the spec, or an
equivalent change no test could see (the README lists those). ``make mutate`` runs it.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from kata.engine.curriculum import ROOT

META_DIR = ROOT / "mutants" / "kata" / "solutions"
KILLED = {"killed", "timeout", "segfault", "caught by type check"}


def _status(exit_code: int | None) -> str:
    from mutmut.stats import status_by_exit_code

    return status_by_exit_code[exit_code]


def statuses() -> dict[str, Counter]:
    """Per kata, how many of its mutants ended in each status."""
    by_kata: dict[str, Counter] = {}
    for meta in sorted(META_DIR.glob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
        by_kata[meta.name.removesuffix(".py.meta")] = Counter(map(_status, codes.values()))
    return by_kata


def survivors() -> list[str]:
    found = []
    for meta in sorted(META_DIR.glob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
        found += [key for key, code in codes.items() if _status(code) not in KILLED | {"skipped"}]
    return found


def main(minimum: float) -> int:
    by_kata = statuses()
    if not by_kata:
        print("no mutation results yet: run `make mutate`")
        return 1
    total = Counter()
    for name, counts in by_kata.items():
        total += counts
        mutants = sum(counts.values()) - counts["skipped"]
        killed = sum(counts[s] for s in KILLED)
        others = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()) if s not in KILLED)
        print(f"{name:<28} killed {killed:>4}/{mutants:<4} {others}")
    mutants = sum(total.values()) - total["skipped"]
    killed = sum(total[s] for s in KILLED)
    score = 100 * killed / max(1, mutants)
    print(f"\nmutation score: {killed} of {mutants} mutants killed ({score:.1f}%, goal {minimum}%)")
    if total["not checked"]:
        print(f"{total['not checked']} mutants were not checked: the run did not finish")
    print("list the survivors with `mutmut results`; see one with `mutmut show <name>`")
    return 0 if score >= minimum and not total["not checked"] else 1
