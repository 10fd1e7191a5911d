"""Kata: deployment.

The classifier is trained and its checkpoint saved; now a service must answer with it, on
a machine that has torch but not your training code. A state_dict cannot do that alone:
it is a dict of tensors that fills a model only once someone builds that model from its
class. That is what training and resuming need (the persistence kata), not serving.
torch.export traces the model's forward pass once into an ExportedProgram: a graph of
torch operations with the weights inside, which runs wherever the same torch is
installed, without the class, the training loop or the optimizer. (torch.jit.script and
torch.jit.trace, which older tutorials use for this, are deprecated in the torch we pin:
they warn that you should switch to torch.export.)

Export the model in eval mode with a batch dimension of any size, save it as a .pt2
archive, and serve it with a predictor that loads the archive once and answers one sample
or a batch with labels and probabilities.

Write the functions top to bottom; `make kata` tells you which one is next.
"""

from pathlib import Path

import torch
from torch import nn
from torch.export import Dim, ExportedProgram


def export_model(model: nn.Module, example: torch.Tensor) -> ExportedProgram:
    """The forward pass of `model` in eval mode, exported for any batch size.

    example: a batch (N, *sample_shape) of N >= 1 real inputs, float32, such as the first
    rows of the training data. The program returned takes any batch (M, *sample_shape),
    M >= 1, and gives the outputs that `model` gives in eval mode, to float32 rounding.

    Export freezes the mode: the graph holds the operations forward ran while it was
    traced, and a program has no train() or eval() to switch later
    (program.module().eval() raises NotImplementedError). Exported in training mode,
    dropout stays on and batch norm keeps normalizing with each batch's statistics, in
    every prediction the server makes. So put the model in eval mode first, and give it
    back in the mode it came in (model.training), on every path, an error included: the
    caller may go on training it.

    The batch dimension is dynamic only if you say so: dynamic_shapes marks dim 0 with a
    torch.export.Dim; without it the program accepts the example's batch size alone.
    torch specializes sizes 0 and 1 (a dimension of size 1 broadcasts, so torch cannot
    treat it like any other size): an example of one sample, marked dynamic, makes export
    raise. Export with a batch of at least two, repeating the one sample if that is all
    you were given; the program still takes a batch of one.

    The program holds the model's own parameter tensors, not copies: until it is saved,
    training the model further changes the program too.

    Raises ValueError when the example holds no sample (N = 0).

    Helps: model.eval(), try/finally, torch.export.export(model, (example,),
    dynamic_shapes=({0: Dim("batch")},)), torch.cat or Tensor.expand.
    """
    if len(example) == 0:
        raise ValueError(f"the example batch {tuple(example.shape)} holds no sample to trace")
    if len(example) == 1:  # torch specializes sizes 0 and 1: trace with a batch of two
        example = example.expand(2, *example.shape[1:])
    modes = {module: module.training for module in model.modules()}
    model.eval()  # dropout off and batch norm on its running statistics, frozen into the graph
    try:
        return torch.export.export(model, (example,), dynamic_shapes=({0: Dim("batch")},))
    finally:
        for module, training in modes.items():
            module.training = training


def save_program(program: ExportedProgram, path: str | Path) -> None:
    """Write `program` to `path` as a .pt2 archive that torch.export.load reads back.

    The archive is a zip holding the graph (as JSON), the weights and the example inputs:
    loading it needs torch alone, not the class of the model it came from. It is read by
    the same torch version; torch does not promise that a newer one reads it, so a server
    pins the torch it was exported with.

    Raises ValueError naming the path when its name does not end in ".pt2", and then
    writes nothing: torch.export.save would only log a warning and write it anyway.

    Helps: Path(path).suffix, torch.export.save(program, path).
    """
    path = Path(path)
    if path.suffix != ".pt2":
        raise ValueError(f"an exported program is saved as a .pt2 archive, not as {path}")
    torch.export.save(program, path)


def sample_shape(program: ExportedProgram) -> tuple[int, ...]:
    """The shape of one sample that `program` takes: its input's shape without the batch
    dimension, as a tuple of ints (a torch.Size will do).

    An exported program describes its own input: (4,) for a classifier of 4 features,
    (1, 8, 8) for one of 8x8 grey images, whether the program was just exported or loaded
    from a file. Its batch dimension is a symbol (s0, say), not a number.

    Helps: program.graph_signature.user_inputs (the names of the inputs the caller gives;
    the weights are inputs of the graph too), the placeholder nodes of program.graph and
    node.meta["val"].shape; or program.example_inputs, (args, kwargs).
    """
    (name,) = program.graph_signature.user_inputs
    node = next(node for node in program.graph.nodes if node.name == name)
    return tuple(node.meta["val"].shape[1:])


class Predictor:
    """A classifier served from a .pt2 archive: `Predictor(path)(x)` -> (labels, probabilities).

    It needs torch alone: neither the model's class nor any training code.
    """

    def __init__(self, path: str | Path) -> None:
        """Load the program that save_program wrote at `path`, once, for every later call.

        Keep the runnable module (program.module()) and the shape of one sample
        (sample_shape) as self.sample_shape: a call then only runs the module; a server
        never reads the file again, so a new archive written over it later does not change
        this predictor's answers.

        torch.export.load unpickles parts of the archive: like torch.load with
        weights_only=False, load only archives you trust.

        Helps: torch.export.load(path), program.module(), sample_shape.
        """
        program = torch.export.load(path)
        self.sample_shape = sample_shape(program)
        self._module = program.module()

    def __call__(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(labels, probabilities) for one sample or a batch, without an autograd graph.

        x: float32, one sample of shape self.sample_shape, or a batch (N, *sample_shape)
        of N >= 1 samples. The model's outputs are logits (N, C); for a batch:
        labels (N,), int64, the class of the largest logit of each row, and probabilities
        (N, C), float32, their softmax over the classes, each row summing to 1. For one
        sample: labels of shape () and probabilities (C,), those of the sample alone.

        The model runs as it was exported: in eval mode, so the same input gives the same
        output. Run it under torch.inference_mode(): no graph is built, and the tensors
        returned are inference tensors (to read, to send, to save; not to train on).

        Raises ValueError naming the shape it got and the shapes it takes (the sample's
        and the batch's, (N, *sample_shape)) when x is neither: the program's own check
        fails with an AssertionError about "input.size()[1]", which tells a client little.

        Helps: tuple(x.shape), x.unsqueeze(0), torch.inference_mode(), softmax(dim=1),
        argmax(dim=1).
        """
        shape = tuple(x.shape)
        single = shape == self.sample_shape
        if not single and shape[1:] != self.sample_shape:
            batch = ", ".join(map(str, ("N", *self.sample_shape)))
            raise ValueError(
                f"got an input of shape {shape}: expected one sample of shape "
                f"{self.sample_shape} or a batch of shape ({batch})"
            )
        with torch.inference_mode():
            logits = self._module(x.unsqueeze(0) if single else x)
            probabilities = logits.softmax(dim=1)
            labels = logits.argmax(dim=1)
            if single:
                return labels[0], probabilities[0]
            return labels, probabilities
