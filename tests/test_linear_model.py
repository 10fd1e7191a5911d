"""The linear_model kata: what each function in kata/linear_model.py must do."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from kata.linear_model import (
    LinearRegressionModel,
    count_parameters,
    make_sequential_model,
    seeded_model,
)
from tests.checks import assert_every_parameter_gets_a_gradient, keeps_contract
from tests.strategies import positive_sizes, seeds

MODELS = {"module-subclass": LinearRegressionModel, "sequential": make_sequential_model}
batch_sizes = st.integers(min_value=1, max_value=64)


def _trainable_numbers(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
@pytest.mark.parametrize("n", [1, 7, 50])
def test_model_maps_n_by_one_to_n_by_one(make, n, device):
    model = keeps_contract(make).to(device)
    x = torch.randn(n, 1, device=device, requires_grad=True)
    out = keeps_contract(model, x, dtype=torch.float32)
    assert tuple(out.shape) == (n, 1), (
        f"a batch of shape ({n}, 1) gave predictions of shape {tuple(out.shape)}, "
        f"expected ({n}, 1): one prediction per sample"
    )
    assert out.device.type == device.type, f"the prediction is on {out.device}, not {device}"


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
@given(n=batch_sizes)
@settings(max_examples=20)
def test_model_output_is_affine_in_x(make, n):
    model = make()
    a, b = torch.randn(n, 1), torch.randn(n, 1)
    with torch.no_grad():
        torch.testing.assert_close(
            model(a) + model(b),
            model(torch.zeros(n, 1)) + model(a + b),
            msg=lambda m: f"f(a) + f(b) != f(0) + f(a + b): the model is not w * x + b\n{m}",
        )


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_model_computes_one_parameter_times_x_plus_the_other(make):
    model = make()
    with torch.no_grad():
        at_zero = model(torch.zeros(1, 1)).flatten()
        slope = model(torch.ones(1, 1)).flatten() - at_zero
        parameters = torch.cat([p.flatten() for p in model.parameters()])
    found, _ = torch.sort(torch.cat([slope, at_zero]))
    expected, _ = torch.sort(parameters)
    torch.testing.assert_close(
        found,
        expected,
        msg=lambda m: (
            f"the slope {slope.item():.4f} and the value at x = 0 {at_zero.item():.4f} should be "
            f"the model's two parameters, {parameters.tolist()}\n{m}"
        ),
    )


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_model_is_one_straight_line_for_negative_and_positive_outputs(make):
    model = make()
    parameters = list(model.parameters())
    assert len(parameters) == 2, f"expected two parameters (weight, bias), found {len(parameters)}"
    x = torch.linspace(-5, 5, 11).unsqueeze(1)  # (11, 1); the line crosses zero inside
    with torch.no_grad():
        for p, value in zip(parameters, [2.0, -3.0], strict=True):
            p.fill_(value)
        got = model(x)
    lines = [2 * x - 3, -3 * x + 2]  # whichever of the two is the weight
    assert any(torch.allclose(got, line) for line in lines), (
        f"with parameters 2 and -3 the model gave {got.flatten().tolist()} for x = "
        f"{x.flatten().tolist()}, expected 2x - 3 or -3x + 2: a straight line, with nothing "
        "after it that bends negative outputs"
    )


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_model_has_exactly_two_trainable_numbers(make):
    model = make()
    found = _trainable_numbers(model)
    assert found == 2, (
        f"model.parameters() holds {found} trainable numbers, expected 2 (one weight, one "
        "bias): a plain tensor attribute is not a parameter, wrap it in nn.Parameter"
    )


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_gradients_reach_every_parameter(make):
    model = make()
    model(torch.randn(5, 1)).sum().backward()
    assert_every_parameter_gets_a_gradient(model)


@given(seed=seeds)
@settings(max_examples=20)
def test_same_seed_gives_the_same_model(seed):
    one = keeps_contract(seeded_model, seed)
    torch.testing.assert_close(one.state_dict(), seeded_model(seed).state_dict())


def test_different_seeds_give_different_models():
    one, other = seeded_model(0).state_dict(), seeded_model(1).state_dict()
    assert any(not torch.equal(one[k], other[k]) for k in one), (
        "seeds 0 and 1 gave the same parameters: seed the generator with the seed you are given"
    )


def test_seeded_model_is_the_model_built_right_after_manual_seed():
    torch.manual_seed(42)
    expected = keeps_contract(LinearRegressionModel)
    torch.manual_seed(7)  # whatever the global state, seeded_model(42) must not depend on it
    got = seeded_model(42)
    assert isinstance(got, LinearRegressionModel), (
        f"seeded_model returned a {type(got).__name__}, expected a LinearRegressionModel"
    )
    torch.testing.assert_close(got.state_dict(), expected.state_dict())


def test_sequential_model_is_an_nn_sequential_around_a_linear_layer():
    model = keeps_contract(make_sequential_model)
    assert isinstance(model, nn.Sequential), f"got a {type(model).__name__}, not an nn.Sequential"
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(1, 1)], (
        f"expected one nn.Linear(1, 1) inside, found {linears}"
    )


@given(n_in=positive_sizes, n_out=positive_sizes, bias=st.booleans())
def test_count_parameters_of_a_linear_layer(n_in, n_out, bias):
    expected = n_in * n_out + (n_out if bias else 0)  # weight (out, in) and bias (out,)
    got = count_parameters(nn.Linear(n_in, n_out, bias=bias))
    assert got == expected, (
        f"nn.Linear({n_in}, {n_out}, bias={bias}) has {expected} numbers, counted {got}"
    )


def test_count_parameters_counts_every_layer_of_a_stack():
    model = nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 1))
    expected = (2 * 5 + 5) + (5 * 1 + 1)
    assert count_parameters(model) == expected, (
        f"counted {count_parameters(model)}, expected {expected}: sum p.numel() over "
        "model.parameters(), which walks every submodule"
    )


def test_count_parameters_leaves_out_frozen_parameters_when_asked():
    model = nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 1))
    model[0].requires_grad_(False)
    trainable, everything = count_parameters(model), count_parameters(model, trainable_only=False)
    assert trainable == 5 * 1 + 1, (
        f"with the first layer frozen, {trainable} trainable numbers counted, expected 6: "
        "skip parameters whose requires_grad is False"
    )
    assert everything == (2 * 5 + 5) + (5 * 1 + 1), (
        f"with trainable_only=False, {everything} counted, expected 21: frozen ones count too"
    )


@pytest.mark.parametrize("trainable_only", [True, False])
def test_count_parameters_ignores_buffers(trainable_only):
    # weight and bias are parameters; running stats are buffers, and dropout holds nothing
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Dropout(0.5), nn.Linear(4, 2))
    model.train()
    expected = (3 * 4 + 4) + (4 + 4) + (4 * 2 + 2)
    got = keeps_contract(count_parameters, model, trainable_only=trainable_only)
    assert got == expected, (
        f"counted {got} with trainable_only={trainable_only}, expected {expected}: "
        "state_dict() also holds buffers (running_mean, running_var, num_batches_tracked), "
        "which are not learned; model.parameters() holds only what is"
    )


@pytest.mark.parametrize(
    "model", [nn.Linear(3, 2), nn.ReLU()], ids=["a-linear-layer", "no-parameters"]
)
def test_count_parameters_returns_a_plain_int(model):
    got = count_parameters(model)
    assert type(got) is int, f"count_parameters returned a {type(got).__name__}, expected int"
    assert got == sum(p.numel() for p in model.parameters())
