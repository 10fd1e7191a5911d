"""The optimizers kata: what each function in kata/optimizers.py must do."""

import copy

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch import nn

from kata.optimizers import make_optimizer, set_learning_rate, sgd_step_by_hand, take_one_step
from tests.checks import keeps_contract, raises_keeping_contract
from tests.strategies import shapes

float32s = st.floats(min_value=-100, max_value=100, allow_nan=False, width=32)
learning_rates = st.floats(min_value=1e-4, max_value=1.0)


def tiny_model(seed: int = 0) -> nn.Linear:
    torch.manual_seed(seed)
    return nn.Linear(3, 2)


def model_with_batch_norm_and_dropout() -> nn.Sequential:
    """Any model: one with buffers and layers that act differently in train mode."""
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Dropout(0.5), nn.Linear(4, 2))


def tiny_batch() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    X = torch.rand(4, 3, generator=generator) + 0.5  # all positive: no gradient is 0
    return X, torch.randn(4, 2, generator=generator)


def constant_gradient_loss(scale: float = 1.0):
    """A loss whose gradient does not depend on the parameters: scale * sum of outputs."""
    return lambda predictions, targets: scale * predictions.sum()


def fresh_gradients(model: nn.Module, loss_fn, X, y) -> dict[str, torch.Tensor]:
    """The gradients of loss_fn at the model's current parameters, computed on a copy."""
    twin = copy.deepcopy(model)
    loss_fn(twin(X), y).backward()
    return {name: p.grad.clone() for name, p in twin.named_parameters()}


# make_optimizer ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "optimizer_class"),
    [("sgd", torch.optim.SGD), ("adam", torch.optim.Adam), ("rmsprop", torch.optim.RMSprop)],
)
def test_make_optimizer_builds_the_named_optimizer_with_the_learning_rate(name, optimizer_class):
    optimizer = keeps_contract(make_optimizer, name, tiny_model(), lr=0.03)
    assert isinstance(optimizer, optimizer_class), (
        f"make_optimizer({name!r}, ...) returned {type(optimizer).__name__}, "
        f"expected torch.optim.{optimizer_class.__name__}"
    )
    lrs = [group["lr"] for group in optimizer.param_groups]
    assert lrs == [0.03], f"param_groups hold lr {lrs}, expected [0.03]"


@pytest.mark.parametrize("name", ["sgd", "adam", "rmsprop"])
def test_make_optimizer_holds_exactly_the_model_parameters(name):
    model = model_with_batch_norm_and_dropout()
    optimizer = keeps_contract(make_optimizer, name, model, lr=0.1)
    held = [p for group in optimizer.param_groups for p in group["params"]]
    expected = list(model.parameters())
    assert [id(p) for p in held] == [id(p) for p in expected], (
        f"the optimizer holds {len(held)} tensors; it must hold the model's own "
        f"{len(expected)} parameters: pass model.parameters()"
    )


def test_make_optimizer_passes_momentum_and_weight_decay_on_to_sgd():
    optimizer = make_optimizer("sgd", tiny_model(), lr=0.1, momentum=0.9, weight_decay=0.01)
    group = optimizer.param_groups[0]
    assert (group["momentum"], group["weight_decay"]) == (0.9, 0.01), (
        f"param_groups[0] has momentum={group['momentum']}, weight_decay={group['weight_decay']}; "
        "expected 0.9 and 0.01: pass the extra keywords on with **options"
    )


def test_make_optimizer_passes_betas_and_weight_decay_on_to_adam():
    optimizer = make_optimizer("adam", tiny_model(), lr=0.1, betas=(0.8, 0.9), weight_decay=0.5)
    group = optimizer.param_groups[0]
    assert (group["betas"], group["weight_decay"]) == ((0.8, 0.9), 0.5)


@pytest.mark.parametrize("unknown", ["adagrad", "SGD", "Adam"])
def test_make_optimizer_rejects_an_unknown_name_and_lists_the_valid_ones(unknown):
    error = raises_keeping_contract(ValueError, make_optimizer, unknown, tiny_model(), lr=0.1)
    for name in ("sgd", "adam", "rmsprop"):
        assert name in str(error), f"the message should list {name!r}: {error}"


