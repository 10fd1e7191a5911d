"""Wrong and right ways to write kata/fit.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

# fit with its loop written out: the broken variants below change a line or two of it
_WRITTEN_OUT = """
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
"""

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
    Variant(
        "fit keeps evaluate's whole (loss, accuracy) pair as the validation loss",
        ("val_loss, _ = evaluate(", "val_loss = evaluate("),
    ),
    Variant(
        "fit moves the training batches with one generator made before the first epoch",
        (
            "    for _ in range(epochs):\n",
            "    train_batches = _on_device(train_loader, device)\n    for _ in range(epochs):\n",
        ),
        (
            "train_epoch(model, loss_fn, optimizer, _on_device(train_loader, device))",
            "train_epoch(model, loss_fn, optimizer, train_batches)",
        ),
    ),
    Variant(
        "fit validates before it trains, so val_loss is that of the weights before the epoch",
        (
            "        loss = train_epoch(model, loss_fn, optimizer, _on_device(train_loader, device))\n"
            '        history["loss"].append(loss)\n',
            "",
        ),
        (
            '            history["val_loss"].append(val_loss)\n',
            '            history["val_loss"].append(val_loss)\n'
            "        loss = train_epoch(model, loss_fn, optimizer, _on_device(train_loader, device))\n"
            '        history["loss"].append(loss)\n',
        ),
    ),
    Variant(
        "fit written out, the epoch's loss divided by len(train_loader.dataset)",
        append=_WRITTEN_OUT.replace(
            'history["loss"].append(total / count)',
            'history["loss"].append(total / len(train_loader.dataset))',
        ),
    ),
    Variant(
        "fit written out, validating in training mode: dropout on, batch norm statistics moving",
        append=_WRITTEN_OUT.replace("                model.eval()\n", ""),
    ),
    # Device placement: each is caught by the [standin] tests, on a machine without a GPU.
    Variant(
        "fit never moves the model; the batches are moved, so a GPU run mixes devices",
        ("    model.to(device)\n", ""),
    ),
    Variant(
        "fit moves the model to None (a no-op) instead of to the device",
        ("    model.to(device)\n", "    model.to(None)\n"),
    ),
    Variant(
        "fit does not move the validation batches to the device (only the training ones)",
        (
            "evaluate(model, loss_fn, _on_device(val_loader, device))",
            "evaluate(model, loss_fn, val_loader)",
        ),
    ),
    Variant(
        "fit moves the validation batches to None",
        ("_on_device(val_loader, device)", "_on_device(val_loader, None)"),
    ),
    Variant(
        "fit moves the training batches to None",
        ("_on_device(train_loader, device)", "_on_device(train_loader, None)"),
    ),
    Variant(
        "_on_device moves the targets but not the inputs",
        ("        yield X.to(device), y.to(device)", "        yield X.to(None), y.to(device)"),
    ),
    Variant(
        "_on_device moves the inputs but not the targets",
        ("        yield X.to(device), y.to(device)", "        yield X.to(device), y.to(None)"),
    ),
    Variant(
        "fit written out, X.to(device) on a line of its own: Tensor.to returns a new tensor",
        append=_WRITTEN_OUT.replace(
            "                    X, y = X.to(device), y.to(device)\n",
            "                    X.to(device)\n                    y.to(device)\n",
            1,
        ),
    ),
]

ALTERNATIVES = [
    Variant("fit with the loop written out, no train_epoch or evaluate", append=_WRITTEN_OUT),
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
    Variant(
        "fit with np.float64 values, evaluate's pair unpacked, the epochs error in other words",
        append="""
        import numpy as np


        def fit(model, train_loader, loss_fn, optimizer, epochs, device, val_loader=None):
            if not epochs >= 1:
                raise ValueError(f"need at least one epoch to train, got epochs={epochs!r}")
            model = model.to(device)
            losses, val_losses = [], []
            for epoch in range(epochs):
                losses.append(np.float64(train_epoch(model, loss_fn, optimizer, _on_device(train_loader, device))))
                if val_loader is None:
                    continue
                val_loss, _val_acc = evaluate(model, loss_fn, _on_device(val_loader, device))
                val_losses.append(np.float64(val_loss))
            return dict(loss=losses, val_loss=val_losses)
        """,
    ),
    Variant(
        "fit written out with train() per batch and a try/finally around validation",
        append="""
        def fit(model, train_loader, loss_fn, optimizer, epochs, device, val_loader=None):
            if epochs < 1:
                raise ValueError("epochs must be at least 1")
            model.to(device)
            history = {"loss": [], "val_loss": []}
            for _ in range(epochs):
                total, count = 0.0, 0
                for X, y in train_loader:
                    X, y = X.to(device), y.to(device)
                    model.train()
                    loss = loss_fn(model(X), y)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    total += loss.item() * len(X)
                    count += len(X)
                if count == 0:
                    raise ValueError("train_loader yielded no batch")
                history["loss"].append(total / count)
                if val_loader is not None:
                    was_training = model.training
                    model.eval()
                    try:
                        v_total, v_count = 0.0, 0
                        with torch.no_grad():
                            for X, y in val_loader:
                                X, y = X.to(device), y.to(device)
                                v_total += loss_fn(model(X), y).item() * len(X)
                                v_count += len(X)
                    finally:
                        model.train(was_training)
                    if v_count == 0:
                        raise ValueError("val_loader yielded no batch")
                    history["val_loss"].append(v_total / v_count)
            return history
        """,
    ),
    Variant(
        "fit counting epochs from 1, generator expressions for the batches, a ValueError subclass",
        append="""
        class EpochsError(ValueError):
            pass


        def fit(model, train_loader, loss_fn, optimizer, epochs, device, val_loader=None):
            if epochs <= 0:
                raise EpochsError(f"cannot fit for {epochs} epochs")
            model.to(device=device)
            history = {"loss": [], "val_loss": []}
            for epoch in range(1, epochs + 1):
                train_batches = ((X.to(device), y.to(device)) for X, y in train_loader)
                history["loss"].append(train_epoch(model, loss_fn, optimizer, train_batches))
                if val_loader is not None:
                    val_batches = ((X.to(device), y.to(device)) for X, y in val_loader)
                    loss, accuracy = evaluate(model, loss_fn, val_batches)
                    history["val_loss"] += [loss]
            return history
        """,
    ),
]
