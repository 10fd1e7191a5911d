"""``kata.check`` and ``%kata_check``: the learner's loop from a Jupyter notebook.

    import kata
    kata.check("<kata>")                     # its tests against kata/<kata>.py
    kata.check("<kata>", fn=my_fn)           # ... with a function of a cell in place of fn
    kata.check()                             # the curriculum: the table, then the next step

    %load_ext kata
    %kata_check <kata> [fn=my_fn ...]

The tests run in a fresh process, as ``python -m kata next <kata>`` runs them
(``runner.run_katas``): the record, the hint ladder and the reports are the same. What comes
back is a ``Check``, shown as a table, the first failing test and the hint: HTML in a
notebook, plain text in a terminal.

**A function written in a cell** cannot travel to another process as an object. Its source
can: ``inspect`` finds it (IPython keeps every cell's source), and the run loads the kata
from a copy of the learner's file with that source written after it, where a definition
replaces the file's. The limits, each refused with a sentence before anything runs:

- functions and classes only, written with ``def`` or ``class`` (no lambda, no method
  alone, nothing defined inside another function, no class without a method to find its
  cell by);
- the names the source uses are looked up in the kata's file first. A name the file lacks
  comes from the notebook: a function or class there goes along by its source, a module as
  an import, a number, string, bool or None by its value; anything else (a tensor, a
  model) is refused: build it inside the function;
- the run speaks for the cell, never for the file: it is not kept in the record, so
  ``python -m kata next`` still asks for the function in kata/<kata>.py.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import html
import inspect
import io
import linecache
import re
import symtable
import sys
import tempfile
import textwrap
import types
from dataclasses import dataclass, field
from pathlib import Path

from kata.engine import display
from kata.engine.curriculum import CURRICULUM, REFERENCE_DIR, Kata, find, relative
from kata.engine.runner import Progress, run_katas
from kata.engine.tally import State, number, upcoming

_LITERALS = (bool, int, float, str, type(None))
# A kernel sets FORCE_COLOR, so pytest's messages come back coloured: shown as they read.
_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


# ---- a cell's definitions, written over the learner's file ------------------------------


@dataclass
class _Block:
    """One definition taken from the notebook, as it lands in the copy of the learner's file."""

    name: str  # what it defines
    source: str
    cell_line: int  # its first line in its cell (0: not from a cell's source: an import)
    first: int = 0  # its first line in the copy, once written


def _class_lines(cls: type) -> tuple[list[str], int]:
    """A class's source found through one of its methods: IPython's cells have no module
    file, where ``inspect`` looks for a class."""
    for member in vars(cls).values():
        function = getattr(member, "__func__", member)
        code = getattr(function, "__code__", None)
        if code is None:
            continue
        lines = linecache.getlines(code.co_filename)
        for node in ast.walk(ast.parse("".join(lines))):
            if (
                isinstance(node, ast.ClassDef)
                and node.name == cls.__name__
                and node.lineno <= code.co_firstlineno <= node.end_lineno
            ):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                return lines[first - 1 : node.end_lineno], first
    raise ValueError(f"no source found for class {cls.__name__}: give it a method, or write it")


def _source(obj: object, given_as: str) -> tuple[str, int]:
    """(source, its first line) of a function or class written with ``def`` or ``class``."""
    if isinstance(obj, types.FunctionType):
        if obj.__name__ == "<lambda>":
            raise ValueError(f"{given_as} is a lambda: write it with def")
        if "<locals>" in obj.__qualname__:
            raise ValueError(
                f"{given_as} ({obj.__qualname__}) is defined inside another function: "
                "define it at the top of a cell"
            )
        try:
            lines, first = inspect.getsourcelines(obj)
        except OSError:
            raise ValueError(
                f"no source found for {given_as}: define it in a notebook cell or a file "
                "(a Python prompt keeps none)"
            ) from None
    elif isinstance(obj, type):
        if "." in obj.__qualname__:
            raise ValueError(f"{given_as} ({obj.__qualname__}) is nested: define it at the top")
        try:
            lines, first = inspect.getsourcelines(obj)
        except (OSError, TypeError):
            lines, first = _class_lines(obj)
    else:
        raise TypeError(
            f"{given_as} must be a function or a class written with def or class, "
            f"not {type(obj).__name__}"
        )
    return textwrap.dedent("".join(lines)), first


