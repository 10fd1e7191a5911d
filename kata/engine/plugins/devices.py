"""The ``device`` and ``shape_device`` fixtures, and skips for devices this machine lacks.

``device`` runs a test on the CPU, on the stand-in second device that every machine has
(``kata/engine/standin.py``: a forgotten ``.to(device)`` fails there as it does on a GPU),
and on each GPU this torch knows. A test parametrized over a device this machine lacks is
skipped at collection, before its tests are counted, not when it runs.
"""

from __future__ import annotations

import pytest
import torch

from kata.engine import standin

standin.install()  # now, before any test's backward pass: see standin.install


def available(name: str) -> bool:
    if name == "cuda":
        return torch.cuda.is_available()
    if name == "mps":
        return torch.backends.mps.is_available()
    return True


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        device = item.callspec.params.get("device") if hasattr(item, "callspec") else None
        if isinstance(device, str) and not available(device):
            item.add_marker(pytest.mark.skip(reason=f"no {device} device on this machine"))


@pytest.fixture(params=["cpu", "standin", "cuda", "mps"])
def device(request: pytest.FixtureRequest) -> torch.device:
    """The CPU, the stand-in, and every GPU this torch can use; the ones missing are skipped."""
    if request.param == standin.NAME:
        return standin.device()
    if not available(request.param):
        pytest.skip(f"no {request.param} device on this machine")
    return torch.device(request.param)


@pytest.fixture(params=["meta", "cpu"])
def shape_device(request: pytest.FixtureRequest) -> torch.device:
    """For tests of shapes alone: the meta device computes shapes without touching data."""
    return torch.device(request.param)
