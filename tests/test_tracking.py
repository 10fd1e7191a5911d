"""The tracking kata: what each function in kata/tracking.py must do."""

import copy

import matplotlib

matplotlib.use("Agg")  # no screen here; pyplot below is only asked which figures are open

import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure

from kata.tracking import best_epoch, plot_loss_curves, record_epoch
from tests.checks import keeps_contract, raises_keeping_contract

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

finite_losses = st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False)
epochs_of_two_series = st.lists(st.tuples(finite_losses, finite_losses), min_size=1, max_size=20)
losses_with_ties = st.lists(st.integers(0, 5).map(float), min_size=1, max_size=20)


@pytest.fixture
def history() -> dict[str, list[float]]:
    """Seven epochs of a train loss that falls and a test loss that stays above it."""
    generator = torch.Generator().manual_seed(0)
    train = (1 / torch.arange(1, 8) + 0.05 * torch.rand(7, generator=generator)).tolist()
    return {"train": train, "test": [loss + 0.1 for loss in train]}


def _plot(history, tmp_path):
    """The PNG path and the figure that plot_loss_curves returned for it."""
    path = tmp_path / "loss.png"
    return path, keeps_contract(plot_loss_curves, history, path, title="A tiny run")


def _only_axes(figure):
    __tracebackhide__ = True
    assert isinstance(figure, Figure), (
        f"plot_loss_curves returned a {type(figure).__name__}, expected a matplotlib Figure"
    )
    assert len(figure.axes) == 1, f"expected one Axes in the figure, found {len(figure.axes)}"
    return figure.axes[0]


# record_epoch


def test_record_epoch_appends_each_loss_to_its_series():
    history = {}
    keeps_contract(record_epoch, history, changes=("history",), train=0.9, test=1.0)
    keeps_contract(record_epoch, history, changes=("history",), train=0.5, test=0.7)
    expected = {"train": [0.9, 0.5], "test": [1.0, 0.7]}
    assert history == expected, f"after two epochs the history is {history}, expected {expected}"


def test_record_epoch_fills_and_returns_the_history_it_was_given():
    history = {}
    returned = record_epoch(history, train=0.5)
    assert returned is history, (
        "record_epoch must append to the dict it got (in place) and return it"
    )
    assert history == {"train": [0.5]}, f"the caller's dict holds {history}, expected train: [0.5]"


@given(epochs=epochs_of_two_series)
def test_record_epoch_keeps_every_value_in_order(epochs):
    history = {}
    for train, test in epochs:
        record_epoch(history, train=train, test=test)
    expected = {"train": [e[0] for e in epochs], "test": [e[1] for e in epochs]}
    assert history == expected, f"recorded {epochs} epoch by epoch, got {history}"


@pytest.fixture
def torch_warns_every_time():
    """torch gives some warnings once per process: make each one fire, so a test can see it."""
    before = torch.is_warn_always_enabled()
    torch.set_warn_always(True)
    yield
    torch.set_warn_always(before)


@pytest.mark.filterwarnings("error::UserWarning")
def test_record_epoch_stores_plain_floats_even_for_a_loss_tensor(torch_warns_every_time):
    # float(loss) on a loss that requires grad warns (once per process, unless warn_always).
    weight = torch.tensor(2.0, requires_grad=True)
    loss = (weight * 0.25) ** 2  # a 0-d tensor with a graph behind it
    history = keeps_contract(record_epoch, {}, changes=("history",), train=loss)
    stored = history["train"][0]
    assert type(stored) is float, (
        f"the history holds a {type(stored).__name__}: store loss.item(), "
        "or every epoch's graph stays alive in memory"
    )
    assert stored == 0.25


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_record_epoch_rejects_a_loss_that_is_not_finite(bad):
    # raises_keeping_contract also checks that the history it refused is left as it was
    history = {"train": [0.9], "held_out": [1.0]}
    error = raises_keeping_contract(ValueError, record_epoch, history, train=0.5, held_out=bad)
    assert "held_out" in str(error), f"the message should name the series held_out: {error}"


