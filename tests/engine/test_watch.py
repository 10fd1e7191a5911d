"""``python -m kata watch``: a save reruns the kata, answered by a warm worker process.

The watch runs as a subprocess on a copy of the project, so a save there is a real save.
Every wait has a time limit, and each watch is stopped, with all its processes, at the end.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kata.engine import watch
from kata.engine.curriculum import BY_NAME, ROOT

KATA = BY_NAME["bug_item_and_view"]  # four quick tests; its stub fails them
ANSWERED = re.compile(r"answered in [\d.]+ s")
PASSING = re.compile(rf"{KATA.name}: all \d+ tests pass")
FAILING = re.compile(r"RuntimeError: a Tensor with \d+ elements cannot be converted to Scalar")
FIRST_RUN_S = 180  # a fresh process imports torch, on a machine that may be busy
RUN_S = 90


def _copy_project(target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", ".hypothesis")
    for folder in ("kata", "tests"):
        shutil.copytree(ROOT / folder, target / folder, ignore=ignore)
    for name in ("conftest.py", "pyproject.toml"):
        shutil.copy(ROOT / name, target)
    return target


class Watcher:
    """``python -m kata watch KATA`` in its own process group, its output read line by line."""

    def __init__(self, project: Path, kata: str):
        # As a learner starts it: none of this test session's settings leak in.
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("PYTEST_", "KATA_")) and name != "PYTHONPATH"
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kata", "watch", kata],
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own group: stop() can reach every process it made
        )
        self.lines: list[str] = []
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()

    @property
    def output(self) -> str:
        with self.changed:
            return "".join(self.lines)

    def answers(self) -> int:
        return len(ANSWERED.findall(self.output))

    def wait_for_answer(self, number: int, timeout: float) -> str:
        """The output once it holds ``number`` answers; fails after ``timeout`` seconds."""
        __tracebackhide__ = True
        with self.changed:
            if not self.changed.wait_for(lambda: self.answers() >= number, timeout=timeout):
                pytest.fail(
                    f"no answer {number} within {timeout} s; the watch printed:\n{self.output}"
                )
        return self.output

    def stop(self) -> bool:
        """SIGTERM to the watch alone; True if it ended and its worker with it."""
        self.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, 0)  # anyone left in its group?
            except ProcessLookupError:
                return True
            self.process.poll()  # reap the watch itself once it ends
            time.sleep(0.1)
        return False

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)


@pytest.fixture
def project(tmp_path) -> Path:
    return _copy_project(tmp_path / "project")


@pytest.fixture
def start_watch(project):
    watchers = []

    def start() -> Watcher:
        watchers.append(Watcher(project, KATA.name))
        return watchers[-1]

    yield start
    for watcher in watchers:
        watcher.kill()


def _save_in_bursts(path: Path, text: str) -> None:
    """Save as editors do: truncate, then write in several pieces."""
    with path.open("w", encoding="utf-8") as file:
        for start in range(0, len(text), 200):
            file.write(text[start : start + 200])
            file.flush()
            time.sleep(0.01)


@pytest.mark.skipif(sys.platform == "win32", reason="process groups are POSIX")
@pytest.mark.timeout(FIRST_RUN_S + 4 * RUN_S)
def test_every_save_reruns_the_kata_against_the_file_as_saved(project, start_watch):
    learner_file = project / "kata" / f"{KATA.name}.py"
    stub = learner_file.read_text(encoding="utf-8")
    watcher = start_watch()
    assert FAILING.search(watcher.wait_for_answer(1, FIRST_RUN_S))

    _save_in_bursts(learner_file, KATA.reference_path.read_text(encoding="utf-8"))
    second = watcher.wait_for_answer(2, RUN_S).split("saved: running...")[-1]
    assert PASSING.search(second), second

    _save_in_bursts(learner_file, stub)
    third = watcher.wait_for_answer(3, RUN_S).split("saved: running...")[-1]
    assert FAILING.search(third) and not PASSING.search(third), third

    time.sleep(2 * watch.DEBOUNCE_S + 1)  # a burst gives one run, and a run makes no save
    assert watcher.answers() == 3, watcher.output
    assert watcher.stop(), "the watch or its worker was still running 30 s after SIGTERM"


@pytest.mark.skipif(sys.platform == "win32", reason="process groups are POSIX")
@pytest.mark.timeout(FIRST_RUN_S + 3 * RUN_S)
def test_code_that_kills_the_worker_is_reported_and_a_fresh_worker_takes_over(project, start_watch):
    learner_file = project / "kata" / f"{KATA.name}.py"
    watcher = start_watch()
    watcher.wait_for_answer(1, FIRST_RUN_S)

    reference = KATA.reference_path.read_text(encoding="utf-8")
    exits = reference.replace("    return (predictions", "    os._exit(3)\n    return (predictions")
    learner_file.write_text("import os\n" + exits, encoding="utf-8")
    crash = watcher.wait_for_answer(2, FIRST_RUN_S).split("saved: running...")[-1]
    assert "The warm process died during this run (exit code 3)" in crash, crash
    # The same run in a fresh process names the test that was running.
    assert f"tests/test_{KATA.name}.py::test_mean_absolute_error" in crash, crash

    learner_file.write_text(reference, encoding="utf-8")
    after = watcher.wait_for_answer(3, FIRST_RUN_S).split("saved: running...")[-1]
    assert PASSING.search(after), after


@pytest.mark.parametrize(
    ("path", "watched"),
    [
        ("kata/tensors.py", True),
        ("tests/test_tensors.py", True),
        ("tests/checks.py", True),
        ("kata/.tensors.py.swp", False),  # vim
        ("kata/.#tensors.py", False),  # emacs' lock
        ("kata/tensors.py~", False),
        ("kata/__pycache__/tensors.cpython-311.pyc", False),
        ("kata/solutions/tensors.py", False),
        ("tests/variants/tensors.py", False),
        (".kata/backups/tensors-20250101-000000.py", False),
        ("conftest.py", False),
    ],
    ids=lambda value: str(value).replace("tensors", "KATA"),  # `-k <kata>` must stay exact
)
def test_the_watch_reruns_for_kata_and_test_modules_alone(path, watched):
    assert watch.is_source(str(ROOT / path)) is watched


def test_forgetting_drops_kata_and_test_modules_and_keeps_torch(monkeypatch):
    modules = dict.fromkeys(
        ["torch", "pytest", "conftest", "kata", "kata.engine.cli", "kata.solutions.tensors"]
    )
    forgotten = dict.fromkeys(["kata.tensors", "kata.autograd", "tests.test_tensors"])
    monkeypatch.setattr(sys, "modules", {**modules, **forgotten})
    watch.forget_learner_modules()
    left = set(sys.modules)
    monkeypatch.undo()
    assert left == set(modules)
