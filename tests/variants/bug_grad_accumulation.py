"""Wrong and right ways to write kata/bug_grad_accumulation.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

_ZERO = (
    "    optimizer.zero_grad()  # backward() adds into .grad: clear what earlier steps left there\n"
)

BROKEN = [
    Variant("the stub's bug: no zero_grad, gradients pile up", (_ZERO, "")),
    Variant(
        "zero_grad after step: what earlier code left in .grad leaks into the first step",
        (_ZERO, ""),
        ("    optimizer.step()\n", "    optimizer.step()\n    optimizer.zero_grad()\n"),
    ),
    Variant(
        "zero_grad between backward and step: the step finds no gradient",
        (_ZERO, ""),
        ("    loss.backward()\n", "    loss.backward()\n    optimizer.zero_grad()\n"),
    ),
    Variant(
        "p.grad.zero_() on every parameter: fails while .grad is still None",
        (_ZERO, "    for p in model.parameters():\n        p.grad.zero_()\n"),
    ),
    Variant(
        "fixes the bug but returns the loss after the step",
        (
            "    return loss.item()",
            "    with torch.no_grad():\n        return loss_fn(model(X), y).item()",
        ),
    ),
    Variant(
        "fixes the bug but returns the loss tensor",
        ("    return loss.item()", "    return loss.detach()"),
    ),
]

ALTERNATIVES = [
    Variant(
        "zero_grad first, before the forward pass",
        (_ZERO, ""),
        ("    model.train()\n", "    optimizer.zero_grad()\n    model.train()\n"),
    ),
    Variant("model.zero_grad() instead of the optimizer's", (_ZERO, "    model.zero_grad()\n")),
    Variant(
        "zero_grad(set_to_none=False): zeros in place",
        (_ZERO, "    optimizer.zero_grad(set_to_none=False)\n"),
    ),
    Variant(
        "sets each .grad by hand from torch.autograd.grad",
        (_ZERO, ""),
        (
            "    loss.backward()\n",
            "    params = [p for p in model.parameters() if p.requires_grad]\n"
            "    for p, g in zip(params, torch.autograd.grad(loss, params)):\n"
            "        p.grad = g\n",
        ),
    ),
]
