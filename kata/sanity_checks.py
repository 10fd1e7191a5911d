"""Kata: sanity_checks.

A training run that is going to take hours deserves a few seconds of checks first.
Most bugs in a classifier do not crash: labels numbered from 1, a last layer whose
weights are far too large, a layer the forward pass never uses, a path cut by a stray
.detach(). The model still trains, a little worse, and nobody knows why. Experienced
practitioners (Karpathy's "A Recipe for Training Neural Networks") run the same four
checks before every long run, and each catches a family of these bugs:

- the labels lie in [0, C): a label outside that range is an IndexError on the CPU
  and an opaque "device-side assert triggered" on a GPU;
- the loss at initialization is about ln(C): a freshly built classifier knows nothing,
  so it should give every class about 1/C of the probability;
- every parameter gets a gradient: one that gets none never learns;
- the model can learn one small batch by heart, driving its loss to about zero: if it
  cannot, no amount of data will help, and the bug is in the model or the loss.

Write them as functions you can call on your own models later, top to bottom; `make kata`
tells you which one is next. Each works on a classifier: a model that maps a batch X
(N, ...) to logits (N, C), trained with cross-entropy on labels y (N,) of dtype int64.
"""

import copy
import math

import torch
import torch.nn.functional as F
from torch import nn


def check_labels(labels: torch.Tensor, n_classes: int) -> torch.Tensor:
    """How many labels fall in each class, as an int64 tensor (n_classes,) on the labels'
    device, after checking that every label is a class index in [0, n_classes).

    labels: class indices of any integer dtype (int64, int32, uint8, ...) and any shape,
    (N,) for a classifier or (N, H, W) for one label per pixel. No label at all is
    fine: every count is 0. check_labels(tensor([0, 2, 2]), 4) -> tensor([1, 0, 2, 0]).
    A class with a count of 0 is worth a look: the model can never learn to predict it.

    Raises TypeError, naming the dtype, when the labels are floating point (class
    indices are integers; a float tensor holds class numbers by mistake, or class
    probabilities). Raises ValueError when a label lies outside [0, n_classes), its
    message naming n_classes and the smallest and largest label, so that labels numbered
    1..C, or a -1 meant as "unknown", show at a glance. cross_entropy itself would raise
    an IndexError on the CPU for one of them, except for -100: that is its ignore_index,
    and a sample labelled -100 is silently left out of the loss.

    Helps: labels.is_floating_point(), .min(), .max(), (labels < 0) | (labels >=
    n_classes), .any(), torch.bincount(x, minlength=...), which wants 1-D non-negative
    input: .flatten() first, and check the range before.
    """
    # TODO: your code here
    raise NotImplementedError("check_labels")