@pytest.mark.parametrize("lr", [0.0, -0.1], ids=["zero", "negative"])
def test_make_optimizer_rejects_a_learning_rate_that_is_not_positive(lr):
    raises_keeping_contract(ValueError, make_optimizer, "sgd", tiny_model(), lr=lr)


def test_zero_grad_sets_the_gradients_to_none():
    model = tiny_model()
    optimizer = make_optimizer("sgd", model, lr=0.1)
    X, y = tiny_batch()
    nn.MSELoss()(model(X), y).backward()
    optimizer.zero_grad()
    grads = {name: p.grad for name, p in model.named_parameters()}
    assert all(g is None for g in grads.values()), (
        f"after zero_grad() the grads are {grads}: since torch 2.0 zero_grad sets them to "
        "None (set_to_none=True); the optimizer must hold the model's parameters"
    )


# sgd_step_by_hand ----------------------------------------------------------------------


@given(data=st.data(), shape=shapes, lr=learning_rates)
def test_sgd_step_by_hand_equals_torch_sgd_bit_for_bit(data, shape, lr):
    value, grad = (
        torch.from_numpy(data.draw(hnp.arrays(np.float32, shape, elements=float32s)))
        for _ in range(2)
    )
    by_hand, by_torch = (value.clone().requires_grad_() for _ in range(2))
    by_hand.grad, by_torch.grad = grad.clone(), grad.clone()
    keeps_contract(sgd_step_by_hand, [by_hand], lr, changes=("params",))
    torch.optim.SGD([by_torch], lr=lr).step()
    assert torch.equal(by_hand.detach(), by_torch.detach()), (
        f"largest difference {(by_hand - by_torch).abs().max().item()} from torch.optim.SGD: "
        "it updates with p.add_(p.grad, alpha=-lr), which rounds once; "
        "p -= lr * p.grad rounds twice"
    )


def test_sgd_step_by_hand_moves_the_model_parameters_in_place_against_the_gradient():
    model = tiny_model()
    X, y = tiny_batch()
    nn.MSELoss()(model(X), y).backward()
    before = {name: (p, p.detach().clone(), p.grad.clone()) for name, p in model.named_parameters()}
    sgd_step_by_hand(model.parameters(), lr=0.1)
    for name, p in model.named_parameters():
        same_tensor, value, grad = before[name]
        assert p is same_tensor and p.is_leaf and p.requires_grad, (
            f"{name} must stay the same leaf parameter: update it in place under torch.no_grad()"
        )
        torch.testing.assert_close(
            p.detach(), value - 0.1 * grad, msg=lambda m, name=name: f"{name}: {m}"
        )


def test_sgd_step_by_hand_leaves_a_parameter_without_gradient_alone():
    used, unused = torch.ones(3, requires_grad=True), torch.ones(3, requires_grad=True)
    used.grad = torch.full((3,), 2.0)
    sgd_step_by_hand([used, unused], lr=0.5)
    torch.testing.assert_close(used.detach(), torch.zeros(3))
    assert torch.equal(unused.detach(), torch.ones(3)) and unused.grad is None, (
        "a parameter whose .grad is None must be skipped, as torch.optim.SGD skips it"
    )


@pytest.mark.parametrize("lr", [0.0, -0.1], ids=["zero", "negative"])
def test_sgd_step_by_hand_rejects_a_learning_rate_that_is_not_positive(lr):
    p = torch.ones(2, requires_grad=True)
    p.grad = torch.ones(2)
    raises_keeping_contract(ValueError, sgd_step_by_hand, [p], lr)  # p must not move either


# take_one_step -------------------------------------------------------------------------


def test_take_one_step_returns_minus_lr_times_the_gradient_for_plain_sgd(device):
    model = tiny_model().to(device)
    X, y = (t.to(device) for t in tiny_batch())
    grads = fresh_gradients(model, nn.MSELoss(), X, y)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    updates = keeps_contract(
        take_one_step, model, nn.MSELoss(), X, y, optimizer, changes=("model", "optimizer")
    )
    assert set(updates) == set(grads), f"expected keys {sorted(grads)}, got {sorted(updates)}"
    for name, update in updates.items():
        assert not update.requires_grad, f"the update of {name} must not require grad: detach it"
        torch.testing.assert_close(
            update,
            -0.1 * grads[name],
            msg=lambda m, name=name: f"{name}: plain SGD moves by -lr * grad: {m}",
        )


