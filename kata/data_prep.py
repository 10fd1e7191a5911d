"""Kata: data_prep.

Before fitting a straight line we need points that lie on one, and we need to hide
some of them: a model is judged on data it never trained on. Here you make the
notes' linear data, y = 0.7 X + 0.3, in the (samples, features) shape a model
expects, and split it 80/20 into a training set and a test set.

Write the functions top to bottom; `make kata` tells you which one is next.
"""

import torch


def make_linear_data(
    weight: float = 0.7,
    bias: float = 0.3,
    start: float = 0.0,
    end: float = 1.0,
    step: float = 0.02,
) -> tuple[torch.Tensor, torch.Tensor]:
    """X and y = weight * X + bias, both float32 of shape (N, 1).

    X holds start, start + step, ... up to but not including end, as torch.arange
    counts them; the defaults give the notes' 50 samples 0.00, 0.02, ..., 0.98.
    The count must be arange's (a loop adding step may round its way to one more);
    the values need only be start + i * step up to float32 rounding, not bit for bit.
    float32 whatever the default dtype is, also under torch.set_default_dtype(float64).
    arange gives shape (N,): a model wants (N, 1), one row per sample and one column
    per feature, so add the feature dimension. Ask arange for float32 explicitly:
    torch.arange(0, 5, 1) counts in int64.

    Raises ValueError when step <= 0 or end <= start.

    Helps: torch.arange(start, end, step, dtype=torch.float32), .unsqueeze(1).
    """
    # TODO: your code here
    raise NotImplementedError("make_linear_data")


def train_test_split(
    X: torch.Tensor, y: torch.Tensor, train_fraction: float = 0.8
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(X_train, y_train, X_test, y_test): the first train_fraction of the samples for
    training, the rest for testing, in their original order.

    With N samples the split index is int(train_fraction * N): X[:split] trains and
    X[split:] tests. Beware of X[split] (no colon), as some notes have it: that is
    the one sample at index split, shape (1,) for X of shape (N, 1), not a test set.
    X and y are split at the same index so each y stays with its X.

    The notes keep the order, so the test points lie to the right of the training
    points and the model must extend the line. Real data is usually shuffled first
    (torch.utils.data.random_split does both).

    Raises ValueError when train_fraction is not strictly between 0 and 1, and when
    X and y have different lengths (naming both). Only the lengths must agree:
    X (N, 1) or (N, 3) with y (N,) is fine. The parts keep X's and y's dtypes.

    Helps: len(X), int(...), slicing.
    """
    # TODO: your code here
    raise NotImplementedError("train_test_split")
