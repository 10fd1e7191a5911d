"""Kata: training_loop.

A model learns by repeating one small step: predict, measure the loss, clear the old
gradients, compute new ones, and let the optimizer nudge the weights. Write that step
once, then an epoch that walks every batch of a loader and reports its mean loss.

Write the functions top to bottom; `make kata` tells you which one is next.
"""

from collections.abc import Callable, Iterable

import torch
from torch import nn


def train_step(
    model: nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    X: torch.Tensor,
    y: torch.Tensor,
) -> float:
    """One optimization step on the batch X (N, ...) with targets y; returns its loss as a float.

    The steps: put the model in training mode (it may have been left in eval mode);
    forward pass and loss, loss_fn(model(X), y) (predictions first, as every torch loss
    takes them); clear the old gradients (anywhere before the backward pass: here, or
    first of all); backward pass; optimizer step. Gradients add up in .grad on every
    backward(): without zero_grad() the second step would use the sum of two batches'
    gradients, and clearing them only after step() lets in whatever earlier code left in
    .grad. zero_grad() sets them to None (the default since torch 2.0).

    Returns the loss *before* the step, as a plain Python float: .item() also lets the
    graph of this step be freed instead of kept alive by the caller.

    Helps: model.train(), optimizer.zero_grad(), loss.backward(), optimizer.step(), .item().
    """
    # TODO: your code here
    raise NotImplementedError("train_step")


def train_epoch(
    model: nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    loader: Iterable[tuple[torch.Tensor, torch.Tensor]],
) -> float:
    """One pass over every (X, y) batch of `loader`, one train_step per batch.

    `loader` is any iterable of (X, y) pairs already on the model's device: a DataLoader,
    a list of pairs, a generator (which has no len()). Returns the mean of the batch
    losses (each taken before its step) *weighted by batch size* len(X), so a short last
    batch counts for what it holds: with a loss that averages over its batch, that is the
    mean loss per sample of the epoch.

    Raises ValueError when the loader yields no batch at all (an empty mean has no value).

    Helps: train_step, len(X) for the batch size.
    """
    # TODO: your code here
    raise NotImplementedError("train_epoch")
