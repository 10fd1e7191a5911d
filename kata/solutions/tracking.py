"""Kata: tracking.

A training run that prints one number per epoch is hard to judge; a picture of the
train and test loss side by side shows at a glance whether the model learns, has
stalled or has started to overfit. Keep a history of the losses, epoch by epoch,
then draw it into a PNG that you can open after the run, on a machine with no screen.

Write the functions top to bottom; `make kata` tells you which one is next.
"""

import math
from pathlib import Path

import torch
from matplotlib.figure import Figure

History = dict[str, list[float]]  # {"train": [loss of epoch 1, epoch 2, ...], "test": [...]}


def record_epoch(history: History, **losses: float) -> History:
    """Append one epoch's losses to `history` (in place) and return it.

    record_epoch(history, train=0.52, test=0.61) appends 0.52 to history["train"] and
    0.61 to history["test"], starting the lists on the first call. Each loss is a Python
    float or a one-element floating-point tensor. The history keeps plain Python floats:
    a loss tensor becomes one with loss.item(), so that no tensor, and no autograd graph,
    stays alive in it. (float(loss) gives the same number, but in torch 2.13 it warns
    when the loss requires grad, and record_epoch must not warn; .item() does not.)

    Raises ValueError, leaving `history` unchanged, when no loss is given; when a loss
    is NaN or infinite (training has diverged: the curve would mean nothing), with a
    message naming that series; and when the names differ from the series already in
    the history (they would fall out of step: epoch k must be the k-th value of every
    series), with a message naming the series that differ: those new in this epoch or
    missing from it.

    Helps: loss.item(), math.isfinite, dict.setdefault.
    """
    if not losses:
        raise ValueError("record_epoch needs at least one loss, e.g. record_epoch(h, train=0.5)")
    if history and set(losses) != set(history):
        raise ValueError(
            f"every epoch must record the same series: the history has {sorted(history)}, "
            f"this epoch has {sorted(losses)}"
        )
    values = {
        name: loss.item() if isinstance(loss, torch.Tensor) else float(loss)
        for name, loss in losses.items()
    }
    for name, value in values.items():
        if not math.isfinite(value):
            raise ValueError(f"the {name} loss is {value}: training has diverged")
    # Check everything before appending anything, so a bad call changes nothing.
    for name, value in values.items():
        history.setdefault(name, []).append(value)
    return history


def best_epoch(history: History, name: str) -> int:
    """The epoch, counted from 1, at which series `name` had its lowest loss.

    On a tie the earlier epoch wins. best_epoch({"test": [0.9, 0.4, 0.5]}, "test") -> 2:
    the epoch whose weights you would have wanted to keep. Compare the losses as they
    were recorded, as Python floats: two losses closer than float32 can tell apart are
    still two different losses, and no tie.

    Raises ValueError when the history has no series `name` (the message lists the
    series it has) or when that series is empty (the message names it).
    """
    if name not in history:
        raise ValueError(f"the history has no series {name!r}; it has {sorted(history)}")
    values = history[name]
    if not values:
        raise ValueError(f"the series {name!r} is empty: record an epoch first")
    return values.index(min(values)) + 1  # index() finds the first, so ties go to the earlier


def plot_loss_curves(history: History, path: str | Path, title: str = "Loss per epoch") -> Figure:
    """Draw every series of `history` against its epoch and save the figure as a PNG at `path`.

    The figure has one Axes with the given title, an x label that contains the word
    "epoch" and a y label that contains "loss" (in any case: "Epoch", "training loss"),
    one line per series with x = 1, 2, ..., N (the epochs) and y = the recorded losses,
    and a legend naming each series. Return the figure (already saved) so the caller can
    look inside it.

    Draw with matplotlib.figure.Figure directly: it needs no screen and leaves no global
    pyplot state behind. (With pyplot you would need matplotlib.use("Agg") and
    plt.close(fig); a script that opens a figure per epoch and never closes it leaks them.)

    Raises FileNotFoundError naming the folder when the folder of `path` does not exist
    (savefig does not create folders; its own FileNotFoundError, which names the whole
    path, will do), ValueError when `path` does not end in ".png" (".PNG" may be taken
    or refused), and ValueError when the history has no series or an empty one (nothing
    to plot). When more than one of these applies, any one of them may be raised.

    Helps: fig = Figure(); ax = fig.subplots(); ax.plot(x, y, label=name);
    ax.set_title / set_xlabel / set_ylabel; ax.legend(); fig.savefig(path).
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot save {path.name}: the folder {path.parent} does not exist")
    if path.suffix.lower() != ".png":
        raise ValueError(f"plot_loss_curves saves a PNG: the path must end in .png, got {path}")
    if not history or not all(history.values()):
        raise ValueError(f"nothing to plot: every series needs at least one epoch, got {history}")
    figure = Figure(figsize=(6, 4))
    ax = figure.subplots()
    for name, values in history.items():
        ax.plot(range(1, len(values) + 1), values, label=name)
    ax.set_title(title)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend()
    figure.savefig(path)
    return figure
