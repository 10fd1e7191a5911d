"""Assertion helpers shared by the kata tests: each fails with a sentence that teaches."""

import pytest
from torch import nn


def assert_every_parameter_gets_a_gradient(model: nn.Module) -> None:
    """After a backward pass: every parameter has a .grad, and not an all-zero one."""
    __tracebackhide__ = True
    for name, p in model.named_parameters():
        if p.grad is None:
            pytest.fail(f"parameter {name} got no gradient: does forward use it?")
        if not p.grad.abs().sum() > 0:
            pytest.fail(f"parameter {name} got an all-zero gradient: is its output cut off?")
