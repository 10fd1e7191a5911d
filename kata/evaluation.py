"""Kata: evaluation.

Training tells you how the model does on data it learns from; evaluation tells you how
it does on data it has not seen. That needs the model in eval mode (dropout off, batch
norm on its running statistics), no autograd graph, and a mean over every sample.

Write the functions top to bottom; `make kata` tells you which one is next.
"""

from collections.abc import Callable, Iterable

import torch
from torch import nn


def accuracy(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """The fraction of rows whose largest logit sits at the target class, as a Python float.

    logits: (N, C) raw scores of N samples over C classes; targets: (N,) class indices.
    accuracy([[2., 1.], [0., 3.]], [0, 0]) -> 0.5. The predicted class is
    logits.argmax(dim=1) (on a tie, the first largest). Take it from the logits themselves,
    not from a softmax: softmax keeps each row's order in exact arithmetic, but in float32
    two logits one rounding step apart can come out as the same probability, and argmax
    then picks the first of them.

    Raises ValueError, naming both lengths, when logits and targets have different
    lengths, and when they are empty (an accuracy over no sample has no value).

    Helps: .argmax(dim=1), ==, .float().mean() or .sum(), .item().
    """
    # TODO: your code here
    raise NotImplementedError("accuracy")


def evaluate(
    model: nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    loader: Iterable[tuple[torch.Tensor, torch.Tensor]],
) -> tuple[float, float]:
    """(mean loss, accuracy) of `model` over every (X, y) batch of `loader`, as Python floats.

    `loader` is any iterable of (X, y) pairs already on the model's device: a DataLoader,
    a list of pairs, a generator. Both results are means over samples: each batch counts
    by its size len(X), so they do not depend on how the data is batched.

    The accuracy is that of a classifier (logits (N, C), targets (N,) class indices).
    evaluate also serves a regression model, whose outputs and float targets are (N, 1):
    the fit kata takes its validation loss from it. There only the loss counts, and
    evaluate must not fail on it; the accuracy is still a float, but means nothing (0.0,
    say: float targets hold no class to count). Outputs of shape (N,) are not asked for.

    During the pass the model is in eval mode (dropout passes its input through, batch
    norm uses its running statistics and leaves them alone) and autograd is off
    (torch.inference_mode(), or torch.no_grad(): no graph is built). Afterwards the model
    is back in the mode it was in (model.training), on every path, an error included:
    evaluating in the middle of training must not leave it in eval mode.

    model.train(mode) gives one mode back to every layer at once. Where a caller froze
    one layer in eval mode inside a training model (a batch norm, when fine-tuning), that
    wakes the frozen layer; giving each submodule its own .training back (model.modules())
    keeps it frozen. Either will do here: evaluate is handed models whose layers share
    one mode.

    Raises ValueError when the loader yields no batch.

    Helps: model.training, model.eval(), model.train(mode), torch.inference_mode(), accuracy.
    """
    # TODO: your code here
    raise NotImplementedError("evaluate")
