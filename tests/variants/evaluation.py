"""Wrong and right ways to write kata/evaluation.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

_ACCURACY = "    return (logits.argmax(dim=1) == targets).float().mean().item()"
_RESTORE = (
    "        for module, training in modes.items():  # each back in its own mode, not the model's\n"
    "            module.training = training\n"
)
_LOOP = (
    "                total_loss += loss_fn(logits, y).item() * len(X)\n"
    "                if not y.is_floating_point():  # class indices: a classifier's accuracy\n"
    "                    total_correct += accuracy(logits, y) * len(X)\n"
)

BROKEN = [
    Variant(
        "accuracy takes the argmax of a softmax, which float32 can round to ties",
        (
            "    return (logits.argmax(dim=1) == targets).float().mean().item()",
            "    return (logits.softmax(dim=1).argmax(dim=1) == targets).float().mean().item()",
        ),
    ),
    Variant(
        "accuracy takes argmax over the batch (dim=0)",
        (_ACCURACY, "    return (logits.argmax(dim=0) == targets).float().mean().item()"),
    ),
    Variant(
        "accuracy compares the largest logit's value, not its index",
        (_ACCURACY, "    return (logits.max(dim=1).values == targets).float().mean().item()"),
    ),
    Variant(
        "accuracy returns a tensor",
        (_ACCURACY, "    return (logits.argmax(dim=1) == targets).float().mean()"),
    ),
    Variant(
        "accuracy returns the count of right rows",
        (_ACCURACY, "    return (logits.argmax(dim=1) == targets).sum().item()"),
    ),
    Variant(
        "accuracy with integer division",
        (_ACCURACY, "    return (logits.argmax(dim=1) == targets).sum().item() // len(targets)"),
    ),
    Variant(
        "accuracy skips the length check",
        (
            '    if len(logits) != len(targets):\n        raise ValueError(f"logits has {len(logits)} rows but targets has {len(targets)}")\n',
            "",
        ),
    ),
    Variant(
        "accuracy's length message names neither length",
        (
            'f"logits has {len(logits)} rows but targets has {len(targets)}"',
            '"logits and targets differ in length"',
        ),
    ),
    Variant(
        "accuracy skips the empty check: nan",
        (
            '    if len(targets) == 0:\n        raise ValueError("accuracy of an empty batch: logits and targets hold no sample")\n',
            "",
        ),
    ),
    Variant("evaluate forgets model.eval()", ("    model.eval()\n", "")),
    Variant("evaluate leaves the model in eval mode", (_RESTORE, "        pass\n")),
    Variant(
        "evaluate always puts the model back in train mode",
        (_RESTORE, "        model.train()\n"),
    ),
    Variant(
        "evaluate reads the modes after model.eval()",
        (
            "    modes = {module: module.training for module in model.modules()}\n    model.eval()\n",
            "    model.eval()\n    modes = {module: module.training for module in model.modules()}\n",
        ),
    ),
    Variant(
        "evaluate gives the modes back on the normal path only (no finally): not after an error",
        (
            "    try:\n        with torch.inference_mode():\n",
            "    if True:\n        with torch.inference_mode():\n",
        ),
        ("    finally:\n" + _RESTORE, "    if True:\n" + _RESTORE),
        (
            '    if count == 0:\n        raise ValueError("evaluate got an empty loader: it yielded no batch to evaluate")\n',
            "",
        ),
        (
            "    return total_loss / count, total_correct / count",
            "    if count == 0:\n"
            '        raise ValueError("evaluate got an empty loader")\n'
            "    return total_loss / count, total_correct / count",
        ),
    ),
    Variant(
        "evaluate keeps autograd on",
        (
            "        with torch.inference_mode():\n",
            "        with torch.enable_grad():\n",
        ),
    ),
    Variant(
        "evaluate: unweighted mean over batches",
        (
            _LOOP + "                count += len(X)\n",
            "                total_loss += loss_fn(logits, y).item()\n"
            "                if not y.is_floating_point():\n"
            "                    total_correct += accuracy(logits, y)\n"
            "                count += 1\n",
        ),
    ),
    Variant(
        "evaluate returns the loss as a tensor",
        ("loss_fn(logits, y).item() * len(X)", "loss_fn(logits, y) * len(X)"),
    ),
    Variant(
        "evaluate skips the empty check: ZeroDivisionError",
        (
            '    if count == 0:\n        raise ValueError("evaluate got an empty loader: it yielded no batch to evaluate")\n',
            "",
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "accuracy refuses targets that are not 1-D (its contract is class indices)",
        (
            _ACCURACY,
            "    if targets.dim() != 1:\n"
            '        raise ValueError(f"targets must be class indices (N,), got {tuple(targets.shape)}")\n'
            + _ACCURACY,
        ),
    ),
    Variant(
        "evaluate gives the model back with model.train(was_training)",
        (
            "    modes = {module: module.training for module in model.modules()}\n",
            "    was_training = model.training\n",
        ),
        (_RESTORE, "        model.train(was_training)\n"),
    ),
    Variant(
        "accuracy as a sum over the length",
        (_ACCURACY, "    return (logits.argmax(dim=1) == targets).sum().item() / len(targets)"),
    ),
    Variant(
        "accuracy with max(dim=1).indices",
        (_ACCURACY, "    return (logits.max(dim=1).indices == targets).double().mean().item()"),
    ),
    Variant(
        "evaluate under torch.no_grad()",
        ("        with torch.inference_mode():\n", "        with torch.no_grad():\n"),
    ),
    Variant(
        "evaluate concatenates every batch and scores them once",
        append="""
        def evaluate(model, loss_fn, loader):
            modes = {m: m.training for m in model.modules()}  # each module's own mode
            model.eval()
            try:
                with torch.set_grad_enabled(False):
                    outputs, targets = [], []
                    for X, y in loader:
                        outputs.append(model(X))
                        targets.append(y)
            finally:
                for module, mode in modes.items():
                    module.training = mode
            if not outputs:
                raise ValueError("empty loader: nothing to evaluate")
            logits, y = torch.cat(outputs), torch.cat(targets)
            return loss_fn(logits, y).item(), accuracy(logits, y)
        """,
    ),
    Variant(
        "accuracy as a Python loop over the rows (the first largest wins), a ValueError subclass",
        append="""
        class AccuracyInputError(ValueError):
            pass

        def accuracy(logits, targets):
            rows = logits.tolist()
            labels = targets.reshape(-1).tolist()
            if len(rows) != len(labels):
                raise AccuracyInputError(
                    "got %d rows of logits for %d targets" % (len(rows), len(labels))
                )
            if not rows:
                raise AccuracyInputError("there are no samples to score")
            hits = 0
            for row, label in zip(rows, labels):
                best = max(range(len(row)), key=row.__getitem__)
                hits += best == label
            return hits / len(rows)
        """,
    ),
    Variant(
        "evaluate under torch.no_grad(), counting in numpy float64, every module's mode kept",
        append="""
        import numpy as np

        def evaluate(model, loss_fn, loader):
            previous = [(m, m.training) for m in model.modules()]
            model.train(False)
            loss_sum, hits, seen = np.float64(0.0), np.float64(0.0), 0
            try:
                with torch.no_grad():
                    for inputs, targets in loader:
                        outputs = model(inputs)
                        size = inputs.shape[0]
                        loss_sum += np.float64(loss_fn(outputs, targets).item()) * size
                        hits += np.float64(accuracy(outputs, targets)) * size
                        seen += size
            finally:
                for module, mode in previous:
                    module.training = mode
            if seen == 0:
                raise ValueError("evaluate needs at least one batch; the loader was empty")
            return loss_sum / seen, hits / seen
        """,
    ),
    Variant(
        "evaluate keeps (loss, accuracy, size) per batch, then weighted sums",
        append="""
        def evaluate(model, loss_fn, loader):
            modes = {name: m.training for name, m in model.named_modules()}
            model.eval()
            records = []
            try:
                with torch.inference_mode():
                    for X, y in loader:
                        logits = model(X)
                        records.append((loss_fn(logits, y).item(), accuracy(logits, y), len(X)))
            finally:
                for name, m in model.named_modules():
                    m.train(modes[name])
            if not records:
                raise ValueError("empty loader")
            total = sum(n for _, _, n in records)
            mean_loss = sum(loss * n for loss, _, n in records) / total
            mean_accuracy = sum(a * n for _, a, n in records) / total
            return mean_loss, mean_accuracy
        """,
    ),
    Variant(
        "error messages in other words",
        (
            'f"logits has {len(logits)} rows but targets has {len(targets)}"',
            'f"{len(targets)} targets for {len(logits)} rows of logits"',
        ),
        (
            '"accuracy of an empty batch: logits and targets hold no sample"',
            '"no sample to score"',
        ),
        (
            '"evaluate got an empty loader: it yielded no batch to evaluate"',
            '"nothing to evaluate"',
        ),
    ),
]
