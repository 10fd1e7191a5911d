"""The sanity_checks kata: what each function in kata/sanity_checks.py must do."""

import copy
import itertools
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from kata.sanity_checks import (
    check_labels,
    initial_loss,
    overfit_one_batch,
    parameters_without_gradient,
)
from tests.checks import (
    assert_tensor_equal,
    holds_numbers,
    keeps_contract,
    raises_keeping_contract,
    training_modes,
)

class_counts = st.integers(min_value=1, max_value=6)
LABEL_DTYPES = {"int64": torch.int64, "int32": torch.int32, "uint8": torch.uint8}


def _classifier(
    seed: int, n_in: int = 20, n_classes: int = 10, batch_norm_and_dropout: bool = False
) -> nn.Sequential:
    """A fresh classifier n_in -> 64 -> 64 -> n_classes, built after torch.manual_seed(seed),
    with batch norm and dropout after its first layer if asked (that layer then has no
    bias: batch norm would subtract it again, and its gradient would be rounding noise)."""
    torch.manual_seed(seed)
    extra = [nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.2)] if batch_norm_and_dropout else []
    return nn.Sequential(
        nn.Linear(n_in, 64, bias=not batch_norm_and_dropout),
        *(extra or [nn.ReLU()]),
        nn.Linear(64, 64),
        nn.ReLU(),
        nn.Linear(64, n_classes),
    )


def _batch(seed: int, n: int = 32, n_in: int = 20, n_classes: int = 10):
    """X (n, n_in) standard normal and y (n,) int64 labels uniform over n_classes."""
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, n_in, generator=generator)
    return X, torch.randint(0, n_classes, (n,), generator=generator)


def _with_trained_batch_norm(model: nn.Sequential) -> nn.Sequential:
    """The model, its batch norm's running statistics moved away from (0, 1) by a few
    forward passes in train mode on shifted inputs: then eval and train mode differ."""
    with torch.no_grad():
        for seed in range(3):
            model.train()(_batch(100 + seed)[0] * 3 + 2)
    return model


# ---- check_labels ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", LABEL_DTYPES)
def test_check_labels_counts_each_class_for_any_integer_dtype(dtype):
    labels = torch.tensor([0, 2, 2, 4, 0, 2], dtype=LABEL_DTYPES[dtype])
    counts = keeps_contract(check_labels, labels, 6)
    assert_tensor_equal(
        counts,
        torch.tensor([2, 0, 3, 0, 1, 0]),
        f"check_labels of {dtype} labels {labels.tolist()} with 6 classes (one count per "
        "class, int64, the classes with no label included: torch.bincount's minlength)",
    )


def test_check_labels_takes_labels_of_any_shape():
    labels = torch.tensor([[[0, 1], [1, 1]], [[2, 0], [1, 2]]])  # (N, H, W): one per pixel
    counts = keeps_contract(check_labels, labels, 3)
    assert_tensor_equal(
        counts,
        torch.tensor([2, 4, 2]),
        "check_labels of (2, 2, 2) labels, one per pixel (flatten them: bincount takes 1-D)",
    )


def test_check_labels_counts_nothing_in_an_empty_batch():
    counts = keeps_contract(check_labels, torch.empty(0, dtype=torch.long), 4)
    assert_tensor_equal(
        counts,
        torch.zeros(4, dtype=torch.long),
        "check_labels of no label at all (.min() and .max() of an empty tensor raise)",
    )


def test_labels_numbered_from_one_are_refused_naming_the_range():
    labels = torch.tensor([1, 4, 2, 3, 4])  # 4 classes, numbered 1..4 instead of 0..3
    error = raises_keeping_contract(ValueError, check_labels, labels, 4)
    assert holds_numbers(str(error), 1, 4), (
        f"the message should name the smallest label (1), the largest (4) and n_classes "
        f"(4), so that labels numbered from 1 show at a glance: {error}"
    )


