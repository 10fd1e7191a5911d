"""The schedules kata: what each function in kata/schedules.py must do."""

import copy
import math
import warnings

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn
from torch.optim import lr_scheduler

from kata.schedules import (
    CHECKPOINT_KEYS,
    cosine_lr,
    resume,
    train_with_schedule,
    training_state,
    warmup_cosine,
)
from tests.checks import (
    LOADERS,
    batch_pairs,
    epoch_by_hand,
    holds_numbers,
    keeps_contract,
    loss_by_hand,
    raises_keeping_contract,
)

EPS = 2.0**-52  # float64's machine epsilon: the spacing of floats just above 1

schedule_lengths = st.integers(min_value=1, max_value=10_000)
base_rates = st.floats(min_value=1e-6, max_value=10.0)
floor_fractions = st.floats(min_value=0.0, max_value=1.0)


def _torch_tolerance(t: int, base: float) -> float:
    """How far a rate torch computed after t scheduler steps may lie from its closed form.

    CosineAnnealingLR, LinearLR and StepLR compute each rate from the one before, and each
    step of that recursion rounds: StepLR once, CosineAnnealingLR four times (the cosines
    of its ratios are computed by the same expression twice, so they cancel exactly from
    one step to the next), LinearLR at most seven times. Each rounding is at most half a
    unit in the last place of a number no larger than base: at most 3.5 EPS * base a
    step. The closed form computed here rounds by at most 8 EPS * base. Measured on torch
    2.13 over 600 random schedules: at most 0.78 * (t + 1) * EPS * base.
    """
    return (4 * t + 8) * EPS * base


def _cosine(step: int, total: int, base: float, eta_min: float) -> float:
    """The closed form of cosine annealing, in float64."""
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * step / total)) / 2


def _two_group_optimizer(rates=(0.1, 0.02)) -> torch.optim.Optimizer:
    layer = nn.Linear(2, 1)
    return torch.optim.SGD(
        [{"params": [layer.weight], "lr": rates[0]}, {"params": [layer.bias], "lr": rates[1]}]
    )


def _rates_over(optimizer, scheduler, steps: int) -> list[list[float]]:
    """Each group's rate now and after each of `steps` optimizer steps, the scheduler stepped
    after each (an optimizer with no gradient moves nothing, but counts as having stepped)."""
    rates = [[group["lr"] for group in optimizer.param_groups]]
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        rates.append([group["lr"] for group in optimizer.param_groups])
    return rates


def _assert_rates_follow(got, expected, base: float, steps: int, what: str) -> None:
    """Each rate torch gave within _torch_tolerance of the closed form, over a schedule of
    `steps` scheduler steps from the rate `base`."""
    __tracebackhide__ = True
    assert len(got) == len(expected), f"{what}: {len(got)} rates, expected {len(expected)}"
    tolerance = _torch_tolerance(steps, base)
    for i, (rate, want) in enumerate(zip(got, expected, strict=True)):
        if not abs(rate - want) <= tolerance:
            pytest.fail(
                f"{what}: rate {i} was {rate!r}, expected {want!r} (the first rates: "
                f"{[round(r, 6) for r in got[:8]]}, expected "
                f"{[round(r, 6) for r in expected[:8]]})"
            )


# ---- cosine_lr ------------------------------------------------------------------------------


def test_cosine_lr_starts_at_the_base_rate_and_ends_at_eta_min():
    start = keeps_contract(cosine_lr, 0, 10, 0.1, 0.001)
    middle = cosine_lr(5, 10, 0.1, 0.001)
    end = cosine_lr(10, 10, 0.1, 0.001)
    assert isinstance(start, float), f"cosine_lr returned a {type(start).__name__}, not a float"
    assert (start, end) == pytest.approx((0.1, 0.001), rel=1e-15), (
        f"cosine_lr(0, 10, 0.1, 0.001) = {start} and cosine_lr(10, 10, 0.1, 0.001) = {end}; "
        "expected 0.1 at step 0 and eta_min = 0.001 at step total_steps"
    )
    assert middle == pytest.approx(0.0505, rel=1e-14), (
        f"cosine_lr(5, 10, 0.1, 0.001) = {middle}, expected 0.0505, half-way between 0.1 "
        "and 0.001: (1 + cos(pi / 2)) / 2 = 1/2"
    )
    assert cosine_lr(3, 3, 0.5) == pytest.approx(0.0, abs=1e-15), (
        "with eta_min left at its default the rate ends at 0"
    )


