"""Wrong and right ways to write kata/bug_inference_tensor.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

_FIX = (
    "    with torch.no_grad():  # inference_mode would make inference tensors, unfit for training\n"
    "        return backbone(X)\n"
)

BROKEN = [
    Variant(
        "the stub's bug: torch.inference_mode()",
        (_FIX, "    with torch.inference_mode():\n        return backbone(X)\n"),
    ),
    Variant(
        "no context at all: a graph back into the backbone", (_FIX, "    return backbone(X)\n")
    ),
    Variant(
        "inference_mode, then .detach(): still an inference tensor",
        (
            _FIX,
            "    with torch.inference_mode():\n        features = backbone(X)\n    return features.detach()\n",
        ),
    ),
    Variant(
        "inference_mode, cloned inside the block: the clone is an inference tensor too",
        (_FIX, "    with torch.inference_mode():\n        return backbone(X).clone()\n"),
    ),
    Variant(
        "inference_mode, then requires_grad_() to make it trainable",
        (
            _FIX,
            "    with torch.inference_mode():\n        features = backbone(X)\n    return features.requires_grad_()\n",
        ),
    ),
    Variant(
        "no_grad, then requires_grad_(): the features ask for a gradient",
        ("        return backbone(X)\n", "        return backbone(X).requires_grad_()\n"),
    ),
    Variant(
        "forward, then .detach(): the graph is recorded, then dropped",
        (_FIX, "    return backbone(X).detach()\n"),
    ),
    Variant(
        "grad switched off globally, then on again: not the caller's mode if it was off",
        append="""
        def frozen_features(backbone, X):
            torch.set_grad_enabled(False)
            features = backbone(X)
            torch.set_grad_enabled(True)
            return features
        """,
    ),
    Variant(
        "grad switched off globally and put back, but not when the backbone raises",
        append="""
        def frozen_features(backbone, X):
            was = torch.is_grad_enabled()
            torch.set_grad_enabled(False)
            features = backbone(X)
            torch.set_grad_enabled(was)
            return features
        """,
    ),
    Variant(
        "backbone.eval() first, and the caller's backbone left in eval mode",
        (_FIX, "    backbone.eval()\n" + _FIX),
    ),
    Variant(
        "eval mode for the forward pass, then back to train: not the caller's mode's output",
        (
            _FIX,
            "    was = backbone.training\n    backbone.eval()\n    try:\n"
            "        with torch.no_grad():\n            return backbone(X)\n"
            "    finally:\n        backbone.train(was)\n",
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "inference_mode, then .clone() outside the block: a normal tensor",
        (
            _FIX,
            "    with torch.inference_mode():\n        features = backbone(X)\n    return features.clone()\n",
        ),
    ),
    Variant(
        "torch.set_grad_enabled(False)",
        ("    with torch.no_grad():", "    with torch.set_grad_enabled(False):"),
    ),
    Variant(
        "the torch.no_grad() decorator",
        append="""
        @torch.no_grad()
        def frozen_features(backbone, X):
            return backbone(X)
        """,
    ),
    Variant(
        "grad switched off globally and put back in a finally",
        append="""
        def frozen_features(backbone, X):
            was = torch.is_grad_enabled()
            torch.set_grad_enabled(False)
            try:
                return backbone(X)
            finally:
                torch.set_grad_enabled(was)
        """,
    ),
]