def test_a_negative_label_is_refused_naming_it():
    # torch.bincount raises a RuntimeError of its own on negative input: check first.
    labels = torch.tensor([0, 2, -1, 6])
    error = raises_keeping_contract(ValueError, check_labels, labels, 7)
    assert holds_numbers(str(error), -1, 6, 7), (
        f"the message should name the smallest label (-1), the largest (6) and n_classes "
        f"(7): {error}"
    )


def test_minus_100_is_refused_though_cross_entropy_would_skip_it():
    labels = torch.tensor([0, 1, -100])
    # cross_entropy's ignore_index is -100: it leaves that sample out, and raises nothing.
    F.cross_entropy(torch.zeros(3, 2), labels)
    raises_keeping_contract(ValueError, check_labels, labels, 2)


def test_float_labels_are_refused_naming_their_dtype():
    labels = torch.tensor([0.0, 1.0, 1.0], dtype=torch.float64)
    error = raises_keeping_contract(TypeError, check_labels, labels, 2)
    assert "float64" in str(error), f"the message should name the dtype, float64: {error}"


@given(n_classes=class_counts, data=st.data())
def test_check_labels_agrees_with_numpy_on_any_labels(n_classes, data):
    labels = data.draw(st.lists(st.integers(-3, n_classes + 2), max_size=20), label="labels")
    in_range = all(0 <= label < n_classes for label in labels)
    tensor = torch.tensor(labels, dtype=torch.long)
    if not in_range:
        raises_keeping_contract(ValueError, check_labels, tensor, n_classes)
        return
    expected = np.bincount(np.array(labels, dtype=np.int64), minlength=n_classes)
    assert_tensor_equal(
        check_labels(tensor, n_classes),
        torch.from_numpy(expected),
        f"check_labels({labels}, {n_classes})",
    )


def test_check_labels_counts_on_the_labels_device(device):
    labels = torch.tensor([1, 1, 0], device=device)
    counts = keeps_contract(check_labels, labels, 3, device=device)
    assert counts.tolist() == [1, 2, 0], f"counts {counts.tolist()}, expected [1, 2, 0]"


# ---- initial_loss ---------------------------------------------------------------------------


def test_a_fresh_classifier_starts_within_the_tolerance_of_ln_c():
    # Over seeds 0..1999 this classifier's loss at init lay within 0.1 of ln(10).
    model = _classifier(seed=0, batch_norm_and_dropout=True)
    X, y = _batch(seed=0)
    loss, ok = keeps_contract(initial_loss, model, X, y)
    assert isinstance(loss, float) and isinstance(ok, bool), (
        f"initial_loss returned ({type(loss).__name__}, {type(ok).__name__}), expected "
        "(float, bool)"
    )
    assert abs(loss - math.log(10)) < 0.2 and ok, (
        f"a freshly built 10-class classifier gave (loss, ok) = ({loss}, {ok}): expected a "
        f"loss near ln(10) = {math.log(10):.3f}, within the default tolerance 0.5"
    )


def test_a_last_layer_a_hundred_times_too_large_fails_the_check():
    # Over seeds 0..1999 this scaled classifier's loss at init lay more than 5 above ln(10).
    model = _classifier(seed=0, batch_norm_and_dropout=True)
    with torch.no_grad():
        model[-1].weight.mul_(100)
    X, y = _batch(seed=0)
    loss, ok = keeps_contract(initial_loss, model, X, y)
    assert loss > math.log(10) + 2 and not ok, (
        f"with its last layer's weights scaled by 100 the classifier gave (loss, ok) = "
        f"({loss}, {ok}): its confident, mostly wrong logits should give a loss far above "
        f"ln(10) = {math.log(10):.3f}, and ok False"
    )


def test_initial_loss_is_measured_in_eval_mode():
    model = _with_trained_batch_norm(_classifier(seed=1, batch_norm_and_dropout=True))
    X, y = _batch(seed=1)
    with torch.no_grad():
        expected = F.cross_entropy(copy.deepcopy(model).eval()(X), y).item()
    loss, _ = keeps_contract(initial_loss, model, X, y)
    assert loss == pytest.approx(expected, rel=1e-6), (
        f"initial_loss gave {loss}, but the model in eval mode (dropout off, batch norm on "
        f"its running statistics) gives {expected}: call model.eval() first, and give each "
        "module its mode back afterwards"
    )