@pytest.mark.parametrize(
    ("total", "base", "eta_min"),
    [(1, 0.1, 0.0), (7, 0.3, 0.01), (100, 1.0, 0.0), (1000, 0.05, 1e-4)],
)
def test_cosine_lr_is_the_closed_form_of_cosine_annealing_lr(total, base, eta_min):
    optimizer = _two_group_optimizer((base, base))
    scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=total, eta_min=eta_min)
    torch_rates = [rates[0] for rates in _rates_over(optimizer, scheduler, total)]
    got = [cosine_lr(t, total, base, eta_min) for t in range(total + 1)]
    _assert_rates_follow(
        torch_rates,
        got,
        base,
        total,
        f"CosineAnnealingLR(T_max={total}, eta_min={eta_min}) from lr={base}",
    )


@given(data=st.data(), total=schedule_lengths, base=base_rates, fraction=floor_fractions)
def test_cosine_lr_equals_the_half_angle_form_of_the_same_curve(data, total, base, fraction):
    # (1 + cos(a)) / 2 = cos(a / 2) ** 2: the same curve, computed by another road. Each
    # road rounds by at most 8 EPS * base in float64, so they differ by at most 16 EPS * base.
    step = data.draw(st.integers(min_value=0, max_value=total), label="step")
    eta_min = fraction * base
    expected = eta_min + (base - eta_min) * math.cos(math.pi * step / (2 * total)) ** 2
    got = cosine_lr(step, total, base, eta_min)
    assert abs(got - expected) <= 16 * EPS * base, (
        f"cosine_lr({step}, {total}, {base}, {eta_min}) = {got!r}, expected {expected!r}: "
        "eta_min + (base_lr - eta_min) * (1 + cos(pi * step / total_steps)) / 2, in Python "
        "floats"
    )


@pytest.mark.parametrize("total", [0, -3])
def test_cosine_lr_refuses_a_schedule_of_no_steps(total):
    error = raises_keeping_contract(ValueError, cosine_lr, 0, total, 0.1)
    assert holds_numbers(str(error), abs(total)), (
        f"the message should name total_steps, {total}: {error}"
    )


@pytest.mark.parametrize("step", [-1, 11])
def test_cosine_lr_refuses_a_step_outside_the_schedule(step):
    error = raises_keeping_contract(ValueError, cosine_lr, step, 10, 0.1)
    assert holds_numbers(str(error), abs(step), 10), (
        f"the message should name the step, {step}, and total_steps, 10: {error}"
    )


# ---- warmup_cosine --------------------------------------------------------------------------


def _warmup_then_cosine(t, warmup, total, base, start_factor, eta_min) -> float:
    if t <= warmup:
        return base * (start_factor + (1 - start_factor) * t / warmup)
    return _cosine(t - warmup, total - warmup, base, eta_min)


WARMUPS = {
    "5 of 25 steps, start_factor 0.2, eta_min 1e-4": (
        5,
        25,
        {"start_factor": 0.2, "eta_min": 1e-4},
    ),
    "3 of 10 steps, the defaults": (3, 10, {}),
    "1 of 2 steps, start_factor 0.5": (1, 2, {"start_factor": 0.5}),
    "40 of 400 steps, start_factor 0.01, eta_min 1e-3": (
        40,
        400,
        {"start_factor": 0.01, "eta_min": 1e-3},
    ),
}


@pytest.mark.parametrize("case", WARMUPS)
def test_warmup_cosine_rises_along_a_line_then_follows_a_cosine(case):
    warmup, total, options = WARMUPS[case]
    start_factor, eta_min = options.get("start_factor", 0.1), options.get("eta_min", 0.0)
    optimizer = _two_group_optimizer((0.1, 0.02))
    scheduler = keeps_contract(
        warmup_cosine, optimizer, warmup, total, **options, changes=("optimizer",)
    )
    rates = _rates_over(optimizer, scheduler, total)
    for group, base in enumerate((0.1, 0.02)):
        expected = [
            _warmup_then_cosine(t, warmup, total, base, start_factor, eta_min)
            for t in range(total + 1)
        ]
        _assert_rates_follow(
            [r[group] for r in rates],
            expected,
            base,
            total,
            f"warmup_cosine(optimizer, {warmup}, {total}, {options}), param group {group} "
            f"(lr={base}): from start_factor * lr up to lr in {warmup} steps, then a cosine "
            f"down to eta_min at step {total}",
        )


