"""The failure reports that understand tensors (kata/engine/plugins/explain.py): each common
torch error planted in a learner's function, run on a small project of its own with
pytest, and the report that names the learner's tensors with their shapes."""

import json
import os
import subprocess
import sys

import pytest
import torch
from torch import nn

from kata.engine.curriculum import CURRICULUM, ROOT
from kata.engine.plugins import explain

KATA = CURRICULUM[0]  # any kata: the learner's file is loaded as its module

# The learner's file, each function with one bug planted where the comment says.
LEARNER = """
import torch
import torch.nn.functional as F
from torch import nn


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten())
        self.head = nn.Linear(1600, 10)  # planted: 4 * 4 * 4 = 64 features reach it

    def forward(self, images):
        features = self.features(images)
        return self.head(features)


def predict_on(device, images):
    model = nn.Linear(6, 2).to(device)  # planted: the images stay where they are
    return model(images)


def class_loss(logits, labels):
    targets = labels.to(torch.int32)  # planted: class indices must be int64
    return F.cross_entropy(logits, targets)


def shifted_loss(logits, labels):
    targets = labels + 1  # planted: labels 1..C for C classes
    return F.cross_entropy(logits, targets)


def gates(scores, keep):
    total = 0
    total += 1  # a number written in place: no tensor's version changes
    gated = torch.sigmoid(scores)
    gated *= keep  # planted: sigmoid keeps its output for backward
    return gated


def several(batch):
    a, b, c, d, e, f, g, h, i, j = (torch.zeros(k + 1) for k in range(10))
    raise ValueError("a learner's own error")
"""

TESTS = f"""
import importlib.util
import pathlib

import pytest
import torch

# The kata module, loaded from whatever file: here one beside the tests.
spec = importlib.util.spec_from_file_location(
    "{KATA.module}", pathlib.Path(__file__).parent.parent / "learner.py"
)
learner = importlib.util.module_from_spec(spec)
spec.loader.exec_module(learner)


def test_matmul():
    learner.Classifier()(torch.zeros(2, 1, 6, 6))


def test_meta_and_cpu():
    learner.predict_on("meta", torch.zeros(5, 6))


def test_target_dtype():
    learner.class_loss(torch.zeros(5, 3), torch.tensor([0, 1, 2, 1, 0]))


def test_label_range():
    learner.shifted_loss(torch.zeros(5, 3), torch.tensor([0, 1, 2, 1, 0]))


def test_in_place():
    scores = torch.randn(5, 4, requires_grad=True) * 1.0
    result = learner.gates(scores, torch.ones(4))
    result.sum().backward()


def test_assertion():
    out = torch.zeros(3, 2)
    assert out.shape == (3, 4)


def test_many():
    learner.several([torch.zeros(2), torch.ones(3)])


def test_an_error_of_the_test_itself():
    out = torch.zeros(3)
    raise KeyError("nothing of the learner's")


def test_a_stub():
    stub = torch.zeros(3)
    raise NotImplementedError


def test_a_failure():
    out = torch.zeros(3, 2)
    pytest.fail("out has the wrong shape")


def test_a_stub_behind_a_failure():
    stub = torch.zeros(3)
    try:
        raise NotImplementedError
    except NotImplementedError as error:
        pytest.fail(f"the stub raised {{error!r}}")


def test_passes():
    assert torch.zeros(1).shape == (1,)
"""


