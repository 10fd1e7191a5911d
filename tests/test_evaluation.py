"""The evaluation kata: what each function in kata/evaluation.py must do."""

import copy
import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch import nn

from kata.evaluation import accuracy, evaluate
from tests.checks import LOADERS, keeps_contract, raises_keeping_contract, training_modes

# Under the name a hypothesis test's body spells: the ci profile draws its examples from a
# seed hashed from each test's source.
from tests.checks import tensor_loader as _loader

class_counts = st.integers(min_value=1, max_value=5)
row_counts = st.integers(min_value=1, max_value=8)
logit_values = st.floats(min_value=-10, max_value=10, width=32)
batch_sizes = st.integers(min_value=1, max_value=12)


class Recorder(nn.Module):
    """A linear classifier that remembers, at every forward pass, what it ran under."""

    def __init__(self, n_in: int = 4, n_classes: int = 3):
        super().__init__()
        self.linear = nn.Linear(n_in, n_classes)
        self.seen: list[dict] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.linear(x)
        self.seen.append(
            {
                "training": self.training,
                "grad_enabled": torch.is_grad_enabled(),
                "output_requires_grad": out.requires_grad,
            }
        )
        return out


def _classification_data(n: int = 10, n_in: int = 4, n_classes: int = 3, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, n_in, generator=generator)
    y = torch.randint(0, n_classes, (n,), generator=generator)
    return X, y


def _classifier_with_batch_norm_and_dropout() -> nn.Sequential:
    """A classifier in training mode, its batch norm trained a little."""
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Dropout(0.5), nn.Linear(6, 3)
    )
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(16, 4) * 2 + 1)
    return model


def test_accuracy_counts_the_rows_whose_largest_logit_is_the_target():
    logits = torch.tensor([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [5.0, -1.0, 0.0], [0.0, 1.0, 4.0]])
    targets = torch.tensor([0, 1, 1, 2])  # the third row predicts class 0: 3 of 4 right
    got = keeps_contract(accuracy, logits.requires_grad_(), targets)
    assert got == pytest.approx(0.75), (
        f"accuracy returned {got}, expected 0.75: rows 0, 1 and 3 have their largest logit "
        "at the target; compare logits.argmax(dim=1) with targets"
    )


def test_accuracy_is_one_when_all_right_and_zero_when_all_wrong():
    logits = torch.tensor([[0.1, 0.9], [0.8, 0.2], [-1.0, 1.0]])
    right, wrong = torch.tensor([1, 0, 1]), torch.tensor([0, 1, 0])
    assert accuracy(logits, right) == pytest.approx(1.0)
    assert accuracy(logits, wrong) == pytest.approx(0.0), (
        "every prediction is wrong here: did you take argmax over dim=0 (the batch) "
        "instead of dim=1 (the classes)?"
    )


def test_accuracy_follows_the_logits_where_a_softmax_would_round_two_classes_to_a_tie():
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(2000, 10, generator=generator)
    best = logits.max(dim=1).values
    rival = torch.randint(0, 10, (2000,), generator=generator)
    # A rival class one rounding step below the best: float32 softmax often makes them equal.
    logits[torch.arange(2000), rival] = torch.nextafter(best, torch.tensor(-float("inf")))
    targets = logits.argmax(dim=1)
    got = accuracy(logits, targets)
    assert got == pytest.approx(1.0), (
        f"got {got} where every target is the row's largest logit: argmax the logits "
        "themselves; a float32 softmax can turn the best two into a tie"
    )


def test_accuracy_returns_a_python_float():
    got = accuracy(torch.tensor([[1.0, 0.0]]), torch.tensor([0]))
    assert isinstance(got, float), f"accuracy returned a {type(got).__name__}: use .item()"


@given(data=st.data(), n=row_counts, n_classes=class_counts)
def test_accuracy_matches_numpy_argmax(data, n, n_classes):
    logits = data.draw(hnp.arrays(np.float32, (n, n_classes), elements=logit_values))
    targets = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, n_classes - 1)))
    expected = float(np.mean(logits.argmax(axis=1) == targets))
    got = accuracy(torch.from_numpy(logits), torch.from_numpy(targets))
    assert got == pytest.approx(expected, rel=1e-6), (
        f"accuracy returned {got}, expected {expected} for logits\n{logits}\ntargets {targets}"
    )


def test_accuracy_rejects_mismatched_lengths():
    logits, targets = torch.zeros(3, 4, requires_grad=True), torch.zeros(2, dtype=torch.long)
    error = raises_keeping_contract(ValueError, accuracy, logits, targets)
    numbers = re.findall(r"\d+", str(error))
    assert "3" in numbers and "2" in numbers, (
        f"the message should name both lengths, 3 and 2: {error}"
    )


