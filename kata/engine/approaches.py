"""``python -m kata approaches``: once a kata is done, its reference and its other correct
ways, each proven by the spec.

The other ways are the ``ALTERNATIVES`` of the kata's variants file, which ``make
variants`` proves: every test of the kata passes on each. Each is shown as a short unified
diff against the reference, written as a learner would write it in their own file: an
appended redefinition takes the place of the definition it replaces (with the reference's
docstrings where it has none), its imports go beside the reference's, and its new helpers
just before the first definition it replaces. The ``BROKEN`` variants are only counted:
shown, they would give the lesson's pitfalls away.

Nothing runs here. Whether the kata is done comes from the learner's record
(``.kata/record.json``), and whether each way was accepted from the variants record
(``.kata/variants/<kata>.json``), where a verdict counts only while nothing it depends on
has changed.
"""

from __future__ import annotations

import ast
import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from kata.engine import runner, variants
from kata.engine.curriculum import CURRICULUM, Kata
from kata.engine.variants import Outcome, Variant

CONTEXT = 1  # unchanged lines shown around each change: the diffs stay short
ACCEPTED, REFUSED, UNCHECKED = "accepted", "refused", "unchecked"
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@")


@dataclass
class Approach:
    """One correct alternative: its name, why it is right, its diff, its verdict on record."""

    name: str
    why: str
    diff: list[str]
    verdict: str = UNCHECKED  # ACCEPTED, REFUSED or UNCHECKED: none on record for these files
    refused_by: str = ""  # the test that refused it, on record


@dataclass
class Approaches:
    kata: Kata
    reference: str  # the reference's code, its docstrings left out
    alternatives: list[Approach] = field(default_factory=list)
    broken: int = 0  # plausible bugs the spec must catch: counted, never shown
    caught: int = 0  # ... of them caught, on record


# ---- the learner's record ------------------------------------------------------------------


def _learner_record() -> dict:
    try:
        record = json.loads(runner.RECORD.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def done_katas() -> list[Kata]:
    """The katas the learner's record holds as done, now or once (``make kata`` records a
    kata the first time its tests all pass), in the curriculum's order."""
    record = _learner_record()
    done = {*record.get("done", ()), *record.get("green", {})}
    return [kata for kata in CURRICULUM if kata.name in done]


def solved(kata: Kata) -> bool:
    """Whether the learner's record holds the kata as done."""
    return kata in done_katas()


# ---- the code, as written -------------------------------------------------------------------


def _start(node: ast.stmt) -> int:
    """The node's first line, its decorators included."""
    return min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])


def _docstring(node: ast.AST) -> ast.Expr | None:
    if not isinstance(node, (ast.Module, *_DEFINITIONS)) or not node.body:
        return None
    first = node.body[0]
    is_text = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    return first if is_text and isinstance(first.value.value, str) else None


def without_docstrings(source: str) -> str:
    """The module's code, its docstrings left out (a body that is a docstring alone stays)."""
    lines = source.splitlines()
    dropped: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        doc = _docstring(node)
        if doc is not None and (isinstance(node, ast.Module) or len(node.body) > 1):
            dropped.update(range(doc.lineno - 1, doc.end_lineno))
            after = doc.end_lineno  # and the blank line after it, where one is
            if after < len(lines) and not lines[after].strip() and not isinstance(node, ast.Module):
                dropped.add(after)
    kept = [line for number, line in enumerate(lines) if number not in dropped]
    return re.sub(r"\n{4,}", "\n\n\n", "\n".join(kept).strip("\n")) + "\n"


def _name(node: ast.stmt) -> str | None:
    if isinstance(node, _DEFINITIONS):
        return node.name
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        return target.id if isinstance(target, ast.Name) else None
    return None


def _segments(text: str) -> list[tuple[ast.stmt, int, int]]:
    """Each top-level statement of ``text`` with its lines (from, to; 0-based, ``to``
    excluded), the comments just above it included."""
    tree = ast.parse(text)
    found, end = [], 0
    lines = text.splitlines()
    for node in tree.body:
        start = _start(node) - 1
        while start > end and (not lines[start - 1].strip() or lines[start - 1].lstrip()[0] == "#"):
            start -= 1
        while not lines[start].strip():
            start += 1
        found.append((node, start, node.end_lineno))
        end = node.end_lineno
    return found


def _reindented(line: str, shift: int, indent: str) -> str:
    """A line moved from one indentation to another; a blank line stays blank."""
    if not line.strip():
        return ""
    return indent + (line[shift:] if line[:shift].isspace() else line.lstrip())


def _carried_docstrings(
    new: ast.AST, old: ast.AST, old_lines: list[str]
) -> list[tuple[int, list[str]]]:
    """(line, lines) to insert into the new definition: the old one's docstrings that it
    lacks, its methods' included."""
    found = []
    doc, body = _docstring(old), getattr(new, "body", [])
    if doc is not None and body and _docstring(new) is None and _start(body[0]) > new.lineno:
        indent, shift = " " * body[0].col_offset, doc.col_offset
        text = old_lines[doc.lineno - 1 : doc.end_lineno]
        moved = [_reindented(line, shift, indent) for line in text]
        if doc.end_lineno < len(old_lines) and not old_lines[doc.end_lineno].strip():
            moved.append("")  # the blank line after it
        found.append((_start(body[0]) - 1, moved))
    if isinstance(new, ast.ClassDef) and isinstance(old, ast.ClassDef):
        methods = {node.name: node for node in old.body if isinstance(node, _DEFINITIONS)}
        for node in new.body:
            if isinstance(node, _DEFINITIONS) and node.name in methods:
                found += _carried_docstrings(node, methods[node.name], old_lines)
    return found


