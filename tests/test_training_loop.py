"""The training_loop kata: what each function in kata/training_loop.py must do."""

import copy

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from kata.training_loop import train_epoch, train_step
from tests.checks import (
    LOADERS,
    GradRecordingSGD,
    gradients_of_one_backward,
    keeps_contract,
    raises_keeping_contract,
)

# Under the names the hypothesis tests' bodies spell: the ci profile draws its examples from a
# seed hashed from each test's source.
from tests.checks import regression_problem as _regression_problem
from tests.checks import tensor_loader as _loader

sample_counts = st.integers(min_value=1, max_value=12)
batch_sizes = st.integers(min_value=1, max_value=5)


class ModeRecorder(nn.Module):
    """A linear layer that remembers self.training at every forward pass."""

    def __init__(self, n_in: int = 3):
        super().__init__()
        self.linear = nn.Linear(n_in, 1)
        self.modes: list[bool] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.modes.append(self.training)
        return self.linear(x)


def _model_with_batch_norm_and_dropout(n_in: int = 3, n_out: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(n_in, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Dropout(0.3), nn.Linear(6, n_out)
    )


def test_train_step_halves_the_loss_of_a_small_regression():
    torch.manual_seed(0)
    X, y = _regression_problem()
    model = nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = [train_step(model, nn.MSELoss(), optimizer, X, y) for _ in range(30)]
    # The reference gets below a tenth of the start here; half leaves a wide margin.
    assert losses[-1] < 0.5 * losses[0], (
        f"after 30 steps of SGD(lr=0.1) the loss went from {losses[0]:.4f} to {losses[-1]:.4f}; "
        "expected it to fall below half. Does train_step call backward() and optimizer.step()?"
    )


def test_train_step_returns_the_loss_before_the_step_as_a_python_float():
    torch.manual_seed(0)
    X, y = _regression_problem(8)
    model = nn.Linear(3, 1)
    with torch.no_grad():
        expected = nn.MSELoss()(model(X), y).item()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = keeps_contract(
        train_step, model, nn.MSELoss(), optimizer, X, y, changes=("model", "optimizer")
    )
    assert type(loss) is float, f"train_step returned a {type(loss).__name__}: use loss.item()"
    assert loss == pytest.approx(expected, rel=1e-6), (
        f"train_step returned {loss}, but the loss before the step was {expected}: "
        "return the loss you called backward() on, not one computed after the step"
    )


def test_zero_grad_prevents_gradient_accumulation():
    torch.manual_seed(0)
    X, y = _regression_problem(8)
    model = nn.Linear(3, 1)
    optimizer = GradRecordingSGD(model.parameters(), lr=0.1)
    train_step(model, nn.MSELoss(), optimizer, X, y)
    after_first_step = copy.deepcopy(model)
    train_step(model, nn.MSELoss(), optimizer, X, y)

    expected = gradients_of_one_backward(after_first_step, nn.MSELoss(), X, y)
    used = optimizer.grads_used[1]
    assert all(g is not None for g in used), "the second step() found no gradient in p.grad"
    for got, want in zip(used, expected, strict=True):
        torch.testing.assert_close(
            got,
            want,
            msg=lambda m: (
                "the second step used gradients that are not those of one backward "
                "pass at the current weights; they add up in .grad unless optimizer.zero_grad() "
                f"clears them first.\n{m}"
            ),
        )


def test_gradients_left_by_earlier_code_do_not_leak_into_the_step():
    torch.manual_seed(0)
    X, y = _regression_problem(8)
    model = nn.Linear(3, 1)
    expected = gradients_of_one_backward(model, nn.MSELoss(), X, y)
    model(X).sum().backward()  # say, a gradient someone computed for a saliency plot
    optimizer = GradRecordingSGD(model.parameters(), lr=0.1)
    train_step(model, nn.MSELoss(), optimizer, X, y)
    for got, want in zip(optimizer.grads_used[0], expected, strict=True):
        assert got is not None, "the step() found no gradient in p.grad"
        torch.testing.assert_close(
            got,
            want,
            msg=lambda m: (
                "the step used more than this batch's gradient: what was in .grad when "
                "train_step was called leaked in. Clear the gradients before backward(), "
                f"not only after step().\n{m}"
            ),
        )


def _class_targets(y: torch.Tensor) -> torch.Tensor:
    return (y.squeeze(1) > 0).long() + (y.squeeze(1) > 1).long()  # classes 0, 1 and 2


LOSSES = {
    "mse": (nn.MSELoss(), 1, lambda y: y),
    "cross-entropy": (nn.CrossEntropyLoss(), 3, _class_targets),
    "bce-with-logits": (nn.BCEWithLogitsLoss(), 1, torch.sigmoid),
}


@pytest.mark.parametrize("loss_name", LOSSES)
def test_train_step_trains_any_model_with_any_loss_of_predictions_and_targets(loss_name):
    loss_fn, n_out, targets = LOSSES[loss_name]
    X, y = _regression_problem(8)
    y = targets(y)
    torch.manual_seed(0)
    model = _model_with_batch_norm_and_dropout(n_out=n_out).eval()
    twin = copy.deepcopy(model).train()
    twin_optimizer = torch.optim.SGD(twin.parameters(), lr=0.1)
    torch.manual_seed(1)  # the same dropout masks for the twin and the model
    expected = loss_fn(twin(X), y)
    expected.backward()
    twin_optimizer.step()

    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    torch.manual_seed(1)
    loss = keeps_contract(
        train_step, model, loss_fn, optimizer, X, y, changes=("model", "optimizer")
    )
    assert loss == pytest.approx(expected.item(), rel=1e-5), (
        f"with {type(loss_fn).__name__} train_step returned {loss}, expected "
        f"{expected.item()}: call loss_fn(model(X), y), predictions first, targets second"
    )
    torch.testing.assert_close(
        model.state_dict(),
        twin.state_dict(),
        msg=lambda m: (
            f"after one step with {type(loss_fn).__name__} the model (weights, batch norm "
            f"statistics) is not where one SGD step in train mode takes it.\n{m}"
        ),
    )


def test_train_step_applies_exactly_one_optimizer_update():
    torch.manual_seed(0)
    X, y = _regression_problem(8)
    model = nn.Linear(3, 1)
    before = copy.deepcopy(model)
    lr = 0.1
    train_step(model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=lr), X, y)
    grads = gradients_of_one_backward(before, nn.MSELoss(), X, y)
    for new, old, grad in zip(model.parameters(), before.parameters(), grads, strict=True):
        torch.testing.assert_close(
            new.detach(),
            old.detach() - lr * grad,
            msg=lambda m: f"plain SGD should move each weight by -lr * grad, once.\n{m}",
        )


