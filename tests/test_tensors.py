"""The tensors kata: what each function in kata/tensors.py must do."""

import re

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from kata.tensors import (
    counting_grid,
    describe,
    flatten_batch,
    linear_forward,
    mean_as_float,
    numpy_view,
    pairwise_differences,
    seeded_uniform,
    to_numpy,
)
from tests.checks import assert_tensor_equal, keeps_contract, raises_keeping_contract
from tests.strategies import finite_floats, positive_sizes, seeds, shapes, small_sizes


def test_counting_grid_counts_row_by_row():
    grid = keeps_contract(counting_grid, 2, 3, dtype=torch.int64)
    assert_tensor_equal(grid, torch.tensor([[0, 1, 2], [3, 4, 5]]), "counting_grid(2, 3)")


@given(rows=small_sizes, cols=small_sizes)
def test_counting_grid_has_the_asked_shape_and_int64_dtype(rows, cols):
    grid = counting_grid(rows, cols)
    assert tuple(grid.shape) == (rows, cols), (
        f"counting_grid({rows}, {cols}) has shape {tuple(grid.shape)}, expected ({rows}, {cols})"
    )
    assert grid.dtype == torch.int64, f"expected int64 (what torch.arange gives), got {grid.dtype}"
    assert torch.equal(grid.flatten(), torch.arange(rows * cols))


@pytest.mark.parametrize(("rows", "cols"), [(-1, 3), (2, -3)])
def test_counting_grid_rejects_negative_sizes(rows, cols):
    raises_keeping_contract(ValueError, counting_grid, rows, cols)


@given(shape=shapes, seed=seeds)
def test_seeded_uniform_is_float32_in_the_unit_interval(shape, seed):
    t = keeps_contract(seeded_uniform, shape, seed, dtype=torch.float32)
    assert tuple(t.shape) == shape, f"asked for shape {shape}, got {tuple(t.shape)}"
    assert t.dtype == torch.float32
    assert ((t >= 0) & (t < 1)).all(), "torch.rand draws from [0, 1)"


def test_seeded_uniform_of_shape_unit_is_a_0d_tensor():
    t = seeded_uniform((), 5)
    assert isinstance(t, torch.Tensor) and t.shape == (), (
        f"shape () asks for a 0-dimensional tensor, got {t!r}"
    )
    assert t.dtype == torch.float32 and 0 <= t.item() < 1
    assert t.item() == seeded_uniform((), 5).item(), "the same seed must give the same number"


def test_seeded_uniform_repeats_for_the_same_seed_and_differs_for_another():
    first, again, other = (seeded_uniform((100,), s) for s in (7, 7, 8))
    assert torch.equal(first, again), "the same seed must give the same numbers"
    assert not torch.equal(first, other), "a different seed must give different numbers"


def test_seeded_uniform_leaves_the_global_random_state_alone():
    before = torch.get_rng_state()
    seeded_uniform((10,), seed=3)
    assert torch.equal(torch.get_rng_state(), before), (
        "seeded_uniform changed the global RNG: give torch.rand a generator= of its own "
        "instead of calling torch.manual_seed"
    )


@pytest.mark.parametrize(
    "t",
    [
        torch.tensor(3.5),
        torch.zeros(2, 3, dtype=torch.int32),
        torch.ones(4, 1, 2, dtype=torch.bool),
    ],
    ids=["scalar", "int32-matrix", "bool-3d"],
)
def test_describe_reports_shape_ndim_numel_dtype_and_device(t):
    expected = {
        "shape": tuple(t.shape),
        "ndim": t.dim(),
        "numel": int(np.prod(t.shape)),
        "dtype": t.dtype,
        "device": "cpu",
    }
    got = keeps_contract(describe, t)
    assert got == expected, f"describe returned {got}, expected {expected}"
    assert isinstance(got["shape"], tuple), f"shape must be a tuple, got {type(got['shape'])}"
    assert all(type(v) is int for v in got["shape"]), "shape must be a tuple of plain ints"
    assert type(got["device"]) is str, (
        f"device must be a str such as 'cpu', got {type(got['device']).__name__}"
    )


