"""The machinery behind `make bench`: timing a step right, counting its FLOPs, the matmul
peak it is measured against, and the report printed (and plotted) after the run.
"""

from __future__ import annotations

import copy
import importlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

PLOT = Path(__file__).resolve().parents[1] / ".kata" / "bench" / "per_sample_time.png"
SECONDS_PER_BENCHMARK = 0.5  # timed rounds of one benchmark: enough for a stable median
PEAK_SIZES = {"cpu": (256, 512, 1024, 2048), "cuda": (2048, 4096, 8192), "mps": (1024, 2048, 4096)}


def synchronize(device: torch.device) -> None:
    """Wait until the device has finished its queued work (a no-op on the CPU)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def load(kata: str, who: str) -> ModuleType:
    """Kata `kata` as `who` wrote it: "yours" is kata.<kata> (your file, unless --impl says
    otherwise); "reference" is kata/solutions/<kata>.py. A file that does not import is a skip."""
    name = f"kata.{kata}" if who == "yours" else f"kata.solutions.{kata}"
    try:
        return importlib.import_module(name)
    except Exception as error:  # a learner's file mid-edit: time the reference alone
        pytest.skip(f"kata/{kata}.py does not import ({type(error).__name__}: {error})")


def matmul_peak(device: torch.device) -> float:
    """FLOP/s of torch.mm on float32 square matrices, the best of a few sizes (each size
    timed by its best repeat): the most this device does with the current thread count."""
    best = 0.0
    for n in PEAK_SIZES[device.type]:
        a, b = (torch.randn(n, n, device=device) for _ in range(2))
        torch.mm(a, b)  # the first call pays for lazy initialization
        synchronize(device)
        times = []
        for _ in range(max(5, min(50, int(2e9 / n**3)))):
            start = time.perf_counter()
            torch.mm(a, b)
            synchronize(device)
            times.append(time.perf_counter() - start)
        best = max(best, 2 * n**3 / min(times))
    return best


def step_flops(model: nn.Module, loss_fn: Callable, X: torch.Tensor, y: torch.Tensor) -> int:
    """FLOPs of one forward and backward pass, as torch's FlopCounterMode counts them (the
    matrix products and convolutions). A model without either (w * x + b) gets the usual
    estimate instead: 6 FLOPs per parameter per sample."""
    probe = copy.deepcopy(model)
    with FlopCounterMode(display=False) as counter:
        loss_fn(probe(X), y).backward()
    counted = counter.get_total_flops()
    return counted or 6 * len(X) * sum(p.numel() for p in model.parameters())


def make_problem(model_name: str, batch: int, device: torch.device):
    """(model, loss_fn, X, y) on device: the linear model on y = 0.7 x + 0.3, or the MLP
    (784-256-128-10) or the small CNN on random 28 x 28 grey images and 10 classes."""
    torch.manual_seed(0)
    if model_name == "linear":
        model = importlib.import_module("kata.solutions.linear_model").LinearRegressionModel()
        X = torch.randn(batch, 1)
        y, loss_fn = 0.7 * X + 0.3, nn.MSELoss()
    else:
        if model_name == "mlp":
            model = importlib.import_module("kata.solutions.mlp").make_mlp(784, [256, 128], 10)
        else:
            model = importlib.import_module("kata.solutions.cnn").SmallCNN(1, 10, (28, 28))
        X = torch.randn(batch, 1, 28, 28)
        y, loss_fn = torch.randint(0, 10, (batch,)), nn.CrossEntropyLoss()
    return model.to(device), loss_fn, X.to(device), y.to(device)


def time_call(benchmark, call: Callable[[], object], device: torch.device, who: str) -> None:
    """Time call() with pytest-benchmark, waiting for the device at the end of each call
    (CUDA and MPS queue work and return at once), after warm-up rounds that absorb lazy
    initialization. A stub (NotImplementedError) is a skip that says so."""

    def timed() -> None:
        call()
        synchronize(device)

    try:
        if not benchmark.enabled:  # --benchmark-disable: run once, as a check
            return benchmark(timed)
        timed()  # the first call: lazy initialization, and where a stub shows itself
        start = time.perf_counter()
        timed()
        once = time.perf_counter() - start
        iterations = max(1, round(1e-3 / once))  # rounds of at least ~1 ms: timer noise fades
        rounds = min(1000, max(5, round(SECONDS_PER_BENCHMARK / (once * iterations))))
        benchmark.pedantic(timed, rounds=rounds, iterations=iterations, warmup_rounds=2)
    except NotImplementedError as error:
        reason = f"{who} is not written yet ({error} raises NotImplementedError)"
        pytest.skip(f"{reason}: only the reference is timed")


@dataclass
class Row:
    """One timed benchmark, for the report."""

    group: str
    name: str
    model: str
    who: str
    device: str
    batch: int
    flops: int
    seconds: float  # the best round's time per call: the least disturbed by other processes
    peak: float  # FLOP/s of torch.mm on this device

    @property
    def per_sample(self) -> float:
        return self.seconds / self.batch

    @property
    def percent_of_peak(self) -> float:
        return 100 * self.flops / self.seconds / self.peak


def record(benchmark, rows: list[Row], **fields) -> None:
    """Put the FLOPs and the FLOP rate in extra_info (saved with the run) and keep a Row.
    Call it after time_call, and only when the benchmark was timed (benchmark.stats)."""
    row = Row(
        name=benchmark.name, group=benchmark.group, seconds=benchmark.stats.stats.min, **fields
    )
    benchmark.extra_info.update(
        flops_per_step=row.flops,
        gflop_per_s=round(row.flops / row.seconds / 1e9, 3),
        matmul_peak_gflop_per_s=round(row.peak / 1e9, 3),
        percent_of_peak=round(row.percent_of_peak, 2),
        us_per_sample=round(row.per_sample * 1e6, 4),
        threads=torch.get_num_threads(),
    )
    rows.append(row)


def write_report(
    write_line: Callable[[str], None], rows: list[Row], peaks: dict[str, float]
) -> None:
    """The percent-of-peak table, the batch-size table, and the plot."""
    load, threads = os.getloadavg()[0], torch.get_num_threads()
    write_line(
        f"{os.cpu_count()} cores, 1-minute load average {load:.1f}: this run counts for up "
        f"to {threads}, more means other processes competed for the cores (noisier timings)"
    )
    for where, peak in peaks.items():
        sizes = ", ".join(map(str, PEAK_SIZES[where.split(",")[0]]))
        write_line(
            f"matmul peak ({where}): {peak / 1e9:.1f} GFLOP/s, torch.mm float32, n = {sizes}"
        )
    write_line("")
    write_line(f"{'benchmark (best round)':58} {'time':>10} {'GFLOP/s':>9} {'% of peak':>10}")
    for row in rows:
        rate = row.flops / row.seconds
        write_line(
            f"{row.name:58} {_ms(row.seconds):>10} {rate / 1e9:9.2f} {row.percent_of_peak:9.1f}%"
        )
    steps = [row for row in rows if row.name.startswith("test_train_step[")]
    if not steps:
        return
    batches = sorted({row.batch for row in steps})
    write_line("")
    write_line("time per sample (us) against batch size: it falls while fixed costs dominate")
    write_line(f"{'model':8} {'device':7} {'whose':10}" + "".join(f"{b:>10}" for b in batches))
    for key, series in _series(steps).items():
        cells = "".join(f"{series.get(b, float('nan')) * 1e6:10.2f}" for b in batches)
        write_line(f"{key[0]:8} {key[1]:7} {key[2]:10}{cells}")
    _plot(_series(steps), PLOT)
    write_line(f"plot: {PLOT.relative_to(Path.cwd()) if PLOT.is_relative_to(Path.cwd()) else PLOT}")


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _series(rows: list[Row]) -> dict[tuple[str, str, str], dict[int, float]]:
    series: dict[tuple[str, str, str], dict[int, float]] = {}
    for row in rows:
        series.setdefault((row.model, row.device, row.who), {})[row.batch] = row.per_sample
    return series


def _plot(series: dict[tuple[str, str, str], dict[int, float]], path: Path) -> None:
    from matplotlib.figure import Figure  # only `make bench` draws: no import for the tests

    figure = Figure(figsize=(7, 4.5))
    ax = figure.subplots()
    for (model, device, who), points in series.items():
        batches = sorted(points)
        style = "-" if who == "reference" else "--"
        ax.plot(
            batches,
            [points[b] * 1e6 for b in batches],
            style,
            marker="o",
            label=f"{model} {device} {who}",
        )
    ax.set_xscale("log", base=2)
    all_batches = sorted({b for points in series.values() for b in points})
    ax.set_xticks(all_batches, [str(b) for b in all_batches])
    ax.set_yscale("log")
    ax.set_xlabel("batch size")
    ax.set_ylabel("time per sample (us)")
    ax.set_title("train_step: time per sample against batch size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120, bbox_inches="tight")
