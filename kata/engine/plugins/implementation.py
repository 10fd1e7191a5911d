"""``--impl``: which implementation ``import kata.<name>`` gives the tests.

``kata`` (the learner's files, the default), ``reference`` (``kata/solutions``) or ``stub``
(stubs generated afresh from the references into a folder that lives as long as the run).
The import hook that does the switching is ``kata.engine.impl``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from kata.engine import impl
from kata.engine.plugins import option_group


def pytest_addoption(parser: pytest.Parser) -> None:
    option_group(parser).addoption(
        "--impl",
        choices=impl.IMPLS,
        default=os.environ.get(impl.ENV_VAR, "kata"),
        help="what the kata tests exercise: kata (your files, the default), reference "
        f"(kata/solutions), or stub (stubs generated afresh). Environment: {impl.ENV_VAR}.",
    )


def pytest_configure(config: pytest.Config) -> None:
    chosen = config.getoption("impl")
    stub_folder = None
    if chosen == "stub":
        stub_folder = Path(tempfile.mkdtemp(prefix="kata-stubs-"))
        config.add_cleanup(lambda: shutil.rmtree(stub_folder, ignore_errors=True))
    impl.install(chosen, stub_folder)


def pytest_report_header(config: pytest.Config) -> str:
    return f"katas: --impl={config.getoption('impl')}"
