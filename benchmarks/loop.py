"""The learner's loop as a learner lives it: `python -m kata next` late in the curriculum.

    python benchmarks/loop.py [--at KATA] [--runs N] [--busy]

Copies the project into a temporary folder and solves every kata before KATA (all of them
without --at) with its reference rewritten by every correct alternative of
tests/variants/<kata>.py that applies, so the files are not the references themselves.
Runs `python -m kata next` once to fill the record, then N times alternately with
`pytest -k KATA` (tensors without --at), and prints each one's median wall time and
their ratio. --busy keeps one core busy with another process throughout, as a browser
would on a laptop.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kata.engine import variants  # noqa: E402
from kata.engine.curriculum import CURRICULUM, find  # noqa: E402


def solve(folder: Path, kata) -> int:
    """Write kata's learner file in ``folder`` as its reference with every alternative that
    still applies after the others; how many applied."""
    source = kata.reference_path.read_text(encoding="utf-8")
    _, alternatives = variants.load(kata)
    applied = 0
    for alternative in alternatives:
        try:
            source = alternative.apply(source)
            applied += 1
        except variants.VariantError:
            continue
    (folder / "kata" / f"{kata.name}.py").write_text(source, encoding="utf-8")
    return applied


def copy_project(folder: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", ".kata", ".hypothesis")
    for name in ("kata", "tests"):
        shutil.copytree(ROOT / name, folder / name, ignore=ignore)
    for name in ("conftest.py", "pyproject.toml"):
        shutil.copy(ROOT / name, folder / name)


def wall_time(command: list[str], folder: Path) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER_COUNT"}
    start = time.perf_counter()
    run = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, run.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--at", help="the kata the learner is on (default: all done)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--busy", action="store_true", help="keep one core busy meanwhile")
    args = parser.parse_args()
    stop = CURRICULUM.index(find(args.at)) if args.at else len(CURRICULUM)
    busy = None
    if args.busy:
        busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        with tempfile.TemporaryDirectory(prefix="kata-loop-") as name:
            folder = Path(name)
            copy_project(folder)
            applied = sum(solve(folder, kata) for kata in CURRICULUM[:stop])
            print(f"{stop} katas solved, with {applied} correct alternatives applied")
            nxt = [sys.executable, "-m", "kata", "next"]
            first = args.at or CURRICULUM[0].name  # the kata the learner works on
            pytest_k = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k"]
            pytest_k.append(first)
            seconds, out = wall_time(nxt, folder)
            print(f"  first run, which fills the record: {seconds:.1f} s")
            summary = next((line for line in out.splitlines() if "katas done" in line), out)
            print(f"  {summary.strip()}")
            times: dict[str, list[float]] = {"python -m kata next": [], f"pytest -k {first}": []}
            for _ in range(args.runs):
                seconds, out = wall_time(nxt, folder)
                times["python -m kata next"].append(seconds)
                done = next((line for line in out.splitlines() if "katas done" in line), "?")
                print(f"  python -m kata next: {seconds:.2f} s, {done.strip()}")
                times[f"pytest -k {first}"].append(wall_time(pytest_k, folder)[0])
    finally:
        if busy:
            busy.kill()
    medians = {name: statistics.median(runs) for name, runs in times.items()}
    for name, runs in times.items():
        print(f"  {name:22} median {medians[name]:5.2f} s  ({', '.join(f'{t:.2f}' for t in runs)})")
    loop, baseline = medians.values()
    print(f"  ratio: {loop / baseline:.2f}x" + (" (one core busy)" if args.busy else ""))


if __name__ == "__main__":
    main()
