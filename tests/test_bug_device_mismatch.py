"""The bug_device_mismatch kata: what predict in kata/bug_device_mismatch.py must do.

No GPU is needed: the "meta" device plays the part of a device the data is not on.
"""

import itertools

import pytest
import torch
from torch import nn

from kata.bug_device_mismatch import predict as _predict
from tests.checks import keeps_contract, raises_keeping_contract

META = torch.device("meta")


def predict(model: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """The kata's predict, with torch's device error turned into a sentence that says where."""
    __tracebackhide__ = True
    first = next(itertools.chain(model.parameters(), model.buffers()), None)
    where = "no device" if first is None else first.device
    try:
        return _predict(model, X)
    except RuntimeError as error:
        if "device" not in str(error):
            raise
        pytest.fail(
            f"predict(model on {where}, X on {X.device}) raised {error!r}: the "
            "forward pass saw tensors on two devices. Is the X that reaches model(...) the "
            "one that was moved?"
        )


def test_predictions_are_computed_where_the_model_lives(device):
    torch.manual_seed(0)
    model = nn.Linear(3, 2)
    X = torch.randn(5, 3)  # as a DataLoader gives it: on the CPU
    with torch.no_grad():
        expected = model(X)

    got = predict(model.to(device), X)
    assert got.device.type == device.type, f"the model is on {device}, the result on {got.device}"
    torch.testing.assert_close(got, expected.to(device))
    assert not got.requires_grad, "the predictions carry a graph: compute them under no_grad"

    on_meta = predict(model.to(META), X)  # fails here if X stayed where it was
    assert on_meta.device == META and tuple(on_meta.shape) == (5, 2), (
        f"with the model on meta the result is on {on_meta.device} with shape "
        f"{tuple(on_meta.shape)}, expected meta and (5, 2)"
    )


def test_data_on_any_device_follows_a_model_on_another(device):
    model = nn.Sequential(nn.Flatten(), nn.Linear(6, 4)).to(META)
    X = torch.randn(7, 2, 3, device=device)
    got = predict(model, X)
    assert got.device == META and tuple(got.shape) == (7, 4), (
        f"X on {device}, model on meta: the result is on {got.device} with shape "
        f"{tuple(got.shape)}, expected meta and (7, 4)"
    )


def test_a_model_with_buffers_but_no_parameters_gets_the_data_too():
    model = nn.BatchNorm1d(3, affine=False).eval().to(META)  # running_mean, running_var only
    got = predict(model, torch.randn(4, 3))
    assert got.device == META, f"the model's buffers are on meta, the result on {got.device}"
    assert all(b.device == META for b in model.buffers()), "predict moved the model"

    error = raises_keeping_contract(ValueError, predict, nn.ReLU(), torch.randn(4, 3))
    assert "ReLU" in str(error) or "device" in str(error), (
        f"a model with no parameters and no buffers lives on no device; the message says {error}"
    )


def test_the_outputs_are_those_of_the_model_in_the_modes_the_caller_left_it_in():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.Dropout(0.5), nn.Linear(8, 2))
    model[1].eval()  # the caller's mix: batch norm on its running statistics, dropout on
    X = torch.randn(6, 3, requires_grad=True)
    torch.manual_seed(1)
    with torch.no_grad():
        expected = model(X)
    torch.manual_seed(1)  # the same dropout mask
    got = keeps_contract(predict, model, X, dtype=torch.float32)  # fails if a mode changed
    torch.testing.assert_close(
        got,
        expected,
        msg=lambda m: (
            "predict gave other outputs than the model in the modes the caller "
            f"left it in (model.eval() inside predict?): {m}"
        ),
    )
    assert not got.requires_grad, "the predictions carry a graph: compute them under no_grad"

    on_meta = predict(model.to(META), X)  # fails here if X stayed on the cpu
    assert on_meta.device == META and tuple(on_meta.shape) == (6, 2), (
        f"with the model on meta the result is on {on_meta.device} with shape "
        f"{tuple(on_meta.shape)}, expected meta and (6, 2)"
    )
