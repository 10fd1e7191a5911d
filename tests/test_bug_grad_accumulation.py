"""The bug_grad_accumulation kata: what train_step in kata/bug_grad_accumulation.py must do."""

import copy

import pytest
import torch
from torch import nn

from kata.bug_grad_accumulation import train_step
from tests.checks import (
    GradRecordingSGD,
    gradients_of_one_backward,
    keeps_contract,
    record_training_modes,
    regression_problem,
)


def _assert_step_used_one_batch_gradient(used, expected, which: str) -> None:
    __tracebackhide__ = True
    assert all(g is not None for g in used), f"the {which} step() found no gradient in .grad"
    for got, want in zip(used, expected, strict=True):
        torch.testing.assert_close(
            got,
            want,
            msg=lambda m: (
                f"the {which} optimizer.step() used a gradient that is not the gradient of "
                "this batch's loss at the current weights: what was in .grad before "
                f"backward() is still in it, added to the new gradient.\n{m}"
            ),
        )


def test_loss_keeps_falling_over_many_steps():
    torch.manual_seed(0)
    X, y = regression_problem()
    model = nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    losses = [train_step(model, nn.MSELoss(), optimizer, X, y) for _ in range(60)]
    # Plain gradient descent ends below 0.1% of the first loss here; 1% leaves a margin.
    assert losses[-1] < 0.01 * losses[0], (
        f"after 60 steps of SGD(lr=0.05) on a linear regression the loss went from "
        f"{losses[0]:.3f} to {losses[-1]:.3f} (every 10th: "
        f"{[round(v, 3) for v in losses[::10]]}); plain gradient descent gets below "
        f"{0.01 * losses[0]:.3f}. A loss that falls, then swings back up, means each step "
        "moves further than the last: which gradient is the optimizer really given?"
    )


def test_each_step_uses_the_gradient_of_its_own_batch_alone():
    torch.manual_seed(0)
    X, y = regression_problem(8)
    model = nn.Linear(3, 1)
    optimizer = GradRecordingSGD(model.parameters(), lr=0.1)
    train_step(model, nn.MSELoss(), optimizer, X, y)
    expected = gradients_of_one_backward(model, nn.MSELoss(), X, y)
    train_step(model, nn.MSELoss(), optimizer, X, y)
    _assert_step_used_one_batch_gradient(optimizer.grads_used[1], expected, "second")


def test_gradients_left_by_earlier_code_do_not_leak_into_the_step():
    torch.manual_seed(0)
    X, y = regression_problem(8)
    model = nn.Linear(3, 1)
    expected = gradients_of_one_backward(model, nn.MSELoss(), X, y)
    model.eval()  # say, a saliency plot, computed in eval mode, left its gradient behind
    model(X).sum().backward()
    modes = record_training_modes(model)
    optimizer = GradRecordingSGD(model.parameters(), lr=0.1)
    keeps_contract(train_step, model, nn.MSELoss(), optimizer, X, y, changes=("model", "optimizer"))
    _assert_step_used_one_batch_gradient(optimizer.grads_used[0], expected, "first")
    assert modes == [True], (
        f"the model was in eval mode before train_step and its forward pass saw "
        f"model.training == {modes}; expected [True]: keep the model.train() of the step"
    )


def test_two_steps_with_cross_entropy_are_two_steps_of_plain_gradient_descent():
    # Cross-entropy is not symmetric: loss_fn(y, model(X)) raises or computes another loss.
    torch.manual_seed(0)
    X, _ = regression_problem(8)
    y = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    model = nn.Linear(3, 3)
    twin = copy.deepcopy(model)
    twin_optimizer = torch.optim.SGD(twin.parameters(), lr=0.5)
    expected = []
    for _ in range(2):
        twin_optimizer.zero_grad()
        loss = nn.CrossEntropyLoss()(twin(X), y)
        loss.backward()
        twin_optimizer.step()
        expected.append(loss.item())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    got = [
        keeps_contract(
            train_step,
            model,
            nn.CrossEntropyLoss(),
            optimizer,
            X,
            y,
            changes=("model", "optimizer"),
        )
        for _ in range(2)
    ]
    assert got == pytest.approx(expected, rel=1e-5), (
        f"two train_step calls with nn.CrossEntropyLoss returned {got}, expected {expected}: "
        "the loss is loss_fn(model(X), y), predictions first, and each step uses this "
        "batch's gradient alone"
    )
    torch.testing.assert_close(
        model.state_dict(),
        twin.state_dict(),
        msg=lambda m: f"after two steps the weights are not where plain SGD takes them.\n{m}",
    )


def test_two_steps_move_the_weights_as_two_steps_of_plain_gradient_descent():
    torch.manual_seed(0)
    X, y = regression_problem(8)
    model = nn.Linear(3, 1)
    expected = copy.deepcopy(model)
    lr = 0.1
    for _ in range(2):
        grads = gradients_of_one_backward(expected, nn.MSELoss(), X, y)
        with torch.no_grad():
            for p, g in zip(expected.parameters(), grads, strict=True):
                p -= lr * g
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(2):
        train_step(model, nn.MSELoss(), optimizer, X, y)
    for got, want in zip(model.parameters(), expected.parameters(), strict=True):
        torch.testing.assert_close(
            got.detach(),
            want.detach(),
            msg=lambda m: (
                "after two train_step calls the weights are not where two steps of "
                f"w -= lr * grad take them: the second step moved too far.\n{m}"
            ),
        )


def test_each_call_returns_the_float_loss_before_its_step_as_in_plain_gradient_descent():
    torch.manual_seed(0)
    X, y = regression_problem(8)
    model = nn.Linear(3, 1)
    twin = copy.deepcopy(model)
    lr = 0.1
    expected = []
    for _ in range(3):
        grads = gradients_of_one_backward(twin, nn.MSELoss(), X, y)
        with torch.no_grad():
            expected.append(nn.MSELoss()(twin(X), y).item())
            for p, g in zip(twin.parameters(), grads, strict=True):
                p -= lr * g
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    got = [train_step(model, nn.MSELoss(), optimizer, X, y) for _ in range(3)]
    assert all(type(v) is float for v in got), (
        f"train_step returned {[type(v).__name__ for v in got]}: return loss.item(), a float"
    )
    assert got == pytest.approx(expected, rel=1e-5), (
        f"three train_step calls returned {got}, expected {expected}, the losses that plain "
        "gradient descent sees before each of its steps: return the loss computed before "
        "optimizer.step(), and make each step use this batch's gradient alone"
    )
