"""Wrong and right ways to write kata/bug_missing_eval.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

_MODES = "    modes = {module: module.training for module in model.modules()}\n"
_RESTORE = (
    "        for module, training in modes.items():  # each back in its own mode, not the model's\n"
    "            module.training = training\n"
)
_FIX = (
    _MODES + "    model.eval()  # dropout off, batch norm uses (and keeps) its running statistics\n"
    "    try:\n"
    "        with torch.no_grad():\n"
    "            return model(X)\n"
    "    finally:\n" + _RESTORE
)

BROKEN = [
    Variant(
        "the stub's bug: no model.eval()",
        (_FIX, "    with torch.no_grad():\n        return model(X)\n"),
    ),
    Variant(
        "eval() but never gives the model its mode back",
        (_FIX, "    model.eval()\n    with torch.no_grad():\n        return model(X)\n"),
    ),
    Variant(
        "puts the model back in train mode whatever it was in",
        (_RESTORE, "        model.train()\n"),
    ),
    Variant(
        "gives the modes back on the normal path only: a forward pass that raises leaves eval mode",
        (
            "    try:\n        with torch.no_grad():\n            return model(X)\n    finally:\n"
            + _RESTORE,
            "    with torch.no_grad():\n"
            "        out = model(X)\n"
            "    for module, training in modes.items():\n"
            "        module.training = training\n"
            "    return out\n",
        ),
    ),
    Variant(
        "reads the modes after model.eval()",
        (
            _MODES + "    model.eval()  #",
            "    model.eval()\n" + _MODES + "    #",
        ),
    ),
    Variant(
        "sets model.training = False: the children stay in training mode",
        ("    model.eval()  #", "    model.training = False  #"),
    ),
    Variant(
        "switches only the dropout layers to eval mode",
        (
            "    model.eval()  #",
            "    for m in model.modules():\n"
            "        if isinstance(m, nn.Dropout):\n"
            "            m.eval()\n"
            "    #",
        ),
    ),
    Variant(
        "eval() but drops no_grad: the predictions carry a graph",
        (
            "        with torch.no_grad():\n            return model(X)\n",
            "        return model(X)\n",
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "gives the model back with model.train(was_training)",
        (_MODES, "    was_training = model.training\n"),
        (_RESTORE, "        model.train(was_training)\n"),
    ),
    Variant(
        "torch.inference_mode() instead of no_grad",
        ("        with torch.no_grad():\n", "        with torch.inference_mode():\n"),
    ),
    Variant(
        "evaluates a deep copy in eval mode and leaves the model untouched",
        (
            _FIX,
            "    import copy\n\n    with torch.no_grad():\n        return copy.deepcopy(model).eval()(X)\n",
        ),
    ),
    Variant(
        "every module's mode kept as a list of pairs, under torch.inference_mode()",
        append="""
        def predict(model, X):
            modes = [(m, m.training) for m in model.modules()]
            model.eval()
            try:
                with torch.inference_mode():
                    out = model(X)
            finally:
                for m, mode in modes:
                    m.training = mode
            return out
        """,
    ),
    Variant(
        "every module's mode kept by name and given back with train(mode), output detached",
        append="""
        def predict(model, X):
            saved = {name: m.training for name, m in model.named_modules()}
            model.train(False)
            try:
                out = model(X).detach()
            finally:
                for name, m in model.named_modules():
                    m.train(saved[name])
            return out
        """,
    ),
    Variant(
        "remembers and restores every module's own mode, and detaches instead of no_grad",
        (
            _FIX,
            "    modes = {m: m.training for m in model.modules()}\n"
            "    model.eval()\n"
            "    try:\n"
            "        return model(X).detach()\n"
            "    finally:\n"
            "        for m, mode in modes.items():\n"
            "            m.training = mode\n",
        ),
    ),
]
