"""A pytest plugin that protects the learner from their own code, and one kata from another.

- **Global torch state**: what a kata module changes when it is imported (a default device,
  grad mode off) is found when its test file is collected, undone, and reported against
  that kata, which then counts as broken; the other katas never see it.
- **Time limits that cannot be swallowed**: pytest-timeout's limit raises ``KataTimeout``,
  a ``BaseException``, so neither hypothesis' retries nor the learner's ``except
  Exception`` can catch it; it keeps firing every second until the test gives up. After
  the first timeout in a kata, that kata's other tests are skipped: one hang costs one limit.
- **Reports in the learner's terms**: "not done yet: kata/x.py::fn" for a stub, the line a
  stopped loop was on, "expected ValueError, got TypeError", and where an example that
  hypothesis replayed from ``.hypothesis/`` came from.
"""

from __future__ import annotations

import ast
import functools
import signal
import threading

import pytest
import torch

from kata.engine.results import kata_of, where_in_kata

TIMEOUT_ADVICE = "does a loop in your code never end?"
REPLAYED_ADVICE = (
    "hypothesis replayed this example from .hypothesis/, where an earlier run saved it. If "
    "your code is right now and this still fails, the example is real; if you think it is "
    "stale, delete the .hypothesis folder and run again."
)
_TIMED_OUT = pytest.StashKey[dict]()  # on the config: kata -> its test that was stopped
_LIMIT = pytest.StashKey[float]()  # on an item: the limit its timer was set to
_REPLAYED = pytest.StashKey[bool]()


class KataTimeout(BaseException):
    """The per-test time limit ran out. A BaseException, so that nothing retries past it."""


# ---- global torch state --------------------------------------------------------------


def _default_device() -> str | None:
    """The device set with torch.set_default_device, or None when none is set (cpu)."""
    context = getattr(torch._GLOBAL_DEVICE_CONTEXT, "device_context", None)
    return None if context is None else str(context.device)


_GETTERS = {
    "grad mode": torch.is_grad_enabled,
    "default dtype": torch.get_default_dtype,
    "threads": torch.get_num_threads,
    "anomaly mode": torch.is_anomaly_enabled,
    "deterministic algorithms": torch.are_deterministic_algorithms_enabled,
    "default device": _default_device,
}
_SETTERS = {
    "grad mode": torch.set_grad_enabled,
    "default dtype": torch.set_default_dtype,
    "threads": torch.set_num_threads,
    "anomaly mode": torch.set_anomaly_enabled,
    "deterministic algorithms": torch.use_deterministic_algorithms,
    "default device": torch.set_default_device,  # None: no default device at all
}


def global_torch_state() -> dict:
    return {name: get() for name, get in _GETTERS.items()}


def restore_global_torch_state(pristine: dict) -> list[str]:
    """Put back every piece of ``pristine`` that differs now; say what differed."""
    changes = []
    for name, value in global_torch_state().items():
        if value != pristine[name]:
            changes.append(f"{name} {_shown(pristine[name])} -> {_shown(value)}")
            _SETTERS[name](pristine[name])
    return changes


def _shown(value) -> str:
    return "none set" if value is None else str(value)


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    """A kata whose module changes global torch state on import is broken, alone."""
    if not isinstance(collector, pytest.Module) or kata_of(collector.nodeid) is None:
        return (yield)
    before = global_torch_state()
    report = yield
    changes = restore_global_torch_state(before)
    if changes and report.passed:
        report.outcome = "failed"
        report.longrepr = (
            f"importing the code of {collector.nodeid} changed global torch state: "
            f"{'; '.join(changes)}. Change it inside a function (or a `with` block), "
            "never at import time: every other kata would run under it."
        )
        report.result = []
    return report


# ---- time limits -----------------------------------------------------------------------


# pytest-timeout's own hooks: optional, so that this plugin loads without pytest-timeout.
@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_timeout_set_timer(item: pytest.Item, settings) -> bool | None:
    """pytest-timeout's limit, raised as KataTimeout from SIGALRM (main thread only;
    elsewhere pytest-timeout's own method applies)."""
    if settings.method != "signal" or threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        raise KataTimeout(f"stopped after {settings.timeout:g} s")

    signal.signal(signal.SIGALRM, handler)
    # It fires again every second: a learner's `except BaseException` cannot keep it off.
    signal.setitimer(signal.ITIMER_REAL, settings.timeout, 1.0)
    item.stash[_LIMIT] = settings.timeout
    return True


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_timeout_cancel_timer(item: pytest.Item) -> bool | None:
    if _LIMIT not in item.stash:
        return None
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    return True


