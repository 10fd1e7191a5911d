"""The devices kata: what each function in kata/devices.py must do.

This machine may have no GPU, so moves are also checked with the `meta` device: a
device every torch build has, whose tensors have shapes but no data.
"""

import functools
import re

import pytest
import torch
from torch import nn

from kata.devices import check_same_device, device_of, pick_device, to_device
from tests.checks import keeps_contract, raises_keeping_contract

META = torch.device("meta")


def _model_with_buffers() -> nn.Module:
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))


def _misplaced(model: nn.Module, device: torch.device) -> list[str]:
    """Names of the parameters and buffers of `model` that are not on `device`."""
    return [
        f"{name} on {t.device}"
        for name, t in [*model.named_parameters(), *model.named_buffers()]
        if t.device.type != device.type
    ]


@pytest.mark.parametrize(
    ("cuda", "mps", "expected"),
    [(True, True, "cuda"), (True, False, "cuda"), (False, True, "mps"), (False, False, "cpu")],
    ids=["cuda-and-mps", "cuda-only", "mps-only", "neither"],
)
def test_pick_device_prefers_cuda_then_mps_then_cpu(monkeypatch, cuda, mps, expected):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    got = keeps_contract(pick_device)
    assert isinstance(got, torch.device), f"expected a torch.device, got {type(got).__name__}"
    assert got.type == expected, (
        f"with cuda available={cuda} and mps available={mps}, pick_device() gave {got}, "
        f"expected {expected}: ask torch.cuda.is_available() first, then "
        "torch.backends.mps.is_available()"
    )
    assert got.index is None, (
        f"pick_device() gave {got}, expected torch.device({expected!r}) with no index: "
        "a bare 'cuda' means the current GPU, 'cuda:0' always the first"
    )


def test_pick_device_gives_a_device_whose_data_works():
    chosen = pick_device()
    real = (
        "cuda"
        if torch.cuda.is_available()
        else "mps"
        if torch.backends.mps.is_available()
        else "cpu"
    )
    assert chosen.type == real, f"on this machine pick_device() gave {chosen}, expected {real}"
    t = torch.arange(3.0, device=chosen) * 2
    torch.testing.assert_close(t.cpu(), torch.tensor([0.0, 2.0, 4.0]))


def test_to_device_moves_every_parameter_and_buffer():
    model = _model_with_buffers()
    moved, *_ = to_device(model, device=META)
    misplaced = _misplaced(moved, META)
    assert not misplaced, (
        f"after to_device(model, device='meta') these were not moved: {misplaced}; "
        "model.to(device) moves parameters and buffers alike"
    )


def test_to_device_moves_the_model_in_place_and_returns_it():
    model = _model_with_buffers()
    moved, *_ = to_device(model, device="meta")
    assert moved is model, "nn.Module.to moves in place and returns the module itself: return it"
    assert not _misplaced(model, META), "the model passed in must now live on the device"


def test_to_device_returns_every_data_tensor_moved_in_order():
    x, y = torch.randn(5, 3, requires_grad=True), torch.arange(5)
    # the model moves; x and y stay where they were, and every tensor returned is on meta
    # (to_device's own device= goes in a partial: keeps_contract has a device= of its own)
    result = keeps_contract(
        functools.partial(to_device, device=META),
        nn.Linear(3, 1),
        x,
        y,
        changes=("model",),
        device=META,
    )
    assert len(result) == 3, f"expected (model, x, y), got {len(result)} items"
    _, moved_x, moved_y = result
    for name, original, moved in (("x", x, moved_x), ("y", y, moved_y)):
        assert moved.device == META, (
            f"{name} came back on {moved.device}, expected meta: Tensor.to returns a new "
            "tensor, so return what it gives"
        )
        assert moved.shape == original.shape and moved.dtype == original.dtype, (
            f"{name} came back as {tuple(moved.shape)} {moved.dtype}, expected "
            f"{tuple(original.shape)} {original.dtype}: keep the order of the tensors"
        )


