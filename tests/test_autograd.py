"""The autograd kata: what each function in kata/autograd.py must do."""

import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch.autograd.gradcheck import GradcheckError

from kata.autograd import (
    Cube,
    accumulated_grad,
    grad_of,
    predict_without_graph,
    straight_through_round,
)
from tests.checks import keeps_contract, raises_keeping_contract
from tests.strategies import bounded_floats

small_shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
float64_arrays = hnp.arrays(np.float64, small_shapes, elements=bounded_floats)
float32_arrays = hnp.arrays(np.float32, small_shapes, elements=st.floats(-1000, 1000, width=32))
repeats = st.integers(min_value=1, max_value=5)

# f(x) summed to a scalar, and its derivative worked out by hand
ANALYTIC = {
    "square": (lambda x: (x**2).sum(), lambda x: 2 * x),
    "sin": (lambda x: torch.sin(x).sum(), torch.cos),
    "exp-of-half": (lambda x: torch.exp(x / 2).sum(), lambda x: torch.exp(x / 2) / 2),
    "cube-plus-linear": (lambda x: (x**3 + 5 * x).sum(), lambda x: 3 * x**2 + 5),
}


def _assert_grad(got, expected, what):
    __tracebackhide__ = True
    if got is None:
        pytest.fail(f"{what} returned None: .grad is only filled in on a leaf that requires grad")
    torch.testing.assert_close(
        got, expected, msg=lambda m: f"{what}: received gradient\n{got}\nexpected\n{expected}\n{m}"
    )


@pytest.mark.parametrize("name", ANALYTIC)
@given(x=float64_arrays)
@settings(max_examples=30)
def test_grad_of_equals_the_analytic_derivative(name, x):
    f, derivative = ANALYTIC[name]
    t = torch.from_numpy(x)
    got = grad_of(f, t)
    _assert_grad(got, derivative(t), f"grad_of({name})")
    assert got.shape == t.shape, f"the gradient has shape {tuple(got.shape)}, x has {x.shape}"


def test_grad_of_matches_torch_autograd_grad():
    x = torch.randn(3, 4)
    f = lambda t: (t.softmax(dim=1) * torch.arange(4.0)).sum()  # noqa: E731
    leaf = x.clone().requires_grad_(True)
    (expected,) = torch.autograd.grad(f(leaf), leaf)
    _assert_grad(grad_of(f, x), expected, "grad_of(softmax-weighted sum)")


def test_grad_of_leaves_a_plain_tensor_untouched():
    x = torch.tensor([1.0, -2.0, 3.0])
    before = x.clone()
    grad_of(lambda t: (t**2).sum(), x)
    assert not x.requires_grad, (
        "grad_of switched on requires_grad of the caller's x: work on x.detach().clone()"
    )
    assert x.grad is None, "grad_of gave the caller's x a .grad"
    assert torch.equal(x, before), "grad_of changed the values of x"


def test_grad_of_leaves_a_tensor_that_requires_grad_untouched():
    x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    got = keeps_contract(grad_of, lambda t: (t**2).sum(), x)
    assert x.grad is None, (
        f"the caller's x.grad became {x.grad}: the gradient flowed into x. x.clone() is still "
        "connected to x; x.detach().clone() is a fresh leaf"
    )
    assert x.requires_grad, "grad_of switched off requires_grad of the caller's x"
    _assert_grad(got, 2 * x.detach(), "grad_of(square) on an x that requires grad")


def test_grad_of_accepts_a_one_element_output_of_shape_1():
    x = torch.tensor([1.0, -2.0, 3.0])
    got = grad_of(lambda t: (t**2).sum().reshape(1), x)
    _assert_grad(got, 2 * x, "grad_of(f returning shape (1,))")


@pytest.mark.parametrize("requires_grad", [False, True])
def test_grad_of_names_the_shape_of_a_non_scalar_output(requires_grad):
    x = torch.ones(3, requires_grad=requires_grad)
    error = raises_keeping_contract(ValueError, grad_of, lambda t: t * 2, x)
    assert re.search(r"\b3\b", str(error)), (
        f"f returned shape (3,): the message should name that shape; got {str(error)!r}"
    )
    assert x.grad is None, f"the caller's x.grad became {x.grad}"


@given(x=float64_arrays, times=repeats)
@settings(max_examples=30)
def test_accumulated_grad_is_times_the_single_gradient(x, times):
    t = torch.from_numpy(x)
    f = lambda u: (u**3 + torch.sin(u)).sum()  # noqa: E731
    got = accumulated_grad(f, t, times)
    _assert_grad(got, times * (3 * t**2 + torch.cos(t)), f"accumulated_grad(times={times})")


def test_accumulated_grad_runs_one_backward_pass_per_time():
    passes = []

    def f(u):
        doubled = u * 2
        doubled.register_hook(lambda grad: passes.append(1))  # called on every backward pass
        return doubled.sum()

    accumulated_grad(f, torch.ones(2), times=3)
    assert len(passes) == 3, (
        f"backward ran through f {len(passes)} time(s) for times=3: the point is to see .grad "
        "add up over real backward passes, not to multiply one gradient"
    )


def test_accumulated_grad_leaves_the_caller_x_untouched():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    keeps_contract(accumulated_grad, lambda t: (t**2).sum(), x, times=2)
    assert x.grad is None, f"the caller's x.grad became {x.grad}: work on x.detach().clone()"


@pytest.mark.parametrize("times", [0, -1])
def test_accumulated_grad_rejects_fewer_than_one_time(times):
    x = torch.ones(2, requires_grad=True)
    raises_keeping_contract(ValueError, accumulated_grad, lambda t: t.sum(), x, times)
    assert x.grad is None, f"the caller's x.grad became {x.grad}"


