"""The regularization kata: what each function in kata/regularization.py must do."""

import copy
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from kata.regularization import (
    EarlyStopping,
    dropout,
    l2_penalty,
    train_with_early_stopping,
    train_with_weight_decay,
)
from tests.checks import keeps_contract, raises_keeping_contract, regression_problem, training_modes
from tests.strategies import seeds, shapes

drop_probabilities = st.floats(min_value=0.05, max_value=0.95)
float_dtypes = st.sampled_from([torch.float32, torch.float64])
weight_decays = st.floats(min_value=0.01, max_value=1.0)

LARGE = 100_000  # elements: a binomial fraction over this many strays 0.0016 at 1 sigma


def _binomial_margin(p: float, n: int = LARGE, sigmas: float = 6.0) -> float:
    """How far the observed fraction of n Bernoulli(p) draws may stray from p: 6 sigma."""
    return sigmas * math.sqrt(p * (1 - p) / n)


def _regression_problem() -> tuple[torch.Tensor, torch.Tensor]:
    """16 samples of a line through the origin, with noise: the weight decay tests' data."""
    return regression_problem(16, bias=0.0, noise=0.3)


def _small_mlp(seed: int = 0, width: int = 16) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, width), nn.Tanh(), nn.Linear(width, 1))


def _mlp_with_batch_norm_and_dropout(seed: int = 0, width: int = 16, inputs: int = 3) -> nn.Module:
    """A model in training mode whose forward pass draws random numbers and whose state
    holds buffers (the running statistics) besides its parameters."""
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(inputs, width),
        nn.BatchNorm1d(width),
        nn.ReLU(),
        nn.Dropout(0.2),
        nn.Linear(width, 1),
    ).train()


MODELS = {"two-layer": _small_mlp, "batch-norm-and-dropout": _mlp_with_batch_norm_and_dropout}


def _parameter_norm(model: nn.Module) -> float:
    return nn.utils.parameters_to_vector(model.parameters()).norm().item()


# --- dropout -----------------------------------------------------------------------------


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_zeroes_a_fraction_p_of_the_elements_in_training(p):
    generator = torch.Generator().manual_seed(0)
    out = dropout(torch.ones(LARGE), p, training=True, generator=generator)
    dropped = (out == 0).float().mean().item()
    assert abs(dropped - p) < _binomial_margin(p), (
        f"dropout(p={p}) zeroed a fraction {dropped:.4f} of {LARGE} elements, expected {p} "
        f"within {_binomial_margin(p):.4f}: each element is dropped with probability p, "
        "so keep it where torch.rand(...) < 1 - p"
    )


@given(shape=shapes, p=drop_probabilities, seed=seeds, dtype=float_dtypes)
@settings(max_examples=25)
def test_dropout_scales_every_kept_element_by_one_over_one_minus_p(shape, p, seed, dtype):
    x = torch.rand(shape, generator=torch.Generator().manual_seed(seed), dtype=dtype) + 0.5
    generator = torch.Generator().manual_seed(seed)
    out = keeps_contract(dropout, x, p, training=True, generator=generator)  # x is never 0
    assert out.shape == x.shape and out.dtype == x.dtype, (
        f"dropout returned shape {tuple(out.shape)} and dtype {out.dtype}, expected "
        f"{tuple(x.shape)} and {x.dtype}"
    )
    kept = out != 0
    torch.testing.assert_close(
        out[kept],
        x[kept] / (1 - p),
        msg=lambda m: (
            f"every kept element must be x / (1 - p) (p={p}), so that the expected "
            f"value stays x; {m}"
        ),
    )


