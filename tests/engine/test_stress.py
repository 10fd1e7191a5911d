"""The stress engine: a failing example is reported with its seed; a passing kata is quiet."""

import os
import subprocess
import sys
import zlib
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import torch

from kata.engine import stress
from kata.engine.curriculum import ROOT, find

# flatten_batch that forgets to flatten: wrong for every input that is not 2-D
PLANTED = "\n\ndef flatten_batch(x):\n    return x\n"


def test_a_failing_property_is_reported_with_its_example_and_seed(tmp_path):
    planted = tmp_path / "tensors.py"
    source = find("tensors").reference_path.read_text(encoding="utf-8")
    planted.write_text(source + PLANTED, encoding="utf-8")
    storage = tmp_path / "hypothesis"
    with ProcessPoolExecutor(
        1, get_context("spawn"), stress._stress_worker_init, (1, str(storage))
    ) as pool:
        broken = pool.submit(stress.run_once, "tensors", 20240501, planted).result()
        sound = pool.submit(stress.run_once, "tensors", 20240501).result()
    assert sound.failures == [] and sound.passed > 0, sound.failures
    name = "test_flatten_batch_keeps_the_first_dimension_and_multiplies_the_rest"
    failure = next(f for f in broken.failures if f.test.endswith(name))
    assert failure.seed == 20240501 and "shape=" in failure.example, failure
    assert "@reproduce_failure(" in failure.example, "the blob replays it in any process"
    assert "--hypothesis-seed=20240501" in failure.reproduce()
    assert f"{stress.SEED_ENV_VAR}=20240501" in failure.reproduce()
    # hypothesis caches the constants it found there, a sign it used the folder at all
    assert storage.exists(), "hypothesis' storage stays in the folder the worker was given"
    assert not (storage / "examples").exists(), "the runs must not save examples"


def test_the_falsifying_example_is_what_hypothesis_added_to_the_failure():
    text = "AssertionError: too big\nassert 10 < 10\nFailing test case: test_big(\n    x=10,\n)"
    assert stress.falsifying_example(text) == "Failing test case: test_big(\n    x=10,\n)"
    assert stress.falsifying_example("AssertionError: not a property") == ""


def test_each_test_is_seeded_by_its_node_id_shifted_by_the_offset(request):
    offset = int(os.environ.get(stress.SEED_ENV_VAR, "0"))
    expected = (zlib.crc32(request.node.nodeid.encode()) + offset) % 2**32
    assert torch.initial_seed() == expected


def test_the_offset_reaches_the_seed_of_each_test():
    test = (
        "tests/engine/test_stress.py::test_each_test_is_seeded_by_its_node_id_shifted_by_the_offset"
    )
    env = {**os.environ, stress.SEED_ENV_VAR: str(2**32 - 3)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:]


def test_the_report_lists_every_failure_and_fails_when_there_is_one(capsys):
    failure = stress.Failure("tests/test_cnn.py::test_x", 42, "AssertionError", "Failing test case")
    clean = [stress.Run("cnn", 7, passed=3), stress.Run("rnn", 8, passed=2)]
    assert stress.report(clean, ["cnn", "rnn"]) == 0
    assert "2 runs over 2 katas" in capsys.readouterr().out
    assert stress.report([*clean, stress.Run("cnn", 42, 2, [failure])], ["cnn", "rnn"]) == 1
    out = capsys.readouterr().out
    assert "tests/test_cnn.py::test_x (seed 42)" in out and "Failing test case" in out
    assert failure.reproduce() in out and "1 failed" in out
