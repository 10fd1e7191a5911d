"""Wrong and right ways to write kata/performance.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

STEP = (
    "    model.train()\n"
    "    loss = loss_fn(model(X), y)\n"
    "    optimizer.zero_grad()\n"
    "    loss.backward()\n"
    "    optimizer.step()\n"
    "    return loss.detach()"
)
EPOCH_ADD = (
    "        total += batched_train_step(model, loss_fn, optimizer, X, y) * len(X)  # a tensor\n"
)
FLOPS = "    return 6 * batch_size * weights - 2 * batch_size * first"

BROKEN = [
    Variant(
        "batched_train_step returns the loss with its graph",
        ("    return loss.detach()", "    return loss"),
    ),
    Variant(
        "batched_train_step returns loss.item()",
        ("    return loss.detach()", "    return loss.item()"),
    ),
    Variant(
        "batched_train_step without zero_grad",
        (
            "    optimizer.zero_grad()\n    loss.backward()\n    optimizer.step()\n    return loss.detach()",
            "    loss.backward()\n    optimizer.step()\n    return loss.detach()",
        ),
    ),
    Variant(
        "batched_train_step without model.train()",
        (STEP, STEP.replace("    model.train()\n", "")),
    ),
    Variant(
        "batched_train_step divides the mean loss by len(X) once more, as the per-sample loop does",
        ("    loss = loss_fn(model(X), y)\n", "    loss = loss_fn(model(X), y) / len(X)\n"),
    ),
    Variant(
        "batched_train_step calls loss_fn(y, model(X))",
        ("    loss = loss_fn(model(X), y)\n", "    loss = loss_fn(y, model(X))\n"),
    ),
    Variant(
        "batched_train_step puts the model in training mode before it checks the batch",
        (
            "    if len(X) == 0 or len(X) != len(y):\n",
            "    model.train()\n    if len(X) == 0 or len(X) != len(y):\n",
        ),
    ),
    Variant(
        "batched_train_step still loops over the samples",
        (STEP, "    return torch.tensor(_per_sample_train_step(model, loss_fn, optimizer, X, y))"),
    ),
    Variant(
        "batched_train_step returns the loss after the step",
        (
            "    return loss.detach()",
            "    with torch.no_grad():\n        return loss_fn(model(X), y)",
        ),
    ),
    Variant(
        "batched_train_step lets an empty batch through",
        ("    if len(X) == 0 or len(X) != len(y):\n", "    if len(X) != len(y):\n"),
    ),
    Variant(
        "batched_train_step accepts targets of another length",
        ("    if len(X) == 0 or len(X) != len(y):\n", "    if len(X) == 0:\n"),
    ),
    Variant(
        "train_epoch_without_sync reads every batch's loss",
        (
            EPOCH_ADD,
            "        total += batched_train_step(model, loss_fn, optimizer, X, y).item() * len(X)\n",
        ),
    ),
    Variant(
        "train_epoch_without_sync averages the batch losses unweighted",
        (
            EPOCH_ADD + "        count += len(X)\n",
            "        total += batched_train_step(model, loss_fn, optimizer, X, y)\n        count += 1\n",
        ),
    ),
    Variant(
        "train_epoch_without_sync divides by len(loader.dataset)",
        append="""
        def train_epoch_without_sync(model, loss_fn, optimizer, loader):
            total = torch.zeros(())
            for X, y in loader:
                total = total + batched_train_step(model, loss_fn, optimizer, X, y) * len(X)
            n = len(loader.dataset)
            if n == 0:
                raise ValueError("the loader yielded no batch")
            return (total / n).item()
        """,
    ),
    Variant(
        "train_epoch_without_sync returns a tensor",
        ("    return (total / count).item()", "    return total / count"),
    ),
    Variant(
        "train_epoch_without_sync divides by zero on an empty loader",
        (
            '    if count == 0:\n        raise ValueError("train_epoch_without_sync got an empty loader',
            '    if count < 0:\n        raise ValueError("train_epoch_without_sync got an empty loader',
        ),
    ),
    Variant(
        "linear_step_flops counts the first layer's input gradient too",
        (FLOPS, "    return 6 * batch_size * weights"),
    ),
    Variant(
        "linear_step_flops counts the forward pass only",
        (FLOPS, "    return 2 * batch_size * weights"),
    ),
    Variant(
        "linear_step_flops skips the last layer's input gradient instead of the first's",
        (
            "    first = linears[0].in_features * linears[0].out_features",
            "    first = linears[-1].in_features * linears[-1].out_features",
        ),
    ),
    Variant(
        "linear_step_flops counts multiply-adds, not FLOPs",
        (FLOPS, "    return 3 * batch_size * weights - batch_size * first"),
    ),
    Variant(
        "linear_step_flops counts the biases as weights",
        (
            "    weights = sum(m.in_features * m.out_features for m in linears)",
            "    weights = sum(m.in_features * m.out_features + m.out_features for m in linears)",
        ),
    ),
    Variant(
        "linear_step_flops accepts batch_size 0",
        (
            '    if batch_size < 1:\n        raise ValueError(f"batch_size must be >= 1',
            '    if batch_size < 0:\n        raise ValueError(f"batch_size must be >= 1',
        ),
    ),
    Variant(
        "linear_step_flops returns 0 for a model without Linear layers",
        (
            "    if not linears:\n        raise ValueError",
            "    if not linears:\n        return 0\n        raise ValueError",
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "batched_train_step zeroes the gradients first, with set_to_none=False",
        (
            STEP,
            "    optimizer.zero_grad(set_to_none=False)\n"
            "    model.train()\n"
            "    loss = loss_fn(model(X), y)\n"
            "    loss.backward()\n"
            "    optimizer.step()\n"
            "    return loss.detach().clone()",
        ),
    ),
    Variant(
        "batched_train_step zeroes first, counts with shape[0], raises a ValueError subclass",
        append="""
        class BatchError(ValueError):
            pass

        def batched_train_step(model, loss_fn, optimizer, X, y):
            n_x, n_y = X.shape[0], y.shape[0]
            if n_x == 0:
                raise BatchError("cannot take a step on an empty batch")
            if n_x != n_y:
                raise BatchError(f"inputs and targets disagree: {n_x} vs {n_y}")
            model.train(True)
            optimizer.zero_grad()
            prediction = model(X)
            loss = loss_fn(prediction, y)
            loss.backward()
            optimizer.step()
            return loss.detach()
        """,
    ),
    Variant(
        "train_epoch_without_sync returns an np.float64, a float subclass",
        append="""
        import numpy as np

        def train_epoch_without_sync(model, loss_fn, optimizer, loader):
            weighted, count = [], 0
            for X, y in loader:
                step_loss = batched_train_step(model, loss_fn, optimizer, X, y)
                weighted.append(step_loss * X.shape[0])
                count += X.shape[0]
            if not weighted:
                raise ValueError("no batches: the mean loss of an empty epoch is undefined")
            return np.float64(torch.stack(weighted).sum().item() / count)
        """,
    ),
    Variant(
        "train_epoch_without_sync stacks the weighted losses and sums once",
        append="""
        def train_epoch_without_sync(model, loss_fn, optimizer, loader):
            weighted, count = [], 0
            for X, y in loader:
                weighted.append(batched_train_step(model, loss_fn, optimizer, X, y) * len(X))
                count += len(X)
            if not weighted:
                raise ValueError("the loader is empty: no batch to train on")
            return (torch.stack(weighted).sum() / count).item()
        """,
    ),
    Variant(
        "train_epoch_without_sync with an in-place tensor total",
        append="""
        def train_epoch_without_sync(model, loss_fn, optimizer, loader):
            total, count = None, 0
            for X, y in loader:
                loss = batched_train_step(model, loss_fn, optimizer, X, y)
                total = loss * len(X) if total is None else total.add_(loss, alpha=len(X))
                count += len(X)
            if total is None:
                raise ValueError("empty loader")
            return total.div(count).item()
        """,
    ),
    Variant(
        "linear_step_flops with a loop and a first-layer flag",
        append="""
        def linear_step_flops(model, batch_size):
            if batch_size < 1:
                raise ValueError(f"batch_size {batch_size} is below 1")
            flops, first = 0, True
            for module in model.modules():
                if isinstance(module, nn.Linear):
                    products = 2 if first else 3  # forward, weight grad (, input grad)
                    flops += products * 2 * batch_size * module.in_features * module.out_features
                    first = False
            if first:
                raise ValueError("the model holds no nn.Linear")
            return flops
        """,
    ),
    Variant(
        "error messages in other words",
        (
            'f"need a non-empty batch with one target per sample: got {len(X)} "\n'
            '            f"samples and {len(y)} targets"',
            'f"lengths {len(X)} and {len(y)}: a batch needs one target per sample, and some"',
        ),
        (
            '"train_epoch_without_sync got an empty loader: it yielded no batch"',
            '"no batch came out of the loader"',
        ),
        (
            'f"batch_size must be >= 1, got {batch_size}"',
            'f"cannot count FLOPs for {batch_size} samples"',
        ),
        (
            'f"no nn.Linear in {type(model).__name__}: nothing to count"',
            '"this model has no linear layer"',
        ),
    ),
]
