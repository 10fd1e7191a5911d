"""Kata: datasets.

A training loop wants its data in shuffled mini-batches, and a fair experiment wants
train and validation samples that never overlap. A Dataset says how to get sample i,
a DataLoader turns it into batches, and random_split cuts it in parts: all three
reproducible from a seed, without touching anyone else's random numbers.

Write the functions top to bottom; `make kata` tells you which one is next.
"""

import math
from collections.abc import Sequence

import torch
from torch.utils.data import DataLoader, Dataset, Subset, random_split


class PairDataset(Dataset):
    """Samples x_i with their targets y_i: a map-style Dataset over two tensors."""

    def __init__(self, X: torch.Tensor, y: torch.Tensor) -> None:
        """Keep X (N, *feature_shape) and y (N, *target_shape) for the other methods,
        as they are: no copy and no new dtype (int64 class labels stay int64, which
        nn.CrossEntropyLoss needs).

        Raises ValueError when X and y have different first dimensions, its message
        holding both lengths: a sample without a target (or the reverse) is a bug upstream.
        """
        if len(X) != len(y):
            raise ValueError(f"X has {len(X)} samples but y has {len(y)}: they must match")
        self.X, self.y = X, y

    def __len__(self) -> int:
        """The number of samples, N. DataLoader and random_split rely on it."""
        return len(self.X)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Sample `index` as a pair (x_i, y_i), shapes feature_shape and target_shape,
        dtypes those of X and y.

        The DataLoader's default collate stacks the pairs of a batch into
        [X_batch (B, *feature_shape), y_batch (B, *target_shape)].
        """
        return self.X[index], self.y[index]


def make_loader(
    dataset: Dataset, batch_size: int, shuffle: bool, seed: int, drop_last: bool = False
) -> DataLoader:
    """A DataLoader over `dataset` whose order depends on `seed` alone.

    It yields ceil(N / batch_size) batches, or floor(N / batch_size) with drop_last
    (the short last batch is dropped). With shuffle, every epoch visits each sample
    exactly once, in a new order; the same seed gives the same sequence of epochs.

    Give the loader a torch.Generator seeded with `seed`, even when shuffle is False:
    each iter(loader) draws a base seed from the loader's generator, or from the
    global torch RNG when it has none, so a loader without one changes the random
    numbers of everyone else, whether it shuffles or not.

    Helps: DataLoader(dataset, batch_size=..., shuffle=..., drop_last=..., generator=...),
    torch.Generator().manual_seed(seed).
    Raises ValueError when batch_size < 1.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(
        dataset, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, generator=generator
    )


def split_dataset(
    dataset: Dataset, lengths: Sequence[int] | Sequence[float], seed: int
) -> list[Subset]:
    """Cut `dataset` into disjoint random parts that together hold every sample once.

    `lengths` is either sample counts, when every length is an int, such as [80, 20],
    which must sum to len(dataset); or fractions, as soon as one is a float, such as
    [0.8, 0.2], which must sum to 1 up to float rounding, as random_split checks it
    (math.isclose: [0.7, 0.2, 0.1] sums to 0.9999999999999999 and is fine). random_split
    floors each fraction's part and hands the samples left over to the first parts,
    one each. The same seed gives the same parts, and the global RNG is left alone.

    Helps: torch.utils.data.random_split(dataset, lengths, generator=...).
    Raises ValueError for a negative length, its message holding that length
    (random_split does not check, and silently makes parts of the wrong size); for
    counts whose sum is not len(dataset), the message holding the sum and len(dataset);
    and for fractions whose sum is not 1, the message holding the sum.
    """
    if any(length < 0 for length in lengths):
        raise ValueError(f"lengths must not be negative, got {list(lengths)}")
    total = sum(lengths)
    if all(isinstance(length, int) for length in lengths):
        if total != len(dataset):
            raise ValueError(
                f"lengths {list(lengths)} sum to {total}, "
                f"but the dataset has {len(dataset)} samples"
            )
    elif not math.isclose(total, 1.0):
        raise ValueError(f"fractions {list(lengths)} sum to {total}, not 1")
    return random_split(dataset, lengths, generator=torch.Generator().manual_seed(seed))
