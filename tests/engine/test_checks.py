"""The shared assertion helpers fail, with a sentence, exactly when they should."""

import pytest
import torch
from torch import nn

from tests.checks import (
    assert_every_parameter_gets_a_gradient,
    assert_tensor_equal,
    keeps_contract,
    raises_keeping_contract,
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
