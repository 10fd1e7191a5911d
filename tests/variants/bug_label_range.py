"""Wrong and right ways to write kata/bug_label_range.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

LONG = "labels = labels.long()  #"
BAD = "bad = (labels < 1) | (labels > num_classes)"
FIRST = "first = labels[bad][0].item()"
SHIFT = "return labels - 1  #"
PREDICT = "return logits.argmax(dim=1) + 1  #"

BROKEN = [
    Variant(
        "class_indices left as the stub: the labels 1..C as class indices",
        append="""
        def class_indices(labels, num_classes):
            return labels.long()
        """,
    ),
    Variant(
        "no validation: label 0 becomes -1, label C + 1 becomes C", (BAD, "bad = labels < -1e9")
    ),
    Variant("only labels above C refused: 0 becomes -1", (BAD, "bad = labels > num_classes")),
    Variant("only labels below 1 refused", (BAD, "bad = labels < 1")),
    Variant(
        "off by one in the upper bound: label C refused",
        (BAD, "bad = (labels < 1) | (labels >= num_classes)"),
    ),
    Variant(
        "off by one in the lower bound: label 0 let through",
        (BAD, "bad = (labels < 0) | (labels > num_classes)"),
    ),
    Variant(
        "the error goes away with % C: label C becomes 0, the others keep their number",
        (SHIFT, "return labels % num_classes  #"),
    ),
    Variant(
        "the error goes away with clamp: label C shares index C - 1 with label C - 1",
        (SHIFT, "return labels.clamp(0, num_classes - 1)  #"),
    ),
    Variant(
        "numbers from the smallest label of the batch",
        (SHIFT, "return labels - labels.min()  #"),
    ),
    Variant(
        "numbers the labels the batch holds, with torch.unique",
        (SHIFT, "return torch.unique(labels, return_inverse=True)[1]  #"),
    ),
    Variant(
        "subtracts first, in the labels' dtype: uint8 0 - 1 wraps to 255 and is named 256",
        append="""
        def class_indices(labels, num_classes):
            indices = labels - 1
            bad = (indices < 0) | (indices >= num_classes)
            if bad.any():
                label = indices[bad][0].item() + 1
                raise ValueError(f"label {label} is outside the classes 1 to {num_classes}")
            return indices.long()
        """,
    ),
    Variant("int32 indices, refused by the loss", (SHIFT, "return (labels - 1).int()  #")),
    Variant(
        "validates with labels.min() and labels.max(), which raise on an empty batch",
        (BAD, "bad = (labels < 1) | (labels > num_classes) | (labels.min() < 1)"),
    ),
    Variant(
        "the error names no label",
        (FIRST, "first = 'a label'"),
    ),
    Variant(
        "the error names the range but the largest label, not the first bad one",
        (FIRST, "first = labels.max().item()"),
    ),
    Variant(
        "the error names the class index, not the label as the file numbers it",
        (FIRST, "first = labels[bad][0].item() - 1"),
    ),
    Variant(
        "the error names the range 0 to C - 1 instead of 1 to C",
        (
            'raise ValueError(f"label {first} is outside the classes 1 to {num_classes}")',
            'raise ValueError(f"label {first} is outside [0, {num_classes - 1}]")',
        ),
    ),
    Variant(
        "asserts instead of raising ValueError",
        append="""
        def class_indices(labels, num_classes):
            labels = labels.long()
            assert ((labels >= 1) & (labels <= num_classes)).all(), "label out of range"
            return labels - 1
        """,
    ),
    Variant(
        "subtracts in place: the caller's labels change",
        (LONG, "labels = labels if labels.dtype == torch.int64 else labels.long()  #"),
        (SHIFT, "return labels.sub_(1)  #"),
    ),
    Variant(
        "predicted_labels left as the stub: class indices",
        (PREDICT, "return logits.argmax(dim=1)  #"),
    ),
    Variant(
        "predicted_labels argmax over the batch", (PREDICT, "return logits.argmax(dim=0) + 1  #")
    ),
    Variant(
        "predicted_labels the highest score, not its position",
        (PREDICT, "return logits.max(dim=1).values.long() + 1  #"),
    ),
    Variant("predicted_labels as floats", (PREDICT, "return logits.argmax(dim=1) + 1.0  #")),
    Variant(
        "predicted_labels ties to the higher label",
        (PREDICT, "return logits.shape[1] - logits.flip(1).argmax(dim=1)  #"),
    ),
]

ALTERNATIVES = [
    Variant(
        "validated with torch.nonzero, the error naming the position too",
        append="""
        def class_indices(labels, num_classes):
            wide = labels.to(torch.int64)
            where = torch.nonzero((wide < 1) | (wide > num_classes))
            if len(where):
                i = where[0, 0].item()
                raise ValueError(
                    f"labels[{i}] = {wide[i].item()} is no class: labels run from 1 to {num_classes}"
                )
            return wide - 1
        """,
    ),
    Variant(
        "a loop over Python ints and a dict from label to index, a ValueError subclass",
        append="""
        class LabelError(ValueError):
            pass

        def class_indices(labels, num_classes):
            index = {label: label - 1 for label in range(1, num_classes + 1)}
            out = []
            for label in labels.tolist():
                if label not in index:
                    raise LabelError(f"unknown label {label}; the classes are 1..{num_classes}")
                out.append(index[label])
            return torch.tensor(out, dtype=torch.long, device=labels.device)
        """,
    ),
    Variant(
        "a lookup table indexed by the label",
        append="""
        def class_indices(labels, num_classes):
            labels = labels.long()
            outside = (labels < 1) | (labels > num_classes)
            if outside.any():
                bad = labels[outside][0].item()
                raise ValueError(f"{bad} lies outside 1..{num_classes}")
            table = torch.arange(-1, num_classes, device=labels.device)  # table[k] = k - 1
            return table[labels]
        """,
    ),
    Variant(
        "validated with torch.bucketize, the range checked in int64",
        append="""
        def class_indices(labels, num_classes):
            labels = labels.to(torch.long)
            edges = torch.tensor([1, num_classes + 1], device=labels.device)
            outside = torch.bucketize(labels, edges, right=True) != 1
            if outside.any():
                raise ValueError(
                    f"labels must be 1 to {num_classes}: got {labels[outside][0].item()}"
                )
            return labels.sub(1)
        """,
    ),
    Variant(
        "predicted_labels with torch.max",
        (PREDICT, "return torch.max(logits, dim=1).indices + 1  #"),
    ),
    Variant(
        "predicted_labels through the softmax probabilities",
        (PREDICT, "return logits.softmax(dim=1).argmax(dim=1).add(1)  #"),
    ),
    Variant(
        "predicted_labels on detached logits, as int64 explicitly",
        (PREDICT, "return (logits.detach().argmax(1) + 1).to(torch.int64)  #"),
    ),
]
