"""The losses_and_activations kata: what each function in kata/losses_and_activations.py must do."""

import re
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch import nn

from kata.losses_and_activations import (
    activate,
    binary_loss_from_logits,
    loss_for_task,
    multiclass_loss,
    regression_loss,
    softmax_rows,
    to_class_probabilities,
)
from tests.checks import keeps_contract, raises_keeping_contract
from tests.strategies import positive_sizes, seeds, shapes

float32s = st.floats(min_value=-100, max_value=100, allow_nan=False, width=32)
huge_float32s = st.floats(min_value=-1000, max_value=1000, allow_nan=False, width=32)
unit_float32s = st.floats(min_value=0, max_value=1, allow_nan=False, width=32)
batches = st.tuples(positive_sizes, st.integers(min_value=2, max_value=6))  # (N, C)

REFERENCE_ACTIVATIONS = {"relu": nn.ReLU(), "sigmoid": nn.Sigmoid(), "tanh": nn.Tanh()}
INTEGER_DTYPES = [torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8]


def assert_names_both_shapes(error: ValueError) -> None:
    """The message names the shapes (4, 1) and (4,), however written: a 4 and a 1 together,
    and another 4 ("(4, 1)", "torch.Size([4, 1])", "[4, 1]" all do)."""
    __tracebackhide__ = True
    assert re.search(r"(?s)(?=.*\b4\D{1,3}1\b)(?=.*\b4\b.*\b4\b)", str(error)), (
        f"the message should name both shapes, (4, 1) and (4,): {error}"
    )


# activate ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REFERENCE_ACTIVATIONS))
@settings(max_examples=40)
@given(x=hnp.arrays(np.float32, shapes, elements=float32s))
def test_activate_matches_the_torch_module_and_keeps_the_shape(name, x):
    x = torch.from_numpy(x).requires_grad_()
    expected = REFERENCE_ACTIVATIONS[name](x)
    got = keeps_contract(activate, x, name, dtype=torch.float32)
    assert got.shape == x.shape, f"activate(x, {name!r}) changed the shape {x.shape} to {got.shape}"
    torch.testing.assert_close(
        got, expected, msg=lambda m: f"activate(x, {name!r}) differs from nn.{name}: {m}"
    )


def test_activate_squeezes_into_the_range_of_each_activation():
    x = torch.arange(-20.0, 21.0)  # x[20] == 0
    relu, sigmoid, tanh = (activate(x, name) for name in ("relu", "sigmoid", "tanh"))
    assert (relu >= 0).all() and torch.equal(relu[x > 0], x[x > 0]), (
        "relu keeps x > 0, zeroes the rest"
    )
    assert ((sigmoid >= 0) & (sigmoid <= 1)).all(), "sigmoid must lie in [0, 1]"
    assert sigmoid[20] == 0.5, f"sigmoid(0) must be 0.5, got {sigmoid[20].item()}"
    assert ((tanh >= -1) & (tanh <= 1)).all() and tanh[20] == 0, "tanh lies in [-1, 1], tanh(0) = 0"


def test_activate_rejects_an_unknown_name_and_lists_the_valid_ones():
    error = raises_keeping_contract(ValueError, activate, torch.zeros(3), "softplus")
    for name in ("relu", "sigmoid", "tanh"):
        assert name in str(error), f"the message should list {name!r}: {error}"


# softmax_rows --------------------------------------------------------------------------


@given(logits=hnp.arrays(np.float32, batches, elements=huge_float32s))
def test_softmax_rows_gives_non_negative_rows_that_sum_to_one(logits):
    probabilities = softmax_rows(torch.from_numpy(logits))
    assert probabilities.shape == logits.shape
    assert (probabilities >= 0).all(), "probabilities cannot be negative"
    sums = probabilities.sum(dim=1)
    torch.testing.assert_close(
        sums, torch.ones(len(logits)), msg=lambda m: f"each row must sum to 1, got {sums}: {m}"
    )


@given(logits=hnp.arrays(np.float32, batches, elements=float32s))
def test_softmax_rows_matches_torch_softmax_along_dim_one(logits):
    logits = torch.from_numpy(logits).requires_grad_()
    torch.testing.assert_close(
        keeps_contract(softmax_rows, logits, dtype=torch.float32), torch.softmax(logits, dim=1)
    )


