"""Kata: persistence.

Training takes hours; a power cut, a full disk or a killed job must not cost them.
Save what the model learned, save checkpoints from which training goes on exactly
as if it had never stopped, write them so that a crash mid-save never destroys the
last good one, and load them without letting a file run code on your machine.

Write the functions top to bottom; `make kata` tells you which one is next.
"""

import os
import tempfile
from pathlib import Path
from typing import Any

import torch
from torch import nn

CHECKPOINT_KEYS = ("model", "optimizer", "epoch", "rng_state")


class CheckpointError(RuntimeError):
    """A file that exists but is no checkpoint we can load safely; the message names it."""


def atomic_save(obj: Any, path: str | Path) -> None:
    """torch.save `obj` to `path` so that `path` holds either the old file or the whole new one.

    torch.save(obj, path) opens `path` for writing first: if pickling fails half-way (or
    the machine dies), the old file is already gone and the new one is broken. Instead:
    write to a temporary file in the same folder (os.replace renames within one file
    system only, and /tmp is often another), flush it and os.fsync it (the bytes are on
    the disk, not in a cache), then os.replace it onto `path`, which swaps the name in
    one step. If anything fails, delete the temporary file and re-raise: no debris is
    left behind.

    Raises FileNotFoundError naming the folder when the folder of `path` does not exist.

    Helps: tempfile.mkstemp(dir=folder), os.fdopen, f.flush(), os.fsync(f.fileno()),
    os.replace, os.unlink.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot save {path.name}: the folder {path.parent} does not exist")
    # A unique name next to the target: the final rename then never crosses file systems.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def safe_load(path: str | Path) -> Any:
    """Load what atomic_save wrote, refusing anything that could run code, onto the CPU.

    torch.load unpickles, and a pickle can call any function while it loads. With
    weights_only=True (the default since torch 2.6; say it anyway) only tensors, dicts,
    lists, numbers and the like are allowed: a file that names a function to call is
    refused. map_location="cpu" lets a checkpoint saved on a GPU load on any machine;
    load_state_dict later copies the tensors to wherever the model lives.

    Raises FileNotFoundError naming the file when it does not exist (a folder at `path`
    may raise that or CheckpointError), and CheckpointError naming the file, raised from
    torch's own error, when it cannot be loaded: truncated, corrupt, empty, or refused by
    weights_only. (torch raises RuntimeError, EOFError, pickle.UnpicklingError and more
    for these, so catch broadly and chain with `from`.)

    Helps: torch.load(path, weights_only=True, map_location="cpu").
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint file at {path}")
    try:
        return torch.load(path, weights_only=True, map_location="cpu")
    except Exception as err:  # torch has no one exception for "this is not a checkpoint"
        raise CheckpointError(
            f"cannot load {path}: it is truncated, corrupt, or holds objects that "
            f"weights_only=True refuses ({type(err).__name__})"
        ) from err


def save_model(model: nn.Module, path: str | Path) -> None:
    """Save what `model` has learned (its state_dict, not the module object) to `path`.

    A state_dict is a dict of parameter and buffer names to tensors, so it loads under
    weights_only=True; a pickled whole module does not, and breaks when the class moves.
    Save atomically.

    Helps: model.state_dict(), atomic_save.
    """
    atomic_save(model.state_dict(), path)


def load_model(model: nn.Module, path: str | Path) -> nn.Module:
    """Fill `model` (built with the same architecture) with the weights saved at `path`.

    Returns `model`, which then gives exactly the outputs of the model that was saved,
    wherever the weights were saved (a file written on a GPU fills a model on the CPU).
    Raises FileNotFoundError and CheckpointError as safe_load does, and then leaves
    `model` as it was.

    Helps: safe_load, model.load_state_dict.
    """
    model.load_state_dict(safe_load(path))
    return model


def save_checkpoint(
    model: nn.Module, optimizer: torch.optim.Optimizer, epoch: int, path: str | Path
) -> None:
    """Save everything needed to resume training after `epoch` epochs, atomically, to `path`.

    A dict with the keys of CHECKPOINT_KEYS: "model" and "optimizer" (their state_dicts:
    Adam's running averages and SGD's momentum live in the optimizer, not the model),
    "epoch" (the number of epochs done), and "rng_state" (torch.get_rng_state(): dropout
    draws from the global generator, and so does a DataLoader with shuffle=True and no
    generator of its own, once per iter(loader)). A DataLoader with its own generator
    would need that generator's get_state() saved too.

    Raises ValueError when epoch is negative.

    Helps: model.state_dict(), optimizer.state_dict(), torch.get_rng_state(), atomic_save.
    """
    if epoch < 0:
        raise ValueError(f"epoch counts the epochs done, so it cannot be negative; got {epoch}")
    checkpoint = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "epoch": epoch,
        "rng_state": torch.get_rng_state(),
    }
    atomic_save(checkpoint, path)


def load_checkpoint(model: nn.Module, optimizer: torch.optim.Optimizer, path: str | Path) -> int:
    """Restore `model`, `optimizer` and the global torch RNG from the checkpoint at `path`.

    `model` and `optimizer` are fresh objects built as they were for the saved run (the
    optimizer over this model's parameters). Return the saved epoch, the number of epochs
    done: training epoch + 1, epoch + 2, ... then gives bit for bit what the
    uninterrupted run gave. When load_checkpoint returns, the global RNG is in the saved
    state: restore it after anything that might draw random numbers.

    Raises CheckpointError naming the file and the missing keys when the file holds no
    checkpoint (a bare state_dict from save_model, say, or a dict that lacks some of the
    keys), leaving `model` and `optimizer` as they were; other errors as in safe_load.

    Helps: safe_load, load_state_dict (model and optimizer), torch.set_rng_state.
    """
    checkpoint = safe_load(path)
    keys = checkpoint.keys() if isinstance(checkpoint, dict) else ()
    missing = [key for key in CHECKPOINT_KEYS if key not in keys]
    if missing:
        raise CheckpointError(f"{path} is no checkpoint: it lacks the keys {missing}")
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    torch.set_rng_state(checkpoint["rng_state"])
    return checkpoint["epoch"]
