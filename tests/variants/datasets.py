"""Wrong and right ways to write kata/datasets.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

_LOADER = (
    "    return DataLoader(\n"
    "        dataset, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, generator=generator\n"
    "    )\n"
)
_SPLIT = "    return random_split(dataset, lengths, generator=torch.Generator().manual_seed(seed))"

BROKEN = [
    Variant(
        "PairDataset accepts X and y of different lengths",
        (
            '        if len(X) != len(y):\n            raise ValueError(f"X has {len(X)} samples but y has {len(y)}: they must match")\n',
            "",
        ),
    ),
    Variant(
        "PairDataset's len counts the numbers, not the rows",
        ("        return len(self.X)", "        return self.X.numel()"),
    ),
    Variant(
        "PairDataset returns the whole target tensor with each sample",
        ("        return self.X[index], self.y[index]", "        return self.X[index], self.y"),
    ),
    Variant(
        "make_loader uses the global RNG: no generator",
        (
            _LOADER,
            "    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last)\n",
        ),
    ),
    Variant(
        "make_loader seeds the global RNG instead",
        (
            "    generator = torch.Generator().manual_seed(seed)\n" + _LOADER,
            "    torch.manual_seed(seed)\n"
            "    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last)\n",
        ),
    ),
    Variant(
        "make_loader gives a generator only when it shuffles",
        ("generator=generator\n", "generator=generator if shuffle else None\n"),
    ),
    Variant(
        "make_loader ignores drop_last",
        ("drop_last=drop_last, generator", "drop_last=False, generator"),
    ),
    Variant(
        "make_loader shuffles once, for good",
        (
            _LOADER,
            "    if shuffle:\n"
            "        dataset = Subset(dataset, torch.randperm(len(dataset), generator=generator).tolist())\n"
            "    return DataLoader(dataset, batch_size=batch_size, drop_last=drop_last, generator=generator)\n",
        ),
    ),
    Variant(
        "split_dataset lets a negative length through",
        ("    if any(length < 0 for length in lengths):\n", "    if False:\n"),
    ),
    Variant(
        "split_dataset refuses empty parts too",
        (
            "    if any(length < 0 for length in lengths):\n",
            "    if any(length <= 0 for length in lengths):\n",
        ),
    ),
    Variant(
        "split_dataset leaves the count check to random_split",
        ("        if total != len(dataset):\n", "        if False:\n"),
    ),
    Variant(
        "split_dataset leaves the fraction check to random_split",
        ("    elif not math.isclose(total, 1.0):\n", "    elif False:\n"),
    ),
    Variant(
        "split_dataset wants fractions to sum to exactly 1.0",
        ("    elif not math.isclose(total, 1.0):\n", "    elif total != 1.0:\n"),
    ),
    Variant(
        "split_dataset draws from the global RNG",
        (_SPLIT, "    return random_split(dataset, lengths)"),
    ),
    Variant(
        "split_dataset gives the leftover samples all to the last part",
        append="""
        _checked_split = split_dataset


        def split_dataset(dataset, lengths, seed):
            if not all(isinstance(length, int) for length in lengths):
                if not math.isclose(sum(lengths), 1.0):
                    raise ValueError(f"fractions {list(lengths)} sum to {sum(lengths)}, not 1")
                n = len(dataset)
                counts = [math.floor(f * n) for f in lengths]
                counts[-1] += n - sum(counts)
                lengths = counts
            return _checked_split(dataset, lengths, seed)
        """,
    ),
]

ALTERNATIVES = [
    Variant(
        "PairDataset with shape[0] and an explicit tuple",
        ("        return len(self.X)", "        return self.X.shape[0]"),
        (
            "        return self.X[index], self.y[index]",
            "        return (self.X[index], self.y[index])",
        ),
    ),
    Variant(
        "make_loader with explicit samplers sharing the generator",
        (
            _LOADER,
            "    from torch.utils.data import RandomSampler, SequentialSampler\n\n"
            "    sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)\n"
            "    return DataLoader(\n"
            "        dataset, batch_size=batch_size, sampler=sampler, drop_last=drop_last, generator=generator\n"
            "    )\n",
        ),
    ),
    Variant(
        "split_dataset by hand: randperm, floors, leftovers one each to the first parts",
        (
            _SPLIT,
            "    n = len(dataset)\n"
            "    if not all(isinstance(length, int) for length in lengths):\n"
            "        counts = [math.floor(f * n) for f in lengths]\n"
            "        for i in range(n - sum(counts)):\n"
            "            counts[i % len(counts)] += 1\n"
            "    else:\n"
            "        counts = list(lengths)\n"
            "    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()\n"
            "    parts, start = [], 0\n"
            "    for count in counts:\n"
            "        parts.append(Subset(dataset, order[start : start + count]))\n"
            "        start += count\n"
            "    return parts",
        ),
    ),
    Variant(
        "error messages in other words",
        (
            'f"X has {len(X)} samples but y has {len(y)}: they must match"',
            'f"lengths differ: {len(y)} targets, {len(X)} inputs"',
        ),
        ('f"batch_size must be at least 1, got {batch_size}"', 'f"no batches of {batch_size}"'),
        (
            'f"lengths must not be negative, got {list(lengths)}"',
            'f"a part cannot hold {min(lengths)} samples"',
        ),
        (
            'f"lengths {list(lengths)} sum to {total}, "\n'
            '                f"but the dataset has {len(dataset)} samples"',
            'f"the parts hold {total} of {len(dataset)} samples"',
        ),
        ('f"fractions {list(lengths)} sum to {total}, not 1"', 'f"the shares add up to {total}"'),
    ),
]
