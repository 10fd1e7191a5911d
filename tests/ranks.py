"""Run a test's function on several ranks, each a fresh process, with this process's katas.

torch.multiprocessing starts each rank with the spawn method: a new interpreter, without the
import hook that picks the implementation (kata/engine/impl.py). So the function travels by
name, and each rank first redirects the kata imports as this process does, then imports
the function's module: ``from kata.<name> import ...`` there gives the same files as here.

A rank's exception comes back as a RankError that names the rank; a rank that hangs is
stopped after ``timeout_s``. Ranks use one torch thread each: they share the cores with
the other pytest-xdist workers.
"""

from __future__ import annotations

import importlib
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
import torch.multiprocessing as mp

from kata.engine import impl
from kata.engine.results import where_in_kata


class RankError(RuntimeError):
    """What a rank raised, re-raised in the process that spawned the ranks."""


def run_on_ranks(
    fn: Callable[..., None], world_size: int, folder: Path, *args, timeout_s: float = 50.0
) -> None:
    """Call ``fn(rank, world_size, folder, *args)`` on ranks 0..world_size-1, each a process.

    ``fn`` must be a module-level function; ``folder`` (a per-test tmp_path) gets the ranks'
    error reports, and is where ``fn`` should keep its store and results.
    """
    __tracebackhide__ = True
    target = (fn.__module__, fn.__qualname__)
    context = mp.start_processes(
        _rank_main,
        args=(world_size, impl.redirected(), target, folder, args),
        nprocs=world_size,
        join=False,
        start_method="spawn",
    )
    deadline = time.monotonic() + timeout_s
    try:
        while not context.join(timeout=0.2):
            if time.monotonic() > deadline:
                raise RankError(
                    f"the {world_size} ranks did not finish within {timeout_s:.0f} s: does a "
                    "rank wait for another that never comes (to init_process_group, to a "
                    "barrier, to an all-reduce), with no timeout?"
                )
    except mp.ProcessRaisedException as failure:
        raise RankError(_report(folder, failure.error_index, world_size)) from None
    except mp.ProcessExitedException as failure:
        raise RankError(
            f"rank {failure.error_index} of {world_size} died with exit code {failure.exit_code}"
        ) from None
    finally:
        for process in context.processes:
            if process.is_alive():
                process.kill()
            process.join()


def _report(folder: Path, rank: int, world_size: int) -> str:
    report = folder / f"rank{rank}-error.txt"
    if not report.exists():
        return f"rank {rank} of {world_size} failed without a report"
    return f"rank {rank} of {world_size}: {report.read_text(encoding='utf-8')}"


def _rank_main(rank: int, world_size: int, files: dict, target: tuple, folder: Path, args):
    torch.set_num_threads(1)
    impl.redirect(files)  # before the import below, so the kata imports go where the parent's go
    module_name, qualname = target
    fn = getattr(importlib.import_module(module_name), qualname)
    try:
        fn(rank, world_size, folder, *args)
    except Exception as error:
        (folder / f"rank{rank}-error.txt").write_text(_describe(error), encoding="utf-8")
        raise


def _describe(error: Exception) -> str:
    """One line a learner reads first, then the rank's traceback."""
    where = where_in_kata(pytest.ExceptionInfo.from_exception(error))
    if isinstance(error, NotImplementedError) and where:
        headline = f"not done yet: {where[0]}::{where[1]}"
    else:
        place = f" ({where[0]}, line {where[2]}, in {where[1]})" if where else ""
        headline = f"{type(error).__name__}: {error}{place}"
    return f"{headline}\n\n{''.join(traceback.format_exception(error))}"