def pytest_runtest_setup(item: pytest.Item) -> None:
    stopped = item.config.stash.setdefault(_TIMED_OUT, {}).get(kata_of(item.nodeid))
    if stopped:
        pytest.skip(f"not run: {stopped} of the same kata was stopped by the time limit")


# ---- reports ---------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """Notes whether hypothesis has examples saved for this test before it runs."""
    item.stash[_REPLAYED] = _has_saved_examples(item)
    return (yield)


def _has_saved_examples(item: pytest.Item) -> bool:
    hypothesis_api = getattr(getattr(item, "obj", None), "hypothesis", None)
    settings = getattr(item.obj, "_hypothesis_internal_use_settings", None)
    if hypothesis_api is None or settings is None or settings.database is None:
        return False
    from hypothesis.internal.reflection import function_digest

    key = function_digest(hypothesis_api.inner_test)
    try:
        return any(True for _ in settings.database.fetch(key))
    except Exception:  # an unreadable database replays nothing
        return False


@pytest.hookimpl(tryfirst=True, specname="pytest_runtest_makereport")
def pytest_runtest_makereport_of_a_stub(item: pytest.Item, call: pytest.CallInfo):
    """A stub's NotImplementedError gets its one-line report ("not done yet") at once:
    pytest would first format a traceback only to throw it away, and on fresh stubs that
    formatting took a third of the run."""
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
    if where and excinfo.errisinstance(NotImplementedError):
        return report  # a stub: already reported as "not done yet"
    place = f"{where[0]}, line {where[2]}, in {where[1]}" if where else None
    if excinfo.errisinstance(KataTimeout):
        limit = item.stash.get(_LIMIT, 0.0)
        kata = kata_of(item.nodeid)
        if kata:
            item.config.stash.setdefault(_TIMED_OUT, {})[kata] = item.name
        at = f" (it was at {place})" if place else ""
        report.longrepr = f"{item.nodeid} was stopped after {limit:g} s{at}: {TIMEOUT_ADVICE}"
        report.user_properties.append(("timeout", str(limit)))
        return report
    notes = []
    expected = expected_exception(item, excinfo)
    if expected:
        notes.append(f"expected {expected}, but {excinfo.typename} was raised")
    if place:  # an error raised inside kata code: `make kata` shows where
        report.user_properties.append(("raised_in", place))
    if item.stash.get(_REPLAYED, False):
        notes.append(REPLAYED_ADVICE)
    if notes:
        report.user_properties.append(("notes", "\n".join(notes)))
        report.sections.append(("torch-kata", "\n".join(notes)))
    return report


def expected_exception(item: pytest.Item, excinfo: pytest.ExceptionInfo) -> str | None:
    """``ValueError`` when the exception escaped a ``with pytest.raises(ValueError...)``
    block of the test (it was another type), else None."""
    path = str(item.path)
    for entry in excinfo.traceback:
        if str(entry.path) == path:
            return _raises_at(path, entry.lineno + 1)
    return None


@functools.cache
def _raises_blocks(path: str) -> tuple[tuple[int, int, str], ...]:
    """Each ``with pytest.raises(X, ...)`` block of a test file: (first line, last, X)."""
    try:
        with open(path, encoding="utf-8") as file:
            tree = ast.parse(file.read())
    except (OSError, SyntaxError):
        return ()
    blocks = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.With):
            continue
        for with_item in node.items:
            call = with_item.context_expr
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "raises"
                and call.args
            ):
                blocks.append((node.body[0].lineno, node.end_lineno, ast.unparse(call.args[0])))
    return tuple(blocks)


def _raises_at(path: str, line: int) -> str | None:
    inside = [block for block in _raises_blocks(path) if block[0] <= line <= block[1]]
    return min(inside, key=lambda b: b[1] - b[0])[2] if inside else None