def test_take_one_step_reports_the_change_the_parameters_really_made():
    model = tiny_model()
    X, y = tiny_batch()
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    updates = take_one_step(model, nn.MSELoss(), X, y, torch.optim.Adam(model.parameters(), lr=0.1))
    for name, p in model.named_parameters():
        assert not torch.equal(p.detach(), before[name]), f"{name} did not move: call step()"
        torch.testing.assert_close(updates[name], p.detach() - before[name])


def test_take_one_step_ignores_gradients_left_over_from_earlier():
    model = tiny_model()
    X, y = tiny_batch()
    grads = fresh_gradients(model, nn.MSELoss(), X, y)
    for p in model.parameters():
        p.grad = torch.full_like(p, 100.0)  # stale gradients from some earlier backward
    updates = take_one_step(model, nn.MSELoss(), X, y, torch.optim.SGD(model.parameters(), lr=0.1))
    for name, update in updates.items():
        torch.testing.assert_close(
            update,
            -0.1 * grads[name],
            msg=lambda m, name=name: (
                f"{name}: the stale gradients leaked into the step: .backward() adds to .grad, "
                f"so call optimizer.zero_grad() first: {m}"
            ),
        )


def _class_targets(X, y):
    return torch.tensor([0, 1, 1, 0])


def _probabilities(X, y):
    return torch.sigmoid(y)


@pytest.mark.parametrize(
    ("loss_fn", "targets"),
    [
        (nn.MSELoss(), lambda X, y: y),
        (nn.CrossEntropyLoss(), _class_targets),
        (nn.BCEWithLogitsLoss(), _probabilities),
        (nn.L1Loss(), lambda X, y: y),
    ],
    ids=["mse", "cross-entropy", "bce-with-logits", "l1"],
)
def test_take_one_step_works_with_any_loss_called_as_loss_fn_of_predictions_and_targets(
    loss_fn, targets
):
    model = model_with_batch_norm_and_dropout().eval()  # eval: the same forward twice
    X, y = tiny_batch()
    y = targets(X, y)
    grads = fresh_gradients(model, loss_fn, X, y)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    updates = keeps_contract(
        take_one_step, model, loss_fn, X, y, optimizer, changes=("model", "optimizer")
    )
    for name, update in updates.items():
        torch.testing.assert_close(
            update,
            -0.1 * grads[name],
            msg=lambda m, name=name: (
                f"{name}: with {type(loss_fn).__name__} the step is not -lr times the gradient "
                "of loss_fn(model(X), y): the predictions come first, the targets second: "
                f"{m}"
            ),
        )


# what each optimizer does, seen through take_one_step ------------------------------------


def test_weight_decay_shrinks_the_weights_when_the_gradient_is_zero():
    model = tiny_model()
    X, y = tiny_batch()
    before = model.weight.detach().clone()
    optimizer = make_optimizer("sgd", model, lr=0.1, weight_decay=0.5)
    take_one_step(model, lambda predictions, targets: (predictions * 0).sum(), X, y, optimizer)
    torch.testing.assert_close(
        model.weight.detach(),
        before * (1 - 0.1 * 0.5),
        msg=lambda m: f"SGD adds weight_decay * p to the gradient: p becomes p (1 - lr wd): {m}",
    )
    assert model.weight.norm() < before.norm()


