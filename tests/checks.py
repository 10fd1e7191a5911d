"""Helpers shared by the kata tests: assertions that fail with a sentence that teaches,
and recording doubles that let a test see what the learner's code did."""

import zipfile

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


def save_as_if_on_a_gpu(obj, path) -> None:
    """torch.save `obj` (tensors on the cpu), with every storage marked as saved on cuda:0.

    That is what a checkpoint written on a GPU machine looks like, made on any machine:
    torch.load without map_location puts its tensors back on cuda:0, or raises where
    there is none."""
    plain = path.with_suffix(".plain")
    torch.save(obj, plain)
    cpu, cuda = b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0"  # pickle strings
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.endswith("data.pkl"):
                assert cpu in data, "torch.save's pickle no longer spells the device this way"
                data = data.replace(cpu, cuda)
            dst.writestr(info.filename, data)
    plain.unlink()
