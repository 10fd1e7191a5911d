"""Kata: bug_softmax_before_loss.

A pitfall kata: the code below is not missing, it is wrong. The loss of a classifier
that scores C classes: it runs, and a model trained with it does learn, but slowly,
and its loss never gets anywhere near zero, not even when every prediction is right.
Find the bug and fix it: the tests fail on it and pass on the fix.
"""

import torch
from torch.nn import functional as F


def classification_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """The mean cross-entropy of N samples, a 0-dim tensor.

    logits: (N, C) raw scores, straight from the last nn.Linear of a classifier;
    targets: (N,) class indices, int64, each in [0, C). The loss of a sample is
    -log(softmax(logits)[target]): near 0 when the model is sure and right, large
    when it is sure and wrong, and its gradient is largest where the model is most wrong.
    Logits can be any finite numbers, in the hundreds too (a sure model's scores): the
    loss is then finite and exact (200 for logits [0, 200, 0] and target 0).

    What goes wrong: with 3 classes the loss never falls below about 0.55, however sure
    and right the model is; and when the model is sure and *wrong*, its gradient is
    almost exactly 0, so the worst mistakes are the ones training corrects least.

    Helps: read the documentation of nn.CrossEntropyLoss: what does it expect as input,
    and what does it compute from it first?
    """
    probabilities = torch.softmax(logits, dim=1)
    return F.cross_entropy(probabilities, targets)
