"""Wrong and right ways to write kata/optimizers.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

CLASSES = (
    'classes = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop}'
)
BUILD = "return classes[name](model.parameters(), lr=lr, **options)"
BY_HAND = """    with torch.no_grad():  # a leaf that requires grad cannot be changed in place otherwise
        for p in params:
            if p.grad is not None:
                p.add_(p.grad, alpha=-lr)"""
BEFORE = "before = {name: p.detach().clone() for name, p in model.named_parameters()}"
STEP = """    optimizer.zero_grad()
    loss_fn(model(X), y).backward()
    optimizer.step()"""
UPDATES = "return {name: p.detach() - before[name] for name, p in model.named_parameters()}"
SET_LR = """    for group in optimizer.param_groups:
        group["lr"] = lr"""

BROKEN = [
    Variant(
        "make_optimizer: adam builds AdamW, whose weight decay is on by default",
        (CLASSES, CLASSES.replace("torch.optim.Adam,", "torch.optim.AdamW,")),
    ),
    Variant(
        "make_optimizer: rmsprop builds Adagrad",
        (CLASSES, CLASSES.replace("torch.optim.RMSprop", "torch.optim.Adagrad")),
    ),
    Variant(
        "make_optimizer drops the extra options",
        (BUILD, "return classes[name](model.parameters(), lr=lr)"),
    ),
    Variant(
        "make_optimizer ignores lr",
        (BUILD, "return classes[name](model.parameters(), **options)"),
    ),
    Variant(
        "make_optimizer always adds momentum to SGD",
        (
            BUILD,
            'if name == "sgd":\n'
            '        options.setdefault("momentum", 0.9)\n'
            "    return classes[name](model.parameters(), lr=lr, **options)",
        ),
    ),
    Variant(
        "make_optimizer accepts lr = 0",
        (
            '    if lr <= 0:\n        raise ValueError(f"lr must be > 0, got {lr}: with',
            '    if lr < 0:\n        raise ValueError(f"lr must be > 0, got {lr}: with',
        ),
    ),
    Variant(
        "make_optimizer: an unknown name falls back to SGD",
        ("    if name not in classes:", "    if False:"),
        (BUILD, "return classes.get(name, torch.optim.SGD)(model.parameters(), lr=lr, **options)"),
    ),
    Variant(
        "make_optimizer: the error lists no valid name",
        (
            "raise ValueError(f\"unknown optimizer {name!r}; choose one of {', '.join(classes)}\")",
            'raise ValueError(f"unknown optimizer {name!r}")',
        ),
    ),
    Variant(
        "make_optimizer lowers the name: 'SGD' and 'Adam' pass as known names",
        ("    if name not in classes:", "    name = name.lower()\n    if name not in classes:"),
    ),
    Variant(
        "sgd_step_by_hand with p -= lr * p.grad: rounds twice",
        (
            BY_HAND,
            "    with torch.no_grad():\n        for p in params:\n            if p.grad is not None:\n                p -= lr * p.grad",
        ),
    ),
    Variant(
        "sgd_step_by_hand without no_grad",
        (
            BY_HAND,
            "    for p in params:\n        if p.grad is not None:\n            p.add_(p.grad, alpha=-lr)",
        ),
    ),
    Variant(
        "sgd_step_by_hand rebinds a name instead of changing the parameter",
        (
            BY_HAND,
            "    with torch.no_grad():\n        for p in params:\n            if p.grad is not None:\n                p = p.add(p.grad, alpha=-lr)",
        ),
    ),
    Variant(
        "sgd_step_by_hand steps uphill",
        (BY_HAND, BY_HAND.replace("alpha=-lr", "alpha=lr")),
    ),
    Variant(
        "sgd_step_by_hand does not skip parameters without a gradient",
        (BY_HAND, BY_HAND.replace("if p.grad is not None:", "if True:")),
    ),
    Variant(
        "sgd_step_by_hand does not check lr",
        (
            '    if lr <= 0:\n        raise ValueError(f"lr must be > 0, got {lr}")\n    with',
            "    with",
        ),
    ),
    Variant(
        "take_one_step never zeroes the gradients",
        (STEP, "    loss_fn(model(X), y).backward()\n    optimizer.step()"),
    ),
    Variant(
        "take_one_step zeroes the gradients after backward",
        (
            STEP,
            "    loss_fn(model(X), y).backward()\n    optimizer.zero_grad()\n    optimizer.step()",
        ),
    ),
    Variant(
        "take_one_step calls loss_fn(y, model(X)): arguments swapped, hidden by symmetric losses",
        (STEP, STEP.replace("loss_fn(model(X), y)", "loss_fn(y, model(X))")),
    ),
    Variant(
        "take_one_step keeps views, not copies, of the old values",
        (BEFORE, "before = {name: p.detach() for name, p in model.named_parameters()}"),
    ),
    Variant(
        "take_one_step returns before minus after",
        (
            UPDATES,
            "return {name: before[name] - p.detach() for name, p in model.named_parameters()}",
        ),
    ),
    Variant(
        "take_one_step returns updates that require grad",
        (UPDATES, "return {name: p - before[name] for name, p in model.named_parameters()}"),
    ),
    Variant(
        "set_learning_rate changes the first group only",
        (SET_LR, '    optimizer.param_groups[0]["lr"] = lr'),
    ),
    Variant(
        "set_learning_rate changes the defaults, which step() never reads",
        (SET_LR, '    optimizer.defaults["lr"] = lr'),
    ),
    Variant(
        "set_learning_rate starts afresh: the momentum is lost",
        (SET_LR, SET_LR + "\n    optimizer.state.clear()"),
    ),
    Variant(
        "set_learning_rate sets the new lr before it checks it",
        (
            '    if lr <= 0:\n        raise ValueError(f"lr must be > 0, got {lr}")\n    for group',
            "    for group",
        ),
        (
            '        group["lr"] = lr',
            '        group["lr"] = lr\n    if lr <= 0:\n        raise ValueError(f"lr must be > 0, got {lr}")',
        ),
    ),
    Variant(
        "set_learning_rate does not check lr",
        (
            '    if lr <= 0:\n        raise ValueError(f"lr must be > 0, got {lr}")\n    for group',
            "    for group",
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "make_optimizer with an if chain, validating lr first",
        append="""
        def make_optimizer(name, model, lr, **options):
            if not lr > 0:
                raise ValueError(f"the learning rate lr={lr} must be positive")
            params = model.parameters()
            if name == "sgd":
                return torch.optim.SGD(params, lr=lr, **options)
            if name == "adam":
                return torch.optim.Adam(params, lr=lr, **options)
            if name == "rmsprop":
                return torch.optim.RMSprop(params, lr=lr, **options)
            raise ValueError(f"no optimizer {name!r}: sgd, adam or rmsprop")
        """,
    ),
    Variant(
        "make_optimizer from a lookup table, raising a ValueError subclass of its own",
        append="""
        class OptimizerChoiceError(ValueError):
            pass

        _OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop}

        def make_optimizer(name, model, lr, **options):
            try:
                cls = _OPTIMIZERS[name]
            except KeyError:
                raise OptimizerChoiceError(
                    "no optimizer named " + repr(name) + " (known: " + ", ".join(_OPTIMIZERS) + ")"
                ) from None
            if not lr > 0:
                raise OptimizerChoiceError("the learning rate has to be above zero, not " + str(lr))
            return cls(list(model.parameters()), lr=lr, **options)
        """,
    ),
    Variant(
        "sgd_step_by_hand with sub_ and alpha=lr",
        (BY_HAND, BY_HAND.replace("p.add_(p.grad, alpha=-lr)", "p.sub_(p.grad, alpha=lr)")),
    ),
    Variant(
        "sgd_step_by_hand through .data, without no_grad",
        (
            BY_HAND,
            "    for p in params:\n        if p.grad is not None:\n            p.data.add_(p.grad, alpha=-lr)",
        ),
    ),
    Variant(
        "take_one_step with model.zero_grad(set_to_none=False) and the difference under no_grad",
        (
            STEP,
            "    model.zero_grad(set_to_none=False)\n    loss_fn(model(X), y).backward()\n    optimizer.step()",
        ),
        (
            UPDATES,
            "with torch.no_grad():\n"
            "        return {name: p - before[name] for name, p in model.named_parameters()}",
        ),
    ),
    Variant(
        "take_one_step clears both ways, copies under no_grad and subtracts with torch.sub",
        append="""
        def take_one_step(model, loss_fn, X, y, optimizer):
            names = [n for n, _ in model.named_parameters()]
            with torch.no_grad():
                before = [p.clone() for p in model.parameters()]
            model.zero_grad(set_to_none=False)
            optimizer.zero_grad()
            loss = loss_fn(model(X), y)
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                after = [p.clone() for p in model.parameters()]
            return {n: torch.sub(a, b) for n, a, b in zip(names, after, before)}
        """,
    ),
    Variant(
        "set_learning_rate with dict.update",
        (SET_LR, "    for group in optimizer.param_groups:\n        group.update(lr=lr)"),
    ),
    Variant(
        "error messages in other words",
        (
            "f\"unknown optimizer {name!r}; choose one of {', '.join(classes)}\"",
            'f"make_optimizer builds {sorted(classes)}"',
        ),
        (
            'f"lr must be > 0, got {lr}: with lr=0 nothing ever changes"',
            'f"a learning rate of {lr} never moves the weights"',
        ),
        (
            'raise ValueError(f"lr must be > 0, got {lr}")\n    with torch.no_grad()',
            'raise ValueError(f"cannot step by {lr}")\n    with torch.no_grad()',
        ),
        (
            'raise ValueError(f"lr must be > 0, got {lr}")\n    for group in',
            'raise ValueError(f"a learning rate of {lr} is no step")\n    for group in',
        ),
    ),
]
