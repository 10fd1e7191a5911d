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
            "of size 1; a transposed tensor is not contiguous, so only reshape works on it.",
            "torch.from_numpy shares memory with the array; tensor.detach().cpu().numpy() "
            "goes back; X @ W.T multiplies; a (N, 1) minus a (1, M) broadcasts to (N, M).",
        ),
    ),
    Kata(
        "autograd",
        "requires_grad, backward, .grad, accumulation, no_grad, detach, a custom Function",
        "Autograd",
        (
            "Which tensor must have requires_grad=True for .grad to be filled in?",
            "backward() works from a scalar; .grad adds up over calls; torch.no_grad() and "
            ".detach() cut a tensor off the graph.",
            "A torch.autograd.Function has static forward(ctx, ...) and backward(ctx, grad); "
            "ctx.save_for_backward keeps what backward needs, ctx.saved_tensors returns it.",
        ),
    ),
    Kata(
        "data_prep",
        "linear data y = 0.7 X + 0.3 of shape (N, 1), and the 80/20 train/test split",
        "Data preparation",
        (
            "What shape does torch.arange give, and what shape does a model with one input want?",
            ".unsqueeze(1) turns (N,) into (N, 1); the split index is int(fraction * N).",
            "X[:split] is the training part and X[split:] the rest; X[split] is a single sample.",
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
            "weights repeatable; p.numel() counts the elements of a parameter.",
        ),
    ),
    Kata(
        "losses_and_activations",
        "ReLU, Sigmoid, Tanh, Softmax(dim); MSE, L1, CrossEntropy, BCE and BCEWithLogits",
        "Losses and activations",
        (
            "Which loss fits a regression, a yes/no question, a choice among many classes?",
            "nn.CrossEntropyLoss takes raw logits and class indices (long) or class "
            "probabilities (float); nn.BCEWithLogitsLoss takes logits and float targets.",
            "softmax(x, dim=1) makes each row sum to 1; sigmoid squeezes into (0, 1).",
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
            "optimizer.step() applies p -= lr * p.grad for plain SGD; zero_grad() sets grads "
            "to None.",
        ),
    ),
    Kata(
        "training_loop",
        "forward, loss, zero_grad, backward, step; an epoch over batches; loss goes down",
        "The training loop",
        (
            "What are the five steps of one training step, and in which order?",
            "model.train(); pred = model(X); loss = loss_fn(pred, y); optimizer.zero_grad(); "
            "loss.backward(); optimizer.step().",
            "Return loss.item() so the caller gets a float and no graph is kept alive.",
        ),
    ),
    Kata(
        "evaluation",
        "train/eval mode, dropout and batch norm, inference_mode, loss and accuracy",
        "Evaluation",
        (
            "What do dropout and batch norm do differently when a model is evaluated?",
            "model.eval() switches them; torch.inference_mode() stops autograd; "
            "model.training tells the current mode.",
            "Accuracy is (logits.argmax(dim=1) == y).float().mean(); put the model back in "
            "the mode it was in.",
        ),
    ),
    Kata(
        "tracking",
        "loss history per epoch and a loss-curve PNG with matplotlib",
        "Tracking progress",
        (
            "What would you need to keep, epoch after epoch, to draw a loss curve?",
            "matplotlib.use('Agg') draws without a screen; fig, ax = plt.subplots(); "
            "ax.plot(values, label=name).",
            "ax.set_title, ax.set_xlabel, ax.set_ylabel, ax.legend(); fig.savefig(path); "
            "plt.close(fig).",
        ),
    ),
    Kata(
        "persistence",
        "state_dict round-trip, checkpoints that resume exactly, atomic saves, safe loads",
        "Saving and loading",
        (
            "What must a checkpoint hold so that training can go on as if it never stopped?",
            "torch.save(model.state_dict(), path); model.load_state_dict(torch.load(path, "
            "weights_only=True)); optimizer.state_dict() too; torch.get_rng_state().",
            "Save to a temporary file in the same folder, then os.replace it onto the target.",
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
            "next(model.parameters()).device tells where a model lives.",
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
            "torch.utils.data.random_split(dataset, lengths, generator=...) splits reproducibly.",
        ),
    ),
    Kata(
        "fit",
        "the Keras fit() loop in PyTorch: epochs of training and validation, a history",
        "From Keras fit() to a PyTorch loop",
        (
            "Which katas already did the work of one epoch of training and of validation?",
            "Loop over epochs: train on every batch of train_loader, then evaluate on "
            "val_loader; append each epoch's mean loss to the history.",
            "Move the model to the device once, and each batch as it comes.",
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
