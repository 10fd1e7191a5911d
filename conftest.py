"""Test-suite wiring: which implementation runs, learner protection, devices, seeds.

Each hook does one thing; the machinery lives in ``kata/engine``.
"""

from __future__ import annotations

import gc
import os
import random
import shutil
import tempfile
import zlib
from pathlib import Path

import hypothesis
import numpy as np
import pytest
import torch

from kata.engine import guard, impl
from kata.engine.curriculum import BY_NAME
from kata.engine.results import kata_of

# Learners get quick feedback; `make test` asks for the `ci` profile (derandomized, more
# examples). Torch's first calls are slow, so no profile has a deadline.
# The explain phase reruns a failing test hundreds of times: seconds per test on a stub.
# Every profile starts from hypothesis' defaults, not from whatever loaded first (with CI set,
# hypothesis loads its own `ci` profile, which has no example database). Only the learner's
# profile keeps one: a failing example replays until it passes. The maintainers' profiles
# write nothing to .hypothesis/, so no example found on a broken variant reaches a learner.
_DEFAULT = hypothesis.settings.get_profile("default")
_PHASES = [p for p in hypothesis.Phase if p is not hypothesis.Phase.explain]
hypothesis.settings.register_profile(
    "learner", _DEFAULT, max_examples=25, deadline=None, phases=_PHASES
)
hypothesis.settings.register_profile(
    "ci",
    _DEFAULT,
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    phases=_PHASES,
)
# `python -m kata variants` runs each kata's tests once per variant: fewer examples, and the
# same ones every time, so that whether a broken variant is caught never depends on luck.
# A variant only needs a failing example, not the smallest one: no shrinking.
hypothesis.settings.register_profile(
    "variants",
    _DEFAULT,
    database=None,
    max_examples=25,
    deadline=None,
    derandomize=True,
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)
hypothesis.settings.load_profile("learner")


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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--impl",
        choices=impl.IMPLS,
        default=os.environ.get(impl.ENV_VAR, "kata"),
        help="what the kata tests exercise: kata (your files, the default), reference "
        f"(kata/solutions), or stub (stubs generated afresh). Environment: {impl.ENV_VAR}.",
    )


@pytest.hookimpl(trylast=True)  # after hypothesis has loaded --hypothesis-profile
def pytest_configure(config: pytest.Config) -> None:
    # Learner protection (time limits, global state, reports) is a plugin of its own.
    if not config.pluginmanager.is_registered(guard):
        config.pluginmanager.register(guard, "kata-guard")
    chosen = config.getoption("--impl")
    stub_folder = None
    if chosen == "stub":
        stub_folder = Path(tempfile.mkdtemp(prefix="kata-stubs-"))
        config.add_cleanup(lambda: shutil.rmtree(stub_folder, ignore_errors=True))
        # A stub fails on the first example; shrinking it would only burn time.
        hypothesis.settings.register_profile(
            "stub",
            _DEFAULT,
            max_examples=10,
            deadline=None,
            database=None,
            phases=[hypothesis.Phase.generate],
        )
        hypothesis.settings.load_profile("stub")
    impl.install(chosen, stub_folder)


def pytest_report_header(config: pytest.Config) -> str:
    return f"katas: --impl={config.getoption('--impl')}"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """`pytest -k <kata>` imports that kata's test file alone: no test of another kata has
    its name in it (tests/engine checks that), so importing theirs would only cost time."""
    keyword = config.getoption("keyword").strip().lower()
    other = kata_of(str(collection_path))
    return True if keyword in BY_NAME and other not in (None, keyword) else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:  # a device this machine lacks is skipped before its tests are counted
        device = item.callspec.params.get("device") if hasattr(item, "callspec") else None
        if isinstance(device, str) and not _device_available(device):
            item.add_marker(pytest.mark.skip(reason=f"no {device} device on this machine"))
    if config.getoption("--impl") != "stub":
        return
    for item in items:
        if kata_of(item.nodeid) is None:
            raise pytest.UsageError(f"{item.nodeid} is no kata test: stubs prove kata tests only")
        item.add_marker(pytest.mark.xfail(strict=True, reason="must fail on the pristine stub"))


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    if config.getoption("--impl") != "stub":
        return
    failed = terminalreporter.stats.get("failed", [])
    passing_on_stub = [r.nodeid for r in failed if "XPASS(strict)" in str(r.longrepr)]
    proven = len(terminalreporter.stats.get("xfailed", []))
    if passing_on_stub:
        terminalreporter.section("tests that pass on the pristine stubs", red=True)
        for nodeid in passing_on_stub:
            terminalreporter.write_line(f"{nodeid}: cannot tell a stub from a solution")
    else:
        terminalreporter.write_line(f"stub check: all {proven} kata tests fail on fresh stubs.")


@pytest.fixture(autouse=True)
def _isolated_torch(request: pytest.FixtureRequest):
    """Each test starts from pristine global torch state and a seed of its own, and leaves
    no trace: one kata's bug (a forgotten set_grad_enabled(True), say) never fails another."""
    guard.restore_global_torch_state(_PRISTINE)
    # KATA_SEED_OFFSET shifts every test's seed (`python -m kata stress` draws a fresh one)
    offset = int(os.environ.get("KATA_SEED_OFFSET", "0"))
    seed = (zlib.crc32(request.node.nodeid.encode()) + offset) % 2**32
    torch.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
    yield
    guard.restore_global_torch_state(_PRISTINE)


def _device_available(name: str) -> bool:
    if name == "cuda":
        return torch.cuda.is_available()
    if name == "mps":
        return torch.backends.mps.is_available()
    return True


@pytest.fixture(params=["cpu", "cuda", "mps"])
def device(request: pytest.FixtureRequest) -> torch.device:
    """Every device this torch can use; the ones this machine lacks are skipped."""
    if not _device_available(request.param):
        pytest.skip(f"no {request.param} device on this machine")
    return torch.device(request.param)


@pytest.fixture(params=["meta", "cpu"])
def shape_device(request: pytest.FixtureRequest) -> torch.device:
    """For tests of shapes alone: the meta device computes shapes without touching data."""
    return torch.device(request.param)