def _classifier_loss(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The mean cross-entropy of model(X) against y, after check_labels on y and C, the
    number of columns of the logits (N, C)."""
    logits = model(X)
    check_labels(y, logits.shape[1])
    return F.cross_entropy(logits, y)


def initial_loss(
    model: nn.Module, X: torch.Tensor, y: torch.Tensor, tolerance: float = 0.5
) -> tuple[float, bool]:
    """(loss, ok): the model's mean cross-entropy on the batch (X, y), as a Python float,
    and whether it lies within `tolerance` of ln(C), above or below: |loss - ln C| <=
    tolerance, with C the number of columns of the logits model(X) (N, C).

    Why ln(C): a model that knows nothing should give each of the C classes a
    probability of about 1/C, and the cross-entropy of a sample is -ln(the probability
    of its label) = -ln(1/C) = ln(C), whatever the labels are. ln(10) is about 2.30.
    C comes from the logits, not from the labels: a batch may hold only some classes.

    What breaks it: a badly scaled last layer. Multiply its weights by 100 and the
    logits spread 100 times as wide; the softmax puts nearly all the probability on one
    class, and for most samples that class is wrong, so the loss is about (largest
    logit - logit of the label), several times ln(C). The first steps of training then
    go to shrinking those weights (the "hockey stick" loss curve, steep at first), not
    to learning. Inputs that are not standardized (pixels from 0 to 255) do the same. The
    cure is a small last layer: the default init, or its weights scaled down. A loss
    far below ln(C) is suspicious too: a model that knows the answers before training
    is not as fresh as you think (weights loaded from an earlier run, say). (A last
    bias set on purpose to the log of each class's frequency starts lower, at the
    entropy of the classes: then this check does not apply.)

    The loss is the one evaluate would measure: in eval mode (dropout off, batch norm on
    its running statistics) and without a graph, the model given back in its modes
    afterwards, on every path. The labels are checked first, as check_labels does (it
    raises ValueError when one lies outside [0, C)).

    Helps: model.eval(), torch.inference_mode(), F.cross_entropy, .item(), math.log;
    remember each module's .training and give it back in a finally block.
    """
    # TODO: your code here
    raise NotImplementedError("initial_loss")


def parameters_without_gradient(
    model: nn.Module, X: torch.Tensor, y: torch.Tensor
) -> dict[str, str]:
    """The parameters that one training step on the batch (X, y) would not move, by
    name, each with why: {name: reason}, with the names named_parameters() gives
    ("0.weight", "encoder.1.bias"). An empty dict means every parameter gets a gradient.

    One forward pass, the cross-entropy and one backward pass, as a training step runs
    them: in train mode (a layer used only while training, such as an auxiliary head,
    counts as used). They run on a copy of the model (copy.deepcopy), so the caller's
    model, its .grad and its batch norm statistics stay as they were, and stale .grad
    left on the model by earlier code cannot pass for a gradient. The reason is one of
    these three strings:

    - "frozen": requires_grad is False (a frozen layer; on purpose when fine-tuning);
    - "no gradient": it requires grad, but its .grad is None after backward: the forward
      pass never uses it (a layer built in __init__ and forgotten in forward), or its
      path to the loss is cut (a .detach(), a .item() turned back into a tensor, a
      torch.no_grad() block inside forward);
    - "zero gradient": its .grad holds nothing but zeros: every path runs through
      something with slope 0 (a ReLU after the last layer, its outputs all negative; a
      multiplication by 0). All its entries must be exactly 0: a gradient of 1e-12 is
      small but not zero, and gradients of both signs that add up to 0 are still
      gradients (the last bias of every classifier has one: under cross-entropy its
      gradient is the mean of softmax minus one-hot, whose entries sum to 0).

    What it cannot see: a bias just before a batch norm gets a gradient of 0 in exact
    arithmetic (the normalization subtracts it again), but in float32 some rounding
    noise, so it is not listed; such a layer should be built with bias=False.

    A model none of whose parameters can get a gradient (all frozen, or the whole
    forward pass under torch.no_grad()) gives a loss that does not require grad, and
    backward() on it raises: here it is no error, each parameter is simply listed.

    The labels are checked first, as check_labels does (it raises ValueError when one
    lies outside [0, C)).

    Helps: copy.deepcopy(model).train(), model.named_parameters(), p.requires_grad,
    p.grad is None, p.grad.any() (or .count_nonzero()).
    """
    # TODO: your code here
    raise NotImplementedError("parameters_without_gradient")


def overfit_one_batch(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    steps: int = 200,
    lr: float = 1e-2,
    threshold: float = 0.01,
) -> tuple[list[float], bool]:
    """(losses, reached): train a copy of the model on the one batch (X, y) and see
    whether its loss gets below `threshold`.

    A copy (copy.deepcopy), so the caller's model comes back untouched: its weights,
    batch norm statistics and modes. The copy trains in train mode, whatever mode the
    model is in, with torch.optim.Adam(lr=lr) on the mean cross-entropy, at most `steps`
    steps. Each step is a forward pass, its loss recorded as a Python float in
    `losses`, then zero_grad, backward and the optimizer's step. The loss of a step is
    the one measured before its update: losses[0] is the loss of the model as it came
    (in train mode).

    It stops at the first loss strictly below `threshold`, before updating on it, and
    returns (losses, True): losses[-1] < threshold. If no step gets there it returns
    (losses, False), with len(losses) == steps.

    A model big enough for the batch gets there in tens of steps. One that cannot is
    the bug to find before a long run: a loss that stays at ln(C) points at labels or
    gradients that do not reach the model (check the other three functions), a loss
    that falls and then levels off above zero at a model too small or too constrained
    (all dropout and no capacity), a loss that jumps around at a learning rate too high.
    A model none of whose parameters can get a gradient (all frozen, or the whole
    forward pass under torch.no_grad()) raises nothing: it takes no step, and its loss
    stays where it was.

    The labels are checked first, as check_labels does (it raises ValueError when one
    lies outside [0, C)).

    Helps: copy.deepcopy(model).train(), torch.optim.Adam(params, lr=lr),
    optimizer.zero_grad(), loss.backward(), optimizer.step(), loss.item().
    """
    # TODO: your code here
    raise NotImplementedError("overfit_one_batch")
