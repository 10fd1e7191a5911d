"""The bug_grad_accumulation kata: what train_step in kata/bug_grad_accumulation.py must do."""

import copy

import pytest
import torch
from torch import nn

from kata.bug_grad_accumulation import train_step
from tests.checks import GradRecordingSGD


def _regression_problem(n: int = 32, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 3, generator=generator)
    return X, X @ torch.tensor([[1.5], [-2.0], [0.5]]) + 0.3


def _gradient_of_one_backward(model: nn.Module, X, y) -> list[torch.Tensor]:
    model = copy.deepcopy(model)
    model.zero_grad()
    nn.MSELoss()(model(X), y).backward()
    return [p.grad for p in model.parameters()]


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
    X, y = _regression_problem()
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
    X, y = _regression_problem(8)
    model = nn.Linear(3, 1)
    optimizer = GradRecordingSGD(model.parameters(), lr=0.1)
    train_step(model, nn.MSELoss(), optimizer, X, y)
    expected = _gradient_of_one_backward(model, X, y)
    train_step(model, nn.MSELoss(), optimizer, X, y)
    _assert_step_used_one_batch_gradient(optimizer.grads_used[1], expected, "second")


def test_gradients_left_by_earlier_code_do_not_leak_into_the_step():
    torch.manual_seed(0)
    X, y = _regression_problem(8)
    model = nn.Linear(3, 1)
    expected = _gradient_of_one_backward(model, X, y)
    model(X).sum().backward()  # say, a gradient someone computed for a saliency plot
    optimizer = GradRecordingSGD(model.parameters(), lr=0.1)
    train_step(model, nn.MSELoss(), optimizer, X, y)
    _assert_step_used_one_batch_gradient(optimizer.grads_used[0], expected, "first")


def test_two_steps_move_the_weights_as_two_steps_of_plain_gradient_descent():
    torch.manual_seed(0)
    X, y = _regression_problem(8)
    model = nn.Linear(3, 1)
    expected = copy.deepcopy(model)
    lr = 0.1
    for _ in range(2):
        grads = _gradient_of_one_backward(expected, X, y)
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
    X, y = _regression_problem(8)
    model = nn.Linear(3, 1)
    twin = copy.deepcopy(model)
    lr = 0.1
    expected = []
    for _ in range(3):
        grads = _gradient_of_one_backward(twin, X, y)
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
