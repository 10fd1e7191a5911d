"""`make bench`: the training step timed, yours against the reference, as a share of the
machine's matmul peak. `make test` runs each benchmark once (--benchmark-disable) as a check.

What is timed is built in benchmarks/problems.py, timed and counted in benchmarks/measure.py,
and reported by benchmarks/report.py; the root conftest gives the `device` fixture, the seeds
and the pristine torch state.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch

from benchmarks import measure, report

_ROWS: list[report.Row] = []
_PEAKS: dict[str, float] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--bench-compile", action="store_true", help="also time the step under torch.compile"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """No benchmark runs on the stand-in device (kata/engine/standin.py): it computes on
    the CPU through Python, so it would time itself, not a device."""
    standin = [
        i
        for i in items
        if getattr(i, "callspec", None) and i.callspec.params.get("device") == "standin"
    ]
    if standin:
        config.hook.pytest_deselected(items=standin)
        items[:] = [i for i in items if i not in standin]


@pytest.fixture
def peak_flops(device: torch.device) -> Callable[[], float]:
    """torch.mm's FLOP/s on this device with the current thread count, measured the first
    time it is asked for (so never when benchmarks are disabled), then remembered."""

    def peak() -> float:
        key = f"{device.type}, {torch.get_num_threads()} threads"
        if key not in _PEAKS:
            _PEAKS[key] = measure.matmul_peak(device)
        return _PEAKS[key]

    return peak


@pytest.fixture
def rows() -> list[report.Row]:
    """Where each benchmark leaves its Row for the report after the run."""
    return _ROWS


@pytest.hookimpl(trylast=True)  # after pytest-benchmark's own tables
def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    if _ROWS:
        terminalreporter.section("training step: FLOP rate and time per sample")
        report.write_report(terminalreporter.write_line, _ROWS, _PEAKS)