def _top_level_names(tree: ast.Module) -> set[str]:
    """The names a module binds when it runs: imports, definitions, assignments (not those
    inside functions or classes)."""
    names: set[str] = set()
    statements = list(tree.body)
    while statements:
        node = statements.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
            continue
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                names.add(child.id)
            elif isinstance(child, ast.stmt | ast.excepthandler | ast.Tuple | ast.List):
                statements.append(child)
    return names


def _names_used(source: str) -> set[str]:
    """The global names a definition reads: what it needs from the module it lands in."""
    used: set[str] = set()
    tables = [symtable.symtable(source, "<cell>", "exec")]
    while tables:
        table = tables.pop()
        for symbol in table.get_symbols():
            if table.get_type() == "module":
                if symbol.is_referenced() and not symbol.is_assigned():
                    used.add(symbol.get_name())
            elif symbol.is_global() and symbol.is_referenced():
                used.add(symbol.get_name())
        tables.extend(table.get_children())
    return used


def _globals_of(obj: object) -> dict:
    """The namespace a definition was written in: the notebook's, for a cell's."""
    functions = [obj] if isinstance(obj, types.FunctionType) else list(vars(obj).values())
    for function in functions:
        function = getattr(function, "__func__", function)
        if isinstance(function, types.FunctionType):
            return function.__globals__
    module = sys.modules.get(getattr(obj, "__module__", ""))
    return vars(module) if module else {}


