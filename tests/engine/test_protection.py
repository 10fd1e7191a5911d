"""Learner protection: each test of the suite's own conftest runs a small pytest session."""

import os
import re
import subprocess
import sys
import textwrap

import pytest

from kata.engine.curriculum import ROOT

# Code that pretends to live in kata/tensors.py, the way a learner's module does.
LEARNER_CODE = '''
import torch
namespace = {"__name__": "kata.tensors"}
exec(compile("""
def unfinished():
    raise NotImplementedError("unfinished")

def spin():
    while True:
        pass

def wrong_type():
    raise TypeError("size must be positive")
""", "kata/tensors.py", "exec"), namespace)
'''


def run_pytest(
    tmp_path, files: dict[str, str], *args: str, script: str | None = None
) -> subprocess.CompletedProcess:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:cacheprovider", *args]
    if script:
        command = [sys.executable, "-c", script]
    return subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )


SESSION_FILES = {
    "test_unfinished.py": LEARNER_CODE
    + "\ndef test_unfinished():\n    namespace['unfinished']()\n",
    "test_hang.py": LEARNER_CODE + "\ndef test_hang():\n    namespace['spin']()\n",
    "test_property_hang.py": LEARNER_CODE
    + "\nfrom hypothesis import given, strategies as st\n"
    + "\n@given(st.integers())\ndef test_property_hang(n):\n    namespace['spin']()\n",
    "test_replayed.py": """
        from hypothesis import given, strategies as st

        @given(st.integers())
        def test_fails_for_big_numbers(n):
            assert n < 10
        """,
    "test_expected.py": LEARNER_CODE
    + "\nimport pytest\n"
    + "\ndef test_expected():\n    with pytest.raises(ValueError):\n"
    + "        namespace['wrong_type']()\n",
    "test_state.py": """
        import torch

        def test_a_careless_test():
            torch.set_grad_enabled(False)
            torch.set_default_dtype(torch.float64)
            torch.set_num_threads(1)

        def test_the_next_test_sees_pristine_state():
            assert torch.is_grad_enabled()
            assert torch.get_default_dtype() == torch.float32
        """,
    "test_seed.py": """
        import torch

        def test_one():
            print("draw", torch.rand(1).item())

        def test_two():
            print("draw", torch.rand(1).item())
        """,
}


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> str:
    """One pytest session over all the files above, run twice in one process (torch loads once)."""
    folder = tmp_path_factory.mktemp("session")
    args = [
        "-p",
        "conftest",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        "-s",
        "-o",
        "timeout=1",
    ]
    script = f"import pytest\nfor _ in range(2):\n    pytest.main({args!r})\n"
    return run_pytest(folder, SESSION_FILES, script=script).stdout


def test_an_unfinished_stub_is_reported_in_one_line(session):
    assert "not done yet: kata/tensors.py::unfinished" in session, session
    assert "Traceback" not in session and "raise NotImplementedError" not in session


def test_code_that_hangs_is_stopped_and_the_report_names_the_test_and_line(session):
    assert "test_hang.py::test_hang was stopped after 1 s" in session, session
    assert "kata/tensors.py, line 6, in spin" in session, session


def test_a_hang_inside_a_hypothesis_property_is_stopped_once_not_retried_forever(session):
    assert "test_property_hang.py::test_property_hang was stopped after 1 s" in session, session


def test_an_example_replayed_from_the_database_says_so_and_how_to_clear_it(session):
    # The session runs twice: the first run finds and saves the example, the second replays it.
    assert session.count("replayed this example from .hypothesis/") == 1, session
    assert "delete the .hypothesis folder" in session, session


def test_the_wrong_exception_type_is_reported_with_the_one_expected(session):
    assert "expected ValueError, but TypeError was raised" in session, session


def test_global_torch_state_changed_by_one_test_does_not_reach_the_next(session):
    assert "test_state.py::test_the_next_test_sees_pristine_state" not in session, session


def test_each_test_gets_its_own_repeatable_seed(session):
    draws = re.findall(r"draw (\S+)", session)
    assert len(draws) == 4, session
    assert draws[:2] == draws[2:], "the same test must draw the same numbers in every run"
    assert draws[0] != draws[1], "two tests should not share a seed"


def test_stub_mode_names_a_test_that_passes_on_the_stub(tmp_path):
    result = run_pytest(
        tmp_path,
        {
            "tests/test_tensors.py": """
            from kata.tensors import counting_grid

            def test_that_asserts_nothing():
                pass

            def test_that_calls_the_stub():
                counting_grid(1, 1)
            """
        },
        "--impl=stub",
    )
    assert result.returncode == 1, result.stdout
    assert "tests/test_tensors.py::test_that_asserts_nothing: cannot tell a stub" in result.stdout
    assert "1 xfailed" in result.stdout, result.stdout
