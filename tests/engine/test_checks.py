"""The shared assertion helpers fail, with a sentence, exactly when they should."""

import pytest
import torch
from torch import nn

from tests.checks import assert_every_parameter_gets_a_gradient


class _HalfUsed(nn.Module):
    def __init__(self):
        super().__init__()
        self.used, self.unused = nn.Linear(2, 1), nn.Linear(2, 1)

    def forward(self, x):
        return self.used(x)


def test_a_parameter_that_forward_never_uses_is_named():
    model = _HalfUsed()
    model(torch.ones(3, 2)).sum().backward()
    with pytest.raises(pytest.fail.Exception, match=r"unused\.weight got no gradient"):
        assert_every_parameter_gets_a_gradient(model)


def test_a_model_whose_every_parameter_learns_passes():
    model = nn.Linear(2, 1)
    model(torch.ones(3, 2)).sum().backward()
    assert_every_parameter_gets_a_gradient(model)
