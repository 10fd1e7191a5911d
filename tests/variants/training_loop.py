"""Wrong and right ways to write kata/training_loop.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

BROKEN = [
    Variant("train_step without zero_grad: gradients pile up", ("    optimizer.zero_grad()\n", "")),
    Variant(
        "train_step clears the gradients after backward",
        (
            "    optimizer.zero_grad()\n    loss.backward()\n",
            "    loss.backward()\n    optimizer.zero_grad()\n",
        ),
    ),
    Variant(
        "train_step clears the gradients after step(): what earlier code left in .grad leaks in",
        ("    optimizer.zero_grad()\n", ""),
        ("    optimizer.step()\n", "    optimizer.step()\n    optimizer.zero_grad()\n"),
    ),
    Variant(
        "train_step calls loss_fn(y, model(X)): arguments swapped, hidden by MSELoss",
        ("    loss = loss_fn(model(X), y)", "    loss = loss_fn(y, model(X))"),
    ),
    Variant("train_step forgets model.train()", ("    model.train()\n", "")),
    Variant(
        "train_step returns the loss tensor, not a float",
        ("    return loss.item()", "    return loss.detach()"),
    ),
    Variant(
        "train_step returns the loss after the step",
        (
            "    return loss.item()",
            "    with torch.no_grad():\n        return loss_fn(model(X), y).item()",
        ),
    ),
    Variant(
        "train_step steps twice",
        ("    optimizer.step()\n", "    optimizer.step()\n    optimizer.step()\n"),
    ),
    Variant(
        "train_epoch: unweighted mean of the batch losses",
        (
            "        total += train_step(model, loss_fn, optimizer, X, y) * len(X)\n        count += len(X)",
            "        total += train_step(model, loss_fn, optimizer, X, y)\n        count += 1",
        ),
    ),
    Variant(
        "train_epoch divides the weighted sum by the number of batches",
        ("        count += len(X)", "        count += 1"),
    ),
    Variant(
        "train_epoch returns the sum, not the mean",
        ("    return total / count", "    return total"),
    ),
    Variant(
        "train_epoch returns the last batch's loss",
        (
            "    total, count = 0.0, 0\n    for X, y in loader:\n",
            "    total, count = 0.0, 0\n    last = None\n    for X, y in loader:\n",
        ),
        ("    return total / count", "    return last"),
        (
            "        total += train_step(model, loss_fn, optimizer, X, y) * len(X)\n",
            "        last = train_step(model, loss_fn, optimizer, X, y)\n        total += last * len(X)\n",
        ),
    ),
    Variant(
        "train_epoch checks for an empty loader with len(loader), which a generator lacks",
        (
            "    total, count = 0.0, 0\n",
            "    if len(loader) == 0:\n"
            '        raise ValueError("empty loader")\n'
            "    total, count = 0.0, 0\n",
        ),
    ),
    Variant(
        "train_epoch forgets the empty-loader check: ZeroDivisionError",
        (
            '    if count == 0:\n        raise ValueError("train_epoch got an empty loader: it yielded no batch to train on")\n',
            "",
        ),
    ),
    Variant(
        "train_epoch returns 0.0 on an empty loader",
        (
            'raise ValueError("train_epoch got an empty loader: it yielded no batch to train on")',
            "return 0.0",
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "train_step clears the gradients before the forward pass",
        (
            "    model.train()\n    loss = loss_fn(model(X), y)\n    optimizer.zero_grad()\n",
            "    optimizer.zero_grad()\n    model.train()\n    loss = loss_fn(model(X), y)\n",
        ),
    ),
    Variant(
        "train_step zeroes the gradients in place with model.zero_grad(set_to_none=False)",
        ("    optimizer.zero_grad()\n", "    model.zero_grad(set_to_none=False)\n"),
    ),
    Variant(
        "train_step returns float(loss.detach())",
        ("    return loss.item()", "    return float(loss.detach())"),
    ),
    Variant(
        "train_epoch collects losses and sizes, then takes a weighted mean with torch",
        append="""
        def train_epoch(model, loss_fn, optimizer, loader):
            losses, sizes = [], []
            for X, y in loader:
                losses.append(train_step(model, loss_fn, optimizer, X, y))
                sizes.append(len(X))
            if not sizes:
                raise ValueError("empty loader: no batch to train on")
            weights = torch.tensor(sizes, dtype=torch.float64)
            return float((torch.tensor(losses, dtype=torch.float64) * weights).sum() / weights.sum())
        """,
    ),
    Variant(
        "train_step clears every .grad of the optimizer by hand, first of all",
        append="""
        def train_step(model, loss_fn, optimizer, X, y):
            model.train(True)
            for group in optimizer.param_groups:
                for p in group["params"]:
                    p.grad = None
            output = model(X)
            loss = loss_fn(output, y)
            loss.backward()
            optimizer.step()
            return float(loss.detach())
        """,
    ),
    Variant(
        "train_epoch takes a weighted mean with numpy, a float64",
        append="""
        import numpy as np

        def train_epoch(model, loss_fn, optimizer, loader):
            losses, sizes = [], []
            for batch in loader:
                X, y = batch
                losses.append(train_step(model, loss_fn, optimizer, X, y))
                sizes.append(X.shape[0])
            if len(losses) == 0:
                raise ValueError("cannot average the loss of an epoch with no batches")
            return np.average(np.asarray(losses), weights=np.asarray(sizes, dtype=np.float64))
        """,
    ),
    Variant(
        "train_epoch as a running weighted mean",
        append="""
        def train_epoch(model, loss_fn, optimizer, loader):
            mean, seen = 0.0, 0
            for X, y in loader:
                n = len(X)
                loss = train_step(model, loss_fn, optimizer, X, y)
                seen += n
                mean += (loss - mean) * n / seen
            if seen == 0:
                raise ValueError("loader is empty: no batch to train on")
            return mean
        """,
    ),
    Variant(
        "the empty-loader error in other words",
        (
            '"train_epoch got an empty loader: it yielded no batch to train on"',
            '"no batch to train on"',
        ),
    ),
]
