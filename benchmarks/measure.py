"""How `make bench` measures: a call timed right on any device, the FLOPs of a training
step, and the matmul peak those FLOPs are set against."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

SECONDS_PER_BENCHMARK = 0.5  # timed rounds of one benchmark: enough for a stable median
PEAK_SIZES = {"cpu": (256, 512, 1024, 2048), "cuda": (2048, 4096, 8192), "mps": (1024, 2048, 4096)}


def synchronize(device: torch.device) -> None:
    """Wait until the device has finished its queued work (a no-op on the CPU)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


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
