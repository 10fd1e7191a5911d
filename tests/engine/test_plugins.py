"""The suite's pytest plugins, each run on a small project of its own with ``pytester``.

Most sessions run in this process, as pytest's own plugin tests do: pytester puts back the
modules and import hooks a session adds, and a fixture here puts back the hypothesis
profile. The ``--impl`` sessions run in a process of their own: in this one, the import
hook this session installed would answer first.
"""

import os
import runpy
import subprocess
import sys
import zlib

import hypothesis
import pytest
import torch

from kata.engine.curriculum import ROOT
from kata.engine.plugins import isolation

pytest_plugins = ["pytester"]

PLUGINS = runpy.run_path(str(ROOT / "conftest.py"))["pytest_plugins"]
KATA_OPTIONS = {
    "--impl",
    "--kata-file",
    "--kata-results",
    "--kata-stop-early",
    "--kata-derandomize",
}


def loading(*plugins: str) -> list[str]:
    return [arg for plugin in plugins for arg in ("-p", f"kata.engine.{plugin}")]


def in_a_subprocess(pytester, *args: str):
    """A session of its own process; hypothesis' plugin is left out, as its import is most
    of what such a session costs."""
    return pytester.runpytest_subprocess("-p", "no:hypothesispytest", *args)


@pytest.fixture(autouse=True)
def _outer_session_kept(monkeypatch):
    """The sessions here load profiles and read KATA_IMPL: this session's stay as they were."""
    monkeypatch.delenv("KATA_IMPL", raising=False)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # for the sessions run in a subprocess
    profile = hypothesis.settings.get_current_profile_name()
    yield
    hypothesis.settings.load_profile(profile)


# ---- the conftest and the option group ------------------------------------------------------


def test_the_conftest_is_a_list_of_engine_plugins_and_nothing_else():
    namespace = runpy.run_path(str(ROOT / "conftest.py"))
    assert {name for name in namespace if not name.startswith("__")} == {"pytest_plugins"}
    assert PLUGINS and all(plugin.startswith("kata.engine.") for plugin in PLUGINS), PLUGINS
    assert len(set(PLUGINS)) == len(PLUGINS), PLUGINS


def test_every_option_of_the_suite_is_in_the_kata_group(pytester):
    result = pytester.runpytest(*[arg for plugin in PLUGINS for arg in ("-p", plugin)], "--help")
    assert result.ret == 0, result.stdout.str()
    lines = result.stdout.lines
    start = lines.index("torch-kata:")
    end = lines.index("", start)
    group = {line.split()[0].split("=")[0] for line in lines[start + 1 : end] if "  --" in line}
    assert group == KATA_OPTIONS, lines[start:end]
    outside = lines[:start] + lines[end:]
    elsewhere = [line for line in outside if line.strip().startswith(("--kata", "--impl"))]
    assert not elsewhere, elsewhere


# ---- --impl ------------------------------------------------------------------------------

WHERE_FROM = """
    import importlib.util

    def test_where_the_module_comes_from():
        print("FROM", importlib.util.find_spec("kata.bug_item_and_view").origin)
    """


@pytest.mark.parametrize(
    ("option", "origin"),
    [
        ("--impl=kata", "*/kata/bug_item_and_view.py"),
        ("--impl=reference", "*/kata/solutions/bug_item_and_view.py"),
        ("--impl=stub", "*/kata-stubs-*/bug_item_and_view.py"),
    ],
    ids=["learner", "reference", "stub"],
)
def test_the_impl_option_picks_the_file_a_kata_module_comes_from(pytester, option, origin):
    pytester.makepyfile(WHERE_FROM)
    result = in_a_subprocess(pytester, *loading("plugins.implementation"), "-s", option)
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines([f"katas: {option}", f"*FROM {origin}"])


def test_the_environment_sets_the_impl_the_option_does_not(pytester, monkeypatch):
    pytester.makepyfile(WHERE_FROM)
    monkeypatch.setenv("KATA_IMPL", "reference")
    result = in_a_subprocess(pytester, *loading("plugins.implementation"), "-s")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines(["katas: --impl=reference", "*FROM */kata/solutions/*"])


def test_an_unknown_impl_is_refused(pytester):
    result = pytester.runpytest(*loading("plugins.implementation"), "--impl=mine")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--impl: invalid choice: 'mine'*"])


