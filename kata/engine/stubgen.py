"""Stubs are generated from the references, so the two never drift.

A reference module is the whole lesson: module docstring, imports, helpers and
exercises. Its stub is the same text with the body of every *exercise* replaced
by ``raise NotImplementedError``. Exercises are the public functions and the
public methods of public classes (dunders such as ``__init__`` and ``forward``
count as public); private helpers (``_name``) are given to the learner whole.
Every exercise needs a docstring: it is what the learner reads.

A fix-the-bug kata gives its stub working-looking, wrong code instead: the reference
opens the body with a ``# stub:`` comment followed by the buggy lines, commented out
at the body's indentation; the stub gets those lines, uncommented.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

TODO = "# TODO: your code here"
STUB_MARKER = "# stub:"

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def _is_public(name: str) -> bool:
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


def exercises(tree: ast.Module) -> Iterator[tuple[str, FunctionNode]]:
    """Yield ``(qualified name, node)`` for every exercise, in source order."""
    for node in tree.body:
        if isinstance(node, FunctionNode) and _is_public(node.name):
            yield node.name, node
        elif isinstance(node, ast.ClassDef) and _is_public(node.name):
            for item in node.body:
                if isinstance(item, FunctionNode) and _is_public(item.name):
                    yield f"{node.name}.{item.name}", item


def generate_stub(source: str, filename: str = "<reference>") -> str:
    """The learner's stub for a reference module's source text."""
    tree = ast.parse(source, filename)
    lines = source.splitlines(keepends=True)
    replacements = []
    for qualname, node in exercises(tree):
        docstring = node.body[0] if node.body else None
        if not (isinstance(docstring, ast.Expr) and isinstance(docstring.value, ast.Constant)):
            raise ValueError(f"{filename}: exercise {qualname} needs a docstring: it is the lesson")
        if len(node.body) == 1:
            raise ValueError(f"{filename}: exercise {qualname} has a docstring but no body")
        indent = " " * node.body[0].col_offset
        body = _given_stub_body(lines[docstring.end_lineno :], indent)
        body = body or f'{indent}{TODO}\n{indent}raise NotImplementedError("{qualname}")\n'
        replacements.append((docstring.end_lineno, node.end_lineno, body))
    for after_line, last_line, body in reversed(replacements):
        lines[after_line:last_line] = [body]
    return "".join(lines)


def _given_stub_body(body_lines: list[str], indent: str) -> str | None:
    """The uncommented lines of a ``# stub:`` block that opens a body, or None."""
    if not body_lines or body_lines[0].strip() != STUB_MARKER:
        return None
    prefix = f"{indent}# "
    given = []
    for line in body_lines[1:]:
        if not line.startswith(prefix):
            break
        given.append(indent + line[len(prefix) :])
    return "".join(given)


def api(source: str, filename: str = "<module>") -> dict[str, str]:
    """Each public name of a module mapped to what a learner relies on: signature and docstring."""
    tree = ast.parse(source, filename)
    found = {}
    for node in tree.body:
        if isinstance(node, FunctionNode) and _is_public(node.name):
            found[node.name] = _describe(node)
        elif isinstance(node, ast.ClassDef) and _is_public(node.name):
            bases = ", ".join(ast.unparse(base) for base in node.bases)
            found[node.name] = f"class {node.name}({bases})\n{ast.get_docstring(node)}"
            for item in node.body:
                if isinstance(item, FunctionNode) and _is_public(item.name):
                    found[f"{node.name}.{item.name}"] = _describe(item)
    return found


def _describe(node: FunctionNode) -> str:
    decorators = "".join(f"@{ast.unparse(d)}\n" for d in node.decorator_list)
    returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    signature = f"{decorators}def {node.name}({ast.unparse(node.args)}){returns}"
    return f"{signature}\n{ast.get_docstring(node)}"


def drift(reference: str, learner: str, reference_file: str, learner_file: str) -> list[str]:
    """Sentences naming every way the learner's module differs in API from the reference;
    the files are named as given (kata/solutions/<name>.py and kata/<name>.py)."""
    want, have = api(reference, reference_file), api(learner, learner_file)
    problems = []
    for key, described in want.items():
        if key not in have:
            problems.append(f"{learner_file} has no {key}, which {reference_file} defines")
        elif have[key] != described:
            problems.append(
                f"{learner_file}: the signature or docstring of {key} differs from {reference_file}"
            )
    return problems
