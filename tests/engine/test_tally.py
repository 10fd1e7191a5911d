"""What `python -m kata` makes of a run: the first unfinished kata, the function its first
failure is in, and the hint levels it keeps from one command to the next."""

import pytest

from kata.engine import tally
from kata.engine.curriculum import BY_NAME, CURRICULUM
from kata.engine.runner import Progress

FIRST, SECOND, THIRD = CURRICULUM[:3]


@pytest.fixture
def state_file(monkeypatch, tmp_path):
    path = tmp_path / ".kata" / "state.json"
    monkeypatch.setattr(tally, "STATE", path)
    return path


def test_the_next_kata_is_the_first_unfinished_one():
    progress = [Progress(FIRST, passed=2), Progress(SECOND, failed=1), Progress(THIRD, failed=1)]
    assert tally.upcoming(progress) is progress[1]
    assert tally.upcoming(progress[:1]) is None


def test_katas_are_numbered_from_one_in_the_curriculum_order():
    assert [tally.number(kata) for kata in (FIRST, SECOND, THIRD)] == [1, 2, 3]


@pytest.mark.parametrize(
    ("message", "function"),
    [
        ("not done yet: kata/autograd.py::accumulated_grad", "accumulated_grad"),
        ("ValueError: boom\n(raised in kata/autograd.py, line 9, in Cube.forward)", "Cube.forward"),
        ("assert 1 == 2", None),
    ],
    ids=["stub", "raised", "assertion"],  # ids that name no kata: `-k <kata>` stays exact
)
def test_the_failing_function_is_read_from_the_first_failure(message, function):
    entry = Progress(FIRST, failed=1, first_failure={"message": message})
    assert tally.failing_function(entry) == function


def test_a_run_without_a_failure_names_no_function():
    assert tally.failing_function(Progress(FIRST, broken="SyntaxError")) is None


def test_the_state_is_kept_from_one_command_to_the_next(state_file):
    tally.State(current="a", function="f", hints={"a": 2}).save()
    assert state_file.exists()
    assert tally.State.load() == tally.State(current="a", function="f", hints={"a": 2})


@pytest.mark.parametrize(
    "text",
    [None, "{not json", '["a list"]', '{"unknown": 1}'],
    ids=["missing", "garbled", "list", "unknown-field"],
)
def test_a_missing_or_unreadable_state_starts_afresh(state_file, text):
    if text is not None:
        state_file.parent.mkdir()
        state_file.write_text(text, encoding="utf-8")
    assert tally.State.load() == tally.State()


def test_each_hint_asked_for_shows_one_more_up_to_the_last():
    state = tally.State()
    assert state.shown("a") == 1  # the next step shows the first hint before any is asked for
    assert [state.advance("a", 3) for _ in range(4)] == [2, 3, 3, 3]
    assert state.shown("a") == 3


def test_a_new_ladder_starts_at_its_first_hint_and_the_last_keeps_its_level():
    state = tally.State()
    state.advance("a", 3)
    assert state.shown("b") == 1
    assert state.advance("b", 3) == 2
    assert state.hints == {"a": 2, "b": 2}


def test_following_a_failure_moves_to_its_functions_ladder_and_back():
    kata = BY_NAME["autograd"]  # a kata with ladders for single functions
    stub = {"message": f"not done yet: kata/{kata.name}.py::accumulated_grad"}
    state = tally.State(current=FIRST.name)
    state.follow(Progress(kata, failed=1, first_failure=stub))
    assert (state.current, state.function) == (kata.name, "accumulated_grad")
    assert state.ladder(kata) == kata.hints_for("accumulated_grad")
    assert state.ladder(kata)[0] != kata.name
    assert state.ladder(FIRST) == FIRST.hints_for(None)  # another kata: its own ladder
    state.follow(Progress(kata, failed=1, first_failure={"message": "assert 1 == 2"}))
    assert state.ladder(kata) == kata.hints_for(None)  # no function: the kata's ladder
