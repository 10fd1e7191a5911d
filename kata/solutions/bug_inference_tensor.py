"""Kata: bug_inference_tensor.

A pitfall kata: the code below is not missing, it is wrong. A large frozen network
turns every input into features once, and only a small head is trained on them. The
features come out fine and have the right values, but the first training step of the
head fails. Find the bug and fix it: the tests fail on it and pass on the fix.
"""

import torch
from torch import nn


def frozen_features(backbone: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """backbone(X), computed once without an autograd graph, to train a new head on.

    The backbone is frozen: nothing flows back into it, so no graph is recorded and the
    result has requires_grad False. The features must then be usable like any tensor
    made by hand: as the input of a head whose weights are trained, and for in-place
    changes such as features -= features.mean(0).

    The backbone runs in the mode the caller left it in, train or eval, and stays in it:
    putting a frozen backbone in eval mode (dropout off) is the caller's choice, made
    before the call. Grad mode, too, is the caller's again once the call is over, even
    when the backbone raises.

    What goes wrong: head(features) followed by loss.backward() raises "RuntimeError:
    Inference tensors cannot be saved for backward"; and features -= features.mean(0)
    raises "Inplace update to inference tensor outside InferenceMode is not allowed".

    True for torch 2.13: tensors made under torch.inference_mode() are inference tensors
    (t.is_inference() is True) for good, even after the with block; torch.no_grad() makes
    normal tensors. inference_mode is the right choice for results that are only looked
    at (the evaluation kata uses it), not for data that training will use later.

    Helps: what is the difference between torch.no_grad() and torch.inference_mode()?
    """
    # stub:
    # with torch.inference_mode():
    #     return backbone(X)
    with torch.no_grad():  # inference_mode would make inference tensors, unfit for training
        return backbone(X)
