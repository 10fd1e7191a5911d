"""Kata: schedules.

Adam with one learning rate takes a model most of the way; the next step is to change
the rate as training goes on. Large steps early cover ground, small steps late settle
into a minimum, and a short warm-up keeps the first updates of a fresh model from
throwing it off course. torch.optim.lr_scheduler holds the schedules: StepLR (the rate
times gamma every step_size steps), CosineAnnealingLR (half a cosine from the rate down
to eta_min), LinearLR and LambdaLR (a factor you choose), SequentialLR (one schedule
after another) and ReduceLROnPlateau (cut the rate when the validation loss stops
improving).

A scheduler rewrites optimizer.param_groups[i]["lr"] each time its step() is called.
The work is in calling it at the right moment: after optimizer.step(), once per batch or
once per epoch as the schedule was built for, with the validation loss where it needs
one; and in saving its state with the checkpoint, so that a resumed run goes on with the
same rates. (Older tutorials pass verbose=True to a scheduler, or an epoch to step():
torch 2.13 has no verbose argument, and step(epoch) is deprecated and warns. Print
scheduler.get_last_lr() instead.)

Write the functions top to bottom; `make kata` tells you which one is next.
"""

import math
from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch import nn
from torch.optim import lr_scheduler

CHECKPOINT_KEYS = ("model", "optimizer", "scheduler", "epoch")


def cosine_lr(step: int, total_steps: int, base_lr: float, eta_min: float = 0.0) -> float:
    """The rate of cosine annealing after `step` of `total_steps` steps, as a Python float.

    eta_min + (base_lr - eta_min) * (1 + cos(pi * step / total_steps)) / 2: base_lr at
    step 0, half-way between base_lr and eta_min at total_steps / 2, eta_min at
    total_steps. It is the rate that CosineAnnealingLR(optimizer, T_max=total_steps,
    eta_min=eta_min) gives a group whose lr was base_lr, after `step` calls of step().

    Compute it in Python floats (float64), as torch's schedulers compute their rates;
    float32 rounds to about one part in ten million. torch computes the rate another
    way: each rate from the one before, times a ratio of two cosines. That recursive form
    rounds a little at every step: on torch 2.13 we measured its rate after t steps within
    (t + 1) * 2.2e-16 * base_lr of this closed form up to T_max, and drifts further past
    it (CosineAnnealingLR does not stop at T_max: it climbs back up, a periodic curve).
    This function stops at total_steps.

    Raises ValueError naming total_steps when it is below 1, and naming step and
    total_steps when step is outside [0, total_steps].

    Helps: math.cos, math.pi.
    """
    if total_steps < 1:
        raise ValueError(f"total_steps must be at least 1, got {total_steps}")
    if not 0 <= step <= total_steps:
        raise ValueError(f"step {step} is outside the schedule's 0 to {total_steps} steps")
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * step / total_steps)) / 2


def warmup_cosine(
    optimizer: torch.optim.Optimizer,
    warmup_steps: int,
    total_steps: int,
    start_factor: float = 0.1,
    eta_min: float = 0.0,
) -> lr_scheduler.LRScheduler:
    """A scheduler that warms the rate up along a line, then anneals it along a cosine.

    For each param group, with `base` its lr when warmup_cosine is called, the rate after
    t calls of the scheduler's step() is
        base * (start_factor + (1 - start_factor) * t / warmup_steps)    for t <= warmup_steps
        cosine_lr(t - warmup_steps, total_steps - warmup_steps, base, eta_min)
                                                          for warmup_steps <= t <= total_steps
    (both give base at t = warmup_steps). The first step trains at start_factor * base:
    building the scheduler sets that rate in the optimizer at once, and changes nothing
    else. It is meant to be stepped once per batch, total_steps times in all; past
    total_steps its rates are not specified. start_factor lies in (0, 1].

    Two torch ways: SequentialLR(optimizer, [LinearLR(...), CosineAnnealingLR(...)],
    milestones=[warmup_steps]), or one LambdaLR whose function of t returns the factor by
    which to multiply each group's base lr (a list of functions, one per group, where the
    factor depends on the base: eta_min / base, say).

    Raises ValueError naming both numbers, leaving the optimizer as it was, when
    warmup_steps is below 1 or total_steps is not above warmup_steps (no step would be
    left for the cosine).

    Helps: lr_scheduler.LinearLR(optimizer, start_factor, total_iters=...),
    lr_scheduler.CosineAnnealingLR(optimizer, T_max=..., eta_min=...),
    lr_scheduler.SequentialLR(optimizer, schedulers, milestones), lr_scheduler.LambdaLR.
    """
    if warmup_steps < 1 or total_steps <= warmup_steps:
        raise ValueError(
            f"need 1 <= warmup_steps < total_steps, got warmup_steps={warmup_steps} and "
            f"total_steps={total_steps}"
        )
    warmup = lr_scheduler.LinearLR(optimizer, start_factor=start_factor, total_iters=warmup_steps)
    cosine = lr_scheduler.CosineAnnealingLR(
        optimizer, T_max=total_steps - warmup_steps, eta_min=eta_min
    )
    return lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[warmup_steps])


def _mean_loss(
    model: nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    loader: Iterable[tuple[torch.Tensor, torch.Tensor]],
) -> float:
    """Given: the mean loss per sample over `loader`, in eval mode and without a graph; the
    model is given back in the mode it was in. Raises ValueError when the loader is empty."""
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    try:
        with torch.no_grad():
            for X, y in loader:
                total += loss_fn(model(X), y).item() * len(X)
                count += len(X)
    finally:
        model.train(was_training)
    if count == 0:
        raise ValueError("the validation loader yielded no batch")
    return total / count


