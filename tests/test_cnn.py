"""The cnn kata: what each function in kata/cnn.py must do."""

import re

import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st
from torch import nn

from kata.cnn import SmallCNN, conv2d_output_size, flattened_size, pool2d_output_size
from tests.checks import (
    assert_every_parameter_gets_a_gradient,
    holds_numbers,
    keeps_contract,
    raises_keeping_contract,
)

META = torch.device("meta")
FORMULA = "floor((size + 2p - d(k - 1) - 1) / s) + 1"


@st.composite
def _conv_arguments(draw, too_small: bool = False) -> dict:
    kernel_size = draw(st.integers(2 if too_small else 1, 11))
    dilation = draw(st.integers(1, 4))
    span = dilation * (kernel_size - 1) + 1  # the kernel's reach, dilation included
    if too_small:  # the padded input must be shorter than the kernel's reach
        padding = draw(st.integers(0, (span - 2) // 2))
        sizes = st.integers(1, span - 2 * padding - 1)
    else:
        padding = draw(st.integers(0, 6))
        sizes = st.integers(max(1, span - 2 * padding), 5000)
    return {
        "sizes": (draw(sizes), draw(sizes)),
        "kernel_size": kernel_size,
        "stride": draw(st.integers(1, 6)),
        "padding": padding,
        "dilation": dilation,
    }


@st.composite
def _pool_arguments(draw, too_small: bool = False) -> dict:
    kernel_size = draw(st.integers(1, 8))
    dilation = draw(st.integers(1, 3))
    stride = draw(st.none() | st.integers(1, 8))
    padding = draw(st.integers(0, kernel_size // 2))  # torch refuses more
    ceil_mode = draw(st.booleans())
    # what the windows need: size + 2p - d(k - 1) - 1 (+ s - 1 with ceil_mode) >= 0
    least = dilation * (kernel_size - 1) + 1 - 2 * padding
    if ceil_mode:
        least -= (kernel_size if stride is None else stride) - 1
    if too_small:
        assume(least >= 2)
        sizes = st.integers(1, least - 1)
    else:
        sizes = st.integers(max(1, least), 5000)
    return {
        "sizes": (draw(sizes), draw(sizes)),
        "kernel_size": kernel_size,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "ceil_mode": ceil_mode,
    }


valid_conv_arguments = _conv_arguments()
too_small_conv_arguments = _conv_arguments(too_small=True)
valid_pool_arguments = _pool_arguments()
too_small_pool_arguments = _pool_arguments(too_small=True)


def _torch_output_size(layer: nn.Module, sizes: tuple[int, int]) -> tuple[int, int] | None:
    """(H_out, W_out) of a layer on the meta device (shapes only, no compute), None if refused."""
    try:
        out = layer.to(META)(torch.empty(1, 1, *sizes, device=META))
    except RuntimeError:
        return None
    return tuple(out.shape[2:])


def _notes_layers(in_channels: int = 1) -> nn.Sequential:
    """The notes' feature layers, before the classifier."""
    return nn.Sequential(
        nn.Conv2d(in_channels, 32, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
    )


def _other_layers(in_channels: int = 1) -> nn.Sequential:
    """Strides, padding, dilation and ceil_mode: no formula for one architecture passes."""
    return nn.Sequential(
        nn.Conv2d(in_channels, 6, 5, stride=2, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
        nn.Conv2d(6, 4, 3, dilation=2),
    )


def _torch_flattened_size(layers: nn.Module, input_shape: tuple[int, int, int]) -> int:
    with torch.no_grad():
        return nn.Flatten()(layers(torch.zeros(2, *input_shape))).shape[1]


# conv2d_output_size


def test_conv2d_output_size_of_a_28_pixel_side_and_a_3_kernel_is_the_int_26():
    expected = _torch_output_size(nn.Conv2d(1, 1, 3), (28, 28))[0]
    got = keeps_contract(conv2d_output_size, 28, 3)
    assert got == expected, f"conv2d_output_size(28, 3) returned {got}, expected {expected}"
    assert type(got) is int, (
        f"conv2d_output_size(28, 3) returned {got!r}, a {type(got).__name__}: use // for the "
        "floor division, / always gives a float"
    )


@given(arguments=valid_conv_arguments)
def test_conv2d_output_size_matches_nn_conv2d(arguments):
    sizes = arguments.pop("sizes")
    layer = nn.Conv2d(1, 1, **arguments, device=META)
    expected = _torch_output_size(layer, sizes)
    got = tuple(conv2d_output_size(size, **arguments) for size in sizes)
    assert got == expected, (
        f"for sides {sizes} and {arguments}, conv2d_output_size gave {got}, nn.Conv2d gives "
        f"{expected}: out = {FORMULA}"
    )
    assert all(type(side) is int for side in got), f"{got!r} should be ints: use //, not /"


@given(arguments=too_small_conv_arguments)
def test_conv2d_output_size_refuses_an_input_smaller_than_the_kernel(arguments):
    sizes = arguments.pop("sizes")
    assert _torch_output_size(nn.Conv2d(1, 1, **arguments), sizes) is None, "torch refuses it"
    with pytest.raises(ValueError):
        conv2d_output_size(sizes[0], **arguments)


@pytest.mark.parametrize(
    "bad",
    [{"size": 0}, {"kernel_size": 0}, {"stride": 0}, {"dilation": 0}, {"padding": -1}],
    ids=["size", "kernel_size", "stride", "dilation", "padding"],
)
def test_conv2d_output_size_rejects_arguments_out_of_range(bad):
    arguments = {"size": 28, "kernel_size": 3, "stride": 1, "padding": 0, "dilation": 1} | bad
    (name,) = bad
    error = raises_keeping_contract(ValueError, conv2d_output_size, **arguments)
    assert re.search(rf"\b{name}\b", str(error)), (
        f"conv2d_output_size({arguments}) raised ValueError({str(error)!r}): the message "
        f"should name the argument out of range, {name}"
    )


def test_conv2d_output_size_rejects_a_zero_size_even_when_padding_makes_room():
    # Padding 1 around an empty side would leave room for a 1-wide kernel, but torch
    # refuses an input with a side of 0 whatever the padding (on the CPU; the meta
    # device, which only computes shapes, lets it through).
    with pytest.raises(RuntimeError):
        nn.Conv2d(1, 1, 1, padding=1)(torch.zeros(1, 1, 0, 4))
    with pytest.raises(ValueError, match=r"\bsize\b"):
        conv2d_output_size(0, 1, padding=1)


# pool2d_output_size


def test_pool2d_stride_defaults_to_the_kernel_size():
    expected = _torch_output_size(nn.MaxPool2d(2), (28, 28))[0]
    got = keeps_contract(pool2d_output_size, 28, 2)
    assert got == expected, (
        f"pool2d_output_size(28, 2) returned {got}, expected {expected}: MaxPool2d's stride "
        "defaults to its kernel size, so MaxPool2d(2) halves each side"
    )
    assert type(got) is int, f"pool2d_output_size(28, 2) returned {got!r}, expected an int"


def test_pool2d_ceil_mode_drops_a_window_that_would_start_in_the_padding():
    layer = nn.MaxPool2d(2, stride=2, padding=1, ceil_mode=True)
    expected = _torch_output_size(layer, (5, 5))[0]
    got = pool2d_output_size(5, 2, stride=2, padding=1, ceil_mode=True)
    assert got == expected, (
        f"pool2d_output_size(5, 2, stride=2, padding=1, ceil_mode=True) returned {got}, "
        f"expected {expected}: rounding up gives one window more, but the last would start "
        "at position 6 of the padded row, inside the right padding, so torch drops it"
    )


def test_pool2d_rounds_down_by_default_as_maxpool2d_does():
    expected = _torch_output_size(nn.MaxPool2d(2), (5, 5))[0]
    got = pool2d_output_size(5, 2)
    assert got == expected, (
        f"pool2d_output_size(5, 2) returned {got}, expected {expected}: ceil_mode defaults "
        "to False, as in nn.MaxPool2d, so the partial window at the end is left out"
    )


def test_pool2d_output_size_rejects_a_zero_size_even_when_padding_makes_room():
    with pytest.raises(RuntimeError):
        nn.MaxPool2d(2, padding=1)(torch.zeros(1, 1, 0, 4))
    with pytest.raises(ValueError, match=r"\bsize\b"):
        pool2d_output_size(0, 2, padding=1)


@given(arguments=valid_pool_arguments)
def test_pool2d_output_size_matches_nn_maxpool2d(arguments):
    sizes = arguments.pop("sizes")
    expected = _torch_output_size(nn.MaxPool2d(**arguments), sizes)
    got = tuple(pool2d_output_size(size, **arguments) for size in sizes)
    assert got == expected, (
        f"for sides {sizes} and {arguments}, pool2d_output_size gave {got}, nn.MaxPool2d "
        f"gives {expected}: out = {FORMULA}, rounded up with ceil_mode"
    )
    assert all(type(side) is int for side in got), f"{got!r} should be ints: use //, not /"


@given(arguments=too_small_pool_arguments)
def test_pool2d_output_size_refuses_what_nn_maxpool2d_refuses(arguments):
    sizes = arguments.pop("sizes")
    assert _torch_output_size(nn.MaxPool2d(**arguments), sizes) is None, "torch refuses it"
    with pytest.raises(ValueError):
        pool2d_output_size(sizes[0], **arguments)


@pytest.mark.parametrize(
    "bad",
    [
        {"size": 0},
        {"kernel_size": 0},
        {"stride": 0},
        {"dilation": 0},
        {"padding": -1},
        {"padding": 2},
    ],
    ids=["size", "kernel_size", "stride", "dilation", "negative-padding", "padding-over-half"],
)
def test_pool2d_output_size_rejects_arguments_out_of_range(bad):
    arguments = {"size": 28, "kernel_size": 3, "stride": None, "padding": 0, "dilation": 1} | bad
    (name,) = bad
    error = raises_keeping_contract(ValueError, pool2d_output_size, **arguments)
    assert re.search(rf"\b{name}\b", str(error)), (
        f"pool2d_output_size({arguments}) raised ValueError({str(error)!r}): the message "
        f"should name the argument out of range, {name}"
    )


def test_pool2d_padding_is_at_most_half_the_kernel_whatever_the_dilation():
    # dilation 2 spreads a 3-wide window over 5 positions, yet torch still wants
    # padding <= kernel_size // 2 = 1
    layer = nn.MaxPool2d(3, padding=2, dilation=2)
    assert _torch_output_size(layer, (10, 10)) is None, "torch refuses it"
    error = raises_keeping_contract(ValueError, pool2d_output_size, 10, 3, padding=2, dilation=2)
    assert re.search(r"\bpadding\b", str(error)), (
        f"pool2d_output_size(10, 3, padding=2, dilation=2) raised ValueError({str(error)!r}): "
        "the message should name the argument out of range, padding"
    )


# flattened_size

LAYERS = {"notes-layers": _notes_layers, "strided-layers": _other_layers}
INPUT_SHAPES = [(1, 28, 28), (3, 32, 32), (1, 20, 36), (2, 15, 17)]


@pytest.mark.parametrize("make_layers", LAYERS.values(), ids=LAYERS.keys())
@pytest.mark.parametrize("input_shape", INPUT_SHAPES, ids=str)
def test_flattened_size_matches_nn_flatten_of_the_real_layers(
    make_layers, input_shape, shape_device
):
    layers = make_layers(input_shape[0])
    expected = _torch_flattened_size(layers, input_shape)
    got = flattened_size(layers.to(shape_device), input_shape)
    assert got == expected, (
        f"flattened_size for input {input_shape} returned {got}, but nn.Flatten of the "
        f"layers' output has {expected} features per sample"
    )
    assert type(got) is int, f"flattened_size returned {got!r}, expected an int"


def test_flattened_size_of_the_notes_layers_for_28_by_28_is_64_times_5_times_5():
    layers = _notes_layers()
    expected = _torch_flattened_size(layers, (1, 28, 28))
    assert expected == 64 * 5 * 5, "the notes' number, from torch itself"
    got = keeps_contract(flattened_size, layers, (1, 28, 28))
    assert got == expected, f"flattened_size returned {got}, expected 64 * 5 * 5 = {expected}"


def test_flattened_size_works_for_layers_without_parameters():
    layers = nn.Sequential(nn.MaxPool2d(2))
    expected = _torch_flattened_size(layers, (3, 9, 8))
    got = flattened_size(layers, (3, 9, 8))
    assert got == expected, (
        f"flattened_size of MaxPool2d(2) for (3, 9, 8) returned {got}, expected {expected}"
    )


def test_flattened_size_leaves_the_layers_weights_where_they_were():
    layers = _notes_layers()
    before = {name: t.clone() for name, t in layers.state_dict().items()}
    flattened_size(layers, (1, 28, 28))
    torch.testing.assert_close(
        layers.state_dict(),
        before,
        rtol=0,
        atol=0,
        msg=lambda m: (
            "flattened_size changed the layers: module.to(...) moves a module in place, so "
            f"move a copy (copy.deepcopy) to the meta device, not the original\n{m}"
        ),
    )


def _layers_with_batch_norm() -> nn.Sequential:
    """Layers in training mode, with a BatchNorm that counts batches and a frozen one in eval."""
    layers = nn.Sequential(
        nn.Conv2d(1, 8, 3),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3),
        nn.BatchNorm2d(16),
    )
    layers[5].eval()  # a frozen BatchNorm, as when fine-tuning
    return layers


def test_flattened_size_leaves_a_batch_norm_s_statistics_and_every_training_mode_alone():
    layers = _layers_with_batch_norm()
    buffers = {name: b.clone() for name, b in layers.named_buffers()}
    modes = {name: module.training for name, module in layers.named_modules()}
    flattened_size(layers, (1, 28, 28))
    torch.testing.assert_close(
        dict(layers.named_buffers()),
        buffers,
        rtol=0,
        atol=0,
        msg=lambda m: (
            "flattened_size changed a BatchNorm's running statistics: in training mode every "
            "forward pass updates running_mean, running_var and num_batches_tracked, even "
            f"under torch.no_grad(). Run a copy of the layers, not the caller's own\n{m}"
        ),
    )
    changed = [
        f"{name or 'the container'} ({type(module).__name__})"
        for name, module in layers.named_modules()
        if module.training != modes[name]
    ]
    assert not changed, (
        f"flattened_size switched the training mode of {', '.join(changed)}: the caller's "
        "layers must come back in the modes they had, each its own"
    )


def test_flattened_size_names_an_input_too_small_for_the_layers():
    error = raises_keeping_contract(ValueError, flattened_size, _notes_layers(), (1, 9, 47))
    assert holds_numbers(str(error), 9, 47), (
        f"the message should hold input_shape, (1, 9, 47): {error}"
    )


def test_flattened_size_names_an_input_with_the_wrong_channels():
    error = raises_keeping_contract(ValueError, flattened_size, _notes_layers(1), (3, 28, 28))
    assert holds_numbers(str(error), 3, 28), (
        f"the layers want 1 channel; the message should hold input_shape, (3, 28, 28): {error}"
    )


@pytest.mark.parametrize("input_shape", [(28, 28), (1, 1, 28, 28)], ids=str)
def test_flattened_size_rejects_a_shape_that_is_not_channels_height_width(input_shape):
    # (28, 28) would otherwise go through: Conv2d takes a 3-d input as one unbatched image
    error = raises_keeping_contract(ValueError, flattened_size, _notes_layers(), input_shape)
    assert holds_numbers(str(error), 28), (
        f"the message should hold input_shape, {input_shape}: {error}"
    )


@pytest.mark.parametrize("input_shape", [(3, 0, 8), (0, 4, 4), (3, 8, -1)], ids=str)
def test_flattened_size_rejects_a_size_below_one_even_where_the_layers_take_it(input_shape):
    # an elementwise layer shapes nothing: a batch with a side of 0 goes through
    layers = nn.Sequential(nn.ReLU())
    error = raises_keeping_contract(ValueError, flattened_size, layers, input_shape)
    assert holds_numbers(str(error), *input_shape), (
        f"the message should hold input_shape, {input_shape}: {error}"
    )


# SmallCNN

IMAGE_SIZES = [(28, 28), (10, 10), (32, 32), (17, 40), (40, 17)]


@pytest.mark.parametrize("input_size", IMAGE_SIZES, ids=str)
@pytest.mark.parametrize(("in_channels", "num_classes"), [(1, 10), (3, 4)], ids=["grey", "rgb"])
def test_small_cnn_gives_one_row_of_logits_per_image(input_size, in_channels, num_classes, device):
    model = SmallCNN(in_channels, num_classes, input_size).to(device)
    for batch in (1, 5):
        x = torch.randn(batch, in_channels, *input_size, device=device, requires_grad=True)
        out = keeps_contract(model, x, dtype=torch.float32)
        assert tuple(out.shape) == (batch, num_classes), (
            f"SmallCNN({in_channels}, {num_classes}, {input_size}) gave {tuple(out.shape)} for "
            f"{batch} images, expected ({batch}, {num_classes})"
        )
        assert out.device.type == device.type, f"the output is on {out.device}, not {device}"


@pytest.mark.parametrize("input_size", IMAGE_SIZES, ids=str)
def test_small_cnn_sizes_its_linear_layer_from_the_image_size(input_size):
    model = keeps_contract(SmallCNN, 1, 10, input_size)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    expected = _torch_flattened_size(_notes_layers(), (1, *input_size))
    assert [(m.in_features, m.out_features) for m in linears] == [(expected, 10)], (
        f"for {input_size} images SmallCNN holds Linear layers {linears}, expected one "
        f"Linear({expected}, 10): its in_features is the flattened size of the conv layers"
    )


def test_small_cnn_has_the_notes_conv_layers():
    model = SmallCNN(3, 10, (28, 28))
    convs = [
        (m.in_channels, m.out_channels, m.kernel_size)
        for m in model.modules()
        if isinstance(m, nn.Conv2d)
    ]
    assert convs == [(3, 32, (3, 3)), (32, 64, (3, 3))], (
        f"found Conv2d layers (in, out, kernel) {convs}, expected Conv2d(3, 32, 3) then "
        "Conv2d(32, 64, 3)"
    )


@pytest.mark.parametrize("side", range(1, 15))
def test_small_cnn_accepts_exactly_the_sizes_its_layers_accept(side):
    layers = _notes_layers()
    for input_size in ((side, 12), (12, side)):
        try:
            _torch_flattened_size(layers, (1, *input_size))
            survives = True
        except RuntimeError:
            survives = False
        if survives:
            SmallCNN(1, 10, input_size)
        else:
            with pytest.raises(ValueError, match=rf"\b{side}\b"):
                SmallCNN(1, 10, input_size)


def test_small_cnn_names_an_input_size_too_small():
    error = raises_keeping_contract(ValueError, SmallCNN, 1, 10, (9, 47))
    assert holds_numbers(str(error), 9, 47), f"the message should hold H and W, 9 and 47: {error}"


def test_small_cnn_returns_the_last_linear_output_as_logits(device):
    model = SmallCNN(1, 3, (12, 12)).to(device)
    last_linear = [m for m in model.modules() if isinstance(m, nn.Linear)][-1]
    seen = []
    last_linear.register_forward_hook(lambda module, inputs, output: seen.append(output))
    out = model(torch.randn(4, 1, 12, 12, device=device))
    assert seen, "the model's forward never called its Linear layer"
    torch.testing.assert_close(
        out,
        seen[-1],
        msg=lambda m: (
            f"the model's output is not its last Linear's output: no ReLU or softmax after "
            f"the last layer, nn.CrossEntropyLoss takes logits\n{m}"
        ),
    )


def test_small_cnn_puts_a_relu_after_each_conv_and_halves_with_max_pooling(device):
    torch.manual_seed(0)
    model = SmallCNN(2, 3, (14, 16)).to(device)
    first, second = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    (linear,) = [m for m in model.modules() if isinstance(m, nn.Linear)]
    x = torch.randn(4, 2, 14, 16, device=device)
    with torch.no_grad():
        h = nn.functional.max_pool2d(torch.relu(first(x)), 2)
        h = nn.functional.max_pool2d(torch.relu(second(h)), 2)
        torch.testing.assert_close(
            model(x),
            linear(h.flatten(1)),
            msg=lambda m: (
                "the output should be Conv2d, ReLU, MaxPool2d(2), Conv2d, ReLU, "
                f"MaxPool2d(2), Flatten, Linear, with the model's own layers\n{m}"
            ),
        )


def test_small_cnn_gradients_reach_every_parameter(device):
    model = SmallCNN(1, 3, (12, 14)).to(device)
    x = torch.randn(8, 1, 12, 14, device=device)
    y = torch.randint(0, 3, (8,), device=device)
    nn.functional.cross_entropy(model(x), y).backward()
    assert_every_parameter_gets_a_gradient(model)
