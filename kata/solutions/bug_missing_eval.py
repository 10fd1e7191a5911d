"""Kata: bug_missing_eval.

A pitfall kata: the code below is not missing, it is wrong. A small service asks a
trained model for predictions. No graph is built, and yet the same input gets a
different answer on every call, one sample at a time fails, and every call quietly
changes the model. Find the bug and fix it: the tests fail on it and pass on the fix.
"""

import torch
from torch import nn


def predict(model: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """The model's outputs for the batch X (N, ...), as a tensor without a graph.

    The model may hold dropout and batch norm layers, and may be in training mode when
    predict is called (in the middle of training, say). The predictions are those of
    the model as evaluated: the same input always gives the same output, X may hold a
    single sample, and the model is left as it was: its weights and batch norm
    statistics, and its mode (model.training), also when the forward pass raises (its
    error goes on to the caller). Any tensor without a graph will do: one made under
    torch.no_grad() or torch.inference_mode(), or detached.

    model.train(was_training) gives the mode back to every layer at once. Where a caller
    froze one layer in eval mode inside a training model (a batch norm, when
    fine-tuning), that wakes the frozen layer; giving each submodule its own .training
    back (model.modules()) keeps it frozen. Either will do here: predict is handed
    models whose layers share one mode.

    What goes wrong: two calls with the same X return different predictions; a batch of
    one sample raises "ValueError: Expected more than 1 value per channel when
    training"; and after each call the model's later predictions have shifted.

    Helps: what do dropout and batch norm do differently in model.train() and
    model.eval() mode, and which mode is a module in after nn.Module() is built?
    """
    # stub:
    # with torch.no_grad():
    #     return model(X)
    modes = {module: module.training for module in model.modules()}
    model.eval()  # dropout off, batch norm uses (and keeps) its running statistics
    try:
        with torch.no_grad():
            return model(X)
    finally:
        for module, training in modes.items():  # each back in its own mode, not the model's
            module.training = training
