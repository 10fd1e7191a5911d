"""Wrong and right ways to write kata/mlp.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

BROKEN = [
    Variant(
        "make_mlp keeps the ReLU after the last Linear",
        ("return nn.Sequential(*layers[:-1])", "return nn.Sequential(*layers)"),
    ),
    Variant(
        "make_mlp without nn.Flatten",
        ("layers: list[nn.Module] = [nn.Flatten()]", "layers: list[nn.Module] = []"),
    ),
    Variant(
        "make_mlp flattens the batch dimension too",
        ("layers: list[nn.Module] = [nn.Flatten()]", "layers: list[nn.Module] = [nn.Flatten(0)]"),
    ),
    Variant(
        "make_mlp lets a width of 0 through",
        ("if any(width < 1 for width in widths):", "if any(width < 0 for width in widths):"),
    ),
    Variant(
        "make_mlp checks in_features and out_features but not hidden",
        (
            "if any(width < 1 for width in widths):",
            "if in_features < 1 or out_features < 1:",
        ),
    ),
    Variant(
        "make_mlp with sigmoid between the layers",
        (
            "layers += [nn.Linear(n_in, n_out), nn.ReLU()]",
            "layers += [nn.Linear(n_in, n_out), nn.Sigmoid()]",
        ),
    ),
    Variant(
        "make_mlp without biases",
        (
            "layers += [nn.Linear(n_in, n_out), nn.ReLU()]",
            "layers += [nn.Linear(n_in, n_out, bias=False), nn.ReLU()]",
        ),
    ),
    Variant(
        "make_mlp with a ReLU before the first Linear too",
        (
            "layers: list[nn.Module] = [nn.Flatten()]",
            "layers: list[nn.Module] = [nn.Flatten(), nn.ReLU()]",
        ),
    ),
    Variant(
        "make_mlp takes the hidden widths in reverse",
        (
            "widths = [in_features, *hidden, out_features]",
            "widths = [in_features, *reversed(hidden), out_features]",
        ),
    ),
    Variant(
        "make_mlp drops the first hidden layer",
        (
            "widths = [in_features, *hidden, out_features]",
            "widths = [in_features, *hidden[1:], out_features]",
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "make_mlp with an index loop that adds a ReLU unless last",
        append="""
        def make_mlp(in_features, hidden, out_features):
            sizes = [in_features] + list(hidden) + [out_features]
            for size in sizes:
                if size < 1:
                    raise ValueError(
                        f"sizes must be positive: in_features={in_features}, "
                        f"hidden={list(hidden)}, out_features={out_features}"
                    )
            model = nn.Sequential(nn.Flatten(start_dim=1))
            for i in range(len(sizes) - 1):
                model.append(nn.Linear(sizes[i], sizes[i + 1]))
                if i < len(sizes) - 2:
                    model.append(nn.ReLU(inplace=True))
            return model
        """,
    ),
    Variant(
        "make_mlp with named layers in an OrderedDict and zip",
        append="""
        from collections import OrderedDict

        def make_mlp(in_features, hidden, out_features):
            widths = [in_features, *hidden, out_features]
            if min(widths) < 1:
                raise ValueError(
                    f"in_features={in_features}, hidden={list(hidden)}, "
                    f"out_features={out_features}: each must be at least 1"
                )
            named = [("flatten", nn.Flatten())]
            for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
                if i:
                    named.append((f"relu{i}", nn.ReLU()))
                named.append((f"fc{i}", nn.Linear(a, b)))
            return nn.Sequential(OrderedDict(named))
        """,
    ),
    Variant(
        "the size error in other words: the widths as one list",
        (
            'f"every layer size must be >= 1; got in_features={in_features}, "\n'
            '            f"hidden={list(hidden)}, out_features={out_features}"',
            'f"layer widths {widths} must all be positive"',
        ),
    ),
]