def _overlay(kata: Kata, functions: dict[str, object]) -> tuple[str, list[_Block]]:
    """The learner's file with ``functions`` (name in the kata -> object of the notebook)
    written after it, and what was written: each object's source, the notebook's helpers
    and imports that the source needs, then ``name = defined_name`` where the two differ."""
    learner = kata.path.read_text(encoding="utf-8")
    in_file = _top_level_names(ast.parse(learner))
    definitions = {
        node.name
        for node in ast.parse(learner).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    blocks: list[_Block] = []
    written: dict[str, object] = {}

    def carry(obj: object, given_as: str) -> str:
        """Write ``obj``'s definition, after what it needs of the notebook; its name."""
        source, cell_line = _source(obj, given_as)
        defined = obj.__name__
        if written.get(defined, obj) is not obj:
            raise ValueError(f"two different definitions called {defined} go in: rename one")
        if defined in written:
            return defined
        written[defined] = obj
        namespace = _globals_of(obj)
        for name in sorted(_names_used(source) - in_file - set(dir(builtins)) - {defined}):
            if name in written:
                continue
            where = f"{defined} uses {name}, which {relative(kata.path)} does not define"
            if name not in namespace:
                raise NameError(f"{where}, and neither does the notebook")
            value = namespace[name]
            if isinstance(value, types.ModuleType):
                blocks.append(_Block(name, f"import {value.__name__} as {name}\n", 0))
                written[name] = value
            elif isinstance(value, _LITERALS):
                blocks.append(_Block(name, f"{name} = {value!r}\n", 0))
                written[name] = value
            elif isinstance(value, types.FunctionType | type):
                alias(name, carry(value, f"{name} (used by {defined})"))
            else:
                raise ValueError(
                    f"{where}: the notebook holds it as a {type(value).__name__}, which cannot "
                    "go along: build it inside the function, or pass it as an argument"
                )
        blocks.append(_Block(defined, source, cell_line))
        return defined

    def alias(name: str, defined: str) -> None:
        if defined != name:
            if defined in in_file:
                raise ValueError(
                    f"the definition given as {name} is called {defined}, a name that "
                    f"{relative(kata.path)} defines too: rename it"
                )
            blocks.append(_Block(name, f"{name} = {defined}\n", 0))

    for name, obj in functions.items():
        if name not in definitions:
            known = ", ".join(sorted(d for d in definitions if not d.startswith("_")))
            raise ValueError(f"{relative(kata.path)} defines no {name}; it defines {known}")
        alias(name, carry(obj, name))

    text = learner.rstrip("\n") + "\n\n\n# ---- from the notebook: kata.check ----\n"
    for block in blocks:
        block.first = text.count("\n") + 1
        text += block.source if block.source.endswith("\n") else block.source + "\n"
    return text, blocks


def _from_cells(message: str, blocks: list[_Block]) -> str:
    """A report's "(raised in kata/<kata>.py, line N, in f)" where line N is a cell's:
    the cell's own line instead."""

    def cell_line(found: re.Match) -> str:
        line = int(found.group(2))
        for block in blocks:
            last = block.first + block.source.count("\n") - 1
            if block.cell_line and block.first <= line <= last:
                in_cell = block.cell_line + line - block.first
                return f"(raised in your notebook's {block.name}, line {in_cell} of its cell"
        return found.group(0)

    return re.sub(r"\(raised in (kata/\w+\.py), line (\d+)", cell_line, message)


# ---- what a check shows -----------------------------------------------------------------


@dataclass
class Check:
    """The outcome of ``kata.check``: the table, the next step and its hints. It reads as
    HTML in a notebook and as plain text anywhere else."""

    progress: list[Progress]
    asked: str | None  # the kata named, or None: the curriculum
    hints: list[str] = field(default_factory=list)  # the hints shown so far
    hint_count: int = 0  # how many the ladder holds
    hint_about: str = ""  # the function the ladder is for, where it has its own
    from_cells: tuple[str, ...] = ()  # the kata's names that the notebook's cells replaced
    blocks: list[_Block] = field(default_factory=list, repr=False)

    @property
    def next(self) -> Progress | None:
        """The first unfinished kata of the run (None: every one is done)."""
        return upcoming(self.progress)

    @property
    def done(self) -> bool:
        return self.next is None

    def _next_step(self) -> tuple[str, list[str], str | None]:
        """(what to do, its details, the failure or error to show as it is)."""
        entry, cells = self.next, ", ".join(self.from_cells)
        if entry is None:
            if self.asked is None:
                return (
                    f"Every kata is done: compare your files with {relative(REFERENCE_DIR)}/.",
                    [],
                    None,
                )
            kata, total = self.progress[0].kata, self.progress[0].total
            if cells:
                return (
                    f"{self.asked}: all {total} tests pass with your notebook's {cells}.",
                    [f"copy it into {relative(kata.path)}: the record counts the file"],
                    None,
                )
            return (
                f"{self.asked}: all {total} tests pass.",
                [f"compare with {relative(kata.reference_path)}"],
                None,
            )
        kata = entry.kata
        details = [
            f"edit   {relative(kata.path)}" + (f", with your notebook's {cells}" if cells else "")
        ]
        shown = None
        if entry.broken:
            details.append(f"{relative(kata.test_path)} could not import your module:")
            shown = _COLOUR.sub("", entry.broken)
        elif entry.first_failure:
            failure = entry.first_failure
            line = f"  (line {failure['line'] + 1})" if failure["line"] is not None else ""
            details.append(f"test   {failure['nodeid']}{line}")
            shown = _from_cells(_COLOUR.sub("", failure.get("message", "failed")), self.blocks)
        elif entry.total == 0:
            details.append("no test ran here: is a device fixture skipping every test?")
        return f"Next: kata {number(kata)}, {kata.name}: {kata.concept}", details, shown

    def _hint_lines(self) -> list[str]:
        about = f" ({self.hint_about})" if self.hint_about else ""
        return [
            f"hint {level}/{self.hint_count}{about}: {hint}"
            for level, hint in enumerate(self.hints, start=1)
        ]

    def _steps(self) -> list[str]:
        if self.next is None:
            return []
        name = self.next.kata.name
        steps = [f"`kata.check({name!r})` again after an edit"]
        if len(self.hints) < self.hint_count:
            steps.insert(0, f"`{display.command('hint')} {name}`: the next hint")
        steps.append(f"`pytest -k {name}`: this kata alone, with tracebacks")
        return steps

    def __str__(self) -> str:
        table = io.StringIO()
        with contextlib.redirect_stdout(table):
            display.print_table(self.progress)
        title, details, shown = self._next_step()
        lines = [table.getvalue().rstrip("\n"), "", title, *(f"  {d}" for d in details)]
        lines += [f"    {line}" for line in (shown or "").splitlines()]
        for part in (self._hint_lines(), self._steps()):
            lines += ["", *(f"  {line}" for line in part)] if part else []
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        """How IPython shows it where no HTML is (a terminal)."""
        printer.text(str(self))

    def _repr_html_(self) -> str:
        escape = html.escape
        first = self.next
        rows = ["<tr><th>#</th><th>kata</th><th>tests</th><th>status</th></tr>"]
        for entry in self.progress:
            colour = "green" if entry.done else ("firebrick" if entry is first else "inherit")
            cells = (
                str(number(entry.kata)),
                f'<span style="color:{colour}">{escape(entry.kata.name)}</span>',
                escape(display.tests_column(entry)),
                escape(display.status(entry, entry is first)),
            )
            rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
        done = sum(entry.done for entry in self.progress)
        title, details, shown = self._next_step()
        parts = [
            f"<p>torch-kata: {done} of {len(self.progress)} katas done</p>",
            f"<table>{''.join(rows)}</table>",
            f"<p><b>{escape(title)}</b>" + "".join(f"<br>{escape(d)}" for d in details) + "</p>",
        ]
        if shown:
            parts.append(f"<pre>{escape(shown)}</pre>")
        if self.hints:
            items = "".join(f"<li>{escape(hint)}</li>" for hint in self._hint_lines())
            parts.append(f"<ul>{items}</ul>")
        steps = [re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(s)) for s in self._steps()]
        if steps:
            parts.append("<p>" + "<br>".join(steps) + "</p>")
        return f"<div>{''.join(parts)}</div>"


