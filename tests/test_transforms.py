"""The transforms kata: what each function and class in kata/transforms.py must do.

The oracles compute in float64 from the definitions (a loop over channels, sums over
rows); the images are never square and never have as many channels as rows or columns,
so a statistic or a flip taken along the wrong dimension shows.
"""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.utils.data import DataLoader, Subset, TensorDataset

from kata.transforms import (
    Normalize,
    RandomHorizontalFlip,
    Standardize,
    TransformedDataset,
    channel_stats,
    compose,
    image_datasets,
)
from tests.checks import (
    assert_close_in_float64 as _close,  # the name the hypothesis tests' bodies use
)
from tests.checks import (
    assert_tensor_equal,
    holds_numbers,
    keeps_contract,
    raises_keeping_contract,
)
from tests.strategies import grid_values, seeds


def _rows(n: int = 6, n_features: int = 3, seed: int = 0, dtype=torch.float64) -> torch.Tensor:
    """n rows of features on scales far apart: the second in thousands, the third near -5."""
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, n_features, generator=generator, dtype=torch.float64)
    X = X * torch.tensor([1.0, 1000.0, 0.1, 2.0, 3.0][:n_features], dtype=torch.float64)
    return (X + torch.tensor([0.0, 5000.0, -5.0, 1.0, 0.0][:n_features], dtype=torch.float64)).to(
        dtype
    )


def _images(n: int = 4, c: int = 3, h: int = 5, w: int = 7, seed: int = 0, dtype=torch.float32):
    """(n, c, h, w) images whose channels differ in level and spread, and each image in its
    own brightness, so that a statistic over the wrong dimensions comes out different."""
    generator = torch.Generator().manual_seed(seed)
    pixels = torch.randn(n, c, h, w, generator=generator, dtype=torch.float64)
    channel_scale = torch.linspace(0.5, 2.0, c, dtype=torch.float64).view(1, c, 1, 1)
    channel_level = torch.linspace(-1.0, 3.0, c, dtype=torch.float64).view(1, c, 1, 1)
    brightness = torch.linspace(0.0, 2.0, n, dtype=torch.float64).view(n, 1, 1, 1)
    return (pixels * channel_scale + channel_level + brightness).to(dtype)