def test_accuracy_rejects_empty_input():
    raises_keeping_contract(
        ValueError, accuracy, torch.zeros(0, 4), torch.zeros(0, dtype=torch.long)
    )


def test_accuracy_works_on_device(device):
    logits = torch.tensor([[2.0, 1.0], [0.0, 3.0]], device=device)
    assert accuracy(logits, torch.tensor([0, 0], device=device)) == pytest.approx(0.5)


@pytest.mark.parametrize("kind", LOADERS)
def test_evaluate_returns_the_mean_loss_and_accuracy_over_all_samples(kind):
    X, y = _classification_data(10)
    model = _classifier_with_batch_norm_and_dropout()
    loader, n = LOADERS[kind](X, y, 4)
    with torch.no_grad():
        logits = copy.deepcopy(model).eval()(X[:n])
        expected_loss = nn.CrossEntropyLoss()(logits, y[:n]).item()
        expected_accuracy = (logits.argmax(dim=1) == y[:n]).double().mean().item()
    loss, acc = keeps_contract(evaluate, model, nn.CrossEntropyLoss(), loader)
    assert isinstance(loss, float) and isinstance(acc, float), (
        f"evaluate returned ({type(loss).__name__}, {type(acc).__name__}), expected two floats"
    )
    assert loss == pytest.approx(expected_loss, rel=1e-5), (
        f"evaluate over a {kind} returned loss {loss}, expected {expected_loss}, the loss "
        f"over the {n} samples it yields: batches of 4, 4 and 2 must count by their sizes"
    )
    assert acc == pytest.approx(expected_accuracy, rel=1e-6)


def test_evaluate_gives_the_loss_of_a_regression_model():
    # fit takes its validation loss from evaluate: outputs and float targets are (N, 1).
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(10, 3, generator=generator)
    y = X @ torch.tensor([[1.5], [-2.0], [0.5]]) + 0.3
    model = nn.Linear(3, 1)
    with torch.no_grad():
        expected = nn.MSELoss()(model(X), y).item()
    loss, acc = keeps_contract(evaluate, model, nn.MSELoss(), _loader(X, y, 4))
    assert loss == pytest.approx(expected, rel=1e-5), (
        f"evaluate of a regression model returned loss {loss}, expected {expected}"
    )
    assert isinstance(acc, float), (
        f"the accuracy of a regression model means nothing, but must still be a float, "
        f"not a {type(acc).__name__}"
    )


@settings(max_examples=30)
@given(batch_size=batch_sizes)
def test_evaluate_does_not_depend_on_the_batch_size(batch_size):
    X, y = _classification_data(10, seed=1)
    model = nn.Linear(4, 3)
    one_by_one = evaluate(model, nn.CrossEntropyLoss(), _loader(X, y, batch_size=1))
    batched = evaluate(model, nn.CrossEntropyLoss(), _loader(X, y, batch_size=batch_size))
    assert batched == pytest.approx(one_by_one, rel=1e-5), (
        f"10 samples in batches of {batch_size} gave (loss, accuracy) {batched}, but in "
        f"batches of 1 {one_by_one}: weight each batch by its size"
    )


def test_evaluate_accuracy_is_exact_on_a_hand_made_loader():
    # Logits are the inputs themselves: 5 of 8 rows have their largest entry at the target.
    X = torch.tensor([[1.0, 0.0]] * 4 + [[0.0, 1.0]] * 4)
    y = torch.tensor([0, 0, 0, 1, 1, 1, 0, 0])
    for batch_size in (1, 3, 4):  # batches of 3 end with a batch of 2
        _, acc = evaluate(nn.Identity(), nn.CrossEntropyLoss(), _loader(X, y, batch_size))
        assert acc == pytest.approx(5 / 8), (
            f"in batches of {batch_size}, evaluate gave accuracy {acc}, expected 5/8"
        )


def test_evaluate_turns_dropout_off():
    torch.manual_seed(0)
    X, y = _classification_data(10)
    linear = nn.Linear(4, 3)
    with_dropout = nn.Sequential(nn.Dropout(p=0.5), linear)  # in train mode, as built
    without_dropout = nn.Sequential(linear)
    got = evaluate(with_dropout, nn.CrossEntropyLoss(), _loader(X, y, 4))
    expected = evaluate(without_dropout, nn.CrossEntropyLoss(), _loader(X, y, 4))
    assert got == pytest.approx(expected, rel=1e-6), (
        f"with Dropout(p=0.5) evaluate gave {got}, without it {expected}: in eval mode dropout "
        "passes its input through unchanged; call model.eval()"
    )


