"""The rnn kata: what each function in kata/rnn.py must do."""

import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st
from torch import nn

from kata.rnn import SequenceClassifier, last_time_step, recurrent_output_shapes
from tests.checks import keeps_contract, raises_keeping_contract

LAYERS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
kinds = st.sampled_from(sorted(LAYERS))
sizes = st.integers(min_value=1, max_value=4)
layer_counts = st.integers(min_value=1, max_value=3)
batches = st.integers(min_value=0, max_value=4)  # torch runs an empty batch too


def _run_real_layer(
    kind, input_size, hidden_size, num_layers, bidirectional, batch_first, batch, seq_len, device
):
    layer = LAYERS[kind](
        input_size,
        hidden_size,
        num_layers=num_layers,
        bidirectional=bidirectional,
        batch_first=batch_first,
        device=device,
    )
    shape = (batch, seq_len, input_size) if batch_first else (seq_len, batch, input_size)
    return layer(torch.randn(shape, device=device))


@settings(max_examples=50)  # each example builds and runs a real layer
@given(
    kind=kinds,
    input_size=sizes,
    hidden_size=sizes,
    num_layers=layer_counts,
    bidirectional=st.booleans(),
    batch_first=st.booleans(),
    batch=batches,
    seq_len=sizes,
)
@example(
    kind="lstm",
    input_size=2,
    hidden_size=3,
    num_layers=2,
    bidirectional=True,
    batch_first=True,
    batch=0,
    seq_len=4,
)
@example(
    kind="gru",
    input_size=2,
    hidden_size=3,
    num_layers=1,
    bidirectional=False,
    batch_first=False,
    batch=0,
    seq_len=1,
)
def test_recurrent_output_shapes_match_the_real_layer(
    kind, input_size, hidden_size, num_layers, bidirectional, batch_first, batch, seq_len
):
    args = (kind, input_size, hidden_size, num_layers, bidirectional, batch_first, batch, seq_len)
    output, state = _run_real_layer(*args, device="cpu")  # meta would be slower for RNNs
    h_n = state[0] if kind == "lstm" else state
    expected = {"output": tuple(output.shape), "h_n": tuple(h_n.shape)}
    if kind == "lstm":
        expected["c_n"] = tuple(state[1].shape)
    got = keeps_contract(recurrent_output_shapes, *args)
    assert got == expected, (
        f"recurrent_output_shapes{args} returned {got}, but the real nn.{LAYERS[kind].__name__} "
        f"gives {expected}"
    )


@pytest.mark.parametrize("batch_first", [True, False], ids=["batch-first", "time-first"])
def test_h_n_and_c_n_ignore_batch_first(batch_first):
    shapes = recurrent_output_shapes("lstm", 5, 7, 3, False, batch_first, batch=2, seq_len=4)
    for name in ("h_n", "c_n"):
        assert shapes[name] == (3, 2, 7), (
            f"with batch_first={batch_first}, {name} came back {shapes[name]}, expected (3, 2, 7): "
            "the state is (num_layers * directions, batch, hidden) whatever batch_first says"
        )


@pytest.mark.parametrize("batch_first", [True, False], ids=["batch-first", "time-first"])
def test_bidirectional_doubles_the_last_dim_of_output_and_the_first_of_h_n(batch_first):
    one = recurrent_output_shapes("gru", 5, 7, 3, False, batch_first, batch=2, seq_len=4)
    two = recurrent_output_shapes("gru", 5, 7, 3, True, batch_first, batch=2, seq_len=4)
    assert two["output"] == (*one["output"][:2], 14), (
        f"bidirectional output came back {two['output']}, one-directional {one['output']}: "
        "the forward and backward states sit side by side in the last dimension"
    )
    assert two["h_n"] == (6, 2, 7), f"bidirectional h_n came back {two['h_n']}, expected (6, 2, 7)"