def test_warmup_cosine_goes_on_from_its_state_dict(tmp_path):
    optimizer = _two_group_optimizer((0.1, 0.02))
    scheduler = warmup_cosine(optimizer, 4, 12, start_factor=0.25, eta_min=1e-3)
    _rates_over(optimizer, scheduler, 6)  # six steps in
    path = tmp_path / "state.pt"
    torch.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}, path)
    expected = _rates_over(optimizer, scheduler, 5)

    saved = torch.load(path, weights_only=True)
    fresh_optimizer = _two_group_optimizer((0.1, 0.02))
    fresh = warmup_cosine(fresh_optimizer, 4, 12, start_factor=0.25, eta_min=1e-3)
    fresh_optimizer.load_state_dict(saved["optimizer"])
    fresh.load_state_dict(saved["scheduler"])
    got = _rates_over(fresh_optimizer, fresh, 5)
    flat_got, flat_expected = [r for row in got for r in row], [r for row in expected for r in row]
    assert flat_got == pytest.approx(flat_expected, rel=1e-12), (
        f"a warmup_cosine scheduler loaded from the state_dict of one six steps into 12 gave the "
        f"rates {got}, where the saved one went on with {expected}: its state_dict() must "
        "hold its place on the schedule"
    )


@pytest.mark.parametrize(("warmup", "total"), [(0, 10), (10, 10), (12, 10)])
def test_warmup_cosine_refuses_a_warm_up_that_leaves_no_cosine(warmup, total):
    optimizer = _two_group_optimizer((0.1, 0.02))
    error = raises_keeping_contract(ValueError, warmup_cosine, optimizer, warmup, total)
    assert holds_numbers(str(error), warmup, total), (
        f"the message should name warmup_steps, {warmup}, and total_steps, {total}: {error}"
    )
    assert [group["lr"] for group in optimizer.param_groups] == [0.1, 0.02], (
        "warmup_cosine changed the optimizer's rates before it refused: check the numbers "
        "before building any scheduler"
    )


# ---- train_with_schedule --------------------------------------------------------------------


def _line(n: int, slope: float, seed: int):
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 1, generator=generator)
    return X, slope * X


def _record_rates(optimizer) -> list[float]:
    """A list that gets the rate of the first param group at every optimizer.step()."""
    rates: list[float] = []
    optimizer.register_step_pre_hook(
        lambda opt, args, kwargs: rates.append(opt.param_groups[0]["lr"])
    )
    return rates


TRAIN_LOADERS = [kind for kind in LOADERS if kind != "generator"]  # walked once per epoch