def test_record_epoch_rejects_a_missing_series_that_would_fall_out_of_step():
    history = {"train": [0.9], "held_out": [1.0]}
    error = raises_keeping_contract(ValueError, record_epoch, history, train=0.5)
    assert "held_out" in str(error), f"the message should name the missing held_out: {error}"


def test_record_epoch_rejects_a_new_series_that_would_fall_out_of_step():
    history = {"train": [0.9]}
    error = raises_keeping_contract(
        ValueError, record_epoch, history, train=0.5, held_out=torch.tensor(0.6)
    )
    assert "held_out" in str(error), f"the message should name the new held_out: {error}"
    assert history == {"train": [0.9]}, f"a refused epoch changed the history to {history}"


@pytest.mark.parametrize("history", [{}, {"train": [0.9]}], ids=["first-epoch", "later-epoch"])
def test_record_epoch_rejects_an_epoch_with_no_losses(history):
    raises_keeping_contract(ValueError, record_epoch, history)


def test_record_epoch_leaves_the_history_unchanged_when_it_refuses():
    history = {"train": [0.9], "held_out": [1.0]}
    before = copy.deepcopy(history)
    with pytest.raises(ValueError):
        record_epoch(history, train=0.5, held_out=float("nan"))
    assert history == before, (
        f"a refused epoch changed the history to {history} (it was {before}): check every "
        "loss before appending any, or the series fall out of step"
    )


# best_epoch


@given(losses=losses_with_ties)
def test_best_epoch_is_the_first_epoch_with_the_lowest_loss_counted_from_one(losses):
    expected = int(np.argmin(losses)) + 1  # argmin returns the first of equal minima
    got = keeps_contract(best_epoch, {"train": [1.0] * len(losses), "test": losses}, "test")
    assert got == expected, (
        f"best_epoch of test losses {losses} returned {got}, expected {expected}: epochs count "
        "from 1, and on a tie the earlier epoch wins"
    )


@pytest.mark.parametrize(
    ("losses", "expected"),
    [([0.1 + 1e-9, 0.1], 2), ([0.5, 1e-3 + 1e-12, 1e-3, 0.2], 3)],
    ids=["second", "third"],
)
def test_best_epoch_tells_apart_losses_closer_than_float32_can(losses, expected):
    got = keeps_contract(best_epoch, {"test": losses}, "test")
    assert got == expected, (
        f"best_epoch of test losses {losses} returned {got}, expected {expected}: in float32 "
        "these losses round to the same number and tie, but the history holds Python floats "
        "(float64), where they differ; torch.tensor(values) would make float32"
    )


def test_best_epoch_rejects_an_unknown_series_and_lists_the_known_ones():
    error = raises_keeping_contract(ValueError, best_epoch, {"train": [0.5]}, "held_out")
    assert "train" in str(error), f"the message should list the series there are: {error}"


def test_best_epoch_rejects_an_empty_series():
    error = raises_keeping_contract(ValueError, best_epoch, {"held_out": []}, "held_out")
    assert "held_out" in str(error), f"the message should name the empty series: {error}"


# plot_loss_curves


def test_plot_loss_curves_writes_a_png_file(history, tmp_path):
    path, _ = _plot(history, tmp_path)
    assert path.is_file(), f"no file at {path}: call figure.savefig(path)"
    start = path.read_bytes()[: len(PNG_SIGNATURE)]
    assert start == PNG_SIGNATURE, f"the file starts with {start!r}, not the PNG signature"


def test_plot_loss_curves_png_reads_back_as_a_picture_of_sensible_size(history, tmp_path):
    path, _ = _plot(history, tmp_path)
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and image.shape[2] in (3, 4), (
        f"expected an RGB or RGBA image, got an array of shape {image.shape}"
    )
    height, width = image.shape[:2]
    assert 100 <= height <= 4000 and 100 <= width <= 4000, (
        f"the PNG is {width} x {height} pixels: expected a readable plot, not a dot or a poster"
    )
    assert image.std() > 0, "the PNG is one flat colour: nothing was drawn"


