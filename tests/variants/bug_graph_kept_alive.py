"""Wrong and right ways to write kata/bug_graph_kept_alive.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

_SUM = "        total += loss.item() * len(X)  # a float: `total += loss` would chain every graph to it\n"

BROKEN = [
    Variant("the stub's bug: sums loss tensors", (_SUM, "        total += loss * len(X)\n")),
    Variant(
        "sums loss tensors and calls .item() only at the end",
        (_SUM, "        total += loss * len(X)\n"),
        ("    return total / count", "    return (total / count).item()"),
    ),
    Variant(
        "keeps the loss tensors in a list and averages them at the end",
        append="""
        def train_epoch(model, loss_fn, optimizer, loader):
            losses, sizes = [], []
            for X, y in loader:
                model.train()
                loss = loss_fn(model(X), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss)
                sizes.append(len(X))
            weighted = sum(l * n for l, n in zip(losses, sizes))
            return weighted.item() / sum(sizes)
        """,
    ),
    Variant(
        "keeps every batch's predictions, with their graphs, to look at after the epoch",
        ("    total, count = 0.0, 0\n", "    total, count = 0.0, 0\n    outputs = []\n"),
        (
            "        loss = loss_fn(model(X), y)\n",
            "        out = model(X)\n        outputs.append(out)\n        loss = loss_fn(out, y)\n",
        ),
    ),
    Variant(
        "detaches each loss but returns a tensor",
        (_SUM, "        total += loss.detach() * len(X)\n"),
    ),
    Variant(
        "an unweighted mean of the batch losses",
        (_SUM, "        total += loss.item()\n"),
        ("        count += len(X)\n", "        count += 1\n"),
    ),
    Variant(
        "divides the weighted sum by the number of batches",
        ("        count += len(X)\n", "        count += 1\n"),
    ),
    Variant("forgets model.train()", ("        model.train()\n", "")),
    Variant("forgets zero_grad: gradients pile up", ("        optimizer.zero_grad()\n", "")),
    Variant(
        "calls loss_fn(y, model(X)): arguments swapped",
        ("        loss = loss_fn(model(X), y)", "        loss = loss_fn(y, model(X))"),
    ),
    Variant(
        "takes each loss after its step",
        (
            _SUM,
            "        with torch.no_grad():\n"
            "            total += loss_fn(model(X), y).item() * len(X)\n",
        ),
    ),
    Variant(
        "a running loss for a progress line every 3 batches, summed as tensors",
        append="""
        def train_epoch(model, loss_fn, optimizer, loader):
            total, count, running, progress = 0.0, 0, 0.0, []
            for i, (X, y) in enumerate(loader):
                model.train()
                loss = loss_fn(model(X), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item() * len(X)
                count += len(X)
                running += loss
                if i % 3 == 2:
                    progress.append(f"batch {i + 1}: {running.item() / 3:.4f}")
                    running = 0.0
            return total / count
        """,
    ),
]

ALTERNATIVES = [
    Variant(
        "sums detached tensors and calls .item() at the end",
        (_SUM, "        total += loss.detach() * len(X)\n"),
        ("    return total / count", "    return (total / count).item()"),
    ),
    Variant(
        "sums under torch.no_grad() and calls .item() at the end",
        (_SUM, "        with torch.no_grad():\n            total += loss * len(X)\n"),
        ("    return total / count", "    return (total / count).item()"),
    ),
    Variant(
        "keeps a list of floats and the batch sizes, averaged with numpy",
        append="""
        def train_epoch(model, loss_fn, optimizer, loader):
            import numpy as np

            losses, sizes = [], []
            for X, y in loader:
                model.train()
                optimizer.zero_grad()
                loss = loss_fn(model(X), y)
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
                sizes.append(len(X))
            return np.average(losses, weights=sizes)
        """,
    ),
    Variant(
        "float() of the detached loss, and del loss after the step",
        (
            _SUM,
            "        total += float(loss.detach()) * len(X)\n        del loss\n",
        ),
    ),
    Variant(
        "model.train() once before the loop, zero_grad first",
        (
            "    for X, y in loader:\n        model.train()\n",
            "    model.train()\n    for X, y in loader:\n",
        ),
        ("        optimizer.zero_grad()\n", ""),
        (
            "        loss = loss_fn(model(X), y)\n",
            "        optimizer.zero_grad()\n        loss = loss_fn(model(X), y)\n",
        ),
    ),
]
