"""Stub generation: the learner's files are the references with the exercise bodies taken out."""

import ast

import pytest

from kata.engine.stubgen import api, drift, generate_stub

REFERENCE = '''"""Kata 0: a lesson."""

import torch


def double(x: torch.Tensor) -> torch.Tensor:
    """Twice x."""
    # the key idea, explained
    return 2 * x


def _helper(x):
    return x + 1


class Model(torch.nn.Module):
    """A model."""

    def __init__(self, width: int = 3) -> None:
        """Build it."""
        super().__init__()
        self.width = width

    def forward(self, x):
        """Run it."""
        return x

    def _private(self):
        return 1
'''


def _functions(source: str) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef)}


def test_stub_replaces_each_exercise_body_with_not_implemented():
    stub = generate_stub(REFERENCE)
    namespace = {}
    exec(compile(stub, "stub.py", "exec"), namespace)
    with pytest.raises(NotImplementedError, match="double"):
        namespace["double"](1)
    with pytest.raises(NotImplementedError, match=r"Model\.__init__"):
        namespace["Model"]()
    assert "return 2 * x" not in stub
    assert "the key idea" not in stub, "the reference's comments give the answer away"


def test_stub_keeps_the_lesson_and_the_given_helpers():
    stub = generate_stub(REFERENCE)
    assert stub.startswith('"""Kata 0: a lesson."""\n\nimport torch\n')
    functions = _functions(stub)
    assert ast.get_docstring(functions["double"]) == "Twice x."
    assert ast.unparse(functions["_helper"]) == ast.unparse(_functions(REFERENCE)["_helper"])
    assert ast.unparse(functions["_private"]) == ast.unparse(_functions(REFERENCE)["_private"])


def test_stub_has_the_same_api_as_its_reference():
    assert api(generate_stub(REFERENCE)) == api(REFERENCE)


def test_stub_generation_is_idempotent():
    stub = generate_stub(REFERENCE)
    assert generate_stub(stub) == stub


def test_an_exercise_without_a_docstring_is_refused():
    with pytest.raises(ValueError, match="needs a docstring"):
        generate_stub("def f(x):\n    return x\n", "kata/solutions/bad.py")


def test_drift_names_a_changed_signature_and_a_missing_function():
    learner = REFERENCE.replace("width: int = 3", "width: int = 4").replace(
        "def double", "def twice"
    )
    problems = drift(REFERENCE, learner, "kata/solutions/lesson.py", "kata/lesson.py")
    assert any("Model.__init__" in p for p in problems), problems
    assert any("has no double" in p for p in problems), problems


def test_a_learner_body_is_no_drift():
    learner = REFERENCE.replace("return 2 * x", "return x + x")
    assert drift(REFERENCE, learner, "kata/solutions/lesson.py", "kata/lesson.py") == []


BUGGY = '''
def mean_loss(losses: list[float]) -> float:
    """The mean of the losses."""
    # stub:
    # total = sum(losses)
    # return total / (len(losses) - 1)
    return sum(losses) / len(losses)
'''


def test_a_fix_the_bug_exercise_gives_its_stub_the_buggy_body():
    stub = generate_stub(BUGGY)
    namespace = {}
    exec(compile(stub, "stub.py", "exec"), namespace)
    assert namespace["mean_loss"]([1.0, 2.0, 3.0]) == 3.0, stub
    assert "# stub:" not in stub and "/ len(losses)\n" not in stub
