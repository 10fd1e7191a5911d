"""The data_prep kata: what each function in kata/data_prep.py must do."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from kata.data_prep import make_linear_data, train_test_split
from tests.checks import assert_tensor_equal, keeps_contract, raises_keeping_contract
from tests.strategies import bounded_floats

starts = st.floats(min_value=-5, max_value=5, allow_nan=False, allow_infinity=False)
spans = st.floats(min_value=0.1, max_value=5, allow_nan=False, allow_infinity=False)
steps = st.floats(min_value=0.05, max_value=1, allow_nan=False, allow_infinity=False)
sample_counts = st.integers(min_value=0, max_value=200)
fractions = st.floats(min_value=0, max_value=1, exclude_min=True, exclude_max=True)


def _samples(n):
    """n samples with distinct X values, shape (n, 1), and y = -X so pairs can be checked."""
    X = torch.arange(n, dtype=torch.float32).unsqueeze(1)
    return X, -X


def test_make_linear_data_defaults_give_the_notes_fifty_samples():
    X, y = keeps_contract(make_linear_data, dtype=torch.float32)
    expected_X = torch.arange(0, 1, 0.02).unsqueeze(1)  # the notes: 0.00, 0.02, ..., 0.98
    assert tuple(X.shape) == (50, 1), (
        f"X has shape {tuple(X.shape)}, expected (50, 1): torch.arange gives (50,), "
        ".unsqueeze(1) adds the feature dimension"
    )
    torch.testing.assert_close(X, expected_X)
    torch.testing.assert_close(y, 0.7 * expected_X + 0.3)


@given(weight=bounded_floats, bias=bounded_floats, start=starts, span=spans, step=steps)
def test_make_linear_data_has_shape_n_by_one_and_y_on_the_line(weight, bias, start, span, step):
    X, y = make_linear_data(weight, bias, start, start + span, step)
    expected_X = torch.arange(start, start + span, step, dtype=torch.float32).unsqueeze(1)
    n = len(expected_X)
    assert tuple(X.shape) == (n, 1) and tuple(y.shape) == (n, 1), (
        f"X has shape {tuple(X.shape)} and y {tuple(y.shape)}, expected both ({n}, 1)"
    )
    torch.testing.assert_close(X, expected_X)
    torch.testing.assert_close(y, weight * X + bias)


def test_make_linear_data_gives_float32_even_for_whole_number_arguments():
    X, y = make_linear_data(weight=2, bias=1, start=0, end=5, step=1)
    assert X.dtype == torch.float32 and y.dtype == torch.float32, (
        f"X is {X.dtype} and y {y.dtype}, expected float32: torch.arange(0, 5, 1) counts in "
        "int64 unless given dtype=torch.float32, and a model's float32 weights refuse int64 input"
    )
    torch.testing.assert_close(X.squeeze(1), torch.arange(5.0))


def test_make_linear_data_counts_the_samples_as_arange_does():
    X, y = make_linear_data(start=0.0, end=1.0, step=0.1)
    assert tuple(X.shape) == (10, 1) and tuple(y.shape) == (10, 1), (
        f"0 to 1 in steps of 0.1 gave X of shape {tuple(X.shape)}, expected (10, 1) as "
        "torch.arange(0, 1, 0.1) counts: adding 0.1 ten times gives 0.9999999999999999, "
        "which a loop that adds step until it reaches end takes for one more sample"
    )
    torch.testing.assert_close(X.squeeze(1), torch.arange(0, 1, 0.1))


def test_make_linear_data_is_float32_under_a_float64_default_dtype():
    torch.set_default_dtype(torch.float64)
    try:
        X, y = keeps_contract(make_linear_data, 0.5, 0.25, 0.0, 2.0, 0.5, dtype=torch.float32)
    finally:
        torch.set_default_dtype(torch.float32)
    torch.testing.assert_close(X.squeeze(1), torch.tensor([0.0, 0.5, 1.0, 1.5]))
    torch.testing.assert_close(y, 0.5 * X + 0.25)


@pytest.mark.parametrize("step", [0.0, -0.1])
def test_make_linear_data_rejects_a_step_that_is_not_positive(step):
    raises_keeping_contract(ValueError, make_linear_data, step=step)


@pytest.mark.parametrize("end", [0.0, -1.0])
def test_make_linear_data_rejects_an_end_not_after_the_start(end):
    raises_keeping_contract(ValueError, make_linear_data, start=0.0, end=end)


@given(n=sample_counts, fraction=fractions)
def test_split_sizes_add_up_and_follow_the_fraction(n, fraction):
    X_train, y_train, X_test, y_test = train_test_split(*_samples(n), train_fraction=fraction)
    assert len(X_train) + len(X_test) == n, (
        f"{len(X_train)} training + {len(X_test)} test samples, expected {n} in all"
    )
    assert len(X_train) == int(fraction * n), (
        f"train_fraction={fraction} of {n} samples gave {len(X_train)} for training, "
        f"expected {int(fraction * n)}: the split index is int(train_fraction * N), "
        "rounded down, not to the nearest"
    )
    assert len(y_train) == len(X_train) and len(y_test) == len(X_test), (
        "y must be split at the same index as X"
    )


@given(n=sample_counts, fraction=fractions)
def test_split_keeps_every_sample_exactly_once_in_order(n, fraction):
    X, y = _samples(n)
    X_train, y_train, X_test, y_test = keeps_contract(train_test_split, X, y, fraction)
    assert torch.equal(torch.cat([X_train, X_test]), X), (
        "the training part followed by the test part must give X back: the first samples "
        "train, the rest test, nothing shuffled, lost or repeated"
    )
    assert torch.equal(torch.cat([y_train, y_test]), y), "the same goes for y"


def test_split_defaults_to_eighty_percent_for_training():
    X_train, _, X_test, _ = train_test_split(*_samples(50))
    assert (len(X_train), len(X_test)) == (40, 10), (
        f"with no train_fraction, 50 samples split into {len(X_train)} and {len(X_test)}, "
        "expected 40 and 10: the default train_fraction is 0.8"
    )


def test_split_training_and_test_sets_share_no_sample():
    X_train, _, X_test, _ = train_test_split(*_samples(50))
    shared = set(X_train.flatten().tolist()) & set(X_test.flatten().tolist())
    assert not shared, f"these samples are in both sets: {sorted(shared)}"


@given(n=sample_counts, fraction=fractions)
def test_split_keeps_each_x_with_its_y(n, fraction):
    X_train, y_train, X_test, y_test = train_test_split(*_samples(n), train_fraction=fraction)
    assert torch.equal(y_train, -X_train) and torch.equal(y_test, -X_test), (
        "some y no longer sits next to its X: split X and y at the same index"
    )


def test_split_test_set_is_a_slice_not_a_single_sample():
    X, y = _samples(50)  # the notes' shape, (50, 1)
    X_train, y_train, X_test, y_test = train_test_split(X, y, 0.8)
    assert tuple(X_test.shape) == (10, 1) and tuple(y_test.shape) == (10, 1), (
        f"X_test has shape {tuple(X_test.shape)} and y_test {tuple(y_test.shape)}, expected "
        "(10, 1): X[split] indexes the single sample at position split (and drops a "
        "dimension); X[split:] slices every sample from split to the end"
    )
    assert tuple(X_train.shape) == (40, 1) and tuple(y_train.shape) == (40, 1)


@pytest.mark.parametrize("features", [1, 3])
def test_split_needs_only_the_lengths_of_x_and_y_to_agree(features):
    # X (N, features) with class labels y (N,): the same number of samples, other shapes
    X = torch.arange(10.0 * features).reshape(10, features)
    y = torch.arange(10) % 2
    X_train, y_train, X_test, y_test = keeps_contract(train_test_split, X, y, 0.8)
    assert_tensor_equal(X_train, X[:8], "X_train")
    assert_tensor_equal(y_train, y[:8], "y_train (int64 labels)")
    assert_tensor_equal(X_test, X[8:], "X_test")
    assert_tensor_equal(y_test, y[8:], "y_test (int64 labels)")


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.2, 1.5])
def test_split_rejects_a_fraction_outside_zero_to_one(fraction):
    raises_keeping_contract(ValueError, train_test_split, *_samples(10), train_fraction=fraction)


def test_split_rejects_x_and_y_of_different_lengths():
    X, _ = _samples(12)
    _, y = _samples(7)
    message = str(raises_keeping_contract(ValueError, train_test_split, X, y))
    assert "12" in message and "7" in message, (
        f"the message should name both lengths, 12 and 7: {message!r}"
    )
