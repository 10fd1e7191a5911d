"""The capstones kata: what each function in kata/capstones.py must do.

The oracle for the data is scikit-learn itself; the trained models are scored again here,
on the held-out digits and on fresh sequences, by plain argmax.
"""

import functools
import re
from collections import Counter

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from kata.capstones import (
    LABEL_SMOOTHING,
    SEQUENCE_LENGTH,
    digit_data,
    load_digit_loaders,
    make_sequence_task,
    split_loaders,
    train_and_score,
    train_digit_cnn,
    train_digit_mlp,
    train_sequence_lstm,
)
from kata.cnn import SmallCNN
from tests.checks import batch_pairs, keeps_contract, raises_keeping_contract, tensor_loader
from tests.strategies import seeds

N_DIGITS = 1797
DIGIT_CLASSES = 10
PERCEPTRON_BAR, CONVNET_BAR, SEQUENCE_BAR = 0.95, 0.97, 0.97

sample_counts = st.integers(min_value=5, max_value=60)
batch_sizes = st.integers(min_value=1, max_value=16)
sequence_lengths = st.integers(min_value=2, max_value=15)


@pytest.fixture(scope="module")
def sklearn_digits():
    from sklearn.datasets import load_digits  # slow to import: only when a test needs it

    return load_digits()


def _rows(loader) -> Counter:
    """Each (pixels, label) sample a loader yields, counted: a multiset of hashable rows."""
    return Counter(
        (tuple(x.flatten().tolist()), label)
        for X, y in loader
        for x, label in zip(X, y.tolist(), strict=True)
    )


def _accuracy_on(model: nn.Module, loader, device: torch.device, classes: int) -> float:
    """The fraction of samples whose largest logit is the label, computed here, not by the kata."""
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for X, y in loader:
            logits = model(X.to(device))
            assert tuple(logits.shape) == (len(X), classes), (
                f"the model gave logits of shape {tuple(logits.shape)} for {len(X)} samples, "
                f"expected one logit per class: ({len(X)}, {classes})"
            )
            correct += (logits.argmax(dim=1).cpu() == y).sum().item()
            total += len(y)
    return correct / total


@functools.cache
def _trained_perceptron(device: str) -> tuple[nn.Module, float]:
    """train_digit_mlp(seed=0) once per device: two tests look at the same trained model."""
    return keeps_contract(train_digit_mlp, 0, torch.device(device))


@functools.cache
def _trained_convnet(device: str) -> tuple[nn.Module, float]:
    """train_digit_cnn(seed=0) once per device: two tests look at the same trained model."""
    return keeps_contract(train_digit_cnn, 0, torch.device(device))


# digit_data


@pytest.mark.parametrize("image_shape", [False, True], ids=["flat", "images"])
def test_digit_data_is_the_sklearn_digits_scaled_to_the_unit_interval(sklearn_digits, image_shape):
    X, y = keeps_contract(digit_data, image_shape)
    shape = (N_DIGITS, 1, 8, 8) if image_shape else (N_DIGITS, 64)
    assert tuple(X.shape) == shape, f"X has shape {tuple(X.shape)}, expected {shape}"
    assert X.dtype == torch.float32, f"X is {X.dtype}: models want float32"
    assert y.dtype == torch.int64, f"y is {y.dtype}: nn.CrossEntropyLoss wants long indices"
    expected = torch.tensor(sklearn_digits.images / 16, dtype=torch.float32)
    torch.testing.assert_close(
        X.reshape(N_DIGITS, 8, 8),
        expected,
        msg="X must be load_digits().images divided by 16 (pixels 0..16 -> [0, 1]), in order",
    )
    assert torch.equal(y, torch.from_numpy(sklearn_digits.target)), "y must be .target, in order"


# split_loaders


