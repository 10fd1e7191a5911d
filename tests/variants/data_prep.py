"""Wrong and right ways to write kata/data_prep.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

ARANGE = "X = torch.arange(start, end, step, dtype=torch.float32).unsqueeze(1)"
SPLIT = "split = int(train_fraction * len(X))"
RETURN = "return X[:split], y[:split], X[split:], y[split:]"

BROKEN = [
    Variant(
        "make_linear_data forgets the feature dimension: shape (N,)",
        (ARANGE, "X = torch.arange(start, end, step, dtype=torch.float32)"),
    ),
    Variant(
        "make_linear_data adds the dimension in front: shape (1, N)",
        (ARANGE, "X = torch.arange(start, end, step, dtype=torch.float32).unsqueeze(0)"),
    ),
    Variant(
        "make_linear_data leaves the dtype to arange: int64 for whole numbers",
        (ARANGE, "X = torch.arange(start, end, step).unsqueeze(1)"),
    ),
    Variant(
        "make_linear_data includes the end point",
        (ARANGE, "X = torch.arange(start, end + step, step, dtype=torch.float32).unsqueeze(1)"),
    ),
    Variant(
        "make_linear_data counts in the default dtype: float64 under a float64 default",
        (ARANGE, "X = torch.arange(float(start), float(end), float(step)).unsqueeze(1)"),
    ),
    Variant(
        "make_linear_data adds step in a Python loop: one sample too many from 0 to 1 by 0.1",
        (
            ARANGE,
            "values, value = [], start\n"
            "    while value < end:\n"
            "        values.append(value)\n"
            "        value += step\n"
            "    X = torch.tensor(values, dtype=torch.float32).unsqueeze(1)",
        ),
    ),
    Variant(
        "make_linear_data swaps weight and bias",
        ("    y = weight * X + bias\n", "    y = bias * X + weight\n"),
    ),
    Variant(
        "make_linear_data with the notes' values swapped as defaults",
        (
            "weight: float = 0.7,\n    bias: float = 0.3,",
            "weight: float = 0.3,\n    bias: float = 0.7,",
        ),
    ),
    Variant(
        "make_linear_data lets a zero step through",
        ("if step <= 0:", "if step < 0:"),
    ),
    Variant(
        "make_linear_data lets end == start through",
        ("if end <= start:", "if end < start:"),
    ),
    Variant(
        "make_linear_data does not check end: an end before start raises torch's RuntimeError",
        ("if end <= start:", "if False:"),
    ),
    Variant(
        "train_test_split rounds the split index instead of truncating",
        (SPLIT, "split = round(train_fraction * len(X))"),
    ),
    Variant(
        "train_test_split rounds the split index up",
        (SPLIT, "split = math.ceil(train_fraction * len(X))"),
        ("import torch", "import math\n\nimport torch"),
    ),
    Variant(
        "train_test_split takes X[split]: one sample, not a slice",
        (RETURN, "return X[:split], y[:split], X[split], y[split]"),
    ),
    Variant(
        "train_test_split skips the sample at the split index",
        (RETURN, "return X[:split], y[:split], X[split + 1 :], y[split + 1 :]"),
    ),
    Variant(
        "train_test_split splits y one later than X",
        (RETURN, "return X[:split], y[: split + 1], X[split:], y[split + 1 :]"),
    ),
    Variant(
        "train_test_split shuffles",
        (
            RETURN,
            "order = torch.randperm(len(X))\n"
            "    X, y = X[order], y[order]\n"
            "    return X[:split], y[:split], X[split:], y[split:]",
        ),
    ),
    Variant(
        "train_test_split defaults to 75% for training",
        ("train_fraction: float = 0.8", "train_fraction: float = 0.75"),
    ),
    Variant(
        "train_test_split accepts a fraction of 0 or 1",
        ("if not 0 < train_fraction < 1:", "if not 0 <= train_fraction <= 1:"),
    ),
    Variant(
        "train_test_split does not check the lengths",
        ("if len(X) != len(y):", "if False:"),
    ),
    Variant(
        "train_test_split compares shapes, not lengths: refuses X (N, 1) with y (N,)",
        ("if len(X) != len(y):", "if X.shape != y.shape:"),
    ),
    Variant(
        "train_test_split turns the labels into floats",
        (RETURN, "return X[:split], y[:split].float(), X[split:], y[split:].float()"),
    ),
    Variant(
        "train_test_split's length error names neither length",
        (
            'f"X and y must have the same length, got {len(X)} and {len(y)}"',
            '"X and y must have the same length"',
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "make_linear_data with reshape(-1, 1) and an arange cast by .float()",
        (ARANGE, "X = torch.arange(start, end, step).float().reshape(-1, 1)"),
    ),
    Variant(
        "make_linear_data indexing with None and torch.full_like",
        (
            ARANGE,
            "X = torch.arange(start, end, step, dtype=torch.float32)[:, None]",
        ),
        ("    y = weight * X + bias\n", "    y = torch.full_like(X, bias) + X * weight\n"),
    ),
    Variant(
        "make_linear_data as start + step * arange(N), errors a ValueError subclass",
        append="""
        import math

        class RangeError(ValueError):
            pass

        def make_linear_data(weight=0.7, bias=0.3, start=0.0, end=1.0, step=0.02):
            if not step > 0:
                raise RangeError(f"step = {step}: it must be positive")
            if not end > start:
                raise RangeError(f"end = {end} is not after start = {start}")
            n = math.ceil((end - start) / step)
            X = (start + step * torch.arange(n, dtype=torch.float64)).float()[:, None]
            return X, X.mul(weight).add(bias).view(-1, 1)
        """,
    ),
    Variant(
        "train_test_split with Tensor.split",
        (
            RETURN,
            "X_train, X_test = X.split([split, len(X) - split])\n"
            "    y_train, y_test = y.split([split, len(y) - split])\n"
            "    return X_train, y_train, X_test, y_test",
        ),
    ),
    Variant(
        "train_test_split with torch.split on sizes, errors a ValueError subclass",
        append="""
        class SplitError(ValueError):
            pass

        def train_test_split(X, y, train_fraction=0.8):
            if train_fraction <= 0 or train_fraction >= 1:
                raise SplitError(f"{train_fraction} is not a fraction strictly between 0 and 1")
            n_x, n_y = X.shape[0], y.shape[0]
            if n_x != n_y:
                raise SplitError(f"{n_x} inputs but {n_y} targets")
            k = int(train_fraction * n_x)
            X_train, X_test = torch.split(X, [k, n_x - k])
            y_train, y_test = torch.split(y, [k, n_y - k])
            return X_train, y_train, X_test, y_test
        """,
    ),
    Variant(
        "train_test_split with math.floor and narrow, lengths checked first",
        append="""
        import math

        def train_test_split(X, y, train_fraction=0.8):
            if len(X) != len(y):
                raise ValueError(f"lengths differ: X has {len(X)}, y has {len(y)}")
            if train_fraction <= 0 or train_fraction >= 1:
                raise ValueError(f"train_fraction {train_fraction} is not in (0, 1)")
            n = len(X)
            split = math.floor(n * train_fraction)
            return X.narrow(0, 0, split), y.narrow(0, 0, split), X.narrow(0, split, n - split), y.narrow(0, split, n - split)
        """,
    ),
    Variant(
        "error messages in other words, no argument named",
        ('f"step must be > 0, got {step}"', 'f"a stride of {step} never gets anywhere"'),
        (
            'f"end must be greater than start, got start={start}, end={end}"',
            'f"the range {start}..{end} holds no point"',
        ),
        (
            'f"train_fraction must be between 0 and 1 (exclusive), got {train_fraction}"',
            'f"a share of {train_fraction} leaves one part empty"',
        ),
        (
            'f"X and y must have the same length, got {len(X)} and {len(y)}"',
            'f"{len(y)} targets for {len(X)} samples"',
        ),
    ),
]
