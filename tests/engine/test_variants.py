"""The variants engine: edits that must apply, and a run that tells caught from survived,
runs only the tests that can see a variant, stops a crawling one, reuses what it knows, and
reaches the same verdicts whatever ran before it."""

import textwrap
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from types import SimpleNamespace

import pytest

from kata.engine import variants
from kata.engine.curriculum import CURRICULUM
from kata.engine.variants import Variant, VariantError

SOURCE = "def f(x):\n    return x + 1\n"


def test_an_edit_replaces_its_one_occurrence():
    assert Variant("minus", ("x + 1", "x - 1")).apply(SOURCE) == "def f(x):\n    return x - 1\n"


@pytest.mark.parametrize("old", ["x + 2", "x"], ids=["absent", "twice"])
def test_an_edit_that_does_not_occur_exactly_once_is_refused(old):
    with pytest.raises(VariantError, match="not once; update the edit"):
        Variant("stale", (old, "y")).apply(SOURCE)


def test_appended_code_redefines_the_reference():
    source = Variant("loop", append="\n    def f(x):\n        return 1 + x\n").apply(SOURCE)
    namespace: dict = {}
    exec(source, namespace)
    assert namespace["f"](1) == 2 and source.rstrip().endswith("return 1 + x")


def test_a_variant_that_changes_nothing_is_refused():
    with pytest.raises(VariantError, match="changes nothing"):
        Variant("same", ("x + 1", "x + 1")).apply(SOURCE)


def test_every_kata_has_variants_that_apply_to_its_reference():
    # One test for all katas: a parametrized id would carry a kata's name, and `-k <kata>`
    # must select that kata's own tests alone.
    for kata in CURRICULUM:
        broken, alternatives = variants.load(kata)
        assert broken and alternatives, f"tests/variants/{kata.name}.py: BROKEN and ALTERNATIVES"
        source = kata.reference_path.read_text(encoding="utf-8")
        for variant in (*broken, *alternatives):
            compile(variant.apply(source), f"{kata.name}: {variant.name}", "exec")
        names = [v.name for v in (*broken, *alternatives)]
        assert len(set(names)) == len(names), f"tests/variants/{kata.name}.py: names repeat"


def test_a_run_tells_caught_from_survived_and_accepted_from_rejected():
    broken = [
        Variant("wrong shape", ("reshape(rows, cols)", "reshape(cols, rows)")),
        Variant("only the docstring", ("A (rows, cols) tensor", "A tensor")),
    ]
    alternatives = [
        Variant("view", ("reshape(rows, cols)", "view(rows, cols)")),
        Variant("not really", ("reshape(rows, cols)", "reshape(cols, rows)")),
    ]
    with ProcessPoolExecutor(1, get_context("spawn")) as pool:
        job = pool.submit(variants.run_kata, "tensors", (broken, alternatives), records=None)
        tally = job.result()
    assert [o.variant for o in tally.survivors] == ["only the docstring"]
    assert [o.variant for o in tally.rejected] == ["not really"]
    assert "broken caught  1/2" in tally.line() and "alternatives accepted 1/2" in tally.line()
    details = "\n".join(tally.details())
    assert "'only the docstring' passed all" in details and "'not really' rejected by" in details


# ---- a kata planted here: impact, the time limit, the record, history ----------------------

