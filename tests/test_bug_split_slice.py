"""The bug_split_slice kata: what split_samples in kata/bug_split_slice.py must do."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from kata.bug_split_slice import split_samples
from tests.checks import assert_tensor_equal, keeps_contract

sample_counts = st.integers(min_value=2, max_value=60)
feature_counts = st.integers(min_value=1, max_value=4)
train_fractions = st.floats(min_value=0.05, max_value=0.95)


def _numbered_samples(n: int, features: int) -> tuple[torch.Tensor, torch.Tensor]:
    """X[i] holds i, i + 0.1, ... so every row can be told apart; y[i] = 10 * i."""
    rows = torch.arange(n, dtype=torch.float32).unsqueeze(1)
    X = rows + 0.1 * torch.arange(features, dtype=torch.float32)
    return X, 10 * rows


def test_the_notes_data_splits_into_forty_and_ten_samples():
    X, y = _numbered_samples(50, 1)
    X_train, y_train, X_test, y_test = keeps_contract(split_samples, X, y)
    shapes = [tuple(t.shape) for t in (X_train, y_train, X_test, y_test)]
    assert shapes == [(40, 1), (40, 1), (10, 1), (10, 1)], (
        f"splitting 50 samples of shape (50, 1) 80/20 gave shapes {shapes}, expected "
        "[(40, 1), (40, 1), (10, 1), (10, 1)]: the test set should be the last 10 rows. "
        "Which indexing keeps the sample dimension?"
    )


@given(n=sample_counts, features=feature_counts, train_fraction=train_fractions)
def test_test_set_keeps_the_sample_dimension(n, features, train_fraction):
    X, y = _numbered_samples(n, features)
    _, _, X_test, y_test = split_samples(X, y, train_fraction)
    split = int(train_fraction * n)
    assert tuple(X_test.shape) == (n - split, features), (
        f"X of shape {tuple(X.shape)} split at index {split} gave X_test of shape "
        f"{tuple(X_test.shape)}, expected {(n - split, features)}: a test set is a batch "
        "of samples, so it keeps the first dimension even when it holds one sample."
    )
    assert tuple(y_test.shape) == (n - split, 1), (
        f"y_test has shape {tuple(y_test.shape)}, expected {(n - split, 1)}"
    )


@given(n=sample_counts, features=feature_counts, train_fraction=train_fractions)
def test_split_keeps_every_sample_exactly_once_in_order(n, features, train_fraction):
    X, y = _numbered_samples(n, features)
    X_train, y_train, X_test, y_test = split_samples(X, y, train_fraction)
    assert X_test.ndim == X.ndim, (
        f"X_test has {X_test.ndim} dimensions but X has {X.ndim}: X_test is "
        f"{X_test.tolist()}, which is the one row at the split index, not the rows after it"
    )
    torch.testing.assert_close(
        torch.cat([X_train, X_test]),
        X,
        msg=lambda m: f"X_train followed by X_test must be X, every row once, in order.\n{m}",
    )
    torch.testing.assert_close(
        torch.cat([y_train, y_test]),
        y,
        msg=lambda m: f"y_train followed by y_test must be y, in the same order as X.\n{m}",
    )


@pytest.mark.parametrize(
    "feature_shape",
    [(), (3,), (2, 3)],
    ids=["1-d-X", "three-features", "2x3-images"],
)
def test_split_works_for_any_feature_shape_and_class_labels(feature_shape):
    n, split = 10, 8  # 80/20
    X = torch.arange(n * torch.Size(feature_shape).numel(), dtype=torch.float32)
    X = X.reshape(n, *feature_shape)
    y = torch.arange(n) % 3  # int64 class labels, shape (N,)
    X_train, y_train, X_test, y_test = keeps_contract(split_samples, X, y, 0.8)
    assert_tensor_equal(X_train, X[:split], f"X_train of X with shape {tuple(X.shape)}")
    assert_tensor_equal(y_train, y[:split], "y_train (int64 labels of shape (N,))")
    assert_tensor_equal(X_test, X[split:], f"X_test of X with shape {tuple(X.shape)}")
    assert_tensor_equal(y_test, y[split:], "y_test (int64 labels of shape (N,))")
