"""The commands of `python -m kata`, with the test runs faked: next, progress, hint, reset."""

import io
import sys
from types import SimpleNamespace

import pytest

from kata.engine import cli, curriculum, tally
from kata.engine.curriculum import CURRICULUM
from kata.engine.runner import Progress
from kata.engine.stubgen import generate_stub

FIRST, SECOND = CURRICULUM[:2]
STUCK = {"nodeid": "tests/test_x.py::test_y", "line": None, "message": "not done yet: kata/x.py::f"}
REFERENCE = '''"""A kata of one function."""


def double(x: int) -> int:
    """Twice x."""
    return 2 * x
'''


@pytest.fixture(autouse=True)
def _fresh_state(monkeypatch, tmp_path):
    """Each test starts with no state, kept in its own folder, as `python -m kata` is run."""
    monkeypatch.setattr(tally, "STATE", tmp_path / ".kata" / "state.json")
    monkeypatch.delenv("KATA_VIA", raising=False)


def _runs(monkeypatch, progress: list[Progress]) -> None:
    """Every run of the katas gives ``progress``, at once."""
    monkeypatch.setattr(cli, "run_katas", lambda katas, **options: progress)


def test_next_sends_the_learner_to_the_first_unfinished_kata_and_remembers_it(monkeypatch, capsys):
    _runs(monkeypatch, [Progress(FIRST, passed=2), Progress(SECOND, failed=1, first_failure=STUCK)])
    assert cli.main([]) == 1  # `next` is the default
    out = capsys.readouterr().out
    assert "torch-kata: 1 of 2 katas done" in out
    assert f"Next: kata 2, {SECOND.name}: " in out
    state = tally.State.load()
    assert (state.current, state.function) == (SECOND.name, "f")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], "Every kata is done. Compare your files with kata/solutions/.\n"),
        ([FIRST.name], f"{FIRST.name}: all 2 tests pass. Compare with kata/solutions/"),
    ],
    ids=["every", "one"],
)
def test_next_with_nothing_unfinished_says_so(monkeypatch, capsys, argv, expected):
    _runs(monkeypatch, [Progress(FIRST, passed=2)])
    assert cli.main(["next", *argv]) == 0
    assert expected in capsys.readouterr().out
    assert tally.State.load() == tally.State()


@pytest.mark.parametrize(("failed", "code"), [(0, 0), (1, 1)], ids=["done", "unfinished"])
def test_progress_exits_with_1_while_a_kata_is_unfinished(monkeypatch, capsys, failed, code):
    _runs(monkeypatch, [Progress(FIRST, passed=2), Progress(SECOND, passed=1, failed=failed)])
    assert cli.main(["progress"]) == code
    assert "katas done" in capsys.readouterr().out


def test_the_hint_command_climbs_the_failing_functions_ladder(capsys):
    tally.State(current="autograd", function="accumulated_grad").save()
    assert cli.main(["hint"]) == 0
    assert cli.main(["hint"]) == 0
    out = capsys.readouterr().out
    assert "hint 3/3 for autograd.accumulated_grad" in out, out
    assert "That was the last hint. Stuck? Read kata/solutions/autograd.py." in out
    assert tally.State.load().hints == {"autograd::accumulated_grad": 3}


def test_the_hint_command_before_any_next_asks_for_next(capsys):
    assert cli.main(["hint"]) == 1
    assert "Run `python -m kata next` first" in capsys.readouterr().out


def test_reset_without_a_kata_asks_for_one(monkeypatch, capsys):
    monkeypatch.setenv("KATA_VIA", "make")
    assert cli.main(["reset"]) == 1
    assert "make reset K=<kata>" in capsys.readouterr().out


