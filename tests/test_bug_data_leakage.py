"""The bug_data_leakage kata: what split_and_standardize in kata/bug_data_leakage.py must do.

The readings drift: the later rows, the test part, lie higher and spread wider than the
first ones, as a sensor's readings do over a year. Statistics taken over every row then
differ plainly from those of the training rows.
"""

import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from kata.bug_data_leakage import split_and_standardize
from tests.checks import assert_close_in_float64 as _close  # the name the tests use
from tests.checks import keeps_contract
from tests.strategies import grid_values


def _drifting_readings(n: int = 12, n_features: int = 3, seed: int = 0, dtype=torch.float64):
    """n days of n_features readings, each feature on its own scale, drifting up day by day."""
    generator = torch.Generator().manual_seed(seed)
    noise = torch.randn(n, n_features, generator=generator, dtype=torch.float64)
    day = torch.arange(n, dtype=torch.float64).unsqueeze(1)  # (n, 1)
    scale = torch.tensor([1.0, 50.0, 0.2, 4.0][:n_features], dtype=torch.float64)
    level = torch.tensor([20.0, 1000.0, -3.0, 0.0][:n_features], dtype=torch.float64)
    return (level + scale * (noise * (1 + day / n) + day)).to(dtype)


def _training_stats(X: torch.Tensor, n_train: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and population std of the first n_train rows, in float64, from the definitions."""
    train = X[:n_train].double()
    mean = train.sum(dim=0) / n_train
    return mean, (((train - mean) ** 2).sum(dim=0) / n_train).sqrt()


def test_the_statistics_are_those_of_the_training_rows_alone():
    X = _drifting_readings()
    _, _, mean, std = keeps_contract(split_and_standardize, X, 9)
    expected_mean, expected_std = _training_stats(X, 9)
    _close(
        mean,
        expected_mean,
        "the mean that came back, which should be that of the 9 training rows: the 3 test "
        "rows must take no part in it",
    )
    _close(std, expected_std, "the std that came back: the population std of the 9 training rows")


def test_the_training_rows_come_out_with_mean_zero_and_std_one():
    X = _drifting_readings()
    X_train, _, _, _ = split_and_standardize(X, 8)
    mean = X_train.mean(dim=0)
    std = X_train.std(dim=0, correction=0)
    _close(
        mean,
        torch.zeros(3),
        "the mean of each standardized training feature: statistics taken over every row "
        "leave the training rows off centre",
    )
    _close(std, torch.ones(3), "the population std of each standardized training feature")


def test_changing_only_the_test_rows_leaves_the_training_rows_as_they_were():
    X = _drifting_readings()
    changed = X.clone()
    changed[9:] = changed[9:] * 5 + 100  # the last three days only
    X_train, _, mean, std = split_and_standardize(X, 9)
    X_train_after, _, mean_after, std_after = split_and_standardize(changed, 9)
    for name, a, b in [
        ("X_train", X_train, X_train_after),
        ("mean", mean, mean_after),
        ("std", std, std_after),
    ]:
        assert torch.equal(a, b), (
            f"{name} changed when only the test rows did: the test rows leak into what the "
            f"model trains on.\nbefore: {a}\nafter:  {b}"
        )


@pytest.mark.parametrize("n_train", [6, 9, 11], ids=["half", "three-quarters", "all-but-one"])
def test_the_test_rows_are_standardized_with_the_training_statistics(n_train):
    X = _drifting_readings()
    _, X_test, _, _ = keeps_contract(split_and_standardize, X, n_train)
    mean, std = _training_stats(X, n_train)
    _close(
        X_test,
        (X[n_train:] - mean) / std,
        f"X_test, the last {12 - n_train} rows standardized with the mean and std of the "
        f"first {n_train}",
    )
    assert (X_test.mean(dim=0) > 0.5).all(), (
        f"the test rows drift above the training rows, so they should come out above 0 by "
        f"more than half a training std: their means are {X_test.mean(dim=0).tolist()}"
    )


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_the_parts_come_out_in_x_s_dtype_standardized_by_the_training_rows(dtype):
    X = _drifting_readings(n=10, dtype=dtype)
    parts = keeps_contract(split_and_standardize, X, 7, dtype=dtype)
    mean, std = _training_stats(X, 7)
    tolerance = {"rtol": 1e-5, "atol": 1e-5} if dtype == torch.float32 else {}
    _close(parts[0], (X[:7].double() - mean) / std, f"X_train, {dtype}", **tolerance)
    _close(parts[1], (X[7:].double() - mean) / std, f"X_test, {dtype}", **tolerance)
    assert parts[0].shape == (7, 3) and parts[1].shape == (3, 3)


@given(
    data=st.data(),
    n=st.integers(min_value=3, max_value=12),
    n_features=st.integers(min_value=1, max_value=3),
)
def test_any_split_ignores_its_test_rows_when_standardizing(data, n, n_features):
    n_train = data.draw(st.integers(min_value=2, max_value=n - 1), label="n_train")
    rows = st.lists(grid_values, min_size=n_features, max_size=n_features)
    X = torch.tensor(
        data.draw(st.lists(rows, min_size=n, max_size=n), label="X"), dtype=torch.float64
    )
    train = X[:n_train]
    assume(not (train.amax(dim=0) == train.amin(dim=0)).any())  # the caller never sends one
    X_train, X_test, mean, std = split_and_standardize(X, n_train)
    expected_mean, expected_std = _training_stats(X, n_train)
    where = f"of\n{X}\nsplit at {n_train}"
    _close(mean, expected_mean, f"the mean {where}")
    _close(std, expected_std, f"the std {where}")
    _close(X_train, (train - expected_mean) / expected_std, f"X_train {where}")
    _close(X_test, (X[n_train:] - expected_mean) / expected_std, f"X_test {where}")