# ---- the stub proof ----------------------------------------------------------------------

A_STUB_FAILS = "def test_fails_on_a_stub():\n    raise NotImplementedError\n"
ANYTHING_PASSES = "def test_passes_on_anything():\n    pass\n"


def stub_proof(pytester, files: dict[str, str]):
    for name, text in files.items():
        pytester.path.joinpath(name).parent.mkdir(exist_ok=True)
        pytester.path.joinpath(name).write_text(text, encoding="utf-8")
    return pytester.runpytest(
        *loading("plugins.implementation", "plugins.stub_proof"), "--impl=stub"
    )


def test_the_stub_proof_passes_when_every_kata_test_fails_on_the_stubs(pytester):
    result = stub_proof(pytester, {"tests/test_tensors.py": A_STUB_FAILS})
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    result.assert_outcomes(xfailed=1)
    result.stdout.fnmatch_lines(["stub check: all 1 kata tests fail on fresh stubs."])


def test_the_stub_proof_fails_and_names_a_test_that_passes_on_a_stub(pytester):
    result = stub_proof(pytester, {"tests/test_tensors.py": A_STUB_FAILS + ANYTHING_PASSES})
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()
    result.assert_outcomes(xfailed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*tests that pass on the pristine stubs*",
            "tests/test_tensors.py::test_passes_on_anything: cannot tell a stub from a solution",
        ]
    )
    assert "stub check: all" not in result.stdout.str()


def test_the_stub_proof_refuses_a_test_of_no_kata(pytester):
    result = stub_proof(pytester, {"tests/test_helpers.py": A_STUB_FAILS})
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_helpers.py::test_fails_on_a_stub is no kata test*"])


def test_without_the_stub_impl_there_is_no_proof(pytester):
    pytester.path.joinpath("tests").mkdir()
    pytester.path.joinpath("tests/test_tensors.py").write_text(ANYTHING_PASSES, encoding="utf-8")
    result = pytester.runpytest(*loading("plugins.implementation", "plugins.stub_proof"))
    result.assert_outcomes(passed=1)
    assert "stub check" not in result.stdout.str()


# ---- hypothesis profiles -----------------------------------------------------------------

SHOW_PROFILE = """
    import hypothesis

    def test_show_the_profile():
        now = hypothesis.settings()
        phases = ",".join(phase.name for phase in now.phases)
        print("PROFILE", hypothesis.settings.get_current_profile_name(), now.max_examples,
              now.derandomize, now.database is None, now.deadline, phases)
    """
NO_EXPLAIN = "explicit,reuse,generate,target,shrink"


@pytest.mark.parametrize(
    ("options", "shown"),
    [
        (["--hypothesis-profile=learner"], f"learner 25 False False None {NO_EXPLAIN}"),
        (["--hypothesis-profile=ci"], f"ci 100 True True None {NO_EXPLAIN}"),
        (["--hypothesis-profile=variants"], "variants 25 True True None explicit,generate"),
        (["--hypothesis-profile=stress"], f"stress 25 False True None {NO_EXPLAIN}"),
        (["--hypothesis-profile=ci", "--impl=stub"], "stub 10 False True None generate"),
    ],
    ids=["learner", "ci", "variants", "stress", "stub_over_ci"],
)
def test_each_hypothesis_profile_is_registered_and_the_stub_proof_gets_its_own(
    pytester, options, shown
):
    pytester.makepyfile(SHOW_PROFILE)
    plugins = loading("plugins.profiles", "plugins.implementation")
    result = pytester.runpytest(*plugins, "-s", *options)
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines([f"*PROFILE {shown}"])


def test_the_learner_profile_is_the_default_and_keeps_its_database_even_on_ci():
    script = (
        "import hypothesis, kata.engine.plugins.profiles\n"
        "now = hypothesis.settings()\n"
        "print(hypothesis.settings.get_current_profile_name(), now.max_examples,"
        " now.database is None)\n"
    )
    env = {**os.environ, "CI": "true"}  # hypothesis then loads its `ci`
    shown = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert shown.stdout.split() == ["learner", "25", "False"], shown.stdout + shown.stderr


# ---- learner protection: a stub's report, the time limit's message ------------------------

