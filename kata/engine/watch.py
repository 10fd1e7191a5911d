"""``python -m kata watch``: rerun ``next`` on every save, answered by a warm process.

This process watches ``kata/*.py`` and ``tests/*.py`` (watchdog) and reads the keys; a worker
process, spawned once with torch, pytest and hypothesis imported, answers each run. In the
worker ``runner.run_pytest`` is ``pytest.main`` in the same process, after the learner's
modules are forgotten, so a save costs the tests alone, not a fresh ``import torch``.
Learner code that kills the worker (``os._exit``, a segfault) has its run repeated in a fresh
process, which names the test, and a fresh worker takes over. A loop that never ends is
stopped by the suite's per-test time limit; ``r`` during a run starts over in a fresh worker.
"""

from __future__ import annotations

import contextlib
import functools
import io
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

from kata.engine import cli, display, impl, runner
from kata.engine.curriculum import CURRICULUM, ROOT

WATCHED = ("kata", "tests")  # their *.py files, not their subfolders
SAVED = {"created", "modified", "moved", "deleted", "closed", "attrib"}  # not opened, read
DEBOUNCE_S = 0.2  # an editor saves in several writes: run once they have gone quiet
KEYS = "h: hint   r: rerun   q: quit"
CLEAR = "\033[H\033[2J\033[3J"  # cursor home, clear the screen and its scrollback


def is_source(path: str | bytes, root: Path = ROOT) -> bool:
    """A kata or test module, not an editor's swap or lock file, nor a cache."""
    file = Path(os.fsdecode(path))
    hidden = file.name.startswith((".", "#"))  # .x.py.swp, .#x.py (emacs), #x.py#
    return file.suffix == ".py" and not hidden and file.parent in {root / d for d in WATCHED}


# --- the worker: a warm process that runs `python -m kata next` in itself ------------------


def forget_learner_modules() -> None:
    """Drop the kata and test modules the last session imported, so the next imports the
    files as they are now; torch, pytest, the conftest and the engine stay imported."""
    katas = {kata.module for kata in CURRICULUM}
    for name in list(sys.modules):
        if name in katas or name.startswith("tests."):
            del sys.modules[name]