@settings(max_examples=40)
@given(n=sample_counts, batch_size=batch_sizes, seed=seeds)
def test_split_loaders_keep_every_sample_once_with_80_percent_for_training(n, batch_size, seed):
    X, y = torch.arange(n).float().unsqueeze(1), torch.arange(n)
    train_loader, test_loader = keeps_contract(split_loaders, X, y, batch_size, seed)
    train = [i for _, yb in train_loader for i in yb.tolist()]
    test = [i for _, yb in test_loader for i in yb.tolist()]
    assert sorted(train + test) == list(range(n)), (
        f"train {sorted(train)} and test {sorted(test)} must hold each of the {n} samples once"
    )
    assert abs(len(train) - 0.8 * n) < 1, f"{len(train)} of {n} samples to train: expected 80%"
    batches = [len(yb) for loader in (train_loader, test_loader) for _, yb in loader]
    assert max(batches) <= batch_size, f"batch sizes {batches}, asked for {batch_size}"


def test_split_loaders_keep_each_sample_with_its_target():
    X = torch.arange(50).float().unsqueeze(1) * 10
    y = torch.arange(50)
    for loader in split_loaders(X, y, 8, seed=3):
        for Xb, yb in loader:
            assert torch.equal(Xb[:, 0], yb.float() * 10), "X[i] and y[i] must stay together"


def test_split_loaders_depend_on_the_seed_alone():
    X, y = torch.randn(100, 3), torch.arange(100)
    before = torch.get_rng_state()
    first, again, other = (
        [[yb.tolist() for _, yb in loader] for loader in split_loaders(X, y, 10, seed)]
        for seed in (1, 1, 2)
    )
    assert first == again, "the same seed must give the same split and the same batches"
    held_out = [{i for batch in batches[1] for i in batch} for batches in (first, other)]
    assert held_out[0] != held_out[1], "another seed must hold out other samples"
    assert torch.equal(torch.get_rng_state(), before), (
        "split_loaders changed the global RNG: give the split and the loaders generators"
    )


def test_split_loaders_reshuffle_the_train_loader_every_epoch():
    train_loader, _ = split_loaders(torch.randn(100, 3), torch.arange(100), 100, seed=0)
    epoch_one, epoch_two = ([yb.tolist() for _, yb in train_loader] for _ in range(2))
    assert epoch_one != epoch_two, "the train loader must shuffle, in a new order each epoch"


def test_split_loaders_reject_a_batch_size_below_one():
    raises_keeping_contract(ValueError, split_loaders, torch.zeros(10, 2), torch.zeros(10), 0, 0)


def test_split_loaders_reject_too_few_samples_for_a_test_part():
    error = raises_keeping_contract(
        ValueError, split_loaders, torch.zeros(4, 2), torch.zeros(4), 2, seed=0
    )
    assert re.search(r"\b4\b", str(error)), f"the message must say how many samples: {error}"


def test_split_loaders_reject_samples_without_targets():
    error = raises_keeping_contract(
        ValueError, split_loaders, torch.zeros(10, 2), torch.zeros(9), 2, seed=0
    )
    lengths = re.findall(r"\b(?:10|9)\b", str(error))
    assert set(lengths) == {"10", "9"}, f"the message must name both lengths, 10 and 9: {error}"


# load_digit_loaders


@pytest.mark.parametrize("image_shape", [False, True], ids=["flat", "images"])
def test_digit_loaders_yield_float_pixels_in_the_unit_interval_and_long_labels(image_shape):
    train_loader, test_loader = keeps_contract(load_digit_loaders, 32, 0, image_shape)
    X, y = next(iter(train_loader))
    shape = (32, 1, 8, 8) if image_shape else (32, 64)
    assert tuple(X.shape) == shape, f"a train batch is {tuple(X.shape)}, expected {shape}"
    assert X.dtype == torch.float32 and y.dtype == torch.int64, f"got {X.dtype}, {y.dtype}"
    pixels = torch.cat([Xb.flatten() for loader in (train_loader, test_loader) for Xb, _ in loader])
    assert pixels.min() == 0 and pixels.max() == 1, (
        f"pixels run from {pixels.min()} to {pixels.max()}: divide the 0..16 grey levels by 16"
    )