# --- reset, on a kata of one function in a folder of its own ------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def sample(monkeypatch, tmp_path):
    """A kata whose learner file is solved: the reference itself."""
    kata = SimpleNamespace(
        name="sample",
        path=tmp_path / "kata" / "sample.py",
        reference_path=tmp_path / "kata" / "solutions" / "sample.py",
    )
    kata.reference_path.parent.mkdir(parents=True)
    kata.reference_path.write_text(REFERENCE, encoding="utf-8")
    kata.path.write_text(REFERENCE, encoding="utf-8")
    monkeypatch.setattr(cli, "find", lambda name: kata)
    monkeypatch.setattr(cli, "ROOT", tmp_path)
    monkeypatch.setattr(curriculum, "ROOT", tmp_path)  # paths are shown from the root
    monkeypatch.setattr(cli, "BACKUPS", tmp_path / ".kata" / "backups")
    monkeypatch.setattr(sys, "stdin", _Terminal())
    return kata


def _answer(monkeypatch, answer: str | None) -> None:
    """What the learner types at the question; None: no question may be asked."""

    def ask(prompt: str) -> str:
        assert answer is not None, f"asked {prompt!r}"
        assert prompt == "Replace kata/sample.py with the fresh stub? [y/N] "
        return answer

    monkeypatch.setattr("builtins.input", ask)


def _backups() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in cli.BACKUPS.glob("sample-*.py")]


@pytest.mark.parametrize("answer", ["", "n", "no", "later"], ids=["empty", "n", "no", "other"])
def test_reset_changes_nothing_unless_the_learner_says_yes(monkeypatch, capsys, sample, answer):
    _answer(monkeypatch, answer)
    assert cli.main(["reset", "sample"]) == 1
    assert capsys.readouterr().out == "Nothing changed.\n"
    assert sample.path.read_text(encoding="utf-8") == REFERENCE
    assert not cli.BACKUPS.exists()


@pytest.mark.parametrize("answer", ["y", "YES ", "Yes"], ids=["y", "upper-spaced", "capitalised"])
def test_reset_on_yes_keeps_the_learners_version_and_restores_the_stub(
    monkeypatch, capsys, sample, answer
):
    _answer(monkeypatch, answer)
    assert cli.main(["reset", "sample"]) == 0
    out = capsys.readouterr().out
    assert "Your version is kept in .kata/backups/sample-" in out
    assert out.endswith("kata/sample.py is the fresh stub again.\n")
    assert sample.path.read_text(encoding="utf-8") == generate_stub(REFERENCE)
    assert _backups() == [REFERENCE]


@pytest.mark.parametrize(
    ("via", "flag"), [("make", "YES=1"), ("", "--yes")], ids=["make", "python"]
)
def test_reset_outside_a_terminal_asks_for_the_flag_and_changes_nothing(
    monkeypatch, capsys, sample, via, flag
):
    monkeypatch.setenv("KATA_VIA", via)
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    _answer(monkeypatch, None)
    assert cli.main(["reset", "sample"]) == 1
    assert f"run it in a terminal, or add {flag}." in capsys.readouterr().out
    assert sample.path.read_text(encoding="utf-8") == REFERENCE


def test_reset_with_yes_asks_nothing(monkeypatch, sample):
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    _answer(monkeypatch, None)
    assert cli.main(["reset", "sample", "--yes"]) == 0
    assert sample.path.read_text(encoding="utf-8") == generate_stub(REFERENCE)
    assert _backups() == [REFERENCE]


def test_reset_of_a_fresh_stub_asks_nothing_and_keeps_no_backup(monkeypatch, capsys, sample):
    sample.path.write_text(generate_stub(REFERENCE), encoding="utf-8")
    _answer(monkeypatch, None)
    assert cli.main(["reset", "sample"]) == 0
    assert "already the fresh stub: nothing to reset" in capsys.readouterr().out
    assert not cli.BACKUPS.exists()


def test_reset_of_a_deleted_file_writes_the_stub_without_a_backup(monkeypatch, capsys, sample):
    sample.path.unlink()
    _answer(monkeypatch, "y")
    assert cli.main(["reset", "sample"]) == 0
    assert capsys.readouterr().out == "kata/sample.py is the fresh stub again.\n"
    assert sample.path.read_text(encoding="utf-8") == generate_stub(REFERENCE)
    assert not cli.BACKUPS.exists()