def test_initial_loss_builds_no_graph():
    seen = []
    model = _classifier(seed=2)
    model.register_forward_hook(lambda module, args, out: seen.append(out.requires_grad))
    keeps_contract(initial_loss, model, *_batch(seed=2))
    assert seen and not any(seen), (
        f"the logits required grad ({seen}): measure the loss under torch.inference_mode() "
        "(or torch.no_grad()), as evaluate does"
    )


@pytest.mark.parametrize("side", ["above", "below"])
def test_ok_means_within_the_tolerance_of_ln_c_on_either_side(side):
    # The model passes its inputs through: X are the logits, 4 classes.
    logits = torch.tensor([[3.0, 0.0, 0.0, 0.0], [0.0, 3.0, 0.0, 0.0]])
    y = torch.tensor([1, 0]) if side == "above" else torch.tensor([0, 1])
    loss = F.cross_entropy(logits, y).item()
    distance = abs(loss - math.log(4))  # 1.75 above, or 1.25 below
    got_loss, inside = keeps_contract(initial_loss, nn.Identity(), logits, y, distance + 0.01)
    _, outside = keeps_contract(initial_loss, nn.Identity(), logits, y, distance - 0.01)
    assert got_loss == pytest.approx(loss, rel=1e-6), (
        f"initial_loss gave loss {got_loss}, expected the mean cross-entropy {loss}"
    )
    assert (inside, outside) == (True, False), (
        f"a loss of {loss:.3f}, {distance:.3f} {side} ln(4) = {math.log(4):.3f}, gave ok = "
        f"{inside} with tolerance {distance + 0.01:.3f} and {outside} with "
        f"{distance - 0.01:.3f}: expected True, then False (ok means |loss - ln C| <= "
        "tolerance, an absolute distance, on either side)"
    )


def test_c_is_the_number_of_logit_columns_not_of_the_classes_in_the_labels():
    logits = torch.zeros(6, 10)  # uniform over 10 classes: the loss is ln(10) exactly
    y = torch.tensor([0, 1, 2, 0, 1, 2])  # only 3 of the 10 classes in this batch
    loss, ok = keeps_contract(initial_loss, nn.Identity(), logits, y, 1e-4)
    assert ok, (
        f"uniform logits over 10 classes gave loss {loss} = ln(10), yet ok is False with "
        "tolerance 1e-4: C is logits.shape[1], not the number of classes the labels hold"
    )


def test_initial_loss_checks_the_labels_and_gives_the_model_back_in_its_modes():
    model = _classifier(seed=3, batch_norm_and_dropout=True)  # in train mode: it stays so
    X, y = _batch(seed=3)
    raises_keeping_contract(ValueError, initial_loss, model, X, y + 1)  # labels 1..10


# ---- parameters_without_gradient ------------------------------------------------------------


class _Unused(nn.Module):
    """A classifier with a layer built in __init__ and forgotten in forward."""

    def __init__(self):
        super().__init__()
        self.body = nn.Linear(20, 10)
        self.unused = nn.Linear(10, 10)

    def forward(self, x):
        return self.body(x)


class _Detached(nn.Module):
    """A classifier whose encoder's output is detached before the head sees it."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(20, 16), nn.ReLU())
        self.head = nn.Linear(16, 10)

    def forward(self, x):
        return self.head(self.encoder(x).detach())


class _OpposedShift(nn.Module):
    """Logits shifted by (shift[0] - shift[1]) * x[:, :1]: the two entries of shift get
    gradients of equal size and opposite signs, which add up to exactly 0."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(20, 10)
        self.shift = nn.Parameter(torch.tensor([0.5, -0.5]))

    def forward(self, x):
        return self.linear(x) + (self.shift[0] - self.shift[1]) * x[:, :1]


