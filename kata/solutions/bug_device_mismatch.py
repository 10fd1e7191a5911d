"""Kata: bug_device_mismatch.

A pitfall kata: the code below is not missing, it is wrong. The caller moved the model
to the GPU; the batches come from a DataLoader, on the CPU. The function below moves
them too, it seems, and on a laptop without a GPU it works. On the GPU machine every
call fails. Find the bug and fix it: the tests fail on it and pass on the fix.
"""

import torch
from torch import nn

from kata.devices import device_of


def predict(model: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """The model's outputs for the batch X, computed on the device the model lives on.

    The model may live anywhere (cpu, cuda, mps; the tests also use "meta", a device
    that holds shapes but no data, as a stand-in for a GPU on machines without one);
    it may even hold buffers but no parameters. X may be on any other device: a
    DataLoader gives CPU tensors. The result lies on the model's device and carries
    no graph (no_grad or inference_mode: the predictions are only looked at). Leave the
    model where it is, and in the train or eval mode it is in: the outputs are those
    of the model as the caller left it (model.eval() is the caller's choice, made
    before the call).

    Raises ValueError, as device_of does, when the model has no parameters and no
    buffers (nn.ReLU()): it lives on no device.

    What goes wrong: with the model on a GPU and X on the CPU, the forward pass raises
    "RuntimeError: Expected all tensors to be on the same device, but ..." naming cuda:0
    and cpu (with "meta" in place of the GPU, torch words it "Tensor on device meta is
    not on the expected device cpu!"). With both on the CPU nothing looks wrong, which
    is why it slipped through.

    Helps: device_of from the devices kata finds the model's device. What does
    X.to(device) change about X, and what does it return?
    """
    # stub:
    # X.to(device_of(model))
    # with torch.no_grad():
    #     return model(X)
    X = X.to(device_of(model))  # Tensor.to returns a new tensor: keep it
    with torch.no_grad():
        return model(X)
