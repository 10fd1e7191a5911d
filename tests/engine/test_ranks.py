"""tests/ranks.py: ranks in spawned processes run this process's katas and report their errors."""

import importlib
import sys
import time

import pytest

from kata.engine import impl
from tests.ranks import RankError, run_on_ranks


def _report_the_kata_file_then_fail_on_rank_1(rank, world_size, folder):
    (folder / f"rank{rank}.txt").write_text(importlib.import_module("kata.tensors").__file__)
    if rank == 1:
        for _ in range(300):  # let rank 0 write its file before this rank stops the run
            if (folder / "rank0.txt").exists():
                break
            time.sleep(0.1)
        raise ValueError("something broke on this rank")


def _never_finish(rank, world_size, folder):
    time.sleep(600)


@pytest.fixture(scope="module")
def failed_run(tmp_path_factory):
    """Two ranks under a redirect of kata.tensors to a file of this test's own; rank 1 fails."""
    folder = tmp_path_factory.mktemp("ranks")
    given = folder / "given_tensors.py"
    given.write_text("", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "meta_path", list(sys.meta_path))
        patch.setitem(sys.modules, "kata.tensors", sys.modules.get("kata.tensors"))
        impl.redirect({"kata.tensors": given})
        with pytest.raises(RankError) as raised:
            run_on_ranks(_report_the_kata_file_then_fail_on_rank_1, 2, folder)
    return folder, given, raised.value


def test_every_rank_imports_the_kata_files_of_the_process_that_spawned_it(failed_run):
    folder, given, _ = failed_run
    files = [(folder / f"rank{rank}.txt").read_text() for rank in range(2)]
    assert files == [str(given)] * 2, f"the ranks imported kata.tensors from {files}"


def test_a_rank_exception_reaches_the_parent_naming_the_rank(failed_run):
    *_, error = failed_run
    headline = str(error).splitlines()[0]
    assert headline == "rank 1 of 2: ValueError: something broke on this rank", headline


def test_ranks_that_never_finish_are_stopped_after_the_timeout(tmp_path):
    with pytest.raises(RankError, match="did not finish within 1 s"):
        run_on_ranks(_never_finish, 2, tmp_path, timeout_s=1)
