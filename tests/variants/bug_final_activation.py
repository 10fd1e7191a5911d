"""Wrong and right ways to fix kata/bug_final_activation.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

FIXED = (
    "    return nn.Sequential(*layers[:-1])  # no ReLU after the last layer: logits are any number"
)

BROKEN = [
    Variant(
        "the stub's bug: a ReLU after the last Linear",
        (FIXED, "    return nn.Sequential(*layers)"),
    ),
    Variant(
        "a sigmoid after the last Linear",
        (FIXED, "    return nn.Sequential(*layers[:-1], nn.Sigmoid())"),
    ),
    Variant(
        "a softmax after the last Linear",
        (FIXED, "    return nn.Sequential(*layers[:-1], nn.Softmax(dim=1))"),
    ),
    Variant(
        "a tanh after the last Linear",
        (FIXED, "    return nn.Sequential(*layers[:-1], nn.Tanh())"),
    ),
    Variant(
        "a leaky ReLU after the last Linear",
        (FIXED, "    return nn.Sequential(*layers[:-1], nn.LeakyReLU())"),
    ),
    Variant(
        "every ReLU dropped, the hidden one too",
        (FIXED, "    return nn.Sequential(layers[0], layers[2])"),
    ),
    Variant(
        "the hidden ReLU dropped instead of the last",
        (FIXED, "    return nn.Sequential(layers[0], layers[2], layers[3])"),
    ),
    Variant(
        "a ReLU in front of each Linear instead of after the first",
        (
            "        layers += [nn.Linear(n_in, n_out), nn.ReLU()]\n" + FIXED,
            "        layers += [nn.ReLU(), nn.Linear(n_in, n_out)]\n    return nn.Sequential(*layers)",
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "written out as one nn.Sequential",
        append="""
        def make_classifier(in_features, hidden, n_classes):
            return nn.Sequential(
                nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, n_classes)
            )
        """,
    ),
    Variant(
        "the last ReLU replaced by nn.Identity",
        (FIXED, "    return nn.Sequential(*layers[:-1], nn.Identity())"),
    ),
    Variant(
        "layers appended one by one, an in-place ReLU between them",
        append="""
        def make_classifier(in_features, hidden, n_classes):
            model = nn.Sequential()
            model.append(nn.Linear(in_features, hidden))
            model.append(nn.ReLU(inplace=True))
            model.append(nn.Linear(hidden, n_classes))
            return model
        """,
    ),
]
