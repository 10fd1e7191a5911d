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

from kata.engine import impl
from kata.engine.curriculum import BY_NAME
from kata.engine.results import kata_of, where_in_kata

# Learners get quick feedback; `make test` asks for the `ci` profile (derandomized, more
# examples). Torch's first calls are slow, so no profile has a deadline.
# The explain phase reruns a failing test hundreds of times: seconds per test on a stub.
_PHASES = [p for p in hypothesis.Phase if p is not hypothesis.Phase.explain]
hypothesis.settings.register_profile("learner", max_examples=25, deadline=None, phases=_PHASES)
hypothesis.settings.register_profile(
    "ci", max_examples=100, deadline=None, derandomize=True, print_blob=True, phases=_PHASES
)
# `python -m kata variants` runs each kata's tests once per variant: fewer examples, and the
# same ones every time, so that whether a broken variant is caught never depends on luck.
# A variant only needs a failing example, not the smallest one: no shrinking.
hypothesis.settings.register_profile(
    "variants",
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

# Under pytest-xdist (`make test` runs a worker per core) each worker would start a thread
# per core: share the cores out, once per worker, before _PRISTINE takes it as pristine.
_XDIST_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
if _XDIST_WORKERS > 1:
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // _XDIST_WORKERS))


def _global_torch_state() -> dict:
    return {
        "grad": torch.is_grad_enabled(),
        "dtype": torch.get_default_dtype(),
        "threads": torch.get_num_threads(),
        "anomaly": torch.is_anomaly_enabled(),
        "deterministic": torch.are_deterministic_algorithms_enabled(),
        "device": torch.get_default_device(),
    }


_SETTERS = {
    "grad": torch.set_grad_enabled,
    "dtype": torch.set_default_dtype,
    "threads": torch.set_num_threads,
    "anomaly": torch.set_anomaly_enabled,
    "deterministic": torch.use_deterministic_algorithms,
    "device": torch.set_default_device,
}
_PRISTINE = _global_torch_state()  # taken before any kata module is imported


def _restore_global_torch_state() -> None:
    for key, value in _global_torch_state().items():
        if value != _PRISTINE[key]:
            _SETTERS[key](_PRISTINE[key])


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
    chosen = config.getoption("--impl")
    stub_folder = None
    if chosen == "stub":
        stub_folder = Path(tempfile.mkdtemp(prefix="kata-stubs-"))
        config.add_cleanup(lambda: shutil.rmtree(stub_folder, ignore_errors=True))
        # A stub fails on the first example; shrinking it would only burn time.
        hypothesis.settings.register_profile(
            "stub", max_examples=10, deadline=None, phases=[hypothesis.Phase.generate]
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
    if config.getoption("--impl") != "stub":
        return
    for item in items:
        if kata_of(item.nodeid) is None:
            raise pytest.UsageError(f"{item.nodeid} is no kata test: stubs prove kata tests only")
        item.add_marker(pytest.mark.xfail(strict=True, reason="must fail on the pristine stub"))


@pytest.hookimpl(tryfirst=True, specname="pytest_runtest_makereport")
def pytest_runtest_makereport_of_a_stub(item: pytest.Item, call: pytest.CallInfo):
    """A stub's NotImplementedError gets its one-line report ("not done yet") at once:
    pytest would first format a traceback for the wrapper below to throw away, and on
    fresh stubs that formatting took a third of the run."""
    excinfo = call.excinfo
    where = excinfo and excinfo.errisinstance(NotImplementedError) and where_in_kata(excinfo)
    if not where:
        return None
    longrepr = f"not done yet: {where[0]}::{where[1]}"
    keywords = dict.fromkeys(item.keywords, 1)
    times = {"duration": call.duration, "start": call.start, "stop": call.stop}
    return pytest.TestReport(
        item.nodeid, item.location, keywords, "failed", longrepr, call.when, **times
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    excinfo = call.excinfo
    if excinfo is None or report.outcome != "failed":
        return report
    where = where_in_kata(excinfo)
    if excinfo.errisinstance(NotImplementedError) and where:
        report.longrepr = f"not done yet: {where[0]}::{where[1]}"
    elif str(excinfo.value).startswith("Timeout") and "pytest-timeout" in str(excinfo.value):
        seconds = item.config.getini("timeout")
        place = f" (it was at {where[0]}, line {where[2]}, in {where[1]})" if where else ""
        report.longrepr = (
            f"{item.nodeid} was stopped after {seconds} s{place}: "
            "does a loop in your code never end?"
        )
    elif where:  # an error raised inside kata code: `make kata` shows where
        report.user_properties.append(("raised_in", f"{where[0]}, line {where[2]}, in {where[1]}"))
    return report


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
    _restore_global_torch_state()
    seed = zlib.crc32(request.node.nodeid.encode())
    torch.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
    yield
    _restore_global_torch_state()


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
