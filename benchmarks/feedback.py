"""How long a learner waits for `pytest -k <kata>`, against a bare `import torch`.

    python benchmarks/feedback.py [KATA] [--runs N]

Runs the two commands alternately (so both see the same machine load), N times each,
and prints each one's median wall time and their ratio: the cost of pytest, the
conftest and the tests themselves on top of the torch import nothing can avoid.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def wall_time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kata", nargs="?", default="tensors")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    commands = {
        "python -c 'import torch'": [sys.executable, "-c", "import torch"],
        f"pytest -k {args.kata}": [sys.executable, "-m", "pytest", "-q", "-k", args.kata],
    }
    wall_time(commands[f"pytest -k {args.kata}"])  # warm the caches: bytecode, rewritten tests
    times: dict[str, list[float]] = {name: [] for name in commands}
    loads = []
    for _ in range(args.runs):
        for name, command in commands.items():
            times[name].append(wall_time(command))
        loads.append(os.getloadavg()[0])
    import torch  # only for the report line

    print(
        f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"torch {torch.__version__}; 1-minute load average during the runs: "
        f"{min(loads):.1f} to {max(loads):.1f}"
    )
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("  PYTHONDONTWRITEBYTECODE is set: pytest rewrites every test module afresh each run")
    medians = {name: statistics.median(runs) for name, runs in times.items()}
    for name, runs in times.items():
        print(f"  {name:26} median {medians[name]:5.2f} s  ({', '.join(f'{t:.2f}' for t in runs)})")
    baseline, pytest_time = medians.values()
    print(f"  ratio: {pytest_time / baseline:.2f}x")


if __name__ == "__main__":
    main()
