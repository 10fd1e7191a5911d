"""The shared assertion helpers fail, with a sentence, exactly when they should."""

import pytest
import torch
from torch import nn

from tests.checks import (
    LOADERS,
    assert_close_in_float64,
    assert_every_parameter_gets_a_gradient,
    assert_tensor_equal,
    epoch_by_hand,
    gradients_of_one_backward,
    holds_numbers,
    keeps_contract,
    loss_by_hand,
    raises_keeping_contract,
    record_training_modes,
    regression_problem,
    training_modes,
)


class _HalfUsed(nn.Module):
    def __init__(self):
        super().__init__()
        self.used, self.unused = nn.Linear(2, 1), nn.Linear(2, 1)

    def forward(self, x):
        return self.used(x)


def test_a_parameter_that_forward_never_uses_is_named():
    model = _HalfUsed()
    model(torch.ones(3, 2)).sum().backward()
    with pytest.raises(pytest.fail.Exception, match=r"unused\.weight got no gradient"):
        assert_every_parameter_gets_a_gradient(model)


def test_a_model_whose_every_parameter_learns_passes():
    model = nn.Linear(2, 1)
    model(torch.ones(3, 2)).sum().backward()
    assert_every_parameter_gets_a_gradient(model)


# ---- keeps_contract and raises_keeping_contract ---------------------------------------------


def _relu_in_place(x):
    return torch.relu_(x)


def _evaluate_without_finally(model, loader):
    model.eval()
    if not loader:
        raise ValueError("no batch")
    model.train()


def _grad_off_and_raise():
    torch.set_grad_enabled(False)
    raise ValueError("no")


def _shuffle_in_place(items):
    items.reverse()
    return items


def _step(model):
    with torch.no_grad():
        model.weight.add_(1.0)


def test_an_input_written_in_place_is_named():
    x = torch.randn(5)
    with pytest.raises(pytest.fail.Exception, match=r"x holds other values"):
        keeps_contract(_relu_in_place, x)


def test_an_in_place_op_that_keeps_the_values_is_still_seen():
    x = torch.ones(5)  # relu leaves positive values as they are, but it wrote into x
    with pytest.raises(pytest.fail.Exception, match=r"x was written in place"):
        keeps_contract(_relu_in_place, x)


def test_a_mode_left_behind_on_the_raising_path_is_named():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout())
    with pytest.raises(pytest.fail.Exception, match=r"model was left in eval mode"):
        raises_keeping_contract(ValueError, _evaluate_without_finally, model, [])


def test_grad_mode_left_off_is_named():
    try:
        with pytest.raises(pytest.fail.Exception, match=r"grad mode .* is False"):
            raises_keeping_contract(ValueError, _grad_off_and_raise)
    finally:
        torch.set_grad_enabled(True)


def test_a_list_reordered_in_place_is_named():
    with pytest.raises(pytest.fail.Exception, match=r"items \(a list\) was reordered"):
        keeps_contract(_shuffle_in_place, [1, 2, 3])


def test_what_the_docstring_says_changes_may_change():
    model = nn.Linear(2, 1)
    with pytest.raises(pytest.fail.Exception, match=r"parameter model\.weight holds other"):
        keeps_contract(_step, model)
    keeps_contract(_step, model, changes=("model",))


def test_a_returned_tensor_of_the_wrong_dtype_is_named():
    with pytest.raises(pytest.fail.Exception, match=r"is torch.float32, expected torch.int64"):
        keeps_contract(torch.zeros, 3, dtype=torch.int64)
    assert keeps_contract(torch.zeros, 3, dtype=torch.float32).shape == (3,)


def test_the_wrong_exception_escapes_with_a_note_and_no_exception_is_a_failure():
    with pytest.raises(ZeroDivisionError) as info:
        raises_keeping_contract(ValueError, lambda: 1 / 0)
    assert "should raise ValueError" in info.value.__notes__[0]
    with pytest.raises(pytest.fail.Exception, match=r"returned, where it should raise"):
        raises_keeping_contract(ValueError, lambda: None)


def test_a_stub_is_reported_as_not_done_not_as_the_wrong_exception():
    def stub():
        raise NotImplementedError("stub")

    with pytest.raises(NotImplementedError) as info:
        raises_keeping_contract(ValueError, stub)
    assert not getattr(info.value, "__notes__", None)


def test_correct_code_keeps_the_contract():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2), nn.Dropout()).train()
    x = torch.randn(4, 2, requires_grad=True)

    def evaluate(model, x):
        was = model.training
        model.eval()
        try:
            with torch.no_grad():
                return model(x)
        finally:
            model.train(was)

    assert keeps_contract(evaluate, model, x).shape == (4, 2)


def test_assert_tensor_equal_sees_the_dtype_that_torch_equal_ignores():
    assert torch.equal(torch.tensor([1.0, 2.0]), torch.tensor([1, 2]))
    with pytest.raises(pytest.fail.Exception, match=r"labels is torch.float32, expected"):
        assert_tensor_equal(torch.tensor([1.0, 2.0]), torch.tensor([1, 2]), "labels")
    assert_tensor_equal(torch.tensor([1, 2]), torch.tensor([1, 2]))