def train_with_schedule(
    model: nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    scheduler: lr_scheduler.LRScheduler,
    train_loader: Iterable[tuple[torch.Tensor, torch.Tensor]],
    val_loader: Iterable[tuple[torch.Tensor, torch.Tensor]],
    epochs: int,
    per_batch: bool = False,
) -> dict[str, list[float]]:
    """Train for `epochs` epochs, stepping `scheduler` as it was built to be stepped.

    Each epoch: model.train(); for each (X, y) of train_loader, loss_fn(model(X), y),
    optimizer.zero_grad(), backward(), optimizer.step(); then the epoch's validation loss,
    _mean_loss(model, loss_fn, val_loader) (given above). The scheduler steps:
      - per_batch=True: after every optimizer.step(), for a schedule counted in batches
        (warmup_cosine, or CosineAnnealingLR(T_max=epochs * len(train_loader)));
      - per_batch=False: once per epoch, after its last optimizer.step() (StepLR, its
        step_size a number of epochs);
      - a ReduceLROnPlateau, which decides from a number: once per epoch, with that
        epoch's validation loss, scheduler.step(val_loss). Not the training loss, which
        keeps falling while the model overfits.
    Stepping a scheduler before the optimizer skips the first rate of its schedule, and
    torch warns: "Detected call of `lr_scheduler.step()` before `optimizer.step()`".

    train_loader and val_loader are walked once per epoch: a DataLoader, a list of (X, y)
    pairs (not a generator, which is spent after one pass).

    Returns {"train_loss": [...], "val_loss": [...], "lr": [...]}, one Python float per
    epoch in each: the epoch's mean training loss (each batch's loss taken before its
    step, weighted by len(X)), its validation loss, and the rate of
    optimizer.param_groups[0] when the epoch began. When it returns, the scheduler has
    taken every step of these epochs: the optimizer holds the rate of the next one, so a
    later call, or a resumed run, goes on along the schedule.

    Raises ValueError when per_batch is True and the scheduler is a ReduceLROnPlateau (it
    needs the validation loss, which comes once an epoch), before anything changes; and
    when train_loader yields no batch (a mean over no sample has no value).

    Helps: scheduler.step(), scheduler.step(val_loss), isinstance(scheduler,
    lr_scheduler.ReduceLROnPlateau), optimizer.param_groups[0]["lr"], loss.item().
    """
    plateau = isinstance(scheduler, lr_scheduler.ReduceLROnPlateau)
    if per_batch and plateau:
        raise ValueError("a ReduceLROnPlateau steps on the validation loss, once per epoch")
    history: dict[str, list[float]] = {"train_loss": [], "val_loss": [], "lr": []}
    for _ in range(epochs):
        history["lr"].append(optimizer.param_groups[0]["lr"])
        model.train()
        total, count = 0.0, 0
        for X, y in train_loader:
            loss = loss_fn(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if per_batch:
                scheduler.step()  # after optimizer.step(): the first batch gets the first rate
            total += loss.item() * len(X)
            count += len(X)
        if count == 0:
            raise ValueError("the training loader yielded no batch")
        val_loss = _mean_loss(model, loss_fn, val_loader)
        if plateau:
            scheduler.step(val_loss)
        elif not per_batch:
            scheduler.step()
        history["train_loss"].append(total / count)
        history["val_loss"].append(val_loss)
    return history


def training_state(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: lr_scheduler.LRScheduler,
    epoch: int,
) -> dict[str, Any]:
    """What a checkpoint holds so that a resumed run follows the same learning rates.

    {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
    "scheduler": scheduler.state_dict(), "epoch": epoch}: the keys of CHECKPOINT_KEYS.
    The optimizer's state holds each group's current lr (and its momentum buffers or
    Adam's averages); the scheduler's holds its place on the schedule (last_epoch;
    ReduceLROnPlateau's best loss and its count of bad epochs). Without the scheduler's,
    a freshly built scheduler starts its schedule again from the top. torch.save writes
    the dict and torch.load(path, weights_only=True) reads it back.

    The model's and the optimizer's state_dict() hold their live tensors, which training
    goes on changing: save the dict before the next step. (The random number generators'
    state, for dropout and shuffling, is the persistence kata's.)

    Helps: model.state_dict(), optimizer.state_dict(), scheduler.state_dict().
    """
    return {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "epoch": epoch,
    }


def resume(
    state: dict[str, Any],
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: lr_scheduler.LRScheduler,
) -> int:
    """Load a training_state into a model, optimizer and scheduler; return its epoch.

    The three are built as the saved ones were (the same classes and arguments, the
    scheduler over this optimizer), fresh: the scheduler has already set the first rate
    of its schedule. Each loads its own state_dict, and from then on they train as the
    saved ones would have: the next optimizer step uses the rate the saved run would
    have used, and the schedule goes on from where it was. `state` itself is left as it
    is.

    Raises ValueError naming the missing keys, before loading anything, when state lacks
    any of CHECKPOINT_KEYS: a checkpoint without its scheduler would silently restart the
    schedule.

    Helps: model.load_state_dict, optimizer.load_state_dict, scheduler.load_state_dict.
    """
    missing = [key for key in CHECKPOINT_KEYS if key not in state]
    if missing:
        raise ValueError(f"the checkpoint lacks {missing}: it holds {sorted(state)}")
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    return state["epoch"]
