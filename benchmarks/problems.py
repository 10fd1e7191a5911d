"""What `make bench` times: the learner's or the reference's functions, on small training
problems built the same way for both."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest
import torch
from torch import nn


def implementation(kata: str, who: str) -> ModuleType:
    """Kata `kata` as `who` wrote it: "yours" is kata.<kata> (your file, unless --impl says
    otherwise); "reference" is kata/solutions/<kata>.py. A file that does not import is a skip."""
    name = f"kata.{kata}" if who == "yours" else f"kata.solutions.{kata}"
    try:
        return importlib.import_module(name)
    except Exception as error:  # a learner's file mid-edit: time the reference alone
        pytest.skip(f"kata/{kata}.py does not import ({type(error).__name__}: {error})")


def make_problem(model_name: str, batch: int, device: torch.device):
    """(model, loss_fn, X, y) on device: the linear model on y = 0.7 x + 0.3, or the MLP
    (784-256-128-10) or the small CNN on random 28 x 28 grey images and 10 classes."""
    torch.manual_seed(0)
    if model_name == "linear":
        model = importlib.import_module("kata.solutions.linear_model").LinearRegressionModel()
        X = torch.randn(batch, 1)
        y, loss_fn = 0.7 * X + 0.3, nn.MSELoss()
    else:
        if model_name == "mlp":
            model = importlib.import_module("kata.solutions.mlp").make_mlp(784, [256, 128], 10)
        else:
            model = importlib.import_module("kata.solutions.cnn").SmallCNN(1, 10, (28, 28))
        X = torch.randn(batch, 1, 28, 28)
        y, loss_fn = torch.randint(0, 10, (batch,)), nn.CrossEntropyLoss()
    return model.to(device), loss_fn, X.to(device), y.to(device)