def test_softmax_rows_normalises_rows_not_columns():
    logits = torch.arange(6.0).reshape(2, 3)  # 2 samples, 3 classes: not square
    probabilities = softmax_rows(logits)
    row_sums, column_sums = probabilities.sum(dim=1), probabilities.sum(dim=0)
    assert torch.allclose(row_sums, torch.ones(2)), (
        f"rows sum to {row_sums.tolist()}, columns to {column_sums.tolist()}: the softmax ran "
        "over the batch (dim=0) instead of the classes (dim=1)"
    )


def test_softmax_rows_is_stable_for_huge_logits():
    logits = torch.tensor([[1000.0, 1000.0], [-1000.0, 0.0]])
    probabilities = softmax_rows(logits)
    assert torch.isfinite(probabilities).all(), (
        f"got {probabilities}: exp(1000) overflows; torch.softmax subtracts each row's max first"
    )
    torch.testing.assert_close(
        probabilities, torch.softmax(logits - logits.amax(1, keepdim=True), 1)
    )


def test_softmax_rows_rejects_logits_that_are_not_a_batch_of_rows():
    error = raises_keeping_contract(ValueError, softmax_rows, torch.zeros(5))
    assert re.search(r"\b5\b", str(error)), f"the message should name the shape (5,): {error}"


# loss_for_task -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "loss_class"),
    [
        ("regression", nn.MSELoss),
        ("robust_regression", nn.L1Loss),
        ("binary", nn.BCEWithLogitsLoss),
        ("multiclass", nn.CrossEntropyLoss),
    ],
)
def test_loss_for_task_picks_the_loss_that_suits_the_task(task, loss_class):
    loss = keeps_contract(loss_for_task, task)
    assert isinstance(loss, loss_class), (
        f"loss_for_task({task!r}) returned {type(loss).__name__}, expected nn.{loss_class.__name__}"
    )


def test_loss_for_task_rejects_an_unknown_task_and_lists_the_valid_ones():
    error = raises_keeping_contract(ValueError, loss_for_task, "ranking")
    for task in ("regression", "robust_regression", "binary", "multiclass"):
        assert task in str(error), f"the message should list {task!r}: {error}"


# regression_loss -----------------------------------------------------------------------


@settings(max_examples=50)
@given(data=st.data(), shape=shapes)
def test_regression_loss_matches_mse_loss_for_equal_shapes(data, shape):
    predictions, targets = (
        torch.from_numpy(data.draw(hnp.arrays(np.float32, shape, elements=float32s)))
        for _ in range(2)
    )
    predictions.requires_grad_()
    torch.testing.assert_close(
        keeps_contract(regression_loss, predictions, targets, dtype=torch.float32),
        nn.MSELoss()(predictions, targets),
    )


def test_regression_loss_refuses_the_column_against_vector_shapes_that_mse_loss_broadcasts():
    predictions, targets = torch.arange(4.0).unsqueeze(1), torch.arange(4.0)  # a perfect fit
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        broadcast = nn.MSELoss()(predictions, targets)  # (4, 1) vs (4,) -> (4, 4)
    assert broadcast > 0 and any("broadcasting" in str(w.message) for w in caught), (
        "torch's own MSELoss only warns here and returns a wrong, non-zero loss"
    )
    error = raises_keeping_contract(ValueError, regression_loss, predictions, targets)
    assert_names_both_shapes(error)


# to_class_probabilities ----------------------------------------------------------------


@pytest.mark.parametrize("dtype", INTEGER_DTYPES, ids=str)
@given(data=st.data(), num_classes=st.integers(min_value=1, max_value=6), n=positive_sizes)
def test_to_class_probabilities_gives_float_one_hot_rows(dtype, data, num_classes, n):
    indices = torch.tensor(
        data.draw(st.lists(st.integers(0, num_classes - 1), min_size=n, max_size=n)), dtype=dtype
    )
    probabilities = keeps_contract(
        to_class_probabilities, indices, num_classes, dtype=torch.float32
    )
    assert probabilities.shape == (n, num_classes), (
        f"expected shape ({n}, {num_classes}), got {tuple(probabilities.shape)}"
    )
    assert probabilities.dtype == torch.float32, (
        f"got {probabilities.dtype}: CrossEntropyLoss needs float class probabilities"
    )
    assert torch.equal(probabilities.sum(dim=1), torch.ones(n)), "each row holds a single 1"
    assert torch.equal(probabilities.argmax(dim=1), indices.long()), (
        "the 1 must sit at the class index"
    )


