"""What `python -m kata` prints: the table's statuses and counts, its footnotes, the next step
with its hints, and footers that name the command the learner used."""

import pytest

from kata.engine import display, tally
from kata.engine.curriculum import BY_NAME, CURRICULUM
from kata.engine.runner import Progress

FIRST, SECOND, THIRD = CURRICULUM[:3]
FAILURE = {"nodeid": "tests/test_x.py::test_y", "line": 9, "message": "assert 1 == 2"}


@pytest.fixture(autouse=True)
def _plain_python(monkeypatch):
    """Run as `python -m kata`, outside watch mode, unless a test says otherwise."""
    monkeypatch.delenv("KATA_VIA", raising=False)
    monkeypatch.delenv(display.WATCHING_ENV_VAR, raising=False)


@pytest.mark.parametrize(
    ("via", "expected"),
    [("make", "make hint"), ("", "python -m kata hint")],
    ids=["make", "python"],
)
def test_footers_name_the_command_the_learner_used(monkeypatch, via, expected):
    monkeypatch.setenv("KATA_VIA", via)
    assert display.command("hint") == expected


@pytest.mark.parametrize(
    ("fields", "is_next", "expected"),
    [
        ({"passed": 3}, False, "done      compare with kata/solutions/{name}.py"),
        ({"passed": 3, "recorded": True}, False, "done      {solution} (unchanged)"),
        ({"broken": "SyntaxError"}, True, "broken: kata/{name}.py does not import <-"),
        ({"broken": "SyntaxError"}, False, "broken: kata/{name}.py does not import"),
        ({"failed": 1}, True, "next <-"),
        ({"failed": 1}, False, ""),
        ({"failed": 1, "crashed": True}, True, "next <-  crashed the test process"),
        ({"failed": 1, "crashed": True}, False, "crashed the test process"),
        (
            {"failed": 1, "timed_out": "test_x"},
            False,
            "stopped by the time limit in test_x; {rest}",
        ),
        ({"checked": False, "collected": 4}, False, ""),
    ],
    ids=[
        "done",
        "unchanged",
        "broken-next",
        "broken",
        "failing-next",
        "failing",
        "crashed-next",
        "crashed",
        "timed-out",
        "not-run",
    ],
)
def test_each_status_says_where_a_kata_stands(fields, is_next, expected):
    solution = f"compare with kata/solutions/{FIRST.name}.py"
    rest = "its other tests were not run"
    status = display.status(Progress(FIRST, **fields), is_next)
    assert status == expected.format(name=FIRST.name, solution=solution, rest=rest)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"passed": 2, "failed": 1}, "2/3"),
        ({"checked": False, "collected": 4}, "-/4"),
        ({"checked": False}, "-"),
        ({"broken": "SyntaxError"}, "-"),
        ({}, "0/0"),
    ],
    ids=["run", "not-run", "nothing-collected", "broken", "no-test"],
)
def test_the_tests_column_counts_what_ran(fields, expected):
    assert display.tests_column(Progress(FIRST, **fields)) == expected


def test_a_row_holds_number_name_tests_and_status_and_the_first_unfinished_is_next(capsys):
    display.print_table(
        [Progress(FIRST, passed=3), Progress(SECOND, passed=1, failed=2), Progress(THIRD, failed=1)]
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "torch-kata: 1 of 3 katas done"
    rows = {line.split()[1]: line.split() for line in lines[3:6]}
    assert rows[FIRST.name][:4] == ["1", FIRST.name, "3/3", "done"]
    assert rows[SECOND.name] == ["2", SECOND.name, "1/3", "next", "<-"]
    assert rows[THIRD.name] == ["3", THIRD.name, "0/1"]


def test_the_table_says_why_a_kata_is_unfinished(capsys):
    crashed = Progress(FIRST, failed=1, crashed=True)
    stuck = Progress(SECOND, failed=1, timed_out="test_x")
    kept = Progress(THIRD, passed=3, recorded=True)
    display.print_table([kept, crashed, stuck])
    out = capsys.readouterr().out
    assert "crashed the test process" in out
    assert "stopped by the time limit in test_x" in out
    assert "(unchanged)" in out and "--all" in out


def test_footnotes_explain_only_what_the_table_shows(capsys):
    display.print_table([Progress(FIRST, passed=3)])
    plain = capsys.readouterr().out
    assert "not run yet" not in plain and "(unchanged):" not in plain
    display.print_table([Progress(FIRST, failed=1), Progress(SECOND, checked=False)])
    out = capsys.readouterr().out
    assert "-/N, -: not run yet" in out and "`python -m kata progress` runs all" in out


def _next_step(capsys, entry: Progress, state: tally.State) -> str:
    display.print_next_step(entry, state)
    return capsys.readouterr().out


def test_the_next_step_shows_the_failure_and_every_hint_seen_so_far(capsys):
    key, hints = FIRST.hints_for(None)
    state = tally.State(current=FIRST.name, hints={key: 2})
    out = _next_step(capsys, Progress(FIRST, failed=1, first_failure=FAILURE), state)
    assert out.startswith(f"Next: kata 1, {FIRST.name}: {FIRST.concept}\n")
    assert f"  edit   kata/{FIRST.name}.py\n" in out
    assert "  test   tests/test_x.py::test_y  (line 10)\n    assert 1 == 2\n" in out
    assert f"  hint 1/{len(hints)}: {hints[0]}\n  hint 2/{len(hints)}: {hints[1]}\n" in out
    assert "hint 3/" not in out
    assert "`python -m kata hint`: the next hint" in out
    assert "`python -m kata watch`: rerun this on every save" in out
    assert f"`pytest -k {FIRST.name}`: this kata alone" in out


def test_the_first_hint_shows_before_any_is_asked_for(capsys):
    out = _next_step(capsys, Progress(FIRST, failed=1, first_failure=FAILURE), tally.State())
    assert "  hint 1/" in out and "  hint 2/" not in out


def test_a_functions_own_ladder_is_named(capsys):
    kata = BY_NAME["autograd"]  # a kata with ladders for single functions
    state = tally.State(current=kata.name, function="accumulated_grad")
    out = _next_step(capsys, Progress(kata, failed=1, first_failure=FAILURE), state)
    assert "hint 1/3 (accumulated_grad): " in out


def test_the_last_hint_and_watch_mode_drop_their_footers(monkeypatch, capsys):
    monkeypatch.setenv(display.WATCHING_ENV_VAR, "1")
    key, hints = FIRST.hints_for(None)
    state = tally.State(current=FIRST.name, hints={key: len(hints)})
    out = _next_step(capsys, Progress(FIRST, failed=1, first_failure=FAILURE), state)
    assert "the next hint" not in out and "rerun this on every save" not in out
    assert f"`pytest -k {FIRST.name}`" in out


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"broken": "SyntaxError: oops"}, "could not import your module:\n    SyntaxError: oops"),
        ({}, "no test ran here: is a device fixture skipping every test?"),
    ],
    ids=["broken", "no-test"],
)
def test_the_next_step_says_why_no_test_failed(capsys, fields, expected):
    assert expected in _next_step(capsys, Progress(FIRST, **fields), tally.State())
