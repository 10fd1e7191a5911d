"""The fit kata: what kata/fit.py must do."""

import copy

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from kata.fit import fit
from tests.checks import (
    batch_pairs,
    epoch_by_hand,
    keeps_contract,
    loss_by_hand,
    raises_keeping_contract,
    tensor_loader,
)

WEIGHT, BIAS = 0.7, 0.3
EPOCHS = 50  # the reference is within 1e-4 of the line after 50 epochs from any of 50 seeds


def _line_loaders():
    """The notes' data, y = 0.7 X + 0.3 on [0, 1) in steps of 0.02, split 80/20."""
    X = torch.arange(0, 1, 0.02).unsqueeze(1)
    y = WEIGHT * X + BIAS
    split = int(0.8 * len(X))
    shuffler = torch.Generator().manual_seed(0)
    train = DataLoader(
        TensorDataset(X[:split], y[:split]), batch_size=10, shuffle=True, generator=shuffler
    )
    test = DataLoader(TensorDataset(X[split:], y[split:]), batch_size=10)
    return train, test


def _fit_the_line(device, epochs=EPOCHS, with_validation=True):
    torch.manual_seed(0)
    model = nn.Linear(1, 1)  # built on the cpu: fit moves it
    train, test = _line_loaders()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    val = test if with_validation else None
    history = fit(model, train, nn.MSELoss(), optimizer, epochs, device, val_loader=val)
    return model, history


def test_fit_recovers_the_weight_and_bias_of_the_line(device):
    model, _ = _fit_the_line(device)
    weight, bias = model.weight.item(), model.bias.item()
    assert abs(weight - WEIGHT) < 0.02 and abs(bias - BIAS) < 0.02, (
        f"after {EPOCHS} epochs on {device} the model learned weight {weight:.4f} and bias "
        f"{bias:.4f}, expected {WEIGHT} and {BIAS} within 0.02: does every epoch train on "
        "every batch?"
    )


def test_fit_leaves_the_model_on_the_requested_device(device):
    model, _ = _fit_the_line(device, epochs=1)
    places = {str(p.device) for p in model.parameters()}
    assert all(p.device.type == device.type for p in model.parameters()), (
        f"the model's parameters are on {places}, expected {device}: call model.to(device)"
    )


def test_fit_history_has_one_entry_per_epoch_and_the_loss_falls():
    _, history = _fit_the_line(torch.device("cpu"), epochs=10)
    assert len(history["loss"]) == 10 and len(history["val_loss"]) == 10, (
        f"10 epochs gave {len(history['loss'])} losses and {len(history['val_loss'])} "
        "validation losses, expected 10 of each"
    )
    not_floats = [v for v in history["loss"] + history["val_loss"] if not isinstance(v, float)]
    assert not not_floats, (
        f"the history holds {not_floats[:3]}, expected one float per epoch "
        "(a tensor's .item() gives one)"
    )
    # The reference ends near a fiftieth of its first loss.
    assert history["loss"][-1] < 0.1 * history["loss"][0], (
        f"the training loss went from {history['loss'][0]} to {history['loss'][-1]} in 10 "
        "epochs; expected it to fall below a tenth"
    )
    assert history["val_loss"][-1] < history["val_loss"][0]


def test_fit_without_val_loader_keeps_val_loss_empty():
    _, history = _fit_the_line(torch.device("cpu"), epochs=3, with_validation=False)
    assert history.get("val_loss") == [] and len(history.get("loss", [])) == 3, (
        f"without val_loader expected {{'loss': [3 floats], 'val_loss': []}}, got {history}"
    )


def _classes(n: int, seed: int):
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 2, generator=generator)
    return X, (X[:, 0] + X[:, 1] > 0).long()


def _classifier() -> nn.Module:
    """A small classifier with the layers that act differently in train and eval mode."""
    return nn.Sequential(
        nn.Linear(2, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 2)
    )


# fit takes any iterable of (X, y) batches that can be iterated once per epoch
LOADER_KINDS = ["dataloader", "dataloader-drop-last", "list-of-pairs"]


def _batches(kind: str, X: torch.Tensor, y: torch.Tensor, batch_size: int):
    if kind == "list-of-pairs":
        return batch_pairs(X, y, batch_size)
    return tensor_loader(X, y, batch_size, drop_last=kind == "dataloader-drop-last")


def _history_by_hand(model, train, val, loss_fn, optimizer, epochs):
    history = {"loss": [], "val_loss": []}
    for _ in range(epochs):
        history["loss"].append(epoch_by_hand(model, loss_fn, optimizer, train))
        history["val_loss"].append(loss_by_hand(model, loss_fn, val))
    return history


@pytest.mark.parametrize("kind", LOADER_KINDS)
def test_fit_history_matches_a_hand_written_loop(kind):
    # A small classifier with batch norm and dropout: per epoch, the mean training loss
    # (each batch's loss before its step, weighted by batch size), then the loss on the
    # validation data, in eval mode. 22 training samples in batches of 8: a short last
    # batch, or none with drop_last.
    def loaders():
        return _batches(kind, *_classes(22, seed=1), 8), _batches(kind, *_classes(11, seed=2), 5)

    torch.manual_seed(0)
    model = _classifier()
    twin = copy.deepcopy(model)
    torch.manual_seed(1)  # dropout draws from the global RNG: the same draws for both
    by_hand = torch.optim.SGD(twin.parameters(), lr=0.5)
    expected = _history_by_hand(twin, *loaders(), nn.CrossEntropyLoss(), by_hand, 3)

    train, val = loaders()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    cpu = torch.device("cpu")
    torch.manual_seed(1)
    loss_fn = nn.CrossEntropyLoss()
    trained = ("model", "optimizer")  # what fit changes; the rest comes back as it went in
    got = keeps_contract(fit, model, train, loss_fn, optimizer, 3, cpu, val, changes=trained)
    assert set(got) == {"loss", "val_loss"}, f"history keys are {set(got)}"
    for key in ("loss", "val_loss"):
        assert got[key] == pytest.approx(expected[key], rel=1e-5), (
            f"with batches from a {kind}, history[{key!r}] is {got[key]}, a hand-written "
            f"loop gives {expected[key]}: train_epoch on train_loader, then evaluate on "
            "val_loader, once per epoch; each loss a mean over the samples the batches held"
        )


@pytest.mark.parametrize("epochs", [0, -1], ids=["zero_epochs", "negative_epochs"])
def test_fit_rejects_fewer_than_one_epoch(epochs):
    model = _classifier()
    train = _batches("list-of-pairs", *_classes(16, seed=1), 8)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    cpu = torch.device("cpu")
    # nothing is trained, so the model too comes back as it went in
    raises_keeping_contract(
        ValueError, fit, model, train, nn.CrossEntropyLoss(), optimizer, epochs, cpu
    )


@pytest.mark.parametrize("kind", LOADER_KINDS)
def test_fit_rejects_an_empty_train_loader(kind):
    model = _classifier()
    empty = _batches(kind, torch.empty(0, 2), torch.empty(0, dtype=torch.long), 8)
    val = _batches(kind, *_classes(11, seed=2), 5)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    cpu = torch.device("cpu")
    raises_keeping_contract(
        ValueError, fit, model, empty, nn.CrossEntropyLoss(), optimizer, 3, cpu, val
    )
