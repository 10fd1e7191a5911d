"""The datasets kata: what each function in kata/datasets.py must do.

The loader and split tests number their samples (sample i holds the value i), so a
batch or a part shows exactly which samples it holds.
"""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DataLoader, Subset, TensorDataset

from kata.datasets import PairDataset, make_loader, split_dataset
from tests.checks import (
    assert_tensor_equal,
    holds_numbers,
    keeps_contract,
    raises_keeping_contract,
)
from tests.strategies import seeds

sample_counts = st.integers(min_value=1, max_value=20)
batch_sizes = st.integers(min_value=1, max_value=8)
part_lengths = st.lists(st.integers(min_value=0, max_value=8), min_size=1, max_size=4)
# [0.7, 0.2, 0.1] and [0.1] * 10 sum to 0.9999999999999999: 1, up to float rounding
fractions = st.sampled_from(
    [[0.8, 0.2], [0.5, 0.25, 0.25], [0.7, 0.2, 0.1], [0.6, 0.3, 0.1], [1.0], [0.1] * 10]
)

# n <= 20 and batch_size <= 8 make only 160 cases, and each builds a loader: 50 are plenty
loader_settings = settings(max_examples=min(50, settings.default.max_examples))

# random_split warns about every empty part; empty parts are fine here
pytestmark = pytest.mark.filterwarnings("ignore:Length of split at index")


def _numbered(n: int, feature_shape: tuple[int, ...] = ()) -> TensorDataset:
    """n samples: x_i of `feature_shape` filled with i, and target y_i = i."""
    ids = torch.arange(n)
    return TensorDataset(ids.reshape(n, *[1] * len(feature_shape)).expand(n, *feature_shape), ids)


def _epoch(loader: DataLoader) -> list[int]:
    """The sample numbers of one pass over the loader, in the order it gave them."""
    return [i for _, y in loader for i in y.tolist()]


def _contents(part) -> list[int]:
    return [part[i][1].item() for i in range(len(part))]


def test_pair_dataset_has_one_sample_per_row():
    ds = keeps_contract(PairDataset, torch.randn(7, 3), torch.arange(7))
    assert len(ds) == 7, f"len(PairDataset) of 7 rows gave {len(ds)}, expected 7"


@pytest.mark.parametrize(
    ("X", "y"),
    [
        (torch.linspace(-1, 1, 30).view(5, 2, 3), torch.tensor([2, 0, 3, 1, 0])),  # class labels
        (
            torch.linspace(0, 1, 15, dtype=torch.float64).view(5, 3),
            torch.linspace(2, 3, 20).view(5, 4),
        ),
        (torch.arange(5), torch.tensor([True, False, True, True, False])),
    ],
    ids=["float32-int64", "float64-float32", "int64-bool"],
)
def test_pair_dataset_item_is_the_matching_pair_in_its_own_dtype(X, y):
    ds = PairDataset(X, y)
    for i in range(5):
        x_i, y_i = keeps_contract(ds.__getitem__, i)
        assert_tensor_equal(x_i, X[i], f"PairDataset(X, y)[{i}][0], which should be X[{i}],")
        assert_tensor_equal(y_i, y[i], f"PairDataset(X, y)[{i}][1], which should be y[{i}],")


def test_pair_dataset_batches_through_a_dataloader():
    X, y = torch.randn(10, 3), torch.arange(10)
    batches = list(DataLoader(PairDataset(X, y), batch_size=4))
    xb, yb = batches[0]
    what = "the first batch of DataLoader(PairDataset(X, y), batch_size=4), {} of it,"
    assert_tensor_equal(xb, X[:4], what.format("X[:4]"))
    assert_tensor_equal(yb, y[:4], what.format("y[:4] (int64 class labels)"))
    assert [len(b[0]) for b in batches] == [4, 4, 2]


def test_pair_dataset_rejects_x_and_y_of_different_lengths():
    error = raises_keeping_contract(ValueError, PairDataset, torch.zeros(5, 3), torch.zeros(4))
    assert holds_numbers(str(error), 5, 4), (
        f"the message should hold both lengths, 5 and 4: {error}"
    )