def test_digit_loaders_split_all_1797_digits_80_20_once_each(sklearn_digits):
    train_loader, test_loader = load_digit_loaders(64, seed=0, image_shape=False)
    train, test = _rows(train_loader), _rows(test_loader)
    everything = Counter(
        (tuple((row / 16).astype("float32").tolist()), int(label))
        for row, label in zip(sklearn_digits.data, sklearn_digits.target, strict=True)
    )
    assert abs(train.total() - 0.8 * N_DIGITS) < 1, (
        f"{train.total()} training digits, expected 80% of {N_DIGITS}"
    )
    assert not train & test, f"{(train & test).total()} digits are in both train and test"
    assert train + test == everything, (
        "train and test together must hold every digit of load_digits() once, with its label"
    )


def test_digit_loaders_give_images_and_rows_the_same_split():
    flat = _rows(load_digit_loaders(64, seed=5, image_shape=False)[1])
    images = _rows(load_digit_loaders(64, seed=5, image_shape=True)[1])
    assert flat == images, "the same seed must hold out the same digits, images or rows"


def test_digit_loaders_depend_on_the_seed():
    first, again, other = (_rows(load_digit_loaders(64, s, False)[1]) for s in (1, 1, 2))
    assert first == again, "the same seed must hold out the same digits"
    assert first != other, "another seed must hold out other digits"


def test_digit_loaders_reject_a_batch_size_below_one():
    raises_keeping_contract(ValueError, load_digit_loaders, 0, seed=0, image_shape=False)


# train_and_score


