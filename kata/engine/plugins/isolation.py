"""Each test starts from pristine global torch state and a seed of its own, and leaves no
trace: one kata's bug (a forgotten ``set_grad_enabled(True)``, say) never fails another.

What "pristine" is gets settled once, on import, before any kata module is imported (kata
modules load at collection): the thread count, then a snapshot of the global torch state.
"""

from __future__ import annotations

import gc
import os
import random
import zlib

import hypothesis
import numpy as np
import pytest
import torch

from kata.engine import guard

SEED_ENV_VAR = "KATA_SEED_OFFSET"  # shifts every test's seed: `python -m kata stress`


class _TorchRandom:
    """torch's global RNG as hypothesis wants it, so every failing example replays."""

    def seed(self, seed: int) -> None:
        torch.manual_seed(seed)

    def getstate(self) -> torch.Tensor:
        return torch.get_rng_state()

    def setstate(self, state: torch.Tensor) -> None:
        torch.set_rng_state(state)


_TORCH_RANDOM = _TorchRandom()  # hypothesis holds it weakly: keep this reference
hypothesis.register_random(_TORCH_RANDOM)

# The ~170,000 objects made by importing torch, numpy and hypothesis live as long as the
# process: freeze them, so each later gc.collect() (pytest calls it at exit) skips them.
gc.freeze()

# Torch threads, set once before _PRISTINE takes the count as pristine. One by default: a
# parallel op waits for its slowest thread, and with another process busy on one of two
# cores, two threads trained the capstones 20 to 50 times slower than one (a correct one
# ran into the timeout). Under pytest-xdist (`make test` runs a worker per core) each
# worker gets its share of the cores instead. KATA_THREADS=<n> sets the count for any run.
_XDIST_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
_THREADS = max(1, (os.cpu_count() or 1) // _XDIST_WORKERS) if _XDIST_WORKERS > 1 else 1
torch.set_num_threads(int(os.environ.get("KATA_THREADS", _THREADS)))

_PRISTINE = guard.global_torch_state()  # taken before any kata module is imported


def seed_of(nodeid: str) -> int:
    """The seed a test gets: from its node id, shifted by ``KATA_SEED_OFFSET``."""
    offset = int(os.environ.get(SEED_ENV_VAR, "0"))
    return (zlib.crc32(nodeid.encode()) + offset) % 2**32


@pytest.fixture(autouse=True)
def _isolated_torch(request: pytest.FixtureRequest):
    guard.restore_global_torch_state(_PRISTINE)
    seed = seed_of(request.node.nodeid)
    torch.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
    yield
    guard.restore_global_torch_state(_PRISTINE)
