"""`python -m kata approaches`: a done kata's correct alternatives as diffs against its
reference, marked by their verdicts on record, and refused before the kata is done. Nothing
runs a kata here: the learner's record and the variants' records are written by hand."""

import json
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

import pytest

from kata.engine import approaches, cli, display, runner, variants
from kata.engine.approaches import ACCEPTED, REFUSED, UNCHECKED
from kata.engine.curriculum import CURRICULUM
from kata.engine.runner import Progress
from kata.engine.variants import Outcome, Variant

FIRST, SECOND = CURRICULUM[:2]
REFERENCE = '''\
"""A kata of its own."""

import math


def double(x):
    """Twice x."""
    y = x + x
    return y


class Scaler:
    """Scales by a factor."""

    def __init__(self, factor):
        """Keep the factor."""
        self.factor = factor

    def __call__(self, x):
        """x times the factor."""
        return x * self.factor
'''
TESTS = """\
from planted import double


def test_double_of_two():
    assert double(2) == 4
"""
AS_A_PRODUCT = Variant("double as a product", ("    y = x + x\n", "    y = 2 * x\n"))
REDEFINED = Variant(
    "double by a helper",
    append="""
    import operator


    def _twice(x):
        return operator.mul(2, x)


    def double(x):
        return _twice(x)
    """,
    why="multiplying by two is adding x to itself",
)
A_CLASS = Variant(
    "Scaler with a stored lambda",
    append="""
    class Scaler:
        def __init__(self, factor):
            self.scale = lambda x: x * factor

        def __call__(self, x):
            return self.scale(x)
    """,
)
OFF_BY_ONE = Variant("double is off by one", ("    return y\n", "    return y + 1\n"))


@pytest.fixture(autouse=True)
def _plain_python(monkeypatch, tmp_path):
    """Run as `python -m kata`, with a learner's record of its own."""
    monkeypatch.delenv("KATA_VIA", raising=False)
    monkeypatch.setattr(runner, "RECORD", tmp_path / ".kata" / "record.json")


def test_an_edit_is_a_short_diff_headed_by_its_function():
    lines = approaches.diff(REFERENCE, approaches.written_out(REFERENCE, AS_A_PRODUCT))
    assert lines[0].startswith("@@ -") and lines[0].endswith(" @@ double"), lines
    changed = [line for line in lines[1:] if line[:1] in "+-"]
    assert changed == ["-    y = x + x", "+    y = 2 * x"]
    assert len(lines) == 1 + 2 + 2 * approaches.CONTEXT


def test_an_appended_redefinition_replaces_the_function_in_place_with_its_docstring():
    written = approaches.written_out(REFERENCE, REDEFINED)
    assert written.count("def double") == 1
    assert '    """Twice x."""\n    return _twice(x)' in written
    assert (
        written.index("import operator")
        < written.index("def _twice")
        < written.index("def double")
        < written.index("class Scaler")
    )
    lines = approaches.diff(REFERENCE, written)
    removed = [line for line in lines if line.startswith("-")]
    assert removed == ["-    y = x + x", "-    return y"], lines
    assert "+    return _twice(x)" in lines and '     """Twice x."""' in lines


def test_a_redefined_class_keeps_its_own_and_its_methods_docstrings():
    written = approaches.written_out(REFERENCE, A_CLASS)
    for docstring in ("Scales by a factor.", "Keep the factor.", "x times the factor."):
        assert written.count(docstring) == 1, written
    lines = approaches.diff(REFERENCE, written)
    assert not any('"""' in line for line in lines if line[:1] in "+-"), lines
    headers = [line.split("@@")[-1].strip() for line in lines if line.startswith("@@")]
    assert headers == ["Scaler.__init__", "Scaler.__call__"], lines


def test_the_reference_is_shown_without_its_docstrings():
    code = approaches.without_docstrings(REFERENCE)
    assert '"""' not in code
    assert code.startswith("import math\n") and "class Scaler:\n    def __init__" in code


def test_a_variant_s_why_is_shown_only_and_leaves_its_verdict_s_key_alone():
    assert AS_A_PRODUCT.why == AS_A_PRODUCT.name
    without = Variant(REDEFINED.name, append=REDEFINED.append)
    assert REDEFINED.why != REDEFINED.name and REDEFINED.key == without.key


@pytest.fixture
def planted(tmp_path) -> SimpleNamespace:
    (tmp_path / "planted.py").write_text(REFERENCE, encoding="utf-8")
    (tmp_path / "test_planted.py").write_text(TESTS, encoding="utf-8")
    return SimpleNamespace(
        name="planted",
        module="kata.planted",
        reference_path=tmp_path / "planted.py",
        test_path=tmp_path / "test_planted.py",
    )


FOUND = ([OFF_BY_ONE], [AS_A_PRODUCT, REDEFINED, A_CLASS])


def _record(kata, records: Path, verdicts: dict[Variant, Outcome]) -> None:
    """A variants record as a run leaves it, written by hand."""
    work = variants._Work.prepare(kata, FOUND, records)
    for variant, outcome in verdicts.items():
        work.verdicts[variant.key] = asdict(outcome)
    work.save()


