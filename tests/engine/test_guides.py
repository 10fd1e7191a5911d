"""The learner's guide (README.md) and the maintainer's (CONTRIBUTING.md) name only what
exists: the files and folders, the make targets and the ``python -m kata`` commands."""

import contextlib
import io
import re

import pytest

from kata.engine import cli
from kata.engine.curriculum import ROOT

GUIDES = ("README.md", "CONTRIBUTING.md")
# What a run makes and a clean clone lacks: never checked.
MADE_BY_RUNS = (".kata/", ".venv", ".hypothesis/", "mutants/")
FOLDERS = (ROOT, ROOT / "kata" / "engine")


def _text(guide: str) -> str:
    return (ROOT / guide).read_text(encoding="utf-8")


def _inline_code(text: str) -> list[str]:
    """The `spans` of the text, outside fenced blocks."""
    prose = re.sub(r"^```.*?^```", "", text, flags=re.DOTALL | re.MULTILINE)
    return re.findall(r"`([^`\n]+)`", prose)


def test_the_readme_sends_maintainers_to_the_maintainer_s_guide():
    assert "[CONTRIBUTING.md](CONTRIBUTING.md)" in _text("README.md")


def _is_path(span: str) -> bool:
    """A folder or file of the project: a span with a slash in it, or a file's name;
    placeholders (<kata>), globs and what runs make are not."""
    if not re.fullmatch(r"[\w.][\w./-]*", span) or span.startswith(MADE_BY_RUNS):
        return False
    return "/" in span or re.search(r"\.(py|toml|md|txt)$", span) is not None


def test_every_path_the_guides_name_exists():
    """Named from the project's root, or from the engine's folder (plugins/selection.py,
    guard.py)."""
    missing = [
        f"{guide}: `{span}`"
        for guide in GUIDES
        for span in _inline_code(_text(guide))
        if _is_path(span) and not any((folder / span).exists() for folder in FOLDERS)
    ]
    assert not missing, "the guides name paths that do not exist:\n" + "\n".join(missing)


def test_every_make_target_the_guides_name_is_in_the_makefile():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^\.PHONY: ([a-z-]+)", makefile, flags=re.MULTILINE))
    unknown = [
        f"{guide}: make {target}"
        for guide in GUIDES
        for target in re.findall(r"(?:`|^\s*)make ([a-z][a-z-]*)", _text(guide), re.MULTILINE)
        if target not in targets
    ]
    assert not unknown, f"not targets of the Makefile ({sorted(targets)}):\n" + "\n".join(unknown)


def _is_command(name: str) -> bool:
    with contextlib.redirect_stderr(io.StringIO()), contextlib.suppress(SystemExit):
        return cli._parser().parse_args([name]).command == name
    return False


@pytest.mark.parametrize("guide", GUIDES, ids=("learner", "maintainer"))
def test_every_python_m_kata_command_the_guide_names_exists(guide):
    names = set(re.findall(r"python -m kata ([a-z]+)", _text(guide)))
    assert names, f"{guide} names no `python -m kata` command"
    unknown = sorted(name for name in names if not _is_command(name))
    assert not unknown, f"{guide} names commands `python -m kata` does not have: {unknown}"
