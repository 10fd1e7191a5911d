"""A pytest plugin that writes each kata test's outcome to a JSON file, for ``python -m kata``.

Loaded on demand: ``pytest -p kata.engine.results --kata-results=out.json``.
Also home to ``where_in_kata``, which the conftest uses to point at the learner's line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kata.engine.curriculum import BY_NAME
from kata.engine.impl import display_path

MESSAGE_LINES = 15


def where_in_kata(excinfo: pytest.ExceptionInfo) -> tuple[str, str, int] | None:
    """The innermost frame of a kata module: (its file as the learner sees it, function, line)."""
    for entry in reversed(excinfo.traceback):
        module = entry.frame.f_globals.get("__name__", "")
        if module.removeprefix("kata.") in BY_NAME:
            code = entry.frame.code.raw
            function = getattr(code, "co_qualname", code.co_name)
            return display_path(module), function, entry.lineno + 1
    return None


def kata_of(nodeid: str) -> str | None:
    """``tests/test_autograd.py::test_x`` -> ``autograd``; None for tests of no kata."""
    path = Path(nodeid.split("::")[0])
    name = path.stem.removeprefix("test_")
    return name if path.parent.name == "tests" and name in BY_NAME else None


def _message(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, str):
        text = longrepr
    elif isinstance(longrepr, tuple):  # a skip: (path, line, reason)
        text = longrepr[2]
    else:
        crash = getattr(longrepr, "reprcrash", None)
        text = crash.message if crash else report.longreprtext
    lines = text.strip().splitlines()
    if len(lines) > MESSAGE_LINES:
        lines = [*lines[:MESSAGE_LINES], "..."]
    return "\n".join(lines)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--kata-results", help="write each kata test's outcome to this JSON file")
    parser.addoption(
        "--kata-stop-early",
        action="store_true",
        help="stop before the kata that follows the first unfinished one",
    )


class _Recorder:
    def __init__(self, path: Path, stop_early: bool):
        self.path = path
        self.stop_early = stop_early
        self.tests: dict[str, dict] = {}
        self.broken: dict[str, str] = {}
        self.collected: dict[str, int] = {}
        self.unfinished = False
        self.running: str | None = None  # kept on disk, so a crash still names its test

    def _write(self) -> None:
        results = {"tests": list(self.tests.values()), "broken": self.broken}
        results["collected"] = self.collected
        results["running"] = self.running
        self.path.write_text(json.dumps(results, indent=1), encoding="utf-8")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            kata = kata_of(item.nodeid)
            if kata:
                self.collected[kata] = self.collected.get(kata, 0) + 1
        self.unfinished = bool(self.broken)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None):
        result = yield
        next_kata = kata_of(nextitem.nodeid) if nextitem else None
        if self.stop_early and self.unfinished and next_kata != kata_of(item.nodeid):
            item.session.shouldstop = "found the first unfinished kata"
        return result

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self.running = nodeid
        self._write()

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        kata = kata_of(report.nodeid)
        if report.failed and kata:
            self.broken[kata] = _message(report)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        kata = kata_of(report.nodeid)
        if kata is None:
            return
        entry = self.tests.setdefault(
            report.nodeid,
            {
                "nodeid": report.nodeid,
                "kata": kata,
                "outcome": "passed",
                "line": report.location[1],
            },
        )
        self.unfinished = self.unfinished or report.failed
        if report.failed or (report.skipped and entry["outcome"] == "passed"):
            entry["outcome"] = "failed" if report.failed else "skipped"
            entry["message"] = _message(report)
            raised_in = dict(report.user_properties).get("raised_in")
            if raised_in:
                entry["message"] += f"\n(raised in {raised_in})"

    def pytest_sessionfinish(self) -> None:
        self.running = None
        self._write()


def pytest_configure(config: pytest.Config) -> None:
    target = config.getoption("--kata-results")
    if target:
        recorder = _Recorder(Path(target), config.getoption("--kata-stop-early"))
        config.pluginmanager.register(recorder, "kata-results-recorder")
