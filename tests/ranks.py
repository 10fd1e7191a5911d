"""Run a test's function on several ranks, each a fresh process, with this process's katas.

A rank is a new interpreter, without the import hook that picks the implementation
(kata/engine/impl.py). So the function travels by name, and each rank first redirects the
kata imports as this process does, then imports the function's module:
``from kata.<name> import ...`` there gives the same files as here.

On Linux the ranks come from a fork server (torch.multiprocessing's "forkserver" start
method) that imports torch and torch._dynamo once, and nothing of the katas; each rank forks
from it with both already imported. Elsewhere the ranks are spawned (macOS does not promise
that a fork of a process with torch loaded works; Windows cannot fork), and every rank
imports both again (DistributedDataParallel imports torch._dynamo): about 3 s of CPU each.

A rank's exception comes back as a RankError that names the rank; a rank that hangs is
stopped after ``timeout_s``. The ranks share out this process's torch threads (the
conftest's count, one by default): while they run, this process only waits for them.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
import torch.multiprocessing as mp

from kata.engine import impl
from kata.engine.results import where_in_kata

if sys.platform == "linux":
    _START_METHOD = "forkserver"
    multiprocessing.get_context("forkserver").set_forkserver_preload(["torch", "torch._dynamo"])
else:
    _START_METHOD = "spawn"


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
    threads = max(1, torch.get_num_threads() // world_size)
    context = mp.start_processes(
        _rank_main,
        args=(world_size, threads, dict(os.environ), impl.redirected(), target, folder, args),
        nprocs=world_size,
        join=False,
        start_method=_START_METHOD,
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


def _rank_main(
    rank: int,
    world_size: int,
    threads: int,
    environ: dict,
    files: dict,
    target: tuple,
    folder: Path,
    args,
):
    torch.set_num_threads(threads)
    os.environ.clear()  # a fork server's environment dates from its start: take this run's
    os.environ.update(environ)
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
