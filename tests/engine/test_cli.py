"""What `python -m kata` prints: footers, the table's statuses, hints that follow the failure."""

import pytest

from kata.engine import cli
from kata.engine.curriculum import BY_NAME
from kata.engine.runner import Progress


@pytest.mark.parametrize(
    ("via", "expected"),
    [("make", "make hint"), ("", "python -m kata hint")],
    ids=["make", "python"],
)
def test_footers_name_the_command_the_learner_used(monkeypatch, via, expected):
    monkeypatch.setenv("KATA_VIA", via)
    assert cli.command("hint") == expected


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
    entry = Progress(BY_NAME["autograd"], failed=1, first_failure={"message": message})
    assert cli.failing_function(entry) == function


def test_a_function_with_a_ladder_of_its_own_gets_it_and_others_get_the_katas():
    autograd = BY_NAME["autograd"]
    key, hints = autograd.hints_for("Cube.backward")
    assert key == "autograd::Cube" and hints != autograd.hints
    assert autograd.hints_for("grad_of") == ("autograd", autograd.hints)
    assert autograd.hints_for(None) == ("autograd", autograd.hints)


def test_the_hint_command_climbs_the_failing_functions_ladder(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(cli, "STATE", tmp_path / "state.json")
    cli.State(current="autograd", function="accumulated_grad").save()
    assert cli.main(["hint"]) == 0
    assert cli.main(["hint"]) == 0
    out = capsys.readouterr().out
    assert "hint 3/3 for autograd.accumulated_grad" in out, out
    assert cli.State.load().hints == {"autograd::accumulated_grad": 3}


def test_the_table_says_why_a_kata_is_unfinished(capsys):
    crashed = Progress(BY_NAME["tensors"], failed=1, crashed=True)
    stuck = Progress(BY_NAME["autograd"], failed=1, timed_out="test_x")
    kept = Progress(BY_NAME["data_prep"], passed=3, recorded=True)
    cli.print_table([kept, crashed, stuck])
    out = capsys.readouterr().out
    assert "crashed the test process" in out
    assert "stopped by the time limit in test_x" in out
    assert "(unchanged)" in out and "--all" in out


def test_reset_without_a_kata_asks_for_one(monkeypatch, capsys):
    monkeypatch.setenv("KATA_VIA", "make")
    assert cli.main(["reset"]) == 1
    assert "make reset K=<kata>" in capsys.readouterr().out
