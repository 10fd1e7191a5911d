"""The bug_missing_eval kata: what predict in kata/bug_missing_eval.py must do."""

import copy

import torch
from torch import nn

from kata.bug_missing_eval import predict
from tests.checks import (
    keeps_contract,
    raises_keeping_contract,
    record_training_modes,
    training_modes,
)


def _model_with_dropout_and_batch_norm() -> nn.Sequential:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.5))
    model.append(nn.Linear(8, 3))
    model.train()
    with torch.no_grad():  # some training happened: the running statistics are not 0 and 1
        for _ in range(5):
            model(torch.randn(16, 4) * 3 + 1)
    return model


def test_the_same_input_gets_the_same_predictions_twice():
    model = _model_with_dropout_and_batch_norm()
    X = torch.randn(10, 4)
    first, second = predict(model, X), predict(model, X)
    assert torch.equal(first, second), (
        "two predict calls with the same X gave different outputs: is a dropout layer "
        "still zeroing random units? It does that only in training mode."
    )


def test_predictions_are_those_of_the_model_in_eval_mode():
    model = _model_with_dropout_and_batch_norm()
    X = torch.randn(10, 4)
    evaluated = copy.deepcopy(model).eval()
    with torch.no_grad():
        expected = evaluated(X)
    got = predict(model, X)
    torch.testing.assert_close(
        got,
        expected,
        msg=lambda m: (
            "predict's outputs differ from those of the same model in eval mode (dropout "
            f"passes everything through, batch norm uses its running statistics).\n{m}"
        ),
    )
    assert not got.requires_grad, "predictions carry a graph: compute them under no_grad"


def test_predicting_leaves_the_batch_norm_statistics_alone():
    model = _model_with_dropout_and_batch_norm()
    before = copy.deepcopy(model.state_dict())
    predict(model, torch.randn(10, 4) + 5)
    torch.testing.assert_close(
        model.state_dict(),
        before,
        msg=lambda m: (
            "predict changed the model's state (batch norm's running_mean, running_var or "
            "num_batches_tracked): in training mode every forward pass updates them, even "
            f"under no_grad.\n{m}"
        ),
    )


def test_a_single_sample_can_be_predicted():
    model = _model_with_dropout_and_batch_norm()
    X = torch.randn(1, 4)
    got = predict(model, X)
    assert tuple(got.shape) == (1, 3), f"one sample gave an output of shape {tuple(got.shape)}"


def test_the_model_is_evaluated_in_eval_mode_and_given_back_in_its_own_mode():
    for case in ("train", "eval"):
        model = _model_with_dropout_and_batch_norm()
        model.train(case != "eval")
        before = training_modes(model)
        modes = record_training_modes(model)
        X = torch.randn(4, 4, requires_grad=True)
        got = keeps_contract(predict, model, X)  # weights, statistics and modes as they were
        assert modes == [False], (
            f"model in {case} mode: the forward pass ran with model.training == {modes}, "
            "expected [False]: predictions are made in eval mode"
        )
        assert training_modes(model) == before, (
            f"model in {case} mode: its layers' modes were {before} before predict and "
            f"{training_modes(model)} after: keep model.training before model.eval() and "
            "give it back afterwards (model.train(was_training))"
        )
        assert not got.requires_grad, "predictions carry a graph: compute them under no_grad"


class Refused(Exception):
    """What a layer raises on an input it cannot take."""


def test_a_forward_pass_that_raises_still_leaves_the_model_as_it_was():
    model = _model_with_dropout_and_batch_norm()
    modes = record_training_modes(model)

    def refuse(module, args):
        raise Refused("the last layer refuses this input")

    model[-1].register_forward_pre_hook(refuse)
    raises_keeping_contract(Refused, predict, model, torch.randn(5, 4))
    assert modes == [False], (
        f"the forward pass ran with model.training == {modes}, expected [False]: "
        "predictions are made in eval mode"
    )