@given(data=st.data(), seed=seeds, batch=batches)
def test_cross_entropy_of_one_hot_probabilities_equals_cross_entropy_of_indices(data, seed, batch):
    n, num_classes = batch
    logits = torch.randn(n, num_classes, generator=torch.Generator().manual_seed(seed))
    indices = torch.tensor(
        data.draw(st.lists(st.integers(0, num_classes - 1), min_size=n, max_size=n))
    )
    loss = nn.CrossEntropyLoss()
    torch.testing.assert_close(
        loss(logits, to_class_probabilities(indices, num_classes)),
        loss(logits, indices),
        msg=lambda m: f"one-hot float targets must give exactly the loss of the indices: {m}",
    )


@pytest.mark.parametrize(
    "indices",
    [torch.tensor([0.0, 2.0]), torch.tensor([False, True])],
    ids=["float", "bool"],
)
def test_to_class_probabilities_rejects_indices_that_are_not_integers(indices):
    raises_keeping_contract(ValueError, to_class_probabilities, indices, 3)


@pytest.mark.parametrize("bad_index", [3, -1], ids=["too-big", "negative"])
def test_to_class_probabilities_rejects_an_index_outside_the_classes(bad_index):
    raises_keeping_contract(ValueError, to_class_probabilities, torch.tensor([0, bad_index]), 3)


# multiclass_loss -----------------------------------------------------------------------


@given(data=st.data(), seed=seeds, batch=batches)
def test_multiclass_loss_matches_cross_entropy_for_class_indices(data, seed, batch):
    n, num_classes = batch
    logits = torch.randn(n, num_classes, generator=torch.Generator().manual_seed(seed))
    indices = torch.tensor(
        data.draw(st.lists(st.integers(0, num_classes - 1), min_size=n, max_size=n))
    )
    logits.requires_grad_()
    torch.testing.assert_close(
        keeps_contract(multiclass_loss, logits, indices, dtype=torch.float32),
        nn.CrossEntropyLoss()(logits, indices),
    )


@given(seed=seeds, batch=batches)
def test_multiclass_loss_matches_cross_entropy_for_soft_class_probabilities(seed, batch):
    generator = torch.Generator().manual_seed(seed)
    logits = torch.randn(batch, generator=generator)
    soft_labels = torch.softmax(torch.randn(batch, generator=generator), dim=1)
    torch.testing.assert_close(
        multiclass_loss(logits, soft_labels), nn.CrossEntropyLoss()(logits, soft_labels)
    )


def test_multiclass_loss_explains_the_one_hot_integer_target_that_torch_rejects():
    logits, one_hot = torch.randn(4, 3), torch.eye(3, dtype=torch.long)[[0, 2, 1, 2]]
    with pytest.raises(RuntimeError, match="Expected floating point type for target"):
        nn.CrossEntropyLoss()(logits, one_hot)  # torch's own words
    error = raises_keeping_contract(ValueError, multiclass_loss, logits, one_hot)
    assert re.search(r"(?i)\bfloat", str(error)), f"the message should say .float(): {error}"


def test_multiclass_loss_explains_the_float_class_indices_that_torch_rejects():
    logits, float_indices = torch.randn(4, 3), torch.tensor([0.0, 2.0, 1.0, 2.0])
    with pytest.raises(RuntimeError, match="expected target dtype to be Long"):
        nn.CrossEntropyLoss()(logits, float_indices)  # torch's own words
    error = raises_keeping_contract(ValueError, multiclass_loss, logits, float_indices)
    assert re.search(r"(?i)\blong\b|int64", str(error)), f"the message should say .long(): {error}"


def test_multiclass_loss_accepts_int32_class_indices_that_torch_rejects():
    logits, indices = torch.randn(4, 3), torch.tensor([0, 2, 1, 2], dtype=torch.int32)
    with pytest.raises(RuntimeError, match="expected target dtype to be Long"):
        nn.CrossEntropyLoss()(logits, indices)
    torch.testing.assert_close(
        multiclass_loss(logits, indices), nn.CrossEntropyLoss()(logits, indices.long())
    )


