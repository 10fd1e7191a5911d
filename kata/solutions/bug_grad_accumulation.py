"""Kata: bug_grad_accumulation.

A pitfall kata: the code below is not missing, it is wrong. A colleague wrote the
training step of the training_loop kata from memory; the loss falls for a few steps,
then climbs back and swings up and down, and lowering the learning rate only slows
the swings down. Find the bug and fix it: the tests fail on it and pass on the fix.
"""

from collections.abc import Callable

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

    What goes wrong: called in a loop, the loss drops at first, then rises again and
    oscillates, ever further from a minimum that plain gradient descent with the same
    learning rate reaches easily. Each step moves the weights further than the last,
    as if the optimizer were using more than this batch's gradient.

    The contract: the model runs in training mode (it may have been left in eval mode),
    and the loss is loss_fn(model(X), y), as in the training_loop kata. Every
    optimizer.step() uses the gradient of this batch's loss at the current weights, and
    nothing else, whatever .grad held when train_step was called (gradients left behind
    by earlier code included). Returns the loss before the step, as a Python float.

    Helps: in PyTorch, what does loss.backward() do with what is already in p.grad?
    """
    # stub:
    # model.train()
    # loss = loss_fn(model(X), y)
    # loss.backward()
    # optimizer.step()
    # return loss.item()
    model.train()
    loss = loss_fn(model(X), y)
    optimizer.zero_grad()  # backward() adds into .grad: clear what earlier steps left there
    loss.backward()
    optimizer.step()
    return loss.item()
