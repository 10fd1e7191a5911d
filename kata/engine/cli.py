"""``python -m kata``: the learner's loop (next, progress, hint, reset, watch) and the
maintainers' checks (stubs, check)."""

from __future__ import annotations

import argparse
import sys

from kata.engine import stubgen
from kata.engine.curriculum import CURRICULUM, find


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
            print(f"wrote kata/{kata.name}.py")
        else:
            stale.append(kata.name)
    for name in stale:
        print(f"kata/{name}.py is not the stub generated from kata/solutions/{name}.py")
    if stale:
        print("regenerate them with: python -m kata stubs --write")
    return 1 if stale else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kata")
    sub = parser.add_subparsers(dest="command")
    stubs = sub.add_parser("stubs", help="check (or --write) kata/*.py against the references")
    stubs.add_argument("katas", nargs="*")
    stubs.add_argument("--write", action="store_true")
    stubs.set_defaults(run=cmd_stubs)
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
