"""A pytest plugin that writes each kata test's outcome to a JSON file, for ``python -m kata``.

One of the plugins the conftest lists; it records only when asked:
``pytest --kata-results=out.json``. Also home to ``kata_of`` and ``where_in_kata``, which
the other plugins use to tell a kata's tests and to point at the learner's line.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from kata.engine.curriculum import BY_NAME, CURRICULUM
from kata.engine.impl import display_path
from kata.engine.plugins import option_group

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


_BY_TEST_FILE = {kata.test_path.name: kata for kata in CURRICULUM}


def kata_of(nodeid: str) -> str | None:
    """``tests/test_<name>.py::test_x`` -> ``<name>``; None for tests of no kata."""
    path = Path(nodeid.split("::")[0])
    kata = _BY_TEST_FILE.get(path.name)
    return kata.name if kata and path.parent.name == kata.test_path.parent.name else None


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


def _import_error(report: pytest.CollectReport) -> str:
    """Why a test file did not import: the end of the traceback, where the learner's file,
    line and error (a SyntaxError's caret included) are; pytest's own frames come first."""
    lines = report.longreprtext.strip().splitlines()
    lines = [line for line in lines if line.strip() and not set(line.strip()) <= {"-", "_", "="}]
    if len(lines) > MESSAGE_LINES:
        lines = ["...", *lines[-MESSAGE_LINES:]]
    return "\n".join(lines)


def _skipped_at_collection(item: pytest.Item) -> bool:
    return any(mark.name == "skip" for mark in item.iter_markers())


def pytest_addoption(parser: pytest.Parser) -> None:
    group = option_group(parser)
    group.addoption("--kata-results", help="write each kata test's outcome to this JSON file")
    group.addoption(
        "--kata-stop-early",
        action="store_true",
        help="stop before the kata that follows the first unfinished one",
    )
    group.addoption(
        "--kata-derandomize",
        default="",
        help="comma-separated katas whose properties run derandomized, with no example "
        "database (katas already done: their verdict must not flip on a new random example)",
    )


class _Recorder:
    def __init__(self, path: Path, stop_early: bool, derandomize: set[str], limit: float):
        self.path = path
        self.stop_early = stop_early
        self.derandomize = derandomize
        self.limit = limit  # the per-test time limit: the runner's deadline follows it
        self.tests: dict[str, dict] = {}
        self.broken: dict[str, str] = {}
        self.collected: dict[str, int] = {}
        self.unfinished = False
        self.running: str | None = None  # kept on disk, so a crash still names its test
        self.started = 0.0

    def _write(self) -> None:
        results = {"tests": list(self.tests.values()), "broken": self.broken}
        results["collected"] = self.collected
        results["running"] = self.running
        results["started"] = self.started
        results["limit"] = self.limit
        self.path.write_text(json.dumps(results, indent=1), encoding="utf-8")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            kata = kata_of(item.nodeid)
            if kata and not _skipped_at_collection(item):
                self.collected[kata] = self.collected.get(kata, 0) + 1
            if kata in self.derandomize:
                _derandomize(item)
        if self.stop_early and self.broken:  # nothing after the first kata that is broken
            order = list(BY_NAME)
            first = min(order.index(name) for name in self.broken)
            items[:] = [i for i in items if order.index(kata_of(i.nodeid) or first) < first]

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None):
        self.running, self.started = item.nodeid, time.time()
        self._write()
        result = yield
        kata = kata_of(item.nodeid)
        next_kata = kata_of(nextitem.nodeid) if nextitem else None
        if self.stop_early and self.unfinished and next_kata != kata:
            item.session.shouldstop = "found the first unfinished kata"
        return result

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        kata = kata_of(report.nodeid)
        if report.failed and kata:
            self.broken[kata] = _import_error(report)

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
            properties = dict(report.user_properties)
            if "notes" in properties:
                entry["message"] += f"\n{properties['notes']}"
            if "raised_in" in properties:
                entry["message"] += f"\n(raised in {properties['raised_in']})"
            if "explained" in properties:  # what a common torch error means, in a sentence
                entry["message"] += f"\n{properties['explained']}"
            if "timeout" in properties:
                entry["timeout"] = True

    def pytest_sessionfinish(self) -> None:
        self.running = None
        self._write()


def _derandomize(item: pytest.Item) -> None:
    test = getattr(item, "obj", None)
    settings = getattr(test, "_hypothesis_internal_use_settings", None)
    if settings is not None:
        import hypothesis

        test._hypothesis_internal_use_settings = hypothesis.settings(
            settings, derandomize=True, database=None
        )


def _time_limit(config: pytest.Config) -> float:
    try:
        from pytest_timeout import get_env_settings
    except ImportError:
        return 0.0
    return float(get_env_settings(config).timeout or 0.0)


def pytest_configure(config: pytest.Config) -> None:
    target = config.getoption("--kata-results")
    if target:
        derandomize = set(filter(None, config.getoption("--kata-derandomize").split(",")))
        recorder = _Recorder(
            Path(target), config.getoption("--kata-stop-early"), derandomize, _time_limit(config)
        )
        config.pluginmanager.register(recorder, "kata-results-recorder")
