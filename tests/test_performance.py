"""The performance kata: what each function in kata/performance.py must do.

Speed itself is `make bench`'s business: these tests never look at a clock. They check
what makes a step fast, by counting: how many times the model runs, and how many times
a number is read back from a tensor (each read waits for the device).
"""

import re
from itertools import pairwise

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.flop_counter import FlopCounterMode

from kata.performance import (
    _per_sample_train_step,
    batched_train_step,
    linear_step_flops,
    train_epoch_without_sync,
)
from tests.checks import epoch_by_hand, keeps_contract, raises_keeping_contract

batch_sizes = st.integers(min_value=1, max_value=8)
widths = st.integers(min_value=1, max_value=6)
layer_widths = st.lists(widths, min_size=2, max_size=4)
seeds = st.integers(min_value=0, max_value=2**16)
# `device` is a plain torch.device, the same for every example: sharing it is safe.
fixture_examples = settings(
    max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Every way a tensor's value reaches Python; on a GPU each one waits for the device.
HOST_READS = ("item", "tolist", "numpy", "__float__", "__int__", "__bool__", "__index__")


@pytest.fixture
def host_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the tensor-to-Python reads made while the test runs, in order."""
    reads: list[str] = []
    for name in HOST_READS:
        original = getattr(torch.Tensor, name)

        def counting(self, *args, _name=name, _original=original, **kwargs):
            reads.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, name, counting)
    return reads


def _model(seed: int = 0, n_in: int = 3, n_out: int = 2) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(n_in, 5), nn.Tanh(), nn.Linear(5, n_out)).double()


def _batch(n: int, seed: int = 0, n_in: int = 3, n_out: int = 2):
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, n_in, generator=generator, dtype=torch.float64)
    return X, torch.randn(n, n_out, generator=generator, dtype=torch.float64)


def _sgd(model: nn.Module) -> torch.optim.SGD:
    return torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)


def _assert_same_parameters(got: nn.Module, expected: nn.Module, what: str) -> None:
    __tracebackhide__ = True
    for (name, p), q in zip(got.named_parameters(), expected.parameters(), strict=True):
        torch.testing.assert_close(
            p, q, msg=lambda m, name=name: f"{name} after {what} differs from the slow step's:\n{m}"
        )


def _classifier(seed: int = 0) -> nn.Module:
    """A model with batch norm and dropout, in eval mode as a caller may have left it."""
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(3, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Dropout(0.3), nn.Linear(8, 4)
    )
    return model.double().eval()


def _count_forward_calls(model: nn.Module) -> list[int]:
    """The batch size of every call of model, recorded by a forward pre-hook."""
    sizes: list[int] = []
    model.register_forward_pre_hook(lambda module, args: sizes.append(len(args[0])))
    return sizes


# batched_train_step


@fixture_examples
@given(n=batch_sizes, seed=seeds)
def test_batched_step_updates_the_weights_as_the_per_sample_loop_does(n, seed, device):
    slow, fast = _model(seed).to(device), _model(seed).to(device)
    X, y = (t.to(device) for t in _batch(n, seed))
    _per_sample_train_step(slow, nn.MSELoss(), _sgd(slow), X, y)
    batched_train_step(fast, nn.MSELoss(), _sgd(fast), X, y)
    _assert_same_parameters(fast, slow, f"batched_train_step on {n} samples")


@pytest.mark.parametrize("loss_fn", [nn.MSELoss(), nn.CrossEntropyLoss()], ids=["mse", "ce"])
def test_batched_step_is_one_step_of_the_plain_loop_for_any_model_and_loss(loss_fn):
    # Train mode, forward, loss_fn(outputs, targets), zero_grad, backward, step, written
    # out here, on a model in eval mode with batch norm and dropout (its samples interact,
    # so the per-sample loop is no oracle), with stale gradients from before.
    model, twin = _classifier(), _classifier()
    X, y = _batch(6, n_out=4)
    if isinstance(loss_fn, nn.CrossEntropyLoss):
        y = torch.tensor([0, 3, 1, 1, 2, 0])
    for p in model.parameters():
        p.grad = torch.full_like(p, 100.0)
    by_hand = _sgd(twin)
    torch.manual_seed(1)  # dropout draws from the global RNG: the same draws for both
    twin.train()
    expected = loss_fn(twin(X), y)
    by_hand.zero_grad()
    expected.backward()
    by_hand.step()

    torch.manual_seed(1)
    trained = (
        "model",
        "optimizer",
    )  # what the step changes; X, y and loss_fn come back as they were
    loss = keeps_contract(
        batched_train_step, model, loss_fn, _sgd(model), X, y, changes=trained, dtype=X.dtype
    )
    assert model.training, "the model is still in eval mode after the step: call model.train()"
    torch.testing.assert_close(
        loss, expected.detach(), msg="not the loss of the batch before the step"
    )
    torch.testing.assert_close(
        model.state_dict(),
        twin.state_dict(),
        msg=lambda m: (
            f"with {type(loss_fn).__name__}, the weights and batch norm statistics after "
            f"batched_train_step differ from one training_loop step: {m}"
        ),
    )


def test_batched_step_returns_the_mean_loss_before_the_step_as_a_detached_tensor():
    model, (X, y) = _model(), _batch(6)
    with torch.no_grad():
        expected = nn.MSELoss()(model(X), y)
    loss = batched_train_step(model, nn.MSELoss(), _sgd(model), X, y)
    assert isinstance(loss, torch.Tensor) and loss.ndim == 0, (
        f"batched_train_step returned {loss!r}: return the loss as a 0-dim tensor "
        "(loss.detach()), not as a float"
    )
    assert not loss.requires_grad, "the returned loss still holds the graph: return loss.detach()"
    torch.testing.assert_close(
        loss,
        expected,
        msg="that is not the mean loss before the step: return the loss you called backward() on",
    )


@given(n=batch_sizes, seed=seeds)
def test_batched_step_returns_the_loss_the_per_sample_loop_returns(n, seed):
    slow, fast = _model(seed), _model(seed)
    X, y = _batch(n, seed)
    expected = _per_sample_train_step(slow, nn.MSELoss(), _sgd(slow), X, y)
    got = batched_train_step(fast, nn.MSELoss(), _sgd(fast), X, y)
    assert float(got) == pytest.approx(expected, rel=1e-9), (
        f"on {n} samples batched_train_step returned the loss {float(got)}, the per-sample "
        f"loop {expected}: both are the mean loss over the batch, before the step"
    )


def test_batched_step_runs_the_model_once_on_the_whole_batch():
    model, (X, y) = _model(), _batch(6)
    calls = _count_forward_calls(model)
    batched_train_step(model, nn.MSELoss(), _sgd(model), X, y)
    assert calls == [6], (
        f"the model ran on batches of {calls}, expected one call on all 6 samples: "
        "call model(X) once, with no loop over samples"
    )


def test_batched_step_never_reads_a_number_back(host_reads):
    model, (X, y) = _model(), _batch(6)
    host_reads.clear()
    loss = batched_train_step(model, nn.MSELoss(), _sgd(model), X, y)
    assert isinstance(loss, torch.Tensor), f"batched_train_step returned {loss!r}, not a tensor"
    assert host_reads == [], (
        f"batched_train_step read tensors back into Python {len(host_reads)} times "
        f"({', '.join(host_reads)}): each read waits for the device. Return loss.detach()"
    )


def test_batched_step_clears_gradients_left_from_before():
    stale, fresh = _model(), _model()
    X, y = _batch(6)
    for p in stale.parameters():
        p.grad = torch.full_like(p, 100.0)
    batched_train_step(stale, nn.MSELoss(), _sgd(stale), X, y)
    batched_train_step(fresh, nn.MSELoss(), _sgd(fresh), X, y)
    _assert_same_parameters(stale, fresh, "a step that began with stale .grad (call zero_grad)")


def test_batched_step_puts_the_model_in_training_mode():
    model, (X, y) = _model(), _batch(4)
    model.eval()
    batched_train_step(model, nn.MSELoss(), _sgd(model), X, y)
    assert model.training, "the model is still in eval mode after the step: call model.train()"


def test_batched_step_rejects_an_empty_batch():
    model = _classifier()
    X, y = _batch(0, n_out=4)
    # nothing is trained, so the model and its mode too come back as they went in
    raises_keeping_contract(ValueError, batched_train_step, model, nn.MSELoss(), _sgd(model), X, y)


def test_batched_step_rejects_targets_of_another_length():
    model, (X, y) = _classifier(), _batch(6, n_out=4)
    error = raises_keeping_contract(
        ValueError, batched_train_step, model, nn.MSELoss(), _sgd(model), X, y[:5]
    )
    lengths = re.findall(r"\b[56]\b", str(error))
    assert set(lengths) == {"5", "6"}, f"the message must name both lengths, 6 and 5: {error}"


# train_epoch_without_sync


def _batches(sizes: list[int], seed: int = 0) -> list[tuple[torch.Tensor, torch.Tensor]]:
    return [_batch(n, seed + i) for i, n in enumerate(sizes)]


def _epoch_by_hand(model: nn.Module, loader) -> float:
    """training_loop.train_epoch, with PyTorch calls only: one .item() per batch."""
    return epoch_by_hand(model, nn.MSELoss(), _sgd(model), loader)


def test_epoch_returns_the_mean_loss_weighted_by_batch_size(device):
    loader = [(X.to(device), y.to(device)) for X, y in _batches([4, 4, 1])]
    model, by_hand = _model().to(device), _model().to(device)
    expected = _epoch_by_hand(by_hand, loader)
    trained = ("model", "optimizer")
    got = keeps_contract(
        train_epoch_without_sync, model, nn.MSELoss(), _sgd(model), loader, changes=trained
    )
    assert got == pytest.approx(expected, rel=1e-9), (
        f"the epoch returned {got}, expected {expected}: the mean of the batch losses "
        "weighted by len(X), so the short last batch counts for what it holds"
    )
    _assert_same_parameters(model, by_hand, "an epoch of three batches")


def test_epoch_over_a_data_loader_that_drops_its_last_batch():
    X, y = _batch(11)
    model, by_hand = _model(), _model()
    expected = _epoch_by_hand(by_hand, DataLoader(TensorDataset(X, y), 4, drop_last=True))
    loader = DataLoader(TensorDataset(X, y), 4, drop_last=True)
    got = train_epoch_without_sync(model, nn.MSELoss(), _sgd(model), loader)
    assert got == pytest.approx(expected, rel=1e-9), (
        f"an epoch over 8 of 11 samples (drop_last) returned {got}, expected {expected}: "
        "divide by the samples the batches held, not by len(loader.dataset)"
    )
    _assert_same_parameters(model, by_hand, "an epoch of two batches of four")


def test_epoch_reads_the_loss_back_once_not_once_per_batch(host_reads):
    model, loader = _model(), _batches([2] * 5)
    host_reads.clear()
    train_epoch_without_sync(model, nn.MSELoss(), _sgd(model), loader)
    assert len(host_reads) <= 1, (
        f"an epoch of 5 batches read tensors back into Python {len(host_reads)} times "
        f"({', '.join(host_reads)}): keep the running total a tensor and call .item() once"
    )


def test_epoch_returns_a_float():
    model = _model()
    loss = train_epoch_without_sync(model, nn.MSELoss(), _sgd(model), _batches([3, 3]))
    assert isinstance(loss, float), (
        f"the epoch returned a {type(loss).__name__}: use .item() at the end"
    )


@pytest.mark.parametrize("kind", ["list", "DataLoader-drop_last"])
def test_epoch_rejects_an_empty_loader(kind):
    model = _classifier()
    # a DataLoader with drop_last and fewer samples than a batch yields no batch at all
    empty = [] if kind == "list" else DataLoader(TensorDataset(*_batch(3)), 4, drop_last=True)
    raises_keeping_contract(
        ValueError, train_epoch_without_sync, model, nn.MSELoss(), _sgd(model), empty
    )


# linear_step_flops


def _stack(sizes: list[int]) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Flatten()]
    for n_in, n_out in pairwise(sizes):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def _flops_counted_by_torch(model: nn.Module, batch_size: int, n_in: int) -> int:
    with FlopCounterMode(display=False) as counter:
        model(torch.randn(batch_size, n_in)).sum().backward()
    return counter.get_total_flops()


@settings(max_examples=30)
@given(sizes=layer_widths, batch_size=batch_sizes)
def test_linear_step_flops_matches_torch_flop_counter(sizes, batch_size):
    model = _stack(sizes)
    expected = _flops_counted_by_torch(model, batch_size, sizes[0])
    got = keeps_contract(linear_step_flops, model, batch_size)
    assert got == expected, (
        f"linear_step_flops(widths {sizes}, batch {batch_size}) returned {got}, but "
        f"FlopCounterMode counts {expected} for a forward and backward pass: "
        "2 * B * in * out per product, three products per Linear but the first"
    )


def test_linear_step_flops_skips_the_input_gradient_of_the_first_layer():
    expected = _flops_counted_by_torch(nn.Linear(7, 3), 5, 7)
    got = linear_step_flops(nn.Linear(7, 3), 5)
    assert got == expected, (
        f"one Linear(7, 3) at batch 5 gave {got}, expected {expected} = 2 products of "
        "2 * 5 * 7 * 3: the data needs no gradient, so backward computes only the weight's"
    )


def test_linear_step_flops_counts_only_the_linear_layers_and_leaves_the_model_alone():
    model = nn.Sequential(
        nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 3)
    )
    expected = _flops_counted_by_torch(model, 5, 4)  # batch norm's work is not a product
    model.train()
    got = keeps_contract(linear_step_flops, model, 5)
    assert got == expected, (
        f"Linear(4, 8), BatchNorm1d, ReLU, Dropout, Linear(8, 3) at batch 5 gave {got}, "
        f"expected {expected}: count the nn.Linear layers alone"
    )


def test_linear_step_flops_returns_an_int():
    got = linear_step_flops(_stack([4, 3, 2]), 2)
    assert type(got) is int, f"linear_step_flops returned a {type(got).__name__}, expected an int"


def test_linear_step_flops_rejects_a_batch_size_below_one():
    raises_keeping_contract(ValueError, linear_step_flops, _stack([4, 2]), 0)


def test_linear_step_flops_rejects_a_model_without_linear_layers():
    model = nn.Sequential(nn.Flatten(), nn.BatchNorm1d(4), nn.ReLU())
    raises_keeping_contract(ValueError, linear_step_flops, model, 4)
