"""The mlp kata: what make_mlp in kata/mlp.py must do."""

import re
from itertools import pairwise

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from kata.mlp import make_mlp
from tests.checks import (
    assert_every_parameter_gets_a_gradient,
    keeps_contract,
    raises_keeping_contract,
)

widths = st.integers(min_value=1, max_value=8)
hidden_widths = st.lists(widths, max_size=3)
batch_sizes = st.integers(min_value=1, max_value=8)
# `device` is a plain torch.device: the same value for every example, so sharing it is safe.
device_examples = settings(
    max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _linear_layers(model: nn.Module) -> list[nn.Linear]:
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def _forward_by_hand(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Flatten, then each Linear with the model's own weights, a ReLU between, none after."""
    h = x.flatten(1)
    linears = _linear_layers(model)
    for i, linear in enumerate(linears):
        h = nn.functional.linear(h, linear.weight, linear.bias)
        if i < len(linears) - 1:
            h = torch.relu(h)
    return h


@device_examples
@given(batch=batch_sizes, n_in=widths, hidden=hidden_widths, n_out=widths)
def test_output_has_one_row_of_out_features_per_sample(batch, n_in, hidden, n_out, device):
    model = keeps_contract(make_mlp, n_in, hidden, n_out).to(device)
    x = torch.randn(batch, n_in, device=device, requires_grad=True)
    out = keeps_contract(model, x, dtype=torch.float32)
    assert tuple(out.shape) == (batch, n_out), (
        f"make_mlp({n_in}, {hidden}, {n_out}) mapped a ({batch}, {n_in}) batch to "
        f"{tuple(out.shape)}, expected ({batch}, {n_out})"
    )
    assert out.device.type == device.type, f"the output is on {out.device}, not {device}"


def test_image_batch_is_flattened_inside_the_model(device):
    channels, height, width = 3, 4, 5
    model = make_mlp(channels * height * width, [6], 2).to(device)
    images = torch.randn(7, channels, height, width, device=device)
    out = model(images)
    assert tuple(out.shape) == (7, 2), (
        f"a (7, 3, 4, 5) image batch with in_features = 3 * 4 * 5 gave {tuple(out.shape)}, "
        "expected (7, 2): put nn.Flatten() first, it turns (B, C, H, W) into (B, C * H * W)"
    )
    torch.testing.assert_close(
        out,
        model(images.view(7, -1)),
        msg=lambda m: f"an image must give what its flattened row gives, .view(B, -1)\n{m}",
    )


@device_examples
@given(batch=batch_sizes, n_in=widths, hidden=hidden_widths, n_out=widths)
def test_forward_is_linear_relu_linear_with_no_activation_at_the_end(
    batch, n_in, hidden, n_out, device
):
    model = make_mlp(n_in, hidden, n_out).to(device)
    x = torch.randn(batch, n_in, device=device)
    with torch.no_grad():
        torch.testing.assert_close(
            model(x),
            _forward_by_hand(model, x),
            msg=lambda m: (
                "the output should be Linear, ReLU, ..., Linear with the model's own layers: "
                "a ReLU between every two Linear layers and nothing after the last (logits "
                f"can be negative)\n{m}"
            ),
        )


@given(n_in=widths, hidden=hidden_widths, n_out=widths)
def test_linear_layers_have_the_asked_widths_in_order(n_in, hidden, n_out):
    model = make_mlp(n_in, hidden, n_out)
    found = [(m.in_features, m.out_features) for m in _linear_layers(model)]
    sizes = [n_in, *hidden, n_out]
    expected = list(pairwise(sizes))
    assert found == expected, (
        f"make_mlp({n_in}, {hidden}, {n_out}) holds Linear layers (in, out) {found}, "
        f"expected {expected}: one Linear per pair of consecutive widths"
    )


@given(n_in=widths, hidden=hidden_widths, n_out=widths)
def test_parameter_count_is_the_sum_of_in_times_out_plus_out(n_in, hidden, n_out):
    model = make_mlp(n_in, hidden, n_out)
    sizes = [n_in, *hidden, n_out]
    expected = sum(a * b + b for a, b in pairwise(sizes))
    found = sum(p.numel() for p in model.parameters())
    assert found == expected, (
        f"make_mlp({n_in}, {hidden}, {n_out}) has {found} parameters, expected {expected}: "
        "each Linear(a, b) holds a * b weights and b biases"
    )


@pytest.mark.parametrize("hidden", [[], (5,), [5, 4]], ids=["no-hidden", "tuple", "list"])
def test_model_is_a_sequential_whose_last_module_is_linear(hidden):
    model = make_mlp(3, hidden, 2)
    assert isinstance(model, nn.Sequential), f"expected an nn.Sequential, got {type(model)}"
    last = list(model.children())[-1]
    assert isinstance(last, nn.Linear), (
        f"the last module is {last}, expected nn.Linear: no activation after the last layer, "
        "the loss takes logits"
    )


def test_no_hidden_layers_gives_a_single_linear_layer():
    model = make_mlp(4, [], 3)
    linears = _linear_layers(model)
    assert [(m.in_features, m.out_features) for m in linears] == [(4, 3)], (
        f"make_mlp(4, [], 3) should hold just Linear(4, 3), found {linears}"
    )


def test_gradients_reach_every_parameter(device):
    model = make_mlp(12, [8, 6], 3).to(device)
    x = torch.randn(32, 3, 2, 2, device=device)
    y = torch.randint(0, 3, (32,), device=device)
    nn.functional.cross_entropy(model(x), y).backward()
    assert_every_parameter_gets_a_gradient(model)


@pytest.mark.parametrize(
    ("n_in", "hidden", "n_out", "bad_size"),
    [(0, [4], 2, 0), (3, [4, 0], 2, 0), (3, (5, -3), 2, -3), (3, [4], -1, -1)],
    ids=["in_features", "hidden", "hidden-tuple", "out_features"],
)
def test_sizes_below_one_raise_value_error_holding_the_size(n_in, hidden, n_out, bad_size):
    error = raises_keeping_contract(ValueError, make_mlp, n_in, hidden, n_out)
    assert re.search(rf"(?<![\d.]){bad_size}(?![\d.])", str(error)), (
        f"make_mlp({n_in}, {hidden}, {n_out}) raised ValueError({str(error)!r}); the message "
        f"should hold the size that is below 1, {bad_size}"
    )
