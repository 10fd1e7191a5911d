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
        "fixes the bug but drops model.train(): a model left in eval mode trains in it",
        ("    model.train()\n", ""),
    ),
    Variant(
        "fixes the bug but calls loss_fn(y, model(X)): arguments swapped, hidden by MSELoss",
        ("    loss = loss_fn(model(X), y)", "    loss = loss_fn(y, model(X))"),
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
        "model.zero_grad() first of all",
        (_ZERO, ""),
        ("    model.train()\n", "    model.zero_grad()\n    model.train()\n"),
    ),
    Variant(
        "sets every .grad of the optimizer's parameters to None by hand before backward()",
        (
            _ZERO,
            '    for group in optimizer.param_groups:\n        for param in group["params"]:\n'
            "            param.grad = None\n",
        ),
        ("    return loss.item()", "    return float(loss.item())"),
    ),
    Variant(
        "writes into .grad what torch.autograd.grad gives for the optimizer's parameters",
        append="""
        def train_step(model, loss_fn, optimizer, X, y):
            model.train()
            params = [p for g in optimizer.param_groups for p in g["params"]]
            for p in params:
                p.grad = None
            params = [p for p in params if p.requires_grad]
            loss = loss_fn(model(X), y)
            grads = torch.autograd.grad(loss, params, allow_unused=True)
            for p, g in zip(params, grads):
                p.grad = g
            optimizer.step()
            return loss.item()
        """,
    ),
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