def test_evaluate_uses_batch_norm_running_statistics_and_leaves_them_alone():
    torch.manual_seed(0)
    X, y = _classification_data(12)
    model = nn.Sequential(nn.Linear(4, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 3))
    for _ in range(3):  # some running statistics that differ from the defaults
        model(X * 2 + 1)
    statistics = copy.deepcopy(model[1].state_dict())
    with torch.no_grad():
        expected_loss = nn.CrossEntropyLoss()(copy.deepcopy(model).eval()(X), y).item()

    loss, _ = evaluate(model, nn.CrossEntropyLoss(), _loader(X, y, 4))
    torch.testing.assert_close(
        model[1].state_dict(),
        statistics,
        msg=lambda m: (
            "evaluate changed the batch norm's running_mean, running_var or "
            f"num_batches_tracked: in train mode every forward updates them.\n{m}"
        ),
    )
    assert loss == pytest.approx(expected_loss, rel=1e-5), (
        f"evaluate gave loss {loss}, but the model in eval mode gives {expected_loss}: batch "
        "norm must normalize with its running statistics, not those of each batch"
    )


def test_evaluate_runs_the_model_in_eval_mode():
    X, y = _classification_data(10)
    model = Recorder()
    evaluate(model, nn.CrossEntropyLoss(), _loader(X, y, 4))
    modes = [seen["training"] for seen in model.seen]
    assert modes == [False, False, False], (
        f"three forward passes (10 samples, batches of 4) saw self.training == {modes}; "
        "expected all False: call model.eval() first"
    )


@pytest.mark.parametrize("mode_before", ["train", "eval"])
def test_evaluate_gives_the_model_back_in_its_mode(mode_before):
    X, y = _classification_data(10)
    model = _classifier_with_batch_norm_and_dropout()
    if mode_before == "eval":
        model.eval()
    before = training_modes(model)
    evaluate(model, nn.CrossEntropyLoss(), _loader(X, y, 4))
    modes = training_modes(model)
    assert modes == before, (
        f"the model's layers were in modes {before} (True: training) before evaluate and "
        f"are in {modes} after: remember model.training before model.eval() and give it "
        "back afterwards (model.train(mode))"
    )


class BadBatch(Exception):
    """What a model raises on a batch it cannot take (not a RuntimeError, as a stub's
    NotImplementedError is)."""


def test_a_model_that_raises_mid_pass_is_still_given_back_in_its_modes():
    class BreaksOnSecondBatch(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = _classifier_with_batch_norm_and_dropout()
            self.calls = 0

        def forward(self, x):
            self.calls += 1
            if self.calls == 2:
                raise BadBatch("a batch of the wrong shape, say")
            return self.net(x)

    X, y = _classification_data(10)
    raises_keeping_contract(
        BadBatch, evaluate, BreaksOnSecondBatch(), nn.CrossEntropyLoss(), _loader(X, y, 4)
    )


def test_evaluate_builds_no_graph():
    X, y = _classification_data(10)
    model = Recorder()
    loss, acc = evaluate(model, nn.CrossEntropyLoss(), _loader(X, y, 4))
    assert model.seen, "the model was never called"
    for seen in model.seen:
        assert not seen["grad_enabled"] and not seen["output_requires_grad"], (
            f"a forward pass ran with grad enabled ({seen}): wrap the loop in "
            "torch.inference_mode() (or torch.no_grad()) so no graph is built"
        )
    assert isinstance(loss, float) and isinstance(acc, float)


@pytest.mark.parametrize("kind", LOADERS)
def test_evaluate_rejects_a_loader_that_yields_no_batch(kind):
    if kind == "DataLoader with drop_last":
        X, y = _classification_data(3)  # fewer samples than one batch of 4: all dropped
    else:
        X, y = torch.empty(0, 4), torch.empty(0, dtype=torch.long)
    empty, _ = LOADERS[kind](X, y, 4)
    model = _classifier_with_batch_norm_and_dropout()  # in training mode: it must stay so
    raises_keeping_contract(ValueError, evaluate, model, nn.CrossEntropyLoss(), empty)


def test_evaluate_runs_on_device(device):
    torch.manual_seed(0)
    X, y = _classification_data(10)
    model = nn.Linear(4, 3)
    expected = evaluate(copy.deepcopy(model), nn.CrossEntropyLoss(), _loader(X, y, 4))
    X, y, model = X.to(device), y.to(device), model.to(device)
    got = evaluate(model, nn.CrossEntropyLoss(), _loader(X, y, 4))
    assert got == pytest.approx(expected, rel=1e-5, abs=1e-6), (
        f"on {device} evaluate gave {got}, on cpu {expected}"
    )
