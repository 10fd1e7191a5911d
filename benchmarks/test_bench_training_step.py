"""train_step timed: yours (kata/training_loop.py) against the reference, side by side in
one group per model, device and batch size, so pytest-benchmark's table shows the ratio.

The models are the references' (kata/solutions), the same for both sides: only train_step
differs. `make bench` times them; `make test` runs each once (--benchmark-disable).
"""

from __future__ import annotations

import pytest
import torch

from benchmarks import measure, report
from benchmarks.problems import implementation, make_problem

MODELS = ("linear", "mlp", "cnn")
BATCH_SIZES = (1, 32, 512)
WHO = ("yours", "reference")


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("batch", BATCH_SIZES, ids=lambda batch: f"batch{batch}")
@pytest.mark.parametrize("model_name", MODELS)
def test_train_step(benchmark, device, peak_flops, rows, model_name, batch, who):
    train_step = implementation("training_loop", who).train_step
    model, loss_fn, X, y = make_problem(model_name, batch, device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    benchmark.group = f"train_step {model_name} {device.type} batch {batch}"
    measure.time_call(
        benchmark,
        lambda: train_step(model, loss_fn, optimizer, X, y),
        device,
        f"{who} (kata/training_loop.py::train_step)",
    )
    problem = (model, loss_fn, X, y)
    report.record_step(benchmark, rows, peak_flops, problem, model=model_name, who=who, batch=batch)