@pytest.mark.parametrize("p", [0.2, 0.5, 0.7])
def test_dropout_keeps_the_expected_value_of_its_input(p):
    x = torch.rand(LARGE, generator=torch.Generator().manual_seed(1)) + 1.0  # mean about 1.5
    out = dropout(x, p, training=True, generator=torch.Generator().manual_seed(2))
    # Each output is x / (1 - p) with probability 1 - p, else 0: its variance is
    # E[x^2] / (1 - p) - E[x]^2, so the mean of LARGE of them strays by its root / sqrt(LARGE).
    margin = 6 * math.sqrt(((x**2).mean() / (1 - p) - x.mean() ** 2).item() / LARGE)
    assert abs(out.mean().item() - x.mean().item()) < margin, (
        f"with p={p} the mean of the output is {out.mean().item():.4f}, the input's is "
        f"{x.mean().item():.4f} (allowed gap {margin:.4f}): scale what is kept by 1 / (1 - p)"
    )


def test_dropout_is_the_identity_when_not_training_as_nn_dropout_in_eval_mode_is():
    x = torch.randn(4, 5)
    layer = nn.Dropout(p=0.5).eval()
    assert torch.equal(layer(x), x), "torch's own nn.Dropout in eval mode passes x through"
    out = dropout(x, 0.5, training=False)
    assert torch.equal(out, x), (
        f"dropout(x, 0.5, training=False) returned\n{out}\nexpected x unchanged:\n{x}\n"
        "at evaluation time dropout does nothing (model.eval() turns nn.Dropout off)"
    )


def test_dropout_with_p_zero_is_the_identity():
    x = torch.randn(100)
    out = dropout(x, 0.0, training=True)
    assert torch.equal(out, x), "p=0 drops nothing and scales by 1 / (1 - 0) = 1"


def test_dropout_with_p_one_gives_all_zeros_and_no_nan():
    out = dropout(torch.randn(100), 1.0, training=True)
    assert torch.equal(out, torch.zeros(100)), (
        f"p=1 drops every element, expected all zeros, got {out[:5]}...: "
        "x * 0 / (1 - 1) is 0 / 0 = nan, so handle p = 1 on its own (torch.zeros_like)"
    )


def test_dropout_draws_the_same_mask_for_the_same_generator_seed():
    x = torch.ones(1000)
    first, again, other = (
        dropout(x, 0.5, generator=torch.Generator().manual_seed(s)) for s in (3, 3, 4)
    )
    assert torch.equal(first, again), "the same generator seed must give the same mask"
    assert not torch.equal(first, other), "another seed must give another mask"


def test_dropout_with_a_generator_leaves_the_global_random_state_alone():
    before = torch.get_rng_state()
    dropout(torch.ones(1000), 0.5, generator=torch.Generator().manual_seed(0))
    assert torch.equal(torch.get_rng_state(), before), (
        "dropout changed the global RNG although it was given a generator: "
        "pass generator= to torch.rand (or torch.bernoulli)"
    )


def test_dropout_draws_a_new_mask_at_every_call_without_a_generator():
    x = torch.ones(1000)
    assert not torch.equal(dropout(x, 0.5), dropout(x, 0.5)), (
        "two calls gave the same mask: draw fresh random numbers at every call"
    )


def test_dropout_lets_gradients_through_the_kept_elements_only():
    x = (torch.rand(1000) + 0.5).requires_grad_()
    p = 0.3
    out = dropout(x, p, generator=torch.Generator().manual_seed(0))
    out.sum().backward()
    assert x.grad is not None, "no gradient reached x: build the output from x with tensor ops"
    expected = (out != 0).float() / (1 - p)
    torch.testing.assert_close(
        x.grad,
        expected,
        msg=lambda m: (
            f"d out / d x is 1 / (1 - p) where x was kept and 0 where it was dropped; {m}"
        ),
    )


