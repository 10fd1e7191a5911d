"""Wrong and right ways to write kata/rnn.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

H_N = '"h_n": (num_layers * directions, batch, hidden_size)'

BROKEN = [
    Variant(
        "recurrent_output_shapes lays h_n out batch first too",
        (
            H_N,
            '"h_n": (batch, num_layers * directions, hidden_size) if batch_first else (num_layers * directions, batch, hidden_size)',
        ),
    ),
    Variant(
        "recurrent_output_shapes forgets the directions in h_n",
        (H_N, '"h_n": (num_layers, batch, hidden_size)'),
    ),
    Variant(
        "recurrent_output_shapes does not double output features when bidirectional",
        ("    features = hidden_size * directions\n", "    features = hidden_size\n"),
    ),
    Variant(
        "recurrent_output_shapes gives every kind a c_n",
        ('    if kind == "lstm":\n        shapes["c_n"]', '    if kind:\n        shapes["c_n"]'),
    ),
    Variant(
        "recurrent_output_shapes accepts an empty sequence",
        ("    if seq_len < 1:\n", "    if seq_len < 0:\n"),
    ),
    Variant(
        "recurrent_output_shapes refuses an empty batch, which torch runs",
        ("    if seq_len < 1:\n", "    if seq_len < 1 or batch < 1:\n"),
    ),
    Variant(
        "recurrent_output_shapes accepts any kind",
        ("    _recurrent_layer(kind)\n    if seq_len", "    if seq_len"),
    ),
    Variant(
        "last_time_step with batch_first the wrong way round",
        (
            "return output[:, -1] if batch_first else output[-1]",
            "return output[-1] if batch_first else output[:, -1]",
        ),
    ),
    Variant(
        "last_time_step always indexes dim 0",
        ("return output[:, -1] if batch_first else output[-1]", "return output[-1]"),
    ),
    Variant(
        "last_time_step takes the first step",
        (
            "return output[:, -1] if batch_first else output[-1]",
            "return output[:, 0] if batch_first else output[0]",
        ),
    ),
    Variant(
        "last_time_step lets an unbatched output through",
        ("    if output.ndim != 3:\n", "    if output.ndim < 2:\n"),
    ),
    Variant(
        "SequenceClassifier without batch_first=True",
        (
            "layer(input_size, hidden_size, num_layers=num_layers, batch_first=True)",
            "layer(input_size, hidden_size, num_layers=num_layers)",
        ),
    ),
    Variant(
        "SequenceClassifier ignores num_layers",
        (
            "layer(input_size, hidden_size, num_layers=num_layers, batch_first=True)",
            "layer(input_size, hidden_size, batch_first=True)",
        ),
    ),
    Variant(
        "SequenceClassifier always builds an LSTM",
        (
            "        layer = _recurrent_layer(kind)\n",
            "        _recurrent_layer(kind)\n        layer = nn.LSTM\n",
        ),
    ),
    Variant(
        "SequenceClassifier averages the outputs over time",
        (
            "return self.head(last_time_step(output, batch_first=True))",
            "return self.head(output.mean(dim=1))",
        ),
    ),
    Variant(
        "SequenceClassifier classifies the bottom layer's final state h_n[0]",
        append="""
        def _forward(self, x):
            _, state = self.recurrent(x)
            h_n = state[0] if isinstance(state, tuple) else state
            return self.head(h_n[0])

        SequenceClassifier.forward = _forward
        """,
    ),
    Variant(
        "SequenceClassifier looks the kind up in RECURRENT_LAYERS itself: KeyError, not ValueError",
        (
            "        layer = _recurrent_layer(kind)\n",
            "        layer = RECURRENT_LAYERS[kind]\n",
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "SequenceClassifier classifies h_n[-1]",
        append="""
        def _forward(self, x):
            _, state = self.recurrent(x)
            h_n = state[0] if isinstance(self.recurrent, nn.LSTM) else state
            return self.head(h_n[-1])

        SequenceClassifier.forward = _forward
        """,
    ),
    Variant(
        "last_time_step with select on the time dimension",
        (
            "return output[:, -1] if batch_first else output[-1]",
            "return output.select(1 if batch_first else 0, -1)",
        ),
    ),
    Variant(
        "last_time_step moves time first, then takes the last",
        (
            "return output[:, -1] if batch_first else output[-1]",
            "time_first = output.transpose(0, 1) if batch_first else output\n    return time_first[-1]",
        ),
    ),
    Variant(
        "recurrent_output_shapes built key by key",
        append="""
        def recurrent_output_shapes(kind, input_size, hidden_size, num_layers, bidirectional, batch_first, batch, seq_len):
            if kind not in ("lstm", "gru", "rnn"):
                raise ValueError(f"kind must be 'gru', 'lstm' or 'rnn', not {kind!r}")
            if seq_len <= 0:
                raise ValueError(f"an empty sequence (seq_len={seq_len}) cannot be run")
            d = 1 + int(bidirectional)
            output = [seq_len, batch, d * hidden_size]
            if batch_first:
                output[0], output[1] = output[1], output[0]
            state = (d * num_layers, batch, hidden_size)
            if kind == "lstm":
                return {"output": tuple(output), "h_n": state, "c_n": state}
            return {"output": tuple(output), "h_n": state}
        """,
    ),
    Variant(
        "error messages in other words",
        (
            'f"unknown kind {kind!r}: choose one of {sorted(RECURRENT_LAYERS)}"',
            "f\"kind must be one of {', '.join(RECURRENT_LAYERS)}\"",
        ),
        (
            'f"seq_len must be at least 1 (torch refuses empty sequences), got {seq_len}"',
            '"an empty sequence has no output"',
        ),
        (
            'f"expected a batched output (3 dimensions), got shape {tuple(output.shape)}"',
            'f"an output of {output.dim()} dimensions has no batch dimension"',
        ),
    ),
    Variant(
        "recurrent_output_shapes returns torch.Size shapes, checks first",
        append="""
        def recurrent_output_shapes(kind, input_size, hidden_size, num_layers, bidirectional, batch_first, batch, seq_len):
            if kind not in ("lstm", "gru", "rnn"):
                raise ValueError(f"kind must be 'gru', 'lstm' or 'rnn', not {kind!r}")
            if seq_len < 1:
                raise ValueError(f"an empty sequence has no output: seq_len={seq_len}")
            directions = 1 + int(bidirectional)
            dims = [seq_len, batch]
            if batch_first:
                dims.reverse()
            result = {
                "output": torch.Size(dims + [directions * hidden_size]),
                "h_n": torch.Size([directions * num_layers, batch, hidden_size]),
            }
            if kind == "lstm":
                result["c_n"] = torch.Size(result["h_n"])
            return result
        """,
    ),
    Variant(
        "SequenceClassifier with other attribute names and keyword arguments, classifying h_n[-1]",
        append="""
        class SequenceClassifier(nn.Module):
            def __init__(self, input_size, hidden_size, num_classes, num_layers=1, kind="lstm"):
                super().__init__()
                layer_cls = _recurrent_layer(kind)
                self.encoder = layer_cls(
                    input_size=input_size, hidden_size=hidden_size, num_layers=num_layers,
                    batch_first=True,
                )
                self.classify = nn.Linear(in_features=hidden_size, out_features=num_classes)

            def forward(self, x):
                _, state = self.encoder(x)
                if isinstance(state, tuple):  # an LSTM's (h_n, c_n)
                    state = state[0]
                return self.classify(state[-1])
        """,
    ),
]
