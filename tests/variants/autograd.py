"""Wrong and right ways to write kata/autograd.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

GRAD_LEAF = """    leaf = x.detach().clone().requires_grad_(True)
    out = f(leaf)"""
SCALAR_CHECK = "if out.numel() != 1:"
ACC_LOOP = """    for _ in range(times):
        f(leaf).backward()"""
NO_GRAD = """    with torch.no_grad():
        return f(x)"""
STE = "return x + (x.round() - x).detach()"
CUBE_BACKWARD = "return grad_output * 3 * x**2"

BROKEN = [
    Variant(
        "grad_of works on x.clone(): the gradient flows into the caller's x",
        (GRAD_LEAF, "    leaf = x.clone().requires_grad_(True)\n    out = f(leaf)"),
        (
            "    out.backward()\n    return leaf.grad",
            "    leaf.retain_grad()\n    out.backward()\n    return leaf.grad",
        ),
    ),
    Variant(
        "grad_of switches on requires_grad of the caller's x",
        (GRAD_LEAF, "    leaf = x.requires_grad_(True)\n    out = f(leaf)"),
    ),
    Variant(
        "grad_of works on the caller's x, then sets its .grad and requires_grad to fixed values",
        append="""
        def grad_of(f, x):
            x.requires_grad_(True)
            out = f(x)
            if out.numel() != 1:
                raise ValueError(f"f must return a scalar, got shape {tuple(out.shape)}")
            out.backward()
            grad = x.grad.clone()
            x.grad = None
            x.requires_grad_(False)
            return grad
        """,
    ),
    Variant(
        "grad_of skips the scalar check",
        (SCALAR_CHECK, "if False:"),
    ),
    Variant(
        "grad_of demands a 0-dim output, refusing a one-element (1,) tensor",
        (SCALAR_CHECK, "if out.ndim != 0:"),
    ),
    Variant(
        "grad_of sums a non-scalar output instead of refusing it",
        (SCALAR_CHECK, "out = out.sum()\n    if False:"),
    ),
    Variant(
        "accumulated_grad zeroes the gradient between passes",
        (
            ACC_LOOP,
            "    for _ in range(times):\n        leaf.grad = None\n        f(leaf).backward()",
        ),
    ),
    Variant(
        "accumulated_grad multiplies one gradient instead of accumulating",
        (
            ACC_LOOP,
            "    f(leaf).backward()\n    leaf.grad *= times\n    for _ in range(0):\n        pass",
        ),
    ),
    Variant(
        "accumulated_grad runs one pass too few",
        (ACC_LOOP, "    for _ in range(1, times):\n        f(leaf).backward()"),
    ),
    Variant(
        "accumulated_grad accepts times = 0",
        ("if times < 1:", "if times < 0:"),
    ),
    Variant(
        "predict_without_graph detaches afterwards: the graph is still built",
        (NO_GRAD, "    return f(x).detach()"),
    ),
    Variant(
        "predict_without_graph switches grad mode off and leaves it off",
        (NO_GRAD, "    torch.set_grad_enabled(False)\n    return f(x)"),
    ),
    Variant(
        "predict_without_graph switches grad mode off and on without try/finally",
        (
            NO_GRAD,
            "    torch.set_grad_enabled(False)\n    y = f(x)\n"
            "    torch.set_grad_enabled(True)\n    return y",
        ),
    ),
    Variant(
        "predict_without_graph turns grad mode back on, not back to the caller's",
        (
            NO_GRAD,
            "    torch.set_grad_enabled(False)\n    try:\n        return f(x)\n"
            "    finally:\n        torch.set_grad_enabled(True)",
        ),
    ),
    Variant(
        "predict_without_graph detaches the input only: a parameter inside f still records",
        (NO_GRAD, "    return f(x.detach())"),
    ),
    Variant(
        "straight_through_round without detach: gradient 0",
        (STE, "return x + (x.round() - x)"),
    ),
    Variant("straight_through_round is plain round()", (STE, "return x.round()")),
    Variant(
        "straight_through_round floors",
        (STE, "return x + (x.floor() - x).detach()"),
    ),
    Variant(
        "straight_through_round rounds halves up with floor(x + 0.5)",
        (STE, "return x + (torch.floor(x + 0.5) - x).detach()"),
    ),
    Variant(
        "Cube backward forgets grad_output",
        (CUBE_BACKWARD, "return 3 * x**2"),
    ),
    Variant(
        "Cube backward differentiates wrongly: 3 x",
        (CUBE_BACKWARD, "return grad_output * 3 * x"),
    ),
    Variant(
        "Cube saves its output and treats it as the input",
        (
            "ctx.save_for_backward(x)\n        return x**3",
            "y = x**3\n        ctx.save_for_backward(y)\n        return y",
        ),
    ),
    Variant(
        "Cube keeps x as a ctx attribute: an in-place change of x goes unnoticed",
        append="""
        class Cube(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.x = x
                return x**3

            @staticmethod
            def backward(ctx, grad_output):
                return grad_output * 3 * ctx.x**2
        """,
    ),
]

ALTERNATIVES = [
    Variant(
        "predict_without_graph with inference_mode",
        (NO_GRAD, "    with torch.inference_mode():\n        return f(x)"),
    ),
    Variant(
        "grad_of with torch.autograd.grad on a detached leaf, no clone",
        append="""
        def grad_of(f, x):
            leaf = x.detach().requires_grad_()
            out = f(leaf)
            if out.numel() != 1:
                raise ValueError(f"need a scalar output, got shape {tuple(out.shape)}")
            (grad,) = torch.autograd.grad(out.reshape(()), leaf)
            return grad
        """,
    ),
    Variant(
        "grad_of with torch.autograd.grad, its error a ValueError subclass",
        append="""
        class NotAScalarError(ValueError):
            pass

        def grad_of(f, x):
            leaf = x.detach().clone().requires_grad_(True)
            out = f(leaf)
            if out.numel() != 1:
                raise NotAScalarError(
                    f"cannot differentiate an output of shape {tuple(out.shape)}: "
                    f"it has {out.numel()} elements, not 1"
                )
            (grad,) = torch.autograd.grad(out, leaf)
            return grad
        """,
    ),
    Variant(
        "accumulated_grad keeps one graph with retain_graph=True",
        (
            ACC_LOOP,
            "    out = f(leaf)\n    for _ in range(times):\n        out.backward(retain_graph=True)",
        ),
    ),
    Variant(
        "predict_without_graph with set_grad_enabled(False) as a context",
        (NO_GRAD, "    with torch.set_grad_enabled(False):\n        return f(x)"),
    ),
    Variant(
        "predict_without_graph with the no_grad decorator",
        append="""
        @torch.no_grad()
        def predict_without_graph(f, x):
            return f(x)
        """,
    ),
    Variant(
        "predict_without_graph saves and restores grad mode in a try/finally",
        (
            NO_GRAD,
            "    was_enabled = torch.is_grad_enabled()\n    torch.set_grad_enabled(False)\n"
            "    try:\n        return f(x)\n    finally:\n"
            "        torch.set_grad_enabled(was_enabled)",
        ),
    ),
    Variant(
        "straight_through_round as a custom autograd.Function: round forward, identity back",
        append="""
        class _RoundStraightThrough(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x.round()

            @staticmethod
            def backward(ctx, grad_output):
                return grad_output

        def straight_through_round(x):
            return _RoundStraightThrough.apply(x)
        """,
    ),
    Variant(
        "straight_through_round as detached round plus x minus detached x",
        (STE, "return x.round().detach() + x - x.detach()"),
    ),
    Variant(
        "Cube with x * x * x and 3 * x * x",
        ("        return x**3", "        return x * x * x"),
        (CUBE_BACKWARD, "return 3 * x * x * grad_output"),
    ),
    Variant(
        "error messages in other words: the shape as torch.Size, times unnamed",
        (
            'f"f must return a scalar to call backward() on, got shape {tuple(out.shape)}"',
            'f"backward() needs one number, but f gave a tensor of {out.shape}"',
        ),
        ('f"times must be at least 1, got {times}"', 'f"cannot run {times} backward passes"'),
    ),
]