@pytest.mark.parametrize("kind", TRAIN_LOADERS)
def test_train_with_schedule_steps_a_step_lr_once_per_epoch_after_it(kind):
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    X, y = _line(12, 2.0, seed=0)
    train, n = LOADERS[kind](X, y, 4)
    batches = n // 4 if kind == "DataLoader with drop_last" else math.ceil(n / 4)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    rates = _record_rates(optimizer)
    history = keeps_contract(
        train_with_schedule,
        model,
        nn.MSELoss(),
        optimizer,
        scheduler,
        train,
        batch_pairs(*_line(6, 2.0, seed=1), 3),
        5,
        changes=("model", "optimizer", "scheduler"),
    )
    per_epoch = [0.1 * 0.5 ** (epoch // 2) for epoch in range(5)]
    expected = [rate for rate in per_epoch for _ in range(batches)]
    _assert_rates_follow(
        rates,
        expected,
        0.1,
        5,
        f"StepLR(step_size=2, gamma=0.5) over 5 epochs of {batches} batches, stepped once at "
        "the end of each epoch: the rate of every optimizer.step()",
    )
    _assert_rates_follow(
        history["lr"], per_epoch, 0.1, 5, "history['lr'], the rate each epoch began with"
    )
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.1 * 0.5**2), (
        f"after 5 epochs the optimizer's rate is {optimizer.param_groups[0]['lr']}, expected "
        "0.025, the rate of epoch 6: step the scheduler after every epoch, the last one too"
    )


@pytest.mark.parametrize("kind", TRAIN_LOADERS)
def test_train_with_schedule_steps_per_batch_when_asked(kind):
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    X, y = _line(10, 2.0, seed=0)
    train, n = LOADERS[kind](X, y, 4)
    batches = n // 4 if kind == "DataLoader with drop_last" else math.ceil(n / 4)
    epochs = 4
    total = epochs * batches
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2)
    scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=total, eta_min=0.01)
    rates = _record_rates(optimizer)
    history = train_with_schedule(
        model,
        nn.MSELoss(),
        optimizer,
        scheduler,
        train,
        batch_pairs(*_line(6, 2.0, seed=1), 3),
        epochs,
        per_batch=True,
    )
    expected = [_cosine(t, total, 0.2, 0.01) for t in range(total)]
    _assert_rates_follow(
        rates,
        expected,
        0.2,
        total,
        f"CosineAnnealingLR(T_max={total}) over {epochs} epochs of {batches} batches, stepped "
        "after every optimizer.step(): the rate of every step",
    )
    _assert_rates_follow(
        history["lr"],
        expected[::batches],
        0.2,
        total,
        "history['lr'], the rate each epoch began with",
    )
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.01, rel=1e-9), (
        f"after all {total} steps the rate is {optimizer.param_groups[0]['lr']}, expected "
        "eta_min = 0.01: step the scheduler after every batch, the last one too"
    )


@pytest.mark.parametrize("per_batch", [False, True], ids=["per epoch", "per batch"])
def test_the_scheduler_never_steps_before_the_optimizer(per_batch):
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    rates = _record_rates(optimizer)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train_with_schedule(
            model,
            nn.MSELoss(),
            optimizer,
            scheduler,
            batch_pairs(*_line(8, 2.0, seed=0), 4),
            batch_pairs(*_line(4, 2.0, seed=1), 4),
            2,
            per_batch=per_batch,
        )
    order = [str(w.message) for w in caught if "lr_scheduler.step()" in str(w.message)]
    assert not order, f"torch warned: {order[0]}"
    assert rates[0] == 0.1, (
        f"the first optimizer.step() ran with rate {rates[0]}, expected 0.1: a scheduler "
        "stepped before the optimizer skips the first rate of its schedule"
    )


def _overfitting_data():
    """Training data on the line y = 2x, validation data on y = -2x: from a weight of 0, every
    epoch lowers the training loss and raises the validation loss."""
    train = batch_pairs(*_line(12, 2.0, seed=0), 4)
    val = batch_pairs(*_line(8, -2.0, seed=1), 4)
    return train, val


def _model_from_zero() -> nn.Module:
    model = nn.Linear(1, 1, bias=False)
    nn.init.zeros_(model.weight)
    return model


def test_a_plateau_scheduler_steps_on_the_validation_loss():
    train, val = _overfitting_data()
    model = _model_from_zero()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=1)
    rates = _record_rates(optimizer)
    history = train_with_schedule(model, nn.MSELoss(), optimizer, scheduler, train, val, 6)

    replay_optimizer = torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.05)
    replay = lr_scheduler.ReduceLROnPlateau(replay_optimizer, factor=0.5, patience=1)
    expected = []
    for val_loss in history["val_loss"]:
        expected.append(replay_optimizer.param_groups[0]["lr"])
        replay.step(val_loss)
    assert min(expected) < 0.05, "the scenario must cut the rate: the validation loss rises"
    assert history["lr"] == pytest.approx(expected, rel=1e-12), (
        f"with validation losses {[round(v, 4) for v in history['val_loss']]} (rising) and "
        f"training losses {[round(v, 4) for v in history['train_loss']]} (falling), the "
        f"rates of the epochs were {history['lr']}; ReduceLROnPlateau(factor=0.5, "
        f"patience=1) stepped once per epoch with the validation loss gives {expected}"
    )
    assert rates == pytest.approx([r for r in expected for _ in range(3)], rel=1e-12), (
        f"the rates of the optimizer's steps were {rates}: the rate may change only between epochs"
    )