class _AuxiliaryHead(nn.Module):
    """A classifier with an auxiliary head used only in training mode (as GoogLeNet's)."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(20, 16), nn.ReLU())
        self.head = nn.Linear(16, 10)
        self.aux = nn.Linear(16, 10)

    def forward(self, x):
        h = self.body(x)
        return self.head(h) + self.aux(h) if self.training else self.head(h)


class _NoGradForward(nn.Module):
    """A classifier whose whole forward pass runs under torch.no_grad()."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(20, 10)

    def forward(self, x):
        with torch.no_grad():
            return self.linear(x)


def _without_gradient(model: nn.Module, seed: int = 0) -> dict:
    torch.manual_seed(seed)
    return keeps_contract(parameters_without_gradient, model, *_batch(seed))


def test_a_healthy_classifier_with_batch_norm_and_dropout_has_no_parameter_left_out():
    found = _without_gradient(_classifier(seed=0, batch_norm_and_dropout=True))
    assert found == {}, (
        f"parameters_without_gradient of a classifier whose every parameter learns gave "
        f"{found}, expected {{}}"
    )


def test_a_layer_forgotten_in_forward_has_no_gradient():
    torch.manual_seed(0)
    found = _without_gradient(_Unused())
    expected = {"unused.weight": "no gradient", "unused.bias": "no gradient"}
    assert found == expected, (
        f"got {found}, expected {expected}: after backward, the .grad of a parameter the "
        "forward pass never used is None (names as model.named_parameters() gives them)"
    )


def test_a_frozen_layer_is_named_frozen():
    model = _classifier(seed=0)
    model[2].requires_grad_(False)
    found = _without_gradient(model)
    expected = {"2.weight": "frozen", "2.bias": "frozen"}
    assert found == expected, (
        f"got {found}, expected {expected}: a parameter with requires_grad False is "
        '"frozen", whatever its .grad'
    )


def test_a_detached_path_gives_its_layers_no_gradient():
    torch.manual_seed(0)
    found = _without_gradient(_Detached())
    expected = {"encoder.0.weight": "no gradient", "encoder.0.bias": "no gradient"}
    assert found == expected, (
        f"got {found}, expected {expected}: the encoder's output is detached, so backward "
        "never reaches its parameters"
    )


def test_a_relu_that_clips_every_logit_leaves_only_zero_gradients():
    model = nn.Sequential(*_classifier(seed=0), nn.ReLU())
    with torch.no_grad():
        model[-2].bias.fill_(-100.0)  # every logit below 0 before the ReLU: all outputs 0
    found = _without_gradient(model)
    expected = {name: "zero gradient" for name, _ in model.named_parameters()}
    assert found == expected, (
        f"got {found}, expected {expected}: the ReLU after the last layer passes back a "
        "gradient of 0 for every negative input, so every .grad is all zeros"
    )


def test_gradients_of_both_signs_that_add_up_to_zero_still_count():
    torch.manual_seed(0)
    model = _OpposedShift()
    found = _without_gradient(model)
    assert found == {}, (
        f"got {found}, expected {{}}: shift's gradient is (g, -g), which sums to 0 but is "
        "not zero; look for any nonzero entry, not at the sum"
    )


def test_a_tiny_gradient_still_counts():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(20, 10))
    X, y = _batch(seed=0)
    found = keeps_contract(parameters_without_gradient, model, X * 1e-12, y)
    assert found == {}, (
        f"got {found}, expected {{}}: inputs of size 1e-12 give the weight a gradient of "
        "about that size, which is small but not zero; compare with 0 exactly, not with a "
        "tolerance (torch.allclose's atol is 1e-8)"
    )


def test_a_layer_used_only_in_training_mode_counts_as_used():
    torch.manual_seed(0)
    model = _AuxiliaryHead().eval()  # the caller's model in eval mode: it stays so
    found = _without_gradient(model)
    assert found == {}, (
        f"got {found}, expected {{}}: a training step runs the model in train mode, where "
        "the auxiliary head is used; run the copy in train mode"
    )


