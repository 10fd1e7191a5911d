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
    Variant(
        "counting_grid without its own check: a negative size raises torch's RuntimeError",
        append="""
        def counting_grid(rows, cols):
            return torch.arange(rows * cols).reshape(rows, cols)
        """,
    ),
    Variant(
        "seeded_uniform unpacks the shape: torch.rand(*()) has no size for a 0-d tensor",
        (
            "torch.rand(shape, generator=generator)",
            "torch.rand(*shape, generator=generator)",
        ),
    ),
    Variant(
        "describe gives the torch.device itself, not a str",
        ('"device": str(t.device)', '"device": t.device'),
    ),
    Variant(
        "flatten_batch with .contiguous().view: copies a slice that a view could flatten",
        ("x.reshape(x.shape[0], -1)", "x.contiguous().view(x.shape[0], -1)"),
    ),
    Variant(
        "mean_as_float as sum / numel: a float64 tensor keeps a float64 mean",
        ("t.to(torch.float32).mean()", "t.sum() / t.numel()"),
    ),
    Variant(
        "mean_as_float divides Python numbers: an empty tensor raises ZeroDivisionError",
        ("t.to(torch.float32).mean()", "torch.tensor(t.sum().item() / t.numel())"),
    ),
    Variant(
        "linear_forward checks x against weight only: a bias of shape (1,) broadcasts",
        append="""
        def linear_forward(x, weight, bias):
            if x.shape[-1] != weight.shape[-1]:
                raise ValueError(f"x {tuple(x.shape)} does not fit weight {tuple(weight.shape)}")
            return x @ weight.T + bias
        """,
    ),
    Variant(
        "linear_forward's error does not name the shapes",
        append="""
        def linear_forward(x, weight, bias):
            if (
                x.ndim != 2 or weight.ndim != 2 or bias.ndim != 1
                or x.shape[1] != weight.shape[1] or bias.shape[0] != weight.shape[0]
            ):
                raise ValueError("the shapes of x, weight and bias do not fit together")
            return x @ weight.T + bias
        """,
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
    Variant(
        "counting_grid by index arithmetic, its error a ValueError subclass",
        append="""
        class GridSizeError(ValueError):
            pass

        def counting_grid(rows, cols):
            if rows < 0 or cols < 0:
                raise GridSizeError(f"rows and cols must be >= 0, got {rows} and {cols}")
            return torch.arange(rows).unsqueeze(1) * cols + torch.arange(cols).unsqueeze(0)
        """,
    ),
    Variant(
        "seeded_uniform seeds the global generator inside torch.random.fork_rng",
        append="""
        def seeded_uniform(shape, seed):
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)
                return torch.rand(shape, dtype=torch.float32)
        """,
    ),
    Variant(
        "other calls: dim(), math.prod, an f-string device, flatten(1), as_tensor, "
        "numpy(force=True), mean(dtype=)",
        append="""
        import math

        def describe(t):
            return {"shape": tuple(int(s) for s in t.size()), "ndim": t.dim(),
                    "numel": math.prod(t.size()), "dtype": t.dtype, "device": f"{t.device}"}

        def flatten_batch(x):
            if x.dim() == 0:
                raise ValueError(f"cannot flatten shape {tuple(x.shape)}: no batch dimension")
            return x.flatten(start_dim=1) if x.dim() > 1 else x.unsqueeze(1)

        def mean_as_float(t):
            return torch.mean(t, dtype=torch.float32)

        def numpy_view(a):
            return torch.as_tensor(a)

        def to_numpy(t):
            return t.numpy(force=True)
        """,
    ),
    Variant(
        "describe keeps the torch.Size; linear_forward names torch.Size shapes; "
        "pairwise_differences by reshape",
        ('"shape": tuple(t.shape)', '"shape": t.shape'),
        append="""
        def linear_forward(x, weight, bias):
            ok = (x.dim() == 2 and weight.dim() == 2 and bias.dim() == 1
                  and x.size(1) == weight.size(1) and bias.size(0) == weight.size(0))
            if not ok:
                raise ValueError(
                    f"x {x.shape}, weight {weight.shape} and bias {bias.shape} do not fit: "
                    "need x (N, in), weight (out, in), bias (out,)")
            return torch.nn.functional.linear(x, weight, bias)

        def pairwise_differences(a, b):
            return a.reshape(-1, 1) - b.reshape(1, -1)
        """,
    ),
]
