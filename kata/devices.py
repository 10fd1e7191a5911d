"""Kata: devices.

The same training script should run on a laptop CPU, an NVIDIA GPU and an Apple
chip without edits. That takes three habits: pick the device once, move the model
and every batch to it together, and fail early, with a clear message, when they
end up apart.

Write the functions top to bottom; `make kata` tells you which one is next.
"""

import itertools

import torch
from torch import nn


def pick_device() -> torch.device:
    """The best device this machine has: "cuda" if available, else "mps", else "cpu".

    Ask torch.cuda.is_available() first, then torch.backends.mps.is_available()
    (it exists, and returns False, on builds without MPS). Return torch.device("cuda")
    with no index: it means the current GPU.

    Recent torch also offers torch.accelerator.current_accelerator() (None without one);
    here write the two checks yourself, so the tests can pretend to be any machine.
    """
    # TODO: your code here
    raise NotImplementedError("pick_device")


def to_device(
    model: nn.Module, *data: torch.Tensor, device: torch.device | str
) -> tuple[nn.Module | torch.Tensor, ...]:
    """Move a model and any number of tensors to `device`; return (model, *moved_tensors).

    model, x, y = to_device(model, x, y, device=device)

    The two .to methods differ: nn.Module.to moves the parameters and buffers in
    place and returns the same module, but Tensor.to returns a new tensor and leaves
    the original where it was. So `x.to(device)` on a line of its own does nothing
    useful: keep what it returns.
    """
    # TODO: your code here
    raise NotImplementedError("to_device")


def device_of(model: nn.Module) -> torch.device:
    """The device a model lives on: that of its first parameter, or else its first buffer.

    A model has no .device attribute of its own; its tensors do. Some layers have
    buffers but no parameters (nn.BatchNorm1d(affine=False) keeps running_mean and
    running_var), so look at both.

    Helps: model.parameters(), model.buffers(), itertools.chain, next(iterator, None).
    Raises ValueError when the model has no parameters and no buffers (nn.ReLU()):
    it then lives nowhere in particular.
    """
    # TODO: your code here
    raise NotImplementedError("device_of")


def check_same_device(model: nn.Module, *data: torch.Tensor) -> None:
    """Return None when every tensor sits on the model's device; else raise ValueError.

    Without this check, torch fails deep inside the forward pass, with a RuntimeError
    such as "Expected all tensors to be on the same device". Fail before that, with a
    message in your own words that names both devices and the position of the tensor
    astray, as a number counting from 0; for example
    "tensor 1 is on cpu but the model is on cuda:0: move it with .to(device)".

    Compare torch.device objects as tensors report them: a CUDA tensor's device always
    has an index (cuda:0), and torch.device("cuda") != torch.device("cuda:0").

    Helps: device_of (above), tensor.device.
    """
    # TODO: your code here
    raise NotImplementedError("check_same_device")
