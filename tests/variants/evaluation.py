"""Wrong and right ways to write kata/evaluation.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

_ACCURACY = "    return (logits.argmax(dim=1) == targets).float().mean().item()"
_LOOP = (
    "                total_loss += loss_fn(logits, y).item() * len(X)\n"
    "                total_correct += accuracy(logits, y) * len(X)\n"
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
    Variant(
        "evaluate leaves the model in eval mode",
        (
            "        model.train(was_training)  # back to the mode the caller left it in\n",
            "        pass\n",
        ),
    ),
    Variant(
        "evaluate always puts the model back in train mode",
        ("model.train(was_training)  # back", "model.train()  # back"),
    ),
    Variant(
        "evaluate reads model.training after model.eval()",
        (
            "    was_training = model.training\n    model.eval()\n",
            "    model.eval()\n    was_training = model.training\n",
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
            "                total_correct += accuracy(logits, y)\n"
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
