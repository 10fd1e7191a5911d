"""Wrong and right ways to write kata/fit.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

BROKEN = [
    Variant(
        "fit accepts zero epochs",
        ("if epochs < 1:", "if epochs < 0:"),
    ),
    Variant(
        "fit trains one epoch too few",
        ("for _ in range(epochs):", "for _ in range(epochs - 1):"),
    ),
    Variant(
        "fit validates on the training data",
        (
            "evaluate(model, loss_fn, _on_device(val_loader, device))",
            "evaluate(model, loss_fn, _on_device(train_loader, device))",
        ),
    ),
    Variant(
        "fit records the loss after the epoch instead of train_epoch's mean",
        (
            '        history["loss"].append(loss)',
            '        history["loss"].append(evaluate(model, loss_fn, _on_device(train_loader, device))[0])',
        ),
    ),
    Variant(
        "fit validates only after the last epoch",
        (
            "    for _ in range(epochs):\n",
            "    for epoch in range(epochs):\n",
        ),
        (
            "        if val_loader is not None:",
            "        if val_loader is not None and epoch == epochs - 1:",
        ),
    ),
    Variant(
        "fit leaves out val_loss without a val_loader",
        (
            "    return history",
            '    if val_loader is None:\n        del history["val_loss"]\n    return history',
        ),
    ),
    Variant(
        "fit keeps the accuracy as the validation loss",
        (
            "val_loss, _ = evaluate(",
            "_, val_loss = evaluate(",
        ),
    ),
    Variant(
        "fit trains on the validation data too",
        (
            '            history["val_loss"].append(val_loss)',
            '            history["val_loss"].append(val_loss)\n'
            "            train_epoch(model, loss_fn, optimizer, _on_device(val_loader, device))",
        ),
    ),
    Variant(
        "fit keeps history as tensors",
        (
            '        history["loss"].append(loss)',
            '        history["loss"].append(torch.tensor(loss))',
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "fit with the loop written out, no train_epoch or evaluate",
        append="""
        def fit(model, train_loader, loss_fn, optimizer, epochs, device, val_loader=None):
            if epochs < 1:
                raise ValueError(f"need at least one epoch, got epochs={epochs}")
            model = model.to(device)
            history = {"loss": [], "val_loss": []}
            for _ in range(epochs):
                model.train()
                total, count = 0.0, 0
                for X, y in train_loader:
                    X, y = X.to(device), y.to(device)
                    loss = loss_fn(model(X), y)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    total += loss.item() * len(X)
                    count += len(X)
                if count == 0:
                    raise ValueError("the train loader is empty")
                history["loss"].append(total / count)
                if val_loader is None:
                    continue
                model.eval()
                total, count = 0.0, 0
                with torch.no_grad():
                    for X, y in val_loader:
                        X, y = X.to(device), y.to(device)
                        total += loss_fn(model(X), y).item() * len(X)
                        count += len(X)
                model.train()
                history["val_loss"].append(total / count)
            return history
        """,
    ),
    Variant(
        "fit moving batches with a generator expression",
        (
            "train_epoch(model, loss_fn, optimizer, _on_device(train_loader, device))",
            "train_epoch(model, loss_fn, optimizer, ((X.to(device), y.to(device)) for X, y in train_loader))",
        ),
    ),
    Variant(
        "the epochs error in other words",
        ('f"epochs must be at least 1, got {epochs}"', 'f"cannot train for {epochs} epochs"'),
    ),
]
