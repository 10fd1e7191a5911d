"""Which of a kata's tests can see a variant's edits: test impact selection, as mutation
testers do it.

A traced run of the kata's tests on its reference records, test by test, which functions
and methods of the reference ran (``sys.settrace``, looking at the reference's file alone).
A variant's edits change some functions; a test that runs none of them runs on the variant
exactly as on the reference, where it passes, so it need not run at all.

- An edit inside a function's body changes that function, the innermost one (a method, a
  nested function). An edit anywhere else changes the module, and every test runs: a
  module constant, an import, a class attribute, a default argument, a decorator, a
  docstring. Comments and layout change nothing.
- Appended code changes each reference function it redefines. A helper of its own (a new
  function or import whose name the reference never uses) changes nothing by itself; any
  other appended statement (a class, an assignment) changes the module.
- A test that ran a nested function counts as running the functions around it; all the
  parametrizations of a test count as one (a device thread can run what the cpu case ran
  here). Functions that ran while the test file was imported count for every test; those
  that ran while a fixture wider than one test was set up count for every test that uses
  it; test-module caches (``functools.cache``) are emptied before each traced test, so
  each test that reads one is seen calling what fills it.
- A process a test starts with ``multiprocessing`` (torch's spawned ranks, a DataLoader's
  workers) is traced in that process too. One it starts otherwise (a subprocess, a bare
  fork), or one that dies before it can say what it ran, counts as reaching everything.

Out of reach by design: a test that reads a function's code without calling it (its source
or ``__code__``), which no kata test does.
"""

from __future__ import annotations

import ast
import functools
import itertools
import json
import multiprocessing.process
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

EVERYTHING = "*"  # in a change: the module changed; in a reach: the test sees every function
_IMPORT = "<import>"  # what runs while the test file is collected


# ---- what a variant changes ---------------------------------------------------------------


def _qualname(scope: list[tuple[str, bool]], name: str) -> str:
    """As Python spells ``__qualname__``: ``C.method``, ``outer.<locals>.inner``."""
    parts = []
    for outer, is_function in scope:
        parts += [outer, "<locals>"] if is_function else [outer]
    return ".".join([*parts, name])


def _docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    first = body[0] if body else None
    is_doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    return [first] if is_doc and isinstance(first.value.value, str) else []


class _Split(ast.NodeTransformer):
    """Takes each function's own body out of the tree (a nested function's body out of its
    parent's): what is left is the module's skeleton, run when the module is imported."""

    def __init__(self):
        self.scope: list[tuple[str, bool]] = []
        self.bodies: dict[str, list[str]] = {}

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.ClassDef:
        self.scope.append((node.name, False))
        self.generic_visit(node)
        self.scope.pop()
        return node

    def _function(self, node):
        qualname = _qualname(self.scope, node.name)
        self.scope.append((node.name, True))
        self.generic_visit(node)
        self.scope.pop()
        doc = _docstring(node.body)
        own = ast.Module(body=node.body[len(doc) :], type_ignores=[])
        self.bodies.setdefault(qualname, []).append(ast.dump(own))
        node.body = doc  # a docstring can be read without a call: it stays in the skeleton
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = _function


def _split(source: str) -> tuple[str, dict[str, list[str]]]:
    splitter = _Split()
    skeleton = splitter.visit(ast.parse(source))
    return ast.dump(skeleton), splitter.bodies


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_HELPERS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Import, ast.ImportFrom)


