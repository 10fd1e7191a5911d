"""Kata: bug_item_and_view.

A pitfall kata: the code below is not missing, it is wrong. Two small helpers that
worked in every quick check, then failed on the first real batch: one on any batch
of more than one sample, the other on colour images though grey ones were fine.
Find the bugs and fix them: the tests fail on them and pass on the fixes.
"""

import torch


def mean_absolute_error(predictions: torch.Tensor, targets: torch.Tensor) -> float:
    """The mean of |predictions - targets| over all elements, as a Python float.

    predictions and targets have the same shape, any shape with at least one element,
    and predictions may require grad (a model's output does):
    mean_absolute_error(tensor([1., 2., 4.]), tensor([1., 3., 1.])) -> 4 / 3.
    Any float will do, a subclass such as np.float64 too (np.float32 is not one).

    What goes wrong: it works for a batch of one sample and raises "RuntimeError: a
    Tensor with 3 elements cannot be converted to Scalar" for a batch of three.

    Helps: which tensors can .item() turn into a Python number?
    """
    return (predictions - targets).abs().item()


def flatten_channels_first(images: torch.Tensor) -> torch.Tensor:
    """Images (B, H, W, C), channels last as image libraries give them, to rows
    (B, C * H * W) in channels-first order, the order a model trained on (B, C, H, W)
    tensors expects: row b holds channel 0's H * W pixels, then channel 1's, ...
    The pixels keep their dtype.

    What goes wrong: fine for grey images (C = 1), but colour images (C = 3) raise
    "RuntimeError: view size is not compatible with input tensor's size and stride
    (at least one dimension spans across two contiguous subspaces)".

    True for torch 2.13: .view never copies, so it works only when the new shape can
    be read from the same memory with new strides; after .permute that is often not the
    case. .reshape views when it can and copies when it must; .contiguous() copies.

    Helps: compare x.stride() before and after x.permute(0, 3, 1, 2).
    """
    channels_first = images.permute(0, 3, 1, 2)
    return channels_first.view(len(images), -1)
