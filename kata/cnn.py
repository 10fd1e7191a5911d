"""Kata: cnn.

A CNN's convolution and pooling layers shrink the image; its classifier, an nn.Linear,
must be told how many numbers come out of them. The notes hard-code 64 * 5 * 5 for a
28 x 28 digit, and that breaks the day the image size changes. Compute the sizes
instead, then build a small CNN that works for whatever image size it is given.

Write the functions top to bottom; `make kata` tells you which one is next.
"""

import copy

import torch
from torch import nn


def _check_positive(**arguments: int) -> None:
    """Raise ValueError naming the first argument below 1."""
    for name, value in arguments.items():
        if value < 1:
            raise ValueError(f"{name} must be >= 1, got {name}={value}")


def conv2d_output_size(
    size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """How many positions nn.Conv2d gives along one side (height or width) of length `size`.

        out = floor((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1

    conv2d_output_size(28, 3) -> 26; conv2d_output_size(28, 3, padding=1) -> 28.
    The result is a Python int: write the floor division as //, since / gives a float
    even when it divides evenly (26.0), and a float is no layer size.

    Raises ValueError, naming the argument, when size, kernel_size, stride or dilation
    is below 1 or when padding is negative, and when the input is too small for the
    kernel (out < 1).
    """
    # TODO: your code here
    raise NotImplementedError("conv2d_output_size")


def pool2d_output_size(
    size: int,
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    """How many positions nn.MaxPool2d gives along one side of length `size`, as an int.

    The same formula as Conv2d, with two differences:
    - stride defaults to kernel_size (MaxPool2d(2) halves the size), not to 1;
    - ceil_mode=True rounds the division up instead of down, so a partial window at the
      end still counts (even a side shorter than the kernel gives 1), but a last window
      that would start inside the right padding is dropped: size 5, kernel 2, stride 2,
      padding 1 gives 3, not 4.

    Raises ValueError, naming the argument, when size, kernel_size, stride or dilation
    is below 1 or when padding is negative or more than kernel_size // 2 (torch refuses
    that too, dilation or not), and when the input is too small (out < 1).
    """
    # TODO: your code here
    raise NotImplementedError("pool2d_output_size")


def flattened_size(feature_layers: nn.Module, input_shape: tuple[int, int, int]) -> int:
    """How many numbers per sample come out of feature_layers for inputs of shape (C, H, W):
    the in_features of the nn.Linear that follows them, after nn.Flatten.

    For the notes' layers, Conv2d(1, 32, 3), ReLU, MaxPool2d(2), Conv2d(32, 64, 3), ReLU,
    MaxPool2d(2), and a 28 x 28 grey image, that is 64 * 5 * 5 = 1600.

    Run a dummy batch of one, (1, C, H, W), through the layers and count what comes
    out. On the meta device that costs nothing, as torch computes only shapes: run a
    copy of the layers moved there (module.to(...) moves a module in place, so moving
    the original would destroy its weights), under torch.no_grad(). Applying
    conv2d_output_size and pool2d_output_size layer by layer works too. Either way the
    caller's layers come back as they went in: the same weights on the same device, the
    same BatchNorm running statistics, each module in its own train or eval mode.

    Helps: copy.deepcopy, module.to("meta"), torch.empty(..., device="meta"), .numel().
    Raises ValueError, its message holding the sizes of input_shape (for (1, 9, 47): 1, 9
    and 47), when it is not three sizes of at least 1, or when the input does not go
    through the layers (too small, or the wrong channels).
    """
    # TODO: your code here
    raise NotImplementedError("flattened_size")


class SmallCNN(nn.Module):
    """The notes' digit classifier, for any image size: two conv + pool stages, a Linear."""

    def __init__(self, in_channels: int, num_classes: int, input_size: tuple[int, int]) -> None:
        """Build the layers for images of shape (in_channels, H, W), input_size = (H, W):

            Conv2d(in_channels, 32, 3), ReLU, MaxPool2d(2),
            Conv2d(32, 64, 3), ReLU, MaxPool2d(2),
            Flatten, Linear(flattened size, num_classes)

        The Linear's in_features comes from flattened_size of the conv + pool layers,
        never hard-coded: 64 * 5 * 5 for 28 x 28, but 64 * 6 * 6 for 32 x 32.
        Keep the conv + pool layers in one nn.Sequential to hand to flattened_size.

        Raises ValueError, its message holding H and W, when an image that size does not
        survive the two stages (each conv takes 2 off a side, each pool halves it, rounding
        down): flattened_size's ValueError, which holds input_shape (in_channels, H, W),
        does that if you let it through.

        Helps: nn.Conv2d, nn.ReLU, nn.MaxPool2d, nn.Flatten, nn.Linear, flattened_size.
        """
        # TODO: your code here
        raise NotImplementedError("SmallCNN.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Images (B, in_channels, H, W) -> logits (B, num_classes), for any batch size B.

        No activation after the Linear: nn.CrossEntropyLoss takes logits.
        """
        # TODO: your code here
        raise NotImplementedError("SmallCNN.forward")