def _names(tree: ast.AST) -> set[str]:
    """Every name the code reads or binds."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


def changed_functions(reference: str, edited: str, appended: str = "") -> frozenset[str]:
    """The qualnames of the reference's functions that ``edited`` (the reference with a
    variant's edits made) and ``appended`` (the code it adds at the end) change; a set
    holding EVERYTHING when they change the module itself. An empty set: nothing a test
    can see."""
    skeleton, bodies = _split(reference)
    edited_skeleton, edited_bodies = _split(edited)
    if edited_skeleton != skeleton:
        return frozenset({EVERYTHING})
    changed = {name for name, body in bodies.items() if edited_bodies.get(name) != body}
    if appended:
        tree = ast.parse(reference)
        top_level = {
            node.name
            for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        used = _names(tree)
        for statement in ast.parse(appended).body:
            if isinstance(statement, _FUNCTIONS) and statement.name in top_level:
                changed.add(statement.name)
            elif not (isinstance(statement, _HELPERS) and not _bound(statement) & used):
                return frozenset({EVERYTHING})
            # else: a helper of the variant's own, seen only by the functions that call it
    return frozenset(changed)


def _bound(statement: ast.stmt) -> set[str]:
    """The module-level names a def or an import binds."""
    if isinstance(statement, _FUNCTIONS):
        return {statement.name}
    return {(alias.asname or alias.name).split(".")[0] for alias in statement.names}


# ---- which functions a test runs ----------------------------------------------------------


@dataclass(frozen=True)
class _Function:
    qualname: str
    first: int  # its first line, decorators included
    last: int
    outer: tuple[str, ...]  # the functions it is nested in


def functions(source: str) -> list[_Function]:
    """Every function and method of ``source``, nested ones included."""
    found: list[_Function] = []

    def walk(node: ast.AST, scope: list[tuple[str, bool]], outer: tuple[str, ...]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                qualname = _qualname(scope, child.name)
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                found.append(_Function(qualname, first, child.end_lineno or first, outer))
                walk(child, [*scope, (child.name, True)], (*outer, qualname))
            elif isinstance(child, ast.ClassDef):
                walk(child, [*scope, (child.name, False)], outer)
            else:
                walk(child, scope, outer)

    walk(ast.parse(source), [], ())
    return found


class _Lines:
    """Maps a code object's first line to the function it belongs to and those around it."""

    def __init__(self, source: str):
        self.functions = sorted(functions(source), key=lambda f: f.first)

    @functools.cache  # noqa: B019 (one instance per traced run)
    def reached(self, line: int) -> tuple[str, ...]:
        inside = [f for f in self.functions if f.first <= line <= f.last]
        if not inside:
            return ()  # module-level code, a class body
        innermost = max(inside, key=lambda f: f.first)
        return (*innermost.outer, innermost.qualname)


_ACTIVE: list[_Tracer] = []  # the tracer that fork() and friends report to
_STARTING: list[bool] = []  # inside Process.start: its fork is traced in the child
_NUMBERS = itertools.count()


def _note_process() -> None:
    if _ACTIVE and not _STARTING:
        _ACTIVE[-1].spawned.add(_ACTIVE[-1].key)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_note_process)


