"""Kata: transforms.

Raw features come on scales of their own (a temperature in tens, a pressure in
thousands) and images in whatever range the camera gave; a model learns faster from
inputs centred on 0 with a spread of 1. The mean and the std that do this are part of the
model: they are fitted on the training split alone and applied, unchanged, to the
validation split, the test split and every sample the model sees later. Augmentation
(a random mirror image, say) gives the model more varied training samples; it belongs to
the training samples only, and its randomness comes from a generator of its own, so that
a run can be repeated.

A transform here is any plain callable from a tensor to a tensor. torchvision.transforms
has ready-made ones (Normalize, Compose, RandomHorizontalFlip); these are written in
plain torch, and the kata needs nothing else. Many tutorials open with
transforms.Compose([transforms.ToTensor(), transforms.Normalize(...)]): torchvision's v2
transforms deprecate ToTensor for Compose([ToImage(), ToDtype(torch.float32, scale=True)]).

Write the functions top to bottom; `make kata` tells you which one is next.
"""

from collections.abc import Callable, Sequence

import torch
from torch.utils.data import Dataset, TensorDataset

Transform = Callable[[torch.Tensor], torch.Tensor]


class Standardize:
    """A transform x -> (x - mean) / std, feature by feature, fitted on a training split."""

    def __init__(self, X_train: torch.Tensor) -> None:
        """Fit the transform: self.mean and self.std, each (F,), the mean and the standard
        deviation of each feature (column) of the training split X_train (N, F), in its
        dtype. X_train is left as it is.

        Fit it on the training split only; the validation and test splits are transformed
        with these same statistics, never with their own.

        self.std is the population std, correction=0 (the root of the mean squared
        deviation, dividing by N), so that the standardized training split has a std of
        exactly 1 by the same measure, as sklearn's StandardScaler does. torch.std divides
        by N - 1 unless told otherwise: correction=1 is its default.

        Raises ValueError when X_train holds no sample, and when a feature takes one value
        on every training row, its message naming each such feature's index. Dividing by
        its std of 0 would make inf and nan, and the std of a constant column need not even
        be 0: in float32, torch.full((7, 1), 0.3).std(dim=0, correction=0) is 3e-08, and
        that column standardizes to seven 1s. An eps added to the std would only hide that
        such a feature carries nothing to learn from: drop it before standardizing. Find it
        by comparing each feature's largest and smallest value, not its std with 0.

        Helps: X.mean(dim=0), X.std(dim=0, correction=0) or torch.std_mean,
        X.amax(dim=0) == X.amin(dim=0), .nonzero().
        """
        if len(X_train) == 0:
            raise ValueError("X_train holds no sample: there is nothing to take statistics of")
        constant = (X_train.amax(dim=0) == X_train.amin(dim=0)).nonzero().flatten().tolist()
        if constant:
            raise ValueError(
                f"features {constant} take one value on every training row: their std is 0"
            )
        self.mean = X_train.mean(dim=0)
        self.std = X_train.std(dim=0, correction=0)  # divide by N, not N - 1

    def __call__(self, X: torch.Tensor) -> torch.Tensor:
        """(X - mean) / std for X (..., F) of any split: a batch (M, F) or one sample (F,),
        in the training split's dtype. Returns a new tensor of X's shape and dtype; X is
        left as it is. Calling the transform never changes its statistics.

        Helps: broadcasting: a (F,) against a (M, F) lines up with the last dimension.
        """
        return (X - self.mean) / self.std

    def inverse(self, Z: torch.Tensor) -> torch.Tensor:
        """Z * std + mean for Z (..., F): undoes __call__, up to rounding. A regression
        target standardized for training gets its predictions back in its own units this
        way. Returns a new tensor of Z's shape and dtype; Z is left as it is.
        """
        return Z * self.std + self.mean


