"""Kata: performance.

A training step can be right and still slow: it goes back to Python once per sample, or
it stops after every batch to read the loss as a number. Make both fast without changing
what they compute, then count the work one step does: `make bench` divides it by the
step's time and shows how close to the machine's matmul peak your step runs.

Write the functions top to bottom; `make kata` tells you which one is next.
"""

from collections.abc import Callable, Iterable

import torch
from torch import nn

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _per_sample_train_step(
    model: nn.Module,
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    X: torch.Tensor,
    y: torch.Tensor,
) -> float:
    """The slow step, given: one forward and backward pass per sample, then one update.

    Each sample's loss is divided by N, so the gradients that add up in .grad are those of
    the mean loss over the batch. Returns that mean loss as a float.
    """
    model.train()
    optimizer.zero_grad()
    total = 0.0
    for x_i, y_i in zip(X, y, strict=True):  # N trips through Python, each on a batch of one
        loss = loss_fn(model(x_i.unsqueeze(0)), y_i.unsqueeze(0)) / len(X)
        loss.backward()
        total += loss.item()
    optimizer.step()
    return total


def batched_train_step(
    model: nn.Module,
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    X: torch.Tensor,
    y: torch.Tensor,
) -> torch.Tensor:
    """The step of _per_sample_train_step on the whole batch X (N, ...) at once; returns
    the loss before the step as a 0-dim tensor, detached from the graph.

    The per-sample loop does N forward and backward passes on (1, ...) slices: N trips
    through Python and N tiny matrix products. One pass on X does the same arithmetic
    as a few large products, which is what CPUs and GPUs are fast at. The update is
    the same (up to float rounding) when loss_fn averages over the batch (the default
    reduction="mean") and the samples do not interact (no BatchNorm in training mode).
    The steps are those of training_loop.train_step: train mode, forward, loss, zero_grad,
    backward, step.

    Return loss.detach(), not loss.item(): .item() makes the CPU wait until the device
    has finished the step (on a GPU, a sync that leaves it idle); a tensor lets the
    caller decide when to read the number.

    Helps: model.train(), optimizer.zero_grad(), loss.backward(), optimizer.step(),
    loss.detach().
    Raises ValueError when X holds no sample, and, naming both lengths, when X and y
    differ in length.
    """
    # TODO: your code here
    raise NotImplementedError("batched_train_step")


def train_epoch_without_sync(
    model: nn.Module,
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    loader: Iterable[tuple[torch.Tensor, torch.Tensor]],
) -> float:
    """One batched_train_step per (X, y) batch of loader; returns the epoch's mean loss
    per sample as a float, reading a number back from the device once per epoch.

    The mean is that of training_loop.train_epoch: each batch's loss (taken before its step)
    weighted by its batch size len(X). But train_epoch calls .item() on every batch, and
    on a GPU each call waits for the device to finish, so the CPU cannot queue the next
    step while the GPU works. Keep the running total as a tensor (losses times batch
    sizes add up on the device, without waiting) and call .item() once, at the end.
    On a CPU the two cost the same: the CPU computes the loss itself before going on.

    Helps: batched_train_step, len(X), .item() (once).
    Raises ValueError when the loader yields no batch at all.
    """
    # TODO: your code here
    raise NotImplementedError("train_epoch_without_sync")


def linear_step_flops(model: nn.Module, batch_size: int) -> int:
    """The floating-point operations (FLOPs) of the matrix products in one training step
    (forward and backward) of the nn.Linear layers of model, for a batch of batch_size.

    An nn.Linear(in, out) on a (B, in) batch multiplies (B, in) by (in, out): B * in * out
    multiply-adds, 2 * B * in * out FLOPs. Backward computes two more products of that
    size: the gradient of the weight, and the gradient of the layer's input, which the
    layers before it need. The first Linear's input is the data, which needs no gradient:
    autograd skips that product. So a stack costs 6 * B * (number of weights), less
    2 * B * in * out for the first Linear. Bias additions, activations and the loss are
    left out, as torch.utils.flop_counter.FlopCounterMode leaves them out: next to the
    products they are a rounding error. model is a stack (nn.Sequential, or a module
    whose Linears are registered in the order they run) whose first Linear sees the data.

    Divide by a step's time to get the FLOP rate it reached; `make bench` compares it
    with the rate of a large torch.mm on the same machine.

    Helps: model.modules(), isinstance(m, nn.Linear), m.in_features, m.out_features.
    Raises ValueError when batch_size is below 1 or model holds no nn.Linear.
    """
    # TODO: your code here
    raise NotImplementedError("linear_step_flops")