def test_values_on_the_meta_device_are_checked_for_in_place_writes_alone():
    x = torch.empty(3, device="meta")
    assert keeps_contract(lambda t: t * 2, x).device.type == "meta"
    with pytest.raises(pytest.fail.Exception, match=r"was written in place"):
        keeps_contract(lambda t: t.mul_(2), x)


def test_a_key_added_to_a_dict_argument_is_named():
    def add(history):
        history["extra"] = []

    with pytest.raises(pytest.fail.Exception, match=r"history got keys it did not have: 'extra'"):
        keeps_contract(add, {"train": []})


def test_a_tuple_of_exceptions_may_be_expected():
    error = raises_keeping_contract((KeyError, ValueError), lambda: {}["x"])
    assert isinstance(error, KeyError)
    with pytest.raises(ZeroDivisionError) as info:
        raises_keeping_contract((KeyError, ValueError), lambda: 1 / 0)
    assert "should raise KeyError or ValueError" in info.value.__notes__[0]


# ---- the shared data builders and recorders ------------------------------------------------


def test_a_regression_problem_is_its_line_plus_bias_and_noise_drawn_after_x():
    X, y = regression_problem(5, n_in=2, seed=3)
    assert X.shape == (5, 2) and y.shape == (5, 1)
    torch.testing.assert_close(y, X @ torch.tensor([[1.5], [-2.0]]) + 0.3)
    noisy_X, noisy_y = regression_problem(5, seed=3, bias=0.0, noise=0.3)
    generator = torch.Generator().manual_seed(3)
    assert torch.equal(noisy_X, torch.randn(5, 3, generator=generator))
    noise = 0.3 * torch.randn(5, 1, generator=generator)
    assert torch.equal(noisy_y, noisy_X @ torch.tensor([[1.5], [-2.0], [0.5]]) + noise)


def test_gradients_of_one_backward_leave_the_model_and_its_gradients_alone():
    model = nn.Linear(3, 1)
    X, y = regression_problem(4)
    model(X).sum().backward()
    left = [p.grad.clone() for p in model.parameters()]
    grads = gradients_of_one_backward(model, nn.MSELoss(), X, y)
    assert all(torch.equal(p.grad, g) for p, g in zip(model.parameters(), left, strict=True))
    expected = torch.autograd.grad(nn.MSELoss()(model(X), y), list(model.parameters()))
    for got, want in zip(grads, expected, strict=True):
        torch.testing.assert_close(got, want)


def test_every_loader_yields_the_samples_it_says_in_order():
    X, y = torch.arange(10.0).unsqueeze(1), torch.arange(10)
    for kind, build in LOADERS.items():
        loader, n = build(X, y, 4)
        seen = [i for _, yb in loader for i in yb.tolist()]
        assert seen == list(range(n)), kind
        assert n == (8 if "drop_last" in kind else 10), kind


def test_training_modes_are_recorded_by_name_and_at_every_forward_pass():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout())
    model[1].eval()
    assert training_modes(model) == {"model": True, "0": True, "1": False}
    modes = record_training_modes(model)
    model(torch.ones(1, 2))
    model.eval()(torch.ones(1, 2))
    assert modes == [True, False]


def test_holds_numbers_wants_each_number_standing_on_its_own():
    assert holds_numbers("expected (1, 9, 47), got 19", 9, 47, 19)
    assert not holds_numbers("got 19 and 947", 9)
    assert not holds_numbers("a side of 9.5", 9)
    assert holds_numbers("length -2 is negative", -2)


def test_holds_numbers_finds_the_ends_of_a_range_written_with_dots():
    assert holds_numbers("labels run 1..3", 1, 3)
    assert holds_numbers("a size of 2.", 2)
    assert not holds_numbers("a side of 0.5", 5)


def test_the_hand_written_epoch_weighs_each_batch_by_its_size_and_trains():
    X, y = regression_problem(5)
    model, loss_fn = nn.Linear(3, 1).eval(), nn.MSELoss()
    before = [p.detach().clone() for p in model.parameters()]
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)  # lr 0: the losses stay put
    batches = [(X[:4], y[:4]), (X[4:], y[4:])]
    expected = (loss_fn(model(X[:4]), y[:4]).item() * 4 + loss_fn(model(X[4:]), y[4:]).item()) / 5
    assert epoch_by_hand(model, loss_fn, optimizer, batches) == pytest.approx(expected)
    assert model.training
    assert loss_by_hand(model, loss_fn, batches) == pytest.approx(expected)
    assert not model.training
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    epoch_by_hand(model, loss_fn, optimizer, batches)
    assert any(not torch.equal(b, p) for b, p in zip(before, model.parameters(), strict=True))


def test_close_in_float64_compares_values_across_dtypes_and_names_what_differs():
    assert_close_in_float64(torch.tensor([0.1], dtype=torch.float32), torch.tensor([0.1]), "x")
    with pytest.raises(AssertionError, match=r"the mean:"):
        assert_close_in_float64(torch.tensor([0.1]), torch.tensor([0.2]), "the mean")
