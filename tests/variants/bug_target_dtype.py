"""Wrong and right ways to write kata/bug_target_dtype.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

CONVERT = "return torch.as_tensor(labels, dtype=torch.long)  #"
BAD = "bad = (labels < 0) | (labels != np.round(labels))"
MESSAGE = 'raise ValueError(f"labels must be whole numbers >= 0, got {labels[bad][0].item()}")'

BROKEN = [
    Variant(
        "left as the stub: from_numpy keeps the float dtype",
        (CONVERT, "return torch.from_numpy(labels)  #"),
    ),
    Variant("converted to float32", (CONVERT, "return torch.from_numpy(labels).float()  #")),
    Variant("converted to int32", (CONVERT, "return torch.from_numpy(labels).int()  #")),
    Variant("torch.tensor keeps the NumPy dtype", (CONVERT, "return torch.tensor(labels)  #")),
    Variant(
        "converted to uint8: at most 256 classes",
        (CONVERT, "return torch.from_numpy(labels).to(torch.uint8)  #"),
    ),
    Variant(
        "no validation: 1.5 is truncated to class 1",
        (BAD, "bad = np.zeros(labels.shape, dtype=bool)"),
    ),
    Variant("negative labels let through", (BAD, "bad = labels != np.round(labels)")),
    Variant("fractional labels let through", (BAD, "bad = labels < 0")),
    Variant(
        "fractional labels rounded to the nearest class instead of refused",
        (BAD, "labels = np.round(labels)\n    bad = labels < 0"),
    ),
    Variant(
        "validates float labels only",
        (BAD, 'bad = ((labels < 0) | (labels != np.round(labels))) & (labels.dtype.kind == "f")'),
    ),
    Variant(
        "the error names no label",
        (MESSAGE, 'raise ValueError("labels must be whole numbers >= 0")'),
    ),
    Variant(
        "the error names the last bad label, not the first",
        (
            MESSAGE,
            'raise ValueError(f"labels must be whole numbers >= 0, got {labels[bad][-1].item()}")',
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "astype(int64), then from_numpy",
        (CONVERT, "return torch.from_numpy(labels.astype(np.int64))  #"),
    ),
    Variant("from_numpy, then .long()", (CONVERT, "return torch.from_numpy(labels).long()  #")),
    Variant(
        "checked label by label in a loop, with % 1",
        append="""
        def class_targets(labels):
            for label in labels.tolist():
                if label < 0 or label % 1 != 0:
                    raise ValueError(f"{label} is not a class index (a whole number >= 0)")
            return torch.tensor(labels.tolist(), dtype=torch.long)
        """,
    ),
    Variant(
        "the error in other words, the bad label first",
        (MESSAGE, 'raise ValueError(f"{labels[bad][0]} is no class: use whole numbers from 0")'),
    ),
]
