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
]
