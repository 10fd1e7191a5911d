"""The bug_target_dtype kata: what class_targets in kata/bug_target_dtype.py must do."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch import nn

from kata.bug_target_dtype import class_targets

N_CLASSES = 5
csv_dtypes = st.sampled_from([np.float64, np.float32, np.int32, np.int16])
label_arrays = csv_dtypes.flatmap(
    lambda dtype: hnp.arrays(
        dtype, st.integers(1, 20), elements=st.integers(0, N_CLASSES - 1).map(dtype)
    )
)


@given(labels=label_arrays)
def test_targets_are_int64_class_indices_equal_to_the_labels(labels):
    targets = class_targets(labels)
    assert targets.dtype == torch.int64, (
        f"labels of dtype {labels.dtype} became a tensor of dtype {targets.dtype}; "
        "nn.CrossEntropyLoss wants class indices as int64 (torch.long)"
    )
    expected = torch.tensor(labels.astype(np.int64))
    assert torch.equal(targets, expected), f"got {targets}, expected {expected}"


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


def test_a_label_that_is_not_a_whole_number_raises_value_error():
    with pytest.raises(ValueError, match=r"1\.5"):
        class_targets(np.array([0.0, 1.5, 2.0]))


def test_a_negative_label_raises_value_error():
    with pytest.raises(ValueError, match="-1"):
        class_targets(np.array([0, -1, 2], dtype=np.int32))


def test_the_error_names_the_first_bad_label():
    with pytest.raises(ValueError) as raised:
        class_targets(np.array([0.0, 1.5, 2.0, 2.5]))
    assert "1.5" in str(raised.value), (
        f"labels [0, 1.5, 2, 2.5] raised {raised.value!r}: name the first bad label, 1.5, "
        "so the reader knows where to look"
    )
