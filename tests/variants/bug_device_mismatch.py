"""Wrong and right ways to write kata/bug_device_mismatch.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

_MOVE = "    X = X.to(device_of(model))  # Tensor.to returns a new tensor: keep it\n"

BROKEN = [
    Variant("the stub's bug: X.to(...) thrown away", (_MOVE, "    X.to(device_of(model))\n")),
    Variant(
        "moves X under a new name, then passes the old X",
        (_MOVE, "    X_on_device = X.to(device_of(model))  # noqa: F841\n"),
    ),
    Variant(
        "moves the model to the data instead",
        (_MOVE, "    model.to(X.device)\n"),
    ),
    Variant(
        "finds the device from the first parameter only",
        (_MOVE, "    X = X.to(next(model.parameters()).device)\n"),
    ),
    Variant(
        "moves X to the best device of the machine, not the model's",
        (
            _MOVE,
            '    X = X.to("cuda" if torch.cuda.is_available() else "cpu")\n',
        ),
    ),
    Variant(
        "brings the result back to the data's device",
        ("        return model(X)", "        return model(X).to(device)"),
        (_MOVE, "    device = X.device\n" + _MOVE),
    ),
    Variant(
        "fixes the move but builds a graph",
        ("    with torch.no_grad():\n        return model(X)", "    return model(X)"),
    ),
    Variant(
        "grad switched off with set_grad_enabled(False) and never back on",
        (
            "    with torch.no_grad():\n        return model(X)",
            "    torch.set_grad_enabled(False)\n    return model(X)",
        ),
    ),
    Variant(
        "model.eval() first, and the caller's model left in eval mode",
        (_MOVE, "    model.eval()\n" + _MOVE),
    ),
    Variant(
        "eval mode for the forward pass, then back to train: not the outputs of the model as it is",
        (
            "    with torch.no_grad():\n        return model(X)",
            "    model.eval()\n    try:\n        with torch.no_grad():\n            return model(X)\n"
            "    finally:\n        model.train()",
        ),
    ),
    Variant(
        "finds the device by hand: a model with no parameters and no buffers raises StopIteration",
        (
            _MOVE,
            "    X = X.to(next(itertools.chain(model.parameters(), model.buffers())).device)\n",
        ),
        ("import torch\n", "import itertools\n\nimport torch\n"),
    ),
]

ALTERNATIVES = [
    Variant(
        "finds the device by hand and moves with non_blocking",
        (
            _MOVE,
            "    tensors = [*model.parameters(), *model.buffers()]\n"
            "    if not tensors:\n"
            '        raise ValueError("a model with no parameters and no buffers has no device")\n'
            "    X = X.to(device=tensors[0].device, non_blocking=True)\n",
        ),
    ),
    Variant(
        "inference_mode instead of no_grad",
        ("    with torch.no_grad():\n", "    with torch.inference_mode():\n"),
    ),
    Variant(
        "forward, then .detach()",
        ("    with torch.no_grad():\n        return model(X)", "    return model(X).detach()"),
    ),
    Variant(
        "the torch.no_grad() decorator, the device found inline from parameters then buffers",
        append="""
        import itertools


        @torch.no_grad()
        def predict(model, X):
            first = next(itertools.chain(model.parameters(), model.buffers()), None)
            if first is None:
                raise ValueError("the model has no parameters and no buffers: it lives on no device")
            return model(X.to(device=first.device))
        """,
    ),
    Variant(
        "set_grad_enabled(False) as a context, X moved with non_blocking",
        (
            _MOVE + "    with torch.no_grad():\n        return model(X)",
            "    device = device_of(model)\n"
            "    with torch.set_grad_enabled(False):\n"
            "        out = model(X.to(device, non_blocking=True))\n"
            "    return out",
        ),
    ),
]