def channel_stats(images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(mean, std) of each channel of a batch of images (N, C, H, W), each (C,), in the
    images' dtype: taken over every pixel of every image, dims 0, 2 and 3, and on the
    training images alone. std is the population std (correction=0), as in Standardize.
    images is left as it is.

    The mean of each image's mean is the channel's mean when the images share one size, but
    the mean of each image's std is not the channel's std: it leaves out how much the
    images differ from one another.

    Raises ValueError when images holds no image, and when a channel takes one value on
    every pixel of every image, its message naming each such channel's index (see
    Standardize).

    Helps: images.mean(dim=(0, 2, 3)), images.std(dim=(0, 2, 3), correction=0),
    images.amax(dim=(0, 2, 3)), images.amin(dim=(0, 2, 3)).
    """
    if len(images) == 0:
        raise ValueError("images holds no image: there is nothing to take statistics of")
    over = (0, 2, 3)  # every dim but the channels: (N, H, W)
    constant = (images.amax(dim=over) == images.amin(dim=over)).nonzero().flatten().tolist()
    if constant:
        raise ValueError(f"channels {constant} take one value on every pixel: their std is 0")
    return images.mean(dim=over), images.std(dim=over, correction=0)


class Normalize:
    """A transform image -> (image - mean) / std, channel by channel, with given statistics."""

    def __init__(
        self, mean: Sequence[float] | torch.Tensor, std: Sequence[float] | torch.Tensor
    ) -> None:
        """Keep self.mean and self.std, C numbers each: sequences of floats, such as the
        ImageNet statistics ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]), or (C,)
        tensors, such as channel_stats gives. Tensors given are left as they are.

        Raises ValueError when mean and std are not one number per channel each (1-D, of
        one length), and when a std is not positive, its message naming its channel: each
        channel is divided by its std.

        Helps: torch.as_tensor(values), .dim(), .shape, (std <= 0).nonzero().
        """
        self.mean, self.std = torch.as_tensor(mean), torch.as_tensor(std)
        if self.mean.dim() != 1 or self.mean.shape != self.std.shape:
            raise ValueError(
                f"mean and std must each hold one number per channel: got shapes "
                f"{tuple(self.mean.shape)} and {tuple(self.std.shape)}"
            )
        not_positive = (self.std <= 0).nonzero().flatten().tolist()
        if not_positive:
            raise ValueError(f"the std of channels {not_positive} is not positive")

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        """Each channel c of image (..., C, H, W), one image (C, H, W) or a batch
        (N, C, H, W), as (image[..., c, :, :] - mean[c]) / std[c]. Returns a new tensor of
        the image's shape, dtype and device; the image is left as it is.

        Two traps. The statistics (C,) against an image (C, H, W) line up with its last
        dimension, the width, not with the channels: view them as (C, 1, 1). Where W == C
        nothing fails, and the columns are normalized with the channels' numbers. And
        float64 statistics (from float64 training images) would make a float32 image
        float64: cast them to the image's dtype and device first, as torchvision's
        Normalize does.

        Helps: self.mean.to(image) (the image's dtype and device), .view(-1, 1, 1).
        """
        mean = self.mean.to(image).view(-1, 1, 1)  # (C, 1, 1): one number per channel
        std = self.std.to(image).view(-1, 1, 1)
        return (image - mean) / std

    def inverse(self, image: torch.Tensor) -> torch.Tensor:
        """image * std + mean, channel by channel, for image (..., C, H, W): undoes
        __call__, up to rounding, to show a normalized image as it was. Returns a new
        tensor of the image's shape, dtype and device; the image is left as it is.
        """
        mean = self.mean.to(image).view(-1, 1, 1)
        std = self.std.to(image).view(-1, 1, 1)
        return image * std + mean


def compose(*transforms: Transform) -> Transform:
    """One transform that applies `transforms` in the order given: compose(f, g)(x) is
    g(f(x)), as torchvision's Compose([f, g]). Each may be any callable from a tensor to a
    tensor: a function, a lambda, an instance of a class above. compose() with none gives
    its input back. The composed transform can be called any number of times.

    Raises TypeError when one of `transforms` is not callable, its message naming its
    position (0 for the first): found here, not epochs later inside a DataLoader.

    Helps: callable(t), a for loop in a nested function (a closure over `transforms`).
    """
    for position, transform in enumerate(transforms):
        if not callable(transform):
            raise TypeError(
                f"transform {position} is a {type(transform).__name__}, which is not callable"
            )

    def composed(x: torch.Tensor) -> torch.Tensor:
        for transform in transforms:
            x = transform(x)
        return x

    return composed


class RandomHorizontalFlip:
    """A transform that mirrors an image left to right with probability p, drawing from a
    generator of its own."""

    def __init__(self, generator: torch.Generator, p: float = 0.5) -> None:
        """Keep self.generator, which every coin is drawn from, and self.p, the
        probability that an image is mirrored.

        Raises ValueError when p is not a probability, between 0 and 1, its message holding p.
        """
        if not 0 <= p <= 1:
            raise ValueError(f"p is a probability, between 0 and 1: got {p}")
        self.generator, self.p = generator, p

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        """image (..., H, W), one image (C, H, W) or (H, W), mirrored along its last dim
        (the width) with probability p, else as it is: one coin per call, drawn from
        self.generator. A batch is therefore mirrored whole or not at all: mirror samples
        one at a time, as a Dataset's __getitem__ reads them. Returns a tensor of the
        image's shape and dtype (the image itself when it is not mirrored will do); the
        image is left as it is.

        Generators seeded alike give the same coins, whatever else draws random numbers;
        the global RNG is left alone.

        Helps: torch.rand(1, generator=self.generator) < self.p, image.flip(-1) (a copy).
        """
        if torch.rand(1, generator=self.generator).item() < self.p:
            return image.flip(-1)  # the width is the last dim
        return image


class TransformedDataset(Dataset):
    """The samples of another dataset, each input passed through a transform as it is read."""

    def __init__(self, dataset: Dataset, transform: Transform) -> None:
        """Keep self.dataset, any map-style dataset of (x, y) pairs (a TensorDataset, a
        part that random_split made), not copied, and self.transform.

        Why wrap, rather than give a dataset a transform of its own: random_split's parts
        are views (Subset) of one dataset, and a transform set on that dataset would
        augment the validation part as well. Wrap each part in the transform it needs.
        """
        self.dataset, self.transform = dataset, transform

    def __len__(self) -> int:
        """The number of samples of the wrapped dataset."""
        return len(self.dataset)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(transform(x), y) for the pair (x, y) = dataset[index]; y as it is (int64
        labels stay int64).

        The transform runs at every read, so an augmentation draws anew each time a sample
        is read: a new mirror image every epoch. With DataLoader(num_workers=k) each worker
        process gets its own copy of the dataset, generator included, in the same state:
        the workers would draw the same coins, unless each reseeds its copy
        (worker_init_fn, torch.utils.data.get_worker_info()).
        """
        x, y = self.dataset[index]
        return self.transform(x), y


def image_datasets(
    train_images: torch.Tensor,
    train_labels: torch.Tensor,
    val_images: torch.Tensor,
    val_labels: torch.Tensor,
    seed: int,
) -> tuple[TransformedDataset, TransformedDataset]:
    """A training and a validation dataset of images (N, C, H, W) with labels (N,), each
    sample an (image (C, H, W), label) pair, ready for a DataLoader.

    Both normalize with the channel_stats of the training images alone: the validation
    images take no part in them. The training dataset also mirrors each image it reads
    with probability 1/2, drawing from a torch.Generator seeded with `seed`; the validation
    dataset never does, and gives the same samples at every read. The same seed gives the
    same training samples for the same reads, and the global RNG is left alone. The
    tensors are neither copied nor changed.

    Raises ValueError as channel_stats does, before any sample is read.

    Helps: channel_stats, Normalize, RandomHorizontalFlip, compose, TensorDataset,
    TransformedDataset.
    """
    normalize = Normalize(*channel_stats(train_images))  # the training images alone
    flip = RandomHorizontalFlip(torch.Generator().manual_seed(seed), p=0.5)
    train = TransformedDataset(TensorDataset(train_images, train_labels), compose(flip, normalize))
    val = TransformedDataset(TensorDataset(val_images, val_labels), normalize)  # never mirrored
    return train, val
