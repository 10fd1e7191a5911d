"""Kata: bug_split_slice.

A pitfall kata: the code below is not missing, it is wrong. The split of the data_prep
kata, rewritten for samples with any number of features. Training goes fine and the
test loss looks excellent, but the test set plotted next to the training set is a
single point. Find the bug and fix it: the tests fail on it and pass on the fix.
"""

import torch


def split_samples(
    X: torch.Tensor, y: torch.Tensor, train_fraction: float = 0.8
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(X_train, y_train, X_test, y_test): the first train_fraction of the samples for
    training, the rest for testing, in their original order.

    X is (N, *features) and y is (N, *targets), with 0 < train_fraction < 1; either may
    have no dimension after the first, as class labels of shape (N,) have none. With
    split = int(train_fraction * N), X_train is (split, *features) and X_test is
    (N - split, *features); y the same. Every sample lands in exactly one of the two,
    and the parts keep X's and y's dtypes.

    What goes wrong: X_test has lost its sample dimension. For X of shape (50, 1) it
    has shape (1,), whatever N is, and the test loss is computed on one number.

    Helps: compare X[i] with X[i:] in the Python shell. What shape does each have?
    """
    split = int(train_fraction * len(X))
    return X[:split], y[:split], X[split], y[split]