def test_predict_without_graph_records_no_graph():
    x = torch.randn(4, 3, requires_grad=True)
    layer = torch.nn.Linear(3, 2)
    out = predict_without_graph(layer, x)
    assert not out.requires_grad, "the prediction requires grad: run f inside torch.no_grad()"
    assert out.grad_fn is None, f"the prediction has grad_fn {out.grad_fn}: a graph was recorded"


def test_predict_without_graph_returns_the_values_of_f():
    x = torch.randn(4, 3, requires_grad=True)
    layer = torch.nn.Linear(3, 2)
    torch.testing.assert_close(predict_without_graph(layer, x), layer(x).detach())


def test_predict_without_graph_runs_f_with_grad_mode_off():
    seen = []

    def f(t):
        seen.append(torch.is_grad_enabled())
        return t * 2

    predict_without_graph(f, torch.ones(2, requires_grad=True))
    assert seen == [False], (
        "f ran with gradient tracking on (then the graph was thrown away, or kept): "
        "torch.no_grad() stops it from being recorded at all"
    )


def test_predict_without_graph_switches_grad_mode_back_on():
    predict_without_graph(lambda t: t * 2, torch.ones(2, requires_grad=True))
    assert torch.is_grad_enabled(), (
        "gradient tracking is still off after the call: use `with torch.no_grad():`, which "
        "restores it, rather than torch.set_grad_enabled(False)"
    )


@pytest.mark.parametrize("grad_mode", [True, False], ids=["grad-on", "under-no_grad"])
def test_predict_without_graph_leaves_grad_mode_as_the_caller_had_it(grad_mode):
    layer = torch.nn.Linear(3, 2)
    with torch.set_grad_enabled(grad_mode):
        keeps_contract(predict_without_graph, layer, torch.randn(4, 3, requires_grad=True))


class ModelFailed(Exception):
    """What the f below raises: any error of f's own."""


def test_predict_without_graph_restores_grad_mode_when_f_raises():
    def failing(t):
        raise ModelFailed("f could not predict")

    raises_keeping_contract(ModelFailed, predict_without_graph, failing, torch.ones(2))


@given(x=float32_arrays)
def test_straight_through_round_rounds_on_the_way_forward(x):
    t = torch.from_numpy(x)
    torch.testing.assert_close(straight_through_round(t), t.round())


def test_straight_through_round_rounds_halves_to_even():
    x = torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49], requires_grad=True)
    got = keeps_contract(straight_through_round, x, dtype=torch.float32)
    expected = torch.tensor([0.0, 2.0, 2.0, -0.0, -2.0, -2.0, 0.0])
    assert torch.equal(got.detach(), expected), (
        f"straight_through_round({x.detach().tolist()}) gave {got.detach().tolist()}, expected "
        f"{expected.tolist()}: x.round() rounds halves to even, floor(x + 0.5) rounds them up"
    )


@given(x=float32_arrays)
def test_straight_through_round_passes_the_gradient_straight_through(x):
    leaf = torch.from_numpy(x).requires_grad_(True)
    out = straight_through_round(leaf)
    assert out.requires_grad, "the result must stay connected to x so that x can learn"
    upstream = torch.rand_like(leaf)
    (grad,) = torch.autograd.grad(out, leaf, grad_outputs=upstream)
    torch.testing.assert_close(
        grad,
        upstream,
        msg=lambda m: (
            f"the gradient of straight_through_round is\n{grad}\nexpected the upstream gradient "
            f"unchanged (a gradient of 1). round() alone gives 0; x + (x.round() - x) without "
            f".detach() also gives 1 - 1 = 0.\n{m}"
        ),
    )


@given(x=float64_arrays)
def test_cube_computes_x_cubed(x):
    t = torch.from_numpy(x)
    torch.testing.assert_close(keeps_contract(Cube.apply, t, dtype=t.dtype), t**3)


def test_cube_is_not_fooled_by_an_in_place_change_of_x_after_forward():
    leaf = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    x = leaf * 1  # not a leaf, so it may be changed in place
    y = keeps_contract(Cube.apply, x)
    x.mul_(2)
    try:
        y.sum().backward()
    except RuntimeError as error:  # autograd saw the change: what save_for_backward is for
        assert "inplace" in str(error) or "in-place" in str(error), error
        return
    torch.testing.assert_close(
        leaf.grad,
        3 * leaf.detach() ** 2,
        msg=lambda m: (
            "x was doubled in place after Cube.apply(x), and backward used the changed x: "
            "a tensor kept as a ctx attribute is not checked; ctx.save_for_backward(x) makes "
            f"autograd refuse such a backward.\n{m}"
        ),
    )


@given(x=float64_arrays)
@settings(max_examples=50)
def test_cube_gradient_matches_autograd_of_x_cubed(x):
    leaf = torch.from_numpy(x).requires_grad_(True)
    upstream = torch.randn_like(leaf)
    (got,) = torch.autograd.grad(Cube.apply(leaf), leaf, grad_outputs=upstream)
    (expected,) = torch.autograd.grad(leaf**3, leaf, grad_outputs=upstream)
    torch.testing.assert_close(
        got,
        expected,
        msg=lambda m: (
            f"Cube's backward returned\n{got}\nbut autograd of x ** 3 gives\n{expected}\n"
            f"Did you multiply by grad_output (the chain rule)?\n{m}"
        ),
    )


def test_cube_passes_gradcheck():
    x = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    try:
        torch.autograd.gradcheck(Cube.apply, (x,))
    except GradcheckError as error:
        pytest.fail(
            "gradcheck compares Cube's backward with central differences of its forward, "
            f"and they disagree:\n{error}"
        )
