"""Kata: bug_label_range.

A pitfall kata: the code below is not missing, it is wrong. A CSV file labels its three
classes 1, 2 and 3, as many data sets number them, and the classifier has three
outputs, one per class. The first batch that holds a 3 stops training on the CPU with
"IndexError: Target 3 is out of bounds."; on a GPU the same batch trips an assertion
inside the loss's kernel ("Assertion `t >= 0 && t < n_classes` failed") and surfaces as
"RuntimeError: CUDA error: device-side assert triggered" at some later line that waits
for the GPU, such as loss.item(). A batch without a 3 raises nothing: it trains every
sample towards the wrong class. And the model's predictions never match the file's
labels. Find the bugs and fix them: the tests fail on them and pass on the fixes.

True for torch 2.13: nn.CrossEntropyLoss takes class indices 0 to C - 1 for C outputs.
A target outside them is an IndexError on the CPU, with one exception: -100, the
default ignore_index, which the loss skips without a word.

The numbering this kata settles on: the file's label k is class index k - 1, for k from
1 to C, whatever the batch at hand holds. Numbering the labels that a batch (or a
split) happens to hold, such as torch.unique(labels, return_inverse=True) does, would
give the same label another index wherever a class is missing.
"""

import torch


def class_indices(labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """The class index of each label, for nn.CrossEntropyLoss: label k becomes k - 1.

    labels: an (N,) tensor of the file's labels, numbered 1 to num_classes, in any
    integer dtype (int64, int32, uint8 ...); N may be 0. Returns a new (N,) int64 tensor
    of class indices in [0, num_classes), on the device of labels; labels stay as they
    were: class_indices(tensor([1, 3, 2, 3]), 3) -> tensor([0, 2, 1, 2]).

    Raises ValueError when a label lies outside 1 to num_classes (0, a negative number,
    num_classes + 1 ...), naming the first such label as the file numbers it, and the
    range, 1 and num_classes: the loss would refuse it with an error about a target
    instead (on a GPU an opaque one), or skip it unseen as -100.

    What goes wrong: nn.CrossEntropyLoss()(logits, class_indices(labels, 3)) raises
    "IndexError: Target 3 is out of bounds." for a batch that holds a label 3, and a
    batch without one raises nothing and trains each sample towards the class after its
    own.

    Helps: which index does nn.CrossEntropyLoss give the first of a model's C outputs,
    and which label does the file give the first class?
    """
    # stub:
    # return labels.long()  # CrossEntropyLoss wants int64 class indices
    labels = labels.long()  # first: in uint8, 0 - 1 would wrap around to 255
    bad = (labels < 1) | (labels > num_classes)
    if bad.any():
        first = labels[bad][0].item()
        raise ValueError(f"label {first} is outside the classes 1 to {num_classes}")
    return labels - 1  # label k is class index k - 1


def predicted_labels(logits: torch.Tensor) -> torch.Tensor:
    """The file's label (1 to C) of the class each sample scores highest, for logits
    (N, C): an (N,) int64 tensor, numbered as the file numbers its labels, so that
    predictions compare with them directly. Ties go to the lower label, as argmax gives
    them. logits may require grad (a model's output); they stay as they were.

    What goes wrong: a model that classifies every sample right scores an accuracy of 0
    against the file's labels: every prediction is one less than its label.

    Helps: class_indices maps a label to a class index: which way does this function go?
    """
    # stub:
    # return logits.argmax(dim=1)
    return logits.argmax(dim=1) + 1  # class index i is the file's label i + 1
