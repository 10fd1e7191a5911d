"""The bug_loss_broadcast kata: what regression_loss in kata/bug_loss_broadcast.py must do."""

import re
import warnings

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from kata.bug_loss_broadcast import regression_loss
from tests.checks import keeps_contract, raises_keeping_contract
from tests.strategies import seeds

sample_counts = st.integers(min_value=2, max_value=40)


def _predictions_and_targets(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(n, 1, generator=generator), torch.randn(n, generator=generator)


def test_predictions_equal_to_their_targets_give_zero_loss():
    targets = torch.tensor([0.3, 0.44, 0.58, 0.72, 0.86])
    predictions = targets.unsqueeze(1)  # (5, 1), exactly right
    loss = regression_loss(predictions, targets)
    assert loss.item() == 0.0, (
        f"predictions (5, 1) equal to targets (5,) gave a loss of {loss.item():.4f}, "
        "expected 0: the loss compared more than each prediction with its own target. "
        "What shape does predictions - targets have here?"
    )


@given(n=sample_counts, seed=seeds)
def test_loss_is_the_mean_squared_error_sample_by_sample(n, seed):
    predictions, targets = _predictions_and_targets(n, seed)
    predictions.requires_grad_()
    expected = nn.MSELoss()(predictions, targets.unsqueeze(1))  # both (N, 1)
    for layout, t in (("(N,)", targets), ("(N, 1)", targets.unsqueeze(1))):
        torch.testing.assert_close(
            keeps_contract(regression_loss, predictions, t, dtype=torch.float32),
            expected,
            msg=lambda m, layout=layout: (
                f"for predictions (N, 1) and targets {layout}, with N = {n}, the loss is not "
                f"the mean of (predictions[i] - targets[i]) ** 2.\n{m}"
            ),
        )


def test_no_broadcast_warning_is_raised():
    predictions, targets = _predictions_and_targets(6, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torch's size warning becomes the failure you read
        regression_loss(predictions, targets)


def test_gradient_pushes_each_prediction_toward_its_own_target():
    predictions, targets = _predictions_and_targets(6, seed=2)
    predictions.requires_grad_(True)
    regression_loss(predictions, targets).backward()
    expected = 2 * (predictions.detach() - targets.unsqueeze(1)) / len(targets)
    torch.testing.assert_close(
        predictions.grad,
        expected,
        msg=lambda m: (
            "the gradient with respect to predictions[i] should be "
            f"2 * (predictions[i] - targets[i]) / N, pulling each toward its own target.\n{m}"
        ),
    )


def test_a_line_trained_with_it_finds_the_slope():
    torch.manual_seed(0)
    X = torch.linspace(0, 1, 20).unsqueeze(1)  # (20, 1)
    y = 0.7 * torch.linspace(0, 1, 20) + 0.3  # (20,), as from a list of numbers
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # this test is about where training ends up
        for _ in range(150):
            loss = regression_loss(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    weight, bias = model.weight.item(), model.bias.item()
    assert weight == pytest.approx(0.7, abs=0.02) and bias == pytest.approx(0.3, abs=0.02), (
        f"150 steps of SGD on y = 0.7 x + 0.3 ended at weight {weight:.3f}, bias {bias:.3f}, "
        "expected about 0.7 and 0.3. A weight near 0 and a bias near the mean of y (0.65) "
        "mean the loss compared every prediction with every target."
    )


def _names_shape(message: str, shape: tuple[int, ...]) -> bool:
    """Whether message names shape however it is written: (4, 1), [4, 1], torch.Size([4, 1])."""
    return re.search(r"\b" + r"\D{1,3}".join(map(str, shape)) + r"\b", message) is not None


@pytest.mark.parametrize(
    ("predictions_shape", "targets_shape"),
    [((4, 1), (3,)), ((1, 1), (3,)), ((2, 1), (3, 1))],
    ids=["4-against-3", "1-against-3", "2-against-3-by-1"],
)
def test_different_numbers_of_samples_raise_value_error(predictions_shape, targets_shape):
    predictions = torch.zeros(predictions_shape, requires_grad=True)
    error = raises_keeping_contract(
        ValueError, regression_loss, predictions, torch.zeros(targets_shape)
    )
    for what, shape in (("predictions", predictions_shape), ("targets", targets_shape)):
        assert _names_shape(str(error), shape), (
            f"the message should name the shape of the {what}, {shape}: {error}"
        )