class _Tracer:
    """Records, per key (a test, a fixture, the import), the code objects of one file that
    ran, and which keys started a process. A ``multiprocessing`` process (torch's spawned
    ranks, a DataLoader's workers) is traced in that process too: its target is wrapped, and
    writes what it ran to a file of ``folder``. Any other process counts as untraceable."""

    def __init__(self, filename: str, folder: Path):
        self.filename, self.folder = filename, folder
        self.ran: dict[str, set] = {}
        self.spawned: set[str] = set()
        self.children: dict[str, list[str]] = {}  # key -> the files its processes wrote
        self.key = _IMPORT
        self.codes = self.ran.setdefault(_IMPORT, set())

    def _trace(self, frame, event, arg):
        code = frame.f_code
        if code.co_filename == self.filename:
            self.codes.add(code)

    def switch(self, key: str) -> str:
        previous, self.key = self.key, key
        self.codes = self.ran.setdefault(key, set())
        return previous

    def _start_process(self, original):
        tracer = self

        @functools.wraps(original)
        def start(process):
            target = getattr(process, "_target", None)
            if target is None or type(process).run is not multiprocessing.process.BaseProcess.run:
                _note_process()  # a run() of its own: nothing to wrap
                return original(process)
            out = tracer.folder / f"process-{os.getpid()}-{next(_NUMBERS)}.json"
            tracer.children.setdefault(tracer.key, []).append(str(out))
            process._target = _TracedTarget(target, tracer.filename, str(out))
            _STARTING.append(True)
            try:
                return original(process)
            finally:
                _STARTING.pop()

        return start

    def start(self) -> None:
        self._saved = (sys.gettrace(), threading.gettrace())
        process, popen = multiprocessing.process.BaseProcess, subprocess.Popen
        self._originals = [(process, "start", process.start), (popen, "__init__", popen.__init__)]
        process.start = self._start_process(process.start)
        popen.__init__ = _noting(popen.__init__)
        _ACTIVE.append(self)
        threading.settrace(self._trace)
        sys.settrace(self._trace)

    def stop(self) -> None:
        sys.settrace(self._saved[0])
        threading.settrace(self._saved[1])
        _ACTIVE.remove(self)
        for owner, name, original in self._originals:
            setattr(owner, name, original)

    def lines(self, keys) -> tuple[set[int], bool]:
        """The first lines of the code that ran under ``keys``, in this process and the
        processes it started; True when some of it could not be traced."""
        found, untraced = set(), False
        for key in keys:
            found.update(code.co_firstlineno for code in self.ran.get(key, ()))
            untraced = untraced or key in self.spawned
            for out in self.children.get(key, ()):
                lines, lost = _written(out)
                found |= lines
                untraced = untraced or lost
        return found, untraced


class _TracedTarget:
    """A process's target, traced in that process: the first lines of the code it ran of
    ``filename`` go to the JSON file ``out`` when it returns or raises."""

    def __init__(self, target, filename: str, out: str):
        self.target, self.filename, self.out = target, filename, out

    def __call__(self, *args, **kwargs):
        out = Path(self.out)
        tracer = _Tracer(self.filename, out.parent)
        tracer.start()
        try:
            return self.target(*args, **kwargs)
        finally:
            tracer.stop()
            lines, untraced = tracer.lines(list(tracer.ran))
            record = {"lines": sorted(lines), "untraced": untraced or bool(tracer.spawned)}
            out.write_text(json.dumps(record), encoding="utf-8")


