"""``python -m kata``: the learner's loop and the maintainers' checks.

python -m kata              the progress table, then your next step (same as ``next``)
python -m kata next [K]     ... or jump to kata K
python -m kata progress     the table alone (--all: rerun katas taken from the record)
python -m kata hint [K]     one more hint for the current kata (or K)
python -m kata reset K      restore K's stub; your version goes to .kata/backups/
python -m kata watch [K]    rerun ``next`` on every save, from a process that keeps torch
python -m kata check        maintainers: every kata complete, no API drift
python -m kata stubs        maintainers: are kata/*.py the generated stubs? (--write)
python -m kata stress       maintainers: every property on the references, many fresh seeds
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field

from kata.engine import stubgen
from kata.engine.curriculum import CURRICULUM, REFERENCE_DIR, ROOT, find, relative
from kata.engine.runner import Progress, run_katas

STATE = ROOT / ".kata" / "state.json"
BACKUPS = ROOT / ".kata" / "backups"


def command(name: str) -> str:
    """How the learner runs ``name``: through make (the Makefile sets KATA_VIA=make) or not."""
    if os.environ.get("KATA_VIA") == "make":
        return {"next": "make kata", "hint": "make hint", "watch": "make watch"}.get(
            name, f"make {name}"
        )
    return f"python -m kata {name}"


@dataclass
class State:
    current: str | None = None
    function: str | None = None  # the function the current kata's first failure is in
    hints: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls) -> State:
        try:
            return cls(**json.loads(STATE.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return cls()

    def save(self) -> None:
        STATE.parent.mkdir(exist_ok=True)
        STATE.write_text(json.dumps(self.__dict__, indent=1), encoding="utf-8")


def _status(entry: Progress, is_next: bool) -> str:
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


def print_table(progress: list[Progress]) -> None:
    done = sum(entry.done for entry in progress)
    print(f"torch-kata: {done} of {len(progress)} katas done\n")
    print(f"  {'#':>2}  {'kata':<24}{'tests':>7}   status")
    upcoming = next((e for e in progress if not e.done), None)
    for entry in progress:
        number = CURRICULUM.index(entry.kata) + 1
        tests = f"{entry.passed}/{entry.total}" if entry.checked else f"-/{entry.total}"
        tests = tests if entry.total or entry.checked else "-"
        tests = "-" if entry.broken else tests
        status = _status(entry, entry is upcoming)
        print(f"  {number:>2}  {entry.kata.name:<24}{tests:>7}   {status}".rstrip())
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
    print()


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def print_next_step(entry: Progress, state: State) -> None:
    kata = entry.kata
    number = CURRICULUM.index(kata) + 1
    print(f"Next: kata {number}, {kata.name}: {kata.concept}")
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
    key, hints = kata.hints_for(state.function)
    shown = max(1, state.hints.get(key, 0))
    print()
    about = f" ({key.split('::')[1]})" if "::" in key else ""
    for level, hint in enumerate(hints[:shown], start=1):
        print(f"  hint {level}/{len(hints)}{about}: {hint}")
    steps = []
    if shown < len(hints):
        steps.append(f"`{command('hint')}`: the next hint")
    if os.environ.get("KATA_WATCHING") != "1":
        steps.append(f"`{command('watch')}`: rerun this on every save")
    steps.append(f"`pytest -k {kata.name}`: this kata alone, with tracebacks")
    print()
    for step in steps:
        print(f"  {step}")


def cmd_progress(args: argparse.Namespace) -> int:
    progress = run_katas(list(CURRICULUM), rerun=args.all)
    print_table(progress)
    return 0 if all(entry.done for entry in progress) else 1


def cmd_next(args: argparse.Namespace) -> int:
    state = State.load()
    if args.kata:
        progress = run_katas([find(args.kata)])
    else:
        progress = run_katas(list(CURRICULUM), stop_early=True)
        print_table(progress)
    upcoming = next((entry for entry in progress if not entry.done), None)
    if upcoming is None:
        if args.kata:
            print(
                f"{args.kata}: all {progress[0].total} tests pass. Compare with "
                f"{relative(progress[0].kata.reference_path)}."
            )
        else:
            print(f"Every kata is done. Compare your files with {relative(REFERENCE_DIR)}/.")
        return 0
    state.current = upcoming.kata.name
    state.function = failing_function(upcoming)
    state.save()
    print_next_step(upcoming, state)
    return 1


def failing_function(entry: Progress) -> str | None:
    """The learner's function the first failure is in: the stub that is not done yet, or
    where the error was raised."""
    message = (entry.first_failure or {}).get("message", "")
    found = re.search(r"not done yet: kata/\w+\.py::([\w.]+)", message) or re.search(
        r"\(raised in kata/\w+\.py, line \d+, in ([\w.]+)\)", message
    )
    return found.group(1) if found else None


def cmd_hint(args: argparse.Namespace) -> int:
    state = State.load()
    name = args.kata or state.current
    if name is None:
        print(f"Run `{command('next')}` first: it finds the kata you are on.")
        return 1
    kata = find(name)
    key, hints = kata.hints_for(state.function if name == state.current else None)
    shown = min(state.hints.get(key, 1) + 1, len(hints))
    state.hints[key] = shown
    state.save()
    about = key.replace("::", ".")
    for level, hint in enumerate(hints[:shown], start=1):
        print(f"hint {level}/{len(hints)} for {about}: {hint}")
    if shown == len(hints):
        print(f"That was the last hint. Stuck? Read {relative(kata.reference_path)}.")
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    if not args.kata:
        name = "K=<kata>" if os.environ.get("KATA_VIA") == "make" else "<kata>"
        print(f"Which kata? `{command('reset')} {name}`, for example {CURRICULUM[0].name}.")
        return 1  # as when the learner says no: nothing was reset
    kata = find(args.kata)
    stub = stubgen.generate_stub(kata.reference_path.read_text(encoding="utf-8"))
    current = kata.path.read_text(encoding="utf-8") if kata.path.exists() else None
    if current == stub:
        print(f"{relative(kata.path)} is already the fresh stub: nothing to reset.")
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            confirm = "YES=1" if os.environ.get("KATA_VIA") == "make" else "--yes"
            print(f"Resetting overwrites your work: run it in a terminal, or add {confirm}.")
            return 1
        answer = input(f"Replace {relative(kata.path)} with the fresh stub? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing changed.")
            return 1
    if current is not None:
        BACKUPS.mkdir(parents=True, exist_ok=True)
        backup = BACKUPS / f"{kata.name}-{time.strftime('%Y%m%d-%H%M%S')}.py"
        backup.write_text(current, encoding="utf-8")
        print(f"Your version is kept in {backup.relative_to(ROOT)}.")
    kata.path.write_text(stub, encoding="utf-8")
    print(f"{relative(kata.path)} is the fresh stub again.")
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from kata.engine import watch

    return watch.main(args.kata)


def cmd_check(args: argparse.Namespace) -> int:
    from kata.engine import check

    return check.main()


def cmd_stubs(args: argparse.Namespace) -> int:
    katas = [find(name) for name in args.katas] if args.katas else list(CURRICULUM)
    stale = []
    for kata in katas:
        fresh = stubgen.generate_stub(kata.reference_path.read_text(encoding="utf-8"))
        current = kata.path.read_text(encoding="utf-8") if kata.path.exists() else None
        if fresh == current:
            continue
        if args.write:
            kata.path.write_text(fresh, encoding="utf-8")
            print(f"wrote {relative(kata.path)}")
        else:
            stale.append(kata)
    for kata in stale:
        reference = relative(kata.reference_path)
        print(f"{relative(kata.path)} is not the stub generated from {reference}")
    if stale:
        print("regenerate with `python -m kata stubs --write` (this overwrites kata/*.py)")
    return 1 if stale else 0


def cmd_variants(args: argparse.Namespace) -> int:
    from kata.engine import variants

    jobs = (os.cpu_count() or 1) if args.jobs == "auto" else int(args.jobs)
    return variants.main(args.katas, jobs, args.from_folder)


def cmd_stress(args: argparse.Namespace) -> int:
    from kata.engine import stress

    jobs = (os.cpu_count() or 1) if args.jobs == "auto" else int(args.jobs)
    return stress.main(args.katas, args.runs, jobs)


def cmd_mutation(args: argparse.Namespace) -> int:
    from kata.engine import mutation

    return mutation.main(args.min, args.recheck)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kata", description="torch-kata")
    sub = parser.add_subparsers(dest="command")
    for name, run, help_text in (
        ("next", cmd_next, "progress table, then your next step (the default)"),
        ("hint", cmd_hint, "one more hint for the current kata"),
        ("watch", cmd_watch, "rerun `next` on every save (h: hint, r: rerun, q: quit)"),
    ):
        command = sub.add_parser(name, help=help_text)
        command.add_argument("kata", nargs="?", help=f"a kata's name, e.g. {CURRICULUM[0].name}")
        command.set_defaults(run=run)
    progress = sub.add_parser("progress", help="the progress table alone")
    progress.add_argument(
        "--all", action="store_true", help="rerun every kata, even those unchanged since green"
    )
    progress.set_defaults(run=cmd_progress)
    reset = sub.add_parser("reset", help="restore a kata's stub, keeping a backup of yours")
    reset.add_argument("kata", nargs="?")
    reset.add_argument("--yes", action="store_true", help="do not ask")
    reset.set_defaults(run=cmd_reset)
    sub.add_parser("check", help="maintainers: no missing files, no API drift").set_defaults(
        run=cmd_check
    )
    stubs = sub.add_parser("stubs", help="maintainers: compare kata/*.py with fresh stubs")
    stubs.add_argument("katas", nargs="*")
    stubs.add_argument("--write", action="store_true", help="overwrite kata/*.py with them")
    stubs.set_defaults(run=cmd_stubs)
    variants = sub.add_parser(
        "variants", help="maintainers: the tests catch broken code and accept correct code"
    )
    variants.add_argument("katas", nargs="*")
    variants.add_argument("--jobs", default="auto", help="worker processes (auto: one per core)")
    variants.add_argument(
        "--from",
        dest="from_folder",
        metavar="FOLDER",
        help="a variant set kept outside the project (an audit's): FOLDER/<kata>.py",
    )
    variants.set_defaults(run=cmd_variants)
    mutation = sub.add_parser("mutation", help="maintainers: the score `mutmut run` left")
    mutation.add_argument("--min", type=float, default=90.0, help="the lowest passing score")
    mutation.add_argument(
        "--recheck", type=int, default=0, metavar="JOBS", help="rerun spawned-rank katas' mutants"
    )
    mutation.set_defaults(run=cmd_mutation)
    stress = sub.add_parser(
        "stress", help="maintainers: every property on the references with many fresh seeds"
    )
    stress.add_argument("katas", nargs="*")
    stress.add_argument("--runs", type=int, default=20, help="runs per kata, each a new seed")
    stress.add_argument("--jobs", default="auto", help="worker processes (auto: one per core)")
    stress.set_defaults(run=cmd_stress)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not hasattr(args, "run"):
        args = _parser().parse_args(["next", *(argv or [])])
    try:
        return args.run(args)
    except ValueError as error:  # an unknown kata name, say
        print(f"error: {error}", file=sys.stderr)
        return 2
