"""Test impact selection: what a variant's edits change, and which tests reach it."""

import pytest

from kata.engine.impact import EVERYTHING, Impact, changed_functions, functions

REFERENCE = '''"""A module."""
import torch

SCALE = 3


def scaled(x, dim=1):
    """Scale x."""
    # the one idea
    return x * SCALE


class Model:
    size = 1

    def forward(self):
        def inner():
            return 2

        return inner() + 1


def listed(x):
    return [y for y in x]
'''


def _changes(old: str, new: str, appended: str = "") -> set[str]:
    assert REFERENCE.count(old) == 1
    return set(changed_functions(REFERENCE, REFERENCE.replace(old, new), appended))


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        ("x * SCALE", "x / SCALE", {"scaled"}),
        ("return 2", "return 3", {"Model.forward.<locals>.inner"}),
        ("inner() + 1", "inner() + 2", {"Model.forward"}),
        ("[y for y in x]", "list(x)", {"listed"}),
    ],
    ids=["function", "nested function", "method", "comprehension"],
)
def test_an_edit_in_a_body_changes_the_innermost_function(old, new, changed):
    assert _changes(old, new) == changed


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("SCALE = 3", "SCALE = 4"),
        ("size = 1", "size = 2"),
        ("dim=1", "dim=0"),
        ('"""Scale x."""', '"""Scale."""'),
        ("import torch", "import torch as th"),
    ],
    ids=["constant", "class attribute", "default", "docstring", "import"],
)
def test_an_edit_outside_every_body_changes_the_module(old, new):
    assert _changes(old, new) == {EVERYTHING}


def test_a_comment_changes_nothing():
    assert _changes("# the one idea", "# another idea") == set()


def test_appended_code_changes_the_function_it_redefines():
    appended = "import math\n\n\ndef _floor(x):\n    return math.floor(x)\n\n\ndef listed(x):\n"
    appended += "    return [_floor(y) for y in x]\n"
    assert _changes("SCALE = 3", "SCALE = 3", appended) == {"listed"}


@pytest.mark.parametrize(
    "appended",
    [
        "class Model:\n    pass\n",
        "SCALE = 4\n",
        "import torch.nn as torch\n",
        "def Model():\n    return 1\n",
    ],
    ids=["class", "assignment", "a name the reference uses", "a def over a class"],
)
def test_appended_code_that_rebinds_anything_else_changes_the_module(appended):
    assert _changes("SCALE = 3", "SCALE = 3", appended) == {EVERYTHING}


def test_functions_know_what_they_are_nested_in():
    found = {f.qualname: f.outer for f in functions(REFERENCE)}
    assert found == {
        "scaled": (),
        "Model.forward": (),
        "Model.forward.<locals>.inner": ("Model.forward",),
        "listed": (),
    }


IMPACT = Impact(
    tests=["t::a", "t::b", "t::c", "t::d"],
    reaches={"t::a": ["scaled"], "t::b": ["listed"], "t::c": [EVERYTHING], "t::d": []},
)


@pytest.mark.parametrize(
    ("change", "selected"),
    [
        ({"scaled"}, ["t::a", "t::c"]),
        ({"Model.forward"}, ["t::c"]),
        ({EVERYTHING}, ["t::a", "t::b", "t::c", "t::d"]),
        (set(), []),
    ],
    ids=["one function", "a function no test runs", "the module", "nothing"],
)
def test_a_change_selects_the_tests_that_reach_it_in_file_order(change, selected):
    assert IMPACT.select(frozenset(change)) == selected
