"""Wrong and right ways to write kata/bug_target_dtype.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

CONVERT = "return torch.as_tensor(labels, dtype=torch.long)  #"
BAD = "bad = ~np.isfinite(labels) | (labels < 0) | (labels != np.round(labels))"
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
    Variant(
        "negative labels let through",
        (BAD, "bad = ~np.isfinite(labels) | (labels != np.round(labels))"),
    ),
    Variant("fractional labels let through", (BAD, "bad = ~np.isfinite(labels) | (labels < 0)")),
    Variant(
        "inf let through: np.round(inf) == inf",
        (BAD, "bad = (labels < 0) | (labels != np.round(labels))"),
    ),
    Variant(
        "validates with labels.min(), which raises on an empty array",
        append="""
        def class_targets(labels):
            if labels.min() < 0 or (labels != np.round(labels)).any() or not np.isfinite(labels).all():
                raise ValueError(f"labels must be whole numbers >= 0, got {labels}")
            return torch.as_tensor(labels, dtype=torch.long)
        """,
    ),
    Variant(
        "negatives checked before fractions: a later negative label is named, not the first bad one",
        append="""
        def class_targets(labels):
            negative = labels[labels < 0]
            if negative.size:
                raise ValueError(f"negative label {negative[0]}")
            fraction = labels[~np.isfinite(labels) | (labels != np.floor(labels))]
            if fraction.size:
                raise ValueError(f"label {fraction[0]} is not a whole number")
            return torch.from_numpy(labels).long()
        """,
    ),
    Variant(
        "asserts instead of raising ValueError",
        append="""
        def class_targets(labels):
            for value in labels:
                assert np.isfinite(value) and value >= 0 and float(value).is_integer(), value
            return torch.tensor(labels.tolist(), dtype=torch.int64)
        """,
    ),
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
        "checked with np.flatnonzero, the error naming the position too",
        append="""
        def class_targets(labels):
            bad = np.flatnonzero(~np.isfinite(labels) | (labels < 0) | (labels != np.floor(labels)))
            if bad.size:
                i = int(bad[0])
                raise ValueError(f"labels[{i}] = {labels[i]} cannot be a class index")
            return torch.tensor(labels.copy(), dtype=torch.long)
        """,
    ),
    Variant(
        "a loop over Python floats building a list, a ValueError subclass",
        append="""
        import math

        class BadLabelError(ValueError):
            pass

        def class_targets(labels):
            out = []
            for value in labels.tolist():
                if not math.isfinite(value) or value < 0 or value != math.floor(value):
                    raise BadLabelError(f"{value} is not a valid class label")
                out.append(int(value))
            return torch.tensor(out, dtype=torch.int64)
        """,
    ),
    Variant(
        "astype(int64) first, then the round trip compared",
        append="""
        def class_targets(labels):
            with np.errstate(invalid="ignore"):
                as_int = labels.astype(np.int64)
            wrong = (as_int != labels) | (labels < 0)
            if wrong.any():
                first = labels[np.argmax(wrong)]
                raise ValueError(f"first bad label: {first!r} (labels must be whole numbers >= 0)")
            return torch.from_numpy(as_int)
        """,
    ),
    Variant(
        "the error in other words, the bad label first",
        (MESSAGE, 'raise ValueError(f"{labels[bad][0]} is no class: use whole numbers from 0")'),
    ),
]
