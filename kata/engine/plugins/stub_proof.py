"""The stub proof: under ``--impl=stub`` every kata test must fail on the fresh stubs.

Each kata test is expected to fail (a strict xfail), so a test that passes on a stub fails
the run, and the summary names it: it cannot tell a stub from a solution. Tests of no kata
are refused: a stub proves nothing about them.
"""

from __future__ import annotations

import pytest

from kata.engine.results import kata_of


def _proving(config: pytest.Config) -> bool:
    return config.getoption("impl", None) == "stub"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _proving(config):
        return
    for item in items:
        if kata_of(item.nodeid) is None:
            raise pytest.UsageError(f"{item.nodeid} is no kata test: stubs prove kata tests only")
        item.add_marker(pytest.mark.xfail(strict=True, reason="must fail on the pristine stub"))


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    if not _proving(config):
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
