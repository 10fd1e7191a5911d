"""Kata: losses_and_activations.

A network's last layer gives raw scores (logits); an activation bends them and a
loss turns them into one number to minimise. Each task has its loss, and each loss
wants its inputs in its own format: get the format wrong and PyTorch either stops
you with a cryptic error or, worse, quietly computes something else.

Write the functions top to bottom; `make kata` tells you which one is next.
"""

import torch
import torch.nn.functional as F
from torch import nn


def activate(x: torch.Tensor, name: str) -> torch.Tensor:
    """Apply the activation called `name` to every element of x; the shape stays the same.

    "relu"    max(0, x): cuts negatives to 0.
    "sigmoid" 1 / (1 + exp(-x)): squeezes into [0, 1] (exactly 0 or 1 only where float32
              runs out of digits), the probability of "yes".
    "tanh"    squeezes into [-1, 1], centred on 0.

    Helps: torch.relu, torch.sigmoid, torch.tanh (or nn.ReLU(), nn.Sigmoid(), nn.Tanh()).
    Raises ValueError for any other name, listing the valid ones.
    """
    functions = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}
    if name not in functions:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(functions)}")
    return functions[name](x)


def softmax_rows(logits: torch.Tensor) -> torch.Tensor:
    """Turn a batch of logits (N, C), one row per sample, into probabilities (N, C).

    Each row must be non-negative and sum to 1: the softmax runs along dim=1 (the
    classes), not dim=0 (the batch). A square input hides the mistake; an (N, C)
    one with N != C does not.

    Helps: torch.softmax(logits, dim=...) (it subtracts each row's max first, so
    logits of 1000 give no overflow; a hand-written exp(x) / exp(x).sum() gives nan).
    Raises ValueError, naming the shape, when logits is not 2-D.
    """
    if logits.ndim != 2:
        raise ValueError(f"softmax_rows needs logits of shape (N, C); got {tuple(logits.shape)}")
    return torch.softmax(logits, dim=1)


def loss_for_task(task: str) -> nn.Module:
    """The loss module that fits a task:

    "regression"         -> nn.MSELoss()  numbers; big errors cost the most
    "robust_regression"  -> nn.L1Loss()   numbers with outliers; every error costs its size
    "binary"             -> nn.BCEWithLogitsLoss()  yes/no from one logit per sample
    "multiclass"         -> nn.CrossEntropyLoss()   one of C classes from C logits

    Both classification losses take raw logits: they apply the sigmoid or the
    log-softmax inside, where it can be done stably. Do not add one in the model.
    Raises ValueError for any other task, listing the valid ones.
    """
    losses = {
        "regression": nn.MSELoss,
        "robust_regression": nn.L1Loss,
        "binary": nn.BCEWithLogitsLoss,
        "multiclass": nn.CrossEntropyLoss,
    }
    if task not in losses:
        raise ValueError(f"unknown task {task!r}; choose one of {', '.join(losses)}")
    return losses[task]()


def regression_loss(predictions: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """The mean squared error of predictions against targets of the same shape.

    nn.MSELoss broadcasts: predictions (N, 1) against targets (N,) become (N, N) and
    every prediction is compared with every target. Torch only warns; the loss is
    wrong and the model learns to predict the mean. Refuse it here.

    Helps: nn.MSELoss() or F.mse_loss.
    Raises ValueError, naming both shapes, when they differ (.squeeze(1) or
    .unsqueeze(1) makes them agree).
    """
    if predictions.shape != targets.shape:
        raise ValueError(
            f"predictions {tuple(predictions.shape)} and targets {tuple(targets.shape)} differ "
            "in shape: MSELoss would broadcast them; use .squeeze(1) or .unsqueeze(1)"
        )
    return F.mse_loss(predictions, targets)


def to_class_probabilities(indices: torch.Tensor, num_classes: int) -> torch.Tensor:
    """One-hot rows as float32: class indices (N,) -> probabilities (N, num_classes).

    to_class_probabilities(tensor([2, 0]), 3) -> tensor([[0., 0., 1.],
                                                         [1., 0., 0.]])

    nn.CrossEntropyLoss takes either form of target and gives the same loss for
    both; the one-hot rows must be float, though (see multiclass_loss). Indices of
    any integer dtype are accepted (uint8, int32, int64, ...); F.one_hot itself
    takes int64 only.

    Helps: F.one_hot(indices.long(), num_classes), then .float().
    Raises ValueError when indices is not an integer tensor, or when an index is
    outside [0, num_classes).
    """
    if indices.is_floating_point() or indices.dtype == torch.bool:
        raise ValueError(f"class indices must be integers, got dtype {indices.dtype}")
    if indices.numel() and (indices.min() < 0 or indices.max() >= num_classes):
        raise ValueError(
            f"class indices must lie in [0, {num_classes}); got values from "
            f"{indices.min().item()} to {indices.max().item()}"
        )
    return F.one_hot(indices.long(), num_classes).float()


def multiclass_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """nn.CrossEntropyLoss of logits (N, C) against either kind of target it accepts:

    - class indices, shape (N,), an integer dtype: torch wants int64 ("long") and
      refuses int32, so convert integers with .long();
    - class probabilities, shape (N, C), a float dtype (one-hot rows, or soft labels).
      Old notes say CrossEntropyLoss takes indices only; it has taken probabilities
      since torch 1.10, and a one-hot float target gives exactly the index loss.

    Torch's own errors for the two classic mix-ups are cryptic; raise a ValueError
    that says what to do instead:
    - a one-hot *integer* target (N, C) (torch: "Expected floating point type for
      target with class probabilities"): call .float() on it;
    - *float* class indices (N,) (torch: "expected target dtype to be Long"): call .long().
    Logits are raw scores: no softmax before this loss.
    """
    if target.is_floating_point() and target.ndim == logits.ndim - 1:
        raise ValueError(
            f"float class indices of shape {tuple(target.shape)}: class indices must be "
            "integers; call .long() on them"
        )
    if not target.is_floating_point() and target.ndim == logits.ndim:
        raise ValueError(
            f"integer target of shape {tuple(target.shape)} looks one-hot: class "
            "probabilities must be float; call .float() on it (or pass the indices)"
        )
    if not target.is_floating_point():
        target = target.long()
    return F.cross_entropy(logits, target)


def binary_loss_from_logits(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy from raw logits, averaged over all elements, computed stably.

    For a logit x and a target y in [0, 1] the loss is
        -(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))  =  max(x, 0) - x y + log(1 + exp(-|x|))
    The left form breaks for big |x|: sigmoid(40) is exactly 1.0 in float32, so
    log(1 - 1.0) is -inf. nn.BCELoss on sigmoid outputs hides this by clamping each
    log at -100: the loss is finite but wrong (100 instead of 1000 for x = 1000, y = 0)
    and its gradient is 0, so the model stops learning exactly when it is most wrong.
    The right form never takes the log of 0. It is what nn.BCEWithLogitsLoss does,
    and the result must match it.

    Helps: logits.clamp(min=0), torch.log1p, torch.exp, logits.abs().
    Raises ValueError, naming both shapes, when logits and targets differ in shape.
    """
    if logits.shape != targets.shape:
        raise ValueError(
            f"logits {tuple(logits.shape)} and targets {tuple(targets.shape)} must have "
            "the same shape"
        )
    # log(1 + exp(-|x|)) only ever sees exp of a non-positive number: no overflow
    losses = logits.clamp(min=0) - logits * targets + torch.log1p(torch.exp(-logits.abs()))
    return losses.mean()
