"""Wrong and right ways to write kata/cnn.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

CONV_OUT = "    out = (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1\n"

# flattened_size run on the caller's own layers, no copy and no meta device: RUN is where
# the dummy batch goes through them.
_RUN = "            out = feature_layers(torch.zeros(1, *input_shape, device=where))"
_ON_THE_CALLERS_LAYERS = """
def flattened_size(feature_layers, input_shape):
    if len(input_shape) != 3 or any(size < 1 for size in input_shape):
        raise ValueError(f"input_shape must be (C, H, W), each >= 1; got {input_shape}")
    tensors = [*feature_layers.parameters(), *feature_layers.buffers()]
    where = tensors[0].device if tensors else torch.device("cpu")
    try:
        with torch.no_grad():
RUN
    except RuntimeError as error:
        raise ValueError(f"input_shape {tuple(input_shape)} does not fit: {error}") from error
    return out[0].numel()
"""

# flattened_size by the formulas, layer by layer: an alternative, and a broken variant without
# its channel check
_BY_THE_FORMULAS = """
        def flattened_size(feature_layers, input_shape):
            if len(input_shape) != 3 or min(input_shape) < 1:
                raise ValueError(f"input_shape should be (C, H, W) with sizes >= 1, not {input_shape}")
            channels, height, width = input_shape

            def pair(v):
                return (v, v) if isinstance(v, int) else tuple(v)

            try:
                for layer in feature_layers.modules():
                    if isinstance(layer, nn.Conv2d):
                        if layer.in_channels != channels:
                            raise ValueError(f"{layer} wants {layer.in_channels} channels, gets {channels}")
                        k, s, p, d = (pair(v) for v in (layer.kernel_size, layer.stride, layer.padding, layer.dilation))
                        height = conv2d_output_size(height, k[0], s[0], p[0], d[0])
                        width = conv2d_output_size(width, k[1], s[1], p[1], d[1])
                        channels = layer.out_channels
                    elif isinstance(layer, nn.MaxPool2d):
                        k, s, p, d = (pair(v) for v in (layer.kernel_size, layer.stride, layer.padding, layer.dilation))
                        height = pool2d_output_size(height, k[0], s[0], p[0], d[0], layer.ceil_mode)
                        width = pool2d_output_size(width, k[1], s[1], p[1], d[1], layer.ceil_mode)
            except ValueError as error:
                raise ValueError(f"input_shape {tuple(input_shape)} does not go through: {error}") from error
            return channels * height * width
