"""The katas in the order a learner meets them, with their escalating hints.

One entry per kata: ``kata/<name>.py`` is the learner's file,
``kata/solutions/<name>.py`` the reference, ``tests/test_<name>.py`` the spec.
Hints go from a question to the PyTorch call, never to the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Kata:
    name: str
    concept: str
    notes: str  # the section of the notes it teaches
    hints: tuple[str, ...]
    # Ladders for single functions: (function, hints). The hint command follows the function
    # whose test fails; a function without a ladder of its own gets the kata's.
    function_hints: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def hints_for(self, function: str | None) -> tuple[str, tuple[str, ...]]:
        """(the key its level is kept under, the ladder) for the failing ``function``."""
        for name, hints in self.function_hints:
            if function is not None and function.split(".")[0] == name:
                return f"{self.name}::{name}", hints
        return self.name, self.hints

    @property
    def module(self) -> str:
        return f"kata.{self.name}"

    @property
    def reference_module(self) -> str:
        return f"kata.solutions.{self.name}"

    @property
    def path(self) -> Path:
        return ROOT / "kata" / f"{self.name}.py"

    @property
    def reference_path(self) -> Path:
        return ROOT / "kata" / "solutions" / f"{self.name}.py"

    @property
    def test_path(self) -> Path:
        return ROOT / "tests" / f"test_{self.name}.py"


CURRICULUM: tuple[Kata, ...] = (
    Kata(
        "tensors",
        "create tensors, shape, view/reshape, dtype, the NumPy bridge, matmul, broadcasting",
        "Tensors",
        (
            "Which attribute of a tensor tells its shape, and which its dtype?",
            "torch.arange counts, .reshape and .view rearrange, .unsqueeze adds a dimension "
            "of size 1; .view needs strides that fit the new shape (after a transpose they "
            "usually do not), while .reshape copies when it must.",
            "torch.from_numpy shares memory with the array; tensor.detach().cpu().numpy() "
            "goes back; X @ W.T multiplies; a (N, 1) minus a (1, M) broadcasts to (N, M).",
        ),
    ),
    Kata(
        "bug_item_and_view",
        "fix the bug: .item() on a tensor of many elements, .view() after .permute()",
        "Tensors",
        (
            "Both helpers passed on tiny inputs: what is different about a batch of three, "
            "or an image with three channels?",
            ".item() turns a one-element tensor into a Python number and refuses any other; "
            ".view() never copies, so it needs strides that fit the new shape, and "
            ".permute() changes the strides.",
            "Reduce to one element before asking for a number; x.stride() shows why the "
            "permuted tensor cannot be viewed, and .reshape() copies when it must.",
        ),
    ),
    Kata(
        "autograd",
        "requires_grad, backward, .grad, accumulation, no_grad, detach, a custom Function",
        "Autograd",
        (
            "Which tensor must have requires_grad=True for .grad to be filled in, and how do "
            "you get one that is not tied to the caller's x?",
            "x.detach().clone().requires_grad_(True) is a fresh leaf; backward() needs a "
            "one-element output and adds into .grad; `with torch.no_grad():` records no graph.",
            "Adding t.detach() changes a value but not its gradient; a torch.autograd.Function "
            "has static forward(ctx, x) and backward(ctx, grad_output), and "
            "ctx.save_for_backward / ctx.saved_tensors carry x from one to the other.",
        ),
        function_hints=(
            (
                "accumulated_grad",
                (
                    "What does a second backward() do to a .grad that is already filled in?",
                    "backward() frees the graph it walked: call f(leaf) again before each "
                    "backward(), on one fresh leaf made once, x.detach().clone().requires_grad_().",
                    "Loop `times` times over f(leaf).backward() and return leaf.grad; never zero "
                    "it in between.",
                ),
            ),
            (
                "predict_without_graph",
                (
                    "Which context manager makes torch record no graph, and what must be true "
                    "of grad mode after it?",
                    "`with torch.no_grad():` around f(x); leaving the block restores grad mode, "
                    "even when f raises.",
                ),
            ),
            (
                "straight_through_round",
                (
                    "Which part of x + something must autograd not see, so that the gradient "
                    "stays that of x?",
                    "t.detach() is a constant to autograd: x + (x.round() - x).detach() has the "
                    "value x.round() and the gradient of x.",
                ),
            ),
            (
                "Cube",
                (
                    "What does backward need from forward, and how does forward hand it over?",
                    "ctx.save_for_backward(x) in forward, (x,) = ctx.saved_tensors in backward; "
                    "backward returns grad_output times dy/dx = 3 x ** 2.",
                ),
            ),
        ),
    ),
    Kata(
        "data_prep",
        "linear data y = 0.7 X + 0.3 of shape (N, 1), and the 80/20 train/test split",
        "Data preparation",
        (
            "What shape does torch.arange give, and what shape does a model with one input want?",
            ".unsqueeze(1) turns (N,) into (N, 1); dtype=torch.float32 keeps whole-number "
            "arguments from counting in int64; the split index is int(fraction * N).",
            "X[:split] is the training part and X[split:] the rest; X[split] is a single sample.",
        ),
    ),
    Kata(
        "bug_split_slice",
        "fix the bug: a test set that is one sample instead of the last 20% of the data",
        "Data preparation",
        (
            "What shape does X_test have for X of shape (50, 1), and what shape should a "
            "set of 10 samples have?",
            "Indexing with an integer, X[i], removes the first dimension and gives one "
            "sample; slicing, X[i:j], keeps it and gives a batch.",
            "The training part is a slice from the start to the split index: the test part "
            "is the slice from there to the end.",
        ),
    ),
    Kata(
        "linear_model",
        "an nn.Module subclass and nn.Sequential, parameters, manual_seed",
        "The linear model",
        (
            "What must every nn.Module subclass call first in __init__?",
            "nn.Parameter registers a tensor as a parameter; nn.Linear(1, 1) holds a weight "
            "and a bias; model.parameters() yields them all.",
            "torch.manual_seed(seed) right before building a model makes its initial "
            "weights repeatable; p.numel() counts the elements of a parameter and "
            "p.requires_grad is False for a frozen one.",
        ),
    ),
    Kata(
        "losses_and_activations",
        "ReLU, Sigmoid, Tanh, Softmax(dim); MSE, L1, CrossEntropy, BCEWithLogits and the "
        "target format each loss needs",
        "Losses and activations",
        (
            "Which loss fits a regression, a yes/no question, a choice among many classes, "
            "and what dtype and shape must each one's targets have?",
            "torch.softmax(x, dim=1) normalises each row; nn.CrossEntropyLoss takes raw logits "
            "with long class indices (N,) or float class probabilities (N, C); "
            "nn.BCEWithLogitsLoss takes logits and float targets of the same shape.",
            "F.one_hot(indices.long(), C).float() gives class probabilities (one_hot takes "
            "int64 only) and .long() fixes float indices; log(1 + exp(-|x|)) never overflows, "
            "and torch.log1p computes it.",
        ),
    ),
    Kata(
        "bug_loss_broadcast",
        "fix the bug: predictions (N, 1) against targets (N,) broadcast to (N, N) in MSELoss",
        "Losses and activations",
        (
            "Why is the loss of perfect predictions not 0, and what shape does predictions "
            "- targets have when they are (N, 1) and (N,)?",
            "Broadcasting lines shapes up from the right: (N, 1) against (N,) gives (N, N), "
            "every prediction against every target. nn.MSELoss only warns about it.",
            "Give both the same shape before the loss: .squeeze(1), .reshape(-1) or "
            ".view_as(); check that they hold as many samples first.",
        ),
    ),
    Kata(
        "bug_softmax_before_loss",
        "fix the bug: softmax outputs fed to CrossEntropyLoss, which wants raw logits",
        "Losses and activations",
        (
            "Why would a loss stop at 0.55 for 3 classes when every prediction is right and "
            "sure, and what range do its inputs have?",
            "nn.CrossEntropyLoss computes log_softmax of its input itself; a softmax before "
            "it squeezes the 'logits' into [0, 1], and its gradient vanishes where it is sure.",
            "Pass the last layer's raw scores straight to the loss; take a softmax only to "
            "show probabilities to a person.",
        ),
    ),
    Kata(
        "bug_target_dtype",
        "fix the bug: class targets as float or int32 where CrossEntropyLoss wants int64",
        "Losses and activations",
        (
            "What dtype does torch.from_numpy give for labels read from a CSV file, and "
            "which does nn.CrossEntropyLoss expect for class indices?",
            "Class indices are int64 (torch.long); a floating-point target means class "
            "probabilities of shape (N, C). torch.as_tensor(a, dtype=...) converts.",
            "Check that every label is a finite whole number >= 0 before converting: a cast to "
            "int64 would turn 1.5 into 1 without a word.",
        ),
    ),
    Kata(
        "optimizers",
        "SGD, momentum, Adam, RMSprop from model.parameters(); step, zero_grad, weight decay",
        "Optimizers",
        (
            "What does an optimizer need to know about the model, and what about the step size?",
            "torch.optim.SGD(model.parameters(), lr=...); momentum= and weight_decay= are "
            "keyword arguments; Adam and RMSprop take the same first two.",
            "Plain SGD's step is p.add_(p.grad, alpha=-lr) under torch.no_grad(); zero_grad() "
            "sets grads to None; every dict in optimizer.param_groups has an 'lr' to change.",
        ),
    ),
    Kata(
        "training_loop",
        "train mode, forward, loss, zero_grad, backward, step; an epoch's mean loss "
        "weighted by batch size",
        "The training loop",
        (
            "What are the steps of one training step, and why must the old gradients be "
            "cleared before backward()?",
            "model.train(), loss_fn(model(X), y), optimizer.zero_grad(), loss.backward(), "
            "optimizer.step(); loss.item() gives a float and lets the graph go.",
            "For the epoch, add each batch's loss times len(X) and divide by the number of "
            "samples; counting them also tells you when the loader was empty.",
        ),
    ),
    Kata(
        "bug_grad_accumulation",
        "fix the bug: a training step whose gradients pile up from step to step",
        "The training loop",
        (
            "The loss falls, then swings back up: which gradient does the second step "
            "actually use?",
            "loss.backward() adds into p.grad; it never replaces what is there. "
            "optimizer.zero_grad() sets every p.grad to None.",
            "Clear the old gradients in every step, before backward(), so that stale ones "
            "from earlier code cannot leak in either.",
        ),
    ),
    Kata(
        "evaluation",
        "train/eval mode, dropout and batch norm, inference_mode, loss and accuracy",
        "Evaluation",
        (
            "What do dropout and batch norm do differently when a model is evaluated, and "
            "in which mode should the caller find each of its layers afterwards?",
            "module.training tells a module's mode, model.eval() sets it in every submodule, "
            "model.modules() walks them all; torch.inference_mode() stops autograd; "
            "logits.argmax(dim=1) is the prediction.",
            "Keep model.training before model.eval() and give it back in a finally block "
            "(model.train(mode), or each module's own .training). Weight each batch's loss "
            "and accuracy by len(X) so that the batch size does not change them.",
        ),
    ),
    Kata(
        "bug_missing_eval",
        "fix the bug: predictions made in training mode, so dropout and batch norm act "
        "as in training",
        "Evaluation",
        (
            "Why would the same input get two different predictions, and which layers "
            "behave randomly or learn from the batch they see?",
            "nn.Dropout zeroes random units and batch norm uses (and updates) the batch's "
            "statistics while model.training is True; torch.no_grad() changes neither.",
            "model.eval() for the forward pass; keep model.training first and give it back "
            "in a finally block (model.train(was_training)), so that the caller finds the "
            "model in the mode it left it in.",
        ),
    ),
    Kata(
        "bug_inference_tensor",
        "fix the bug: features made under inference_mode reused to train a head",
        "Evaluation",
        (
            "The features have the right values: what is different about how they were "
            "made, and what does features.is_inference() say?",
            "Tensors made under torch.inference_mode() stay inference tensors: autograd "
            "cannot save them for backward and they refuse in-place changes outside it.",
            "torch.no_grad() records no graph either but makes normal tensors; .clone() "
            "of an inference tensor, made outside inference mode, is a normal tensor too.",
        ),
    ),
    Kata(
        "tracking",
        "loss history per epoch, the best epoch, and a loss-curve PNG drawn without a screen",
        "Tracking progress",
        (
            "What would you need to keep, epoch after epoch, to draw a loss curve, and what "
            "would make two series fall out of step?",
            "loss.item() gives a plain float; math.isfinite spots NaN and inf; "
            "history.setdefault(name, []).append(value).",
            "matplotlib.figure.Figure() needs no screen and no plt.close; ax = fig.subplots(); "
            "ax.plot(x, y, label=name); ax.set_title, set_xlabel, set_ylabel, ax.legend(); "
            "fig.savefig(path).",
        ),
    ),
    Kata(
        "persistence",
        "state_dict round-trip, checkpoints that resume bit for bit, atomic saves, "
        "weights_only loads",
        "Saving and loading",
        (
            "What must a checkpoint hold so that training can go on as if it never stopped, "
            "and what is left of the old file when a save dies half-way?",
            "model.state_dict(), optimizer.state_dict(), torch.get_rng_state() and "
            "torch.set_rng_state(); torch.load(path, weights_only=True, map_location='cpu').",
            "tempfile.mkstemp(dir=folder) for the temporary file; torch.save into it, "
            "f.flush(), os.fsync(f.fileno()), then os.replace; os.unlink it if anything fails.",
        ),
    ),
    Kata(
        "devices",
        "device-agnostic code: cuda, mps or cpu; moving model and data together",
        "Device-agnostic code",
        (
            "How does your code find out which accelerator this machine has?",
            "torch.cuda.is_available(), torch.backends.mps.is_available(); model.to(device) "
            "and tensor.to(device).",
            "model.to(device) moves in place, but x.to(device) returns a new tensor: keep it. "
            "A model lives where its first parameter (or buffer) lives: "
            "itertools.chain(model.parameters(), model.buffers()).",
        ),
    ),
    Kata(
        "bug_device_mismatch",
        "fix the bug: a batch left on the CPU while the model is on another device",
        "Device-agnostic code",
        (
            "It works on the laptop and fails on the GPU machine: where does X live when "
            "model(X) runs there?",
            "nn.Module.to moves a module in place, but Tensor.to returns a new tensor and "
            "leaves the original where it was.",
            "Keep what .to() returns, and move X to device_of(model), not to a device you guess.",
        ),
    ),
    Kata(
        "datasets",
        "a custom Dataset, DataLoader batches, shuffling with a Generator, random_split",
        "Dataset and DataLoader",
        (
            "Which two methods make a class a map-style Dataset?",
            "__len__ and __getitem__; DataLoader(dataset, batch_size=..., shuffle=True, "
            "generator=...).",
            "Give the DataLoader a seeded torch.Generator even without shuffle: each iter() "
            "draws a seed from it, else from the global RNG. random_split(dataset, lengths, "
            "generator=...) splits reproducibly but never checks for negative lengths.",
        ),
    ),
    Kata(
        "fit",
        "Keras compile/fit/evaluate in PyTorch: epochs of train_epoch and evaluate, a "
        "history of loss and val_loss",
        "From Keras fit() to a PyTorch loop",
        (
            "Which katas already did the work of one epoch of training and of validation?",
            "Loop over range(epochs): train_epoch on train_loader, then evaluate on "
            "val_loader if there is one; append to history['loss'] and history['val_loss'].",
            "model.to(device) once before the loop; _on_device(loader, device) moves each "
            "batch as it comes.",
        ),
    ),
    Kata(
        "mlp",
        "a multilayer perceptron from nn.Sequential: flatten, hidden layers, logits out",
        "MLP",
        (
            "Which layer turns an image (B, C, H, W) into rows a Linear layer can take?",
            "nn.Flatten(), then nn.Linear(in, hidden), nn.ReLU(), ... ; collect the layers "
            "in a list and unpack it into nn.Sequential(*layers).",
            "No activation after the last Linear: the loss takes raw logits.",
        ),
    ),
    Kata(
        "bug_final_activation",
        "fix the bug: a ReLU after the last layer of a classifier clips its logits",
        "MLP",
        (
            "Why are the outputs never negative, and why do some samples give no gradient at all?",
            "nn.CrossEntropyLoss takes raw logits, any real number; ReLU turns every "
            "negative input into 0 and passes back a gradient of 0 there.",
            "The model should end with its last nn.Linear: look at what the loop appends after it.",
        ),
    ),
    Kata(
        "cnn",
        "Conv2d and MaxPool2d output sizes, the flattened size, a small CNN",
        "CNN",
        (
            "How many positions can a kernel of size k take along a row of H pixels?",
            "out = floor((H + 2p - d(k - 1) - 1) / s) + 1 for Conv2d; MaxPool2d's stride "
            "defaults to its kernel size; use // for integer division.",
            "Run a dummy input through the feature layers (on the meta device it costs "
            "nothing) or apply the formula layer by layer to get the flattened size.",
        ),
    ),
    Kata(
        "rnn",
        "RNN, LSTM and GRU shapes, batch_first, h_n and c_n, the last time step, a sequence "
        "classifier",
        "RNN, LSTM and GRU",
        (
            "Which dimension of an LSTM's input is time when batch_first=True, and which "
            "when it is False? Does batch_first change h_n?",
            "output, (h_n, c_n) = lstm(x); h_n is (num_layers * directions, batch, hidden) "
            "whatever batch_first says.",
            "Index the time dimension with -1; for a one-directional layer that step equals "
            "h_n[-1].",
        ),
    ),
    Kata(
        "embedding",
        "nn.Embedding lookups, padding_idx, and a mean-pooled text classifier",
        "Embedding",
        (
            "What does an embedding table hold in row i, and which ids can a table of "
            "vocab_size rows look up?",
            "nn.Embedding(num_embeddings, embedding_dim, padding_idx=...) maps long "
            "indices (*) to vectors (*, embedding_dim).",
            "Mean-pool over the sequence with a mask that ignores padding: tokens != "
            "padding_idx, a sum over dim 1, and a count clamped to at least 1.",
        ),
    ),
    Kata(
        "regularization",
        "dropout, weight decay and early stopping against overfitting",
        "Avoiding overfitting",
        (
            "Why does a model that scores well on its training data do worse on new data, "
            "and which epoch's weights would you rather keep?",
            "torch.rand(x.shape, generator=..., device=x.device) < 1 - p marks what dropout "
            "keeps, and the kept values are divided by 1 - p; "
            "torch.optim.SGD(..., weight_decay=wd) adds wd * w to every gradient.",
            "model.state_dict() shares memory with the live weights: keep "
            "copy.deepcopy(model.state_dict()) of the best epoch and give it back with "
            "model.load_state_dict; validate under model.eval() and torch.no_grad().",
        ),
    ),
    Kata(
        "capstones",
        "real handwritten digits through your MLP and CNN, and your LSTM on which marker "
        "came first, trained with your own fit() and scored with your own evaluate()",
        "MLP, CNN and RNN pipelines end to end",
        (
            "Which earlier katas give you the split, the loaders, the models, the loop and "
            "the score, and what input shape does each model want?",
            "sklearn.datasets.load_digits() ships 1,797 8x8 digits inside scikit-learn: "
            ".data / 16 as float32, .target as long; PairDataset, split_dataset(..., "
            "[0.8, 0.2], seed) and make_loader from the datasets kata.",
            "SmallCNN needs 10x10 images: nn.ZeroPad2d(1) in front of it. torch.manual_seed "
            "before each model; torch.optim.Adam, nn.CrossEntropyLoss(label_smoothing=0.1), "
            "fit(), then evaluate() on the test batches moved to the device.",
        ),
    ),
    Kata(
        "performance",
        "what makes a training step fast or slow: one batched pass instead of a loop over "
        "samples, one .item() per epoch instead of per batch, the FLOPs a step costs",
        "Benchmarks of the training step",
        (
            "How many times does the slow step go back to Python, and how many times does your "
            "epoch wait for a number?",
            "model(X) takes the whole (N, ...) batch; loss.detach() keeps the loss on the "
            "device, .item() waits for it; FlopCounterMode counts the FLOPs for you to check.",
            "Add loss * len(X) into a running tensor and call .item() once after the loop; a "
            "Linear(in, out) costs 2 * N * in * out FLOPs per product, three products but the "
            "first layer's two.",
        ),
    ),
    Kata(
        "distributed",
        "DistributedDataParallel on two CPU processes: process group, DistributedSampler "
        "shards, rank-0 checkpoints",
        "Beyond one machine",
        (
            "What must every process know to join the others, which data is its own, and "
            "what makes all copies of the model take the same step?",
            "dist.init_process_group(backend, init_method=..., rank=..., world_size=..., "
            "timeout=...); DistributedSampler(dataset, num_replicas=..., rank=...); "
            "DistributedDataParallel(model, device_ids=...).",
            "loader.sampler.set_epoch(epoch) each epoch; dist.get_rank(), model.module, "
            "dist.barrier() for the checkpoint; consume_prefix_in_state_dict_if_present "
            "for 'module.' keys.",
        ),
    ),
)

BY_NAME = {kata.name: kata for kata in CURRICULUM}


def find(name: str) -> Kata:
    """The kata called ``name``, or a ValueError that lists the real names."""
    try:
        return BY_NAME[name]
    except KeyError:
        known = ", ".join(BY_NAME)
        raise ValueError(f"there is no kata called {name!r}; the katas are: {known}") from None