@loader_settings
@given(n=sample_counts, batch_size=batch_sizes)
def test_loader_gives_ceil_n_over_batch_size_batches(n, batch_size):
    loader = make_loader(_numbered(n), batch_size, shuffle=True, seed=0)
    expected = math.ceil(n / batch_size)
    counted = sum(1 for _ in loader)
    assert len(loader) == counted == expected, (
        f"{n} samples in batches of {batch_size}: len(loader)={len(loader)}, "
        f"{counted} batches came out, expected ceil({n} / {batch_size}) = {expected}"
    )


@loader_settings
@given(n=sample_counts, batch_size=batch_sizes)
def test_loader_with_drop_last_gives_floor_n_over_batch_size_batches(n, batch_size):
    loader = make_loader(_numbered(n), batch_size, shuffle=True, seed=0, drop_last=True)
    expected = math.floor(n / batch_size)
    counted = sum(1 for _ in loader)
    assert len(loader) == counted == expected, (
        f"{n} samples in batches of {batch_size} with drop_last: len(loader)={len(loader)}, "
        f"{counted} batches came out, expected floor({n} / {batch_size}) = {expected}"
    )


@loader_settings
@given(n=sample_counts, batch_size=batch_sizes, drop_last=st.booleans())
def test_loader_batches_have_shape_batch_by_feature_shape(n, batch_size, drop_last):
    feature_shape = (2, 3)
    dataset = _numbered(n, feature_shape)
    loader = make_loader(dataset, batch_size, shuffle=True, seed=1, drop_last=drop_last)
    sizes = [batch_size] * (n // batch_size)
    if n % batch_size and not drop_last:
        sizes.append(n % batch_size)
    got = [(tuple(xb.shape), tuple(yb.shape)) for xb, yb in loader]
    expected = [((size, *feature_shape), (size,)) for size in sizes]
    assert got == expected, (
        f"{n} samples of shape {feature_shape}, batch_size={batch_size}, drop_last={drop_last}: "
        f"batch shapes were {got}, expected {expected}"
    )


@loader_settings
@given(n=sample_counts, batch_size=batch_sizes, seed=seeds)
def test_shuffled_loader_sees_every_sample_once_per_epoch(n, batch_size, seed):
    loader = make_loader(_numbered(n, (1,)), batch_size, shuffle=True, seed=seed)
    for epoch in range(2):
        seen = _epoch(loader)
        assert sorted(seen) == list(range(n)), (
            f"epoch {epoch} saw samples {seen}; each of the {n} samples should come once"
        )
    for xb, yb in loader:
        assert torch.equal(xb[:, 0], yb), "shuffling must keep each x with its own y"


def test_loader_without_shuffle_keeps_the_dataset_order():
    seen = _epoch(keeps_contract(make_loader, _numbered(11), 4, shuffle=False, seed=0))
    assert seen == list(range(11)), f"with shuffle=False the order was {seen}, expected 0..10"


def test_loader_batches_keep_the_dataset_s_dtypes():
    X, y = torch.randn(6, 2, dtype=torch.float64), torch.arange(6)
    xb, yb = next(iter(keeps_contract(make_loader, TensorDataset(X, y), 6, False, 0)))
    assert_tensor_equal(xb, X, "the batch of inputs")
    assert_tensor_equal(yb, y, "the batch of int64 labels")


def test_loader_takes_a_part_of_a_split_as_its_dataset():
    held = [27, 3, 14, 8, 21, 0, 9, 16, 5, 11]
    part = Subset(_numbered(30), held)  # what random_split returns
    loader = keeps_contract(make_loader, part, 4, shuffle=True, seed=1, drop_last=True)
    seen = _epoch(loader)
    assert len(seen) == len(set(seen)) == 8 and set(seen) <= set(held), (
        f"a loader over a 10-sample part of a split, batches of 4 with drop_last, gave "
        f"samples {seen}; expected 8 different ones of the part's {sorted(held)}"
    )


def test_shuffled_loader_changes_the_order_every_epoch():
    loader = make_loader(_numbered(40), 8, shuffle=True, seed=0)
    first, second = _epoch(loader), _epoch(loader)
    assert first != list(range(40)), "with shuffle=True the samples came out in dataset order"
    assert first != second, "each epoch should draw a new order from the loader's generator"


def test_loader_order_repeats_for_the_same_seed_and_differs_for_another():
    def two_epochs(seed: int) -> list[list[int]]:
        loader = make_loader(_numbered(40), 8, shuffle=True, seed=seed)
        return [_epoch(loader), _epoch(loader)]

    assert two_epochs(5) == two_epochs(5), (
        "two loaders with the same seed gave different orders: seed a torch.Generator "
        "and pass it to DataLoader(generator=...)"
    )
    assert two_epochs(5) != two_epochs(6), "different seeds gave the same order"


@pytest.mark.parametrize("shuffle", [True, False], ids=["shuffled", "in-order"])
def test_loader_leaves_the_global_random_state_alone(shuffle):
    before = torch.get_rng_state()
    loader = make_loader(_numbered(10), 3, shuffle=shuffle, seed=0)
    for _ in range(2):
        _epoch(loader)
    assert torch.equal(torch.get_rng_state(), before), (
        f"iterating the loader (shuffle={shuffle}) used the global RNG: every iter(loader) "
        "draws a seed from the loader's generator, or from the global RNG if it has none"
    )


@pytest.mark.parametrize("batch_size", [0, -3])
def test_make_loader_rejects_a_batch_size_below_one(batch_size):
    raises_keeping_contract(ValueError, make_loader, _numbered(5), batch_size, True, 0)


@given(lengths=part_lengths, seed=seeds)
def test_split_parts_have_the_asked_lengths(lengths, seed):
    parts = split_dataset(_numbered(sum(lengths)), lengths, seed)
    got = [len(part) for part in parts]
    assert got == lengths, f"split_dataset with lengths {lengths} gave parts of {got}"


@given(lengths=part_lengths, seed=seeds)
def test_split_parts_are_disjoint_and_hold_every_sample(lengths, seed):
    n = sum(lengths)
    parts = keeps_contract(split_dataset, _numbered(n), lengths, seed)
    held = [i for part in parts for i in _contents(part)]
    assert sorted(held) == list(range(n)), (
        f"the parts of a {n}-sample dataset split as {lengths} held samples {sorted(held)}: "
        "each sample should be in exactly one part"
    )


@given(n=st.integers(min_value=0, max_value=30), fractions=fractions, seed=seeds)
def test_split_by_fractions_gives_parts_within_one_of_their_share(n, fractions, seed):
    parts = keeps_contract(split_dataset, _numbered(n), fractions, seed)
    got = [len(part) for part in parts]
    assert sum(got) == n, f"splitting {n} samples by {fractions} gave parts of {got}"
    shares = [f * n for f in fractions]
    assert all(abs(size - share) <= 1 for size, share in zip(got, shares, strict=True)), (
        f"splitting {n} samples by {fractions} gave parts of {got}; their shares are {shares}"
    )


def test_split_repeats_for_the_same_seed_and_differs_for_another():
    def parts(seed: int) -> list[list[int]]:
        return [_contents(part) for part in split_dataset(_numbered(40), [30, 10], seed)]

    assert parts(2) == parts(2), (
        "the same seed gave different parts: pass random_split a generator seeded with it"
    )
    assert parts(2) != parts(3), "different seeds gave the same parts"


def test_split_leaves_the_global_random_state_alone():
    before = torch.get_rng_state()
    split_dataset(_numbered(20), [0.5, 0.5], seed=0)
    assert torch.equal(torch.get_rng_state(), before), (
        "split_dataset used the global RNG: random_split(..., generator=...) avoids it"
    )


def test_split_rejects_a_negative_length():
    error = raises_keeping_contract(ValueError, split_dataset, _numbered(10), [-2, 12], seed=0)
    assert holds_numbers(str(error), -2), f"the message should hold the negative length -2: {error}"


def test_split_rejects_lengths_that_do_not_add_up_to_the_dataset():
    error = raises_keeping_contract(ValueError, split_dataset, _numbered(10), [3, 4], seed=0)
    assert holds_numbers(str(error), 7, 10), (
        f"the message should hold the sum of the lengths, 7, and the dataset's length, 10: {error}"
    )


def test_split_rejects_fractions_that_do_not_add_up_to_one():
    error = raises_keeping_contract(ValueError, split_dataset, _numbered(10), [0.5, 0.25], 0)
    assert "0.75" in str(error), f"the message should hold the sum of the fractions, 0.75: {error}"


def test_split_takes_lengths_with_a_float_among_them_as_fractions():
    # [8.0, 2.0] are not 8 and 2 samples: one float makes them fractions, summing to 10
    error = raises_keeping_contract(ValueError, split_dataset, _numbered(10), [8.0, 2.0], 0)
    assert "10" in str(error), f"the message should hold the sum of the fractions, 10.0: {error}"