@pytest.mark.parametrize("kind", ["gru", "rnn"])
def test_only_an_lstm_has_a_cell_state(kind):
    shapes = recurrent_output_shapes(kind, 3, 4, 1, False, True, batch=2, seq_len=5)
    assert set(shapes) == {"output", "h_n"}, (
        f"nn.{LAYERS[kind].__name__} returns output and h_n only; got the keys {sorted(shapes)}"
    )


def test_recurrent_output_shapes_names_the_valid_kinds_for_an_unknown_one():
    error = raises_keeping_contract(
        ValueError, recurrent_output_shapes, "transformer", 3, 4, 1, False, True, 2, 5
    )
    for kind in LAYERS:
        assert kind in str(error), f"the message should name {kind!r}: {error}"


def test_recurrent_output_shapes_rejects_an_empty_sequence():
    raises_keeping_contract(
        ValueError, recurrent_output_shapes, "lstm", 3, 4, 1, False, True, batch=2, seq_len=0
    )


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("batch_first", [True, False], ids=["batch-first", "time-first"])
def test_last_time_step_is_the_top_layer_final_state(kind, batch_first, device):
    torch.manual_seed(0)
    output, state = _run_real_layer(kind, 3, 4, 2, False, batch_first, 2, 5, device)
    h_n = state[0] if kind == "lstm" else state
    got = keeps_contract(last_time_step, output, batch_first, dtype=output.dtype)
    assert tuple(got.shape) == (2, 4), (
        f"last_time_step gave shape {tuple(got.shape)} for a {tuple(output.shape)} output with "
        f"batch_first={batch_first}, expected (batch, hidden) = (2, 4): is time dim 1 or dim 0?"
    )
    torch.testing.assert_close(
        got, h_n[-1], msg="for a one-directional layer the last output step must equal h_n[-1]"
    )


@pytest.mark.parametrize("batch_first", [True, False], ids=["batch-first", "time-first"])
def test_last_time_step_of_a_bidirectional_layer_holds_the_forward_final_state(batch_first):
    torch.manual_seed(0)
    output, (h_n, _) = _run_real_layer("lstm", 3, 4, 2, True, batch_first, 2, 5, "cpu")
    got = last_time_step(output, batch_first)
    assert tuple(got.shape) == (2, 8), (
        f"expected (batch, hidden * 2) = (2, 8), got {tuple(got.shape)}"
    )
    torch.testing.assert_close(
        got[:, :4], h_n[-2], msg="the forward half of the last step is the forward final state"
    )
    assert not torch.allclose(got[:, 4:], h_n[-1]), (
        "the backward half of the last output step has read one input only; the backward "
        "final state h_n[-1] sits at step 0: take the output at the last step, not h_n"
    )


@pytest.mark.parametrize("batch_first", [True, False], ids=["batch-first", "time-first"])
def test_last_time_step_rejects_an_unbatched_output(batch_first):
    unbatched = torch.randn(5, 4, requires_grad=True)  # (seq_len, features)
    raises_keeping_contract(ValueError, last_time_step, unbatched, batch_first=batch_first)


@pytest.mark.parametrize("kind", sorted(LAYERS))
@pytest.mark.parametrize(("batch", "seq_len"), [(1, 1), (3, 5), (6, 2)])
def test_classifier_gives_one_row_of_logits_per_sequence(kind, batch, seq_len, device):
    model = keeps_contract(
        SequenceClassifier, input_size=3, hidden_size=4, num_classes=5, kind=kind
    )
    model.to(device)
    x = torch.randn(batch, seq_len, 3, device=device, requires_grad=True)
    logits = keeps_contract(SequenceClassifier.forward, model, x, dtype=torch.float32)
    assert tuple(logits.shape) == (batch, 5), (
        f"a ({batch}, {seq_len}, 3) batch gave logits of shape {tuple(logits.shape)}, "
        f"expected ({batch}, 5): one row per sequence, one column per class"
    )
    assert logits.device.type == device.type, f"logits are on {logits.device}, not {device}"


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_classifier_builds_the_recurrent_layer_of_the_asked_kind(kind):
    model = SequenceClassifier(input_size=3, hidden_size=4, num_classes=2, num_layers=2, kind=kind)
    layers = [m for m in model.modules() if isinstance(m, nn.RNNBase)]
    assert len(layers) == 1 and type(layers[0]) is LAYERS[kind], (
        f"kind={kind!r} should build one nn.{LAYERS[kind].__name__}; found "
        f"{[type(m).__name__ for m in layers]}"
    )
    assert layers[0].num_layers == 2 and layers[0].batch_first, (
        f"expected num_layers=2 and batch_first=True, got {layers[0]}"
    )


