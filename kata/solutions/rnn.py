"""Kata: rnn.

A recurrent layer reads a sequence one time step at a time and carries a hidden state
from step to step. nn.LSTM, nn.GRU and nn.RNN all hand back the output at every step
plus the final hidden state, in shapes that are easy to mix up. Predict those shapes,
pick out the last time step, and build a classifier that reads a whole sequence.

Write the functions top to bottom; `make kata` tells you which one is next.
"""

import torch
from torch import nn

RECURRENT_LAYERS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


def _recurrent_layer(kind: str) -> type[nn.RNNBase]:
    """The layer class for `kind` ("lstm", "gru" or "rnn"); ValueError naming them otherwise."""
    if kind not in RECURRENT_LAYERS:
        raise ValueError(f"unknown kind {kind!r}: choose one of {sorted(RECURRENT_LAYERS)}")
    return RECURRENT_LAYERS[kind]


def recurrent_output_shapes(
    kind: str,
    input_size: int,
    hidden_size: int,
    num_layers: int,
    bidirectional: bool,
    batch_first: bool,
    batch: int,
    seq_len: int,
) -> dict[str, tuple[int, ...]]:
    """The shapes a recurrent layer returns for a batched input, worked out without running it.

    kind is "lstm", "gru" or "rnn". The input x is (batch, seq_len, input_size) with
    batch_first=True and (seq_len, batch, input_size) without; the layer returns

        lstm:       output, (h_n, c_n) = layer(x)
        gru, rnn:   output, h_n = layer(x)

    Returns {"output": ..., "h_n": ...} as tuples of ints, plus "c_n" for an LSTM only.
    - output holds the last layer's hidden state at every step, laid out like x (time and
      batch swap places when batch_first is False) with hidden_size * directions features:
      a bidirectional layer puts the forward and backward states side by side.
    - h_n (and c_n) hold the final state of every layer and direction:
      (num_layers * directions, batch, hidden_size). batch_first does NOT apply to them:
      the notes' rule "use batch_first=True" reaches the input and the output only.

    Raises ValueError for an unknown kind (naming the valid ones) and for seq_len < 1:
    torch refuses an empty sequence ("Expected sequence length to be larger than 0").
    batch may be 0: torch runs an empty batch, and the shapes hold the 0. The other sizes
    are those of a layer torch can build (input_size, hidden_size and num_layers at least
    1; the layer raises ValueError for less) and need not be checked here: the result for
    a smaller one is left open.

    Helps: no torch call is needed, only the rules above. Check yourself against a real
    layer on a tiny CPU input. (The meta device gives shapes without data for most layers,
    but it runs a recurrent layer through slow Python decompositions, step by step: on
    torch 2.13 a tiny CPU run is the faster oracle.)
    """
    _recurrent_layer(kind)
    if seq_len < 1:
        raise ValueError(
            f"seq_len must be at least 1 (torch refuses empty sequences), got {seq_len}"
        )
    directions = 2 if bidirectional else 1
    features = hidden_size * directions
    output = (batch, seq_len, features) if batch_first else (seq_len, batch, features)
    shapes = {"output": output, "h_n": (num_layers * directions, batch, hidden_size)}
    if kind == "lstm":
        shapes["c_n"] = shapes["h_n"]  # the cell state has the hidden state's shape
    return shapes


def last_time_step(output: torch.Tensor, batch_first: bool) -> torch.Tensor:
    """The output at the last time step, (batch, features), from a recurrent layer's output.

    output is (batch, seq_len, features) with batch_first=True, else (seq_len, batch,
    features); features is hidden_size * directions. For a one-directional layer this is
    exactly h_n[-1], the top layer's final state. For a bidirectional one, the forward half
    equals h_n[-2], but the backward half has read only the last input (it runs right to
    left): its final state, h_n[-1], sits at output step 0.

    Raises ValueError unless output is 3-dimensional (an unbatched (seq_len, features)
    output has no batch dimension to keep).

    Helps: indexing with -1 on the time dimension: output[:, -1] or output[-1].
    """
    if output.ndim != 3:
        raise ValueError(
            f"expected a batched output (3 dimensions), got shape {tuple(output.shape)}"
        )
    return output[:, -1] if batch_first else output[-1]


class SequenceClassifier(nn.Module):
    """A recurrent layer reads the sequence; a linear layer classifies its last time step."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_classes: int,
        num_layers: int = 1,
        kind: str = "lstm",
    ) -> None:
        """Build a one-directional recurrent layer of `kind` ("lstm", "gru" or "rnn") with
        num_layers layers and batch_first=True, and an nn.Linear(hidden_size, num_classes).

        Raises ValueError for an unknown kind, naming the valid ones (_recurrent_layer does).

        Helps: _recurrent_layer(kind)(input_size, hidden_size, num_layers=...,
        batch_first=True), nn.Linear.
        """
        super().__init__()
        layer = _recurrent_layer(kind)
        self.recurrent = layer(input_size, hidden_size, num_layers=num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, T, input_size), batch first -> logits (B, num_classes).

        Run the recurrent layer, keep its last time step (B, hidden_size) and classify it.
        Each sequence in the batch is classified on its own. Forget batch_first=True and
        the shapes may still come out right while the layer reads the batch as time.

        Helps: the layer returns (output, state); last_time_step(output, batch_first=True),
        or h_n[-1], which is the same thing here.
        """
        output, _ = self.recurrent(x)  # (B, T, hidden_size)
        return self.head(last_time_step(output, batch_first=True))
