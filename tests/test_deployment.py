"""The deployment kata: what each function in kata/deployment.py must do.

The oracle is the eager model itself, copied and put in eval mode. Exporting costs about a
second the first time in a process (torch imports its tracer) and a few hundredths after:
the classifiers are exported, saved and loaded once per module, and the tests that need an
export of their own make one each.
"""

import copy
import json
import subprocess
import sys
import textwrap

import pytest
import torch
from torch import nn

from kata.deployment import Predictor, export_model, sample_shape, save_program
from kata.engine import impl
from kata.engine.curriculum import ROOT
from tests.checks import (
    assert_tensor_equal,
    holds_numbers,
    keeps_contract,
    raises_keeping_contract,
)

N_FEATURES, N_CLASSES = 5, 3
IMAGE_SHAPE = (1, 8, 8)
BATCH_SIZES = [1, 2, 3, 64]


class _Classifier(nn.Module):
    """Five features to three classes through batch norm and dropout. Its class lives in this
    test module alone: a server that needs it to load the archive has not been deployed."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(N_FEATURES, 16)
        self.norm = nn.BatchNorm1d(16)
        self.dropout = nn.Dropout(0.5)
        self.out = nn.Linear(16, N_CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.dropout(torch.relu(self.norm(self.hidden(x)))))


class _Refused(Exception):
    """What a forward pass raises in these tests: export must let it through."""


class _RefusesToRun(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(N_FEATURES, N_CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise _Refused("this forward pass cannot be traced")


def _trained(model: nn.Module, sample: tuple[int, ...]) -> nn.Module:
    """`model` as training leaves it: in train mode, its batch norm statistics moved away from
    their defaults (so that eval mode and train mode give different outputs)."""
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for _ in range(4):
            model(torch.randn(32, *sample, generator=generator) * 2 + 1)
    return model.train()


def _classifier() -> nn.Module:
    torch.manual_seed(0)
    return _trained(_Classifier(), (N_FEATURES,))


def _image_classifier() -> nn.Module:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.Flatten(),
        nn.Dropout(0.3),
        nn.Linear(4 * 8 * 8, N_CLASSES),
    )
    return _trained(model, IMAGE_SHAPE)


def _inputs(n: int, sample: tuple[int, ...] = (N_FEATURES,), seed: int = 2) -> torch.Tensor:
    return torch.randn(n, *sample, generator=torch.Generator().manual_seed(seed))


def _eval_logits(model: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """What the model gives in eval mode, computed on a copy: the model stays as it is."""
    with torch.no_grad():
        return copy.deepcopy(model).eval()(X)


class _Served:
    """A classifier exported, saved and loaded: what most tests look at."""

    def __init__(self, model: nn.Module, sample: tuple[int, ...], folder) -> None:
        self.model, self.sample = model, sample
        self.program = export_model(model, _inputs(8, sample, seed=0))
        self.path = folder / "classifier.pt2"
        save_program(self.program, self.path)
        self.predictor = Predictor(self.path)


@pytest.fixture(scope="module")
def tabular(tmp_path_factory) -> _Served:
    return _Served(_classifier(), (N_FEATURES,), tmp_path_factory.mktemp("tabular"))


@pytest.fixture(scope="module")
def images(tmp_path_factory) -> _Served:
    return _Served(_image_classifier(), IMAGE_SHAPE, tmp_path_factory.mktemp("images"))


@pytest.fixture(params=["tabular", "images"])
def served(request, tabular, images) -> _Served:
    """Each classifier in turn: one of features, one of images."""
    return {"tabular": tabular, "images": images}[request.param]


# export_model


@pytest.mark.parametrize("n", BATCH_SIZES)
def test_export_model_gives_the_eager_models_eval_outputs_on_any_batch_size(served, n):
    X = _inputs(n, served.sample)
    got = served.program.module()(X)
    torch.testing.assert_close(
        got,
        _eval_logits(served.model, X),
        msg=lambda m: (
            f"the exported program, exported with a batch of 8 and run on a batch of {n}, "
            "differs from the model in eval mode: was the model in eval mode (dropout off, "
            "batch norm on its running statistics) while export traced it, and is dim 0 "
            f"marked dynamic with a torch.export.Dim?\n{m}"
        ),
    )


def test_export_model_accepts_an_example_of_one_sample():
    model = _classifier()
    program = keeps_contract(export_model, model, _inputs(1))
    for n in (1, 5):
        X = _inputs(n, seed=n)
        torch.testing.assert_close(
            program.module()(X),
            _eval_logits(model, X),
            msg=lambda m, n=n: (
                f"exported from an example of one sample, the program gave wrong outputs for "
                f"a batch of {n}: torch specializes sizes 0 and 1, so trace a batch of at "
                f"least two (repeat the sample)\n{m}"
            ),
        )


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_export_model_gives_the_model_back_in_its_mode(mode):
    model = _classifier().train(mode == "train")
    keeps_contract(export_model, model, _inputs(4))


def test_export_model_gives_the_model_back_in_its_mode_when_the_export_fails():
    # Export lets the forward pass's error through; strict=True wraps it in torch's own.
    from torch._dynamo.exc import TorchDynamoException  # imports the tracer: only here

    model = _RefusesToRun().train()
    raises_keeping_contract((_Refused, TorchDynamoException), export_model, model, _inputs(4))


def test_export_model_rejects_an_example_without_samples():
    raises_keeping_contract(ValueError, export_model, _classifier(), _inputs(0))


def test_the_exported_program_leaves_the_models_batch_norm_statistics_alone():
    model = _classifier()
    before = copy.deepcopy(model.state_dict())
    program = export_model(model, _inputs(8))
    program.module()(_inputs(16, seed=3))
    torch.testing.assert_close(
        model.state_dict(),
        before,
        msg=lambda m: (
            "running the exported program changed the model's parameters or batch norm "
            "statistics (the program holds the model's own tensors): a program exported in "
            f"train mode updates the running statistics on every call\n{m}"
        ),
    )


# save_program


def test_save_program_writes_an_archive_that_torch_export_load_reads(tmp_path):
    model = _classifier()
    program = export_model(model, _inputs(4))
    path = tmp_path / "classifier.pt2"
    keeps_contract(save_program, program, path)
    assert path.is_file(), f"save_program wrote nothing at {path}"
    loaded = torch.export.load(path)
    X = _inputs(6, seed=4)
    torch.testing.assert_close(
        loaded.module()(X),
        _eval_logits(model, X),
        msg=lambda m: f"the program loaded back from the archive gives other outputs\n{m}",
    )


def test_save_program_takes_the_path_as_a_string(tmp_path):
    program = export_model(_classifier(), _inputs(4))
    save_program(program, str(tmp_path / "classifier.pt2"))
    assert (tmp_path / "classifier.pt2").is_file(), "save_program(program, a str) wrote nothing"


@pytest.mark.parametrize("name", ["classifier.pt", "classifier", "classifier.pt2.tmp"])
def test_save_program_refuses_a_name_without_the_pt2_suffix(tmp_path, name):
    program = export_model(_classifier(), _inputs(4))
    error = raises_keeping_contract(ValueError, save_program, program, tmp_path / name)
    assert name in str(error), f"the message should name the path it refused: {error}"
    assert not list(tmp_path.iterdir()), (
        f"save_program refused {name} but wrote {sorted(p.name for p in tmp_path.iterdir())}: "
        "check the name before writing"
    )


# sample_shape


def test_sample_shape_is_the_input_shape_without_the_batch_dimension(served):
    got = keeps_contract(sample_shape, served.program)
    assert got == served.sample and isinstance(got, tuple), (
        f"sample_shape returned {got!r}, expected {served.sample}: the shape of the caller's "
        "input (not of a weight), without its batch dimension"
    )
    assert all(type(size) is int for size in got), f"sample_shape gave {got!r}: sizes as ints"


def test_sample_shape_reads_a_loaded_program(served):
    got = sample_shape(torch.export.load(served.path))
    assert tuple(got) == served.sample, (
        f"sample_shape of the program loaded from the archive returned {got!r}, "
        f"expected {served.sample}"
    )


# Predictor


def test_predictor_loads_an_archive_and_knows_the_shape_of_a_sample(served):
    predictor = keeps_contract(Predictor, served.path)
    assert tuple(predictor.sample_shape) == served.sample, (
        f"Predictor(path).sample_shape is {predictor.sample_shape!r}, expected {served.sample}"
    )


@pytest.mark.parametrize("n", BATCH_SIZES)
def test_predictor_returns_the_labels_and_probabilities_of_a_batch(served, n):
    X = _inputs(n, served.sample, seed=5)
    labels, probabilities = keeps_contract(served.predictor, X)
    logits = _eval_logits(served.model, X)
    assert_tensor_equal(labels, logits.argmax(dim=1), what="the labels")
    assert tuple(probabilities.shape) == (n, N_CLASSES) and probabilities.dtype == torch.float32, (
        f"probabilities are {probabilities.dtype}, shape {tuple(probabilities.shape)}; expected "
        f"float32, shape ({n}, {N_CLASSES}): one row per sample, one column per class"
    )
    torch.testing.assert_close(
        probabilities,
        logits.softmax(dim=1),
        msg=lambda m: (
            f"the probabilities are not the softmax of the model's eval-mode logits over the "
            f"classes (dim=1)\n{m}"
        ),
    )


def test_predictor_answers_one_sample_with_a_label_and_a_row_of_probabilities(served):
    X = _inputs(4, served.sample, seed=6)
    batch_labels, batch_probabilities = served.predictor(X)
    for i, x in enumerate(X):
        label, probabilities = keeps_contract(served.predictor, x)
        assert tuple(label.shape) == () and tuple(probabilities.shape) == (N_CLASSES,), (
            f"one sample of shape {tuple(x.shape)} gave a label of shape {tuple(label.shape)} "
            f"and probabilities of shape {tuple(probabilities.shape)}; expected () and "
            f"({N_CLASSES},): the answer for that sample alone, not a batch of one"
        )
        assert_tensor_equal(label, batch_labels[i], what=f"the label of sample {i} alone")
        torch.testing.assert_close(probabilities, batch_probabilities[i])


def test_predictor_takes_a_batch_of_one_as_a_batch(served):
    x = _inputs(1, served.sample, seed=7)
    labels, probabilities = served.predictor(x)
    assert tuple(labels.shape) == (1,) and tuple(probabilities.shape) == (1, N_CLASSES), (
        f"a batch of one sample, shape {tuple(x.shape)}, gave labels {tuple(labels.shape)} and "
        f"probabilities {tuple(probabilities.shape)}; expected (1,) and (1, {N_CLASSES})"
    )


def test_predictor_gives_the_same_answer_to_the_same_input(tabular):
    X = _inputs(32, seed=8)
    first = tabular.predictor(X)[1]
    for _ in range(3):
        again = tabular.predictor(X)[1]
        torch.testing.assert_close(
            again,
            first,
            rtol=0,
            atol=0,
            msg=lambda m: (
                "the same batch got different probabilities from one call to the next: "
                f"dropout is on; export the model in eval mode\n{m}"
            ),
        )


def test_predictor_answers_without_a_graph(tabular):
    X = _inputs(4, seed=9).requires_grad_()
    _, probabilities = tabular.predictor(X)
    assert not probabilities.requires_grad and probabilities.grad_fn is None, (
        "the probabilities carry an autograd graph: run the program under "
        "torch.inference_mode() (or torch.no_grad())"
    )


@pytest.mark.parametrize(
    "shape",
    [(3, N_FEATURES + 1), (N_FEATURES - 1,), (2, 1, N_FEATURES), ()],
    ids=lambda shape: "x".join(map(str, shape)) or "scalar",
)
def test_predictor_refuses_a_wrong_shape_naming_the_shape_it_takes(tabular, shape):
    x = torch.zeros(shape)
    error = raises_keeping_contract(ValueError, Predictor.__call__, tabular.predictor, x)
    assert holds_numbers(str(error), N_FEATURES), (
        f"an input of shape {shape} got the message {str(error)!r}: it should name the shape "
        f"the predictor takes, ({N_FEATURES},) for one sample"
    )
    if shape and shape[-1] != N_FEATURES:
        assert holds_numbers(str(error), shape[-1]), (
            f"the message {str(error)!r} should name the shape it got, {shape}"
        )


def test_predictor_of_images_refuses_images_of_another_shape(images):
    error = raises_keeping_contract(ValueError, images.predictor, torch.zeros(2, 3, 8, 8))
    assert holds_numbers(str(error), 1, 8) and holds_numbers(str(error), 3), (
        f"a batch of 3-channel images got {str(error)!r}: name the shape it takes, "
        f"{IMAGE_SHAPE}, and the shape it got, (2, 3, 8, 8)"
    )


def test_predictor_reads_the_archive_once(tabular, tmp_path):
    path = tmp_path / "copy.pt2"
    path.write_bytes(tabular.path.read_bytes())
    predictor = Predictor(path)
    path.unlink()
    X = _inputs(3, seed=10)
    labels, _ = predictor(X)
    assert_tensor_equal(labels, _eval_logits(tabular.model, X).argmax(dim=1), what="the labels")


_FRESH_PROCESS = textwrap.dedent(
    """
    import importlib.abc
    import json
    import sys
    from pathlib import Path

    folder, forbidden, files = Path(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])


    class NoTrainingCode(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == forbidden or name.startswith(forbidden + "."):
                raise ImportError(
                    f"loading the archive imported {name}, the module of the model's class: "
                    "a deployed model must run without its training code"
                )
            return None


    sys.meta_path.insert(0, NoTrainingCode())
    import torch

    from kata.engine import impl

    impl.redirect({name: Path(file) for name, file in files.items()})
    from kata.deployment import Predictor

    torch.set_num_threads(1)
    X = torch.load(folder / "inputs.pt")
    labels, probabilities = Predictor(folder / "classifier.pt2")(X)
    torch.save(
        {"labels": labels.clone(), "probabilities": probabilities.clone()}, folder / "outputs.pt"
    )
    """
)


def test_the_archive_predicts_in_a_fresh_process_that_never_imports_the_models_class(
    tabular, tmp_path
):
    X = _inputs(6, seed=11)
    torch.save(X, tmp_path / "inputs.pt")
    (tmp_path / "classifier.pt2").write_bytes(tabular.path.read_bytes())
    files = {name: str(file) for name, file in impl.redirected().items()}
    forbidden = type(tabular.model).__module__
    done = subprocess.run(
        [sys.executable, "-c", _FRESH_PROCESS, str(tmp_path), forbidden, json.dumps(files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        pytest.fail(
            "a fresh Python process that has torch but not the model's class could not load "
            f"the archive and predict:\n{done.stderr[-3000:]}"
        )
    outputs = torch.load(tmp_path / "outputs.pt")
    logits = _eval_logits(tabular.model, X)
    assert_tensor_equal(outputs["labels"], logits.argmax(dim=1), what="the fresh process's labels")
    torch.testing.assert_close(outputs["probabilities"], logits.softmax(dim=1))