def test_each_alternative_is_marked_by_its_verdict_on_record(planted, tmp_path):
    records = tmp_path / "records"
    _record(
        planted,
        records,
        {
            OFF_BY_ONE: Outcome(OFF_BY_ONE.name, failed=[("test_double_of_two", "assert 5 == 4")]),
            AS_A_PRODUCT: Outcome(AS_A_PRODUCT.name, passed=1),
            REDEFINED: Outcome(REDEFINED.name, failed=[("test_double_of_two", "assert")]),
        },
    )
    shown = approaches.of(planted, FOUND, records)
    marks = [(a.name, a.verdict, a.refused_by) for a in shown.alternatives]
    assert marks == [
        (AS_A_PRODUCT.name, ACCEPTED, ""),
        (REDEFINED.name, REFUSED, "test_double_of_two"),
        (A_CLASS.name, UNCHECKED, ""),
    ]
    assert (shown.broken, shown.caught) == (1, 1)


def test_a_verdict_on_record_for_other_files_marks_nothing(planted, tmp_path):
    records = tmp_path / "records"
    _record(planted, records, {AS_A_PRODUCT: Outcome(AS_A_PRODUCT.name, passed=1)})
    planted.reference_path.write_text(REFERENCE.replace("Twice x.", "2x."), encoding="utf-8")
    shown = approaches.of(planted, FOUND, records)
    assert [a.verdict for a in shown.alternatives] == [UNCHECKED] * 3


def test_the_display_shows_the_alternatives_why_and_verdicts_never_a_broken_one(
    planted, tmp_path, capsys
):
    records = tmp_path / "records"
    _record(planted, records, {AS_A_PRODUCT: Outcome(AS_A_PRODUCT.name, passed=1)})
    display.print_approaches(approaches.of(planted, FOUND, records))
    out = capsys.readouterr().out
    assert "planted: the reference and 3 other correct ways" in out
    assert f"1. {AS_A_PRODUCT.name}\n   proven: every test passed on it" in out
    assert f"2. {REDEFINED.name}\n   {REDEFINED.why}\n   no verdict on record" in out
    assert OFF_BY_ONE.name not in out and "y + 1" not in out
    assert "the 1 plausible bugs its tests must catch\n(0 caught on record" in out


def _learner_record(**record) -> None:
    runner.RECORD.parent.mkdir(parents=True, exist_ok=True)
    runner.RECORD.write_text(json.dumps(record), encoding="utf-8")


@pytest.fixture
def shown(monkeypatch) -> list:
    """``approaches.of`` faked: the katas whose approaches were shown."""
    asked = []

    def of(kata):
        asked.append(kata.name)
        return approaches.Approaches(kata, "x = 1\n")

    monkeypatch.setattr(approaches, "of", of)
    return asked


@pytest.mark.parametrize(
    "record",
    [{}, {"green": {}, "done": []}, {"done": [SECOND.name]}],
    ids=["no record", "nothing done", "another kata done"],
)
def test_approaches_before_the_kata_is_done_refuse_kindly(capsys, shown, record):
    _learner_record(**record)
    assert cli.main(["approaches", FIRST.name]) == 1
    out = capsys.readouterr().out
    assert "Finish it first: the approaches give the answer away." in out
    assert f"`python -m kata next {FIRST.name}`" in out and shown == []


@pytest.mark.parametrize(
    "record",
    [{"done": [FIRST.name]}, {"green": {FIRST.name: {"passed": 3}}}],
    ids=["done once", "green"],
)
def test_approaches_of_a_done_kata_are_shown(capsys, shown, record):
    _learner_record(**record)
    assert cli.main(["approaches", FIRST.name]) == 0
    assert shown == [FIRST.name]
    assert f"{FIRST.name}: the reference and 0 other correct ways" in capsys.readouterr().out


def test_anyway_shows_them_before_the_kata_is_done(shown):
    assert cli.main(["approaches", FIRST.name, "--anyway"]) == 0
    assert shown == [FIRST.name]


def test_approaches_without_a_kata_name_those_done(capsys, shown):
    _learner_record(done=[SECOND.name, FIRST.name])
    assert cli.main(["approaches"]) == 1
    assert f"for one you have done: {FIRST.name}, {SECOND.name}." in capsys.readouterr().out


def test_the_table_offers_the_approaches_of_the_last_kata_done_once(monkeypatch, capsys):
    display.print_table([Progress(FIRST, passed=3), Progress(SECOND, passed=2)])
    out = capsys.readouterr().out
    assert out.count("approaches") == 1
    assert f"`python -m kata approaches {SECOND.name}` shows other correct ways" in out
    display.print_table([Progress(FIRST, failed=1)])
    assert "approaches" not in capsys.readouterr().out
    monkeypatch.setenv("KATA_VIA", "make")
    display.print_all_done([Progress(FIRST, passed=3)], FIRST.name)
    assert f"`make approaches K={FIRST.name}` shows" in capsys.readouterr().out


def test_written_out_code_still_parses():
    for variant in (AS_A_PRODUCT, REDEFINED, A_CLASS):
        compile(approaches.written_out(REFERENCE, variant), "written", "exec")