@pytest.mark.parametrize("dtype", [torch.float64, torch.float16], ids=["float64", "float16"])
@pytest.mark.parametrize(
    ("p", "training"),
    [(0.5, True), (0.0, True), (1.0, True), (0.5, False)],
    ids=["p-half", "p-zero", "p-one", "not-training"],
)
def test_dropout_keeps_the_shape_dtype_and_device_of_its_input(p, training, dtype, device):
    x = torch.ones(4, 25, dtype=dtype, device=device, requires_grad=True)
    out = keeps_contract(dropout, x, p, training=training, dtype=dtype, device=device)
    assert tuple(out.shape) == (4, 25), (
        f"dropout(p={p}, training={training}) of a (4, 25) tensor returned shape "
        f"{tuple(out.shape)}: the result has x's shape, dtype and device (torch.zeros_like, "
        "not torch.zeros(x.shape), which is float32 on the cpu)"
    )


@pytest.mark.parametrize("training", [True, False], ids=["training", "not-training"])
@pytest.mark.parametrize("p", [-0.1, 1.5, 2.0], ids=["negative", "above-one", "two"])
def test_dropout_rejects_a_probability_outside_zero_to_one_in_either_mode(p, training):
    # p is checked first: not in training the result would be x whatever p is, but the
    # call is still wrong (F.dropout(x, 2.0, training=False) raises as well).
    x = torch.ones(3, requires_grad=True)
    raises_keeping_contract(ValueError, dropout, x, p, training=training)


# --- weight decay ------------------------------------------------------------------------


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_l2_penalty_sums_the_squares_of_every_parameter_biases_included(make, device):
    # parameters only: a batch norm's running statistics are buffers, not decayed weights
    model = make().to(device)
    expected = nn.utils.parameters_to_vector(model.parameters()).norm() ** 2
    got = keeps_contract(l2_penalty, model, device=device)
    assert isinstance(got, torch.Tensor) and got.ndim == 0, (
        f"l2_penalty returned {got!r}, expected a 0-dimensional tensor (keep it in the graph)"
    )
    torch.testing.assert_close(
        got,
        expected,
        msg=lambda m: f"expected the sum over all parameters (weights and biases) of p ** 2; {m}",
    )


def test_l2_penalty_of_a_model_without_parameters_is_a_zero_tensor():
    got = keeps_contract(l2_penalty, nn.ReLU())
    assert isinstance(got, torch.Tensor) and got.ndim == 0, (
        f"l2_penalty(nn.ReLU()) returned {got!r}, expected a 0-dimensional tensor: start the "
        "sum from torch.zeros(()), not from Python's 0"
    )
    assert got.item() == 0.0, f"a model without parameters has no penalty, got {got.item()}"


def test_l2_penalty_has_gradient_two_w_for_every_parameter():
    model = _small_mlp()
    l2_penalty(model).backward()
    for name, param in model.named_parameters():
        assert param.grad is not None, (
            f"{name} got no gradient: did l2_penalty use .item() or .detach()? "
            "it must stay in the graph"
        )
        torch.testing.assert_close(param.grad, 2 * param.detach())


@given(weight_decay=weight_decays)
@settings(max_examples=10)
def test_half_weight_decay_times_l2_penalty_in_the_loss_is_sgd_weight_decay(weight_decay):
    X, y = _regression_problem()
    with_optimizer, with_penalty = _small_mlp(), _small_mlp()
    optimizer = torch.optim.SGD(with_optimizer.parameters(), lr=0.1, weight_decay=weight_decay)
    nn.functional.mse_loss(with_optimizer(X), y).backward()
    optimizer.step()
    plain = torch.optim.SGD(with_penalty.parameters(), lr=0.1)
    loss = nn.functional.mse_loss(with_penalty(X), y)
    (loss + weight_decay / 2 * l2_penalty(with_penalty)).backward()
    plain.step()
    torch.testing.assert_close(
        with_penalty.state_dict(),
        with_optimizer.state_dict(),
        msg=lambda m: (
            "SGD on loss + (wd / 2) * l2_penalty must take the same step as "
            f"SGD(weight_decay=wd) on the loss alone (wd={weight_decay}); {m}"
        ),
    )


