"""Wrong and right ways to write kata/transforms.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

_FIT = (
    "        self.mean = X_train.mean(dim=0)\n"
    "        self.std = X_train.std(dim=0, correction=0)  # divide by N, not N - 1\n"
)
_CONSTANT = (
    "        constant = (X_train.amax(dim=0) == X_train.amin(dim=0)).nonzero().flatten().tolist()\n"
)
_CHANNELS = "    return images.mean(dim=over), images.std(dim=over, correction=0)\n"
_NORMALIZE = (
    "        mean = self.mean.to(image).view(-1, 1, 1)  # (C, 1, 1): one number per channel\n"
    "        std = self.std.to(image).view(-1, 1, 1)\n"
    "        return (image - mean) / std\n"
)
_COMPOSED = (
    "    def composed(x: torch.Tensor) -> torch.Tensor:\n"
    "        for transform in transforms:\n"
    "            x = transform(x)\n"
    "        return x\n"
)
_COIN = "        if torch.rand(1, generator=self.generator).item() < self.p:\n"
_PIPELINE = (
    "    normalize = Normalize(*channel_stats(train_images))  # the training images alone\n"
    "    flip = RandomHorizontalFlip(torch.Generator().manual_seed(seed), p=0.5)\n"
)
_TRAIN = (
    "    train = TransformedDataset(TensorDataset(train_images, train_labels), "
    "compose(flip, normalize))\n"
)
_VAL = (
    "    val = TransformedDataset(TensorDataset(val_images, val_labels), normalize)  "
    "# never mirrored\n"
)

BROKEN = [
    # Standardize
    Variant(
        "Standardize takes torch.std's default, the unbiased std (correction=1)",
        (_FIT, "        self.mean = X_train.mean(dim=0)\n        self.std = X_train.std(dim=0)\n"),
    ),
    Variant(
        "Standardize takes the statistics of each row instead of each feature",
        (
            _FIT,
            "        self.mean = X_train.mean(dim=1, keepdim=True)\n"
            "        self.std = X_train.std(dim=1, correction=0, keepdim=True)\n",
        ),
    ),
    Variant(
        "Standardize finds constant features by a std of 0: float32 rounding hides some",
        (_CONSTANT, "        constant = (X_train.std(dim=0) == 0).nonzero().flatten().tolist()\n"),
    ),
    Variant(
        "Standardize refuses features whose std is below a threshold",
        (
            _CONSTANT,
            "        constant = (X_train.std(dim=0) < 1e-6).nonzero().flatten().tolist()\n",
        ),
    ),
    Variant(
        "Standardize adds an eps to the std, and still refuses a constant feature",
        ("correction=0)  # divide by N", "correction=0) + 1e-8  # divide by N"),
    ),
    Variant(
        "Standardize adds an eps to the std instead of refusing a constant feature",
        (
            _CONSTANT + "        if constant:\n",
            "        constant = []\n        if constant:\n",
        ),
        ("correction=0)  # divide by N", "correction=0) + 1e-8  # divide by N"),
    ),
    Variant(
        "Standardize does not check for an empty split: amax raises IndexError",
        (
            "        if len(X_train) == 0:\n"
            '            raise ValueError("X_train holds no sample: there is nothing to take '
            'statistics of")\n',
            "",
        ),
    ),
    Variant(
        "Standardize's message does not say which feature is constant",
        (
            'f"features {constant} take one value on every training row: their std is 0"',
            '"a feature takes one value on every training row"',
        ),
    ),
    Variant(
        "Standardize refits on whatever it is called on: each split gets its own statistics",
        (
            "        return (X - self.mean) / self.std\n",
            "        return (X - X.mean(dim=0)) / X.std(dim=0, correction=0)\n",
        ),
    ),
    Variant(
        "Standardize writes into its input: X.sub_(mean).div_(std)",
        (
            "        return (X - self.mean) / self.std\n",
            "        return X.sub_(self.mean).div_(self.std)\n",
        ),
    ),
    Variant(
        "Standardize.inverse divides where it should multiply",
        ("        return Z * self.std + self.mean\n", "        return Z / self.std + self.mean\n"),
    ),
    Variant(
        "Standardize.inverse adds the mean before scaling",
        (
            "        return Z * self.std + self.mean\n",
            "        return (Z + self.mean) * self.std\n",
        ),
    ),
    Variant(
        "Standardize keeps a float32 copy of float64 statistics",
        (
            _FIT,
            "        self.mean = X_train.mean(dim=0).float()\n"
            "        self.std = X_train.std(dim=0, correction=0).float()\n",
        ),
    ),
    # channel_stats
    Variant(
        "channel_stats reduces over the batch only: (C, H, W) statistics",
        ("    over = (0, 2, 3)  #", "    over = (0,)  #"),
    ),
    Variant(
        "channel_stats reduces over (N, C, H) instead of (N, H, W)",
        ("    over = (0, 2, 3)  #", "    over = (0, 1, 2)  #"),
    ),
    Variant(
        "channel_stats takes the unbiased std",
        (_CHANNELS, "    return images.mean(dim=over), images.std(dim=over)\n"),
    ),
    Variant(
        "channel_stats averages each image's std: the spread between images is lost",
        (
            _CHANNELS,
            "    return images.mean(dim=over), images.std(dim=(2, 3), correction=0).mean(dim=0)\n",
        ),
    ),
    Variant(
        "channel_stats reshapes (N, C, H, W) to (C, -1), mixing images and channels",
        (
            _CHANNELS,
            "    flat = images.reshape(images.shape[1], -1)\n"
            "    return flat.mean(dim=1), flat.std(dim=1, correction=0)\n",
        ),
    ),
    Variant(
        "channel_stats finds constant channels by a std of 0: float32 rounding hides some",
        (
            "    constant = (images.amax(dim=over) == images.amin(dim=over)).nonzero()",
            "    constant = (images.std(dim=over) == 0).nonzero()",
        ),
    ),
    Variant(
        "channel_stats does not refuse a constant channel",
        (
            '    if constant:\n        raise ValueError(f"channels',
            '    if False:\n        raise ValueError(f"channels',
        ),
    ),
    # Normalize
    Variant(
        "Normalize broadcasts the (C,) statistics against the width",
        (
            _NORMALIZE,
            "        return (image - self.mean.to(image)) / self.std.to(image)\n",
        ),
    ),
    Variant(
        "Normalize does not cast the statistics: float64 ones make a float32 image float64",
        (
            _NORMALIZE,
            "        mean = self.mean.view(-1, 1, 1)\n"
            "        std = self.std.view(-1, 1, 1)\n"
            "        return (image - mean) / std\n",
        ),
    ),
    Variant(
        "Normalize multiplies by the std",
        (_NORMALIZE, _NORMALIZE.replace("(image - mean) / std", "(image - mean) * std")),
    ),
    Variant(
        "Normalize accepts a std of zero",
        ("(self.std <= 0).nonzero()", "(self.std < 0).nonzero()"),
    ),
    Variant(
        "Normalize accepts mean and std of different lengths",
        (
            "        if self.mean.dim() != 1 or self.mean.shape != self.std.shape:\n",
            "        if self.mean.dim() != 1:\n",
        ),
    ),
    Variant(
        "Normalize.inverse broadcasts the (C,) statistics against the width",
        (
            "        return image * std + mean\n",
            "        return image * self.std.to(image) + self.mean.to(image)\n",
        ),
    ),
    Variant(
        "Normalize.inverse subtracts the mean",
        ("        return image * std + mean\n", "        return image * std - mean\n"),
    ),
    # compose
    Variant(
        "compose applies the transforms right to left, as in f(g(x))",
        (
            "        for transform in transforms:\n            x =",
            "        for transform in reversed(transforms):\n            x =",
        ),
    ),
    Variant(
        "compose's transform works once: it keeps an iterator",
        (
            _COMPOSED,
            _COMPOSED.replace(
                "    def composed", "    transforms = iter(transforms)\n\n    def composed"
            ),
        ),
    ),
    Variant(
        "compose applies only the first and the last transform",
        (
            _COMPOSED,
            _COMPOSED.replace("in transforms:", "in (transforms[:1] + transforms[1:][-1:]):"),
        ),
    ),
    Variant(
        "compose does not check that each transform is callable",
        ("        if not callable(transform):\n", "        if False:\n"),
    ),
    # RandomHorizontalFlip
    Variant(
        "the flip mirrors the height (dim -2)",
        ("            return image.flip(-1)  #", "            return image.flip(-2)  #"),
    ),
    Variant(
        "the flip mirrors dim 0: the channels of one image",
        ("            return image.flip(-1)  #", "            return image.flip(0)  #"),
    ),
    Variant(
        "the flip mirrors when the draw is above p, so with probability 1 - p",
        (_COIN, _COIN.replace("< self.p", "> self.p")),
    ),
    Variant(
        "the flip draws from the global RNG",
        (_COIN, "        if torch.rand(1).item() < self.p:\n"),
    ),
    Variant(
        "the flip tosses a fair coin whatever p is",
        (_COIN, "        if torch.randint(2, (1,), generator=self.generator).item() == 1:\n"),
    ),
    Variant(
        "the flip accepts any p",
        ("        if not 0 <= p <= 1:\n", "        if False:\n"),
    ),
    Variant(
        "the flip tosses a coin for each image of a batch",
        (
            _COIN
            + "            return image.flip(-1)  # the width is the last dim\n        return image\n",
            "        coins = torch.rand(image.shape[:-2], generator=self.generator) < self.p\n"
            "        return torch.where(coins[..., None, None], image.flip(-1), image)\n",
        ),
    ),
    # TransformedDataset
    Variant(
        "TransformedDataset transforms every sample once, when it is made",
        (
            "        self.dataset, self.transform = dataset, transform\n",
            "        self.dataset, self.transform = dataset, transform\n"
            "        self.cache = [(transform(x), y) for x, y in (dataset[i] for i in range(len(dataset)))]\n",
        ),
        (
            "        x, y = self.dataset[index]\n        return self.transform(x), y\n",
            "        return self.cache[index]\n",
        ),
    ),
    Variant(
        "TransformedDataset forgets the transform",
        ("        return self.transform(x), y\n", "        return x, y\n"),
    ),
    # image_datasets
    Variant(
        "image_datasets takes the statistics of all the images: the validation images leak",
        (
            "    normalize = Normalize(*channel_stats(train_images))  #",
            "    normalize = Normalize(*channel_stats(torch.cat([train_images, val_images])))  #",
        ),
    ),
    Variant(
        "image_datasets normalizes the validation images with their own statistics",
        (
            _VAL,
            "    val = TransformedDataset(TensorDataset(val_images, val_labels), Normalize(*channel_stats(val_images)))\n",
        ),
    ),
    Variant(
        "image_datasets mirrors the validation images too",
        (
            _VAL,
            "    val = TransformedDataset(TensorDataset(val_images, val_labels), compose(flip, normalize))\n",
        ),
    ),
    Variant(
        "image_datasets never mirrors",
        (
            _TRAIN,
            "    train = TransformedDataset(TensorDataset(train_images, train_labels), normalize)\n",
        ),
    ),
    Variant(
        "image_datasets ignores the seed: a fresh generator's default seed",
        (
            "    flip = RandomHorizontalFlip(torch.Generator().manual_seed(seed), p=0.5)\n",
            "    flip = RandomHorizontalFlip(torch.Generator(), p=0.5)\n",
        ),
    ),
    Variant(
        "image_datasets seeds the global RNG and flips with it",
        (
            "    flip = RandomHorizontalFlip(torch.Generator().manual_seed(seed), p=0.5)\n",
            "    torch.manual_seed(seed)\n    flip = RandomHorizontalFlip(torch.default_generator, p=0.5)\n",
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "Standardize with torch.std_mean, constant features found by comparing with row 0",
        (_FIT, "        self.std, self.mean = torch.std_mean(X_train, dim=0, correction=0)\n"),
        (
            _CONSTANT,
            "        constant = [f for f in range(X_train.shape[1]) if (X_train[:, f] == X_train[0, f]).all()]\n",
        ),
    ),
    Variant(
        "Standardize from sums, the std as the root of the biased variance",
        (
            _FIT,
            "        n = X_train.shape[0]\n"
            "        self.mean = X_train.sum(dim=0) / n\n"
            "        self.std = ((X_train - self.mean) ** 2).sum(dim=0).div(n).sqrt()\n",
        ),
    ),
    Variant(
        "Standardize with the unbiased std rescaled by sqrt((N - 1) / N)",
        (
            _FIT,
            "        n = X_train.shape[0]\n"
            "        self.mean = X_train.mean(dim=0)\n"
            "        self.std = X_train.std(dim=0) * ((n - 1) / n) ** 0.5\n",
        ),
    ),
    Variant(
        "Standardize's transforms with sub and div, its inverse with torch.addcmul",
        (
            "        return (X - self.mean) / self.std\n",
            "        return X.sub(self.mean).div(self.std)\n",
        ),
        (
            "        return Z * self.std + self.mean\n",
            "        return torch.addcmul(self.mean, Z, self.std)\n",
        ),
    ),
    Variant(
        "Standardize and channel_stats with unbiased=False",
        (_FIT, _FIT.replace("correction=0", "unbiased=False")),
        (_CHANNELS, _CHANNELS.replace("correction=0", "unbiased=False")),
    ),
    Variant(
        "channel_stats over the channels moved first and flattened",
        (
            _CHANNELS,
            "    flat = images.transpose(0, 1).flatten(1)  # (C, N * H * W)\n"
            "    return flat.mean(dim=1), flat.std(dim=1, correction=0)\n",
        ),
    ),
    Variant(
        "channel_stats by a loop over channels, with torch.var_mean",
        (
            _CHANNELS,
            "    stats = [torch.var_mean(images[:, c], correction=0) for c in range(images.shape[1])]\n"
            "    return torch.stack([m for _, m in stats]), torch.stack([v.sqrt() for v, _ in stats])\n",
        ),
    ),
    Variant(
        "Normalize keeps (C, 1, 1) float64 statistics and indexes with None",
        (
            "        self.mean, self.std = torch.as_tensor(mean), torch.as_tensor(std)\n",
            "        self.mean = torch.as_tensor(mean, dtype=torch.float64)\n"
            "        self.std = torch.as_tensor(std, dtype=torch.float64)\n",
        ),
        (
            _NORMALIZE,
            "        mean = self.mean[:, None, None].to(dtype=image.dtype, device=image.device)\n"
            "        std = self.std[:, None, None].to(dtype=image.dtype, device=image.device)\n"
            "        return image.sub(mean).div(std)\n",
        ),
    ),
    Variant(
        "compose with functools.reduce",
        (
            _COMPOSED + "\n    return composed\n",
            "    import functools\n\n"
            "    return lambda x: functools.reduce(lambda acc, t: t(acc), transforms, x)\n",
        ),
    ),
    Variant(
        "compose as a class with __call__, like torchvision's Compose",
        append="""
        class _Compose:
            def __init__(self, transforms):
                self.transforms = list(transforms)

            def __call__(self, x):
                for t in self.transforms:
                    x = t(x)
                return x


        def compose(*transforms):
            for i, t in enumerate(transforms):
                if not callable(t):
                    raise TypeError(f"transform {i} is not callable")
            return _Compose(transforms)
        """,
    ),
    Variant(
        "the flip decided by torch.bernoulli, the image mirrored by indexing",
        (
            _COIN + "            return image.flip(-1)  # the width is the last dim\n",
            "        if torch.bernoulli(torch.tensor(float(self.p)), generator=self.generator):\n"
            "            return image[..., torch.arange(image.shape[-1] - 1, -1, -1)]\n",
        ),
    ),
    Variant(
        "the flip returns a copy when it does not mirror, and draws a 0-dim number",
        (
            _COIN,
            "        if torch.rand((), generator=self.generator) < self.p:\n",
        ),
        (
            "            return image.flip(-1)  # the width is the last dim\n        return image\n",
            "            return torch.flip(image, dims=[-1])\n        return image.clone()\n",
        ),
    ),
    Variant(
        "image_datasets normalizes, then mirrors, with closures for transforms",
        (
            _TRAIN,
            "    train = TransformedDataset(\n"
            "        TensorDataset(train_images, train_labels), lambda x: flip(normalize(x))\n"
            "    )\n",
        ),
    ),
    Variant(
        "TransformedDataset as a Subset-like wrapper that indexes the pair",
        (
            "        x, y = self.dataset[index]\n        return self.transform(x), y\n",
            "        pair = self.dataset[index]\n        return self.transform(pair[0]), pair[1]\n",
        ),
    ),
]
