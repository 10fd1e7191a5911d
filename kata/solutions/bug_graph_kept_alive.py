"""Kata: bug_graph_kept_alive.

A pitfall kata: the code below is not missing, it is wrong. A colleague wrote the
epoch of the training_loop kata and kept a running total of the loss, as every
tutorial prints it. The model trains and the number is right, yet the process grows
with every batch of a long epoch, the history of epochs prints as
`tensor(0.4171, grad_fn=<DivBackward0>)`, and the memory held at the end of one epoch
is never given back while that history lives. Find the bug and fix it: the tests fail
on it and pass on the fix.
"""

from collections.abc import Callable, Iterable

import torch
from torch import nn


def train_epoch(
    model: nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    loader: Iterable[tuple[torch.Tensor, torch.Tensor]],
) -> float:
    """One pass over every (X, y) batch of `loader`, one optimizer step per batch.

    The contract, as in the training_loop kata: the model runs in training mode (it may
    have been left in eval mode); each batch's loss is loss_fn(model(X), y); the old
    gradients are cleared before backward() and the optimizer steps once per batch.
    `loader` is any iterable of (X, y) pairs that yields at least one batch: a
    DataLoader, a list of pairs, a generator. Returns the mean of the batch losses, each
    taken before its step and weighted by len(X), as a plain Python float. No step's
    autograd graph outlives that step: once its backward() has run, nothing the epoch
    keeps refers to it, and the caller gets a number, not a tensor with a graph behind it.

    What goes wrong: the result has the right value, but it is a tensor that requires
    grad, and while the epoch runs, every earlier step's graph stays alive: step k's
    graph hangs on to the graphs of the k steps before it. backward() frees the tensors
    a graph saved, not the graph's nodes, so the epoch holds a chain of nodes that grows
    by one graph a batch (for an MLP of eleven linear layers on torch 2.13, about 27 KB
    a batch: over half a gigabyte after 20,000 batches). A caller that keeps the result
    (a history of epochs) keeps every graph of every epoch alive with it; and the same
    sum in a validation loop, where no backward() runs, keeps every batch's activations
    too.

    Helps: what does `total += loss` make of `total`, and what does `total.grad_fn` lead
    back to?
    """
    # stub:
    # total, count = 0.0, 0
    # for X, y in loader:
    #     model.train()
    #     loss = loss_fn(model(X), y)
    #     optimizer.zero_grad()
    #     loss.backward()
    #     optimizer.step()
    #     total += loss * len(X)
    #     count += len(X)
    # return total / count
    total, count = 0.0, 0
    for X, y in loader:
        model.train()
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(X)  # a float: `total += loss` would chain every graph to it
        count += len(X)
    return total / count