def test_a_moved_model_runs_on_moved_data(device):
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    x = torch.randn(6, 3)
    expected = model(x).detach()
    model, x = to_device(model, x, device=device)
    out = model(x)
    assert out.device.type == device.type, f"the output is on {out.device}, expected {device}"
    torch.testing.assert_close(out.detach().cpu(), expected, rtol=1e-4, atol=1e-5)


def test_device_of_reads_where_the_parameters_live(shape_device):
    got = device_of(nn.Linear(2, 2).to(shape_device))
    assert isinstance(got, torch.device), f"expected a torch.device, got {type(got).__name__}"
    assert got == shape_device, f"device_of a model on {shape_device} gave {got}"


def test_device_of_follows_the_model_to_the_device(device):
    model = _model_with_buffers().to(device).train()
    got = keeps_contract(device_of, model)
    assert got.type == device.type, f"device_of a model on {device} gave {got}"


def test_device_of_looks_at_buffers_when_there_are_no_parameters():
    norm = nn.BatchNorm1d(3, affine=False).to(META)  # buffers only: running_mean, running_var
    got = device_of(norm)
    assert got == META, (
        f"device_of a BatchNorm1d(affine=False) on meta gave {got}: it has no parameters, "
        "so look at model.buffers()"
    )


@pytest.mark.parametrize("model", [nn.ReLU(), nn.Sequential()], ids=["relu", "empty-sequential"])
def test_device_of_rejects_a_model_without_parameters_or_buffers(model):
    raises_keeping_contract(ValueError, device_of, model)


def test_check_same_device_accepts_data_on_the_model_device(device):
    model = _model_with_buffers().to(device).train()
    x = torch.randn(4, 3, device=device, requires_grad=True)
    y = torch.randn(4, 1, device=device)
    got = keeps_contract(check_same_device, model, x, y)
    assert got is None, f"check_same_device returned {got!r}: it returns None when all is well"


# keeps_contract cannot compare the values of meta tensors (they hold none): the calls that
# involve one go through a lambda, so that it checks torch's global state alone.


def test_check_same_device_names_both_devices_when_data_is_elsewhere():
    model, stray = nn.Linear(3, 1), torch.zeros(4, 3, device=META)  # model on cpu
    error = raises_keeping_contract(ValueError, lambda: check_same_device(model, stray))
    assert "meta" in str(error), f"the message should name the tensor's device: {error}"
    assert "cpu" in str(error), f"the message should name the model's device: {error}"


def test_check_same_device_names_both_devices_when_the_model_is_elsewhere():
    model = nn.Linear(3, 1).to(META)
    error = raises_keeping_contract(ValueError, lambda: check_same_device(model, torch.zeros(4, 3)))
    assert "cpu" in str(error), f"the message should name the tensor's device: {error}"
    assert "meta" in str(error), f"the message should name the model's device: {error}"


def test_check_same_device_looks_at_every_tensor_not_only_the_first():
    model, data = nn.Linear(3, 1), (torch.zeros(4, 3), torch.zeros(4, 1, device=META))
    error = raises_keeping_contract(ValueError, lambda: check_same_device(model, *data))
    assert "meta" in str(error), f"the message should name the device of tensor 1: {error}"


@pytest.mark.parametrize("position", [0, 2])
def test_check_same_device_names_the_stray_tensor_counting_from_zero(position):
    data = [torch.zeros(4, 3) for _ in range(3)]
    data[position] = data[position].to(META)
    error = raises_keeping_contract(ValueError, lambda: check_same_device(nn.Linear(3, 1), *data))
    numbers = re.findall(r"\d+", str(error))
    assert str(position) in numbers, (
        f"tensor {position} of 3 (counting from 0) is on meta, and the message says "
        f"{str(error)!r}: name the position with enumerate(data)"
    )
