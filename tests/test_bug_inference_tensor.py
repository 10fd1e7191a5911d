"""The bug_inference_tensor kata: what frozen_features in kata/bug_inference_tensor.py
must do."""

import pytest
import torch
from torch import nn

from kata.bug_inference_tensor import frozen_features
from tests.checks import keeps_contract, raises_keeping_contract


def _backbone() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 4))


def test_a_head_can_be_trained_on_the_features():
    backbone, X = _backbone(), torch.randn(20, 6)
    features = frozen_features(backbone, X)
    head = nn.Linear(4, 1)
    loss = nn.MSELoss()(head(features), torch.ones(20, 1))
    loss.backward()  # fails here if the features are inference tensors
    assert head.weight.grad is not None and head.weight.grad.abs().sum() > 0, (
        "training the head gave its weight no gradient"
    )
    assert all(p.grad is None for p in backbone.parameters()), (
        "a gradient reached the frozen backbone: compute the features without a graph"
    )


def test_features_equal_the_backbone_output_and_are_not_marked_inference():
    backbone, X = _backbone(), torch.randn(20, 6, requires_grad=True)
    features = keeps_contract(frozen_features, backbone, X, dtype=torch.float32)
    assert not features.is_inference(), (
        "the features are inference tensors (features.is_inference() is True): made under "
        "torch.inference_mode(), they can never join a graph that trains something"
    )
    with torch.no_grad():
        expected = backbone(X)
    torch.testing.assert_close(features, expected)
    assert not features.requires_grad, "the features carry a graph: compute them without one"


def test_features_can_be_centred_in_place():
    features = frozen_features(_backbone(), torch.randn(20, 6))
    features -= features.mean(0)  # fails here on an inference tensor
    torch.testing.assert_close(features.mean(0), torch.zeros(4), atol=1e-6, rtol=0)


def test_the_backbone_records_no_graph_and_a_head_trains_on_the_features():
    backbone, X, head = _backbone(), torch.randn(20, 6), nn.Linear(4, 1)
    saved = []  # the shapes of the tensors autograd keeps for a backward pass

    def keep(tensor: torch.Tensor) -> torch.Tensor:
        saved.append(tuple(tensor.shape))
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(keep, lambda tensor: tensor):
        features = frozen_features(backbone, X)
        assert not saved, (
            f"computing the features kept {len(saved)} tensors for a backward pass, of shapes "
            f"{saved}: the graph through the backbone was recorded (and its memory spent) even "
            "if .detach() drops it afterwards; compute the features where no graph is recorded"
        )
        nn.MSELoss()(head(features), torch.ones(20, 1)).backward()  # fails on inference tensors
    assert head.weight.grad is not None, "training the head gave its weight no gradient"


def _not_inference(features: torch.Tensor) -> None:
    __tracebackhide__ = True
    assert not features.is_inference(), (
        "the features are inference tensors: made under torch.inference_mode(), they can "
        "never join a graph that trains something"
    )


def test_the_backbone_runs_in_the_mode_the_caller_left_it_in():
    torch.manual_seed(0)
    backbone = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 4))
    backbone.train()  # the caller's choice: dropout on
    X = torch.randn(20, 6)
    torch.manual_seed(1)
    with torch.no_grad():
        expected = backbone(X)
    torch.manual_seed(1)  # the same dropout masks
    features = keeps_contract(frozen_features, backbone, X)  # fails if it left the mode changed
    _not_inference(features)
    torch.testing.assert_close(
        features,
        expected,
        msg=lambda m: (
            "the features are not backbone(X) in the train mode the caller left it "
            f"in (did frozen_features switch it to eval for the forward pass?): {m}"
        ),
    )


@pytest.mark.parametrize("grad_enabled", [False, True], ids=["caller-in-no_grad", "caller-grad-on"])
def test_grad_mode_is_the_callers_again_after_the_call_and_after_a_backbone_error(grad_enabled):
    backbone = _backbone()
    with torch.set_grad_enabled(grad_enabled):
        features = keeps_contract(frozen_features, backbone, torch.randn(20, 6))
        _not_inference(features)
        # 5 features where the backbone wants 6: its first layer raises
        raises_keeping_contract(RuntimeError, frozen_features, backbone, torch.randn(20, 5))