def test_classifier_defaults_to_a_one_layer_lstm():
    model = SequenceClassifier(input_size=3, hidden_size=4, num_classes=2)
    layers = [m for m in model.modules() if isinstance(m, nn.RNNBase)]
    assert len(layers) == 1 and type(layers[0]) is nn.LSTM, (
        "without kind= the classifier should build one nn.LSTM (kind defaults to 'lstm'); "
        f"found {[type(m).__name__ for m in layers]}"
    )
    assert layers[0].num_layers == 1, (
        f"without num_layers= the LSTM should have 1 layer (the default), got {layers[0]}"
    )


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_classifier_classifies_each_sequence_on_its_own(kind, device):
    torch.manual_seed(0)
    model = SequenceClassifier(input_size=3, hidden_size=4, num_classes=2, kind=kind).to(device)
    x = torch.randn(4, 6, 3, device=device)
    changed = x.clone()
    changed[0] += 1.0
    before, after = model(x), model(changed)
    torch.testing.assert_close(
        after[1:],
        before[1:],
        msg="changing sequence 0 changed the logits of the others: does the recurrent layer "
        "read dim 0 as time? The input is batch first (batch_first=True)",
    )
    assert not torch.allclose(after[0], before[0]), "changing sequence 0 must change its logits"


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_classifier_reads_the_last_step_of_the_sequence(kind, device):
    torch.manual_seed(0)
    model = SequenceClassifier(input_size=3, hidden_size=4, num_classes=2, kind=kind).to(device)
    x = torch.randn(3, 6, 3, device=device)
    changed = x.clone()
    changed[:, -1] += 1.0
    before, after = model(x), model(changed)
    moved = (after - before).abs().amax(dim=1)
    assert (moved > 1e-6).all(), (
        f"changing only the last input step left some logits unchanged (largest change per "
        f"sequence: {moved.tolist()}): classify the last time step, output[:, -1] or h_n[-1]"
    )


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_classifier_logits_are_its_linear_layer_on_the_last_output_step(kind, device):
    torch.manual_seed(0)
    model = SequenceClassifier(3, 4, 2, num_layers=2, kind=kind).to(device)
    (recurrent,) = [m for m in model.modules() if isinstance(m, nn.RNNBase)]
    (head,) = [m for m in model.modules() if isinstance(m, nn.Linear)]
    x = torch.randn(5, 6, 3, device=device)
    with torch.no_grad():
        output, _ = recurrent(x)
        torch.testing.assert_close(
            model(x),
            head(output[:, -1]),
            msg=lambda m: (
                "the logits should be the model's Linear layer applied to the recurrent "
                "layer's output at the last time step, output[:, -1] (not a mean over time, "
                f"not a lower layer's state)\n{m}"
            ),
        )


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_gradients_reach_every_parameter_of_the_classifier(kind, device):
    torch.manual_seed(0)
    model = SequenceClassifier(3, 4, 2, num_layers=2, kind=kind).to(device)
    x, y = torch.randn(5, 6, 3, device=device), torch.tensor([0, 1, 0, 1, 1], device=device)
    nn.functional.cross_entropy(model(x), y).backward()
    for name, parameter in model.named_parameters():
        assert parameter.grad is not None and parameter.grad.abs().sum() > 0, (
            f"no gradient reached {name}: is every layer used in forward?"
        )


def test_classifier_names_the_valid_kinds_for_an_unknown_one():
    error = raises_keeping_contract(ValueError, SequenceClassifier, 3, 4, 2, kind="transformer")
    for kind in LAYERS:
        assert kind in str(error), f"the message should name {kind!r}: {error}"
