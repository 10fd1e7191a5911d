"""Kata: autograd.

Training a model means asking "if I nudge this number, how does the loss move?" for
every weight at once. Autograd answers it: tensors that require grad remember the
operations applied to them, and backward() walks that record back to fill in .grad.
Here you take derivatives, watch them add up, switch tracking off, and write a
backward pass by hand.

Write the functions top to bottom; `make kata` tells you which one is next.
"""

from collections.abc import Callable

import torch


def grad_of(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """The gradient df/dx at x, same shape as x, for an f that returns a scalar.

    Leave the caller's x alone: its .grad must stay as it was and its requires_grad
    must not change. Work on a copy that is a fresh leaf of its own graph,
    x.detach().clone().requires_grad_(True), call f on it, then .backward().
    (x.clone() alone is not enough when x requires grad: the clone is not a leaf,
    gets no .grad, and the gradient flows on into the caller's x.)

    backward() with no argument needs a scalar, that is a tensor with one element.
    Raises ValueError, naming the shape, when f returns anything else.

    Helps: .detach(), .clone(), .requires_grad_(True), .backward(), .grad.
    """
    leaf = x.detach().clone().requires_grad_(True)
    out = f(leaf)
    if out.numel() != 1:
        raise ValueError(
            f"f must return a scalar to call backward() on, got shape {tuple(out.shape)}"
        )
    out.backward()
    return leaf.grad


def accumulated_grad(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, times: int
) -> torch.Tensor:
    """The .grad of a copy of x after `times` backward passes of f with no zeroing between.

    Gradients add up: each backward() adds into .grad instead of overwriting it, so the
    result is times * df/dx. That is why a training loop must call
    optimizer.zero_grad() on every step.

    backward() frees the graph it walked (a second backward through it raises), so
    build a fresh graph for each pass by calling f again. Leave the caller's x alone
    as in grad_of. Raises ValueError when times < 1.

    Helps: a for loop around f(leaf).backward(); leaf.grad at the end.
    """
    if times < 1:
        raise ValueError(f"times must be at least 1, got {times}")
    leaf = x.detach().clone().requires_grad_(True)
    for _ in range(times):
        f(leaf).backward()  # adds into leaf.grad; f runs again because backward freed the graph
    return leaf.grad


def predict_without_graph(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor
) -> torch.Tensor:
    """f(x) computed with gradient tracking switched off, as when a model makes predictions.

    The result has requires_grad False and no grad_fn, even when x (or a parameter
    inside f) requires grad: no graph is recorded, which saves memory and time.
    After the call, grad mode is as the caller had it (on, or off under the caller's own
    no_grad), whether f returned or raised.

    torch.inference_mode() also works and is a little faster, but what it returns is an
    "inference tensor" that can never be saved for backward later (the bug_inference_tensor
    kata shows where that bites); no_grad returns ordinary tensors.

    Helps: `with torch.no_grad():`.
    """
    with torch.no_grad():
        return f(x)


def straight_through_round(x: torch.Tensor) -> torch.Tensor:
    """x.round() on the way forward, but a gradient of 1 on the way back.

    x.round() rounds halves to even: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -0.5 -> -0.

    round() has gradient 0 almost everywhere, so nothing before it could learn. The
    straight-through estimator (used to train quantized networks) pretends rounding
    was the identity: x + (x.round() - x).detach(). The detached part adds the
    rounding error as a constant that autograd does not see.

    Helps: .round(), .detach().
    """
    return x + (x.round() - x).detach()  # value x.round(), gradient that of x


class Cube(torch.autograd.Function):
    """y = x ** 3 with a hand-written backward pass: dy/dx = 3 x ** 2.

    Use it as Cube.apply(x), never Cube()(x) or Cube.forward(...) directly.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        """x ** 3, elementwise, any shape.

        Keep x for the backward pass with ctx.save_for_backward(x): save tensors that
        way, not as ctx attributes, so autograd can check they were not changed in place.
        (torch 2 also accepts forward without ctx plus a separate setup_context; here
        ctx comes first.)
        """
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        """The gradient with respect to x, given grad_output = dL/dy (same shape as x).

        The chain rule: dL/dx = dL/dy * dy/dx = grad_output * 3 x ** 2.

        Helps: ctx.saved_tensors is a tuple of what forward saved.
        """
        (x,) = ctx.saved_tensors
        return grad_output * 3 * x**2
