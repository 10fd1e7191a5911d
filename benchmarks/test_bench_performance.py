"""The performance kata timed: a loop over samples against one batched step, and an epoch
that reads its loss back every batch against one that reads it once. Same model and data
in each group.

On a CPU the second pair costs the same (the CPU has the number as soon as it has
computed it); on a GPU every read waits for the device to drain its queue.
"""

from __future__ import annotations

import pytest
import torch

from benchmarks import measure, report
from benchmarks.problems import implementation, make_problem

BATCH_SIZES = (32, 512)
EPOCH_BATCHES, EPOCH_BATCH_SIZE = 16, 32


def _sgd(model: torch.nn.Module) -> torch.optim.Optimizer:
    return torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)


@pytest.mark.parametrize("who", ("loop", "yours", "reference"))
@pytest.mark.parametrize("batch", BATCH_SIZES, ids=lambda batch: f"batch{batch}")
def test_batched_step(benchmark, device, peak_flops, rows, batch, who):
    if who == "loop":  # the slow step the kata gives, from the reference's copy
        step = implementation("performance", "reference")._per_sample_train_step
    else:
        step = implementation("performance", who).batched_train_step
    model, loss_fn, X, y = make_problem("mlp", batch, device)
    optimizer = _sgd(model)
    benchmark.group = f"per-sample loop against batched_train_step, mlp {device.type} batch {batch}"
    call = lambda: step(model, loss_fn, optimizer, X, y)  # noqa: E731
    measure.time_call(benchmark, call, device, f"{who} (kata/performance.py::batched_train_step)")
    problem = (model, loss_fn, X, y)
    report.record_step(benchmark, rows, peak_flops, problem, model="mlp", who=who, batch=batch)


@pytest.mark.parametrize("who", ("item-per-batch", "yours", "reference"))
def test_epoch(benchmark, device, peak_flops, rows, who):
    if who == "item-per-batch":  # training_loop.train_epoch: .item() on every batch
        epoch = implementation("training_loop", "reference").train_epoch
    else:
        epoch = implementation("performance", who).train_epoch_without_sync
    model, loss_fn, X, y = make_problem("mlp", EPOCH_BATCHES * EPOCH_BATCH_SIZE, device)
    loader = list(zip(X.split(EPOCH_BATCH_SIZE), y.split(EPOCH_BATCH_SIZE), strict=True))
    optimizer = _sgd(model)
    benchmark.group = f"epoch of {EPOCH_BATCHES} batches of {EPOCH_BATCH_SIZE}, mlp {device.type}"
    call = lambda: epoch(model, loss_fn, optimizer, loader)  # noqa: E731
    measure.time_call(
        benchmark, call, device, f"{who} (kata/performance.py::train_epoch_without_sync)"
    )
    problem = (model, loss_fn, *loader[0])  # one batch: the epoch is EPOCH_BATCHES steps of it
    report.record_step(
        benchmark,
        rows,
        peak_flops,
        problem,
        model="mlp",
        who=who,
        batch=len(X),
        steps=EPOCH_BATCHES,
    )