def test_describe_names_the_device_with_its_index(device):
    t = torch.zeros(2, device=device)
    got = describe(t)["device"]
    assert got == str(t.device), (
        f"describe gave device {got!r} for a tensor on {t.device}: str(t.device) names "
        "the device with its index where it has one (t.device.type drops it)"
    )


@given(shape=shapes)
def test_flatten_batch_keeps_the_first_dimension_and_multiplies_the_rest(shape):
    x = torch.arange(int(np.prod(shape))).reshape(shape)
    flat = keeps_contract(flatten_batch, x)
    rest = int(np.prod(shape[1:]))
    assert tuple(flat.shape) == (shape[0], rest), (
        f"flatten_batch of a {shape} tensor gave {tuple(flat.shape)}, expected {(shape[0], rest)}"
    )
    assert_tensor_equal(flat.flatten(), x.flatten(), "the flattened elements, in order")


def test_flatten_batch_works_on_a_non_contiguous_tensor():
    x = torch.arange(24).reshape(2, 3, 4).transpose(1, 2)  # (2, 4, 3), not contiguous
    assert not x.is_contiguous()
    flat = keeps_contract(flatten_batch, x)
    assert torch.equal(flat, torch.stack([x[0].flatten(), x[1].flatten()])), (
        "on a transposed tensor, .view raises; .reshape(len(x), -1) copies when it must "
        "(.flatten(1) would too, but refuses a 1-D tensor, which must become (B, 1))"
    )


@pytest.mark.parametrize(
    "make",
    [lambda: torch.zeros(2, 3, 4), lambda: torch.zeros(6, 2, 5)[::2], lambda: torch.zeros(5)],
    ids=["contiguous", "every-other-sample-of-a-batch", "1-d"],
)
def test_flatten_batch_does_not_copy_when_a_view_will_do(make):
    x = make()
    flat = flatten_batch(x)
    flat[0, 0] = 1.0
    assert x.flatten()[0] == 1.0, (
        f"flatten_batch copied a tensor of shape {tuple(x.shape)} and strides {x.stride()}, "
        "which a view can flatten: .reshape copies only when it must (.contiguous() always "
        "makes a copy of a tensor that is not contiguous, even where a view would do)"
    )


def test_flatten_batch_rejects_a_scalar():
    raises_keeping_contract(ValueError, flatten_batch, torch.tensor(1.0))


@given(values=st.lists(st.integers(-1000, 1000), min_size=1, max_size=20))
def test_mean_as_float_averages_integers_as_float32(values):
    mean = keeps_contract(mean_as_float, torch.tensor(values), dtype=torch.float32)
    assert mean.dtype == torch.float32, f"expected a float32 mean, got {mean.dtype}"
    assert mean.ndim == 0, f"expected a 0-dimensional tensor, got shape {tuple(mean.shape)}"
    torch.testing.assert_close(mean, torch.tensor(float(np.mean(values)), dtype=torch.float32))


def test_mean_as_float_averages_a_float64_tensor_as_float32():
    mean = mean_as_float(torch.tensor([1.0, 2.0], dtype=torch.float64))
    assert_tensor_equal(mean, torch.tensor(1.5), "the mean of a float64 [1.0, 2.0]")


@pytest.mark.parametrize("dtype", [torch.float32, torch.int64])
def test_mean_as_float_of_an_empty_tensor_is_nan(dtype):
    mean = mean_as_float(torch.tensor([], dtype=dtype))
    assert isinstance(mean, torch.Tensor), f"expected a tensor, got {type(mean).__name__}"
    assert mean.dtype == torch.float32 and mean.ndim == 0 and mean.isnan(), (
        f"the mean of an empty tensor is a 0-d float32 nan, as torch.mean gives; got {mean!r}"
    )


def test_numpy_view_shares_memory_both_ways():
    a = np.arange(4, dtype=np.float32)
    t = keeps_contract(numpy_view, a)
    a[0] = 10.0
    assert t[0].item() == 10.0, "changing the array must change the tensor: use torch.from_numpy"
    t[1] = 20.0
    assert a[1] == 20.0, "changing the tensor must change the array"
    assert t.dtype == torch.float32, "the tensor keeps the array's dtype"


