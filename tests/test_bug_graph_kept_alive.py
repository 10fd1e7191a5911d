"""The bug_graph_kept_alive kata: what train_epoch in kata/bug_graph_kept_alive.py must do."""

import copy
import gc
import weakref

import pytest
import torch
from torch import nn

from kata.bug_graph_kept_alive import train_epoch
from tests.checks import LOADERS, batch_pairs, epoch_by_hand, keeps_contract


class _Marker:
    """Pinned to an autograd node (in its .metadata dict): it lives exactly as long as the node."""


class WatchedLoss:
    """A loss function that pins a marker to each step's graph, at the nodes that made the
    prediction and the loss, and notes, before each call, which earlier steps' graphs are
    still alive. Weak references see that without keeping anything alive themselves."""

    def __init__(self, inner: nn.Module):
        self.inner = inner
        self.markers: list[list[weakref.ref]] = []  # one list per step
        self.alive_before: list[list[int]] = []  # the live steps, seen at each call

    def alive(self, allowed: tuple[int, ...] = ()) -> list[int]:
        """The steps whose graph is alive; the collector runs first where any but `allowed`
        seem to be, so that only what something holds counts (not what waits in a cycle)."""
        found = [step for step, refs in enumerate(self.markers) if any(r() for r in refs)]
        if set(found) - set(allowed):
            gc.collect()
            found = [step for step, refs in enumerate(self.markers) if any(r() for r in refs)]
        return found

    def __call__(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        self.alive_before.append(self.alive(allowed=(len(self.markers) - 1,)))
        loss = self.inner(prediction, target)
        refs = []
        for tensor in (prediction, loss):
            if tensor.grad_fn is not None:
                marker = _Marker()
                tensor.grad_fn.metadata["marker"] = marker
                refs.append(weakref.ref(marker))
        self.markers.append(refs)
        return loss


def _classification_data(n: int = 10, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 4, generator=generator)
    y = torch.randint(0, 3, (n,), generator=generator)
    return X, y


def _classifier_with_batch_norm_and_dropout() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 3)
    )


def test_no_earlier_step_keeps_its_graph_alive_while_the_epoch_goes_on():
    X, y = _classification_data(24)
    model = _classifier_with_batch_norm_and_dropout()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = WatchedLoss(nn.CrossEntropyLoss())
    train_epoch(model, loss_fn, optimizer, batch_pairs(X, y, 4))
    assert len(loss_fn.markers) == 6, (
        f"6 batches, but the loss was computed {len(loss_fn.markers)} times"
    )
    # At batch k the loop may still hold batch k-1's loss in a variable; nothing older.
    kept = {k: [s for s in alive if s < k - 1] for k, alive in enumerate(loss_fn.alive_before)}
    kept = {k: steps for k, steps in kept.items() if steps}
    assert not kept, (
        "while the epoch ran, the graphs of earlier steps were still alive (at batch k: the "
        f"steps whose graph lived on) {kept}: something the loop keeps across batches refers "
        "to each step's loss. A running total made of loss tensors is one: `total += loss` "
        "makes total a tensor whose grad_fn leads back through every step summed into it"
    )


def test_the_caller_keeping_the_results_keeps_no_graph_alive():
    X, y = _classification_data(12)
    model = _classifier_with_batch_norm_and_dropout()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = WatchedLoss(nn.CrossEntropyLoss())
    history = [train_epoch(model, loss_fn, optimizer, batch_pairs(X, y, 4)) for _ in range(3)]
    alive = loss_fn.alive()
    assert not alive, (
        f"a history of 3 epochs' results, {history}, keeps the graphs of steps {alive} of "
        f"{len(loss_fn.markers)} alive: each result should be a plain number with no "
        "graph behind it"
    )
    assert all(isinstance(v, float) for v in history), (
        f"train_epoch returned {[type(v).__name__ for v in history]}, expected Python floats"
    )


@pytest.mark.parametrize("kind", LOADERS)
def test_the_epoch_returns_the_mean_loss_as_a_python_float(kind):
    # Cross-entropy is not symmetric, the model holds batch norm and dropout and was left in
    # eval mode, and batches of 4, 4 and 2 count by their sizes.
    X, y = _classification_data(10)
    model = _classifier_with_batch_norm_and_dropout().eval()
    twin = copy.deepcopy(model)
    twin_optimizer = torch.optim.SGD(twin.parameters(), lr=0.1, momentum=0.9)
    torch.manual_seed(1)  # the same dropout masks for both
    expected = epoch_by_hand(twin, nn.CrossEntropyLoss(), twin_optimizer, LOADERS[kind](X, y, 4)[0])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loader, n = LOADERS[kind](X, y, 4)
    torch.manual_seed(1)
    got = keeps_contract(
        train_epoch, model, nn.CrossEntropyLoss(), optimizer, loader, changes=("model", "optimizer")
    )
    assert isinstance(got, float), (
        f"train_epoch over a {kind} returned a {type(got).__name__} ({got!r}), expected a "
        "Python float: a number, with no autograd graph behind it"
    )
    assert got == pytest.approx(expected, rel=1e-5), (
        f"train_epoch over a {kind} returned {got}, expected {expected}: the mean of the "
        f"losses of the batches, each taken before its step and weighted by len(X), over "
        f"the {n} samples the loader yields"
    )
    torch.testing.assert_close(
        model.state_dict(),
        twin.state_dict(),
        msg=lambda m: (
            "after one epoch the model is not where one step per batch takes it (in training "
            f"mode, gradients cleared before each backward()).\n{m}"
        ),
    )
