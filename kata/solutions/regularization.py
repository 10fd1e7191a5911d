"""Kata: regularization.

A wide network can learn its handful of training points by heart, noise included, and
then do worse on points it has never seen: its training loss keeps falling while its
validation loss turns back up. Three remedies: dropout (train with random units
switched off), weight decay (pull every weight toward zero) and early stopping (keep
the weights of the best validation epoch and stop once they stop improving).

Write the functions top to bottom; `make kata` tells you which one is next.
"""

import copy

import torch
from torch import nn

from kata.training_loop import train_step


def dropout(
    x: torch.Tensor, p: float, training: bool = True, generator: torch.Generator | None = None
) -> torch.Tensor:
    """What nn.Dropout(p) does, by hand: zero each element of x with probability p.

    In training, every element is dropped (set to 0) independently with probability p,
    and the ones kept are scaled by 1 / (1 - p): "inverted dropout", so the expected
    value of each output equals its input and nothing needs rescaling at test time.
    Not in training (training=False, what model.eval() selects) it is the identity.
    p = 0 keeps everything (the identity); p = 1 drops everything: the result is all
    zeros (and must not be 0 / 0 = NaN). The result has x's shape, dtype and device,
    and gradients flow to x through the kept elements.

    Draw the random numbers with `generator` when one is given (then the same seed
    gives the same mask, and the global RNG is left alone), from the global RNG if not.

    Raises ValueError when p is outside [0, 1], whatever `training` says: p is checked
    first, so dropout(x, 2.0, training=False) raises too (as F.dropout does).

    Helps: torch.rand(x.shape, generator=..., device=x.device) < 1 - p gives the mask
    of kept elements (or torch.bernoulli of a tensor full of 1 - p), torch.zeros_like.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability p must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return torch.zeros_like(x)
    keep = torch.rand(x.shape, generator=generator, device=x.device) < 1 - p
    return x * keep / (1 - p)  # scale the survivors so the expected value stays x


def l2_penalty(model: nn.Module) -> torch.Tensor:
    """The sum of the squares of *all* of model's parameters, biases included, as a 0-d tensor.

    All of them, because that is what weight_decay= in torch's optimizers decays when you
    pass it model.parameters(). The result is part of the graph: add
    (weight_decay / 2) * l2_penalty(model) to a loss and its gradient adds
    weight_decay * w to each parameter's gradient, exactly what SGD(weight_decay=...)
    does. It lives on the model's device.

    A model without parameters (an nn.ReLU, say) has a penalty of 0, still a 0-d tensor:
    start the sum from torch.zeros(()), not from Python's int 0.

    Helps: model.parameters(), p.pow(2).sum() (or torch.sum(p ** 2)), sum(..., start).
    """
    return sum((p.pow(2).sum() for p in model.parameters()), torch.zeros(()))


def train_with_weight_decay(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    weight_decay: float,
    lr: float = 0.1,
    steps: int = 100,
) -> list[float]:
    """Train `model` on all of X (N, in), y (N, out) for `steps` steps of SGD with weight decay.

    Each step is one full-batch step of plain SGD (no momentum) on nn.MSELoss() with
    learning rate `lr` and weight_decay=`weight_decay`: the optimizer adds
    weight_decay * w to each gradient, so a step whose loss gradient is zero multiplies
    every parameter by exactly (1 - lr * weight_decay). For SGD that is the same as
    adding (weight_decay / 2) * l2_penalty(model) to the loss. Returns the MSE (without
    any penalty) before each step, as floats.

    Not so for Adam: Adam(weight_decay=...) adds weight_decay * w to the gradient and
    then divides by its running gradient scale, so the decay is no longer
    proportional to the weight ("L2 regularization", coupled). AdamW applies the decay
    to the weights directly, w <- w * (1 - lr * weight_decay), apart from the
    gradient step ("decoupled weight decay"). AdamW's default weight_decay is 0.01;
    SGD's and Adam's is 0.

    Helps: torch.optim.SGD(model.parameters(), lr=..., weight_decay=...), train_step.
    Raises ValueError when weight_decay is negative.
    """
    if weight_decay < 0:
        raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, weight_decay=weight_decay)
    return [train_step(model, nn.MSELoss(), optimizer, X, y) for _ in range(steps)]


class EarlyStopping:
    """Watches the validation loss and keeps the weights of the best epoch seen so far."""

    def __init__(self, patience: int, min_delta: float = 0.0) -> None:
        """Stop after `patience` epochs in a row without improvement.

        An epoch improves when its validation loss is below best_loss - min_delta: with
        min_delta = 0.01 a loss that falls by only 0.005 does not count (and does not
        become the best either). Epochs are counted from 0, one per call to step().
        Before the first step, best_loss is math.inf and best_epoch is None.

        Raises ValueError when patience < 1 or min_delta < 0.
        """
        if patience < 1:
            raise ValueError(f"patience must be at least 1, got {patience}")
        if min_delta < 0:
            raise ValueError(f"min_delta must be >= 0, got {min_delta}")
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch = float("inf"), None
        self.best_state: dict[str, torch.Tensor] | None = None
        self.epoch, self.epochs_without_improvement = -1, 0

    def step(self, val_loss: float, model: nn.Module) -> bool:
        """Record this epoch's validation loss; True when training should stop now.

        On an improvement, remember val_loss as best_loss, this epoch as best_epoch and
        a copy of model.state_dict(), and reset the count of epochs without improvement.
        Otherwise count one more; return True once that count reaches `patience`. Called
        again after that, it goes on counting and returning True until an epoch improves.

        The copy must be deep: model.state_dict() holds the model's live tensors (they
        share memory with the parameters), so the optimizer's next in-place update would
        change a state dict kept as it is.

        Helps: copy.deepcopy(model.state_dict()), or {k: v.clone() for ...}.
        """
        self.epoch += 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, self.epoch
            self.best_state = copy.deepcopy(model.state_dict())
            self.epochs_without_improvement = 0
        else:
            self.epochs_without_improvement += 1
        return self.epochs_without_improvement >= self.patience

    def restore(self, model: nn.Module) -> None:
        """Load the weights of the best epoch back into `model`.

        Raises RuntimeError when step() has never been called: there is nothing to
        restore, and the message says that step() must come first.

        Helps: model.load_state_dict.
        """
        if self.best_state is None:
            raise RuntimeError("nothing to restore: call step() at least once first")
        model.load_state_dict(self.best_state)


def train_with_early_stopping(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    train: tuple[torch.Tensor, torch.Tensor],
    val: tuple[torch.Tensor, torch.Tensor],
    stopper: EarlyStopping,
    max_epochs: int,
) -> tuple[list[float], list[float]]:
    """Train on `train` = (X, y) until `stopper` says stop, then restore the best weights.

    Each epoch: one full-batch train_step on nn.MSELoss() (its loss, taken before the
    step, is the epoch's training loss), then the MSE on `val` = (X_val, y_val) with
    the model in eval mode and autograd off (the epoch's validation loss), then back to
    training mode, then stopper.step(val_loss, model). Stop after max_epochs epochs, or
    sooner when stopper.step returns True. Finally, whichever way the loop ended, load
    the best epoch's weights back into model: it comes back in training mode, holding
    the weights of its best epoch, which need not be the last one run.

    Returns (train_losses, val_losses): one float per epoch run, each.

    Helps: train_step, model.eval(), torch.no_grad(), .item(), stopper.restore.
    Raises ValueError when max_epochs < 1.
    """
    if max_epochs < 1:
        raise ValueError(f"max_epochs must be at least 1, got {max_epochs}")
    loss_fn = nn.MSELoss()
    train_losses, val_losses = [], []
    for _ in range(max_epochs):
        train_losses.append(train_step(model, loss_fn, optimizer, *train))
        model.eval()
        with torch.no_grad():
            val_losses.append(loss_fn(model(val[0]), val[1]).item())
        model.train()
        if stopper.step(val_losses[-1], model):
            break
    stopper.restore(model)
    return train_losses, val_losses