def test_stale_gradients_on_the_callers_model_are_neither_counted_nor_changed():
    torch.manual_seed(0)
    model = _Unused()
    model.unused.weight.grad = torch.ones(10, 10)  # left over from earlier code
    found = _without_gradient(model)
    assert found.get("unused.weight") == "no gradient", (
        f"got {found}: the stale .grad of unused.weight came from earlier code, not from "
        "this batch; work on a copy whose .grad starts as None"
    )
    assert model.body.weight.grad is None and model.unused.bias.grad is None, (
        "parameters_without_gradient left gradients on the caller's model: run the "
        "backward pass on a copy (copy.deepcopy)"
    )
    assert torch.equal(model.unused.weight.grad, torch.ones(10, 10)), (
        "the caller's .grad of unused.weight changed"
    )


def test_a_model_that_builds_no_graph_lists_every_parameter_without_raising():
    torch.manual_seed(0)
    found = _without_gradient(_NoGradForward())
    expected = {"linear.weight": "no gradient", "linear.bias": "no gradient"}
    assert found == expected, (
        f"got {found}, expected {expected}: the loss does not require grad, so backward() "
        "would raise; there is no gradient for anyone"
    )


def test_a_model_frozen_whole_lists_every_parameter_without_raising():
    model = _classifier(seed=0).requires_grad_(False)
    found = _without_gradient(model)
    expected = {name: "frozen" for name, _ in model.named_parameters()}
    assert found == expected, f"got {found}, expected {expected}"


def test_parameters_without_gradient_checks_the_labels():
    X, y = _batch(seed=0)
    raises_keeping_contract(ValueError, parameters_without_gradient, _classifier(seed=0), X, y - 1)


# ---- overfit_one_batch ----------------------------------------------------------------------

# Over seeds 0..999 each of these classifiers brought the mean cross-entropy of its batch
# (16 samples, 4 classes, random labels) below 0.05 in at most 21 steps of Adam(lr=1e-2):
# the budget of 100 steps leaves almost five times that.
STEPS, THRESHOLD = 100, 0.05


@pytest.mark.parametrize("batch_norm_and_dropout", [False, True], ids=["plain", "bn_dropout"])
def test_a_big_enough_model_learns_one_batch_by_heart(batch_norm_and_dropout):
    model = _classifier(seed=0, n_classes=4, batch_norm_and_dropout=batch_norm_and_dropout)
    X, y = _batch(seed=0, n=16, n_classes=4)
    losses, reached = keeps_contract(
        overfit_one_batch, model, X, y, steps=STEPS, lr=1e-2, threshold=THRESHOLD
    )
    assert reached and len(losses) <= STEPS and losses[-1] < THRESHOLD, (
        f"a 20 -> 64 -> 64 -> 4 classifier on 16 samples: reached {reached} after "
        f"{len(losses)} steps, last loss {losses[-1]}; expected True within {STEPS} steps, "
        f"the last loss below {THRESHOLD}"
    )
    assert all(isinstance(loss, float) for loss in losses), (
        f"losses holds {sorted({type(loss).__name__ for loss in losses})}: use loss.item()"
    )


def test_a_model_too_small_for_the_batch_runs_every_step_and_fails():
    # A linear model on 64 points of the plane with random labels among 4 classes: over
    # seeds 0..999 no loss of 200 steps went below 1.1.
    torch.manual_seed(0)
    model = nn.Linear(2, 4)
    X, y = _batch(seed=0, n=64, n_in=2, n_classes=4)
    losses, reached = keeps_contract(overfit_one_batch, model, X, y, 30, 1e-2, THRESHOLD)
    assert not reached and len(losses) == 30, (
        f"a linear model cannot learn 64 random labels: expected (30 losses, False), got "
        f"({len(losses)} losses, {reached})"
    )


