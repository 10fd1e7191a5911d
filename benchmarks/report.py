"""What `make bench` reports: a Row per timed benchmark, with its FLOPs and FLOP rate, and
the tables (and the plot) printed after the run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from benchmarks.measure import PEAK_SIZES, step_flops

PLOT = Path(__file__).resolve().parents[1] / ".kata" / "bench" / "per_sample_time.png"


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


def record_step(
    benchmark,
    rows: list[Row],
    peak_flops: Callable[[], float],
    problem: tuple,
    *,
    model: str,
    who: str,
    batch: int,
    steps: int = 1,
) -> None:
    """After measure.time_call: keep the benchmark's Row, with ``steps`` training steps'
    FLOPs on ``problem`` (model, loss_fn, X, y), and put the FLOPs and the FLOP rate in
    extra_info (saved with the run). A benchmark run once as a check (--benchmark-disable)
    has no timings: nothing is counted or kept."""
    if not benchmark.stats:
        return
    net, loss_fn, X, y = problem
    flops = steps * step_flops(net, loss_fn, X, y)
    row = Row(
        group=benchmark.group,
        name=benchmark.name,
        model=model,
        who=who,
        device=X.device.type,
        batch=batch,
        flops=flops,
        seconds=benchmark.stats.stats.min,
        peak=peak_flops(),
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
    load_average, threads = os.getloadavg()[0], torch.get_num_threads()
    write_line(
        f"{os.cpu_count()} cores, 1-minute load average {load_average:.1f}: this run counts for up "
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