def test_a_plateau_scheduler_cannot_step_per_batch():
    train, val = _overfitting_data()
    model = _model_from_zero().eval()  # it must come back as it was: nothing may change
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer)
    raises_keeping_contract(
        ValueError,
        train_with_schedule,
        model,
        nn.MSELoss(),
        optimizer,
        scheduler,
        train,
        val,
        3,
        per_batch=True,
    )
    assert optimizer.param_groups[0]["lr"] == 0.05 and not optimizer.state, (
        "the optimizer stepped before train_with_schedule refused: check first"
    )


@pytest.mark.parametrize("kind", ["list of pairs", "DataLoader with drop_last"])
def test_an_empty_training_loader_is_refused(kind):
    X, y = _line(3, 2.0, seed=0)  # fewer samples than one batch of 4: all dropped
    empty, _ = LOADERS[kind](X[:0] if kind == "list of pairs" else X, y, 4)
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=1)
    raises_keeping_contract(
        ValueError,
        train_with_schedule,
        model,
        nn.MSELoss(),
        optimizer,
        scheduler,
        empty,
        batch_pairs(X, y, 4),
        2,
    )


def _classes(n: int, seed: int):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(n, 4, generator=generator), torch.randint(0, 3, (n,), generator=generator)


def _classifier() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 3)
    )


def _history_by_hand(model, loss_fn, optimizer, scheduler, train, val, epochs):
    history = {"train_loss": [], "val_loss": [], "lr": []}
    for _ in range(epochs):
        history["lr"].append(optimizer.param_groups[0]["lr"])
        history["train_loss"].append(epoch_by_hand(model, loss_fn, optimizer, train))
        # one pass: each pass over a DataLoader draws from the global RNG
        history["val_loss"].append(loss_by_hand(model, loss_fn, val))
        model.train()
        scheduler.step()
    return history


@pytest.mark.parametrize("kind", ["DataLoader", "list of pairs"])
def test_train_with_schedule_returns_each_epochs_losses_as_floats(kind):
    # Cross-entropy is not symmetric, the model holds batch norm and dropout, the last
    # training batch is short and the validation loss is taken in eval mode.
    (X, y), (X_val, y_val) = _classes(10, seed=0), _classes(6, seed=1)
    model = _classifier()
    twin = copy.deepcopy(model)
    twin_optimizer = torch.optim.SGD(twin.parameters(), lr=0.1, momentum=0.9)
    twin_scheduler = lr_scheduler.StepLR(twin_optimizer, step_size=1, gamma=0.5)
    torch.manual_seed(1)  # the same dropout masks for both
    expected = _history_by_hand(
        twin,
        nn.CrossEntropyLoss(),
        twin_optimizer,
        twin_scheduler,
        LOADERS[kind](X, y, 4)[0],
        LOADERS[kind](X_val, y_val, 4)[0],
        3,
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    torch.manual_seed(1)
    got = train_with_schedule(
        model,
        nn.CrossEntropyLoss(),
        optimizer,
        scheduler,
        LOADERS[kind](X, y, 4)[0],
        LOADERS[kind](X_val, y_val, 4)[0],
        3,
    )
    assert sorted(got) == ["lr", "train_loss", "val_loss"], (
        f"the history has the keys {sorted(got)}, expected lr, train_loss and val_loss"
    )
    for key, values in got.items():
        assert all(isinstance(v, float) for v in values), (
            f"history[{key!r}] holds {[type(v).__name__ for v in values]}: Python floats"
        )
        assert values == pytest.approx(expected[key], rel=1e-5), (
            f"history[{key!r}] is {values}, expected {expected[key]}: the mean loss per "
            "sample of each epoch's training batches (each taken before its step) and of "
            "the validation data in eval mode, and the rate each epoch began with"
        )
    torch.testing.assert_close(
        model.state_dict(),
        twin.state_dict(),
        msg=lambda m: f"after 3 epochs the weights are not where the schedule takes them.\n{m}",
    )


# ---- training_state and resume --------------------------------------------------------------


def _rising_validation_loss(model) -> float:
    _, val = _overfitting_data()
    with torch.no_grad():
        return sum(nn.MSELoss()(model(X), y).item() for X, y in val) / len(val)


def _epochs(model, optimizer, scheduler, epochs: int, per_batch: bool) -> list[float]:
    """Train on the overfitting data, stepping the scheduler as it should be; the rate of
    every optimizer step."""
    train, _ = _overfitting_data()
    rates = []
    for _ in range(epochs):
        for X, y in train:
            rates.append(optimizer.param_groups[0]["lr"])
            optimizer.zero_grad()
            nn.MSELoss()(model(X), y).backward()
            optimizer.step()
            if per_batch:
                scheduler.step()
        if isinstance(scheduler, lr_scheduler.ReduceLROnPlateau):
            scheduler.step(_rising_validation_loss(model))
        elif not per_batch:
            scheduler.step()
    return rates


SCHEDULES = {
    "StepLR, per epoch": (lambda opt: lr_scheduler.StepLR(opt, step_size=2, gamma=0.5), False),
    "ReduceLROnPlateau, per epoch": (
        lambda opt: lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1),
        False,
    ),
    "CosineAnnealingLR, per batch": (
        lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=18, eta_min=1e-3),
        True,
    ),
    "LinearLR then CosineAnnealingLR, per batch": (
        lambda opt: lr_scheduler.SequentialLR(
            opt,
            [
                lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=4),
                lr_scheduler.CosineAnnealingLR(opt, T_max=14),
            ],
            milestones=[4],
        ),
        True,
    ),
}


