"""Kata: linear_model.

A model is an nn.Module: it owns its learnable numbers (parameters) and says in
forward how they turn an input into a prediction. The straight line y = w x + b is
the smallest model there is: build it by hand as a subclass, again as
nn.Sequential, make its starting weights repeatable, and count what it learns.

Write the functions top to bottom; `make kata` tells you which one is next.
"""

import torch
from torch import nn


class LinearRegressionModel(nn.Module):
    """y = weight * x + bias, with one learnable weight and one learnable bias."""

    def __init__(self) -> None:
        """Call super().__init__() first, then make the two parameters.

        As in the notes, each starts as torch.randn(1) wrapped in nn.Parameter: that
        registers it with the module, so model.parameters() and model.state_dict()
        find it and an optimizer can update it. nn.Parameter requires grad by default
        (the notes' requires_grad=True is harmless but not needed). A single
        nn.Linear(1, 1) attribute is a fine alternative: it holds both.

        Helps: nn.Parameter(torch.randn(1)), or nn.Linear(1, 1).
        """
        # TODO: your code here
        raise NotImplementedError("LinearRegressionModel.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (N, 1) -> predictions (N, 1): weight * x + bias.

        Call the model as model(x), not model.forward(x): __call__ runs forward plus
        any hooks.
        """
        # TODO: your code here
        raise NotImplementedError("LinearRegressionModel.forward")


def make_sequential_model() -> nn.Sequential:
    """The same straight line as an nn.Sequential holding a single nn.Linear(1, 1).

    nn.Linear(in_features, out_features) computes x @ weight.T + bias; with 1 and 1
    that is w x + b, with weight (1, 1) and bias (1,): 2 numbers to learn.

    Helps: nn.Sequential(nn.Linear(1, 1)).
    """
    # TODO: your code here
    raise NotImplementedError("make_sequential_model")


def seeded_model(seed: int) -> LinearRegressionModel:
    """A LinearRegressionModel whose starting parameters depend only on seed.

    Parameters are drawn from torch's global random generator, so seed it right
    before building: the same seed gives the same model, a different seed a
    different one.

    Helps: torch.manual_seed(seed).
    """
    # TODO: your code here
    raise NotImplementedError("seeded_model")


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """How many numbers the model holds in its parameters, as a plain int.

    Every parameter counts with all its elements (a (4, 3) weight is 12 numbers).
    Buffers, such as BatchNorm's running statistics, are not parameters: state_dict()
    holds them too, model.parameters() does not. With trainable_only, leave out
    frozen parameters (requires_grad False): those an optimizer would not change.

    Helps: model.parameters(), p.numel(), p.requires_grad, sum(...).
    """
    # TODO: your code here
    raise NotImplementedError("count_parameters")
