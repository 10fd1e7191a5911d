"""Wrong and right ways to write kata/losses_and_activations.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

ACTIVATIONS = 'functions = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}'
UNKNOWN_ACTIVATION = "    if name not in functions:"
SOFTMAX = "return torch.softmax(logits, dim=1)"
LOSSES = """        "regression": nn.MSELoss,
        "robust_regression": nn.L1Loss,
        "binary": nn.BCEWithLogitsLoss,
        "multiclass": nn.CrossEntropyLoss,"""
MSE = "return F.mse_loss(predictions, targets)"
ONE_HOT = "return F.one_hot(indices.long(), num_classes).float()"
FLOAT_INDICES = "if indices.is_floating_point() or indices.dtype == torch.bool:"
RANGE = "if indices.numel() and (indices.min() < 0 or indices.max() >= num_classes):"
CROSS_ENTROPY = """    if not target.is_floating_point():
        target = target.long()
    return F.cross_entropy(logits, target)"""
BCE = "losses = logits.clamp(min=0) - logits * targets + torch.log1p(torch.exp(-logits.abs()))"

BROKEN = [
    Variant(
        "activate: tanh and sigmoid swapped",
        (
            ACTIVATIONS,
            'functions = {"relu": torch.relu, "sigmoid": torch.tanh, "tanh": torch.sigmoid}',
        ),
    ),
    Variant(
        "activate: an unknown name returns x unchanged",
        (
            "    return functions[name](x)",
            "    return functions.get(name, lambda t: t)(x)",
        ),
        (UNKNOWN_ACTIVATION, "    if False:"),
    ),
    Variant(
        "activate: the error names no valid activation",
        (
            "raise ValueError(f\"unknown activation {name!r}; choose one of {', '.join(functions)}\")",
            'raise ValueError(f"unknown activation {name!r}")',
        ),
    ),
    Variant(
        "activate: relu in place overwrites the caller's tensor",
        (
            ACTIVATIONS,
            'functions = {"relu": lambda t: F.relu(t, inplace=True), "sigmoid": torch.sigmoid, '
            '"tanh": torch.tanh}',
        ),
    ),
    Variant(
        "activate: an unknown name raises the dict's KeyError",
        (UNKNOWN_ACTIVATION, "    if False:"),
    ),
    Variant(
        "activate: relu as a leaky relu",
        (
            ACTIVATIONS,
            'functions = {"relu": torch.nn.functional.leaky_relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}',
        ),
    ),
    Variant(
        "softmax_rows along the batch, dim=0", (SOFTMAX, "return torch.softmax(logits, dim=0)")
    ),
    Variant(
        "softmax_rows by hand without subtracting the max: nan for huge logits",
        (SOFTMAX, "e = logits.exp()\n    return e / e.sum(dim=1, keepdim=True)"),
    ),
    Variant(
        "softmax_rows skips the 2-D check",
        ("    if logits.ndim != 2:", "    if False:"),
    ),
    Variant(
        "softmax_rows returns log-probabilities",
        (SOFTMAX, "return torch.log_softmax(logits, dim=1)"),
    ),
    Variant(
        "loss_for_task: binary with BCELoss, which wants probabilities",
        (LOSSES, LOSSES.replace("nn.BCEWithLogitsLoss", "nn.BCELoss")),
    ),
    Variant(
        "loss_for_task: multiclass with NLLLoss",
        (LOSSES, LOSSES.replace("nn.CrossEntropyLoss", "nn.NLLLoss")),
    ),
    Variant(
        "loss_for_task: robust regression with SmoothL1Loss",
        (LOSSES, LOSSES.replace("nn.L1Loss", "nn.SmoothL1Loss")),
    ),
    Variant(
        "loss_for_task returns the class, not a loss module",
        ("    return losses[task]()", "    return losses[task]"),
    ),
    Variant(
        "loss_for_task: an unknown task falls back to MSELoss",
        ("    if task not in losses:", "    if False:"),
        ("    return losses[task]()", "    return losses.get(task, nn.MSELoss)()"),
    ),
    Variant(
        "regression_loss lets MSELoss broadcast",
        ("    if predictions.shape != targets.shape:", "    if False:"),
    ),
    Variant(
        "regression_loss compares element counts, not shapes",
        (
            "    if predictions.shape != targets.shape:",
            "    if predictions.numel() != targets.numel():",
        ),
    ),
    Variant(
        "regression_loss sums the squared errors",
        (MSE, 'return F.mse_loss(predictions, targets, reduction="sum")'),
    ),
    Variant(
        "regression_loss with the absolute error",
        (MSE, "return F.l1_loss(predictions, targets)"),
    ),
    Variant(
        "to_class_probabilities leaves the one-hot rows int64",
        (ONE_HOT, "return F.one_hot(indices.long(), num_classes)"),
    ),
    Variant(
        "to_class_probabilities hands one_hot the indices as they come: int32 and uint8 refused",
        (ONE_HOT, "return F.one_hot(indices, num_classes).float()"),
    ),
    Variant(
        "to_class_probabilities infers the class count from the data",
        (ONE_HOT, "return F.one_hot(indices.long()).float()"),
    ),
    Variant(
        "to_class_probabilities accepts float indices",
        (FLOAT_INDICES, "if indices.dtype == torch.bool:"),
    ),
    Variant(
        "to_class_probabilities accepts bool indices",
        (FLOAT_INDICES, "if indices.is_floating_point():"),
    ),
    Variant(
        "to_class_probabilities checks the range off by one",
        (RANGE, "if indices.numel() and (indices.min() < 0 or indices.max() > num_classes):"),
    ),
    Variant(
        "to_class_probabilities forgets negative indices",
        (RANGE, "if indices.numel() and indices.max() >= num_classes:"),
    ),
    Variant(
        "multiclass_loss passes int32 indices on unconverted",
        (CROSS_ENTROPY, "    return F.cross_entropy(logits, target)"),
    ),
    Variant(
        "multiclass_loss applies softmax before cross-entropy",
        (
            CROSS_ENTROPY,
            CROSS_ENTROPY.replace(
                "F.cross_entropy(logits,", "F.cross_entropy(logits.softmax(dim=1),"
            ),
        ),
    ),
    Variant(
        "multiclass_loss with nll_loss on raw logits",
        (
            CROSS_ENTROPY,
            "    if target.is_floating_point():\n"
            "        return -(target * logits).sum(dim=1).mean()\n"
            "    return F.nll_loss(logits, target.long())",
        ),
    ),
    Variant(
        "multiclass_loss takes the argmax of soft labels",
        (
            CROSS_ENTROPY,
            "    target = target.argmax(dim=1) if target.is_floating_point() else target.long()\n"
            "    return F.cross_entropy(logits, target)",
        ),
    ),
    Variant(
        "multiclass_loss turns every (N, C) target into its argmax and every target into long",
        append="""
        def multiclass_loss(logits, target):
            if target.dim() == 2:
                target = target.argmax(dim=1)
            return F.cross_entropy(logits, target.long())
        """,
    ),
    Variant(
        "multiclass_loss quietly converts a one-hot integer target",
        (
            "    if not target.is_floating_point() and target.ndim == logits.ndim:",
            "    if not target.is_floating_point() and target.ndim == logits.ndim:\n"
            "        target = target.float()\n"
            "    if False:",
        ),
    ),
    Variant(
        "multiclass_loss does not explain float class indices",
        ("    if target.is_floating_point() and target.ndim == logits.ndim - 1:", "    if False:"),
    ),
    Variant(
        "binary_loss_from_logits: sigmoid then binary_cross_entropy",
        (BCE, "losses = F.binary_cross_entropy(torch.sigmoid(logits), targets, reduction='none')"),
    ),
    Variant(
        "binary_loss_from_logits: the textbook form, log of sigmoid",
        (
            BCE,
            "p = torch.sigmoid(logits)\n"
            "    losses = -(targets * torch.log(p) + (1 - targets) * torch.log(1 - p))",
        ),
    ),
    Variant(
        "binary_loss_from_logits forgets the abs: exp overflows",
        (BCE, "losses = logits.clamp(min=0) - logits * targets + torch.log1p(torch.exp(-logits))"),
    ),
    Variant(
        "binary_loss_from_logits clamps the wrong side",
        (
            BCE,
            "losses = logits.clamp(max=0) - logits * targets + torch.log1p(torch.exp(-logits.abs()))",
        ),
    ),
    Variant(
        "binary_loss_from_logits sums instead of averaging",
        ("    return losses.mean()", "    return losses.sum()"),
    ),
    Variant(
        "binary_loss_from_logits lets shapes broadcast",
        ("    if logits.shape != targets.shape:", "    if False:"),
    ),
]

ALTERNATIVES = [
    Variant(
        "activate with an if chain and hand-written sigmoid and relu",
        append="""
        def activate(x, name):
            if name == "relu":
                return x.clamp(min=0)
            if name == "sigmoid":
                return 1 / (1 + torch.exp(-x))
            if name == "tanh":
                return torch.tanh(x)
            raise ValueError(f"no activation {name!r}: use relu, sigmoid or tanh")
        """,
    ),
    Variant(
        "activate with nn modules",
        (
            ACTIVATIONS,
            'functions = {"relu": nn.ReLU(), "sigmoid": nn.Sigmoid(), "tanh": nn.Tanh()}',
        ),
    ),
    Variant(
        "softmax_rows by hand, subtracting each row's max",
        (
            SOFTMAX,
            "e = (logits - logits.amax(dim=1, keepdim=True)).exp()\n"
            "    return e / e.sum(dim=1, keepdim=True)",
        ),
    ),
    Variant(
        "softmax_rows along dim=-1 with F.softmax", (SOFTMAX, "return F.softmax(logits, dim=-1)")
    ),
    Variant(
        "loss_for_task with match",
        append="""
        def loss_for_task(task):
            match task:
                case "regression":
                    return nn.MSELoss()
                case "robust_regression":
                    return nn.L1Loss()
                case "binary":
                    return nn.BCEWithLogitsLoss()
                case "multiclass":
                    return nn.CrossEntropyLoss()
            raise ValueError(f"no loss for {task!r}: regression, robust_regression, binary or multiclass")
        """,
    ),
    Variant(
        "regression_loss by hand",
        (MSE, "return ((predictions - targets) ** 2).mean()"),
    ),
    Variant(
        "to_class_probabilities with torch.eye and an explicit integer dtype list",
        append="""
        def to_class_probabilities(indices, num_classes):
            integer_dtypes = (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)
            if indices.dtype not in integer_dtypes:
                raise ValueError(f"need integer class indices, not {indices.dtype}")
            if ((indices < 0) | (indices >= num_classes)).any():
                raise ValueError(f"every index must lie in [0, {num_classes})")
            return torch.eye(num_classes)[indices.long()]
        """,
    ),
    Variant(
        "to_class_probabilities with scatter",
        (
            ONE_HOT,
            "out = torch.zeros(len(indices), num_classes)\n"
            "    return out.scatter_(1, indices.long().unsqueeze(1), 1.0)",
        ),
    ),
    Variant(
        "multiclass_loss by hand from log_softmax",
        (
            CROSS_ENTROPY,
            "    log_probabilities = torch.log_softmax(logits, dim=1)\n"
            "    if target.is_floating_point():\n"
            "        return -(target * log_probabilities).sum(dim=1).mean()\n"
            "    return -log_probabilities.gather(1, target.long().unsqueeze(1)).mean()",
        ),
    ),
    Variant(
        "binary_loss_from_logits with softplus",
        (BCE, "losses = F.softplus(logits) - logits * targets"),
    ),
    Variant(
        "binary_loss_from_logits with logsigmoid on both sides",
        (
            BCE,
            "losses = -(targets * F.logsigmoid(logits) + (1 - targets) * F.logsigmoid(-logits))",
        ),
    ),
    Variant(
        "activations as nn modules in a dict, F.softmax(dim=-1), loss_for_task turning the "
        "KeyError into a ValueError, shapes shown as torch.Size",
        append="""
        _ACTIVATIONS = {"relu": nn.ReLU(), "sigmoid": nn.Sigmoid(), "tanh": nn.Tanh()}
        _LOSSES = {"regression": nn.MSELoss, "robust_regression": nn.L1Loss,
                   "binary": nn.BCEWithLogitsLoss, "multiclass": nn.CrossEntropyLoss}
        def activate(x, name):
            if name not in _ACTIVATIONS:
                raise ValueError(f"no activation named {name!r}: pick one of {sorted(_ACTIVATIONS)}")
            return _ACTIVATIONS[name](x)
        def softmax_rows(logits):
            if logits.ndim != 2:
                raise ValueError(f"softmax_rows needs a 2-D batch of logits but got {logits.shape}")
            return F.softmax(logits, dim=-1)
        def loss_for_task(task):
            try:
                return _LOSSES[task]()
            except KeyError:
                raise ValueError(f"{task!r} is no task; choose from " + ", ".join(_LOSSES)) from None
        """,
    ),
    Variant(
        "errors as a ValueError subclass; multiclass_loss through the nn.CrossEntropyLoss module",
        append="""
        class TargetFormatError(ValueError):
            pass
        def multiclass_loss(logits, target):
            if target.ndim == 1:
                if target.dtype.is_floating_point:
                    raise TargetFormatError("float class indices: call .long() on the target")
                target = target.long()
            elif not target.dtype.is_floating_point:
                raise TargetFormatError("a one-hot target of integers: call .float() on it")
            return nn.CrossEntropyLoss()(logits, target)
        def binary_loss_from_logits(logits, targets):
            if logits.size() != targets.size():
                raise TargetFormatError(f"logits {tuple(logits.size())} and targets {tuple(targets.size())} differ")
            return torch.mean(F.softplus(logits) - logits * targets)
        """,
    ),
    Variant(
        "error messages in other words, shapes as torch.Size and lists",
        (
            "f\"unknown activation {name!r}; choose one of {', '.join(functions)}\"",
            'f"activate knows {sorted(functions)}"',
        ),
        (
            'f"softmax_rows needs logits of shape (N, C); got {tuple(logits.shape)}"',
            'f"logits of {logits.shape} are not a batch of rows"',
        ),
        (
            "f\"unknown task {task!r}; choose one of {', '.join(losses)}\"",
            'f"tasks: {list(losses)}"',
        ),
        (
            'f"predictions {tuple(predictions.shape)} and targets {tuple(targets.shape)} differ "',
            'f"shapes {list(predictions.shape)} and {list(targets.shape)} differ "',
        ),
        (
            'f"class indices must be integers, got dtype {indices.dtype}"',
            'f"{indices.dtype} is no index dtype"',
        ),
        (
            'f"class indices must lie in [0, {num_classes}); got values from "',
            'f"indices run from 0 to {num_classes - 1}; got values from "',
        ),
        ('"integers; call .long() on them"', '"integers: convert them with .to(torch.int64)"'),
        (
            '"probabilities must be float; call .float() on it (or pass the indices)"',
            '"probabilities must be floating point: .to(torch.float32) (or pass the indices)"',
        ),
        (
            'f"logits {tuple(logits.shape)} and targets {tuple(targets.shape)} must have "',
            'f"logits of {logits.shape} and targets of {targets.shape} must have "',
        ),
    ),
]
