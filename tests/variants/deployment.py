"""Wrong and right ways to write kata/deployment.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

_EXPORT = (
    '        return torch.export.export(model, (example,), dynamic_shapes=({0: Dim("batch")},))\n'
)
_RESTORE = (
    "        for module, training in modes.items():\n            module.training = training\n"
)
_MODES = "    modes = {module: module.training for module in model.modules()}\n"
_EVAL = "    model.eval()  # dropout off and batch norm on its running statistics, frozen into the graph\n"
_ONE_SAMPLE = (
    "    if len(example) == 1:  # torch specializes sizes 0 and 1: trace with a batch of two\n"
    "        example = example.expand(2, *example.shape[1:])\n"
)
_SUFFIX = (
    '    if path.suffix != ".pt2":\n'
    '        raise ValueError(f"an exported program is saved as a .pt2 archive, not as {path}")\n'
)
_SHAPE_CHECK = (
    "        if not single and shape[1:] != self.sample_shape:\n"
    '            batch = ", ".join(map(str, ("N", *self.sample_shape)))\n'
    "            raise ValueError(\n"
    '                f"got an input of shape {shape}: expected one sample of shape "\n'
    '                f"{self.sample_shape} or a batch of shape ({batch})"\n'
    "            )\n"
)
_RUN = "            logits = self._module(x.unsqueeze(0) if single else x)\n"
_SINGLE = "            if single:\n                return labels[0], probabilities[0]\n"

BROKEN = [
    Variant("export_model exports the model in training mode", (_EVAL, "")),
    Variant(
        "export_model calls model.eval() only once the export is done",
        (_EVAL, ""),
        ("    finally:\n" + _RESTORE, "    finally:\n        model.eval()\n"),
    ),
    Variant(
        "export_model without dynamic_shapes: the program takes the example's batch size alone",
        (_EXPORT, "        return torch.export.export(model, (example,))\n"),
    ),
    Variant(
        "export_model caps the batch at 32",
        (
            '(example,), dynamic_shapes=({0: Dim("batch")},)',
            '(example,), dynamic_shapes=({0: Dim("batch", max=32)},)',
        ),
    ),
    Variant("export_model traces an example of one sample as it is", (_ONE_SAMPLE, "")),
    Variant(
        "export_model follows torch's advice, Dim.AUTO, which specializes a batch of one",
        (_ONE_SAMPLE, ""),
        (
            '(example,), dynamic_shapes=({0: Dim("batch")},)',
            "(example,), dynamic_shapes=({0: Dim.AUTO},)",
        ),
    ),
    Variant(
        "export_model leaves the model in eval mode",
        ("    finally:\n" + _RESTORE, "    finally:\n        pass\n"),
    ),
    Variant(
        "export_model always gives the model back in train mode",
        (_RESTORE, "        model.train()\n"),
    ),
    Variant(
        "export_model reads the modes after model.eval()",
        (_MODES + _EVAL, _EVAL + _MODES),
    ),
    Variant(
        "export_model gives the modes back on the normal path only: not when export raises",
        (
            "    try:\n" + _EXPORT + "    finally:\n" + _RESTORE,
            '    program = torch.export.export(model, (example,), dynamic_shapes=({0: Dim("batch")},))\n'
            "    for module, training in modes.items():\n"
            "        module.training = training\n"
            "    return program\n",
        ),
    ),
    Variant(
        "export_model lets torch's error through for an empty example",
        (
            "    if len(example) == 0:\n"
            '        raise ValueError(f"the example batch {tuple(example.shape)} holds no sample to trace")\n',
            "",
        ),
    ),
    Variant(
        "export_model sets model.training = False: the layers stay in training mode",
        (_EVAL, "    model.training = False\n"),
    ),
    Variant(
        "export_model gives back model.training alone: the layers stay in eval mode",
        (_MODES, "    was_training = model.training\n"),
        (_RESTORE, "        model.training = was_training\n"),
    ),
    Variant(
        "save_program pickles the program with torch.save",
        ("    torch.export.save(program, path)\n", "    torch.save(program, path)\n"),
    ),
    Variant("save_program writes any name", (_SUFFIX, "")),
    Variant(
        "save_program looks for .pt2 anywhere in the name",
        ('    if path.suffix != ".pt2":\n', '    if ".pt2" not in str(path):\n'),
    ),
    Variant(
        "save_program writes before it checks the name",
        (
            _SUFFIX + "    torch.export.save(program, path)\n",
            "    torch.export.save(program, path)\n" + _SUFFIX,
        ),
    ),
    Variant(
        "sample_shape keeps the batch dimension",
        (
            '    return tuple(node.meta["val"].shape[1:])\n',
            '    return tuple(node.meta["val"].shape)\n',
        ),
    ),
    Variant(
        "sample_shape reads the first input of the graph: a weight",
        (
            "    node = next(node for node in program.graph.nodes if node.name == name)\n",
            '    node = next(node for node in program.graph.nodes if node.op == "placeholder")\n',
        ),
    ),
    Variant(
        "sample_shape gives the example's whole shape",
        (
            '    return tuple(node.meta["val"].shape[1:])\n',
            "    return tuple(program.example_inputs[0][0].shape)\n",
        ),
    ),
    Variant(
        "Predictor loads the archive on every call",
        ("        self._module = program.module()\n", "        self._path = path\n"),
        (
            _RUN,
            "            logits = torch.export.load(self._path).module()(x.unsqueeze(0) if single else x)\n",
        ),
    ),
    Variant(
        "Predictor calls .eval() on the exported module, which refuses it",
        (
            "        self._module = program.module()\n",
            "        self._module = program.module().eval()\n",
        ),
    ),
    Variant(
        "Predictor calls the ExportedProgram itself, which refuses to run",
        ("        self._module = program.module()\n", "        self._module = program\n"),
    ),
    Variant(
        "Predictor answers with Python lists, as a JSON reply would",
        (
            "            return labels, probabilities\n",
            "            return labels.tolist(), probabilities.tolist()\n",
        ),
    ),
    Variant(
        "Predictor builds a graph: no inference_mode",
        ("        with torch.inference_mode():\n", "        if True:\n"),
    ),
    Variant(
        "Predictor takes an input of one dimension for one sample: images are never one sample",
        ("        single = shape == self.sample_shape\n", "        single = x.dim() == 1\n"),
    ),
    Variant(
        "Predictor answers one sample as a batch of one",
        (_SINGLE, ""),
    ),
    Variant(
        "Predictor treats every input as one sample",
        (_RUN, "            logits = self._module(x.unsqueeze(0))\n"),
    ),
    Variant(
        "Predictor's softmax over the batch (dim=0)",
        (
            "            probabilities = logits.softmax(dim=1)\n",
            "            probabilities = logits.softmax(dim=0)\n",
        ),
    ),
    Variant(
        "Predictor returns the largest probability, not its class",
        (
            "            labels = logits.argmax(dim=1)\n",
            "            labels = logits.softmax(dim=1).max(dim=1).values\n",
        ),
    ),
    Variant(
        "Predictor leaves the shape check to the program's own AssertionError",
        (_SHAPE_CHECK, ""),
    ),
    Variant(
        "Predictor reshapes any input to (-1, *sample_shape)",
        (_SHAPE_CHECK, ""),
        (_RUN, "            logits = self._module(x.reshape(-1, *self.sample_shape))\n"),
    ),
    Variant(
        "Predictor's message names neither shape",
        (
            '                f"got an input of shape {shape}: expected one sample of shape "\n'
            '                f"{self.sample_shape} or a batch of shape ({batch})"\n',
            '                "wrong input shape for this model"\n',
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "export_model exports an eval-mode copy: the model is never touched",
        append="""
        import copy

        def export_model(model, example):
            if example.shape[0] < 1:
                raise ValueError("export needs at least one sample in the example")
            frozen = copy.deepcopy(model).eval()
            if example.shape[0] == 1:
                example = torch.cat([example, example])
            batch = torch.export.Dim("batch", min=1)
            return torch.export.export(frozen, (example,), dynamic_shapes=[{0: batch}])
        """,
    ),
    Variant(
        "export_model gives the mode back with model.train(was_training), repeats the sample",
        (_MODES, "    was_training = model.training\n"),
        (_RESTORE, "        model.train(was_training)\n"),
        (
            "        example = example.expand(2, *example.shape[1:])\n",
            "        example = example.repeat(2, *[1] * (example.dim() - 1))\n",
        ),
    ),
    Variant(
        "export_model under torch.no_grad(), with a Dim of min=1",
        (
            _EXPORT,
            "        with torch.no_grad():\n"
            '            batch = Dim("batch", min=1)\n'
            "            return torch.export.export(model, (example,), dynamic_shapes=({0: batch},))\n",
        ),
    ),
    Variant(
        "export_model in strict mode (TorchDynamo traces the bytecode)",
        (
            '(example,), dynamic_shapes=({0: Dim("batch")},)',
            '(example,), dynamic_shapes=({0: Dim("batch")},), strict=True',
        ),
    ),
    Variant(
        "save_program writes through an open file, checking the name as a string",
        ('    if path.suffix != ".pt2":\n', '    if not str(path).endswith(".pt2"):\n'),
        (
            "    torch.export.save(program, path)\n",
            '    with open(path, "wb") as f:\n        torch.export.save(program, f)\n',
        ),
    ),
    Variant(
        "sample_shape from the program's example inputs",
        append="""
        def sample_shape(program):
            (args, _kwargs) = program.example_inputs
            return args[0].shape[1:]
        """,
    ),
    Variant(
        "sample_shape from the last placeholder: the caller's input follows the weights",
        append="""
        def sample_shape(program):
            inputs = [n for n in program.graph.nodes if n.op == "placeholder"]
            return tuple(int(size) for size in inputs[-1].meta["val"].shape[1:])
        """,
    ),
    Variant(
        "Predictor keeps the program, under no_grad, with F.softmax and its own ValueError",
        append="""
        import torch.nn.functional as F

        class InputShapeError(ValueError):
            pass

        class Predictor:
            def __init__(self, path):
                self.program = torch.export.load(str(path))
                self.sample_shape = tuple(sample_shape(self.program))

            def __call__(self, x):
                if tuple(x.shape) == self.sample_shape:
                    labels, probabilities = self(x[None])
                    return labels.squeeze(0), probabilities.squeeze(0)
                if x.dim() != len(self.sample_shape) + 1 or tuple(x.shape[1:]) != self.sample_shape:
                    raise InputShapeError(
                        "this model takes %s or (batch, *%s); it was given %s"
                        % (self.sample_shape, self.sample_shape, tuple(x.shape))
                    )
                with torch.no_grad():
                    logits = self.program.module()(x)
                probabilities = F.softmax(logits, dim=-1)
                return probabilities.argmax(dim=-1), probabilities
        """,
    ),
    Variant(
        "Predictor with exp(log_softmax) and max(dim=1).indices",
        (
            "            probabilities = logits.softmax(dim=1)\n            labels = logits.argmax(dim=1)\n",
            "            probabilities = logits.log_softmax(dim=1).exp()\n"
            "            labels = logits.max(dim=1).indices\n",
        ),
    ),
]
