"""Kata: bug_inplace_backward.

A pitfall kata: the code below is not missing, it is wrong. Three small pieces of a
model were written in place, to spare the memory of a new tensor: gates that close on
padding, an output squashed into a range, and a head that makes its scale positive.
Each gives the right numbers, but the first loss.backward() through it fails with

    RuntimeError: one of the variables needed for gradient computation has been
    modified by an inplace operation: [torch.FloatTensor [4, 6]], which is output 0
    of Sigmoid, is at version 1; expected version 0 instead.

Find the bugs and fix them: the tests fail on them and pass on the fixes.

Why the error names a version (true for torch 2.13): every tensor carries a version
counter (t._version: private, but there to look at) that each in-place operation raises
by one: `*=` and `+=`, every method whose name ends in an underscore (add_, mul_,
clamp_), an assignment into part of a tensor (t[:, 1] = ...), nn.ReLU(inplace=True). A
view (t[:, 1], t.detach()) shares the counter of the tensor it looks into; t.data does
not, which silences the error and leaves the gradient wrong. When an operation keeps a
tensor for its backward pass, autograd notes that tensor's version; backward() compares,
and refuses to compute a gradient from values that are no longer the ones the forward
pass used. The number in the error counts the in-place writes since.

What each operation keeps is its own affair: sigmoid, tanh and exp keep their output,
softplus keeps its input, a Linear or BatchNorm layer its input and not its output. So
nn.ReLU(inplace=True) right after a Linear or BatchNorm layer is safe (as in
torchvision's ResNet), and right after a Sigmoid or Tanh fails as above.
"""

import torch
import torch.nn.functional as F


def masked_gates(scores: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    """Gates in (0, 1): torch.sigmoid(scores) where keep is True, and 0 where it is False.

    scores: a float tensor of any shape, a layer's output, which requires grad while
    training. keep: a bool tensor of the same shape, or one that broadcasts to it (a (T,)
    mask for (N, T) scores). Returns a new tensor of the shape and dtype of scores. The
    gradient flows into scores where keep is True (sigmoid's derivative, s * (1 - s) for
    s = sigmoid(scores)) and is 0 where it is False. The caller's scores stay as they
    were.

    What goes wrong: the gates have the right values, but loss.backward() raises
    "RuntimeError: one of the variables needed for gradient computation has been
    modified by an inplace operation: [torch.FloatTensor [4, 6]], which is output 0 of
    Sigmoid, is at version 1; expected version 0 instead."

    Helps: which tensor does sigmoid keep for its backward pass, and what does `*=` do
    to it?
    """
    gates = torch.sigmoid(scores)
    gates *= keep  # closes the gates without a new tensor
    return gates


def squash(x: torch.Tensor, low: float, high: float) -> torch.Tensor:
    """x squashed elementwise into [low, high]: low + (high - low) * (tanh(x) + 1) / 2.

    As a policy network bounds its actions: x = 0 gives the middle of the range, large x
    come close to high and very negative x close to low. x: a float tensor of any shape
    (a layer's output); low < high, numbers. Returns a new tensor of the shape and dtype
    of x. The gradient is (high - low) / 2 * (1 - tanh(x) ** 2). The caller's x stays as
    it was.

    What goes wrong: the values are right, but loss.backward() raises "RuntimeError: one
    of the variables needed for gradient computation has been modified by an inplace
    operation: [torch.FloatTensor [4, 6]], which is output 0 of Tanh, is at version 3;
    expected version 0 instead." Version 3: count the writes.

    Helps: which tensor does tanh keep for its backward pass, and how many times is it
    written to after that?
    """
    y = torch.tanh(x)  # in [-1, 1]
    y.add_(1).mul_((high - low) / 2).add_(low)  # into [low, high], in the same memory
    return y


def mean_and_scale(out: torch.Tensor) -> torch.Tensor:
    """A Gaussian's parameters from a model's raw output out (N, 2): column 0 is the
    mean, as it is; column 1 becomes the scale, made positive by softplus,
    log(1 + exp(v)), as F.softplus computes it.

    out is the model's output, which requires grad while training; it may also be a
    tensor that requires grad itself, or a plain one. Returns a new (N, 2) tensor of the
    dtype of out, and leaves out as it was, for the caller to use again. The gradient
    flows into column 0 unchanged, and into column 1 times sigmoid(v), softplus's
    derivative.

    What goes wrong: on a model's output, loss.backward() raises "RuntimeError: one of
    the variables needed for gradient computation has been modified by an inplace
    operation: [torch.FloatTensor [4]], which is output 0 of AsStrided, is at version 1;
    expected version 0 instead."; on a tensor that requires grad itself, the call raises
    "RuntimeError: a view of a leaf Variable that requires grad is being used in an
    in-place operation."; and a plain tensor comes back to the caller with its column 1
    changed.

    Helps: which tensor does softplus keep for its backward pass, and which tensor is
    out[:, 1] a view of?
    """
    out[:, 1] = F.softplus(out[:, 1])  # the scale must be positive
    return out