def test_parameters_outside_the_optimizer_stay_unchanged():
    torch.manual_seed(0)
    X, y = _regression_problem(8)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    first_layer = copy.deepcopy(model[0].state_dict())
    last_layer = copy.deepcopy(model[2].state_dict())
    optimizer = torch.optim.SGD(model[2].parameters(), lr=0.1)  # the last layer only
    train_step(model, nn.MSELoss(), optimizer, X, y)
    torch.testing.assert_close(
        model[0].state_dict(),
        first_layer,
        msg=lambda m: (
            "the first layer changed though the optimizer does not hold it: "
            f"weights must change through optimizer.step() only.\n{m}"
        ),
    )
    for name, old in last_layer.items():
        assert not torch.equal(model[2].state_dict()[name], old), (
            f"the optimized parameter {name!r} did not change: was optimizer.step() called?"
        )


@pytest.mark.parametrize("mode_before", ["train", "eval"])
def test_train_step_runs_the_model_in_train_mode(mode_before):
    torch.manual_seed(0)
    X, y = _regression_problem(8)
    model = ModeRecorder()
    model.train(mode_before == "train")
    train_step(model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1), X, y)
    assert model.modes == [True], (
        f"the model was in {mode_before} mode before train_step, and its forward pass saw "
        f"self.training == {model.modes}; expected [True]: call model.train() first, since "
        "dropout and batch norm behave differently in eval mode"
    )


def test_train_step_runs_on_device(device):
    torch.manual_seed(0)
    X, y = (t.to(device) for t in _regression_problem(8))
    model = nn.Linear(3, 1).to(device)
    before = copy.deepcopy(model)
    loss = train_step(model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1), X, y)
    assert type(loss) is float
    assert all(p.device.type == device.type for p in model.parameters())
    assert not torch.equal(model.weight, before.weight), "the step did not change the weights"