# binary_loss_from_logits ---------------------------------------------------------------


def _float32_bce_error_bound(logits: torch.Tensor) -> float:
    """How far any sound float32 computation of the mean BCE-with-logits loss can be from
    the exact one (float64 stands in for exact: its rounding is 2**29 times finer).

    Each loss max(x, 0) - x y + log(1 + exp(-|x|)) (or torch's own (1 - y) x - logsigmoid(x))
    is a few roundings of terms no bigger than |x| + 1, each off by at most u = 2**-24 of its
    size: within 8 u (|x| + 1) of the exact loss. Terms of size |x| cancel to a loss far
    smaller when y is near 1 for x < 0 (x = -237, y = 1e-5): the error follows |x|, not the
    loss. Summing n non-negative losses in any order adds at most (n - 1) u of the sum
    (Higham, Accuracy and Stability of Numerical Algorithms, 4.2), dividing by n one u
    more. So the mean is within (n + 9) u mean(|x| + 1); one u more covers second-order terms.
    """
    n = logits.numel()
    return (n + 10) * 2.0**-24 * (logits.double().abs() + 1).mean().item()


@settings(max_examples=50)
@given(data=st.data(), shape=shapes)
def test_binary_loss_from_logits_matches_bce_with_logits_loss(data, shape):
    logits = torch.from_numpy(data.draw(hnp.arrays(np.float32, shape, elements=huge_float32s)))
    targets = torch.from_numpy(data.draw(hnp.arrays(np.float32, shape, elements=unit_float32s)))
    logits.requires_grad_()
    got = keeps_contract(binary_loss_from_logits, logits, targets)
    assert got.dtype == torch.float32, f"float32 logits and targets gave a {got.dtype} loss"
    exact = nn.BCEWithLogitsLoss()(logits.detach().double(), targets.double())
    torch.testing.assert_close(
        got.detach().double(),
        exact,
        rtol=0,
        atol=_float32_bce_error_bound(logits),
        msg=lambda m: f"differs from nn.BCEWithLogitsLoss by more than float32 rounding: {m}",
    )


def test_binary_loss_from_logits_takes_raw_logits_that_bce_loss_refuses():
    logits, targets = torch.tensor([2.5, -1.0]), torch.tensor([1.0, 0.0])
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        nn.BCELoss()(logits, targets)  # BCELoss wants probabilities, not logits
    torch.testing.assert_close(
        binary_loss_from_logits(logits, targets), nn.BCEWithLogitsLoss()(logits, targets)
    )


def test_binary_loss_from_logits_is_right_for_huge_logits_where_sigmoid_then_bce_loss_saturates():
    logits, targets = torch.tensor([1000.0, -1000.0, 0.0]), torch.tensor([0.0, 1.0, 1.0])
    saturated = nn.BCELoss()(torch.sigmoid(logits), targets)  # each log clamped at -100
    got = binary_loss_from_logits(logits, targets)
    expected = nn.BCEWithLogitsLoss()(logits, targets)  # (1000 + 1000 + log 2) / 3
    assert torch.isfinite(got), f"got {got.item()}: never take the log of sigmoid(x) itself"
    torch.testing.assert_close(got, expected)
    assert saturated < expected / 5, "sigmoid then BCELoss should underestimate here"


def test_binary_loss_from_logits_keeps_the_gradient_alive_for_huge_logits():
    logits = torch.tensor([1000.0, -1000.0], requires_grad=True)
    targets = torch.tensor([0.0, 1.0])
    binary_loss_from_logits(logits, targets).backward()
    expected = (torch.sigmoid(logits) - targets).detach() / 2  # d loss / d logit, mean of 2
    torch.testing.assert_close(
        logits.grad,
        expected,
        msg=lambda m: f"got gradient {logits.grad}, expected {expected} (sigmoid(x) - y) / N: {m}",
    )


def test_binary_loss_from_logits_rejects_shapes_that_differ():
    error = raises_keeping_contract(
        ValueError, binary_loss_from_logits, torch.zeros(4, 1), torch.zeros(4)
    )
    assert_names_both_shapes(error)