def test_the_losses_are_those_of_adam_each_measured_before_its_update():
    model = _classifier(seed=4, n_classes=4)
    X, y = _batch(seed=4, n=16, n_classes=4)
    losses, reached = keeps_contract(overfit_one_batch, model, X, y, 12, 0.05, 0.0)
    assert not reached, "no loss is below a threshold of 0"
    trained = copy.deepcopy(model)
    optimizer = torch.optim.Adam(trained.parameters(), lr=0.05)
    expected = []
    for _ in range(12):
        loss = F.cross_entropy(trained(X), y)
        expected.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    np.testing.assert_allclose(
        losses,
        expected,
        rtol=1e-5,
        err_msg=(
            "losses should be those of 12 steps of torch.optim.Adam(lr=0.05) on the mean "
            "cross-entropy, each recorded before its zero_grad, backward and step"
        ),
    )


def test_the_copy_trains_in_train_mode_whatever_mode_the_model_is_in():
    torch.manual_seed(5)
    model = nn.Sequential(nn.Linear(20, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Linear(64, 4))
    model = _with_trained_batch_norm(model).eval()  # the caller's model in eval mode: it stays so
    X, y = _batch(seed=5, n=16, n_classes=4)
    with torch.no_grad():
        expected = F.cross_entropy(copy.deepcopy(model).train()(X), y).item()
    losses, _ = keeps_contract(overfit_one_batch, model, X, y, 1, 1e-2, 0.0)
    assert losses[0] == pytest.approx(expected, rel=1e-5), (
        f"the first loss was {losses[0]}, but the model in train mode gives {expected}: "
        "train the copy in train mode (dropout on, batch norm on each batch's statistics)"
    )
    assert training_modes(model) == {name: False for name in training_modes(model)}


def test_it_stops_at_the_first_loss_strictly_below_the_threshold():
    model = _classifier(seed=6, n_classes=4)
    X, y = _batch(seed=6, n=16, n_classes=4)
    curve, _ = overfit_one_batch(model, X, y, 8, 1e-2, 0.0)
    assert all(a > b for a, b in itertools.pairwise(curve)), (
        f"the test needs a falling curve: {curve}"
    )
    losses, reached = keeps_contract(overfit_one_batch, model, X, y, 8, 1e-2, curve[4])
    assert reached and losses == curve[:6], (
        f"with the threshold equal to the 5th loss, {curve[4]}, expected the first 6 losses "
        f"{curve[:6]} and True (the 6th is the first strictly below), got {losses}, {reached}"
    )


def test_a_threshold_above_the_first_loss_stops_after_one_forward_pass():
    model = _classifier(seed=7, n_classes=4)
    X, y = _batch(seed=7, n=16, n_classes=4)
    losses, reached = keeps_contract(overfit_one_batch, model, X, y, 50, 1e-2, 100.0)
    assert reached and len(losses) == 1, (
        f"every loss is below 100: expected ([the first loss], True), got {losses}, {reached}"
    )


@pytest.mark.parametrize("why", ["frozen_whole", "no_grad_forward"])
def test_a_model_that_cannot_learn_keeps_its_loss_without_raising(why):
    torch.manual_seed(0)
    model = _NoGradForward() if why == "no_grad_forward" else nn.Linear(20, 10)
    model.requires_grad_(why == "no_grad_forward")
    X, y = _batch(seed=0)
    losses, reached = keeps_contract(overfit_one_batch, model, X, y, 5, 1e-2, 0.01)
    assert not reached and len(losses) == 5 and len(set(losses)) == 1, (
        f"a model no parameter of which can get a gradient ({why}) cannot learn: expected "
        f"5 equal losses and False, got {losses}, {reached} (the loss does not require "
        "grad: backward() would raise)"
    )


def test_learning_one_batch_checks_the_labels_first():
    X, y = _batch(seed=0, n=16, n_classes=4)
    model = _classifier(seed=0, n_classes=4)
    raises_keeping_contract(ValueError, overfit_one_batch, model, X, y + 4, 5)


def test_one_batch_is_learned_on_device(device):
    model = _classifier(seed=0, n_classes=4).to(device)
    X, y = (t.to(device) for t in _batch(seed=0, n=16, n_classes=4))
    losses, reached = keeps_contract(overfit_one_batch, model, X, y, STEPS, 1e-2, THRESHOLD)
    assert reached, f"on {device} the loss did not get below {THRESHOLD}: {losses[-5:]}"
