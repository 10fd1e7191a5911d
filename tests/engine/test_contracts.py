"""Every kata's tests check the contract of every function the kata asks for.

tests/checks.py's `keeps_contract` checks what every kata function owes its caller
(arguments left as they came, torch's global state unchanged), and
`raises_keeping_contract` the same on a raising path. A kata's tests must call each
public function or class of its reference through the first, and each one whose docstring
says it raises (``Raises ValueError ...``) through the second: a new kata gets the checks
because this test names what it lacks."""

import ast
import re
from pathlib import Path

import pytest

from kata.engine.curriculum import CURRICULUM

RAISES = re.compile(r"\b(Raises|Raise|raise)\s+(\w*Error|\w*Exception)\b")
KEEPS, RAISING = "keeps_contract", "raises_keeping_contract"


def _is_exception(node: ast.ClassDef) -> bool:
    names = [b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases]
    return any(name.endswith(("Error", "Exception")) for name in names)


def asked_for(reference: str) -> dict[str, bool]:
    """The public functions and classes of a reference, each with whether it raises."""
    found = {}
    for node in ast.parse(reference).body:
        if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) or node.name.startswith("_"):
            continue
        if isinstance(node, ast.ClassDef) and _is_exception(node):
            continue
        docs = [ast.get_docstring(node) or ""]
        if isinstance(node, ast.ClassDef):
            docs += [
                ast.get_docstring(m) or "" for m in node.body if isinstance(m, ast.FunctionDef)
            ]
        found[node.name] = any(RAISES.search(doc) for doc in docs)
    return found


def checked(tests: str) -> dict[str, set[str]]:
    """The names each contract helper is called on in a test file's source."""
    calls: dict[str, set[str]] = {KEEPS: set(), RAISING: set()}
    for node in ast.walk(ast.parse(tests)):
        if not isinstance(node, ast.Call):
            continue
        helper = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        position = {KEEPS: 0, RAISING: 1}.get(helper)
        if position is None or len(node.args) <= position:
            continue
        for sub in ast.walk(node.args[position]):
            name = getattr(sub, "id", None) or getattr(sub, "attr", None)
            if name:
                calls[helper].add(name)
    return calls


def missing(reference: str, tests: str) -> list[str]:
    calls = checked(tests)
    lines = []
    for name, raises in asked_for(reference).items():
        if name not in calls[KEEPS] | calls[RAISING]:
            lines.append(f"{name}: no test calls it through {KEEPS}")
        if raises and name not in calls[RAISING]:
            lines.append(f"{name}: its docstring says it raises, but no {RAISING} call")
    return lines


@pytest.mark.parametrize(
    "kata", CURRICULUM, ids=lambda kata: f"kata{CURRICULUM.index(kata) + 1:02d}"
)
def test_every_kata_function_is_checked_against_the_shared_contract(kata):
    reference = Path(kata.reference_path).read_text(encoding="utf-8")
    tests = Path(kata.test_path).read_text(encoding="utf-8")
    lines = missing(reference, tests)
    assert not lines, f"{kata.test_path} lacks contract checks:\n  " + "\n  ".join(lines)


def test_a_function_with_no_contract_check_is_named():
    reference = '''
def scale(x):
    """Raises ValueError when x is empty."""
def shift(x):
    """Adds one."""
class Oops(ValueError):
    pass
'''
    tests = "def test_scale():\n    keeps_contract(scale, x)\n"
    assert missing(reference, tests) == [
        f"scale: its docstring says it raises, but no {RAISING} call",
        f"shift: no test calls it through {KEEPS}",
    ]
    tests += "    raises_keeping_contract(ValueError, k.scale, x)\n    keeps_contract(shift, 1)\n"
    assert missing(reference, tests) == []