"""
_CHANNEL_CHECK = (
    "                        if layer.in_channels != channels:\n"
    '                            raise ValueError(f"{layer} wants {layer.in_channels} channels, gets {channels}")\n'
)

BROKEN = [
    Variant(
        "conv2d_output_size divides with / and returns a float",
        (
            CONV_OUT,
            "    out = (size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1\n",
        ),
    ),
    Variant(
        "conv2d_output_size pads one side only",
        (CONV_OUT, "    out = (size + padding - dilation * (kernel_size - 1) - 1) // stride + 1\n"),
    ),
    Variant(
        "conv2d_output_size forgets the dilation",
        (CONV_OUT, "    out = (size + 2 * padding - (kernel_size - 1) - 1) // stride + 1\n"),
    ),
    Variant(
        "conv2d_output_size without the trailing + 1",
        (CONV_OUT, "    out = (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride\n"),
    ),
    Variant(
        "conv2d_output_size lets an output of 0 through",
        (
            '    if out < 1:\n        raise ValueError(\n            f"input size {size} (padding {padding}) is too small for a kernel',
            '    if out < 0:\n        raise ValueError(\n            f"input size {size} (padding {padding}) is too small for a kernel',
        ),
    ),
    Variant(
        "conv2d_output_size accepts negative padding",
        ("    if padding < 0:\n", "    if padding < -1:\n"),
    ),
    Variant(
        "pool2d_output_size with stride defaulting to 1",
        (
            "stride = kernel_size if stride is None else stride",
            "stride = 1 if stride is None else stride",
        ),
    ),
    Variant(
        "pool2d_output_size keeps a ceil_mode window that starts in the padding",
        (
            "    if ceil_mode and (out - 1) * stride >= size + padding:\n        out -= 1",
            "    pass",
        ),
    ),
    Variant(
        "pool2d_output_size does not bound the padding by kernel_size // 2",
        ("    if not 0 <= padding <= kernel_size // 2:\n", "    if padding < 0:\n"),
    ),
    Variant(
        "pool2d_output_size ignores ceil_mode",
        ("(span + (stride - 1 if ceil_mode else 0)) // stride + 1", "span // stride + 1"),
    ),
    Variant(
        "flattened_size moves the caller's layers to meta",
        ('probe = copy.deepcopy(feature_layers).to("meta")', 'probe = feature_layers.to("meta")'),
    ),
    Variant(
        "flattened_size counts the channels only",
        ("    return out[0].numel()", "    return out.shape[1]"),
    ),
    Variant(
        "flattened_size lets torch's RuntimeError out",
        ("    except RuntimeError as error:", "    except ValueError as error:"),
    ),
    Variant(
        "flattened_size takes a shape that is not (C, H, W)",
        (
            "if len(input_shape) != 3 or any(size < 1 for size in input_shape):",
            "if any(size < 1 for size in input_shape):",
        ),
    ),
    Variant(
        "flattened_size runs the caller's own layers under no_grad: BatchNorm statistics move",
        append=_ON_THE_CALLERS_LAYERS.replace("RUN", _RUN),
    ),
    Variant(
        "flattened_size puts the caller's layers in eval mode and leaves them there",
        append=_ON_THE_CALLERS_LAYERS.replace("RUN", "            feature_layers.eval()\n" + _RUN),
    ),
    Variant(
        "flattened_size restores one training mode for all the layers, not each its own",
        append=_ON_THE_CALLERS_LAYERS.replace(
            "RUN",
            "            was_training = feature_layers.training\n"
            "            feature_layers.eval()\n"
            + _RUN
            + "\n            feature_layers.train(was_training)",
        ),
    ),
    Variant(
        "SmallCNN hard-codes 64 * 5 * 5",
        (
            "nn.Linear(n_features, num_classes)",
            "nn.Linear(64 * 5 * 5, num_classes)",
        ),
    ),
    Variant(
        "SmallCNN probes its layers with one channel, whatever in_channels is",
        (
            "flattened_size(self.features, (in_channels, *input_size))",
            "flattened_size(self.features, (1, *input_size))",
        ),
    ),
    Variant(
        "SmallCNN with a ReLU after its Linear",
        (
            "nn.Sequential(nn.Flatten(), nn.Linear(n_features, num_classes))",
            "nn.Sequential(nn.Flatten(), nn.Linear(n_features, num_classes), nn.ReLU())",
        ),
    ),
    Variant(
        "SmallCNN with padded convolutions",
        (
            "            nn.Conv2d(32, 64, kernel_size=3),\n",
            "            nn.Conv2d(32, 64, kernel_size=3, padding=1),\n",
        ),
    ),
    Variant(
        "conv2d_output_size truncates with int(a / stride): a too-small input gives 1",
        (
            CONV_OUT,
            "    out = int((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1\n",
        ),
    ),
    Variant(
        "pool2d_output_size defaults the stride with `stride or kernel_size`, so stride=0 passes",
        ("stride = kernel_size if stride is None else stride", "stride = stride or kernel_size"),
    ),
    Variant(
        "pool2d_output_size bounds the padding by half the dilated kernel",
        (
            "    if not 0 <= padding <= kernel_size // 2:\n",
            "    if not 0 <= padding <= (dilation * (kernel_size - 1) + 1) // 2:\n",
        ),
    ),
    Variant(
        "flattened_size by the formulas, never checking the channels",
        append=_BY_THE_FORMULAS.replace(_CHANNEL_CHECK, ""),
    ),
    Variant(
        "flattened_size checks that input_shape has three sizes, not that each is at least 1",
        (
            "if len(input_shape) != 3 or any(size < 1 for size in input_shape):",
            "if len(input_shape) != 3:",
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "conv2d_output_size with math.floor of a true division",
        (
            CONV_OUT,
            "    import math\n\n    out = math.floor((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1\n",
        ),
    ),
    Variant(
        "pool2d_output_size with -(-a // b) for the ceiling",
        (
            "    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1\n",
            "    out = (-(-span // stride) if ceil_mode else span // stride) + 1\n",
        ),
        why="-(-a // b) is the ceiling of a / b in integers: // rounds the negated quotient down",
    ),
    Variant("flattened_size by the formulas, layer by layer", append=_BY_THE_FORMULAS),
    Variant(
        "flattened_size with a real zero batch through a copy, where the layers are",
        append="""
        def flattened_size(feature_layers, input_shape):
            if len(input_shape) != 3 or any(size < 1 for size in input_shape):
                raise ValueError(f"input_shape must be three sizes >= 1, got {input_shape}")
            tensors = [*feature_layers.parameters(), *feature_layers.buffers()]
            where = tensors[0].device if tensors else torch.device("cpu")
            probe = copy.deepcopy(feature_layers)
            try:
                with torch.inference_mode():
                    out = probe(torch.zeros(1, *input_shape, device=where))
            except RuntimeError as error:
                raise ValueError(f"{tuple(input_shape)} cannot go through the layers") from error
            return int(torch.flatten(out, 1).shape[1])
        """,
        why="a copy cannot change the caller's layers; zeros on the layers' own device cost real "
        "arithmetic where meta tensors compute shapes alone, and come out the same shape",
    ),
    Variant(
        "SmallCNN with a functional forward",
        append="""
        import torch.nn.functional as F

        class SmallCNN(nn.Module):
            def __init__(self, in_channels, num_classes, input_size):
                super().__init__()
                self.conv1 = nn.Conv2d(in_channels, 32, 3)
                self.conv2 = nn.Conv2d(32, 64, 3)
                height, width = input_size
                try:
                    for _ in range(2):
                        height = pool2d_output_size(conv2d_output_size(height, 3), 2)
                        width = pool2d_output_size(conv2d_output_size(width, 3), 2)
                except ValueError as error:
                    raise ValueError(f"input_size {tuple(input_size)} is too small: {error}") from error
                self.fc = nn.Linear(64 * height * width, num_classes)

            def forward(self, x):
                x = F.max_pool2d(F.relu(self.conv1(x)), 2)
                x = F.max_pool2d(F.relu(self.conv2(x)), 2)
                return self.fc(torch.flatten(x, 1))
        """,
        why="ReLU and max pooling hold no weights, so F.relu and F.max_pool2d in forward do what "
        "their modules do; the Linear's size comes from the two formulas",
    ),
    Variant(
        "error messages in other words, shapes as torch.Size",
        ('f"{name} must be >= 1, got {name}={value}"', 'f"{name} is {value}, below 1"'),
        ('f"padding must be >= 0, got padding={padding}"', 'f"padding cannot be {padding}"'),
        (
            'f"input size {size} (padding {padding}) is too small for a kernel of "',
            'f"a side of {size} (padded by {padding}) cannot hold a kernel of "',
        ),
        (
            'f"input size {size} (padding {padding}) is too small for a pooling window of "',
            'f"a side of {size} (padded by {padding}) cannot hold a pooling window of "',
        ),
        (
            'f"padding must be between 0 and kernel_size // 2 = {kernel_size // 2}, "',
            'f"padding can go from 0 to {kernel_size // 2}, "',
        ),
        (
            'f"input_shape must be (C, H, W), each >= 1; got {input_shape}"',
            'f"{input_shape} is no (C, H, W) of positive sizes"',
        ),
        (
            'f"input_shape {tuple(input_shape)} does not fit: {error}"',
            'f"the layers refuse images of {torch.Size(input_shape)}"',
        ),
        why="the tests check what an error says (the argument, the sizes), never its words",
    ),
    Variant(
        "conv2d_output_size and pool2d_output_size with math.floor and math.ceil, checks of their own",
        append="""
        import math


        def _sizes_ok(size, kernel_size, stride, padding, dilation):
            for name, value in (
                ("size", size), ("kernel_size", kernel_size), ("stride", stride), ("dilation", dilation)
            ):
                if value <= 0:
                    raise ValueError(f"{name} has to be a positive integer (got {value})")
            if padding < 0:
                raise ValueError(f"padding cannot be negative (got {padding})")


        def conv2d_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
            _sizes_ok(size, kernel_size, stride, padding, dilation)
            out = math.floor((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1
            if out <= 0:
                raise ValueError(f"input too small: size {size} with kernel_size {kernel_size} leaves {out}")
            return out


        def pool2d_output_size(size, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
            stride = kernel_size if stride is None else stride
            _sizes_ok(size, kernel_size, stride, padding, dilation)
            if padding > kernel_size // 2:
                raise ValueError(f"padding {padding} exceeds half of kernel_size {kernel_size}")
            rounding = math.ceil if ceil_mode else math.floor
            out = rounding((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1
            if ceil_mode and (out - 1) * stride >= size + padding:
                out = out - 1
            if out <= 0:
                raise ValueError(f"input too small: size {size} with kernel_size {kernel_size} leaves {out}")
            return out
        """,
    ),
    Variant(
        "flattened_size by the formulas for the layers it knows, a meta copy for the others",
        append="""
        def _pair(v):
            return (v, v) if isinstance(v, int) else tuple(v)


        def flattened_size(feature_layers, input_shape):
            if len(input_shape) != 3 or min(input_shape) < 1:
                raise ValueError(f"input_shape should be (C, H, W) with every size >= 1, not {input_shape}")
            leaves = list(feature_layers) if isinstance(feature_layers, nn.Sequential) else [feature_layers]
            known = all(
                isinstance(m, (nn.ReLU, nn.MaxPool2d))
                or (type(m) is nn.Conv2d and m.padding_mode == "zeros" and not isinstance(m.padding, str))
                for m in leaves
            )
            if not known:
                try:
                    with torch.no_grad():
                        probe = copy.deepcopy(feature_layers).to("meta")
                        out = probe(torch.empty(1, *input_shape, device="meta"))
                except RuntimeError as e:
                    raise ValueError(f"input_shape {input_shape} does not fit the layers: {e}") from e
                return out.numel()
            c, h, w = input_shape
            try:
                for m in leaves:
                    if isinstance(m, nn.Conv2d):
                        if m.in_channels != c:
                            raise ValueError(f"{m} expects {m.in_channels} channels, got {c}")
                        pads = _pair(m.padding)
                        k, s, d = _pair(m.kernel_size), _pair(m.stride), _pair(m.dilation)
                        h = conv2d_output_size(h, k[0], s[0], pads[0], d[0])
                        w = conv2d_output_size(w, k[1], s[1], pads[1], d[1])
                        c = m.out_channels
                    elif isinstance(m, nn.MaxPool2d):
                        k = _pair(m.kernel_size)
                        s = k if m.stride is None else _pair(m.stride)
                        p, d = _pair(m.padding), _pair(m.dilation)
                        h = pool2d_output_size(h, k[0], s[0], p[0], d[0], m.ceil_mode)
                        w = pool2d_output_size(w, k[1], s[1], p[1], d[1], m.ceil_mode)
            except ValueError as e:
                raise ValueError(f"input_shape {input_shape} does not fit the layers: {e}") from e
            return c * h * w
        """,
    ),
    Variant(
        "SmallCNN as one nn.Sequential, self.net: the feature layers, Flatten, Linear",
        append="""
        class SmallCNN(nn.Module):
            def __init__(self, in_channels, num_classes, input_size):
                super().__init__()
                height, width = input_size
                features = nn.Sequential(
                    nn.Conv2d(in_channels, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                )
                n_features = flattened_size(features, (in_channels, height, width))
                self.net = nn.Sequential(*features, nn.Flatten(), nn.Linear(n_features, num_classes))

            def forward(self, x):
                return self.net(x)
        """,
        why="the same layers in the same order, under other names",
    ),
]
