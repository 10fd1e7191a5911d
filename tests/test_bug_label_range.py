"""The bug_label_range kata: what each function in kata/bug_label_range.py must do."""

import re

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from kata.bug_label_range import class_indices, predicted_labels
from tests.checks import assert_tensor_equal, keeps_contract, raises_keeping_contract
from tests.strategies import seeds

class_counts = st.integers(min_value=1, max_value=12)
batch_sizes = st.integers(min_value=0, max_value=20)
integer_dtypes = st.sampled_from([torch.int64, torch.int32, torch.int16, torch.uint8])


# A whole number as a message may write it: "-1", "label 4", "1..3", "1 to 3", "[0, 2]".
# (tests/checks.py's holds_numbers skips a number beside a dot, as in the range "1..3".)
WHOLE_NUMBER = re.compile(r"(?:(?<!\w)-)?(?<!\d)\d+")


def _names(message: str, *numbers: int) -> bool:
    """Whether the message names each of the numbers (9 is not in 19, 1 is not in -1)."""
    found = {int(number) for number in WHOLE_NUMBER.findall(message)}
    return all(number in found for number in numbers)


def _file_labels(n: int, num_classes: int, seed: int, dtype=torch.int64) -> torch.Tensor:
    """n labels as the file numbers them, 1 to num_classes."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(1, num_classes + 1, (n,), generator=generator).to(dtype)


@given(n=batch_sizes, num_classes=class_counts, dtype=integer_dtypes, seed=seeds)
def test_label_k_becomes_class_index_k_minus_1(n, num_classes, dtype, seed):
    labels = _file_labels(n, num_classes, seed, dtype)
    got = keeps_contract(class_indices, labels, num_classes, dtype=torch.int64)
    assert_tensor_equal(got, labels.long() - 1, f"the class indices of labels {labels.tolist()}")
    assert ((got >= 0) & (got < num_classes)).all(), (
        f"indices {got.tolist()} for {num_classes} classes: nn.CrossEntropyLoss takes 0 to "
        f"{num_classes - 1}"
    )


def test_a_batch_without_the_last_label_is_numbered_the_same_way():
    got = keeps_contract(class_indices, torch.tensor([1, 2, 1, 2]), 3)  # no label 3 here
    assert_tensor_equal(
        got,
        torch.tensor([0, 1, 0, 1]),
        "labels [1, 2, 1, 2] of 3 classes (a batch without a 3 raises nothing in the loss, "
        "and trains towards the wrong classes unless each label k becomes k - 1)",
    )


def test_a_batch_without_the_first_label_is_numbered_the_same_way():
    got = class_indices(torch.tensor([3, 2, 3]), 3)  # no label 1: still 3 -> 2, not 3 -> 1
    assert_tensor_equal(
        got,
        torch.tensor([2, 1, 2]),
        "labels [3, 2, 3] of 3 classes (numbering the labels a batch holds, as torch.unique "
        "does, gives a label another index in each batch)",
    )


def test_cross_entropy_accepts_the_indices_of_a_batch_holding_the_last_label():
    logits = torch.randn(4, 3, requires_grad=True)
    labels = torch.tensor([1, 3, 2, 3])  # as the file has them
    loss = nn.CrossEntropyLoss()(logits, class_indices(labels, 3))  # IndexError on the bug
    torch.testing.assert_close(loss, F.cross_entropy(logits, torch.tensor([0, 2, 1, 2])))
    loss.backward()
    assert (logits.grad[torch.arange(4), labels - 1] < 0).all(), (
        "the loss does not pull each sample towards the class its label names"
    )


def test_the_indices_stay_on_the_device_of_the_labels(device):
    labels = torch.tensor([2, 1, 3], dtype=torch.int32, device=device)
    got = keeps_contract(class_indices, labels, 3, dtype=torch.int64, device=device)
    assert_tensor_equal(got.cpu(), torch.tensor([1, 0, 2]), f"the class indices on {device}")


@pytest.mark.parametrize(
    ("labels", "num_classes", "bad"),
    [([1, 0, 2], 3, 0), ([1, 2, 4], 3, 4), ([2, -1, 1], 3, -1), ([5, 6, 7], 6, 7), ([3], 2, 3)],
    ids=["zero", "above", "negative", "above-six", "one-label"],
)
def test_a_label_outside_the_classes_raises_value_error_naming_it_and_the_range(
    labels, num_classes, bad
):
    error = raises_keeping_contract(ValueError, class_indices, torch.tensor(labels), num_classes)
    assert _names(str(error), bad), (
        f"labels {labels} of {num_classes} classes raised {error!r}: name the bad label, {bad}, "
        "as the file numbers it"
    )
    assert _names(str(error), 1, num_classes), (
        f"labels {labels} raised {error!r}: name the range the labels must lie in, 1 to "
        f"{num_classes}"
    )


def test_a_label_that_would_become_the_ignore_index_raises_value_error():
    labels = torch.tensor([1, -99, 2])  # -99 - 1 = -100: nn.CrossEntropyLoss would skip it
    error = raises_keeping_contract(ValueError, class_indices, labels, 3)
    assert _names(str(error), -99), f"the error should name the bad label -99: {error}"


def test_a_uint8_label_zero_is_named_as_zero():
    labels = torch.tensor([1, 0, 2], dtype=torch.uint8)
    error = raises_keeping_contract(ValueError, class_indices, labels, 3)
    assert _names(str(error), 0), (
        f"uint8 labels [1, 0, 2] raised {error!r}: name the bad label 0 (in uint8, 0 - 1 "
        "wraps around to 255: compute in int64)"
    )


@pytest.mark.parametrize(
    ("labels", "first"),
    [([2, 5, 0, 7], 5), ([0, 9, 1], 0), ([1, 2, 3, 3, 8, -4], 8)],
    ids=["above-first", "zero-first", "at-the-end"],
)
def test_the_error_names_the_first_bad_label(labels, first):
    error = raises_keeping_contract(ValueError, class_indices, torch.tensor(labels), 3)
    assert _names(str(error), first), (
        f"labels {labels} of 3 classes raised {error!r}: name the first bad label, {first}, "
        "so the reader knows where to look"
    )


def test_predicted_labels_are_numbered_as_the_file_numbers_them():
    logits = torch.tensor([[5.0, 1.0, 0.0], [0.0, 1.0, 5.0], [0.0, 5.0, 1.0]], requires_grad=True)
    got = keeps_contract(predicted_labels, logits, dtype=torch.int64)
    assert_tensor_equal(
        got,
        torch.tensor([1, 3, 2]),
        "the predicted labels (the highest logit of the first class is the file's label 1)",
    )


def test_ties_go_to_the_lower_label():
    got = predicted_labels(torch.tensor([[2.0, 2.0, 0.0], [0.0, 1.0, 1.0]]))
    assert_tensor_equal(got, torch.tensor([1, 2]), "the labels of tied logits")


@given(n=st.integers(min_value=1, max_value=20), num_classes=class_counts, seed=seeds)
def test_a_model_right_on_every_sample_scores_full_accuracy_against_the_file(n, num_classes, seed):
    labels = _file_labels(n, num_classes, seed)
    generator = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, num_classes, generator=generator)
    logits += 10 * F.one_hot(class_indices(labels, num_classes), num_classes)  # right class wins
    predicted = predicted_labels(logits)
    accuracy = (predicted == labels).float().mean().item()
    assert accuracy == 1.0, (
        f"a model that scores each sample's class highest got accuracy {accuracy} against the "
        f"file's labels {labels.tolist()}: predicted {predicted.tolist()}"
    )
