"""What ``python -m kata`` prints for the learner: the progress table, the next step with
its hints, a done kata's other correct ways, and footers that name the command the learner
used (make or python)."""

from __future__ import annotations

import os
import textwrap
from typing import TYPE_CHECKING

from kata.engine.curriculum import REFERENCE_DIR, Kata, relative
from kata.engine.runner import Progress
from kata.engine.tally import State, number, upcoming

if TYPE_CHECKING:
    from kata.engine.approaches import Approach, Approaches

WATCHING_ENV_VAR = "KATA_WATCHING"  # set by `python -m kata watch`: no footer offers it


def via_make() -> bool:
    """Whether the learner runs the commands through make (the Makefile sets KATA_VIA=make)."""
    return os.environ.get("KATA_VIA") == "make"


def command(name: str) -> str:
    """How the learner runs ``name``: through make or not."""
    if via_make():
        return {"next": "make kata", "hint": "make hint", "watch": "make watch"}.get(
            name, f"make {name}"
        )
    return f"python -m kata {name}"


def for_kata(name: str, kata: str) -> str:
    """How the learner runs ``name`` for one kata: ``make <name> K=<kata>`` or an argument."""
    return f"{command(name)} K={kata}" if via_make() else f"{command(name)} {kata}"


def status(entry: Progress, is_next: bool) -> str:
    """The table's last column: done, broken, or why the kata is unfinished."""
    if entry.done:
        kept = " (unchanged)" if entry.recorded else ""
        return f"done      compare with {relative(entry.kata.reference_path)}{kept}"
    if entry.broken:
        return f"broken: {relative(entry.kata.path)} does not import" + (" <-" if is_next else "")
    why = ""
    if entry.crashed:
        why = "crashed the test process"
    elif entry.timed_out:
        why = f"stopped by the time limit in {entry.timed_out}; its other tests were not run"
    if is_next:
        return f"next <-  {why}".rstrip()
    return why


def tests_column(entry: Progress) -> str:
    """passed/total, -/N where the kata was not run, - where there is nothing to count."""
    if entry.broken:
        return "-"
    if not entry.checked:
        return f"-/{entry.total}" if entry.total else "-"
    return f"{entry.passed}/{entry.total}"


def print_table(progress: list[Progress]) -> None:
    done = sum(entry.done for entry in progress)
    print(f"torch-kata: {done} of {len(progress)} katas done\n")
    print(f"  {'#':>2}  {'kata':<24}{'tests':>7}   status")
    first_unfinished = upcoming(progress)
    for entry in progress:
        tests = tests_column(entry)
        line = f"  {number(entry.kata):>2}  {entry.kata.name:<24}{tests:>7}   "
        print((line + status(entry, entry is first_unfinished)).rstrip())
    if not all(entry.checked for entry in progress):
        print(
            "\n  -/N, -: not run yet, since an earlier kata is unfinished "
            f"(`{command('progress')}` runs all)"
        )
    if any(entry.recorded for entry in progress):
        print(
            "  (unchanged): not rerun, as its files, tests and engine are the same as when it\n"
            f"  last passed (`{command('progress')} --all` reruns every kata)"
        )
    finished = [entry.kata.name for entry in progress if entry.done]
    if finished:
        print(f"\n  {_other_ways(finished[-1])}")
    print()


def _other_ways(name: str) -> str:
    return f"`{for_kata('approaches', name)}` shows other correct ways to write {name}"


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def print_next_step(entry: Progress, state: State) -> None:
    """The kata to edit, its first failure, the hints seen so far, and what to run next."""
    kata = entry.kata
    print(f"Next: kata {number(kata)}, {kata.name}: {kata.concept}")
    print(f"  edit   {relative(kata.path)}")
    if entry.broken:
        print(f"  {relative(kata.test_path)} could not import your module:")
        print(_indent(entry.broken))
    elif entry.first_failure:
        failure = entry.first_failure
        line = f"  (line {failure['line'] + 1})" if failure["line"] is not None else ""
        print(f"  test   {failure['nodeid']}{line}")
        print(_indent(failure.get("message", "failed")))
    elif entry.total == 0:
        print("  no test ran here: is a device fixture skipping every test?")
    key, hints = state.ladder(kata)
    shown = state.shown(key)
    print()
    about = f" ({key.split('::')[1]})" if "::" in key else ""
    for level, hint in enumerate(hints[:shown], start=1):
        print(f"  hint {level}/{len(hints)}{about}: {hint}")
    steps = []
    if shown < len(hints):
        steps.append(f"`{command('hint')}`: the next hint")
    if os.environ.get(WATCHING_ENV_VAR) != "1":
        steps.append(f"`{command('watch')}`: rerun this on every save")
    steps.append(f"`pytest -k {kata.name}`: this kata alone, with tracebacks")
    print()
    for step in steps:
        print(f"  {step}")