def test_momentum_makes_the_second_step_bigger_on_a_constant_gradient():
    X, y = tiny_batch()
    plain_model, momentum_model = tiny_model(), tiny_model()
    plain = make_optimizer("sgd", plain_model, lr=0.1)
    momentum = make_optimizer("sgd", momentum_model, lr=0.1, momentum=0.9)
    plain_steps = [take_one_step(plain_model, constant_gradient_loss(), X, y, plain) for _ in "ab"]
    momentum_steps = [
        take_one_step(momentum_model, constant_gradient_loss(), X, y, momentum) for _ in "ab"
    ]
    for name in plain_steps[0]:
        torch.testing.assert_close(plain_steps[1][name], plain_steps[0][name])
        torch.testing.assert_close(momentum_steps[0][name], plain_steps[0][name])
        torch.testing.assert_close(
            momentum_steps[1][name],
            (1 + 0.9) * plain_steps[0][name],
            msg=lambda m, name=name: (
                f"{name}: with momentum 0.9 the second step is g + 0.9 g, times lr: {m}"
            ),
        )


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3], ids=["tiny", "unit", "huge"])
def test_adam_first_step_moves_each_parameter_by_about_lr_whatever_the_gradient_scale(scale):
    model = tiny_model()
    X, y = tiny_batch()
    loss_fn = constant_gradient_loss(scale)
    grads = fresh_gradients(model, loss_fn, X, y)
    updates = take_one_step(model, loss_fn, X, y, make_optimizer("adam", model, lr=0.01))
    for name, update in updates.items():
        torch.testing.assert_close(
            update,
            -0.01 * torch.sign(grads[name]),
            rtol=1e-4,
            atol=1e-7,
            msg=lambda m, name=name: (
                f"{name}: Adam's first step is lr * g / (|g| + eps), about lr * sign(g): {m}"
            ),
        )


def test_rmsprop_first_step_is_lr_over_the_root_of_one_minus_alpha():
    model = tiny_model()
    X, y = tiny_batch()
    grads = fresh_gradients(model, constant_gradient_loss(), X, y)
    optimizer = make_optimizer("rmsprop", model, lr=0.01, alpha=0.99)
    updates = take_one_step(model, constant_gradient_loss(), X, y, optimizer)
    for name, update in updates.items():
        g = grads[name]
        expected = -0.01 * g / ((1 - 0.99) * g**2).sqrt()  # square average starts at 0
        torch.testing.assert_close(update, expected, rtol=1e-4, atol=1e-7)


# set_learning_rate ---------------------------------------------------------------------


def test_set_learning_rate_changes_every_group_and_the_next_step_uses_it():
    model = tiny_model()
    X, y = tiny_batch()
    optimizer = torch.optim.SGD(
        [{"params": [model.weight], "lr": 0.1}, {"params": [model.bias], "lr": 0.2}]
    )
    keeps_contract(set_learning_rate, optimizer, 0.05, changes=("optimizer",))
    lrs = [group["lr"] for group in optimizer.param_groups]
    assert lrs == [0.05, 0.05], f"param_groups hold lr {lrs}, expected 0.05 in every group"
    grads = fresh_gradients(model, nn.MSELoss(), X, y)
    updates = take_one_step(model, nn.MSELoss(), X, y, optimizer)
    for name, update in updates.items():
        torch.testing.assert_close(update, -0.05 * grads[name])


def test_set_learning_rate_keeps_the_momentum_built_up_so_far():
    model = tiny_model()
    X, y = tiny_batch()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    first = take_one_step(model, constant_gradient_loss(), X, y, optimizer)
    set_learning_rate(optimizer, 0.05)
    second = take_one_step(model, constant_gradient_loss(), X, y, optimizer)
    for name in first:
        torch.testing.assert_close(
            second[name],
            0.05 / 0.1 * (1 + 0.9) * first[name],
            msg=lambda m, name=name: (
                f"{name}: the momentum buffer was lost: change group['lr'] in "
                f"optimizer.param_groups instead of building a new optimizer: {m}"
            ),
        )


@pytest.mark.parametrize("lr", [0.0, -0.1], ids=["zero", "negative"])
def test_set_learning_rate_rejects_a_learning_rate_that_is_not_positive(lr):
    optimizer = torch.optim.SGD(tiny_model().parameters(), lr=0.1)
    raises_keeping_contract(ValueError, set_learning_rate, optimizer, lr)
    lrs = [group["lr"] for group in optimizer.param_groups]
    assert lrs == [0.1], f"a refused lr must leave the optimizer as it was; param_groups hold {lrs}"