# ---- the calls ------------------------------------------------------------------------


def check(kata: str | None = None, /, **functions: object) -> Check:
    """Run a kata's tests against kata/<kata>.py in a fresh process, as
    ``python -m kata next <kata>`` does, and return what to show: the table, the first
    failing test, the hints. No kata: the curriculum up to the first unfinished one.
    ``name=function`` runs them with functions (or classes) written in the notebook in place
    of the file's, without touching the file or the record."""
    if functions and kata is None:
        raise ValueError("name the kata whose functions these replace: kata.check('<kata>', ...)")
    state = State.load()
    blocks: list[_Block] = []
    if kata is None:
        progress = run_katas(list(CURRICULUM), stop_early=True)
    elif functions:
        chosen = find(kata)
        text, blocks = _overlay(chosen, functions)
        with tempfile.TemporaryDirectory(prefix="kata-notebook-") as folder:
            copy = Path(folder) / chosen.path.name
            copy.write_text(text, encoding="utf-8")
            progress = run_katas([chosen], files={chosen.name: copy})
        for entry in progress:
            if entry.broken:
                entry.broken = entry.broken.replace(str(copy), relative(chosen.path))
    else:
        progress = run_katas([find(kata)])
    result = Check(progress, kata, from_cells=tuple(functions), blocks=blocks)
    entry = upcoming(progress)
    if entry is not None:
        state.follow(entry)
        state.save()
        key, hints = state.ladder(entry.kata)
        result.hints = list(hints[: state.shown(key)])
        result.hint_count = len(hints)
        result.hint_about = key.split("::")[1] if "::" in key else ""
    return result


def kata_check_magic(line: str, namespace: dict | None = None) -> Check:
    """``%kata_check [KATA [name=variable ...]]``: ``kata.check`` with the notebook's
    variables named instead of passed."""
    words = line.split()
    functions = {}
    for word in words[1:]:
        name, equals, variable = word.partition("=")
        if not equals or variable not in (namespace or {}):
            raise ValueError(f"%kata_check KATA name=variable ...: {word!r} names no variable")
        functions[name] = namespace[variable]
    return check(words[0] if words else None, **functions)


def load_ipython_extension(ipython) -> None:
    """``%load_ext kata``: registers ``%kata_check``."""

    def kata_check(line: str) -> Check:
        return kata_check_magic(line, ipython.user_ns)

    ipython.register_magic_function(kata_check, "line", "kata_check")