# Writes each test's call report as the plugins left it: its sections and its properties.
DUMP_REPORTS = """
import json


def pytest_runtest_logreport(report):
    if report.when == "call":
        kept = {"outcome": report.outcome, "sections": report.sections}
        kept["properties"] = dict(report.user_properties)
        with open("reports.jsonl", "a", encoding="utf-8") as file:
            file.write(json.dumps([report.nodeid.split("::")[1], kept]) + "\\n")
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[dict, dict, str]:
    """One session on the project, in a process of its own (the errors import parts of
    torch that a session run in this process would take away again): each test's call
    report by the test's name, what --kata-results recorded, and the printed output."""
    folder = tmp_path_factory.mktemp("planted")
    (folder / "learner.py").write_text(LEARNER, encoding="utf-8")
    (folder / "conftest.py").write_text(DUMP_REPORTS, encoding="utf-8")
    tests = folder / KATA.test_path.parent.name / KATA.test_path.name
    tests.parent.mkdir()
    tests.write_text(TESTS, encoding="utf-8")
    command = [sys.executable, "-m", "pytest", "-p", "kata.engine.results"]
    command += ["-p", "kata.engine.plugins.explain", "--kata-results=results.json"]
    command += ["-p", "no:cacheprovider", "-p", "no:hypothesispytest", str(tests)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    shown = subprocess.run(
        command, cwd=folder, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    lines = (folder / "reports.jsonl").read_text(encoding="utf-8").splitlines()
    reports = dict(json.loads(line) for line in lines)
    recorded = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    return reports, {t["nodeid"].split("::")[1]: t for t in recorded["tests"]}, shown.stdout


@pytest.fixture(scope="module")
def reports(run) -> dict:
    return run[0]


def section(report: dict, title: str) -> str:
    """A section of the report, its lines joined by single spaces ('' if it has none)."""
    return " ".join(" ".join(text.split()) for name, text in report["sections"] if name == title)


PLANTED = {
    "matmul": (
        [
            "in learner.py, line 15, in Classifier.forward (your code)",
            "self Classifier, first layer Conv2d(in_channels=1) on cpu",
            "images shape (2, 1, 6, 6) float32 cpu",
            "features shape (2, 64) float32 cpu requires_grad",
        ],
        [
            "`self.head` is Linear(in_features=1600, out_features=10), but `features` of "
            "shape (2, 64) reached it",
            "Set in_features=64",
        ],
    ),
    "meta_and_cpu": (
        [
            "in learner.py, line 20, in predict_on (your code)",
            "images shape (5, 6) float32 cpu",
            "model Linear(in_features=6, out_features=2) on meta",
        ],
        ["Yours are on cpu: `images`; on meta: `model` (its parameters)"],
    ),
    "target_dtype": (
        [
            "in learner.py, line 25, in class_loss (your code)",
            "labels shape (5,) int64 cpu",
            "targets shape (5,) int32 cpu",
        ],
        ["The targets `targets` are int32, shape (5,): class-index targets must be int64"],
    ),
    "label_range": (
        ["labels shape (5,) int64 cpu", "targets shape (5,) int64 cpu"],
        [
            "The logits have 3 classes, so a label must be in 0..2, and 3 is not",
            "`labels` runs from 0 to 2, `targets` runs from 1 to 3",
        ],
    ),
    "in_place": (
        [
            f"in tests/{KATA.test_path.name}, line 35, in test_in_place (the test)",
            "scores shape (5, 4) float32 cpu requires_grad",
            "result shape (5, 4) float32 cpu requires_grad written in place once",
        ],
        [
            "autograd kept the output of Sigmoid (shape [5, 4])",
            "written in place once after that (its version counter went from 0 to 1)",
            "The in-place writes in the code this test ran: learner.py, line 37, in gates: "
            "gated *= keep # planted",
        ],
    ),
}


@pytest.mark.parametrize(
    ("test", "shown", "meant"), [(k, *v) for k, v in PLANTED.items()], ids=list(PLANTED)
)
def test_each_common_torch_error_in_learner_code_names_the_learners_shapes(
    reports, test, shown, meant
):
    report = reports[f"test_{test}"]
    assert report["outcome"] == "failed"
    listed = section(report, explain.TENSORS_SECTION)
    meaning = section(report, explain.MEANING_SECTION)
    for fragment in shown:
        assert fragment in listed, f"{fragment!r} is not in:\n{listed}"
    for fragment in meant:
        assert fragment in meaning, f"{fragment!r} is not in:\n{meaning}"
    assert report["properties"][explain.EXPLAINED].split() == meaning.split()


@pytest.mark.parametrize("test", ["assertion", "a_failure"])
def test_an_assertion_shows_the_test_frame_and_no_meaning(reports, test):
    report = reports[f"test_{test}"]
    assert "out shape (3, 2) float32 cpu" in section(report, explain.TENSORS_SECTION)
    assert not section(report, explain.MEANING_SECTION)


def test_any_error_of_learner_code_lists_at_most_a_few_values(reports):
    listed = section(reports["test_many"], explain.TENSORS_SECTION)
    assert "batch[0] shape (2,) float32 cpu batch[1] shape (3,)" in listed, listed
    assert f"... and {11 - explain.MAX_SHOWN + 1} more" in listed, listed
    assert not section(reports["test_many"], explain.MEANING_SECTION)


@pytest.mark.parametrize(
    "test", ["an_error_of_the_test_itself", "a_stub", "a_stub_behind_a_failure", "passes"]
)
def test_no_section_where_there_is_nothing_of_the_learner_to_explain(reports, test):
    assert not reports[f"test_{test}"]["sections"]


def test_the_report_prints_the_sections_and_records_the_meaning_for_the_next_step(run):
    """What `python -m kata next` prints is the recorded message: the meaning is in it."""
    _, recorded, printed = run
    assert "--- your tensors ---" in printed and "--- what this error means ---" in printed
    message = recorded["test_matmul"]["message"]
    assert "mat1 and mat2 shapes cannot be multiplied" in message, message
    assert "`self.head` is Linear(in_features=1600" in message, message


# ---- the wordings of torch's other builds, from a frame's names ------------------------


def frames_holding(**names) -> explain.Frames:
    code = frames_holding.__code__
    place = explain.Place("learner.py", "step", 3, names, {}, code, learner=True)
    return explain.Frames(learner=[place])


@pytest.mark.parametrize(
    ("message", "meant"),
    [
        (
            "Expected all tensors to be on the same device, but found at least two devices, "
            "cuda:0 and cpu! (when checking argument for argument mat1 in method "
            "wrapper_CUDA_addmm)",
            "Yours are on cpu: `X`, `y`; on meta: `model` (its parameters)",
        ),
        (
            "Expected all tensors to be on the same device, but got mat1 is on cpu, different "
            "from other tensors on cuda:0 (when checking argument in method wrapper_CUDA_addmm)",
            "Yours are on cpu: `X`, `y`; on meta: `model` (its parameters)",
        ),
        (
            "expected scalar type Long but found Float",
            "The targets `y` are float32, shape (4,): class-index targets must be int64",
        ),
        (
            "Expected floating point type for target with class probabilities, got Long",
            "The targets have the logits' shape",
        ),
    ],
    ids=["cuda_found_two", "cuda_different", "scalar_type_long", "long_probabilities"],
)
def test_the_wordings_of_gpus_and_older_builds_are_explained_too(message, meant):
    frames = frames_holding(
        X=torch.zeros(4, 6), y=torch.zeros(4), model=nn.Linear(6, 3, device="meta")
    )
    assert meant in " ".join(explain.explain(message, frames).split())


def test_a_layer_built_to_write_in_place_is_named_by_its_path():
    model = nn.Sequential(nn.Linear(4, 4), nn.Sigmoid(), nn.ReLU(inplace=True))
    message = (
        "one of the variables needed for gradient computation has been modified by an "
        "inplace operation: [torch.FloatTensor [2, 4]], which is output 0 of Sigmoid, is at "
        "version 1; expected version 0 instead."
    )
    meaning = explain.explain(message, frames_holding(model=model))
    assert "`model[2]` is ReLU(inplace=True)" in meaning, meaning


def test_an_error_torch_words_otherwise_gets_no_meaning():
    message = "Boolean value of Tensor with more than one value is ambiguous"
    assert explain.explain(message, frames_holding()) is None