A_STUB_IN_RAISES = """
    import pytest

    namespace = {"__name__": "kata.tensors"}  # code that lives in a kata module, as a stub's does
    exec(compile("def unfinished():\\n    raise NotImplementedError", "kata/tensors.py", "exec"),
         namespace)

    def test_expecting_an_error():
        with pytest.raises(ValueError):
            namespace["unfinished"]()
    """


def test_a_stub_gets_its_one_line_report_and_no_note_about_the_error_expected(pytester):
    pytester.makepyfile(A_STUB_IN_RAISES)
    result = pytester.runpytest(*loading("guard"))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*not done yet: kata/tensors.py::unfinished*"])
    assert "expected ValueError" not in result.stdout.str(), result.stdout.str()


HANGS = """
    import pytest

    def test_hang():
        while True:
            pass

    @pytest.mark.timeout(0.25)
    def test_hang_with_its_own_limit():
        while True:
            pass
    """


def test_the_timeout_message_gives_the_limit_in_force_not_the_ini_value(pytester):
    pytester.makeini("[pytest]\ntimeout = 60\n")
    pytester.makepyfile(test_hangs=HANGS)
    result = pytester.runpytest(*loading("guard"), "--timeout=0.5")
    result.assert_outcomes(failed=2)
    advice = "does a loop in your code never end?"
    result.stdout.fnmatch_lines(
        [f"*test_hangs.py::test_hang was stopped after 0.5 s: {advice}*"], consecutive=False
    )
    result.stdout.fnmatch_lines(
        [f"*test_hangs.py::test_hang_with_its_own_limit was stopped after 0.25 s: {advice}*"]
    )


# ---- devices, the `-k` shortcut, isolation ------------------------------------------------


def test_device_fixtures_skip_at_collection_what_this_machine_lacks(pytester):
    pytester.makepyfile(
        """
        def test_on(device):
            assert device.type in ("cpu", "standin", "cuda", "mps")

        def test_shapes_on(shape_device):
            assert shape_device.type in ("meta", "cpu")
        """
    )
    result = pytester.runpytest(*loading("plugins.devices"), "-rs", "--collect-only", "-q")
    result.stdout.fnmatch_lines(["*test_on?cpu?*", "*test_on?standin?*", "*test_shapes_on?meta?*"])
    result = pytester.runpytest(*loading("plugins.devices"), "-rs")
    present = 2 + torch.cuda.is_available() + torch.backends.mps.is_available()
    result.assert_outcomes(passed=present + 2, skipped=4 - present)
    if not torch.cuda.is_available():
        result.stdout.fnmatch_lines(["*no cuda device on this machine*"])


def test_selecting_one_kata_by_keyword_never_imports_another_kata_test_file(pytester):
    pytester.path.joinpath("tests").mkdir()
    pytester.path.joinpath("tests/test_tensors.py").write_text(ANYTHING_PASSES)
    pytester.path.joinpath("tests/test_autograd.py").write_text("raise ImportError('imported')")
    result = pytester.runpytest(*loading("plugins.selection"), "-k", "tensors")
    result.assert_outcomes(passed=1)
    result = pytester.runpytest(*loading("plugins.selection"))
    result.assert_outcomes(errors=1)


def test_each_test_starts_from_pristine_torch_state_with_a_seed_from_its_node_id(
    pytester, monkeypatch
):
    monkeypatch.setenv("KATA_SEED_OFFSET", "7")
    pytester.makepyfile(
        test_state="""
        import torch

        def test_a_careless_test():
            torch.set_grad_enabled(False)
            torch.set_default_dtype(torch.float64)

        def test_the_next_test(request):
            assert torch.is_grad_enabled()
            assert torch.get_default_dtype() == torch.float32
            print("SEED", torch.initial_seed())
        """
    )
    result = pytester.runpytest(*loading("plugins.isolation"), "-s", "-p", "no:randomly")
    result.assert_outcomes(passed=2)
    seed = isolation.seed_of("test_state.py::test_the_next_test")
    assert seed == (zlib.crc32(b"test_state.py::test_the_next_test") + 7) % 2**32
    result.stdout.fnmatch_lines([f"*SEED {seed}*"])
    assert torch.is_grad_enabled() and torch.get_default_dtype() == torch.float32
