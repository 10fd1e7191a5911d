"""The bug_target_dtype kata: what class_targets in kata/bug_target_dtype.py must do."""

import re

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch import nn

from kata.bug_target_dtype import class_targets
from tests.checks import assert_tensor_equal, keeps_contract, raises_keeping_contract

N_CLASSES = 5
csv_dtypes = st.sampled_from([np.float64, np.float32, np.int32, np.int16])
label_arrays = csv_dtypes.flatmap(
    lambda dtype: hnp.arrays(
        dtype, st.integers(1, 20), elements=st.integers(0, N_CLASSES - 1).map(dtype)
    )
)


@given(labels=label_arrays)
def test_targets_are_int64_class_indices_equal_to_the_labels(labels):
    targets = keeps_contract(class_targets, labels)
    assert targets.dtype == torch.int64, (
        f"labels of dtype {labels.dtype} became a tensor of dtype {targets.dtype}; "
        "nn.CrossEntropyLoss wants class indices as int64 (torch.long)"
    )
    assert_tensor_equal(targets, torch.tensor(labels.astype(np.int64)), "the class indices")


@pytest.mark.parametrize("dtype", [np.float64, np.int32], ids=["float64", "int32"])
def test_an_empty_array_gives_an_empty_int64_tensor(dtype):
    targets = keeps_contract(class_targets, np.array([], dtype=dtype), dtype=torch.int64)
    assert_tensor_equal(targets, torch.zeros(0, dtype=torch.int64), "the class indices of N = 0")


def test_a_column_of_a_table_is_accepted():
    table = np.array([[0.0, 9.5], [2.0, 9.5], [1.0, 9.5]])  # labels, then a feature
    targets = keeps_contract(class_targets, table[:, 0], dtype=torch.int64)  # a strided view
    assert_tensor_equal(targets, torch.tensor([0, 2, 1]), "the class indices of a column")


def test_cross_entropy_accepts_targets_made_from_csv_floats():
    labels = np.array([0.0, 2.0, 1.0, 4.0])  # float64, as a CSV reader gives them
    logits = torch.randn(4, N_CLASSES)
    loss = nn.CrossEntropyLoss()(logits, class_targets(labels))
    torch.testing.assert_close(loss, nn.CrossEntropyLoss()(logits, torch.tensor([0, 2, 1, 4])))


def test_cross_entropy_accepts_targets_made_from_int32_labels():
    labels = np.array([3, 1, 1], dtype=np.int32)
    logits = torch.randn(3, N_CLASSES)
    loss = nn.CrossEntropyLoss()(logits, class_targets(labels))
    torch.testing.assert_close(loss, nn.CrossEntropyLoss()(logits, torch.tensor([3, 1, 1])))


NUMBER = re.compile(r"(?<![\w.])[-+]?(?:inf|nan|\d+(?:\.\d*)?(?:e[-+]?\d+)?|\.\d+)(?!\w)", re.I)


def _names(message: str, value: float) -> bool:
    """Whether message holds value as a number, however written (-2, -2.0, np.float64(-2.0))."""
    found = [float(number) for number in NUMBER.findall(message)]
    return any(f == value or (np.isnan(f) and np.isnan(value)) for f in found)


def test_a_label_that_is_not_a_whole_number_raises_value_error():
    error = raises_keeping_contract(ValueError, class_targets, np.array([0.0, 1.5, 2.0]))
    assert _names(str(error), 1.5), f"the error should name the bad label 1.5: {error}"


def test_a_negative_label_raises_value_error():
    labels = np.array([0, -1, 2], dtype=np.int32)
    error = raises_keeping_contract(ValueError, class_targets, labels)
    assert _names(str(error), -1), f"the error should name the bad label -1: {error}"


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=str)
def test_nan_and_inf_labels_raise_value_error(bad):
    labels = np.array([0.0, bad, 2.0])
    error = raises_keeping_contract(ValueError, class_targets, labels)
    assert _names(str(error), bad), (
        f"labels [0, {bad}, 2] raised {error!r}: name the bad label, {bad}, which is no "
        "whole number (np.floor and np.round leave inf as it is)"
    )


@pytest.mark.parametrize(
    ("labels", "first"),
    [([0.0, 1.5, 2.0, 2.5], 1.5), ([0.0, 1.5, -2.0], 1.5), ([0.0, -2.0, 1.5], -2.0)],
    ids=["two-fractions", "a-fraction-then-a-negative", "a-negative-then-a-fraction"],
)
def test_the_error_names_the_first_bad_label(labels, first):
    error = raises_keeping_contract(ValueError, class_targets, np.array(labels))
    assert _names(str(error), first), (
        f"labels {labels} raised {error!r}: name the value of the first bad label, {first}, "
        "so the reader knows where to look"
    )
