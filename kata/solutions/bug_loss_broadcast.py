"""Kata: bug_loss_broadcast.

A pitfall kata: the code below is not missing, it is wrong. A regression model with
one output gives predictions of shape (N, 1); the targets came from a list of numbers
and have shape (N,). The loss below runs without an error, yet a line trained with it
ends up flat. Find the bug and fix it: the tests fail on it and pass on the fix.
"""

import torch
from torch.nn import functional as F


def regression_loss(predictions: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """The mean squared error between N predictions and their N targets, a 0-dim tensor.

    predictions: (N, 1), as nn.Linear(in, 1) gives them; targets: (N,) or (N, 1).
    The result is mean over i of (predictions[i] - targets[i]) ** 2, differentiable with
    respect to the predictions, and 0 when every prediction equals its target.

    What goes wrong: even predictions equal to their targets give a loss well above 0,
    a model trained with it learns to predict the mean of the targets for every input,
    and torch prints a UserWarning ("Using a target size ... that is different to the
    input size") that is easy to miss in a notebook. torch only warns: it still returns
    a number, so nothing stops the training.

    Raises ValueError, naming both shapes, when predictions and targets hold different
    numbers of samples.

    Helps: what shape does (a (N, 1) tensor) - (a (N,) tensor) have?
    """
    # stub:
    # return F.mse_loss(predictions, targets)
    if predictions.numel() != targets.numel():
        raise ValueError(
            f"predictions {tuple(predictions.shape)} and targets {tuple(targets.shape)} "
            "hold different numbers of samples"
        )
    # (N, 1) against (N,) would broadcast to (N, N): compare them as two (N,) vectors
    return F.mse_loss(predictions.reshape(-1), targets.reshape(-1))
