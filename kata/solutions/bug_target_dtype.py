"""Kata: bug_target_dtype.

A pitfall kata: the code below is not missing, it is wrong. Class labels read from a
CSV file arrive as a NumPy array of floats (0., 2., 1., ...), or of int32 on some
platforms. Turned into a tensor as below, the first call of nn.CrossEntropyLoss fails.
Find the bug and fix it: the tests fail on it and pass on the fix.
"""

import numpy as np
import torch


def class_targets(labels: np.ndarray) -> torch.Tensor:
    """The (N,) tensor of class indices that nn.CrossEntropyLoss takes, from N labels.

    labels: a 1-D NumPy array of whole numbers >= 0 in any numeric dtype (float64 from a
    CSV reader, float32, int32, int64 ...), possibly empty (N = 0), possibly a view
    such as one column of a 2-D table. Returns the same numbers as a tensor of shape
    (N,) that nn.CrossEntropyLoss()(logits, targets) accepts as class indices. A view
    with a negative stride (labels[::-1]) is outside this contract: torch.from_numpy
    refuses it, and a caller passes np.ascontiguousarray(labels) instead.

    What goes wrong: nn.CrossEntropyLoss()(logits, class_targets(labels)) raises
    "RuntimeError: expected target dtype to be Long or Byte, but got Double" (or Float,
    or Int), while the same labels typed in by hand, torch.tensor([0, 2, 1]), work.

    True for torch 2.13: a floating-point target is accepted only as class
    *probabilities*, of the same shape (N, C) as the logits; class indices must be
    int64 (uint8 is accepted too, but holds at most 256 classes).

    Raises ValueError, naming the value of the first bad label (its position may be
    named too), when a label is negative or not a whole number: a label of 1.5 is no
    class, and converting it would silently truncate it. NaN and inf are not whole
    numbers either (though np.floor(inf) == inf).

    Helps: which dtype has torch.tensor([0, 2, 1]), and which torch.from_numpy(labels)?
    """
    # stub:
    # return torch.from_numpy(labels)
    bad = ~np.isfinite(labels) | (labels < 0) | (labels != np.round(labels))
    if bad.any():
        raise ValueError(f"labels must be whole numbers >= 0, got {labels[bad][0].item()}")
    return torch.as_tensor(labels, dtype=torch.long)  # int64: what class indices are