def _oracle_stats(X: torch.Tensor, dims) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and population std over `dims`, in float64, from their definitions."""
    X = X.double()
    count = 1
    for d in dims:
        count *= X.shape[d]
    mean = X.sum(dim=dims, keepdim=True) / count
    std = (((X - mean) ** 2).sum(dim=dims) / count).sqrt()
    return mean.squeeze(dims), std


def _per_channel(image: torch.Tensor, mean, std) -> torch.Tensor:
    """(image - mean[c]) / std[c] for each channel c of (..., C, H, W), by a loop, in float64."""
    out = image.double().clone()
    for c in range(image.shape[-3]):
        out[..., c, :, :] = (out[..., c, :, :] - float(mean[c])) / float(std[c])
    return out


# ---- Standardize ---------------------------------------------------------------------------


def test_standardize_keeps_each_feature_s_mean_and_population_std():
    X = _rows(n=5)
    transform = keeps_contract(Standardize, X)
    mean, std = _oracle_stats(X, (0,))
    _close(transform.mean, mean, "Standardize(X).mean, the mean of each column of X")
    _close(
        transform.std,
        std,
        "Standardize(X).std, the population std of each column (dividing by N = 5, "
        "correction=0; torch.std divides by N - 1 unless told)",
    )
    assert transform.mean.shape == transform.std.shape == (3,), (
        f"mean and std should be (F,) = (3,), one number per feature: got "
        f"{tuple(transform.mean.shape)} and {tuple(transform.std.shape)}"
    )


@given(
    data=st.data(),
    n=st.integers(min_value=2, max_value=12),
    n_features=st.integers(min_value=1, max_value=4),
)
def test_standardized_training_split_has_mean_zero_and_std_one_per_feature(data, n, n_features):
    columns = [
        data.draw(st.lists(grid_values, min_size=n, max_size=n).filter(lambda c: len(set(c)) > 1))
        for _ in range(n_features)
    ]
    X = torch.tensor(columns, dtype=torch.float64).T
    Z = Standardize(X)(X)
    mean, std = _oracle_stats(Z, (0,))
    _close(mean, torch.zeros(n_features), f"the mean of each standardized column of\n{X}")
    _close(std, torch.ones(n_features), f"the population std of each standardized column of\n{X}")


def test_standardize_applies_the_training_statistics_to_other_splits():
    X_train, X_val = _rows(n=8, seed=0), _rows(n=5, seed=1) + 3.0
    transform = Standardize(X_train)
    mean, std = _oracle_stats(X_train, (0,))
    got = keeps_contract(transform, X_val)
    _close(
        got,
        (X_val - mean) / std,
        "Standardize(X_train)(X_val): the validation rows, standardized with the training "
        "split's mean and std, not with their own",
    )
    _close(transform(X_train), (X_train - mean) / std, "the training rows after that call")


def test_standardize_takes_one_sample_as_well_as_a_batch():
    X = _rows(n=6)
    transform = Standardize(X)
    for i in range(len(X)):
        one = transform(X[i])
        assert one.shape == (3,), f"one sample (F,) = (3,) came back as {tuple(one.shape)}"
        _close(one, transform(X)[i], f"Standardize(X)(X[{i}]), which should be row {i} of it")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_standardize_keeps_the_dtype_and_leaves_its_input_alone(dtype):
    X = _rows(n=7, dtype=dtype)
    transform = keeps_contract(Standardize, X, dtype=dtype)
    for name in ("mean", "std"):
        got = getattr(transform, name)
        assert got.dtype == dtype, f"Standardize(X).{name} is {got.dtype}, X is {dtype}"
    Z = keeps_contract(transform, X, dtype=dtype)
    back = keeps_contract(transform.inverse, Z, dtype=dtype)
    assert Z.shape == back.shape == X.shape


@pytest.mark.parametrize(
    ("n_features", "feature", "value", "dtype"),
    [(4, 2, 0.0, torch.float64), (1, 0, 0.3, torch.float32), (4, 3, -7.25, torch.float32)],
    ids=["zeros", "one-feature-of-seven-float32-0.3s", "negative"],
)
def test_standardize_refuses_a_feature_that_never_changes_naming_it(
    n_features, feature, value, dtype
):
    X = _rows(n=7, n_features=n_features, dtype=dtype)
    X[:, feature] = value  # seven float32 0.3s alone in a tensor have a std of 3e-08, not 0
    error = raises_keeping_contract(ValueError, Standardize, X)
    assert holds_numbers(str(error), feature), (
        f"the message should name feature {feature}, the constant one: {error}. Compare each "
        "feature's largest and smallest value: a std compared with 0 misses some"
    )


def test_standardize_takes_a_feature_of_tiny_but_real_spread():
    X = _rows(n=6)
    X[:, 0] = 1e-7 * torch.tensor([3.0, -1.0, 4.0, -1.0, 5.0, -9.0], dtype=torch.float64)
    Z = keeps_contract(Standardize(X), X)
    mean, std = _oracle_stats(Z, (0,))
    _close(
        torch.stack([mean[0], std[0]]),
        torch.tensor([0.0, 1.0]),
        "the mean and std of a standardized feature whose values differ by about 1e-7: "
        "it varies, so it is standardized like any other, with no eps and no threshold",
    )


def test_standardize_refuses_a_training_split_without_rows():
    raises_keeping_contract(ValueError, Standardize, torch.zeros(0, 3))


def test_standardize_inverse_gives_the_data_back():
    X_train, X_val = _rows(n=8, seed=0), _rows(n=5, seed=1)
    transform = Standardize(X_train)
    mean, std = _oracle_stats(X_train, (0,))
    Z = torch.linspace(-2.0, 2.0, 15, dtype=torch.float64).view(5, 3)  # standardized predictions
    _close(keeps_contract(transform.inverse, Z), Z * std + mean, "Standardize.inverse(Z)")
    _close(transform.inverse(transform(X_val)), X_val, "inverse(transform(X))", rtol=1e-10)


# ---- channel_stats -------------------------------------------------------------------------


def test_channel_stats_are_taken_over_every_pixel_of_every_image():
    images = _images(dtype=torch.float64)
    mean, std = keeps_contract(channel_stats, images, dtype=torch.float64)
    expected_mean, expected_std = _oracle_stats(images, (0, 2, 3))
    assert mean.shape == std.shape == (3,), (
        f"images (4, 3, 5, 7): mean and std should be (C,) = (3,), got {tuple(mean.shape)} "
        f"and {tuple(std.shape)}; reduce over dims (0, 2, 3), keeping the channels"
    )
    _close(mean, expected_mean, "the mean of each channel over dims (0, 2, 3)")
    _close(
        std,
        expected_std,
        "the population std of each channel over all its pixels (correction=0): the mean "
        "of each image's std leaves out how much the images differ",
    )


def test_channel_stats_keep_float32():
    images = _images(n=6, dtype=torch.float32)
    mean, std = keeps_contract(channel_stats, images, dtype=torch.float32)
    expected_mean, expected_std = _oracle_stats(images, (0, 2, 3))
    _close(mean, expected_mean, "the channels' means, float32", rtol=1e-5, atol=1e-5)
    _close(std, expected_std, "the channels' stds, float32", rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    ("shape", "channel"),
    [((7, 4, 5, 7), 3), ((2, 1, 4, 4), 0)],
    ids=["four-channels", "grayscale-of-float32-0.3s"],
)
def test_channel_stats_refuse_a_channel_that_never_changes_naming_it(shape, channel):
    n, c, h, w = shape
    images = _images(n=n, c=c, h=h, w=w, dtype=torch.float32)
    images[:, channel] = 0.3  # (2, 1, 4, 4) of float32 0.3s: a std of 3e-08, not 0
    error = raises_keeping_contract(ValueError, channel_stats, images)
    assert holds_numbers(str(error), channel), f"the message should name channel {channel}: {error}"


def test_channel_stats_refuse_a_batch_without_images():
    raises_keeping_contract(ValueError, channel_stats, torch.zeros(0, 3, 5, 7))


# ---- Normalize -----------------------------------------------------------------------------

# exact in binary, so float32 and float64 statistics are the same numbers
MEAN, STD = [0.5, -0.25, 2.0], [0.5, 2.0, 0.25]


@pytest.mark.parametrize(
    "shape",
    [(3, 5, 7), (3, 4, 3), (2, 3, 5, 7), (2, 3, 5, 3)],
    ids=["one-image", "as-wide-as-its-channels", "batch", "batch-as-wide-as-its-channels"],
)
def test_normalize_maps_each_channel_with_its_own_mean_and_std(shape):
    image = torch.linspace(-3.0, 3.0, torch.Size(shape).numel()).view(shape)
    got = keeps_contract(Normalize(MEAN, STD), image, dtype=torch.float32)
    _close(
        got,
        _per_channel(image, MEAN, STD),
        f"Normalize(mean, std) on an image of shape {shape}: channel c should be "
        "(x - mean[c]) / std[c]; a (C,) mean against (C, H, W) lines up with the width",
        rtol=1e-6,
        atol=1e-6,
    )


@pytest.mark.parametrize(
    ("image_dtype", "stats_dtype"),
    [(torch.float32, torch.float64), (torch.float64, torch.float32)],
    ids=["float32-image-float64-stats", "float64-image-float32-stats"],
)
def test_normalize_keeps_the_image_s_dtype_whatever_the_statistics(image_dtype, stats_dtype):
    image = _images(n=1, dtype=image_dtype)[0]
    mean, std = torch.tensor(MEAN, dtype=stats_dtype), torch.tensor(STD, dtype=stats_dtype)
    transform = keeps_contract(Normalize, mean, std)
    got = keeps_contract(transform, image, dtype=image_dtype)
    back = keeps_contract(transform.inverse, got, dtype=image_dtype)
    _close(got, _per_channel(image, MEAN, STD), "the normalized image", rtol=1e-6, atol=1e-6)
    _close(back, image, "inverse of the normalized image", rtol=1e-6, atol=1e-6)


def test_normalized_training_images_have_mean_zero_and_std_one_per_channel():
    images = _images(n=6, dtype=torch.float64)
    normalized = Normalize(*channel_stats(images))(images)
    mean, std = _oracle_stats(normalized, (0, 2, 3))
    _close(mean, torch.zeros(3), "each channel's mean after Normalize(*channel_stats(images))")
    _close(std, torch.ones(3), "each channel's std after Normalize(*channel_stats(images))")


def test_normalize_inverse_gives_the_images_back():
    images = _images(n=2, dtype=torch.float64)
    transform = Normalize(MEAN, STD)
    normalized = torch.linspace(-2.0, 2.0, images.numel(), dtype=torch.float64).view(images.shape)
    expected = normalized.clone()
    for c in range(3):
        expected[:, c] = normalized[:, c] * STD[c] + MEAN[c]
    _close(keeps_contract(transform.inverse, normalized), expected, "Normalize.inverse")
    _close(transform.inverse(transform(images)), images, "inverse(normalize(images))")


@pytest.mark.parametrize(
    ("mean", "std", "channel"),
    [
        ([0.5, 0.5, 0.5], [0.5, 0.0, 0.5], 1),
        ([0.5, 0.5, 0.5], [0.5, 0.5, -0.25], 2),
        ([0.5, 0.5, 0.5], [0.5, 0.5], None),
        ([[0.5, 0.5]], [[0.5, 0.5]], None),
    ],
    ids=["zero-std", "negative-std", "lengths-differ", "not-one-number-per-channel"],
)
def test_normalize_refuses_statistics_it_cannot_use(mean, std, channel):
    error = raises_keeping_contract(ValueError, Normalize, mean, std)
    if channel is not None:
        assert holds_numbers(str(error), channel), f"the message should name channel {channel}"


# ---- compose -------------------------------------------------------------------------------


def test_compose_applies_the_transforms_in_the_order_given():
    def add_one(x):
        return x + 1

    transform = keeps_contract(compose, add_one, lambda x: x * 2, torch.neg)
    x = torch.tensor([1.0, -3.0])
    got = keeps_contract(transform, x)
    assert_tensor_equal(
        got, torch.tensor([-4.0, 4.0]), "compose(x + 1, x * 2, neg)(x), which is -((x + 1) * 2)"
    )


def test_compose_takes_the_transform_classes():
    X = _rows(n=6)
    standardize = Standardize(X)
    there_and_back = compose(standardize, standardize.inverse)
    _close(there_and_back(X), X, "compose(standardize, standardize.inverse)(X)", rtol=1e-10)


def test_compose_of_no_transform_gives_the_input_back():
    x = torch.tensor([1.0, 2.0, 3.0])
    assert_tensor_equal(keeps_contract(keeps_contract(compose), x), x, "compose()(x)")


def test_a_composed_transform_can_be_called_again_and_again():
    transform = compose(lambda x: x + 1, lambda x: x * 10)
    x = torch.tensor([1.0])
    for call in range(3):
        assert_tensor_equal(
            transform(x), torch.tensor([20.0]), f"call {call} of the same transform"
        )


def test_compose_refuses_something_that_is_not_callable_naming_its_position():
    error = raises_keeping_contract(TypeError, compose, torch.neg, lambda x: x, "flip", torch.abs)
    assert holds_numbers(str(error), 2), f"the message should name position 2: {error}"


# ---- RandomHorizontalFlip ------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(3, 5, 7), (5, 7), (2, 3, 5, 7)], ids=["CHW", "HW", "NCHW"])
def test_flip_with_p_one_mirrors_the_width_only(shape):
    image = torch.arange(torch.Size(shape).numel(), dtype=torch.float64).view(shape)
    flip = keeps_contract(RandomHorizontalFlip, torch.Generator().manual_seed(0), p=1.0)
    got = keeps_contract(flip, image, dtype=torch.float64)
    assert_tensor_equal(
        got, image.flip(-1), f"RandomHorizontalFlip(p=1) on an image {shape}: mirrored columns"
    )


def test_flip_with_p_zero_leaves_every_image_as_it_is():
    image = _images(n=1)[0]
    flip = RandomHorizontalFlip(torch.Generator().manual_seed(0), p=0.0)
    for call in range(20):
        assert_tensor_equal(flip(image), image, f"RandomHorizontalFlip(p=0), call {call}")


def _coins(flip: RandomHorizontalFlip, image: torch.Tensor, calls: int) -> list[bool]:
    """Whether each of `calls` calls mirrored the image; fails on anything else."""
    __tracebackhide__ = True
    mirrored = []
    for call in range(calls):
        got = flip(image)
        if torch.equal(got, image.flip(-1)):
            mirrored.append(True)
        elif torch.equal(got, image):
            mirrored.append(False)
        else:
            pytest.fail(f"call {call} gave neither the image nor its mirror image:\n{got}")
    return mirrored


def test_flip_mirrors_about_a_fraction_p_of_the_calls():
    flip = RandomHorizontalFlip(torch.Generator().manual_seed(3), p=0.25)
    mirrored = sum(_coins(flip, _images(n=1)[0], 400))
    # binomial(400, 0.25): mean 100, sd 8.7; the bounds are 7 sds away
    assert 40 <= mirrored <= 160, (
        f"with p=0.25, {mirrored} of 400 calls mirrored the image, expected about 100: "
        "mirror when a uniform draw is below p"
    )


def test_flips_repeat_for_the_same_seed_and_differ_for_another():
    image = _images(n=1)[0]

    def coins(seed: int) -> list[bool]:
        return _coins(RandomHorizontalFlip(torch.Generator().manual_seed(seed)), image, 40)

    torch.manual_seed(0)
    first = coins(5)
    torch.manual_seed(1)  # the global RNG must not matter
    assert coins(5) == first, (
        "two flips with generators seeded alike mirrored different calls: draw every coin "
        "from self.generator"
    )
    assert coins(6) != first, "generators seeded differently mirrored the same calls"


def test_flip_leaves_the_global_random_state_alone():
    flip = RandomHorizontalFlip(torch.Generator().manual_seed(0))
    before = torch.get_rng_state()
    _coins(flip, _images(n=1)[0], 10)
    assert torch.equal(torch.get_rng_state(), before), (
        "RandomHorizontalFlip used the global RNG: torch.rand(..., generator=self.generator)"
    )


def test_flip_mirrors_a_batch_whole_or_not_at_all():
    flip = RandomHorizontalFlip(torch.Generator().manual_seed(0))
    mirrored = _coins(flip, _images(n=4), 30)  # fails on a batch mirrored in part
    assert 0 < sum(mirrored) < 30, f"with p=0.5, 30 calls mirrored {sum(mirrored)} times"


@pytest.mark.parametrize("p", [-0.1, 1.5], ids=["below-zero", "above-one"])
def test_flip_refuses_a_probability_outside_zero_to_one(p):
    error = raises_keeping_contract(ValueError, RandomHorizontalFlip, torch.Generator(), p=p)
    assert str(p) in str(error), f"the message should hold p = {p}: {error}"


# ---- TransformedDataset --------------------------------------------------------------------


def test_transformed_dataset_reads_the_transform_of_each_input_and_its_label_as_it_is():
    X, y = _images(n=5), torch.tensor([2, 0, 1, 1, 0])
    inner = TensorDataset(X, y)
    dataset = keeps_contract(TransformedDataset, inner, lambda x: x * 2 - 1)
    assert keeps_contract(dataset.__len__) == 5, f"len() gave {len(dataset)}, expected 5"
    for i in range(5):
        x_i, y_i = keeps_contract(dataset.__getitem__, i)
        assert_tensor_equal(x_i, X[i] * 2 - 1, f"dataset[{i}][0], the transform of X[{i}],")
        assert_tensor_equal(y_i, y[i], f"dataset[{i}][1], the int64 label y[{i}],")


def test_transformed_dataset_runs_the_transform_at_every_read():
    reads = []

    def counting(x):
        reads.append(1)
        return x + len(reads)

    dataset = TransformedDataset(TensorDataset(torch.zeros(3, 2), torch.arange(3)), counting)
    got = [dataset[0][0][0].item() for _ in range(3)]
    assert got == [1.0, 2.0, 3.0], (
        f"three reads of dataset[0] through a transform that counts its calls gave {got}, "
        "expected [1.0, 2.0, 3.0]: the transform runs when a sample is read, not once ahead"
    )


def test_transformed_dataset_wraps_a_part_of_a_split():
    X, y = _images(n=6), torch.arange(6)
    part = Subset(TensorDataset(X, y), [4, 1, 3])  # what random_split returns
    dataset = TransformedDataset(part, torch.neg)
    assert len(dataset) == 3
    for i, j in enumerate([4, 1, 3]):
        x_i, y_i = dataset[i]
        assert_tensor_equal(x_i, -X[j], f"item {i} of the wrapped part, -X[{j}],")
        assert y_i.item() == j


def test_transformed_dataset_batches_through_a_dataloader():
    X, y = _images(n=5), torch.arange(5)
    dataset = TransformedDataset(TensorDataset(X, y), lambda x: x + 1)
    batches = list(DataLoader(dataset, batch_size=2))
    assert [tuple(xb.shape) for xb, _ in batches] == [(2, 3, 5, 7), (2, 3, 5, 7), (1, 3, 5, 7)]
    assert_tensor_equal(torch.cat([xb for xb, _ in batches]), X + 1, "the batched inputs")
    assert_tensor_equal(torch.cat([yb for _, yb in batches]), y, "the batched labels")


# ---- image_datasets ------------------------------------------------------------------------


def _pipeline_data(seed: int = 0):
    train_images, val_images = _images(n=6, seed=seed), _images(n=3, seed=seed + 100) + 4.0
    return train_images, torch.arange(6) % 3, val_images, torch.tensor([2, 0, 1])


def _reads(dataset, order) -> list[torch.Tensor]:
    return [dataset[i][0] for i in order]


def test_validation_images_are_normalized_with_the_training_statistics_and_never_mirrored():
    train_images, train_labels, val_images, val_labels = _pipeline_data()
    _, val = keeps_contract(image_datasets, train_images, train_labels, val_images, val_labels, 0)
    mean, std = _oracle_stats(train_images, (0, 2, 3))
    for i in range(3):
        expected = _per_channel(val_images[i], mean, std)
        for read in range(8):
            x, label = val[i]
            _close(
                x,
                expected,
                f"read {read} of validation sample {i}: its image normalized with the "
                "training images' statistics, never with its own, and never mirrored",
                rtol=1e-5,
                atol=1e-5,
            )
            assert_tensor_equal(label, val_labels[i], f"the label of validation sample {i}")


def test_training_images_are_normalized_and_mirrored_about_half_the_time():
    train_images, train_labels, val_images, val_labels = _pipeline_data()
    train, _ = image_datasets(train_images, train_labels, val_images, val_labels, seed=0)
    mean, std = _oracle_stats(train_images, (0, 2, 3))
    mirrored = 0
    for read in range(60):
        i = read % 6
        x, label = train[i]
        plain = _per_channel(train_images[i], mean, std)
        assert_tensor_equal(label, train_labels[i], f"the label of training sample {i}")
        if torch.allclose(x.double(), plain.flip(-1), rtol=1e-5, atol=1e-5):
            mirrored += 1
        else:
            _close(
                x,
                plain,
                f"read {read} of training sample {i}: its image normalized with the training "
                "images' statistics, mirrored or not",
                rtol=1e-5,
                atol=1e-5,
            )
    # binomial(60, 0.5): mean 30, sd 3.9; the bounds are 5 sds away
    assert 10 <= mirrored <= 50, f"{mirrored} of 60 reads were mirrored, expected about half"


def test_changing_only_the_validation_images_changes_no_training_sample():
    train_images, train_labels, val_images, val_labels = _pipeline_data()
    order = [0, 3, 5, 1, 1, 2, 4, 0, 5, 2]
    train, _ = image_datasets(train_images, train_labels, val_images, val_labels, seed=7)
    other, _ = image_datasets(train_images, train_labels, val_images * 3 - 10, val_labels, seed=7)
    for n, (a, b) in enumerate(zip(_reads(train, order), _reads(other, order), strict=True)):
        assert_tensor_equal(
            b,
            a,
            f"read {n} of the training dataset, after only the validation images changed "
            "(the validation images leak into the training statistics?)",
        )


def test_training_samples_repeat_for_the_same_seed_and_differ_for_another():
    data = _pipeline_data()
    order = [i % 6 for i in range(36)]

    def reads(seed: int) -> list[torch.Tensor]:
        return _reads(image_datasets(*data, seed=seed)[0], order)

    torch.manual_seed(0)
    first = reads(11)
    torch.manual_seed(1)  # the global RNG must not matter
    again = reads(11)
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True)), (
        "two pipelines with the same seed gave different training samples: seed the "
        "flip's own torch.Generator with it"
    )
    other = reads(12)
    assert not all(torch.equal(a, b) for a, b in zip(first, other, strict=True)), (
        "seeds 11 and 12 gave the same training samples"
    )


def test_reading_the_pipeline_leaves_the_global_random_state_alone():
    before = torch.get_rng_state()
    train, val = image_datasets(*_pipeline_data(), seed=0)
    _reads(train, range(6))
    _reads(val, range(3))
    assert torch.equal(torch.get_rng_state(), before), (
        "building or reading the datasets used the global RNG"
    )


def test_pipeline_samples_batch_through_a_dataloader():
    train_images, train_labels, val_images, val_labels = _pipeline_data()
    train, val = image_datasets(train_images, train_labels, val_images, val_labels, seed=0)
    xb, yb = next(iter(DataLoader(train, batch_size=4)))
    assert tuple(xb.shape) == (4, 3, 5, 7) and xb.dtype == torch.float32
    assert_tensor_equal(yb, train_labels[:4], "the first batch's labels")
    xb, yb = next(iter(DataLoader(val, batch_size=3)))
    assert tuple(xb.shape) == (3, 3, 5, 7) and xb.dtype == torch.float32
    assert_tensor_equal(yb, val_labels, "the validation labels")


def test_a_constant_training_channel_is_refused_before_any_sample_is_read():
    train_images, train_labels, val_images, val_labels = _pipeline_data()
    train_images[:, 1] = 0.5
    error = raises_keeping_contract(
        ValueError, image_datasets, train_images, train_labels, val_images, val_labels, 0
    )
    assert holds_numbers(str(error), 1), f"the message should name channel 1: {error}"


@given(seed=seeds)
def test_any_seed_gives_training_samples_that_are_mirrored_or_not(seed):
    train_images, train_labels, val_images, val_labels = _pipeline_data()
    train, _ = image_datasets(train_images, train_labels, val_images, val_labels, seed)
    mean, std = _oracle_stats(train_images, (0, 2, 3))
    x, _ = train[2]
    plain = _per_channel(train_images[2], mean, std)
    assert torch.allclose(x.double(), plain, rtol=1e-5, atol=1e-5) or torch.allclose(
        x.double(), plain.flip(-1), rtol=1e-5, atol=1e-5
    ), f"seed {seed}: training sample 2 is neither its normalized image nor its mirror image"
