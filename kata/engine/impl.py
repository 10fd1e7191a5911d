"""Which implementation ``import kata.<name>`` gives: the learner's, the reference, or a fresh stub.

The tests import katas the plain way (``from kata.<name> import <function>``); an import
hook decides where that module comes from, so no test carries switching code.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import os
import sys
from pathlib import Path

from kata.engine.curriculum import CURRICULUM, ROOT
from kata.engine.stubgen import generate_stub

IMPLS = ("kata", "reference", "stub")
ENV_VAR = "KATA_IMPL"
# Mutation testing (`make mutate`) maps each call to the module a function was defined in,
# so there ``kata.<name>`` must be ``kata.solutions.<name>`` itself, not a copy of it.
MUTATION_ENV_VAR = "KATA_MUTATION"


class _Alias(importlib.abc.Loader):
    """Gives an already importable module under a second name."""

    def __init__(self, target: str):
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def exec_module(self, module) -> None:
        pass


class _Redirect(importlib.abc.MetaPathFinder):
    """Loads ``kata.<name>`` from another file, keeping the module's name."""

    def __init__(self, files: dict[str, Path]):
        self.files = files

    def find_spec(self, fullname, path=None, target=None):
        file = self.files.get(fullname)
        if file is None:
            return None
        if os.environ.get(MUTATION_ENV_VAR) and file.parent.name == "solutions":
            return importlib.util.spec_from_loader(fullname, _Alias(f"kata.solutions.{file.stem}"))
        return importlib.util.spec_from_file_location(fullname, file)


def available() -> list:
    """The katas whose reference exists (the curriculum test insists on all of them)."""
    return [kata for kata in CURRICULUM if kata.reference_path.exists()]


def write_stubs(folder: Path) -> dict[str, Path]:
    """Generate every kata's stub afresh from its reference into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for kata in available():
        target = folder / kata.path.name
        source = kata.reference_path.read_text(encoding="utf-8")
        target.write_text(generate_stub(source, str(kata.reference_path)), encoding="utf-8")
        files[kata.module] = target
    return files


def install(impl: str, stub_folder: Path | None = None) -> None:
    """Make ``import kata.<name>`` give the chosen implementation of every kata."""
    if impl not in IMPLS:
        raise ValueError(f"unknown implementation {impl!r}: choose one of {', '.join(IMPLS)}")
    if impl == "kata":
        return
    if impl == "reference":
        files = {kata.module: kata.reference_path for kata in available()}
    else:
        if stub_folder is None:
            raise ValueError("stubs need a folder to be generated into")
        files = write_stubs(stub_folder)
    redirect(files)


def redirect(files: dict[str, Path]) -> None:
    """Make ``import kata.<name>`` load ``files["kata.<name>"]``: the last step of install()."""
    for name in files:
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, _Redirect(files))


def unredirect() -> None:
    """Drop every hook ``redirect()`` added: ``import kata.<name>`` finds the learner's file
    again (the modules already imported stay in sys.modules until their owner drops them)."""
    sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, _Redirect)]


def redirected() -> dict[str, Path]:
    """The files this process loads instead of the learner's ``kata/<name>.py`` (none: {}).

    A process started with the spawn method begins without the import hook: hand it this
    dict, and it calls ``redirect()`` with it to run the same implementation as its parent.
    """
    files: dict[str, Path] = {}
    for finder in reversed(sys.meta_path):  # the finder nearest the front wins
        if isinstance(finder, _Redirect):
            files.update(finder.files)
    return files


def display_path(module_name: str) -> str:
    """``kata.<name>`` -> ``kata/<name>.py``: where the learner edits it."""
    return str(Path(*module_name.split(".")).with_suffix(".py"))