def test_a_weight_decay_step_on_a_zero_gradient_multiplies_each_weight_by_one_minus_lr_wd(
    device,
):
    model = _small_mlp().to(device)
    X, _ = _regression_problem()
    X = X.to(device)
    with torch.no_grad():
        y = model(X)  # the model already predicts y exactly: the loss gradient is zero
    before = copy.deepcopy(model.state_dict())
    lr, weight_decay = 0.1, 0.5
    train_with_weight_decay(model, X, y, weight_decay, lr=lr, steps=1)
    expected = {name: (1 - lr * weight_decay) * value for name, value in before.items()}
    torch.testing.assert_close(
        model.state_dict(),
        expected,
        msg=lambda m: (
            f"with a zero loss gradient, one SGD step with lr={lr} and "
            f"weight_decay={weight_decay} multiplies every parameter by "
            f"1 - lr * weight_decay = {1 - lr * weight_decay}; {m}"
        ),
    )


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_train_with_weight_decay_takes_the_steps_of_sgd_on_loss_plus_half_wd_sum_of_squares(make):
    X, y = _regression_problem()
    model, oracle = make(), make()
    lr, weight_decay, steps = 0.05, 0.2, 5
    torch.manual_seed(1)  # the same dropout masks for both
    losses = keeps_contract(
        train_with_weight_decay, model, X, y, weight_decay, lr=lr, steps=steps, changes=("model",)
    )
    torch.manual_seed(1)
    optimizer = torch.optim.SGD(oracle.parameters(), lr=lr)
    expected_losses = []
    for _ in range(steps):
        oracle.train()
        loss = nn.functional.mse_loss(oracle(X), y)
        squares = sum((p**2).sum() for p in oracle.parameters())
        optimizer.zero_grad()
        (loss + weight_decay / 2 * squares).backward()
        optimizer.step()
        expected_losses.append(loss.item())
    torch.testing.assert_close(
        model.state_dict(),
        oracle.state_dict(),
        msg=lambda m: (
            f"after {steps} full-batch steps of SGD(lr={lr}, "
            f"weight_decay={weight_decay}) on nn.MSELoss the weights differ; {m}"
        ),
    )
    assert losses == pytest.approx(expected_losses, rel=1e-5), (
        f"train_with_weight_decay returned losses {losses}, expected {expected_losses}: "
        "the MSE before each step, without the penalty"
    )


def test_train_with_weight_decay_defaults_to_100_steps_of_lr_0_1():
    X, y = _regression_problem()
    model, oracle = _small_mlp(), _small_mlp()
    weight_decay = 0.2
    losses = train_with_weight_decay(model, X, y, weight_decay)
    optimizer = torch.optim.SGD(oracle.parameters(), lr=0.1, weight_decay=weight_decay)
    for _ in range(100):
        optimizer.zero_grad()
        nn.functional.mse_loss(oracle(X), y).backward()
        optimizer.step()
    assert len(losses) == 100, (
        f"with the default steps=100 train_with_weight_decay returned {len(losses)} losses, "
        "expected 100: one per step"
    )
    torch.testing.assert_close(
        model.state_dict(),
        oracle.state_dict(),
        msg=lambda m: (
            "with the defaults (lr=0.1, steps=100) the weights should match 100 steps of "
            f"SGD(lr=0.1, weight_decay={weight_decay}); {m}"
        ),
    )


def test_weight_decay_ends_with_a_smaller_weight_norm_than_no_decay(device):
    X, y = (t.to(device) for t in _regression_problem())
    plain, decayed = _small_mlp().to(device), _small_mlp().to(device)
    train_with_weight_decay(plain, X, y, weight_decay=0.0, lr=0.1, steps=200)
    train_with_weight_decay(decayed, X, y, weight_decay=0.1, lr=0.1, steps=200)
    plain_norm, decayed_norm = _parameter_norm(plain), _parameter_norm(decayed)
    # The reference ends at about 0.64 times the plain norm; 0.9 leaves a wide margin.
    assert decayed_norm < 0.9 * plain_norm, (
        f"the same seeded model ends with weight norm {decayed_norm:.3f} with "
        f"weight_decay=0.1 and {plain_norm:.3f} without: weight decay should pull the "
        "weights toward zero. Did you pass weight_decay= to the optimizer?"
    )


