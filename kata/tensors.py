"""Kata: tensors.

A tensor is an n-dimensional array that knows its shape, its dtype and the device
it lives on. Everything in PyTorch (data, weights, gradients) is a tensor, so the
first step is to make them, look inside them and reshape them without surprises.

Write the functions top to bottom; `make kata` tells you which one is next.
"""

import numpy as np
import torch


def counting_grid(rows: int, cols: int) -> torch.Tensor:
    """A (rows, cols) tensor holding 0, 1, 2, ... row by row, as int64.

    counting_grid(2, 3) -> tensor([[0, 1, 2],
                                   [3, 4, 5]])

    Helps: torch.arange, then .reshape (or .view).
    Raises ValueError when rows or cols is negative.
    """
    # TODO: your code here
    raise NotImplementedError("counting_grid")


def seeded_uniform(shape: tuple[int, ...], seed: int) -> torch.Tensor:
    """A float32 tensor of `shape` with values uniform in [0, 1), the same for the same seed.

    shape=() gives a 0-dimensional tensor. Which numbers a seed gives is not fixed, only
    that the same seed gives the same ones again and another seed other ones.
    Do not touch the global random state: give torch.rand its own torch.Generator,
    seeded with generator.manual_seed(seed), so that the caller's random numbers
    are not disturbed.
    """
    # TODO: your code here
    raise NotImplementedError("seeded_uniform")


def describe(t: torch.Tensor) -> dict:
    """What a tensor knows about itself, as plain Python values:

    {"shape": tuple of ints, "ndim": int, "numel": int, "dtype": torch.dtype,
     "device": str such as "cpu" or "cuda:0"}

    The shape may be a torch.Size (a tuple subclass); the device is str(t.device), which
    names a GPU with its index ("cuda:0"), where t.device.type would say only "cuda".

    Helps: t.shape, t.ndim, t.numel(), t.dtype, t.device.
    """
    # TODO: your code here
    raise NotImplementedError("describe")


def flatten_batch(x: torch.Tensor) -> torch.Tensor:
    """Flatten every dimension but the first: (B, d1, d2, ...) -> (B, d1 * d2 * ...).

    A 1-D tensor (B,) becomes (B, 1). The batch is never empty (B >= 1).
    It must work on any such tensor, even a non-contiguous one such as x.transpose(1, 2),
    and must not copy the data when it does not have to: a view whenever the strides
    allow one (a contiguous tensor, or a slice such as big[::2] of one).

    Helps: .view only works when the strides fit the new shape (a contiguous tensor's
    always do, a transposed one's usually not); .reshape copies only when it must.
    Raises ValueError for a 0-dimensional tensor (it has no batch dimension).
    """
    # TODO: your code here
    raise NotImplementedError("flatten_batch")


def mean_as_float(t: torch.Tensor) -> torch.Tensor:
    """The mean of all elements as a 0-dimensional float32 tensor, whatever t's dtype.

    torch.mean refuses integer tensors ("could not infer output dtype"): a mean of
    integers is not an integer. Convert first. The mean of an empty tensor is nan.

    Helps: t.float() or t.to(torch.float32).
    """
    # TODO: your code here
    raise NotImplementedError("mean_as_float")


def numpy_view(a: np.ndarray) -> torch.Tensor:
    """A tensor that shares memory with the NumPy array `a`: writing to one changes the other.

    Helps: torch.from_numpy (torch.tensor(a) would copy).
    """
    # TODO: your code here
    raise NotImplementedError("numpy_view")


def to_numpy(t: torch.Tensor) -> np.ndarray:
    """A NumPy array of t's values, for a tensor that requires grad, or one on a GPU, too.

    t.numpy() refuses both: NumPy knows nothing of autograd or of GPU memory.
    It is never given a bfloat16 tensor: NumPy has no such dtype, and .numpy() refuses one.
    Helps: .detach() and .cpu() first.
    """
    # TODO: your code here
    raise NotImplementedError("to_numpy")


def linear_forward(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """What nn.Linear computes: x (N, in) times weight (out, in) transposed, plus bias (out,).

    The result has shape (N, out). Raises ValueError, naming the shapes, when they do
    not fit together.

    Helps: the @ operator, .T, and broadcasting to add the bias to every row.
    """
    # TODO: your code here
    raise NotImplementedError("linear_forward")


def pairwise_differences(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """All differences a[i] - b[j] of two 1-D tensors, as an (len(a), len(b)) tensor.

    No loops: give a a trailing dimension and b a leading one, and broadcasting
    does the rest, (N, 1) - (1, M) -> (N, M).

    Helps: .unsqueeze, or indexing with None.
    """
    # TODO: your code here
    raise NotImplementedError("pairwise_differences")
