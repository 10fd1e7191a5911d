"""The bug_item_and_view kata: what each function in kata/bug_item_and_view.py must do."""

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from kata.bug_item_and_view import flatten_channels_first, mean_absolute_error
from tests.checks import assert_tensor_equal, keeps_contract
from tests.strategies import seeds

# more than one element: .item() takes a tensor of exactly one
batch_shapes = st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=3).filter(
    lambda shape: math.prod(shape) > 1
)
image_sides = st.integers(min_value=2, max_value=5)
colour_channels = st.integers(min_value=2, max_value=4)


def test_mean_absolute_error_of_three_samples():
    predictions = torch.tensor([1.0, 2.0, 4.0], requires_grad=True)  # as a model's output
    got = keeps_contract(mean_absolute_error, predictions, torch.tensor([1.0, 3.0, 1.0]))
    assert isinstance(got, float), f"returned a {type(got).__name__}, expected a Python float"
    assert got == pytest.approx(4 / 3), f"got {got}, expected (0 + 1 + 3) / 3"


@given(shape=batch_shapes, seed=seeds)
def test_mean_absolute_error_matches_torch_l1_loss(shape, seed):
    generator = torch.Generator().manual_seed(seed)
    predictions = torch.randn(shape, generator=generator)
    targets = torch.randn(shape, generator=generator)
    expected = torch.nn.L1Loss()(predictions, targets).item()
    got = mean_absolute_error(predictions, targets)
    assert isinstance(got, float), f"returned a {type(got).__name__}, expected a Python float"
    assert got == pytest.approx(expected, rel=1e-6), (
        f"for tensors of shape {tuple(shape)} got {got}, expected {expected} "
        "(what nn.L1Loss gives): the mean over every element"
    )


def test_channels_first_rows_of_a_colour_image():
    images = torch.arange(2 * 2 * 2 * 3).reshape(2, 2, 2, 3)  # B=2, H=2, W=2, C=3
    rows = keeps_contract(flatten_channels_first, images, dtype=images.dtype)
    red = images[0, :, :, 0].flatten()  # channel 0 of image 0, pixel by pixel
    assert tuple(rows.shape) == (2, 12), f"got shape {tuple(rows.shape)}, expected (2, 12)"
    assert torch.equal(rows[0, :4], red), (
        f"row 0 starts with {rows[0, :4].tolist()}, expected channel 0's four pixels {red.tolist()}"
    )
    assert_tensor_equal(rows, images.permute(0, 3, 1, 2).reshape(2, 12), "the rows")


@given(batch=st.integers(1, 3), height=image_sides, width=image_sides, channels=colour_channels)
def test_each_row_holds_the_pixels_channel_by_channel(batch, height, width, channels):
    images = torch.randn(batch, height, width, channels)
    rows = flatten_channels_first(images)
    assert tuple(rows.shape) == (batch, channels * height * width)
    for c in range(channels):
        block = rows[:, c * height * width : (c + 1) * height * width]
        assert torch.equal(block, images[..., c].reshape(batch, -1)), (
            f"columns {c * height * width} to {(c + 1) * height * width - 1} of each row "
            f"should be channel {c}'s pixels, row by row"
        )
