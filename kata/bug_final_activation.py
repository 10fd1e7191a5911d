"""Kata: bug_final_activation.

A pitfall kata: the code below is not missing, it is wrong. A small classifier built
the way the mlp kata builds one, trained with nn.CrossEntropyLoss: it learns a
little, then stalls, and many training samples never change the weights at all.
Find the bug and fix it: the tests fail on it and pass on the fix.
"""

from itertools import pairwise

from torch import nn


def make_classifier(in_features: int, hidden: int, n_classes: int) -> nn.Sequential:
    """Linear(in_features, hidden), ReLU, Linear(hidden, n_classes): input (B,
    in_features) -> one score per class (B, n_classes), for nn.CrossEntropyLoss.

    The scores are logits: any real number, negative ones included, since the loss
    applies its own log-softmax. Every sample the model sees should move its weights.

    What goes wrong: the outputs are never below 0, and for many samples every output
    is exactly 0: those samples give the weights no gradient at all, and their loss is
    stuck at log(n_classes).

    Helps: print the model: which module comes last, and what does it do to a
    negative number?
    """
    layers: list[nn.Module] = []
    for n_in, n_out in pairwise([in_features, hidden, n_classes]):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    return nn.Sequential(*layers)
