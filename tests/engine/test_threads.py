"""Under pytest-xdist the conftest shares the cores out among the workers, and keeps it so."""

import os
import subprocess
import sys
import textwrap

from kata.engine.curriculum import ROOT

THREADS_SESSION = """
    import torch

    def test_a_test_that_changes_the_thread_count():
        torch.set_num_threads(7)

    def test_the_next_test_gets_the_worker_share_back():
        print("threads", torch.get_num_threads())
    """


def test_an_xdist_worker_gets_its_share_of_the_cores_and_keeps_it(tmp_path):
    (tmp_path / "test_threads_session.py").write_text(textwrap.dedent(THREADS_SESSION))
    workers = 2 * (os.cpu_count() or 1)  # more workers than cores: one thread each
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTEST_XDIST_WORKER_COUNT": str(workers)}
    command = [sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:cacheprovider", "-s"]
    result = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "threads 1\n" in result.stdout, result.stdout