def _clusters(n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Two far-apart Gaussian blobs in the plane, labelled 0 and 1."""
    y = torch.arange(n) % 2
    X = torch.randn(n, 2, generator=generator) * 0.3 + (y.float() * 2 - 1).unsqueeze(1) * 3
    return X, y


def test_train_and_score_learns_and_returns_the_accuracy_on_the_test_loader(device):
    generator = torch.Generator().manual_seed(0)
    X, y = _clusters(200, generator)
    X_test, y_test = _clusters(40, generator)
    y_test[:10] = 1 - y_test[:10]  # ten wrong labels: the best possible score is 0.75
    train_loader = [(X[i : i + 20], y[i : i + 20]) for i in range(0, 200, 20)]
    test_loader = [(X_test[:25], y_test[:25]), (X_test[25:], y_test[25:])]
    model = nn.Linear(2, 2)
    with torch.no_grad():
        model.weight.zero_()  # start at 50%: only training gets it to 75%
        model.bias.zero_()
    accuracy = keeps_contract(
        train_and_score, model, train_loader, test_loader, 5, device, changes=("model",)
    )
    measured = _accuracy_on(model, test_loader, device, 2)
    assert measured == 0.75, (
        f"after training, the model scores {measured} on the test batches, expected 0.75: "
        "did fit() train it?"
    )
    assert accuracy == pytest.approx(measured), (
        f"train_and_score returned {accuracy}, but the trained model scores {measured} on "
        "test_loader: return evaluate()'s accuracy on the test batches, not the train ones"
    )


def _classifier() -> nn.Module:
    """A small classifier with batch norm and dropout: any classifier will do for the pipeline."""
    return nn.Sequential(
        nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 3)
    )


def _batches_of_ten(kind: str, X: torch.Tensor, y: torch.Tensor):
    if kind == "list-of-pairs":
        return batch_pairs(X, y, 10)
    return tensor_loader(X, y, 10, drop_last=True)


@pytest.mark.parametrize("kind", ["list-of-pairs", "DataLoader-drop_last"])
def test_train_and_score_trains_with_adam_on_label_smoothed_cross_entropy(kind):
    # Two epochs by hand: Adam at lr on nn.CrossEntropyLoss(label_smoothing=LABEL_SMOOTHING),
    # 45 samples in batches of 10 (a short last batch, or none with drop_last).
    generator = torch.Generator().manual_seed(0)
    X, y = torch.randn(45, 4, generator=generator), torch.arange(45) % 3
    torch.manual_seed(0)
    model, twin = _classifier(), _classifier()
    twin.load_state_dict(model.state_dict())
    optimizer = torch.optim.Adam(twin.parameters(), lr=0.05)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=LABEL_SMOOTHING)
    torch.manual_seed(1)  # dropout draws from the global RNG: the same draws for both
    twin.train()
    for _ in range(2):
        for Xb, yb in _batches_of_ten(kind, X, y):
            loss = loss_fn(twin(Xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    train_loader, test_loader = _batches_of_ten(kind, X, y), [(X, y)]
    cpu, trained = torch.device("cpu"), ("model",)
    torch.manual_seed(1)
    keeps_contract(
        train_and_score, model, train_loader, test_loader, 2, cpu, lr=0.05, changes=trained
    )
    torch.testing.assert_close(
        model.state_dict(),
        twin.state_dict(),
        msg=lambda m: (
            f"after two epochs over a {kind}, train_and_score's weights differ from a "
            "hand-written loop of torch.optim.Adam(model.parameters(), lr=lr) on "
            f"nn.CrossEntropyLoss(label_smoothing=LABEL_SMOOTHING)\n{m}"
        ),
    )


def test_train_and_score_rejects_zero_epochs():
    X, y = torch.randn(4, 4), torch.zeros(4, dtype=torch.long)
    cpu = torch.device("cpu")
    # nothing is trained, so the model too comes back as it went in
    raises_keeping_contract(ValueError, train_and_score, _classifier(), [(X, y)], [(X, y)], 0, cpu)


# train_digit_mlp and train_digit_cnn


def test_digit_perceptron_reaches_95_percent_on_held_out_digits(device):
    model, accuracy = _trained_perceptron(str(device))
    _, test_loader = load_digit_loaders(64, seed=0, image_shape=False)
    measured = _accuracy_on(model, test_loader, device, DIGIT_CLASSES)
    assert measured >= PERCEPTRON_BAR, (
        f"the digit MLP scores {measured:.1%} on its held-out digits, expected at least "
        f"{PERCEPTRON_BAR:.0%}: check the scaling, the labels, the epochs"
    )
    assert accuracy == pytest.approx(measured), (
        f"train_digit_mlp returned {accuracy}, but its model scores {measured} on the test split"
    )


def test_digit_perceptron_is_reproducible_from_its_seed():
    cpu = torch.device("cpu")
    first, accuracy = _trained_perceptron("cpu")
    torch.manual_seed(12345)  # the global RNG as some other code left it: the seed must win
    again, accuracy_again = train_digit_mlp(0, cpu)
    torch.testing.assert_close(
        again.state_dict(),
        first.state_dict(),
        msg=lambda m: (
            "two calls with seed 0 gave different weights: call torch.manual_seed(seed) "
            f"before building the model, whose layers draw their first weights from it\n{m}"
        ),
    )
    assert accuracy_again == accuracy


def test_digit_convnet_reaches_97_percent_on_held_out_digits(device):
    model, accuracy = _trained_convnet(str(device))
    _, test_loader = load_digit_loaders(64, seed=0, image_shape=True)
    measured = _accuracy_on(model, test_loader, device, DIGIT_CLASSES)
    assert measured >= CONVNET_BAR, (
        f"the digit CNN scores {measured:.1%} on its held-out digits, expected at least "
        f"{CONVNET_BAR:.0%}"
    )
    assert accuracy == pytest.approx(measured), (
        f"train_digit_cnn returned {accuracy}, but its model scores {measured} on the test split"
    )


def test_digit_convnet_frames_each_digit_in_one_pixel_of_zeros_for_its_small_convnet():
    model, _ = _trained_convnet("cpu")
    cnns = [m for m in model.modules() if isinstance(m, SmallCNN)]
    assert len(cnns) == 1, f"the model holds {len(cnns)} SmallCNN, expected one, built for 10 x 10"
    seen = []
    cnns[0].register_forward_pre_hook(lambda module, args: seen.append(args[0].detach()))
    X, _ = next(iter(load_digit_loaders(16, seed=0, image_shape=True)[1]))
    model.eval()
    with torch.no_grad():
        model(X)
    (framed,) = seen
    assert tuple(framed.shape) == (16, 1, 10, 10), (
        f"the SmallCNN was given {tuple(framed.shape)} for 16 digits of 8 x 8, expected "
        "(16, 1, 10, 10): one pixel of padding on each side, nn.ZeroPad2d(1)"
    )
    torch.testing.assert_close(
        framed,
        nn.functional.pad(X, (1, 1, 1, 1)),
        msg="the 10 x 10 input must be the digit framed by zeros",
    )


# make_sequence_task


@given(n=st.integers(min_value=1, max_value=30), seq_len=sequence_lengths, seed=seeds)
def test_sequence_task_holds_one_plus_and_one_minus_marker_in_bounded_noise(n, seq_len, seed):
    X, y = keeps_contract(make_sequence_task, n, seq_len, seed)
    assert tuple(X.shape) == (n, seq_len, 1) and X.dtype == torch.float32, (
        f"X is {tuple(X.shape)} {X.dtype}, expected ({n}, {seq_len}, 1) float32"
    )
    assert tuple(y.shape) == (n,) and y.dtype == torch.int64, f"y is {tuple(y.shape)} {y.dtype}"
    values = X[..., 0]
    assert ((values == 1.0).sum(dim=1) == 1).all(), "each sequence holds exactly one +1.0"
    assert ((values == -1.0).sum(dim=1) == 1).all(), "each sequence holds exactly one -1.0"
    noise = values[(values != 1.0) & (values != -1.0)]
    assert ((noise >= -0.5) & (noise < 0.5)).all(), "the noise must lie in [-0.5, 0.5)"


@given(n=st.integers(min_value=1, max_value=30), seq_len=sequence_lengths, seed=seeds)
def test_sequence_label_says_whether_the_plus_marker_comes_first(n, seq_len, seed):
    X, y = make_sequence_task(n, seq_len, seed)
    plus_first = (X[..., 0].argmax(dim=1) < X[..., 0].argmin(dim=1)).long()
    assert torch.equal(y, plus_first), (
        f"labels {y.tolist()}, expected {plus_first.tolist()}: 1 when +1 comes before -1"
    )


def test_sequence_markers_sit_anywhere_and_both_orders_are_common():
    X, y = make_sequence_task(2000, 10, seed=0)
    plus, minus = X[..., 0].argmax(dim=1), X[..., 0].argmin(dim=1)
    for name, positions in (("+1", plus), ("-1", minus)):
        counts = torch.bincount(positions, minlength=10)
        assert (counts > 0).all(), f"the {name} marker never sits at some steps: {counts.tolist()}"
    share = y.float().mean().item()
    assert 0.4 < share < 0.6, f"{share:.0%} of the labels are 1: draw the two positions at random"


def test_sequence_task_depends_on_the_seed_alone():
    before = torch.get_rng_state()
    first, again, other = (make_sequence_task(20, 8, seed) for seed in (4, 4, 5))
    assert torch.equal(first[0], again[0]) and torch.equal(first[1], again[1])
    assert not torch.equal(first[0], other[0]), "another seed must give other sequences"
    assert torch.equal(torch.get_rng_state(), before), (
        "make_sequence_task changed the global RNG: pass generator= to every draw"
    )


@pytest.mark.parametrize(
    ("n", "seq_len", "named"),
    [(0, 5, r"\bn\b"), (5, 1, "seq_len")],
    ids=["no-sequences", "one-step"],
)
def test_sequence_task_rejects_too_few_sequences_or_steps(n, seq_len, named):
    error = raises_keeping_contract(ValueError, make_sequence_task, n, seq_len, seed=0)
    assert re.search(named, str(error)), f"the message must name the argument: {error}"


# train_sequence_lstm


def test_sequence_lstm_orders_fresh_markers_97_percent_right(device):
    model, accuracy = keeps_contract(train_sequence_lstm, 0, device)
    X, y = make_sequence_task(1000, SEQUENCE_LENGTH, seed=12345)
    measured = _accuracy_on(model, [(X, y)], device, 2)
    assert measured >= SEQUENCE_BAR, (
        f"the LSTM orders {measured:.1%} of fresh sequences right, expected at least "
        f"{SEQUENCE_BAR:.0%} (chance is 50%)"
    )
    assert accuracy >= SEQUENCE_BAR, (
        f"train_sequence_lstm returned a test accuracy of {accuracy}, expected at least "
        f"{SEQUENCE_BAR:.0%}"
    )
