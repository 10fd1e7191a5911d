"""The bug_inplace_backward kata: what each function in kata/bug_inplace_backward.py must do."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from kata.bug_inplace_backward import masked_gates, mean_and_scale, squash
from tests.checks import keeps_contract
from tests.strategies import seeds

sides = st.integers(min_value=1, max_value=5)


# Each function with the arguments after its first drawn for an input of a given shape, and
# what it must compute, worked out by hand in float64: its value, and the gradient of
# (result * weights).sum() with respect to its input.
def _gates_arguments(shape, generator):
    return (torch.rand(shape, generator=generator) > 0.4,)  # keep: some gates closed


def _squash_arguments(shape, generator):
    low = float(torch.rand((), generator=generator)) * 10 - 5
    return low, low + 0.5 + float(torch.rand((), generator=generator)) * 9.5


def _gates_value(x, keep):
    return torch.sigmoid(x) * keep


def _gates_gradient(x, keep, weights):
    s = torch.sigmoid(x)
    return weights * s * (1 - s) * keep


def _squash_value(x, low, high):
    return low + (high - low) * (torch.tanh(x) + 1) / 2


def _squash_gradient(x, low, high, weights):
    return weights * (high - low) / 2 * (1 - torch.tanh(x) ** 2)


def _head_value(out):
    return torch.stack((out[:, 0], torch.logaddexp(out[:, 1], torch.zeros_like(out[:, 1]))), 1)


def _head_gradient(out, weights):
    return torch.stack((weights[:, 0], weights[:, 1] * torch.sigmoid(out[:, 1])), 1)


CASES = {
    "masked_gates": (masked_gates, _gates_arguments, _gates_value, _gates_gradient),
    "squash": (squash, _squash_arguments, _squash_value, _squash_gradient),
    "mean_and_scale": (mean_and_scale, lambda shape, generator: (), _head_value, _head_gradient),
}


def _shape(name, n, t):
    return (n, 2) if name == "mean_and_scale" else (n, t)


def _inputs(name, shape, seed, dtype=torch.float32):
    """An input of the shape, scaled so that some values saturate sigmoid and tanh, the
    arguments after it, and the weights of the loss (result * weights).sum()."""
    generator = torch.Generator().manual_seed(seed)
    x = (torch.randn(shape, generator=generator) * 4).to(dtype)
    rest = CASES[name][1](shape, generator)
    weights = (torch.rand(shape, generator=generator) * 2 - 1).to(dtype)
    return x, rest, weights


def _layer_output(leaf: torch.Tensor) -> torch.Tensor:
    return leaf * 1.0  # not a leaf, and requires grad: what a layer hands on


def _train_through(name, x, rest, weights):
    """The result of the function on a layer's output made from x, and the gradient that
    (result * weights).sum().backward() gives x: what a training step sees."""
    __tracebackhide__ = True
    fn = CASES[name][0]
    leaf = x.detach().clone().requires_grad_(True)
    result = keeps_contract(fn, _layer_output(leaf), *rest, dtype=x.dtype)
    if not result.requires_grad:
        pytest.fail(
            f"{name} returned a tensor without a graph (requires_grad is False): a .detach() "
            "or torch.no_grad() makes the error go away by cutting the gradient off"
        )
    (result * weights).sum().backward()  # the in-place bug raises here
    return result.detach(), leaf.grad


@pytest.mark.parametrize("name", CASES)
@given(seed=seeds, n=sides, t=sides)
def test_backward_gives_the_gradient_worked_out_in_float64(name, seed, n, t):
    x, rest, weights = _inputs(name, _shape(name, n, t), seed)
    _, grad = _train_through(name, x, rest, weights)
    expected = CASES[name][3](x.double(), *rest, weights.double()).float()
    # float32 against float64 truth: sigmoid, tanh and softplus lose a few units in the last
    # place, and every gradient here is at most 5 in size: well inside rtol 1.3e-6, atol 1e-5
    torch.testing.assert_close(
        grad,
        expected,
        msg=lambda m: (
            f"backward through {name} gave the input the gradient\n{grad}\nexpected, worked "
            f"out by hand in float64,\n{expected}\n{m}"
        ),
    )


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
@pytest.mark.parametrize("name", CASES)
def test_the_values_are_those_of_the_formula(name, dtype):
    x, rest, weights = _inputs(name, _shape(name, 4, 6), seed=0, dtype=dtype)
    values, _ = _train_through(name, x, rest, weights)
    expected = CASES[name][2](x.double(), *rest).to(dtype)
    torch.testing.assert_close(
        values,
        expected,
        msg=lambda m: (
            f"{name}'s values (on a layer's output, in {dtype}) are not the formula's:\n{m}"
        ),
    )


@pytest.mark.parametrize("name", CASES)
def test_gradcheck_agrees_with_finite_differences(name):
    x, rest, _ = _inputs(name, _shape(name, 3, 4), seed=1, dtype=torch.float64)
    leaf = (x / 2).requires_grad_(True)  # away from saturation, where differences are exact
    fn = CASES[name][0]
    assert torch.autograd.gradcheck(lambda v: fn(_layer_output(v), *rest), (leaf,)), (
        f"torch.autograd.gradcheck refused {name}'s gradient"
    )


@pytest.mark.parametrize("kind", ["a layer's output", "a leaf that requires grad"])
@pytest.mark.parametrize("name", CASES)
def test_the_callers_input_is_left_as_it_was(name, kind):
    x, rest, weights = _inputs(name, _shape(name, 3, 4), seed=2)
    leaf = x.clone().requires_grad_(True)
    given_input = _layer_output(leaf) if kind == "a layer's output" else leaf
    result = keeps_contract(CASES[name][0], given_input, *rest)  # values and version kept
    (result * weights).sum().backward()
    assert leaf.grad is not None, f"no gradient reached {kind} through {name}"


def test_masked_gates_take_a_mask_that_broadcasts():
    x, _, weights = _inputs("masked_gates", (3, 5), seed=3)
    keep = torch.tensor([True, False, True, True, False])  # one mask for every row
    leaf = x.clone().requires_grad_(True)
    gates = keeps_contract(masked_gates, _layer_output(leaf), keep, dtype=torch.float32)
    assert gates.shape == x.shape, f"gates of shape {tuple(gates.shape)} for scores {x.shape}"
    (gates * weights).sum().backward()
    torch.testing.assert_close(gates.detach(), _gates_value(x, keep))
    torch.testing.assert_close(leaf.grad, _gates_gradient(x, keep, weights))
    assert (leaf.grad[:, ~keep] == 0).all(), "a closed gate let a gradient through"


@pytest.mark.parametrize(("low", "high"), [(-1.0, 1.0), (0.0, 10.0), (-3.5, -0.5)], ids=str)
def test_squash_stays_within_low_and_high_where_tanh_saturates(low, high):
    leaf = torch.tensor([-60.0, -8.0, 0.0, 8.0, 60.0], requires_grad=True)
    y = keeps_contract(squash, _layer_output(leaf), low, high, dtype=torch.float32)
    assert (y >= low).all() and (y <= high).all(), f"squash to [{low}, {high}] gave {y}"
    torch.testing.assert_close(y[2].item(), (low + high) / 2, msg="x = 0 is not the middle")
    y.sum().backward()
    assert (leaf.grad[[0, -1]] == 0).all() and (leaf.grad >= 0).all(), (
        f"the gradient {leaf.grad} should be 0 where tanh saturates, and never negative"
    )


def test_mean_and_scale_leaves_a_plain_out_alone():
    out = torch.tensor([[0.5, -3.0], [1.0, 0.0], [-2.0, 4.0]])
    got = keeps_contract(mean_and_scale, out, dtype=torch.float32)  # out keeps its values
    torch.testing.assert_close(got, _head_value(out))
    assert (got[:, 1] > 0).all(), f"a scale is not positive: {got[:, 1]}"


def test_a_gaussian_head_trains_through_mean_and_scale():
    torch.manual_seed(0)
    model = nn.Linear(3, 2)
    X, y = torch.randn(8, 3), torch.randn(8)
    out = model(X)
    params = keeps_contract(mean_and_scale, out)
    nll = nn.GaussianNLLLoss()(params[:, 0], y, params[:, 1] ** 2)
    (nll + 0.01 * out.pow(2).mean()).backward()  # the raw output used again, as the caller may

    double = nn.Linear(3, 2).double()
    double.load_state_dict(model.state_dict())
    raw = double(X.double())
    scale = F.softplus(raw[:, 1])
    expected = nn.GaussianNLLLoss()(raw[:, 0], y.double(), scale**2) + 0.01 * raw.pow(2).mean()
    expected.backward()
    torch.testing.assert_close(
        model.weight.grad,
        double.weight.grad.float(),
        msg=lambda m: f"the head's weight got another gradient than float64 autograd gives:\n{m}",
    )
