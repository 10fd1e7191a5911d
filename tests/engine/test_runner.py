"""`make kata` and `make progress` on a small copy of the project: one kata sabotaged at a time
(a crash, a hang, global state changed at import, a syntax error), the others unchanged."""

import os
import shutil
import subprocess
import sys

import pytest

from kata.engine.curriculum import ROOT

# Three small katas, each solved by its reference; the middle one gets sabotaged.
KATAS = ("bug_item_and_view", "bug_split_slice", "bug_target_dtype")
SABOTAGED = "bug_split_slice"
CURRICULUM = f"""
from kata.engine._full_curriculum import *  # noqa: F403
from kata.engine._full_curriculum import BY_NAME as _ALL

CURRICULUM = tuple(_ALL[name] for name in {KATAS!r})
BY_NAME = {{kata.name: kata for kata in CURRICULUM}}
"""


def make_project(folder) -> None:
    """A copy of the project whose curriculum holds KATAS alone, each solved."""
    shutil.copytree(ROOT / "kata", folder / "kata", ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "tests").mkdir()
    for name in ("__init__.py", "checks.py", "strategies.py", "ranks.py"):
        shutil.copy(ROOT / "tests" / name, folder / "tests" / name)
    for kata in KATAS:
        shutil.copy(ROOT / "tests" / f"test_{kata}.py", folder / "tests")
        shutil.copy(folder / "kata" / "solutions" / f"{kata}.py", folder / "kata" / f"{kata}.py")
    for name in ("conftest.py", "pyproject.toml"):
        shutil.copy(ROOT / name, folder / name)
    engine = folder / "kata" / "engine"
    (engine / "curriculum.py").rename(engine / "_full_curriculum.py")
    (engine / "curriculum.py").write_text(CURRICULUM, encoding="utf-8")
    # The root of that copy is the copy: _full_curriculum sits one level down as well.


def kata(folder, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTEST_ADDOPTS": f"-o timeout={timeout:g}", "KATA_THREADS": "1"}
    env.pop("KATA_VIA", None)
    env.pop("PYTEST_XDIST_WORKER_COUNT", None)
    command = [sys.executable, "-m", "kata", *args]
    return subprocess.run(
        command, cwd=folder, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def sabotage(folder, old: str, new: str) -> None:
    path = folder / "kata" / f"{SABOTAGED}.py"
    source = path.read_text(encoding="utf-8")
    assert source.count(old) == 1, f"{old!r} is not in kata/{SABOTAGED}.py once"
    path.write_text(source.replace(old, new), encoding="utf-8")


def rows(output: str) -> dict[str, str]:
    """Each kata's row of the table, by name."""
    found = {}
    for line in output.splitlines():
        words = line.split()
        if len(words) >= 3 and words[1] in KATAS:
            found[words[1]] = " ".join(words[2:])
    return found


# Each test runs `python -m kata` two or three times, on a machine that may be busy.
pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def project(tmp_path):
    make_project(tmp_path)
    return tmp_path


HANG_LIMIT = 15  # long enough for the other katas' tests on a busy machine
FIRST_LINE = "    split = int(train_fraction * len(X))\n    return"


def test_all_done_then_taken_from_the_record_until_a_file_changes(project):
    first = kata(project, "progress")
    assert first.returncode == 0, first.stdout + first.stderr
    assert all("done" in row for row in rows(first.stdout).values()), first.stdout
    second = kata(project, "progress")
    assert all("(unchanged)" in row for row in rows(second.stdout).values()), second.stdout
    sabotage(project, FIRST_LINE, "    split = int(train_fraction * len(X))  # edited\n    return")
    third = kata(project, "progress")
    table = rows(third.stdout)
    assert "(unchanged)" not in table[SABOTAGED] and "done" in table[SABOTAGED], third.stdout
    assert "(unchanged)" in table["bug_item_and_view"], third.stdout
    forced = kata(project, "progress", "--all")
    assert not any("(unchanged)" in row for row in rows(forced.stdout).values()), forced.stdout


def test_a_crash_is_named_and_the_katas_after_it_still_run(project):
    sabotage(project, FIRST_LINE, "    import os\n    os._exit(3)\n" + FIRST_LINE)
    result = kata(project, "progress")
    table = rows(result.stdout)
    assert "crashed the test process" in table[SABOTAGED], result.stdout
    assert "done" in table["bug_item_and_view"], result.stdout
    assert "done" in table["bug_target_dtype"], result.stdout
    nxt = kata(project, "next")
    assert f"Next: kata 2, {SABOTAGED}" in nxt.stdout, nxt.stdout
    assert "exit code 3" in nxt.stdout, nxt.stdout


def test_a_hang_costs_one_time_limit_and_the_other_katas_still_pass(project):
    sabotage(project, FIRST_LINE, "    while True:\n        pass\n" + FIRST_LINE)
    result = kata(project, "progress", timeout=HANG_LIMIT)
    table = rows(result.stdout)
    assert "stopped by the time limit" in table[SABOTAGED], result.stdout
    assert "done" in table["bug_item_and_view"] and "done" in table["bug_target_dtype"]
    nxt = kata(project, "next", timeout=HANG_LIMIT)
    assert f"was stopped after {HANG_LIMIT} s" in nxt.stdout, nxt.stdout
    assert f"kata/{SABOTAGED}.py, line" in nxt.stdout, nxt.stdout


def test_a_hang_inside_a_property_ends_too(project):
    test_file = project / "tests" / f"test_{SABOTAGED}.py"
    test_file.write_text(
        test_file.read_text(encoding="utf-8")
        + "\n\nfrom hypothesis import given, strategies as _st\n\n\n"
        "@given(_st.integers())\ndef test_a_property_that_calls_the_kata(n):\n"
        "    split_samples(torch.zeros(5, 1), torch.zeros(5))\n",
        encoding="utf-8",
    )
    sabotage(project, FIRST_LINE, "    while True:\n        pass\n" + FIRST_LINE)
    result = kata(project, "progress", timeout=HANG_LIMIT)
    assert "stopped by the time limit" in rows(result.stdout)[SABOTAGED], result.stdout


def test_global_state_changed_at_import_is_reported_against_its_kata_alone(project):
    sabotage(project, "import torch\n", "import torch\n\ntorch.set_default_device('meta')\n")
    result = kata(project, "progress")
    table = rows(result.stdout)
    assert "does not import" in table[SABOTAGED] or "broken" in table[SABOTAGED], result.stdout
    assert "done" in table["bug_item_and_view"] and "done" in table["bug_target_dtype"]
    nxt = kata(project, "next")
    assert "default device none set -> meta" in nxt.stdout, nxt.stdout


def test_a_common_torch_error_is_explained_in_the_next_step(project):
    sabotage(
        project, FIRST_LINE, "    layer = torch.nn.Linear(1600, 10)\n    layer(X)\n" + FIRST_LINE
    )
    result = kata(project, "next")
    shown = " ".join(result.stdout.split())
    assert "mat1 and mat2 shapes cannot be multiplied" in shown, result.stdout
    assert "`layer` is Linear(in_features=1600, out_features=10), but `X` of shape" in shown


def test_a_syntax_error_is_the_next_step_with_its_file_and_line(project):
    sabotage(project, FIRST_LINE, "    split = int(train_fraction * len(X)\n    return")
    result = kata(project, "next")
    assert f"Next: kata 2, {SABOTAGED}" in result.stdout, result.stdout
    assert f"kata/{SABOTAGED}.py" in result.stdout and "SyntaxError" in result.stdout, result.stdout
