"""Wrong and right ways to write kata/bug_data_leakage.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

_SPLIT = "    train, test = X[:n_train], X[n_train:]\n"
_STATS = (
    "    mean, std = train.mean(dim=0), train.std(dim=0, correction=0)  # the training rows alone\n"
)
_RETURN = "    return (train - mean) / std, (test - mean) / std, mean, std\n"
_FIX = _SPLIT + _STATS + _RETURN

BROKEN = [
    Variant(
        "the stub's bug: statistics of every row, then the split",
        (
            _FIX,
            "    mean, std = X.mean(dim=0), X.std(dim=0, correction=0)\n"
            "    X = (X - mean) / std\n"
            "    return X[:n_train], X[n_train:], mean, std\n",
        ),
    ),
    Variant(
        "statistics of the test rows",
        (_STATS, _STATS.replace("train.mean(dim=0), train.std(", "test.mean(dim=0), test.std(")),
    ),
    Variant(
        "the mean of the training rows, the std of every row",
        (_STATS, "    mean, std = train.mean(dim=0), X.std(dim=0, correction=0)\n"),
    ),
    Variant(
        "the std of the training rows, the mean of every row",
        (_STATS, "    mean, std = X.mean(dim=0), train.std(dim=0, correction=0)\n"),
    ),
    Variant(
        "torch.std's default, the unbiased std",
        (_STATS, "    mean, std = train.mean(dim=0), train.std(dim=0)\n"),
    ),
    Variant(
        "each part standardized with statistics of its own",
        (
            _RETURN,
            "    t_mean, t_std = test.mean(dim=0), test.std(dim=0, correction=0)\n"
            "    return (train - mean) / std, (test - t_mean) / t_std, mean, std\n",
        ),
    ),
    Variant(
        "statistics of one row too many: the first test row leaks",
        (
            _STATS,
            "    seen = X[: n_train + 1]\n"
            "    mean, std = seen.mean(dim=0), seen.std(dim=0, correction=0)\n",
        ),
    ),
    Variant(
        "the test rows come back as they were, not standardized",
        (_RETURN, "    return (train - mean) / std, test, mean, std\n"),
    ),
    Variant(
        "standardizes in place, writing into the caller's X",
        (
            _RETURN,
            "    train.sub_(mean).div_(std)\n"
            "    test.sub_(mean).div_(std)\n"
            "    return train, test, mean, std\n",
        ),
    ),
    Variant(
        "returns the statistics of every row, standardizes with the training rows'",
        (
            _RETURN,
            _RETURN.replace(", mean, std\n", ", X.mean(dim=0), X.std(dim=0, correction=0)\n"),
        ),
    ),
    Variant(
        "statistics of the training rows in float32, whatever X is",
        (
            _STATS,
            "    mean, std = train.float().mean(dim=0), train.float().std(dim=0, correction=0)\n",
        ),
    ),
    Variant(
        "min-max scaling over the training rows instead of standardizing",
        (
            _STATS,
            "    mean, std = train.amin(dim=0), train.amax(dim=0) - train.amin(dim=0)\n",
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "torch.std_mean over the training rows",
        (_STATS, "    std, mean = torch.std_mean(train, dim=0, correction=0)\n"),
    ),
    Variant(
        "the root of the biased variance, unbiased=False",
        (
            _STATS,
            "    mean = train.mean(dim=0)\n    std = train.var(dim=0, unbiased=False).sqrt()\n",
        ),
    ),
    Variant(
        "standardizes every row with the training statistics, then splits",
        (
            _RETURN,
            "    Z = (X - mean) / std\n    return Z[:n_train], Z[n_train:], mean, std\n",
        ),
    ),
    Variant(
        "torch.split, and the statistics from sums",
        (
            _SPLIT,
            "    train, test = torch.split(X, [n_train, len(X) - n_train])\n",
        ),
        (
            _STATS,
            "    mean = train.sum(dim=0) / n_train\n"
            "    std = ((train - mean) ** 2).sum(dim=0).div(n_train).sqrt()\n",
        ),
    ),
    Variant(
        "the unbiased std rescaled by sqrt((n - 1) / n)",
        (
            _STATS,
            "    mean = train.mean(dim=0)\n"
            "    std = train.std(dim=0) * ((n_train - 1) / n_train) ** 0.5\n",
        ),
    ),
    Variant(
        "the statistics kept as (1, F) rows while standardizing, returned as (F,)",
        (
            _STATS + _RETURN,
            "    mean = train.mean(dim=0, keepdim=True)\n"
            "    std = train.std(dim=0, correction=0, keepdim=True)\n"
            "    return (train - mean) / std, (test - mean) / std, mean.squeeze(0), std.squeeze(0)\n",
        ),
    ),
]