PLANTED = {
    "planted.py": """
        \"\"\"A kata planted by the engine's tests.\"\"\"
        import time

        SCALE = 1


        def double(x):
            return 2 * x * SCALE


        def triple(x):
            return 3 * x


        def same(x):
            return x
    """,
    "test_planted.py": """
        import multiprocessing
        import subprocess
        import sys
        import time

        from kata.engine import impl
        from kata.planted import double, same, triple
        from planted_process import triple_into


        def test_double_of_two():
            assert double(2) == 4


        def test_double_of_three():
            time.sleep(0.3)  # the slowest: a broken variant tries the quicker tests first
            assert double(3) == 6


        def test_triple_of_two():
            assert triple(2) == 6


        def test_same_gives_its_argument():
            assert same(3) == 3


        def test_triple_in_a_process_of_its_own(tmp_path):
            out = tmp_path / "out"
            context = multiprocessing.get_context("spawn")
            process = context.Process(target=triple_into, args=(impl.redirected(), out))
            process.start()
            process.join()
            assert out.read_text() == "6"


        def test_a_subprocess_is_not_traced():
            subprocess.run([sys.executable, "-c", "pass"], check=True)
    """,
    "planted_process.py": """
        from kata.engine import impl


        def triple_into(files, out):
            impl.redirect(files)  # as the parent does, before the kata is imported
            from kata.planted import triple

            out.write_text(str(triple(2)))
    """,
    "counter.py": """
        def increment(x):
            return x + 1
    """,
    "test_counter.py": """
        from hypothesis import given, settings, strategies as st

        from kata.counter import increment


        @settings(max_examples=300)
        @given(st.lists(st.integers(), max_size=10))
        def test_increment_adds_one(xs):
            assert [increment(x) for x in xs] == [x + 1 for x in xs]
    """,
    # 500 constants that hypothesis would draw from, were they to leak into another kata
    "table.py": "TABLE = ({})\n\n\ndef lookup(i):\n    return TABLE[i]\n".format(
        ", ".join(str(n) for n in range(1000, 1500))
    ),
    "test_table.py": """
        from kata.table import lookup


        def test_lookup_of_zero():
            assert lookup(0) == 1000
    """,
}
CAUGHT_BY_THREE = Variant(
    "double is off at three", ("return 2 * x * SCALE", "return 2 * x * SCALE + (x == 3)")
)
CRAWLS = Variant("triple sleeps", ("return 3 * x", "time.sleep(60)\n    return 3 * x"))
COMMENT = Variant("same, commented", ("return x\n", "return x  # unchanged\n"))
PLANTED_VARIANTS = (
    [CAUGHT_BY_THREE, CRAWLS, COMMENT],
    [
        Variant("double as a sum", ("return 2 * x * SCALE", "return (x + x) * SCALE")),
        Variant("triple as a sum", ("return 3 * x", "return x + x + x")),
        Variant("one import more", ("import time", "import math\nimport time")),
    ],
)
# Caught only when hypothesis draws 987654: from its own constants, say.
COUNTER_VARIANTS = ([Variant("one off at 987654", ("x + 1", "x + 1 - (x == 987654)"))], [])
TABLE_VARIANTS = ([Variant("looks one further", ("TABLE[i]", "TABLE[i + 1]"))], [])


def _kata(folder: Path, name: str) -> SimpleNamespace:
    return SimpleNamespace(
        name=name,
        module=f"kata.{name}",
        reference_path=folder / f"{name}.py",
        test_path=folder / f"test_{name}.py",
    )


