"""Kata: mlp.

A multilayer perceptron is Linear layers with a non-linearity between them. Build one
whose sizes you choose when you call it, so the same function gives a 784 -> 10
digit classifier, a 2 -> 1 toy model, or anything between. It flattens its input
itself, and it returns raw logits: the loss does the softmax.

Write the function; `make kata` tells you when it is done.
"""

from collections.abc import Sequence
from itertools import pairwise

from torch import nn


def make_mlp(in_features: int, hidden: Sequence[int], out_features: int) -> nn.Sequential:
    """An nn.Sequential: Flatten, then Linear layers of widths in_features -> *hidden ->
    out_features, with a ReLU between every two Linear layers and nothing after the last.
    The layers' names (and so the state_dict keys) are yours to choose.

    make_mlp(784, [128, 64], 10) is
        Flatten, Linear(784, 128), ReLU, Linear(128, 64), ReLU, Linear(64, 10)
    and make_mlp(4, [], 3) is Flatten, Linear(4, 3): hidden may be empty.

    Input (B, *) -> output (B, out_features): nn.Flatten() turns (B, C, H, W) into
    (B, C * H * W), so in_features must be C * H * W. The model returns logits, with
    no ReLU or softmax after the last Linear: nn.CrossEntropyLoss applies log-softmax
    itself, and a ReLU there would clip every negative logit to 0.

    Helps: nn.Flatten(), nn.Linear(a, b), nn.ReLU(); build a list of layers and
    unpack it: nn.Sequential(*layers). itertools.pairwise(widths) gives consecutive
    pairs.
    Raises ValueError when in_features, out_features or any hidden width is below 1, its
    message holding that width (the number itself, such as 0 or -3).
    """
    widths = [in_features, *hidden, out_features]
    if any(width < 1 for width in widths):
        raise ValueError(
            f"every layer size must be >= 1; got in_features={in_features}, "
            f"hidden={list(hidden)}, out_features={out_features}"
        )
    layers: list[nn.Module] = [nn.Flatten()]
    for n_in, n_out in pairwise(widths):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1])  # drop the last ReLU: the output is logits
