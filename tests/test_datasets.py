"""The datasets kata: what each function in kata/datasets.py must do.

The loader and split tests number their samples (sample i holds the value i), so a
batch or a part shows exactly which samples it holds.
"""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DataLoader, TensorDataset

from kata.datasets import PairDataset, make_loader, split_dataset
from tests.strategies import seeds

sample_counts = st.integers(min_value=1, max_value=20)
batch_sizes = st.integers(min_value=1, max_value=8)
part_lengths = st.lists(st.integers(min_value=0, max_value=8), min_size=1, max_size=4)
fractions = st.sampled_from([[0.8, 0.2], [0.5, 0.25, 0.25], [0.6, 0.3, 0.1], [1.0], [0.1] * 10])

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
    ds = PairDataset(torch.randn(7, 3), torch.arange(7))
    assert len(ds) == 7, f"len(PairDataset) of 7 rows gave {len(ds)}, expected 7"


def test_pair_dataset_item_is_the_matching_pair():
    X, y = torch.randn(5, 2, 3), torch.randn(5, 4)
    ds = PairDataset(X, y)
    for i in range(5):
        x_i, y_i = ds[i]
        assert torch.equal(x_i, X[i]) and torch.equal(y_i, y[i]), (
            f"PairDataset(X, y)[{i}] should be (X[{i}], y[{i}]), of shapes "
            f"{tuple(X[i].shape)} and {tuple(y[i].shape)}; got shapes "
            f"{tuple(x_i.shape)} and {tuple(y_i.shape)}"
        )


def test_pair_dataset_batches_through_a_dataloader():
    X, y = torch.randn(10, 3), torch.arange(10)
    batches = list(DataLoader(PairDataset(X, y), batch_size=4))
    xb, yb = batches[0]
    assert torch.equal(xb, X[:4]) and torch.equal(yb, y[:4]), (
        "the first batch of DataLoader(PairDataset(X, y), batch_size=4) should be "
        "X[:4] and y[:4]: does __getitem__ return the pair (x_i, y_i)?"
    )
    assert [len(b[0]) for b in batches] == [4, 4, 2]


def test_pair_dataset_rejects_x_and_y_of_different_lengths():
    with pytest.raises(ValueError, match="5") as raised:
        PairDataset(torch.zeros(5, 3), torch.zeros(4))
    assert "4" in str(raised.value), f"the message should name both lengths: {raised.value}"


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
    seen = _epoch(make_loader(_numbered(11), 4, shuffle=False, seed=0))
    assert seen == list(range(11)), f"with shuffle=False the order was {seen}, expected 0..10"


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
    with pytest.raises(ValueError):
        make_loader(_numbered(5), batch_size, shuffle=True, seed=0)


@given(lengths=part_lengths, seed=seeds)
def test_split_parts_have_the_asked_lengths(lengths, seed):
    parts = split_dataset(_numbered(sum(lengths)), lengths, seed)
    got = [len(part) for part in parts]
    assert got == lengths, f"split_dataset with lengths {lengths} gave parts of {got}"


@given(lengths=part_lengths, seed=seeds)
def test_split_parts_are_disjoint_and_hold_every_sample(lengths, seed):
    n = sum(lengths)
    held = [i for part in split_dataset(_numbered(n), lengths, seed) for i in _contents(part)]
    assert sorted(held) == list(range(n)), (
        f"the parts of a {n}-sample dataset split as {lengths} held samples {sorted(held)}: "
        "each sample should be in exactly one part"
    )


@given(n=st.integers(min_value=0, max_value=30), fractions=fractions, seed=seeds)
def test_split_by_fractions_gives_parts_within_one_of_their_share(n, fractions, seed):
    parts = split_dataset(_numbered(n), fractions, seed)
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
    with pytest.raises(ValueError):
        split_dataset(_numbered(10), [-1, 11], seed=0)


def test_split_rejects_lengths_that_do_not_add_up_to_the_dataset():
    with pytest.raises(ValueError, match="7") as raised:
        split_dataset(_numbered(10), [3, 4], seed=0)
    assert "10" in str(raised.value), (
        f"the message should name the sum of the lengths and the dataset's length: {raised.value}"
    )


def test_split_rejects_fractions_that_do_not_add_up_to_one():
    with pytest.raises(ValueError, match=r"0\.75"):
        split_dataset(_numbered(10), [0.5, 0.25], seed=0)
