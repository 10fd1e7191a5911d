"""`python -m kata check` on a copy of the project: a kata's four files each in its place,
nothing else in the kata folders, and the README's curriculum table true to the manifest."""

import os
import shutil
import subprocess
import sys

import pytest

from kata.engine.curriculum import CURRICULUM, ROOT, relative

# Ids name roles, never a kata: `pytest -k <kata>` selects that kata's own tests alone.
KATA = CURRICULUM[0]
FILES = {
    "learner": KATA.path,
    "reference": KATA.reference_path,
    "spec": KATA.test_path,
    "rewrites": KATA.variants_path,
}


@pytest.fixture
def project(tmp_path):
    """A copy of the project's katas, tests, manifest and README: everything check reads."""
    ignore = shutil.ignore_patterns("__pycache__")
    for folder in ("kata", "tests"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=ignore)
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    return tmp_path


def check(project) -> subprocess.CompletedProcess:
    # `python -m` puts the copy first on sys.path: its engine checks the copy.
    return subprocess.run(
        [sys.executable, "-m", "kata", "check"],
        cwd=project,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_copy_passes_as_the_project_does(project):
    result = check(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"check: {len(CURRICULUM)} katas, 0 problems" in result.stdout, result.stdout


@pytest.mark.parametrize("role", FILES)
def test_a_missing_file_of_a_kata_fails_the_check_and_is_named(project, role):
    shown = relative(FILES[role])
    (project / shown).unlink()
    result = check(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{KATA.name}: {shown} is missing" in result.stdout, result.stdout


@pytest.mark.parametrize(
    "stray",
    ["kata/scratch.py", "kata/solutions/scratch.py", "tests/variants/scratch.py", "kata/notes.txt"],
    ids=["learners-folder", "references-folder", "rewrites-folder", "not-python"],
)
def test_a_file_no_kata_owns_fails_the_check_and_is_named(project, stray):
    (project / stray).write_text("x = 1\n", encoding="utf-8")
    result = check(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{stray} belongs to no kata in kata/curriculum.toml" in result.stdout, result.stdout


def test_a_test_file_of_no_kata_in_the_manifest_fails_the_check(project):
    shown = relative(KATA.test_path)
    (project / shown).rename(project / "tests" / "test_unlisted.py")
    result = check(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "tests/test_unlisted.py belongs to no kata in kata/curriculum.toml" in result.stdout
    assert f"{KATA.name}: {shown} is missing" in result.stdout, result.stdout


def test_caches_and_hidden_files_are_no_strays(project):
    (project / "kata" / "__pycache__").mkdir(exist_ok=True)
    (project / "kata" / ".scratch.py.swp").write_text("", encoding="utf-8")
    result = check(project)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_concept_changed_in_the_manifest_fails_the_readme_table(project):
    manifest = project / "kata" / "curriculum.toml"
    text = manifest.read_text(encoding="utf-8")
    line = f'concept = "{KATA.concept}"'
    assert text.count(line) == 1, f"the manifest's first concept is not on one line: {line}"
    manifest.write_text(text.replace(line, 'concept = "something else"'), encoding="utf-8")
    result = check(project)
    assert result.returncode == 1, result.stdout + result.stderr
    expected = (
        "README.md, the curriculum table, row 1, column 'concept': "
        f"{KATA.concept!r}, where kata/curriculum.toml says 'something else'"
    )
    assert expected in result.stdout, result.stdout


def test_a_readme_row_left_out_is_named_with_the_row_the_manifest_gives(project):
    readme = project / "README.md"
    last = len(CURRICULUM)
    lines = readme.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [line for line in lines if not line.startswith(f"| {last} |")]
    readme.write_text("".join(lines), encoding="utf-8")
    result = check(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"the curriculum table: no row {last}; the manifest's is: | {last} |" in result.stdout
