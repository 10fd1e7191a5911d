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
    Variant(
        "make_mlp with a ReLU in front of every Linear instead of between them",
        (
            "        layers += [nn.Linear(n_in, n_out), nn.ReLU()]\n"
            "    return nn.Sequential(*layers[:-1])",
            "        layers += [nn.ReLU(), nn.Linear(n_in, n_out)]\n    return nn.Sequential(*layers)",
        ),
    ),
    Variant(
        "make_mlp builds its first layer from hidden[0], so an empty hidden fails",
        append="""
        def make_mlp(in_features, hidden, out_features):
            if in_features < 1 or out_features < 1 or any(h < 1 for h in hidden):
                raise ValueError(f"sizes must be >= 1: {in_features}, {list(hidden)}, {out_features}")
            layers = [nn.Flatten(), nn.Linear(in_features, hidden[0])]
            for i in range(1, len(hidden)):
                layers += [nn.ReLU(), nn.Linear(hidden[i - 1], hidden[i])]
            layers += [nn.ReLU(), nn.Linear(hidden[-1], out_features)]
            return nn.Sequential(*layers)
        """,
    ),
    Variant(
        "make_mlp adds in_features and out_features to the caller's hidden list",
        (
            "    widths = [in_features, *hidden, out_features]\n",
            "    widths = hidden\n    widths.insert(0, in_features)\n    widths.append(out_features)\n",
        ),
    ),
    Variant(
        "make_mlp's size error holds no size",
        (
            'f"every layer size must be >= 1; got in_features={in_features}, "\n'
            '            f"hidden={list(hidden)}, out_features={out_features}"',
            '"every layer needs at least one unit"',
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
    Variant(
        "make_mlp with Sequential.append, a ReLU before every Linear but the first, a ValueError subclass",
        append="""
        class LayerSizeError(ValueError):
            pass


        def make_mlp(in_features, hidden, out_features):
            sizes = [in_features] + list(hidden) + [out_features]
            for s in sizes:
                if s < 1:
                    raise LayerSizeError(
                        f"bad layer size {s}: in_features={in_features}, hidden={list(hidden)}, "
                        f"out_features={out_features} must all be positive"
                    )
            model = nn.Sequential(nn.Flatten())
            for i in range(len(sizes) - 1):
                if i > 0:
                    model.append(nn.ReLU())
                model.append(nn.Linear(sizes[i], sizes[i + 1]))
            return model
        """,
    ),
    Variant(
        "make_mlp with layers named fc1, relu1, ..., out in an OrderedDict",
        append="""
        from collections import OrderedDict


        def make_mlp(in_features, hidden, out_features):
            named = [("in_features", in_features), *((f"hidden[{i}]", h) for i, h in enumerate(hidden))]
            for name, value in [*named, ("out_features", out_features)]:
                if value < 1:
                    raise ValueError(
                        f"{name} must be >= 1, got {value} "
                        f"(sizes {in_features} -> {list(hidden)} -> {out_features})"
                    )
            layers = OrderedDict(flatten=nn.Flatten())
            prev = in_features
            for i, width in enumerate(hidden, start=1):
                layers[f"fc{i}"] = nn.Linear(prev, width)
                layers[f"relu{i}"] = nn.ReLU()
                prev = width
            layers["out"] = nn.Linear(prev, out_features)
            return nn.Sequential(layers)
        """,
    ),
    Variant(
        "make_mlp with the hidden blocks from a list comprehension, in-place ReLUs",
        append="""
        def make_mlp(in_features, hidden, out_features):
            widths = (in_features, *hidden, out_features)
            if min(widths) < 1:
                raise ValueError(
                    f"sizes must be at least 1: in {in_features}, hidden {tuple(hidden)}, out {out_features}"
                )
            pairs = list(pairwise(widths))
            blocks = [m for a, b in pairs[:-1] for m in (nn.Linear(a, b), nn.ReLU(inplace=True))]
            return nn.Sequential(nn.Flatten(), *blocks, nn.Linear(*pairs[-1]))
        """,
    ),
]
