"""What makes the reference step faster, and what does not: the MLP step with one thing
changed at a time, side by side, at batch 32 (fixed costs weigh) and 512 (the products do).

torch.compile takes tens of seconds to compile on a small machine, so it runs only when
asked: `make bench PYTEST_ARGS=--bench-compile`.
"""

from __future__ import annotations

import pytest
import torch

from benchmarks import measure, report
from benchmarks.problems import make_problem

VARIANTS = (
    "default",
    "threads=1",
    "foreach=False",
    "fused=True",
    "set_to_none=False",
    "no-item",
    "compile",
)
SGD_OPTIONS = {"foreach=False": {"foreach": False}, "fused=True": {"fused": True}}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("batch", (32, 512), ids=lambda batch: f"batch{batch}")
def test_step_option(benchmark, device, peak_flops, rows, request, batch, variant):
    if variant == "compile" and not request.config.getoption("--bench-compile"):
        pytest.skip("torch.compile compiles for tens of seconds: ask with --bench-compile")
    if variant == "threads=1":
        torch.set_num_threads(1)  # the root conftest restores the count after the test
    model, loss_fn, X, y = make_problem("mlp", batch, device)
    optimizer = torch.optim.SGD(
        model.parameters(), lr=0.01, momentum=0.9, **SGD_OPTIONS.get(variant, {})
    )
    forward = torch.compile(model) if variant == "compile" else model
    set_to_none = variant != "set_to_none=False"

    def step():
        model.train()
        loss = loss_fn(forward(X), y)
        optimizer.zero_grad(set_to_none=set_to_none)
        loss.backward()
        optimizer.step()
        return loss.detach() if variant == "no-item" else loss.item()

    benchmark.group = f"train_step options, mlp {device.type} batch {batch}"
    measure.time_call(benchmark, step, device, variant)
    problem = (model, loss_fn, X, y)
    report.record_step(benchmark, rows, peak_flops, problem, model="mlp", who=variant, batch=batch)
