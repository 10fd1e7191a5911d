"""Helpers shared by the kata tests: assertions that fail with a sentence that teaches,
and recording doubles that let a test see what the learner's code did."""

import pytest
import torch
from torch import nn


def assert_every_parameter_gets_a_gradient(model: nn.Module) -> None:
    """After a backward pass: every parameter has a .grad, and not an all-zero one."""
    __tracebackhide__ = True
    for name, p in model.named_parameters():
        if p.grad is None:
            pytest.fail(f"parameter {name} got no gradient: does forward use it?")
        if not p.grad.abs().sum() > 0:
            pytest.fail(f"parameter {name} got an all-zero gradient: is its output cut off?")


class GradRecordingSGD(torch.optim.SGD):
    """Plain SGD that keeps a copy of the gradients each step() was given."""

    def __init__(self, params, lr: float):
        super().__init__(params, lr=lr)
        self.grads_used: list[list[torch.Tensor | None]] = []

    def step(self, closure=None):
        params = [p for group in self.param_groups for p in group["params"]]
        self.grads_used.append([None if p.grad is None else p.grad.clone() for p in params])
        return super().step(closure)