def test_train_with_weight_decay_rejects_a_negative_weight_decay():
    X, y = _regression_problem()
    model = _mlp_with_batch_norm_and_dropout()
    raises_keeping_contract(ValueError, train_with_weight_decay, model, X, y, weight_decay=-0.1)


# --- early stopping ----------------------------------------------------------------------


def _steps(stopper: EarlyStopping, losses: list[float], model: nn.Module) -> list[bool]:
    """step() once per loss; it keeps a copy of the model's weights and leaves the model be."""
    return [keeps_contract(stopper.step, loss, model) for loss in losses]


def test_early_stopping_starts_with_no_best_epoch_and_an_infinite_best_loss():
    stopper = keeps_contract(EarlyStopping, patience=2)
    assert stopper.best_loss == math.inf and stopper.best_epoch is None, (
        f"a fresh EarlyStopping has best_loss={stopper.best_loss} and "
        f"best_epoch={stopper.best_epoch}, expected inf and None: no epoch has been seen"
    )


def test_early_stopping_stops_exactly_after_patience_epochs_without_improvement():
    losses = [1.0, 0.8, 0.9, 0.85, 0.95]  # best at epoch 1, then three epochs worse
    stopper = EarlyStopping(patience=3)
    decisions = _steps(stopper, losses, nn.Linear(1, 1))
    expected = [False, False, False, False, True]
    assert decisions == expected, (
        f"losses {losses} with patience=3 gave {decisions}, expected {expected}: "
        "the third epoch in a row that does not beat the best (0.8, epoch 1) says stop"
    )
    assert (stopper.best_loss, stopper.best_epoch) == (0.8, 1), (
        f"best_loss, best_epoch are {stopper.best_loss}, {stopper.best_epoch}, expected 0.8, 1 "
        "(epochs count from 0)"
    )


def test_early_stopping_resets_its_count_on_an_improvement():
    stopper = EarlyStopping(patience=2)
    decisions = _steps(stopper, [1.0, 1.1, 0.9, 1.2, 1.3], nn.Linear(1, 1))
    assert decisions == [False, False, False, False, True], (
        f"got {decisions}: 0.9 at epoch 2 improves on 1.0, so the count of epochs without "
        "improvement starts again from 0 and reaches patience=2 only at epoch 4"
    )
    assert stopper.best_epoch == 2


def test_early_stopping_goes_on_saying_stop_until_an_epoch_improves():
    stopper = EarlyStopping(patience=2)
    losses = [1.0, 1.2, 1.3, 1.4, 1.1, 0.5, 0.6]
    decisions = _steps(stopper, losses, _mlp_with_batch_norm_and_dropout())
    expected = [False, False, True, True, True, False, False]
    assert decisions == expected, (
        f"losses {losses} with patience=2 gave {decisions}, expected {expected}: called again "
        "after it said stop, step() goes on counting epochs without improvement (and says "
        "stop) until one improves on the best, 0.5 at epoch 5, which starts the count anew"
    )
    assert (stopper.best_loss, stopper.best_epoch) == (0.5, 5)


def test_early_stopping_does_not_count_a_loss_equal_to_the_best_as_an_improvement():
    stopper = EarlyStopping(patience=1)
    decisions = _steps(stopper, [0.5, 0.5], nn.Linear(1, 1))
    assert decisions == [False, True], (
        f"losses [0.5, 0.5] with patience=1 gave {decisions}, expected [False, True]: an "
        "epoch improves only when its loss is strictly below best_loss - min_delta"
    )
    assert stopper.best_epoch == 0, f"best_epoch is {stopper.best_epoch}, expected 0"