@pytest.mark.parametrize("kind", LOADERS)
def test_train_epoch_weights_each_batch_loss_by_its_size(kind):
    # With lr=0 nothing moves, so the weighted mean of the batch losses is the loss of
    # the samples the loader yields. Batches of 3, 3 and 1: an unweighted mean would differ.
    torch.manual_seed(0)
    X, y = _regression_problem(7)
    model = nn.Linear(3, 1)
    loader, n = LOADERS[kind](X, y, 3)
    with torch.no_grad():
        expected = nn.MSELoss()(model(X[:n]), y[:n]).item()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)
    got = keeps_contract(
        train_epoch, model, nn.MSELoss(), optimizer, loader, changes=("model", "optimizer")
    )
    assert isinstance(got, float), f"train_epoch returned a {type(got).__name__}, not a float"
    assert got == pytest.approx(expected, rel=1e-5), (
        f"train_epoch over a {kind} returned {got}, expected {expected}, the loss over the "
        f"{n} samples it yields: weight each batch's loss by len(X) and divide by the "
        "number of samples"
    )


@settings(max_examples=30)
@given(n=sample_counts, batch_size=batch_sizes)
def test_train_epoch_mean_does_not_depend_on_the_batching(n, batch_size):
    X, y = _regression_problem(n, seed=n)
    model = nn.Linear(3, 1)
    with torch.no_grad():
        expected = nn.MSELoss()(model(X), y).item()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)
    got = train_epoch(model, nn.MSELoss(), optimizer, _loader(X, y, batch_size))
    assert got == pytest.approx(expected, rel=1e-5), (
        f"{n} samples in batches of {batch_size}: train_epoch returned {got}, expected {expected}"
    )


def test_train_epoch_averages_each_batch_loss_taken_before_its_step():
    torch.manual_seed(0)
    X, y = _regression_problem(10)
    model = nn.Linear(3, 1)
    twin = copy.deepcopy(model)
    twin_optimizer = torch.optim.SGD(twin.parameters(), lr=0.1)
    expected = 0.0
    for X_batch, y_batch in _loader(X, y, batch_size=4):  # 4, 4 and 2 samples
        loss = nn.MSELoss()(twin(X_batch), y_batch)
        twin_optimizer.zero_grad()
        loss.backward()
        twin_optimizer.step()
        expected += loss.item() * len(X_batch) / len(X)

    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    got = train_epoch(model, nn.MSELoss(), optimizer, _loader(X, y, batch_size=4))
    assert isinstance(got, float), f"train_epoch returned a {type(got).__name__}, expected a float"
    assert got == pytest.approx(expected, rel=1e-5), (
        f"train_epoch returned {got}, expected {expected}: one train_step per batch, "
        "each loss taken before its step, weighted by batch size"
    )
    torch.testing.assert_close(model.state_dict(), twin.state_dict())


def test_train_epoch_runs_every_forward_in_train_mode():
    torch.manual_seed(0)
    X, y = _regression_problem(10)
    model = ModeRecorder().eval()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    train_epoch(model, nn.MSELoss(), optimizer, _loader(X, y, batch_size=4))
    assert model.modes == [True, True, True], (
        f"expected three forward passes in train mode (10 samples, batches of 4), "
        f"saw self.training == {model.modes}"
    )


@pytest.mark.parametrize("kind", LOADERS)
def test_train_epoch_rejects_a_loader_that_yields_no_batch(kind):
    model = _model_with_batch_norm_and_dropout()
    if kind == "DataLoader with drop_last":
        X, y = _regression_problem(3)  # fewer samples than one batch of 4: all dropped
    else:
        X, y = torch.empty(0, 3), torch.empty(0, 1)
    empty, _ = LOADERS[kind](X, y, 4)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    raises_keeping_contract(ValueError, train_epoch, model, nn.MSELoss(), optimizer, empty)


def test_train_epoch_runs_on_device(device):
    torch.manual_seed(0)
    X, y = (t.to(device) for t in _regression_problem(10))
    model = nn.Linear(3, 1).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    first = train_epoch(model, nn.MSELoss(), optimizer, _loader(X, y, batch_size=4))
    second = train_epoch(model, nn.MSELoss(), optimizer, _loader(X, y, batch_size=4))
    assert isinstance(first, float)
    assert second < first, f"the mean loss rose from {first} to {second} on {device}"
