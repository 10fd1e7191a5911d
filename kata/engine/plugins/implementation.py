"""``--impl``: which implementation ``import kata.<name>`` gives the tests.

``kata`` (the learner's files, the default), ``reference`` (``kata/solutions``) or ``stub``
(stubs generated afresh from the references into a folder that lives as long as the run).
``--kata-file <kata>=PATH`` loads one kata from another file still (``kata.check`` in a
notebook: the learner's file with the functions of a cell written over it).
The import hook that does the switching is ``kata.engine.impl``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable
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
    option_group(parser).addoption(
        "--kata-file",
        action="append",
        default=[],
        metavar="KATA=PATH",
        help="load that kata's module from PATH, whatever --impl says (repeatable)",
    )


def pytest_configure(config: pytest.Config) -> None:
    chosen = config.getoption("impl")
    stub_folder = None
    if chosen == "stub":
        stub_folder = Path(tempfile.mkdtemp(prefix="kata-stubs-"))
        config.add_cleanup(lambda: shutil.rmtree(stub_folder, ignore_errors=True))
    impl.install(chosen, stub_folder)
    files = {}
    for given in config.getoption("kata_file"):
        name, _, path = given.partition("=")
        if not path:
            raise pytest.UsageError(f"--kata-file takes KATA=PATH, not {given!r}")
        files[f"kata.{name}"] = Path(path)
    if files:
        impl.redirect(files)
        config.add_cleanup(_forgetting(files, sys.meta_path[0]))


def _forgetting(files: dict[str, Path], finder) -> Callable[[], None]:
    """What undoes ``--kata-file`` when the session ends (a session run in a process that
    goes on, as ``make watch`` runs them): its import hook and the modules it loaded."""

    def forget() -> None:
        if finder in sys.meta_path:
            sys.meta_path.remove(finder)
        for name in files:
            sys.modules.pop(name, None)

    return forget


def pytest_report_header(config: pytest.Config) -> str:
    return f"katas: --impl={config.getoption('impl')}"