def test_early_stopping_ignores_improvements_smaller_than_min_delta():
    stopper = EarlyStopping(patience=2, min_delta=0.1)
    decisions = _steps(stopper, [1.0, 0.95, 0.92], nn.Linear(1, 1))
    assert decisions == [False, False, True], (
        f"with min_delta=0.1, 0.95 and 0.92 are not below 1.0 - 0.1: two epochs without "
        f"improvement should stop with patience=2, got {decisions}"
    )
    assert (stopper.best_loss, stopper.best_epoch) == (1.0, 0), (
        "an improvement smaller than min_delta does not become the best either"
    )


def test_early_stopping_counts_an_improvement_larger_than_min_delta():
    stopper = EarlyStopping(patience=2, min_delta=0.1)
    decisions = _steps(stopper, [1.0, 0.95, 0.85, 0.9], nn.Linear(1, 1))
    assert decisions == [False, False, False, False], (
        f"0.85 is below 1.0 - 0.1, an improvement that resets the count; got {decisions}"
    )
    assert (stopper.best_loss, stopper.best_epoch) == (0.85, 2)


def test_early_stopping_never_counts_a_nan_loss_as_an_improvement():
    # A diverged epoch reports nan; nan < best_loss - min_delta is False, even against inf.
    stopper = EarlyStopping(patience=2)
    decisions = _steps(stopper, [math.nan, 1.0, math.nan, math.nan], nn.Linear(1, 1))
    assert decisions == [False, False, False, True], (
        f"losses [nan, 1.0, nan, nan] with patience=2 gave {decisions}, expected "
        "[False, False, False, True]: a nan epoch is one without improvement (and the count "
        "starts at 0), 1.0 improves on inf and resets it"
    )
    assert (stopper.best_loss, stopper.best_epoch) == (1.0, 1), (
        f"best_loss, best_epoch are {stopper.best_loss}, {stopper.best_epoch}, expected 1.0, 1"
    )


def test_early_stopping_restores_a_deep_copy_not_the_live_weights():
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    stopper = EarlyStopping(patience=5)
    stopper.step(0.5, model)
    best = {name: value.clone() for name, value in model.state_dict().items()}
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    model(torch.ones(2, 3)).sum().backward()
    optimizer.step()  # updates the parameters in place
    stopper.step(0.9, model)  # worse: the best stays epoch 0
    keeps_contract(stopper.restore, model, changes=("model",))
    torch.testing.assert_close(
        model.state_dict(),
        best,
        msg=lambda m: (
            "restore() loaded the weights as they are now, not as they were at the "
            "best epoch: model.state_dict() shares memory with the parameters, so the "
            f"optimizer's in-place step changed it too. Keep copy.deepcopy(...) of it; {m}"
        ),
    )


def test_early_stopping_restore_before_any_step_says_what_is_missing():
    stopper = EarlyStopping(patience=1)
    model = _mlp_with_batch_norm_and_dropout()
    error = raises_keeping_contract(RuntimeError, stopper.restore, model)
    if isinstance(error, NotImplementedError):  # a RuntimeError too: not written yet
        raise error
    assert "step" in str(error), (
        f"restore() before any step() raised {error!r}: say that step() must come first"
    )


@pytest.mark.parametrize("patience", [0, -1])
def test_early_stopping_rejects_a_patience_below_one(patience):
    raises_keeping_contract(ValueError, EarlyStopping, patience=patience)


def test_early_stopping_rejects_a_negative_min_delta():
    raises_keeping_contract(ValueError, EarlyStopping, patience=1, min_delta=-0.1)


# --- a wide network on a few noisy points --------------------------------------------------

OVERTRAIN_EPOCHS = 200


def _noisy_sine(device: torch.device):
    """8 noisy training points of sin(3x) on [-1, 1] and 32 held-out validation points."""
    generator = torch.Generator().manual_seed(0)
    X_train = torch.linspace(-1, 1, 8).unsqueeze(1)
    y_train = torch.sin(3 * X_train) + 0.3 * torch.randn(8, 1, generator=generator)
    X_val = 2 * torch.rand(32, 1, generator=generator) - 1
    y_val = torch.sin(3 * X_val) + 0.3 * torch.randn(32, 1, generator=generator)
    return (X_train.to(device), y_train.to(device)), (X_val.to(device), y_val.to(device))


