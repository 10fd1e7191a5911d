"""Wrong and right ways to write kata/bug_split_slice.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

SPLIT = "    split = int(train_fraction * len(X))\n    return"
RETURN = "return X[:split], y[:split], X[split:], y[split:]"

BROKEN = [
    Variant(
        "left as the stub: X[split] is one sample",
        (RETURN, "return X[:split], y[:split], X[split], y[split]"),
    ),
    Variant(
        "only X fixed: y_test is still y[split]",
        (RETURN, "return X[:split], y[:split], X[split:], y[split]"),
    ),
    Variant(
        "test set starts one after the split: a sample is lost",
        (RETURN, "return X[:split], y[:split], X[split + 1 :], y[split + 1 :]"),
    ),
    Variant(
        "test set starts one before the split: a sample is in both",
        (RETURN, "return X[:split], y[:split], X[split - 1 :], y[split - 1 :]"),
    ),
    Variant(
        "the lost dimension put back with unsqueeze(0): still one sample",
        (RETURN, "return X[:split], y[:split], X[split].unsqueeze(0), y[split].unsqueeze(0)"),
    ),
    Variant(
        "the split index counts elements, not samples: right only for one feature",
        (SPLIT, "    split = int(train_fraction * X.numel())\n    return"),
    ),
    Variant(
        "slices written as X[split:, :]: refuses labels of shape (N,)",
        (RETURN, "return X[:split, :], y[:split, :], X[split:, :], y[split:, :]"),
    ),
    Variant(
        "shuffles with torch.randperm before splitting",
        (
            SPLIT,
            "    order = torch.randperm(len(X))\n    X, y = X[order], y[order]\n" + SPLIT,
        ),
    ),
    Variant(
        "the split index rounded to the nearest",
        (SPLIT, "    split = round(train_fraction * len(X))\n    return"),
    ),
    Variant(
        "the default fraction is 0.75",
        ("train_fraction: float = 0.8", "train_fraction: float = 0.75"),
    ),
    Variant(
        "slices the feature dimension instead of the samples",
        (RETURN, "return X[:, :split], y[:, :split], X[:, split:], y[:, split:]"),
    ),
    Variant(
        "test set from the end, counted as the training size",
        (RETURN, "return X[:split], y[:split], X[-split:], y[-split:]"),
    ),
]

ALTERNATIVES = [
    Variant(
        "with torch.tensor_split",
        (
            RETURN,
            "X_train, X_test = torch.tensor_split(X, [split])\n"
            "    y_train, y_test = torch.tensor_split(y, [split])\n"
            "    return X_train, y_train, X_test, y_test",
        ),
    ),
    Variant(
        "test set counted from the end",
        (
            RETURN,
            "n_test = len(X) - split\n    return X[:split], y[:split], X[-n_test:], y[-n_test:]",
        ),
    ),
    Variant(
        "with narrow",
        (
            RETURN,
            "rest = len(X) - split\n"
            "    return X.narrow(0, 0, split), y.narrow(0, 0, split), "
            "X.narrow(0, split, rest), y.narrow(0, split, rest)",
        ),
    ),
    Variant(
        "with torch.split and the two sizes",
        (
            RETURN,
            "rest = len(X) - split\n"
            "    X_train, X_test = torch.split(X, [split, rest])\n"
            "    y_train, y_test = torch.split(y, [split, rest])\n"
            "    return X_train, y_train, X_test, y_test",
        ),
    ),
    Variant(
        "slices with an Ellipsis",
        (RETURN, "return X[:split, ...], y[:split, ...], X[split:, ...], y[split:, ...]"),
    ),
]
