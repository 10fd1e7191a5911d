"""``python -m kata``: the learner's loop and the maintainers' checks.

python -m kata              the progress table, then your next step (same as ``next``)
python -m kata next [K]     ... or jump to kata K
python -m kata progress     the table alone (--all: rerun katas taken from the record)
python -m kata hint [K]     one more hint for the current kata (or K)
python -m kata reset K      restore K's stub; your version goes to .kata/backups/
python -m kata watch [K]    rerun ``next`` on every save, from a process that keeps torch
python -m kata approaches K once K is done: its reference and other correct ways, as diffs
                            (--anyway: before it is done, for maintainers)
python -m kata check        maintainers: each kata's four files and no stray file, no API
                            drift, the README's curriculum table true to the manifest
python -m kata stubs [K..]  maintainers: are kata/*.py the generated stubs? (--write)
python -m kata variants     maintainers: the tests catch broken code and accept correct code
                            ([K ...] [--jobs N] [--from FOLDER])
python -m kata stress       maintainers: every property on the references, many fresh seeds
                            ([K ...] [--runs N] [--jobs N])
python -m kata mutation     maintainers: the score `mutmut run` left (``make mutate``;
                            --min, --recheck JOBS)

This module parses the arguments and holds the commands; ``runner`` runs the tests,
``tally`` reads their results and keeps the hint state, ``display`` prints.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from kata.engine import display, stubgen
from kata.engine.curriculum import CURRICULUM, ROOT, find, relative
from kata.engine.display import command
from kata.engine.runner import run_katas
from kata.engine.tally import State, upcoming

BACKUPS = ROOT / ".kata" / "backups"


def cmd_progress(args: argparse.Namespace) -> int:
    progress = run_katas(list(CURRICULUM), rerun=args.all)
    display.print_table(progress)
    return 0 if upcoming(progress) is None else 1


def cmd_next(args: argparse.Namespace) -> int:
    state = State.load()
    if args.kata:
        progress = run_katas([find(args.kata)])
    else:
        progress = run_katas(list(CURRICULUM), stop_early=True)
        display.print_table(progress)
    entry = upcoming(progress)
    if entry is None:
        display.print_all_done(progress, args.kata)
        return 0
    state.follow(entry)
    state.save()
    display.print_next_step(entry, state)
    return 1


def cmd_hint(args: argparse.Namespace) -> int:
    state = State.load()
    name = args.kata or state.current
    if name is None:
        print(f"Run `{command('next')}` first: it finds the kata you are on.")
        return 1
    kata = find(name)
    key, hints = state.ladder(kata)
    shown = state.advance(key, len(hints))
    state.save()
    display.print_hints(kata, key, hints, shown)
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    if not args.kata:
        name = "K=<kata>" if display.via_make() else "<kata>"
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
            confirm = "YES=1" if display.via_make() else "--yes"
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


def cmd_approaches(args: argparse.Namespace) -> int:
    from kata.engine import approaches

    if not args.kata:
        display.print_which_kata(approaches.done_katas())
        return 1
    kata = find(args.kata)
    if not (args.anyway or approaches.solved(kata)):
        display.print_refusal(kata)
        return 1  # as for a kata unfinished
    display.print_approaches(approaches.of(kata))
    return 0


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
    approaches = sub.add_parser(
        "approaches", help="once a kata is done: its reference and other correct ways"
    )
    approaches.add_argument("kata", nargs="?")
    approaches.add_argument(
        "--anyway", action="store_true", help="maintainers: show them before the kata is done"
    )
    approaches.set_defaults(run=cmd_approaches)
    sub.add_parser(
        "check", help="maintainers: every kata has its four files, nothing stray, no API drift"
    ).set_defaults(run=cmd_check)
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