def _overtrain(device: torch.device, patience: int):
    """A 64-unit network (193 parameters for 8 points) trained by Adam until it stops."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(1, 64), nn.Tanh(), nn.Linear(64, 1)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    stopper = EarlyStopping(patience=patience)
    train, val = _noisy_sine(device)
    train_losses, val_losses = keeps_contract(
        train_with_early_stopping,
        model,
        optimizer,
        train,
        val,
        stopper,
        OVERTRAIN_EPOCHS,
        changes=("model", "optimizer", "stopper"),
    )
    return model, stopper, train_losses, val_losses, val


def test_an_overtrained_wide_network_has_a_train_validation_gap(device):
    _, _, train_losses, val_losses, _ = _overtrain(device, patience=OVERTRAIN_EPOCHS)
    assert len(train_losses) == len(val_losses) == OVERTRAIN_EPOCHS, (
        f"with patience={OVERTRAIN_EPOCHS} it never stops early: expected "
        f"{OVERTRAIN_EPOCHS} losses of each kind, got {len(train_losses)} and {len(val_losses)}"
    )
    # The reference ends with a training loss several hundred times below the validation loss.
    assert train_losses[-1] < val_losses[-1] / 10, (
        f"after {OVERTRAIN_EPOCHS} epochs the training loss is {train_losses[-1]:.4f} and the "
        f"validation loss {val_losses[-1]:.4f}: a network this wide learns its 8 noisy "
        "points by heart, so the training loss should end far below the validation loss. "
        "Is the validation loss computed on the validation data?"
    )


def test_train_with_early_stopping_stops_patience_epochs_after_the_best_one(device):
    patience = 50
    _, stopper, train_losses, val_losses, _ = _overtrain(device, patience)
    best_epoch = min(range(len(val_losses)), key=val_losses.__getitem__)
    assert stopper.best_epoch == best_epoch, (
        f"best_epoch is {stopper.best_epoch} but the lowest validation loss came at epoch "
        f"{best_epoch} of {val_losses}"
    )
    assert len(val_losses) == len(train_losses) == best_epoch + patience + 1 < OVERTRAIN_EPOCHS, (
        f"the best epoch was {best_epoch}, so with patience={patience} training should stop "
        f"after epoch {best_epoch + patience}, {best_epoch + patience + 1} epochs in all; "
        f"it ran {len(val_losses)}. Do you break out of the loop when step() returns True?"
    )


@pytest.mark.parametrize(
    "patience", [50, OVERTRAIN_EPOCHS], ids=["the-stopper-says-stop", "max-epochs-run-out"]
)
def test_train_with_early_stopping_restores_the_best_validation_weights(patience, device):
    model, stopper, _, val_losses, (X_val, y_val) = _overtrain(device, patience=patience)
    assert stopper.best_epoch < len(val_losses) - 1, "the test needs a best epoch before the last"
    with torch.no_grad():
        restored = nn.functional.mse_loss(model.eval()(X_val), y_val).item()
    assert restored == pytest.approx(stopper.best_loss, rel=1e-5), (
        f"the returned model has validation loss {restored:.6f}, but the best epoch "
        f"({stopper.best_epoch} of {len(val_losses)}) had {stopper.best_loss:.6f}: call "
        "stopper.restore(model) before returning, however the loop ended (the stopper said "
        "stop, or max_epochs ran out first)"
    )
    # The reference's last epoch is about 1.36 times worse than its best.
    assert val_losses[-1] > 1.2 * stopper.best_loss, (
        f"the last epoch's validation loss {val_losses[-1]:.4f} should be well above the "
        f"best {stopper.best_loss:.4f}: the network was trained past its best epoch"
    )


class _ModeRecorder(nn.Module):
    """A linear layer that records, at each forward pass, the batch size, mode and grad mode."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(1, 1)
        self.calls: list[tuple[int, bool, bool]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls.append((len(x), self.training, torch.is_grad_enabled()))
        return self.linear(x)


def test_train_with_early_stopping_validates_in_eval_mode_without_gradients():
    model = _ModeRecorder()
    (X_train, y_train), (X_val, y_val) = _noisy_sine(torch.device("cpu"))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    train_with_early_stopping(
        model, optimizer, (X_train, y_train), (X_val, y_val), EarlyStopping(patience=5), 3
    )
    on_val = [(mode, grad) for n, mode, grad in model.calls if n == len(X_val)]
    on_train = [(mode, grad) for n, mode, grad in model.calls if n == len(X_train)]
    assert on_val and all(mode == (False, False) for mode in on_val), (
        f"(training, grad enabled) at the forward passes on the validation data: {on_val}; "
        "expected (False, False) each time: model.eval() and torch.no_grad()"
    )
    assert on_train and all(mode == (True, True) for mode in on_train), (
        f"(training, grad enabled) at the forward passes on the training data: {on_train}; "
        "expected (True, True): back to model.train() for every training step"
    )


@pytest.mark.parametrize("patience", [1, 10], ids=["the-stopper-says-stop", "max-epochs-run-out"])
def test_train_with_early_stopping_gives_the_model_back_in_training_mode(patience):
    model = _mlp_with_batch_norm_and_dropout(inputs=1)
    train, val = _noisy_sine(torch.device("cpu"))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    stopper = EarlyStopping(patience=patience)
    train_losses, _ = keeps_contract(
        train_with_early_stopping,
        model,
        optimizer,
        train,
        val,
        stopper,
        5,
        changes=("model", "optimizer", "stopper"),
    )
    assert (len(train_losses) < 5) == (patience == 1), "one run stops early, one runs out"
    modes = training_modes(model)
    assert all(modes.values()), (
        f"after train_with_early_stopping the model's modes are {modes}: put it back in "
        "training mode after each validation pass, so it comes back as a training loop "
        "leaves it"
    )


def test_train_with_early_stopping_restores_the_batch_norm_statistics_too():
    model = _mlp_with_batch_norm_and_dropout(inputs=1, width=64)
    train, (X_val, y_val) = _noisy_sine(torch.device("cpu"))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    stopper = EarlyStopping(patience=30)
    _, val_losses = train_with_early_stopping(model, optimizer, train, (X_val, y_val), stopper, 30)
    assert stopper.best_epoch < len(val_losses) - 1, "the test needs a best epoch before the last"
    with torch.no_grad():
        restored = nn.functional.mse_loss(model.eval()(X_val), y_val).item()
    assert restored == pytest.approx(stopper.best_loss, rel=1e-5), (
        f"the returned model has validation loss {restored:.6f} in eval mode, but its best "
        f"epoch ({stopper.best_epoch}) had {stopper.best_loss:.6f}: the state dict holds the "
        "batch norm's running statistics as well as the weights; keep and load all of it"
    )


def test_train_with_early_stopping_runs_a_single_epoch_when_max_epochs_is_one():
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    train, val = _noisy_sine(torch.device("cpu"))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    train_losses, val_losses = train_with_early_stopping(
        model, optimizer, train, val, EarlyStopping(patience=1), 1
    )
    assert len(train_losses) == len(val_losses) == 1, (
        f"max_epochs=1 gave {len(train_losses)} training and {len(val_losses)} validation "
        "losses, expected one of each: 1 is the smallest valid max_epochs"
    )


def test_train_with_early_stopping_rejects_max_epochs_below_one():
    model = _mlp_with_batch_norm_and_dropout(inputs=1)
    train, val = _noisy_sine(torch.device("cpu"))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    stopper = EarlyStopping(patience=1)
    raises_keeping_contract(
        ValueError, train_with_early_stopping, model, optimizer, train, val, stopper, 0
    )
