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
]

ALTERNATIVES = [
    Variant(
        "finds the device by hand and moves with non_blocking",
        (
            _MOVE,
            "    first = next(iter([*model.parameters(), *model.buffers()]))\n"
            "    X = X.to(device=first.device, non_blocking=True)\n",
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
]
