"""Wrong and right ways to write kata/sanity_checks.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

_RANGE = "    if ((flat < 0) | (flat >= n_classes)).any():\n"
_COUNTS = "    return torch.bincount(flat, minlength=n_classes)"
_IS_FLOAT = (
    "    if labels.is_floating_point():\n"
    '        raise TypeError(f"labels must be integer class indices, got dtype {labels.dtype}")\n'
)
_OK = "    return loss, abs(loss - math.log(logits.shape[1])) <= tolerance"
_RESTORE = (
    "        for module, training in modes.items():\n            module.training = training\n"
)
_COPY = "    trial = copy.deepcopy(model).train()\n"
_STEP = (
    "        if loss.requires_grad:  # else nothing can learn: backward() would raise\n"
    "            optimizer.zero_grad()\n"
    "            loss.backward()\n"
    "            optimizer.step()\n"
)

BROKEN = [
    # check_labels
    Variant(
        "check_labels counts without flattening: bincount refuses (N, H, W) labels",
        ("    flat = labels.flatten()\n", "    flat = labels\n"),
    ),
    Variant(
        "check_labels lets a label equal to n_classes through (> for >=)",
        (_RANGE, "    if ((flat < 0) | (flat > n_classes)).any():\n"),
    ),
    Variant(
        "check_labels forgets negative labels: bincount raises a RuntimeError of its own",
        (_RANGE, "    if (flat >= n_classes).any():\n"),
    ),
    Variant(
        "check_labels checks the range with min() and max(), which an empty tensor refuses",
        (_RANGE, "    if flat.min() < 0 or flat.max() >= n_classes:\n"),
    ),
    Variant(
        "check_labels counts without minlength: classes above the largest label go missing",
        (_COUNTS, "    return torch.bincount(flat)"),
    ),
    Variant(
        "check_labels counts only the classes present (torch.unique)",
        (_COUNTS, "    return torch.unique(flat, return_counts=True)[1]"),
    ),
    Variant("check_labels lets float labels through", (_IS_FLOAT, "")),
    Variant(
        "check_labels turns float labels into integers instead of refusing them",
        (_IS_FLOAT, "    labels = labels.long()\n"),
    ),
    Variant(
        "check_labels' message names neither the labels nor n_classes",
        (
            'f"labels run from {flat.min().item()} to {flat.max().item()}, but must lie in "\n'
            '            f"[0, {n_classes}) for {n_classes} classes: are the classes numbered from 1?"',
            '"a label is out of range"',
        ),
    ),
    # initial_loss
    Variant(
        "initial_loss takes C from the labels (y.max() + 1)",
        (_OK, "    return loss, abs(loss - math.log(y.max().item() + 1)) <= tolerance"),
    ),
    Variant(
        "initial_loss takes C as the number of classes the labels hold",
        (_OK, "    return loss, abs(loss - math.log(len(y.unique()))) <= tolerance"),
    ),
    Variant(
        "initial_loss compares with log10(C)",
        (_OK, "    return loss, abs(loss - math.log10(logits.shape[1])) <= tolerance"),
    ),
    Variant(
        "initial_loss only flags a loss above ln(C)",
        (_OK, "    return loss, loss - math.log(logits.shape[1]) <= tolerance"),
    ),
    Variant(
        "initial_loss reads the tolerance as a fraction of ln(C)",
        (
            _OK,
            "    expected = math.log(logits.shape[1])\n"
            "    return loss, abs(loss - expected) <= tolerance * expected",
        ),
    ),
    Variant(
        "initial_loss measures in train mode (dropout on, batch statistics)",
        ("    model.eval()\n    try:\n", "    try:\n"),
    ),
    Variant("initial_loss leaves the model in eval mode", (_RESTORE, "        pass\n")),
    Variant(
        "initial_loss gives the modes back on the normal path only, not after an error",
        (
            "    try:\n        with torch.inference_mode():\n",
            "    if True:\n        with torch.inference_mode():\n",
        ),
        ("    finally:\n" + _RESTORE, "    if True:\n" + _RESTORE),
    ),
    Variant(
        "initial_loss keeps autograd on",
        ("        with torch.inference_mode():\n", "        with torch.enable_grad():\n"),
    ),
    Variant(
        "initial_loss takes a softmax before the cross-entropy",
        (
            "            loss = F.cross_entropy(logits, y).item()",
            "            loss = F.cross_entropy(logits.softmax(dim=1), y).item()",
        ),
    ),
    Variant(
        "initial_loss does not check the labels: cross_entropy's IndexError",
        ("            check_labels(y, logits.shape[1])\n", ""),
    ),
    # parameters_without_gradient
    Variant(
        "parameters_without_gradient runs backward on the caller's model itself",
        (
            _COPY + "    trial.zero_grad()  #",
            "    trial = model.train()\n    trial.zero_grad()  #",
        ),
    ),
    Variant(
        "parameters_without_gradient keeps the copy in the caller's mode",
        (
            _COPY + "    trial.zero_grad()  #",
            "    trial = copy.deepcopy(model)\n    trial.zero_grad()  #",
        ),
    ),
    Variant(
        "parameters_without_gradient looks at the gradient's sum, not its entries",
        ("        elif not p.grad.any():\n", "        elif p.grad.sum() == 0:\n"),
    ),
    Variant(
        "parameters_without_gradient calls a tiny gradient zero (torch.allclose)",
        (
            "        elif not p.grad.any():\n",
            "        elif torch.allclose(p.grad, torch.zeros_like(p.grad)):\n",
        ),
    ),
    Variant(
        "parameters_without_gradient never looks for zero gradients",
        ('        elif not p.grad.any():\n            found[name] = "zero gradient"\n', ""),
    ),
    Variant(
        "parameters_without_gradient calls a frozen parameter one with no gradient",
        (
            '        if not p.requires_grad:\n            found[name] = "frozen"\n        elif',
            "        if",
        ),
    ),
    Variant(
        "parameters_without_gradient calls backward on a loss that needs no grad",
        (
            "    if loss.requires_grad:  # else no parameter is reached, and backward() would raise\n"
            "        loss.backward()\n",
            "    loss.backward()\n",
        ),
    ),
    # overfit_one_batch
    Variant(
        "overfit_one_batch trains the caller's model itself",
        (_COPY + "    optimizer", "    trial = model.train()\n    optimizer"),
    ),
    Variant(
        "overfit_one_batch keeps the copy in the caller's mode",
        (_COPY + "    optimizer", "    trial = copy.deepcopy(model)\n    optimizer"),
    ),
    Variant(
        "overfit_one_batch uses SGD",
        (
            "    optimizer = torch.optim.Adam(trial.parameters(), lr=lr)",
            "    optimizer = torch.optim.SGD(trial.parameters(), lr=lr)",
        ),
    ),
    Variant(
        "overfit_one_batch ignores lr (Adam's default 1e-3)",
        (
            "    optimizer = torch.optim.Adam(trial.parameters(), lr=lr)",
            "    optimizer = torch.optim.Adam(trial.parameters())",
        ),
    ),
    Variant(
        "overfit_one_batch gives Adam only the parameters that require grad (none: it raises)",
        (
            "    optimizer = torch.optim.Adam(trial.parameters(), lr=lr)",
            "    optimizer = torch.optim.Adam(\n"
            "        [p for p in trial.parameters() if p.requires_grad], lr=lr\n"
            "    )",
        ),
    ),
    Variant(
        "overfit_one_batch never clears the gradients",
        ("            optimizer.zero_grad()\n", ""),
    ),
    Variant(
        "overfit_one_batch records each loss after its update",
        (
            "            optimizer.step()\n",
            "            optimizer.step()\n"
            "            losses[-1] = _classifier_loss(trial, X, y).item()\n",
        ),
    ),
    Variant(
        "overfit_one_batch runs every step and then asks whether any loss got below",
        (
            "        if losses[-1] < threshold:\n            return losses, True\n",
            "",
        ),
        ("    return losses, False", "    return losses, min(losses) < threshold"),
    ),
    Variant(
        "overfit_one_batch stops at a loss equal to the threshold (<= for <)",
        ("        if losses[-1] < threshold:\n", "        if losses[-1] <= threshold:\n"),
    ),
    Variant(
        "overfit_one_batch keeps loss tensors, not floats",
        ("        losses.append(loss.item())\n", "        losses.append(loss.detach())\n"),
    ),
    Variant(
        "overfit_one_batch calls backward on a loss that needs no grad",
        (
            _STEP,
            "        optimizer.zero_grad()\n        loss.backward()\n        optimizer.step()\n",
        ),
    ),
    Variant(
        "overfit_one_batch leaves out the loss that got below the threshold",
        (
            "        losses.append(loss.item())\n"
            "        if losses[-1] < threshold:\n"
            "            return losses, True\n",
            "        if loss.item() < threshold:\n"
            "            return losses, True\n"
            "        losses.append(loss.item())\n",
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "check_labels counts with a one-hot sum and checks min and max only when there are labels",
        append="""
        def check_labels(labels, n_classes):
            if torch.is_floating_point(labels):
                raise TypeError(f"class indices must be integers, not {labels.dtype}")
            flat = labels.reshape(-1).long()
            if flat.numel() and (flat.min() < 0 or flat.max() >= n_classes):
                low, high = int(flat.min()), int(flat.max())
                raise ValueError(f"{n_classes} classes, but labels from {low} to {high}")
            return F.one_hot(flat, n_classes).sum(dim=0)
        """,
    ),
    Variant(
        "initial_loss under no_grad, model.train(was_training), log-softmax by hand",
        append="""
        def initial_loss(model, X, y, tolerance=0.5):
            was_training = model.training
            model.eval()
            try:
                with torch.no_grad():
                    logits = model(X)
                    n_classes = logits.size(1)
                    check_labels(y, n_classes)
                    picked = logits.log_softmax(dim=1).gather(1, y.unsqueeze(1))
                    loss = float(-picked.mean())
            finally:
                model.train(was_training)
            return loss, bool(math.fabs(loss - math.log(n_classes)) <= tolerance)
        """,
    ),
    Variant(
        "parameters_without_gradient with torch.autograd.grad(allow_unused=True) on a copy",
        append="""
        def parameters_without_gradient(model, X, y):
            trial = copy.deepcopy(model)
            trial.train()
            named = list(trial.named_parameters())
            logits = trial(X)
            check_labels(y, logits.size(-1))
            loss = F.cross_entropy(logits, y)
            learning = [(name, p) for name, p in named if p.requires_grad]
            grads = []
            if loss.requires_grad and learning:
                grads = torch.autograd.grad(
                    loss, [p for _, p in learning], allow_unused=True
                )
            result = {name: "frozen" for name, p in named if not p.requires_grad}
            for (name, _), grad in zip(learning, grads or [None] * len(learning)):
                if grad is None:
                    result[name] = "no gradient"
                elif grad.count_nonzero() == 0:
                    result[name] = "zero gradient"
            return result
        """,
    ),
    Variant(
        "overfit_one_batch as a while loop with nn.CrossEntropyLoss, zero_grad first",
        append="""
        def overfit_one_batch(model, X, y, steps=200, lr=1e-2, threshold=0.01):
            trial = copy.deepcopy(model)
            trial.train(True)
            criterion = nn.CrossEntropyLoss()
            optimizer = torch.optim.Adam(trial.parameters(), lr=lr)
            losses = []
            while len(losses) < steps:
                optimizer.zero_grad(set_to_none=False)
                logits = trial(X)
                check_labels(y, logits.shape[-1])
                loss = criterion(logits, y)
                losses.append(loss.detach().item())
                if losses[-1] < threshold:
                    break
                if loss.grad_fn is not None:
                    loss.backward()
                    optimizer.step()
            return losses, bool(losses) and losses[-1] < threshold
        """,
    ),
    Variant(
        "error messages in other words",
        (
            'f"labels must be integer class indices, got dtype {labels.dtype}"',
            'f"{labels.dtype} labels: class indices are integers"',
        ),
        (
            'f"labels run from {flat.min().item()} to {flat.max().item()}, but must lie in "\n'
            '            f"[0, {n_classes}) for {n_classes} classes: are the classes numbered from 1?"',
            'f"{n_classes} classes, but labels between {flat.min().item()} and {flat.max().item()}"',
        ),
    ),
]