def _with_docstrings(append: str, defined: dict, lines: list[str]) -> str:
    """The appended code, each redefinition given the docstrings of the definition it
    replaces where it has none: the learner's file keeps them."""
    added = append.splitlines()
    insertions = [
        insertion
        for node in ast.parse(append).body
        if isinstance(node, _DEFINITIONS) and isinstance(defined.get(node.name), _DEFINITIONS)
        for insertion in _carried_docstrings(node, defined[node.name], lines)
    ]
    for line, moved in sorted(insertions, reverse=True):
        added[line:line] = moved
    return "\n".join(added)


def written_out(source: str, variant: Variant) -> str:
    """The reference written ``variant``'s way: its edits made, and what it appends put where
    a learner would write it. An appended redefinition replaces the reference's definition
    in place, keeping the reference's docstrings where it has none; an import goes after the
    reference's imports; any other new code goes just before the first definition replaced
    (at the end, where none is)."""
    edited = variant.edited(source)
    if not variant.append:
        return edited
    lines, tree = edited.splitlines(), ast.parse(edited)
    defined = {name: node for node in tree.body if (name := _name(node))}
    appended = _with_docstrings(variant.append, defined, lines)
    changes, imports, others = [], [], []  # changes: (from, to, new lines), 0-based
    for node, start, end in _segments(appended):
        text = appended.splitlines()[start:end]
        name = _name(node)
        if name in defined and type(defined[name]) is type(node):
            old = defined.pop(name)
            changes.append((_start(old) - 1, old.end_lineno, text))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            imports += text
        else:
            others.append(text)
    if others:  # two blank lines between top-level definitions, as everywhere
        block = [line for text in others for line in ["", "", *text]]
        first = min((start for start, _, _ in changes), default=None)
        if first is None:
            changes.append((len(lines), len(lines), block))
        else:
            changes.append((first, first, [*block[2:], "", ""]))
    if imports:
        kinds = (ast.Import, ast.ImportFrom)
        after = max((n.end_lineno for n in tree.body if isinstance(n, kinds)), default=0)
        changes.append((after, after, imports))
    for start, end, text in sorted(changes, key=lambda change: change[:2], reverse=True):
        lines[start:end] = text
    return "\n".join(lines) + "\n"


def _where(tree: ast.Module) -> list[tuple[int, int, str]]:
    """(first, last, name) of each definition and method, 1-based, for the hunk headers."""
    found = []
    for node in tree.body:
        if isinstance(node, _DEFINITIONS):
            found.append((_start(node), node.end_lineno, node.name))
        if isinstance(node, ast.ClassDef):
            found += [
                (_start(n), n.end_lineno, f"{node.name}.{n.name}")
                for n in node.body
                if isinstance(n, _DEFINITIONS)
            ]
    return found


def diff(source: str, written: str) -> list[str]:
    """A unified diff of ``written`` against ``source``, its hunks headed by the definition
    the first change is in, as git does (no file headers: the display names the file)."""
    where = _where(ast.parse(source))
    lines = list(
        difflib.unified_diff(source.splitlines(), written.splitlines(), n=CONTEXT, lineterm="")
    )[2:]
    for index, line in enumerate(lines):
        found = _HUNK.match(line)
        if not found:
            continue
        number = int(found.group(1))
        for following in lines[index + 1 :]:
            if following[:1] != " ":
                break
            number += 1
        names = [name for first, last, name in where if first <= number <= last]
        if names:
            lines[index] = f"{found.group(0)} {names[-1]}"
    return lines


# ---- a kata's approaches --------------------------------------------------------------------


def _verdict(outcome: Outcome | None) -> tuple[str, str]:
    if outcome is None:
        return UNCHECKED, ""
    if outcome.error or outcome.failed:
        return REFUSED, outcome.failed[0][0] if outcome.failed else outcome.error
    return ACCEPTED, ""


def of(kata, found=None, records: Path = variants.RECORDS) -> Approaches:
    """The kata's reference, its alternatives as diffs with their verdicts on record, and how
    many broken variants it has. ``found``: (broken, alternatives), else its variants file."""
    broken, alternatives = found or variants.load(kata)
    source = Path(kata.reference_path).read_text(encoding="utf-8")
    verdicts = variants.on_record(kata, (broken, alternatives), records)
    shown = Approaches(kata, without_docstrings(source), broken=len(broken))
    shown.caught = sum(1 for v in broken if (o := verdicts.get(v.key)) and o.failed and not o.error)
    for variant in alternatives:
        verdict, refused_by = _verdict(verdicts.get(variant.key))
        lines = diff(source, written_out(source, variant))
        shown.alternatives.append(Approach(variant.name, variant.why, lines, verdict, refused_by))
    return shown