def _build(schedule: str, seed: int):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(1, 1, bias=False))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    make, per_batch = SCHEDULES[schedule]
    return model, optimizer, make(optimizer), per_batch


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_a_resumed_run_follows_the_same_rates_and_weights(schedule, tmp_path):
    model, optimizer, scheduler, per_batch = _build(schedule, seed=0)
    straight = _epochs(model, optimizer, scheduler, 6, per_batch)

    first, first_optimizer, first_scheduler, _ = _build(schedule, seed=0)
    _epochs(first, first_optimizer, first_scheduler, 3, per_batch)
    state = keeps_contract(training_state, first, first_optimizer, first_scheduler, 3)
    assert set(state) == set(CHECKPOINT_KEYS), (
        f"training_state returned the keys {sorted(state)}, expected {list(CHECKPOINT_KEYS)}"
    )
    path = tmp_path / "checkpoint.pt"
    torch.save(state, path)
    saved = torch.load(path, weights_only=True)

    second, second_optimizer, second_scheduler, _ = _build(schedule, seed=1)  # other weights
    epoch = keeps_contract(
        resume,
        saved,
        second,
        second_optimizer,
        second_scheduler,
        changes=("model", "optimizer", "scheduler"),
    )
    assert epoch == 3 and isinstance(epoch, int), f"resume returned {epoch!r}, expected 3"
    resumed = _epochs(second, second_optimizer, second_scheduler, 3, per_batch)
    half = len(straight) // 2
    assert resumed == pytest.approx(straight[half:], rel=1e-12), (
        f"{schedule}: after resuming at epoch 3 the steps ran with the rates {resumed}; the "
        f"run that never stopped used {straight[half:]}. The scheduler's state_dict holds "
        "its place on the schedule, the optimizer's the rate of each group: save and load both"
    )
    torch.testing.assert_close(
        second.state_dict(),
        model.state_dict(),
        msg=lambda m: (
            f"{schedule}: the resumed run ended with other weights than the run that never "
            f"stopped: the momentum buffers are in the optimizer's state_dict.\n{m}"
        ),
    )


@pytest.mark.parametrize("key", CHECKPOINT_KEYS)
def test_resume_refuses_a_checkpoint_that_lacks_a_part(key):
    model, optimizer, scheduler, per_batch = _build("StepLR, per epoch", seed=0)
    _epochs(model, optimizer, scheduler, 1, per_batch)
    state = training_state(model, optimizer, scheduler, 1)
    del state[key]
    fresh, fresh_optimizer, fresh_scheduler, _ = _build("StepLR, per epoch", seed=1)
    error = raises_keeping_contract(
        ValueError, resume, state, fresh, fresh_optimizer, fresh_scheduler
    )
    assert key in str(error), f"the message should name the missing key {key!r}: {error}"
    assert fresh_scheduler.last_epoch == 0 and not fresh_optimizer.state, (
        "resume loaded part of the checkpoint before it refused: check every key first"
    )
