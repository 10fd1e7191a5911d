"""Wrong and right ways to write kata/bug_missing_eval.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

_FIX = (
    "    was_training = model.training\n"
    "    model.eval()  # dropout off, batch norm uses (and keeps) its running statistics\n"
    "    try:\n"
    "        with torch.no_grad():\n"
    "            return model(X)\n"
    "    finally:\n"
    "        model.train(was_training)\n"
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
        ("        model.train(was_training)\n", "        model.train()\n"),
    ),
    Variant(
        "reads model.training after model.eval()",
        (
            "    was_training = model.training\n    model.eval()  #",
            "    model.eval()\n    was_training = model.training  #",
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