def _planted_runs(folder: Path) -> dict:
    """In a fresh worker: the planted kata twice, then again after its reference changed and
    after a module its tests import changed (one variant is enough there), then the counter
    alone and after the table."""
    variants.FLOOR_S = 1.0  # the sleeping variant is stopped after a second, not ten
    records = folder / "records"
    planted = _kata(folder, "planted")
    runs = {"first": variants.run_kata(planted, PLANTED_VARIANTS, records)}
    runs["again"] = variants.run_kata(planted, PLANTED_VARIANTS, records)
    source = planted.reference_path.read_text(encoding="utf-8")
    planted.reference_path.write_text(source.replace("engine's tests", "engine"), "utf-8")
    runs["changed"] = variants.run_kata(planted, ([CAUGHT_BY_THREE], []), records)
    runs["unchanged"] = variants.run_kata(planted, ([CAUGHT_BY_THREE], []), records)
    helper = folder / "planted_process.py"  # imported by the tests, by a name of its own
    helper.write_text(helper.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    runs["helper changed"] = variants.run_kata(planted, ([CAUGHT_BY_THREE], []), records)
    runs["counter alone"] = variants.run_kata(_kata(folder, "counter"), COUNTER_VARIANTS, None)
    variants.run_kata(_kata(folder, "table"), TABLE_VARIANTS, None)
    runs["counter after"] = variants.run_kata(_kata(folder, "counter"), COUNTER_VARIANTS, None)
    return runs


@pytest.fixture(scope="module")
def planted_runs(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("planted")
    for name, text in PLANTED.items():
        (folder / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    with ProcessPoolExecutor(1, get_context("spawn")) as pool:
        return pool.submit(_planted_runs, folder).result()


def _outcome(tally: variants.Tally, name: str) -> variants.Outcome:
    return next(o for o in (*tally.broken, *tally.alternatives) if o.variant == name)


def test_a_variant_runs_only_the_tests_that_reach_what_it_changes(planted_runs):
    sum_ = _outcome(planted_runs["first"], "double as a sum")
    # double's two tests, and the one that starts a subprocess, which cannot be traced
    assert (sum_.passed, sum_.unreached) == (3, 3), sum_
    assert not sum_.failed


def test_a_multiprocessing_process_is_traced_in_that_process(planted_runs):
    sum_ = _outcome(planted_runs["first"], "triple as a sum")
    # triple's test here, the one that calls it in a process, and the subprocess one
    assert (sum_.passed, sum_.unreached) == (3, 3), sum_


def test_an_edit_outside_every_function_runs_every_test(planted_runs):
    imports = _outcome(planted_runs["first"], "one import more")
    assert (imports.passed, imports.unreached) == (6, 0), imports


def test_an_edit_no_test_can_see_runs_nothing_and_survives(planted_runs):
    comment = _outcome(planted_runs["first"], "same, commented")
    assert (comment.passed, comment.failed, comment.unreached) == (0, [], 6), comment
    assert "changes only code that no test runs" in "\n".join(planted_runs["first"].details())


def test_a_broken_variant_that_crawls_is_caught_by_its_time_limit(planted_runs):
    crawls = _outcome(planted_runs["first"], "triple sleeps")
    assert crawls.timed_out == "test_triple_of_two" and crawls.limit == 1.0, crawls
    assert planted_runs["first"].timeouts == [crawls]
    assert "(1 by time limit)" in planted_runs["first"].line()


def test_an_unchanged_kata_reuses_every_verdict(planted_runs):
    again = planted_runs["again"]
    assert all(o.reused for o in (*again.broken, *again.alternatives))
    assert again.tests_run == 0 and again.line() == planted_runs["first"].line()


def test_a_changed_reference_runs_again_with_the_catching_test_first(planted_runs):
    first = _outcome(planted_runs["first"], "double is off at three")
    changed = _outcome(planted_runs["changed"], "double is off at three")
    assert first.failed[0][0] == changed.failed[0][0] == "test_double_of_three"
    assert first.passed >= 1 and (changed.passed, changed.reused) == (0, False), (first, changed)


def test_a_kata_gets_the_same_verdicts_whatever_ran_before_it(planted_runs):
    # Hypothesis draws constants from the reference and its variants (987654 here), never
    # from a kata that ran before (the table's 500) nor from what else this process imported.
    alone, after = planted_runs["counter alone"], planted_runs["counter after"]
    assert alone.broken == after.broken, (alone.broken, after.broken)
    assert alone.broken[0].failed, "987654, a constant of the variant, was never drawn"


def _planted_files(folder: Path) -> SimpleNamespace:
    for name in ("planted.py", "test_planted.py", "planted_process.py"):
        (folder / name).write_text(textwrap.dedent(PLANTED[name]).lstrip(), encoding="utf-8")
    return _kata(folder, "planted")


def _fingerprint(kata: SimpleNamespace) -> str:
    return variants._Work.prepare(kata, PLANTED_VARIANTS, records=None).fingerprint


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("planted.py", "return 3 * x", "return 3 * x  # a comment is a change too"),
        ("test_planted.py", "assert triple(2) == 6", "assert triple(2) == 6, 'six'"),
    ],
    ids=["the reference", "the test file"],
)
def test_a_verdict_depends_on_the_reference_and_its_test_file(tmp_path, name, old, new):
    kata = _planted_files(tmp_path)
    before = _fingerprint(kata)
    assert _fingerprint(kata) == before
    path = tmp_path / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    assert _fingerprint(kata) != before


def test_a_verdict_is_kept_under_the_variant_s_own_content():
    renamed = Variant("double is off at 3", *CAUGHT_BY_THREE.edits)
    assert len({CAUGHT_BY_THREE.key, renamed.key, CRAWLS.key}) == 3
    assert Variant(CAUGHT_BY_THREE.name, *CAUGHT_BY_THREE.edits).key == CAUGHT_BY_THREE.key


def test_a_module_the_tests_imported_is_part_of_the_verdict(planted_runs):
    assert _outcome(planted_runs["unchanged"], "double is off at three").reused
    assert not _outcome(planted_runs["helper changed"], "double is off at three").reused


def test_a_variant_set_kept_elsewhere_is_read_and_recorded_apart(tmp_path):
    # An audit keeps its variants outside the project, to keep measuring: `--from FOLDER`.
    kata = CURRICULUM[0]
    (tmp_path / f"{kata.name}.py").write_text(
        "from kata.engine.variants import Variant\n"
        "BROKEN = [Variant('audit', append='X_FROM_AUDIT = 1')]\nALTERNATIVES = []\n",
        encoding="utf-8",
    )
    broken, alternatives = variants.load(kata, tmp_path)
    assert [v.name for v in broken] == ["audit"] and alternatives == []
    assert variants.records_for(variants.VARIANTS_DIR) == variants.RECORDS
    elsewhere = variants.records_for(tmp_path)
    assert elsewhere != variants.RECORDS and elsewhere.is_relative_to(variants.RECORDS)
    with pytest.raises(ValueError, match=r"holds no <kata>\.py"):
        variants.main([CURRICULUM[1].name], jobs=1, folder=tmp_path)