def test_plot_loss_curves_returns_a_figure_with_one_axes(history, tmp_path):
    _, figure = _plot(history, tmp_path)
    _only_axes(figure)


def test_plot_loss_curves_sets_the_title_and_labels_both_axes(history, tmp_path):
    ax = _only_axes(_plot(history, tmp_path)[1])
    assert ax.get_title() == "A tiny run", f"the title is {ax.get_title()!r}, expected 'A tiny run'"
    assert "epoch" in ax.get_xlabel().lower(), (
        f"the x label is {ax.get_xlabel()!r}: it should name the epochs (ax.set_xlabel)"
    )
    assert "loss" in ax.get_ylabel().lower(), (
        f"the y label is {ax.get_ylabel()!r}: it should name the loss (ax.set_ylabel)"
    )


def test_plot_loss_curves_has_a_title_by_default(history, tmp_path):
    ax = _only_axes(plot_loss_curves(history, tmp_path / "loss.png"))
    assert ax.get_title().strip(), "without a title argument the plot still needs a title"


def test_plot_loss_curves_draws_one_line_per_series_with_its_losses(history, tmp_path):
    ax = _only_axes(_plot(history, tmp_path)[1])
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert len(ax.get_lines()) == len(history) and set(lines) == set(history), (
        f"expected one line per series labelled {sorted(history)}, got labels "
        f"{[line.get_label() for line in ax.get_lines()]}: ax.plot(x, y, label=name)"
    )
    for name, losses in history.items():
        np.testing.assert_array_equal(
            np.asarray(lines[name].get_ydata(), dtype=float),
            losses,
            err_msg=f"the y data of the {name!r} line are not the recorded losses",
        )


def test_plot_loss_curves_puts_epochs_one_to_n_on_the_x_axis(history, tmp_path):
    ax = _only_axes(_plot(history, tmp_path)[1])
    epochs = np.arange(1, len(history["train"]) + 1)
    for line in ax.get_lines():
        got = np.asarray(line.get_xdata(), dtype=float)
        np.testing.assert_array_equal(
            got,
            epochs,
            err_msg=f"the {line.get_label()!r} line has x {got}: the first epoch is epoch 1, "
            "so pass range(1, N + 1) as x (ax.plot(y) alone starts at 0)",
        )


def test_plot_loss_curves_names_every_series_in_the_legend(history, tmp_path):
    legend = _only_axes(_plot(history, tmp_path)[1]).get_legend()
    assert legend is not None, "the plot has no legend: call ax.legend() after plotting"
    names = sorted(text.get_text() for text in legend.get_texts())
    assert names == sorted(history), f"the legend names {names}, expected {sorted(history)}"


def test_plot_loss_curves_leaves_no_pyplot_figure_open(history, tmp_path):
    before = plt.get_fignums()
    plot_loss_curves(history, tmp_path / "loss.png")
    after = plt.get_fignums()
    assert after == before, (
        f"pyplot figures open before: {before}, after: {after}. Build a "
        "matplotlib.figure.Figure directly, or plt.close(fig) once it is saved"
    )


def test_plot_loss_curves_rejects_a_folder_that_does_not_exist(history, tmp_path):
    missing = tmp_path / "no_such_folder"
    error = raises_keeping_contract(
        FileNotFoundError, plot_loss_curves, history, missing / "loss.png"
    )
    assert "no_such_folder" in str(error), f"the message should name the folder: {error}"
    assert not missing.exists(), "plot_loss_curves must not create the folder"


def test_plot_loss_curves_rejects_a_path_that_is_not_png(history, tmp_path):
    raises_keeping_contract(ValueError, plot_loss_curves, history, tmp_path / "loss.jpg")


@pytest.mark.parametrize(
    "empty",
    [{}, {"train": []}, {"train": [0.5, 0.4], "test": []}],
    ids=["no-series", "empty-series", "one-empty-series"],
)
def test_plot_loss_curves_rejects_a_history_with_nothing_to_draw(empty, tmp_path):
    raises_keeping_contract(ValueError, plot_loss_curves, empty, tmp_path / "loss.png")
