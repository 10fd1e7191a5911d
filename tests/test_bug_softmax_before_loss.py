"""The bug_softmax_before_loss kata: what classification_loss in kata/bug_softmax_before_loss.py
must do."""

import math

import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from kata.bug_softmax_before_loss import classification_loss
from tests.checks import keeps_contract
from tests.strategies import seeds

sample_counts = st.integers(min_value=1, max_value=16)
class_counts = st.integers(min_value=2, max_value=8)


def _sure_logits(targets: torch.Tensor, n_classes: int, margin: float = 30.0) -> torch.Tensor:
    """Logits that put `margin` more on the class `targets` names than on any other."""
    return margin * nn.functional.one_hot(targets, n_classes).float()


@given(n=sample_counts, n_classes=class_counts, seed=seeds)
def test_loss_equals_cross_entropy_of_the_logits(n, n_classes, seed):
    generator = torch.Generator().manual_seed(seed)
    logits = (3 * torch.randn(n, n_classes, generator=generator)).requires_grad_()
    targets = torch.randint(n_classes, (n,), generator=generator)
    torch.testing.assert_close(
        keeps_contract(classification_loss, logits, targets, dtype=torch.float32),
        nn.CrossEntropyLoss()(logits, targets),
        msg=lambda m: (
            "classification_loss(logits, targets) differs from "
            f"nn.CrossEntropyLoss()(logits, targets) for {n} samples of {n_classes} classes: "
            f"was the loss given the logits themselves?\n{m}"
        ),
    )


def test_sure_and_right_predictions_give_a_loss_near_zero():
    targets = torch.tensor([0, 2, 1, 2])
    loss = classification_loss(_sure_logits(targets, 3), targets).item()
    assert loss < 1e-6, (
        f"a model 30 logits sure of the right class for every sample has loss {loss:.4f}, "
        f"expected about 0 (-log(softmax) of the right class). A floor near "
        f"{math.log(1 + 2 / math.e):.2f} for 3 classes is what cross-entropy gives when its "
        "input is already probabilities in [0, 1]: then the 'logits' can differ by 1 at most."
    )


def test_sure_and_wrong_predictions_get_a_strong_gradient():
    targets = torch.tensor([0, 1])
    logits = _sure_logits(torch.tensor([2, 0]), 3).requires_grad_(True)  # sure, and wrong
    classification_loss(logits, targets).backward()
    expected = (torch.softmax(logits, dim=1) - nn.functional.one_hot(targets, 3)) / 2
    torch.testing.assert_close(
        logits.grad,
        expected.detach(),
        msg=lambda m: (
            "for a sure and wrong prediction the gradient of cross-entropy with respect to "
            "the logits is (softmax - one_hot) / N, about -0.5 on the right class and +0.5 "
            "on the wrong one. A gradient near 0 means something between the logits and "
            f"the loss saturates: a softmax is flat where it is sure.\n{m}"
        ),
    )


def test_a_sure_right_prediction_scores_lower_than_a_sure_wrong_one_by_the_margin():
    targets = torch.tensor([1])
    right = classification_loss(_sure_logits(targets, 3, margin=10.0), targets).item()
    wrong = classification_loss(_sure_logits(torch.tensor([0]), 3, margin=10.0), targets).item()
    assert wrong - right > 9.0, (
        f"a prediction 10 logits sure and wrong has loss {wrong:.3f}, one 10 logits sure and "
        f"right {right:.3f}: cross-entropy of logits tells them apart by about 10. A gap "
        "below 1 means the loss saw probabilities, not logits."
    )


def test_huge_logits_give_the_exact_finite_loss():
    # sure and wrong by 200 (the right class gets probability e**-200, 0.0 in float32),
    # and sure and right with a logit of 1000 (exp(1000) is inf in float32)
    logits = torch.tensor([[0.0, 200.0, 0.0], [1000.0, 0.0, 0.0]], requires_grad=True)
    targets = torch.tensor([0, 0])
    loss = classification_loss(logits, targets)
    assert torch.isfinite(loss), (
        f"logits [[0, 200, 0], [1000, 0, 0]] with targets [0, 0] gave the loss {loss.item()}, "
        "expected (200 + 0) / 2 = 100: the log of a probability that underflowed to 0, or "
        "an exp of a logit that overflowed, is not finite. Which function takes the logits "
        "themselves and never forms either?"
    )
    torch.testing.assert_close(loss, nn.CrossEntropyLoss()(logits, targets))
    loss.backward()
    expected = (torch.softmax(logits, dim=1) - nn.functional.one_hot(targets, 3)) / 2
    torch.testing.assert_close(logits.grad, expected.detach())