def _written(out: str) -> tuple[set[int], bool]:
    """What a traced process wrote; a process that never wrote (killed, say): untraced."""
    try:
        record = json.loads(Path(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set(), True
    return set(record["lines"]), record["untraced"]


def _noting(method):
    @functools.wraps(method)
    def noted(*args, **kwargs):
        _note_process()
        return method(*args, **kwargs)

    return noted


def _local_modules() -> list:
    """The kata modules and test helpers this process has imported."""
    return [
        module
        for name, module in list(sys.modules.items())
        if name.startswith(("kata.", "tests.")) and not name.startswith("kata.engine")
    ]


def _clear_caches(modules) -> None:
    for module in filter(None, modules):
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear) and callable(value):
                clear()


def _function_id(nodeid: str) -> str:
    """``tests/test_x.py::test_y[cpu]`` -> ``tests/test_x.py::test_y``."""
    return nodeid.split("[", 1)[0]


@dataclass
class Impact:
    """What a traced run of a kata's tests on its reference found."""

    tests: list[str] = field(default_factory=list)  # node ids, in file order
    reaches: dict[str, list[str]] = field(default_factory=dict)  # node id -> qualnames
    seconds: dict[str, float] = field(default_factory=dict)  # node id -> its time there
    failed: dict[str, str] = field(default_factory=dict)  # node id -> first line (none, ever)
    constant_files: list[str] = field(default_factory=list)  # other kata modules it imported

    def select(self, change: frozenset[str]) -> list[str]:
        """The tests that reach anything ``change`` names, in file order."""
        if EVERYTHING in change:
            return list(self.tests)
        if not change:  # comments, layout: even a test that reaches everything sees nothing
            return []
        return [
            test
            for test in self.tests
            if EVERYTHING in self.reaches[test] or change & set(self.reaches[test])
        ]

    def to_json(self) -> dict:
        return {
            "tests": self.tests,
            "reaches": self.reaches,
            "seconds": self.seconds,
            "failed": self.failed,
            "constant_files": self.constant_files,
        }

    @classmethod
    def from_json(cls, data: dict) -> Impact:
        return cls(**data)


class TracePlugin:
    """A pytest plugin: traces one session's tests on the reference at ``reference``."""

    def __init__(self, reference: Path, kata_module: str):
        self.reference = Path(reference)
        self.kata_module = kata_module
        self.folder = Path(tempfile.mkdtemp(prefix="kata-trace-"))
        self.tracer = _Tracer(str(self.reference), self.folder)
        self.items: list[pytest.Item] = []
        self.seconds: dict[str, float] = {}
        self.fixture_seconds: dict[str, float] = {}
        self.failed: dict[str, str] = {}
        self.constant_files: list[str] = []

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session) -> None:
        self.tracer.start()

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session) -> None:
        self.tracer.stop()

    def pytest_collection_finish(self, session) -> None:
        self.items = list(session.items)
        self.constant_files = sorted(
            module.__file__
            for name, module in list(sys.modules.items())
            if name.startswith("kata.")
            and not name.startswith("kata.engine")
            and name != self.kata_module
            and getattr(module, "__file__", None)
        )

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        _clear_caches([getattr(item, "module", None), *_local_modules()])
        previous = self.tracer.switch(item.nodeid)
        start = time.perf_counter()
        try:
            return (yield)
        finally:
            self.seconds[item.nodeid] = time.perf_counter() - start
            self.tracer.switch(previous)

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        if fixturedef.scope == "function":
            return (yield)
        previous = self.tracer.switch(f"fixture:{fixturedef.argname}")
        start = time.perf_counter()
        try:
            return (yield)
        finally:
            elapsed = time.perf_counter() - start
            self.fixture_seconds[fixturedef.argname] = (
                self.fixture_seconds.get(fixturedef.argname, 0.0) + elapsed
            )
            self.tracer.switch(previous)

    def pytest_runtest_logreport(self, report) -> None:
        if report.failed:
            crash = getattr(report.longrepr, "reprcrash", None)
            text = crash.message if crash else str(report.longrepr)
            self.failed.setdefault(report.nodeid, (text.strip().splitlines() or [""])[0][:200])

    def impact(self) -> Impact:
        lines = _Lines(self.reference.read_text(encoding="utf-8"))

        def reached(key: str) -> set[str]:
            firsts, untraced = self.tracer.lines([key])
            if untraced:
                return {EVERYTHING}
            return {name for first in firsts for name in lines.reached(first)}

        everywhere = reached(_IMPORT)
        by_function: dict[str, set[str]] = {}
        for item in self.items:
            wider = [f"fixture:{name}" for name in getattr(item, "fixturenames", ())]
            found = reached(item.nodeid).union(*(reached(key) for key in wider), everywhere)
            by_function.setdefault(_function_id(item.nodeid), set()).update(found)
        impact = Impact(failed=dict(self.failed), constant_files=self.constant_files)
        for item in self.items:
            nodeid = item.nodeid
            found = by_function[_function_id(nodeid)]
            impact.tests.append(nodeid)
            impact.reaches[nodeid] = [EVERYTHING] if EVERYTHING in found else sorted(found)
            fixtures = getattr(item, "fixturenames", ())
            # Whichever selected test comes first sets up the wider fixtures it uses.
            setup = sum(self.fixture_seconds.get(name, 0.0) for name in fixtures)
            impact.seconds[nodeid] = round(self.seconds.get(nodeid, 0.0) + setup, 3)
        shutil.rmtree(self.folder, ignore_errors=True)
        return impact
