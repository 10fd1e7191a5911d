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
        "PairDataset's length error names the length of X only",
        (
            'f"X has {len(X)} samples but y has {len(y)}: they must match"',
            'f"X has {len(X)} samples, y does not"',
        ),
    ),
    Variant(
        "PairDataset stores X and y as float, so class labels are no longer int64",
        ("        self.X, self.y = X, y", "        self.X, self.y = X.float(), y.float()"),
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
        "split_dataset's negative-length error does not say which length",
        ('f"lengths must not be negative, got {list(lengths)}"', '"lengths must not be negative"'),
    ),
    Variant(
        "split_dataset takes lengths as fractions only when they sum to 1, as random_split does",
        (
            "    if all(isinstance(length, int) for length in lengths):\n",
            "    if not math.isclose(total, 1.0):\n",
        ),
    ),
    Variant(
        "split_dataset turns the caller's fractions into counts in place",
        append="""
        _checked_split = split_dataset


        def split_dataset(dataset, lengths, seed):
            if not all(isinstance(length, int) for length in lengths) and math.isclose(sum(lengths), 1.0):
                n = len(dataset)
                floors = [math.floor(f * n) for f in lengths]
                for i in range(len(lengths)):
                    lengths[i] = floors[i] + (1 if i < n - sum(floors) else 0)
            return _checked_split(dataset, lengths, seed)
        """,
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
    Variant(
        "PairDataset as a list of zipped rows, its length error in other words",
        append="""
        class PairDataset(Dataset):
            def __init__(self, X, y):
                if X.size(0) != y.size(0):
                    raise ValueError(f"cannot pair {X.size(0)} inputs with {y.size(0)} targets: counts differ")
                self.pairs = list(zip(X, y))

            def __len__(self):
                return len(self.pairs)

            def __getitem__(self, index):
                x, t = self.pairs[index]
                return (x, t)
        """,
    ),
    Variant(
        "make_loader with a RandomSampler sharing the loader's generator, a ValueError subclass",
        append="""
        from torch.utils.data import RandomSampler, SequentialSampler


        class BatchSizeError(ValueError):
            pass


        def make_loader(dataset, batch_size, shuffle, seed, drop_last=False):
            if not batch_size >= 1:
                raise BatchSizeError(f"a batch holds at least one sample; batch_size={batch_size}")
            gen = torch.Generator()
            gen.manual_seed(seed)
            sampler = RandomSampler(dataset, generator=gen) if shuffle else SequentialSampler(dataset)
            return DataLoader(dataset, batch_size=batch_size, sampler=sampler, drop_last=drop_last, generator=gen)
        """,
    ),
    Variant(
        "split_dataset by hand, any float makes fractions, parts cut from running sums",
        append="""
        from itertools import accumulate


        def split_dataset(dataset, lengths, seed):
            n = len(dataset)
            lengths = list(lengths)
            if [length for length in lengths if length < 0]:
                raise ValueError(f"lengths may not be negative: {lengths} (sum {sum(lengths)})")
            total = sum(lengths)
            if any(isinstance(length, float) for length in lengths):
                if abs(total - 1) > 1e-9:
                    raise ValueError(f"the fractions add up to {total} instead of 1")
                counts = [math.floor(n * f) for f in lengths]
                for i in range(n - sum(counts)):
                    counts[i % len(counts)] += 1
            else:
                if total != n:
                    raise ValueError(f"the counts add up to {total}; the dataset holds {n}")
                counts = lengths
            order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
            return [Subset(dataset, order[end - c : end]) for c, end in zip(counts, accumulate(counts))]
        """,
    ),
]