def test_to_numpy_handles_a_tensor_that_requires_grad():
    t = torch.tensor([1.0, 2.0], requires_grad=True) * 3
    a = keeps_contract(to_numpy, t)
    assert isinstance(a, np.ndarray), f"expected a numpy.ndarray, got {type(a).__name__}"
    np.testing.assert_array_equal(a, [3.0, 6.0])


def test_to_numpy_handles_a_tensor_on_any_device(device):
    t = torch.arange(3.0, device=device)
    np.testing.assert_array_equal(to_numpy(t), [0.0, 1.0, 2.0])


@given(data=st.data(), n=positive_sizes, n_in=positive_sizes, n_out=positive_sizes)
def test_linear_forward_matches_numpy_and_nn_linear(data, n, n_in, n_out):
    x, w, b = (
        data.draw(hnp.arrays(np.float64, shape, elements=finite_floats))
        for shape in ((n, n_in), (n_out, n_in), (n_out,))
    )
    got = keeps_contract(
        linear_forward, torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b)
    )
    assert tuple(got.shape) == (n, n_out)
    np.testing.assert_allclose(got.numpy(), x @ w.T + b, rtol=1e-10, atol=1e-9)
    torch.testing.assert_close(
        got,
        torch.nn.functional.linear(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b)),
    )


def test_linear_forward_names_the_shapes_that_do_not_match():
    x, w, b = torch.zeros(4, 3), torch.zeros(2, 5), torch.zeros(2)
    error = raises_keeping_contract(ValueError, linear_forward, x, w, b)
    # The message must name both shapes, (4, 3) and (2, 5), however it writes them.
    assert re.search(r"(?s)(?=.*\b4\D{1,3}3\b)(?=.*\b2\D{1,3}5\b)", str(error)), (
        f"the message should name x's shape (4, 3) and weight's (2, 5); got {str(error)!r}"
    )


@pytest.mark.parametrize(
    ("x_shape", "weight_shape", "bias_shape"),
    [((4, 3), (3,), (3,)), ((3,), (2, 3), (2,))],
    ids=["1-d-weight", "1-d-x"],
)
def test_linear_forward_rejects_an_x_or_weight_that_is_not_2d(x_shape, weight_shape, bias_shape):
    x, w, b = torch.zeros(x_shape), torch.zeros(weight_shape), torch.zeros(bias_shape)
    with pytest.raises(ValueError) as raised:
        linear_forward(x, w, b)
    message = str(raised.value)
    named = [
        re.search(r"\b" + r"\D{1,3}".join(map(str, s)) + r"\b", message)
        for s in (x_shape, weight_shape)
    ]
    assert all(named), (
        f"x {x_shape} with weight {weight_shape} should be refused with a message naming both "
        f"shapes (x must be (N, in) and weight (out, in), each 2-D); got {message!r}"
    )


@pytest.mark.parametrize("bias_shape", [(3,), (1,), (), (2, 1), (1, 2)])
def test_linear_forward_rejects_a_bias_that_is_not_one_per_output(bias_shape):
    # x (2, 3) and weight (2, 3) give (2, 2): every bias here but (3,) would broadcast
    # silently onto it; bias must be (out,) = (2,)
    x = torch.ones(2, 3, requires_grad=True)
    w, b = torch.ones(2, 3), torch.zeros(bias_shape)
    raises_keeping_contract(ValueError, linear_forward, x, w, b)


@given(
    a=hnp.arrays(np.float64, positive_sizes, elements=finite_floats),
    b=hnp.arrays(np.float64, positive_sizes, elements=finite_floats),
)
def test_pairwise_differences_matches_numpy_broadcasting(a, b):
    got = keeps_contract(pairwise_differences, torch.from_numpy(a), torch.from_numpy(b))
    assert tuple(got.shape) == (len(a), len(b)), (
        f"expected shape ({len(a)}, {len(b)}), got {tuple(got.shape)}: "
        "(N, 1) - (1, M) broadcasts to (N, M)"
    )
    np.testing.assert_array_equal(got.numpy(), a[:, None] - b[None, :])
