"""Wrong and right ways to write kata/tensors.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

BROKEN = [
    Variant(
        "counting_grid transposed: column by column",
        (
            "torch.arange(rows * cols).reshape(rows, cols)",
            "torch.arange(rows * cols).reshape(cols, rows).T",
        ),
    ),
    Variant(
        "seeded_uniform draws from the global generator",
        (
            "    generator = torch.Generator().manual_seed(seed)\n    return torch.rand(shape, generator=generator)",
            "    torch.manual_seed(seed)\n    return torch.rand(shape)",
        ),
    ),
    Variant(
        "flatten_batch with .view: fails on a transposed tensor",
        ("x.reshape(x.shape[0], -1)", "x.view(x.shape[0], -1)"),
    ),
    Variant(
        "flatten_batch copies always",
        ("x.reshape(x.shape[0], -1)", "x.reshape(x.shape[0], -1).clone()"),
    ),
    Variant("numpy_view copies", ("torch.from_numpy(a)", "torch.tensor(a)")),
    Variant("to_numpy forgets .detach()", ("t.detach().cpu().numpy()", "t.cpu().numpy()")),
    Variant("linear_forward without the transpose", ("x @ weight.T + bias", "x @ weight + bias")),
    Variant(
        "pairwise_differences the wrong way round",
        ("a.unsqueeze(1) - b.unsqueeze(0)", "a.unsqueeze(0) - b.unsqueeze(1)"),
    ),
]

ALTERNATIVES = [
    Variant(
        "counting_grid with .view",
        (
            "torch.arange(rows * cols).reshape(rows, cols)",
            "torch.arange(rows * cols).view(rows, cols)",
        ),
    ),
    Variant(
        "pairwise_differences by indexing with None",
        ("a.unsqueeze(1) - b.unsqueeze(0)", "a[:, None] - b[None, :]"),
    ),
    Variant(
        "linear_forward with torch.nn.functional.linear",
        append="""
        def linear_forward(x, weight, bias):
            if x.ndim != 2 or weight.ndim != 2 or bias.shape != (weight.shape[0],) or x.shape[1] != weight.shape[1]:
                raise ValueError(f"shapes do not fit: x {tuple(x.shape)}, weight {tuple(weight.shape)}, bias {tuple(bias.shape)}")
            return torch.nn.functional.linear(x, weight, bias)
        """,
    ),
    Variant(
        "error messages in other words, shapes as torch.Size and lists",
        (
            'f"rows and cols must be >= 0, got rows={rows}, cols={cols}"',
            'f"no grid of {rows} x {cols}"',
        ),
        (
            '"flatten_batch needs a batch dimension; got a 0-dimensional tensor"',
            '"a scalar has nothing to flatten"',
        ),
        (
            '"need x (N, in), weight (out, in), bias (out,); got "\n'
            '            f"x {tuple(x.shape)}, weight {tuple(weight.shape)}, bias {tuple(bias.shape)}"',
            'f"x {x.shape} and weight {weight.shape} must both be 2-D (bias {bias.shape})"',
        ),
        (
            'f"x has {x.shape[1]} features per row but weight expects {weight.shape[1]}: "\n'
            '            f"x {tuple(x.shape)}, weight {tuple(weight.shape)}"',
            'f"cannot multiply x of {list(x.shape)} by weight of {list(weight.shape)}"',
        ),
    ),
]