@contextlib.contextmanager
def _silenced() -> Iterator[None]:
    """Send stdout and stderr nowhere, Python's objects and the file descriptors alike."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with open(os.devnull, "w") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


class _Pristine:
    """What a run may change outside torch and leave changed for the next: the working
    folder, the environment, the import path. Taken once, restored before every run."""

    def __init__(self) -> None:
        self.cwd = os.getcwd()
        self.environ = dict(os.environ)
        self.path = list(sys.path)

    def restore(self) -> None:
        os.chdir(self.cwd)
        if os.environ != self.environ:
            os.environ.clear()
            os.environ.update(self.environ)
        sys.path[:] = self.path


def run_pytest_in_process(args: list[str], pristine: _Pristine | None = None) -> int:
    """``runner.run_pytest`` in the worker: one pytest session in this process, against the
    files as they are now (the learner's modules are imported afresh)."""
    import pytest

    if pristine is not None:
        pristine.restore()
    forget_learner_modules()
    with _silenced():
        return int(pytest.main(args))


def _serve(connection) -> None:
    """The worker's loop: run each ``python -m kata`` command line the parent sends, send
    back what it printed and its exit code; end when the parent goes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the terminal is the parent's
    os.chdir(ROOT)
    os.environ[impl.ENV_VAR] = "kata"
    os.environ[display.WATCHING_ENV_VAR] = "1"  # the next step's footer need not offer watch
    # Imported once, here: every run after the first finds them imported.
    import hypothesis
    import pytest
    import torch

    runner.run_pytest = functools.partial(run_pytest_in_process, pristine=_Pristine())
    while True:
        try:
            argv = connection.recv()
        except (EOFError, OSError):
            return
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                code = cli.main(argv)
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
            printed.write(f"{stop.code}\n" if isinstance(stop.code, str) else "")
        except Exception:
            code = 1
            printed.write(f"the run failed inside torch-kata:\n{traceback.format_exc()}")
        connection.send((printed.getvalue(), code))


class Worker:
    """A warm worker process and the pipe to it."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, theirs = context.Pipe()
        # Not a daemon: some katas' tests start processes of their own.
        self.process = context.Process(target=_serve, args=(theirs,))
        self.process.start()
        theirs.close()  # theirs alone now: when the worker dies, recv() ends with EOFError

    def run(self, argv: list[str], events: queue.Queue) -> None:
        """Start one run; its answer comes as ("done", self, (text, code)), or ("crashed",
        self, exit code) if the worker dies first."""
        try:
            self.connection.send(argv)
        except OSError:
            events.put(("crashed", self, self._exitcode()))
            return
        threading.Thread(target=self._answer, args=(events,), daemon=True).start()

    def _answer(self, events: queue.Queue) -> None:
        try:
            events.put(("done", self, self.connection.recv()))
        except (EOFError, OSError):
            events.put(("crashed", self, self._exitcode()))

    def _exitcode(self) -> int | None:
        self.process.join(timeout=5)
        return self.process.exitcode

    def stop(self) -> None:
        self.connection.close()
        self.process.terminate()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def crash_note(exitcode: int | None) -> str:
    how = f"exit code {exitcode}"
    if exitcode is not None and exitcode < 0:
        how = f"signal {signal.Signals(-exitcode).name}"
    return (
        f"The warm process died during this run ({how}), so the run above was\n"
        "repeated in a fresh process, which names the test. A fresh warm process is starting."
    )


# --- the parent: files, keys, screen -----------------------------------------------------


def _saves(events: queue.Queue, root: Path):
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    class Saves(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            path = getattr(event, "dest_path", "") or event.src_path  # a move: where it went
            if not event.is_directory and event.event_type in SAVED and is_source(path, root):
                events.put(("saved", None, os.fsdecode(path)))

    observer = Observer()
    for folder in WATCHED:
        observer.schedule(Saves(), str(root / folder), recursive=False)
    return observer


@contextlib.contextmanager
def _keys(events: queue.Queue) -> Iterator[bool]:
    """Single keys from a terminal (cbreak mode, restored on exit); True when there are."""
    try:
        import termios
        import tty
    except ImportError:  # Windows: no keys, saves alone
        yield False
        return
    if not sys.stdin.isatty():
        yield False
        return
    fd = sys.stdin.fileno()
    before = termios.tcgetattr(fd)

    def read() -> None:
        while key := os.read(fd, 1):
            events.put(("key", None, key.decode(errors="replace").lower()))

    tty.setcbreak(fd)
    try:
        threading.Thread(target=read, daemon=True).start()
        yield True
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, before)


def _stop_on_signal(signum, frame) -> None:
    raise SystemExit(0)  # SIGTERM, SIGHUP: leave through the finally blocks


class Watch:
    """The loop's state: the warm worker, when the next run is due, the run in progress."""

    def __init__(self, kata: str | None, events: queue.Queue, keys: bool):
        self.kata = kata
        self.argv = ["next", *([kata] if kata else [])]
        self.events = events
        self.worker = Worker()
        self.due: float | None = time.monotonic()  # when the next run starts
        self.started: float | None = None  # when the run in progress started
        self.footer = KEYS if keys else "save a file in kata/ or tests/ to rerun; Ctrl-C quits"

    def step(self) -> bool:
        """Start a run that is due, then handle one event; False once the learner quits."""
        now = time.monotonic()
        if self.due is not None and self.started is None and now >= self.due:
            self.due, self.started = None, now
            self.worker.run(self.argv, self.events)
        idle = self.due is None or self.started is not None
        try:
            kind, source, value = self.events.get(timeout=1.0 if idle else self.due - now)
        except queue.Empty:
            return True
        if kind == "saved":
            if self.started is None and self.due is None:
                print(f"\n{Path(value).relative_to(ROOT)} saved: running...", flush=True)
            self.due = time.monotonic() + DEBOUNCE_S
        elif kind == "key":
            return self.key(value)
        elif source is self.worker:  # not the answer of a worker stopped since
            self.answer(kind, value)
        return True

    def key(self, key: str) -> bool:
        if key == "q":
            return False
        if key == "h":
            print()
            cli.main(["hint", *([self.kata] if self.kata else [])])
            print(f"\n{self.footer}", flush=True)
        elif key == "r" and self.started is None:
            print("\nrunning...", flush=True)
            self.due = time.monotonic()
        elif key == "r":  # stuck (in a C++ call, say): start over in a fresh worker
            print("\nstopping this run: a fresh warm process reruns it...", flush=True)
            self.worker.stop()
            self.worker = Worker()
            self.started, self.due = None, time.monotonic()
        return True

    def answer(self, kind: str, value) -> None:
        started, self.started = self.started or time.monotonic(), None
        if kind == "done" and self.due is not None:
            return  # saved again during the run: this answer is out of date
        if kind == "done":
            text = value[0]
        else:
            self.worker = Worker()
            text = self.cold_run() + crash_note(value) + "\n"
        seconds = time.monotonic() - started
        print((CLEAR if sys.stdout.isatty() else "") + text, end="")
        print(f"\n{self.footer}   (answered in {seconds:.1f} s)", flush=True)

    def cold_run(self) -> str:
        """The same run in this process, through the default runner: a fresh pytest process
        that, when the learner's code kills it, names the test it was in."""
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            try:
                cli.main(self.argv)
            except SystemExit as stop:
                print(stop.code if isinstance(stop.code, str) else "")
        return printed.getvalue() + "\n"

    def close(self) -> None:
        self.worker.stop()


def watch(kata: str | None) -> int:
    """Run ``next`` (or ``next KATA``) now and after every save, until q or Ctrl-C."""
    print("starting: the first run imports torch, the next ones reuse it", flush=True)
    events: queue.Queue = queue.Queue()
    with contextlib.ExitStack() as stack:  # undone in reverse: worker, watcher, terminal
        for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
            if signum is not None:
                stack.callback(signal.signal, signum, signal.signal(signum, _stop_on_signal))
        keys = stack.enter_context(_keys(events))
        observer = _saves(events, ROOT)
        observer.start()
        stack.callback(observer.join, timeout=5)
        stack.callback(observer.stop)
        loop = Watch(kata, events, keys)
        stack.callback(loop.close)
        with contextlib.suppress(KeyboardInterrupt):
            while loop.step():
                pass
    return 0


def main(kata: str | None) -> int:
    try:
        import watchdog
    except ImportError:
        print("`make watch` needs watchdog: pip install watchdog (the dev extra has it)")
        return 1
    return watch(kata)
