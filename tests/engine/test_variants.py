"""The variants engine: edits that must apply, and a run that tells caught from survived."""

from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

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
        tally = pool.submit(variants.run_kata, "tensors", (broken, alternatives)).result()
    assert [o.variant for o in tally.survivors] == ["only the docstring"]
    assert [o.variant for o in tally.rejected] == ["not really"]
    assert "broken caught  1/2" in tally.line() and "alternatives accepted 1/2" in tally.line()
    details = "\n".join(tally.details())
    assert "'only the docstring' passed all" in details and "'not really' rejected by" in details
