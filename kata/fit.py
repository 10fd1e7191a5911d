"""Kata: fit.

Keras trains with one call, model.fit(...). PyTorch has no fit(): you write the loop, and
with the training_loop and evaluation katas you already have its two halves. Put them
together into a fit() that trains for some epochs, validates after each, and returns the
same history Keras would.

Write the function; `make kata` tells you when it is done.
"""

from collections.abc import Callable, Iterable, Iterator

import torch
from torch import nn

from kata.evaluation import evaluate
from kata.training_loop import train_epoch

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]


def _on_device(
    loader: Batches, device: torch.device
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Each (X, y) batch of `loader`, moved to `device` as it comes (a no-op where it is)."""
    for X, y in loader:
        yield X.to(device), y.to(device)


def fit(
    model: nn.Module,
    train_loader: Batches,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    epochs: int,
    device: torch.device,
    val_loader: Batches | None = None,
) -> dict[str, list[float]]:
    """Train `model` for `epochs` epochs on `device`, Keras style; returns the history.

    Keras                                      PyTorch
    model.compile(optimizer="sgd", loss="mse") loss_fn = nn.MSELoss()
                                               optimizer = torch.optim.SGD(model.parameters(), lr)
    model.fit(X, y, epochs=E,                  history = fit(model, train_loader, loss_fn,
              validation_data=(Xv, yv))                      optimizer, E, device, val_loader)
    history.history["loss"], ["val_loss"]      history["loss"], history["val_loss"]
    model.evaluate(Xv, yv)                     evaluate(model, loss_fn, val_loader)

    So compile() is nothing more than choosing the loss function and the optimizer.

    Each epoch: train_epoch over train_loader, then, if val_loader is given, evaluate on
    it. history["loss"] gets train_epoch's mean loss (like Keras, the mean over the
    epoch while the weights still move), history["val_loss"] the validation loss after
    the epoch: one float per epoch each. Without val_loader, history["val_loss"] is an
    empty list (Keras leaves the key out; here both keys are always there).

    train_loader and val_loader are any iterables of (X, y) batches that give their
    batches anew each time they are iterated: a DataLoader (drop_last or not), or a
    plain list of pairs; not a generator, which the first epoch would use up. fit trains
    `model` and steps `optimizer`; everything else it is given comes back as it was.

    The model is moved to `device` first and stays there; the loaders may hold CPU
    tensors: move each batch as it comes (the helper _on_device does). model.to(device)
    keeps the same Parameter objects for cpu, cuda and mps tensors (it sets their .data),
    so an optimizer built before the move still updates them; building it after the move
    is the habit the torch docs recommend.

    Raises ValueError when epochs < 1, and (through train_epoch) for an empty train_loader.

    Helps: model.to(device), train_epoch, evaluate, _on_device.
    """
    # TODO: your code here
    raise NotImplementedError("fit")