def print_all_done(progress: list[Progress], name: str | None) -> None:
    """``next`` found nothing unfinished: in kata ``name``, or (None) in the curriculum."""
    if name:
        reference = relative(progress[0].kata.reference_path)
        print(f"{name}: all {progress[0].total} tests pass. Compare with {reference}.")
        print(f"{_other_ways(name)}.")
    else:
        print(f"Every kata is done. Compare your files with {relative(REFERENCE_DIR)}/.")


def print_hints(kata: Kata, key: str, hints: tuple[str, ...], shown: int) -> None:
    """The first ``shown`` hints of the ladder kept under ``key``."""
    about = key.replace("::", ".")
    for level, hint in enumerate(hints[:shown], start=1):
        print(f"hint {level}/{len(hints)} for {about}: {hint}")
    if shown == len(hints):
        print(f"That was the last hint. Stuck? Read {relative(kata.reference_path)}.")


def print_refusal(kata: Kata) -> None:
    """``approaches`` before the kata is done: not yet."""
    print(f"{kata.name} is not done yet. Finish it first: the approaches give the answer away.")
    print(
        f"`{for_kata('next', kata.name)}` runs its tests; once they all pass,\n"
        f"`{for_kata('approaches', kata.name)}` shows them."
    )


def print_which_kata(done: list[Kata]) -> None:
    """``approaches`` without a kata: one of those done, or none yet."""
    which = f"Which kata? `{for_kata('approaches', '<kata>')}`"
    if done:
        print(f"{which}, for one you have done: {', '.join(kata.name for kata in done)}.")
    else:
        print(f"{which}, once you have done one: `{command('next')}` shows your next step.")


def _verdict_line(approach: Approach, kata: Kata) -> str:
    from kata.engine.approaches import ACCEPTED, REFUSED

    if approach.verdict == ACCEPTED:
        return "proven: every test passed on it in the last run of the variants"
    if approach.verdict == REFUSED:
        return (
            f"refused in the last run of the variants, by {approach.refused_by}: "
            "the spec is stricter than it should be here"
        )
    return (
        "no verdict on record for the files as they are now: "
        f"`python -m kata variants {kata.name}` proves it"
    )


def print_approaches(shown: Approaches) -> None:
    """The reference without its docstrings, then each correct alternative as a diff
    against it, with why it is right and its verdict on record; the broken variants are
    only counted."""
    kata, reference = shown.kata, relative(shown.kata.reference_path)
    print(f"{kata.name}: the reference and {len(shown.alternatives)} other correct ways\n")
    print(f"The reference, {reference} (docstrings left out):\n")
    print("\n".join(f"    {line}".rstrip() for line in shown.reference.splitlines()))
    print(
        f"\nOther correct ways, as diffs against {reference}: each passes every test of\n"
        f"{relative(kata.test_path)}, as `{command('variants')}` proves on each."
    )
    for place, approach in enumerate(shown.alternatives, start=1):
        print(f"\n{place}. {approach.name}")
        if approach.why != approach.name:
            print(textwrap.fill(approach.why, 92, initial_indent="   ", subsequent_indent="   "))
        print(f"   {_verdict_line(approach, kata)}")
        print("\n".join(f"    {line}".rstrip() for line in approach.diff))
    if shown.caught == shown.broken:
        caught = "all of them caught in the last run of the variants"
    else:
        caught = f"{shown.caught} caught on record; `{command('variants')}` checks them all"
    print(f"\nNot shown: the {shown.broken} plausible bugs its tests must catch")
    print(f"({caught}). Finding those is the lesson.")
