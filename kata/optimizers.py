"""Kata: optimizers.

Autograd tells each parameter which way is uphill; an optimizer decides how far to
step downhill. Plain SGD steps lr times the gradient, momentum keeps rolling in the
direction it was going, Adam and RMSprop scale each step by the gradient's recent
size. Build them, take one step by hand, and watch what each one does to a tiny model.

Write the functions top to bottom; `make kata` tells you which one is next.
"""

from collections.abc import Callable, Iterable

import torch
from torch import nn


def make_optimizer(name: str, model: nn.Module, lr: float, **options) -> torch.optim.Optimizer:
    """An optimizer called `name` over every parameter of `model`, with learning rate lr.

    "sgd"     -> torch.optim.SGD      (momentum=0.9 in options gives SGD with momentum)
    "adam"    -> torch.optim.Adam
    "rmsprop" -> torch.optim.RMSprop
    The names are these three, in lower case: "SGD" or "Adam" is an unknown name.
    Any other keyword (momentum=, weight_decay=, betas=, ...) goes to the optimizer as it is.

    Helps: torch.optim.SGD(model.parameters(), lr=lr, **options); the optimizer keeps
    its settings in optimizer.param_groups, a list of dicts with "params", "lr", ...
    Raises ValueError for an unknown name, listing the valid ones, and for lr <= 0:
    torch itself refuses lr < 0 but accepts lr = 0, a model that never moves.
    """
    # TODO: your code here
    raise NotImplementedError("make_optimizer")


def sgd_step_by_hand(params: Iterable[torch.Tensor], lr: float) -> None:
    """One step of plain SGD, in place: every p with a gradient becomes p - lr * p.grad.

    Parameters whose .grad is None (not used in the loss, or zeroed) are left alone,
    as torch.optim.SGD leaves them. The update must not be recorded by autograd, and
    it must change the parameter itself, not make a new tensor.

    The result must equal torch.optim.SGD(params, lr).step() bit for bit. SGD computes
    it with p.add_(p.grad, alpha=-lr), a fused multiply-add per element that rounds
    once; p -= lr * p.grad rounds lr * p.grad first, then the sum, and can differ in
    the last bit. Both are p - lr * grad in exact maths.

    Helps: torch.no_grad(), p.add_(p.grad, alpha=-lr).
    Raises ValueError when lr <= 0.
    """
    # TODO: your code here
    raise NotImplementedError("sgd_step_by_hand")


def take_one_step(
    model: nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    X: torch.Tensor,
    y: torch.Tensor,
    optimizer: torch.optim.Optimizer,
) -> dict[str, torch.Tensor]:
    """One optimizer step on the batch (X, y); returns how much each parameter moved.

    The result maps every name of model.named_parameters() to (value after the step)
    minus (value before it): a tensor of the parameter's shape that does not require
    grad. Gradients left over from earlier calls must not leak into this step: clear
    them before the backward pass.

    Helps: optimizer.zero_grad() (since torch 2.0 it sets every .grad to None, not
    to zeros), loss_fn(model(X), y).backward(), optimizer.step(),
    p.detach().clone() to keep a copy of a value.
    """
    # TODO: your code here
    raise NotImplementedError("take_one_step")


def set_learning_rate(optimizer: torch.optim.Optimizer, lr: float) -> None:
    """Change the learning rate of an existing optimizer: the next step() uses lr.

    An optimizer keeps one dict per parameter group in optimizer.param_groups, and
    step() reads each group's "lr" afresh every time (it is what learning-rate
    schedulers change). Set it in every group; keep the optimizer and its state
    (momentum buffers, Adam's averages), so do not build a new one.

    Raises ValueError when lr <= 0.
    """
    # TODO: your code here
    raise NotImplementedError("set_learning_rate")
