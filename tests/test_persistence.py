"""The persistence kata: what each function in kata/persistence.py must do."""

import os
import pickle
import re

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from kata.persistence import (
    CheckpointError,
    atomic_save,
    load_checkpoint,
    load_model,
    safe_load,
    save_checkpoint,
    save_model,
)
from tests.checks import keeps_contract, raises_keeping_contract, save_as_if_on_a_gpu
from tests.strategies import finite_floats, shapes

saved_arrays = st.dictionaries(
    st.sampled_from(["weight", "bias", "scale"]),
    hnp.arrays(np.float32, shapes, elements=finite_floats.map(np.float32)),
    min_size=1,
)


class _DiskFull(Exception):
    """What a save that fails half-way raises in these tests."""


class _FailsHalfWay:
    """Pickling this raises, after torch.save has already written part of the file."""

    def __reduce__(self):
        raise _DiskFull("the disk filled up half-way through the save")


class _RunsCode:
    """A pickle that, when loaded, creates the folder `marker`: a stand-in for any code."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def _model(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 1))


def _model_with_batch_norm(seed: int) -> nn.Module:
    """A model in train mode with batch norm (buffers) and dropout."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.3))
    return model.append(nn.Linear(8, 1)).train()


def _optimizer(model: nn.Module) -> torch.optim.Optimizer:
    return torch.optim.Adam(model.parameters(), lr=0.01)


def _loader() -> DataLoader:
    """24 samples in shuffled batches of 5; with no generator it draws from the global RNG."""
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(24, 3, generator=generator)
    y = x.sum(dim=1, keepdim=True) + 0.1 * torch.randn(24, 1, generator=generator)
    return DataLoader(TensorDataset(x, y), batch_size=5, shuffle=True)


def _train(model, optimizer, loader, epochs):
    model.train()  # dropout on: it draws from the global RNG
    for _ in range(epochs):
        for x, y in loader:  # iter(loader) draws the shuffle from the global RNG
            loss = nn.functional.mse_loss(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


def _assert_same_parameters(got: nn.Module, expected: nn.Module, what: str):
    __tracebackhide__ = True
    for (name, p), q in zip(got.named_parameters(), expected.parameters(), strict=True):
        if not torch.equal(p, q):
            pytest.fail(
                f"{what}: parameter {name} differs by up to {(p - q).abs().max().item():.3g}; "
                "it must be equal bit for bit"
            )


# atomic_save


def test_atomic_save_writes_a_file_that_torch_load_reads(tmp_path):
    path = tmp_path / "state.pt"
    obj = {"weight": torch.arange(6.0).reshape(2, 3), "step": 7}
    keeps_contract(atomic_save, obj, path)
    loaded = torch.load(path, weights_only=True)
    torch.testing.assert_close(loaded, obj)


def test_atomic_save_replaces_an_existing_file(tmp_path):
    path = tmp_path / "state.pt"
    atomic_save({"weight": torch.zeros(3)}, path)
    atomic_save({"weight": torch.ones(3)}, path)
    loaded = torch.load(path, weights_only=True)
    assert torch.equal(loaded["weight"], torch.ones(3)), (
        f"after saving twice the file holds {loaded}: the second save must replace the first"
    )


def test_atomic_save_that_fails_half_way_keeps_the_old_file(tmp_path):
    path = tmp_path / "state.pt"
    atomic_save({"weight": torch.ones(3)}, path)
    with pytest.raises(_DiskFull):
        atomic_save({"weight": torch.zeros(1000), "broken": _FailsHalfWay()}, path)
    loaded = torch.load(path, weights_only=True)
    assert torch.equal(loaded["weight"], torch.ones(3)), (
        "a save that failed half-way changed the old file: write to a temporary file and "
        "os.replace it onto the target only once it is complete"
    )


def test_atomic_save_that_fails_leaves_no_temporary_file_behind(tmp_path):
    path = tmp_path / "state.pt"
    atomic_save({"weight": torch.ones(3)}, path)
    with pytest.raises(_DiskFull):
        atomic_save({"broken": _FailsHalfWay()}, path)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["state.pt"], (
        f"after a failed save the folder holds {left}: delete the temporary file when "
        "anything fails, then re-raise"
    )


def test_atomic_save_writes_the_temporary_file_in_the_same_folder(tmp_path, monkeypatch):
    moves = []

    def spy(real):
        def move(src, dst, *args, **kwargs):
            moves.append((os.fspath(src), os.fspath(dst)))
            return real(src, dst, *args, **kwargs)

        return move

    monkeypatch.setattr(os, "replace", spy(os.replace))
    monkeypatch.setattr(os, "rename", spy(os.rename))
    path = tmp_path / "state.pt"
    atomic_save({"weight": torch.ones(3)}, path)
    assert moves, "the file never went through os.replace: save elsewhere, then swap it in"
    src, dst = moves[-1]
    assert os.path.dirname(src) == str(tmp_path) and dst == str(path), (
        f"moved {src} onto {dst}: the temporary file must sit in the folder of {path}, "
        "because os.replace renames within one file system only"
    )


def test_atomic_save_fsyncs_before_it_replaces(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: events.append("fsync") or real_fsync(fd))
    monkeypatch.setattr(
        os, "replace", lambda *a, **k: events.append("replace") or real_replace(*a, **k)
    )
    atomic_save({"weight": torch.ones(3)}, tmp_path / "state.pt")
    assert "fsync" in events and "replace" in events, f"saw only {events}"
    assert events.index("fsync") < events.index("replace"), (
        f"saw {events}: os.fsync the temporary file before os.replace, or a crash can "
        "leave the new name pointing at bytes that never reached the disk"
    )


def test_atomic_save_rejects_a_folder_that_does_not_exist(tmp_path):
    missing = tmp_path / "no_such_folder"
    error = raises_keeping_contract(
        FileNotFoundError, atomic_save, {"weight": torch.ones(3)}, missing / "state.pt"
    )
    assert "no_such_folder" in str(error), f"the message should name the folder: {error}"
    assert not missing.exists(), "atomic_save must not create the folder"


# safe_load


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(arrays=saved_arrays)
def test_safe_load_returns_what_atomic_save_wrote(arrays, tmp_path):
    state = {name: torch.from_numpy(a) for name, a in arrays.items()}
    path = tmp_path / "state.pt"
    atomic_save(state, path)
    torch.testing.assert_close(keeps_contract(safe_load, path), state, rtol=0, atol=0)


def test_safe_load_refuses_a_pickle_that_would_run_code(tmp_path):
    proof = tmp_path / "proof_the_payload_works"
    pickle.loads(pickle.dumps(_RunsCode(proof)))
    assert proof.is_dir(), "the payload of this test should run under plain pickle"

    marker, path = tmp_path / "code_ran", tmp_path / "evil.pt"
    torch.save(_RunsCode(marker), path)
    try:
        safe_load(path)
    except CheckpointError as err:
        assert path.name in str(err), f"the CheckpointError should name {path}: {err}"
    else:
        pytest.fail(
            "safe_load loaded a pickle that calls os.mkdir, and the call ran: "
            "torch.load(path, weights_only=True) refuses pickles that call functions"
        )
    assert not marker.exists(), "loading the file ran its code even though it was refused"


def test_safe_load_refuses_code_even_when_the_environment_relaxes_the_default(
    tmp_path, monkeypatch
):
    # This variable makes torch.load fall back to weights_only=False wherever the caller
    # left weights_only unset; an explicit weights_only=True still holds.
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    marker, path = tmp_path / "code_ran", tmp_path / "evil.pt"
    torch.save(_RunsCode(marker), path)
    with pytest.raises(CheckpointError):
        safe_load(path)
    assert not marker.exists(), (
        "with TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 in the environment, safe_load ran the code "
        "in the file: pass weights_only=True to torch.load explicitly, do not rely on the default"
    )


def _truncated(path):
    torch.save({"weight": torch.arange(100.0)}, path)
    path.write_bytes(path.read_bytes()[:300])


@pytest.mark.parametrize(
    "spoil",
    [
        _truncated,
        lambda p: p.write_bytes(b"this is not a checkpoint"),
        lambda p: p.write_bytes(b""),
    ],
    ids=["truncated", "garbage", "empty"],
)
def test_safe_load_names_a_broken_file_in_a_checkpoint_error(spoil, tmp_path):
    path = tmp_path / "broken.pt"
    spoil(path)
    error = raises_keeping_contract(CheckpointError, safe_load, path)
    assert path.name in str(error), f"the CheckpointError should name {path.name}: {error}"


def test_safe_load_chains_the_error_from_torch(tmp_path):
    path = tmp_path / "broken.pt"
    _truncated(path)
    with pytest.raises(CheckpointError) as raised:
        safe_load(path)
    assert raised.value.__cause__ is not None, (
        "raise CheckpointError(...) from err, so that torch's own message is kept"
    )


def test_safe_load_rejects_a_file_that_does_not_exist(tmp_path):
    error = raises_keeping_contract(
        FileNotFoundError, safe_load, tmp_path / "missing_checkpoint.pt"
    )
    assert "missing_checkpoint" in str(error), f"the message should name the file: {error}"


def test_safe_load_refuses_a_folder_naming_it(tmp_path):
    folder = tmp_path / "a_folder.pt"
    folder.mkdir()
    with pytest.raises((FileNotFoundError, CheckpointError)) as raised:
        safe_load(folder)
    assert "a_folder" in str(raised.value), (
        f"safe_load of a folder raised {raised.value!r}: the message should name it"
    )


def test_safe_load_maps_every_tensor_to_the_cpu(device, tmp_path):
    path = tmp_path / "state.pt"
    torch.save({"weight": torch.ones(3, device=device)}, path)
    loaded = safe_load(path)
    assert loaded["weight"].device == torch.device("cpu"), (
        f"a tensor saved on {device} came back on {loaded['weight'].device}: "
        "map_location='cpu' makes a checkpoint load on any machine"
    )


def test_safe_load_puts_a_checkpoint_saved_on_a_gpu_on_the_cpu(tmp_path):
    path = tmp_path / "from_a_gpu.pt"
    save_as_if_on_a_gpu({"weight": torch.arange(3.0)}, path)
    try:
        loaded = safe_load(path)
    except CheckpointError as err:
        pytest.fail(
            f"a checkpoint saved on cuda:0 could not be loaded here ({err.__cause__}): "
            "torch.load(..., map_location='cpu') loads it on any machine"
        )
    assert loaded["weight"].device == torch.device("cpu"), (
        f"a tensor saved on cuda:0 came back on {loaded['weight'].device}: "
        "map_location='cpu' puts every tensor on the cpu"
    )
    assert torch.equal(loaded["weight"].cpu(), torch.arange(3.0))


# save_model and load_model


def test_load_model_gives_the_outputs_of_the_saved_model(device, tmp_path):
    x = torch.randn(4, 3, device=device)
    trained, fresh = _model(seed=0).to(device).eval(), _model(seed=1).to(device).eval()
    assert not torch.equal(fresh(x), trained(x)), "the two models should start different"
    path = tmp_path / "model.pt"
    save_model(trained, path)
    load_model(fresh, path)
    assert torch.equal(fresh(x), trained(x)), (
        "a fresh model loaded from the file gives other outputs than the saved model"
    )


def test_load_model_returns_the_model_it_filled(tmp_path):
    path = tmp_path / "model.pt"
    save_model(_model_with_batch_norm(seed=0), path)
    fresh = _model_with_batch_norm(seed=1)
    got = keeps_contract(load_model, fresh, path, changes=("model",))
    assert got is fresh, "load_model must return the model it was given"


def test_load_model_fills_a_cpu_model_from_weights_saved_on_a_gpu(tmp_path):
    path = tmp_path / "from_a_gpu.pt"
    trained = _model(seed=0)
    save_as_if_on_a_gpu(trained.state_dict(), path)
    fresh = _model(seed=1)
    try:
        load_model(fresh, path)
    except (CheckpointError, RuntimeError) as err:
        pytest.fail(
            f"weights saved on cuda:0 could not fill a model here ({err!r}): load them "
            "with safe_load, whose map_location='cpu' loads them on any machine"
        )
    _assert_same_parameters(fresh, trained, "after load_model of weights saved on a GPU")


@pytest.mark.parametrize(
    "spoil",
    [_truncated, lambda p: p.write_bytes(b"this is not a checkpoint"), None],
    ids=["truncated", "garbage", "runs-code"],
)
def test_load_model_names_a_broken_file_and_leaves_the_model_alone(spoil, tmp_path):
    path, marker = tmp_path / "broken.pt", tmp_path / "code_ran"
    if spoil is None:
        torch.save(_RunsCode(marker), path)
    else:
        spoil(path)
    # raises_keeping_contract also checks that the model is left as it was
    error = raises_keeping_contract(CheckpointError, load_model, _model_with_batch_norm(1), path)
    assert path.name in str(error), f"the CheckpointError should name {path.name}: {error}"
    assert not marker.exists(), "loading the file ran its code: load it with safe_load"


def test_load_model_fills_a_cpu_model_from_weights_saved_on_any_device(device, tmp_path):
    path = tmp_path / "model.pt"
    trained = _model(seed=0).to(device)
    save_model(trained, path)
    fresh = load_model(_model(seed=1), path)
    _assert_same_parameters(fresh, trained.cpu(), "after load_model")


def test_save_model_writes_the_state_dict_that_torch_load_reads(tmp_path):
    path = tmp_path / "model.pt"
    model = _model_with_batch_norm(seed=0)
    keeps_contract(save_model, model, path)  # the model keeps its train mode and its weights
    loaded = torch.load(path, weights_only=True)
    assert isinstance(loaded, dict), (
        f"the file holds a {type(loaded).__name__}: save model.state_dict(), not the model"
    )
    torch.testing.assert_close(loaded, model.state_dict())


def test_save_model_rejects_a_folder_that_does_not_exist(tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such_folder"):
        save_model(_model(seed=0), tmp_path / "no_such_folder" / "model.pt")


def test_load_model_rejects_a_file_that_does_not_exist(tmp_path):
    missing = tmp_path / "missing_model.pt"
    error = raises_keeping_contract(FileNotFoundError, load_model, _model(seed=0), missing)
    assert "missing_model" in str(error), f"the message should name the file: {error}"


# save_checkpoint and load_checkpoint


def test_training_resumed_from_a_checkpoint_matches_uninterrupted_training_bit_for_bit(tmp_path):
    straight = _model(seed=0)
    _train(straight, _optimizer(straight), _loader(), epochs=4)

    first_half = _model(seed=0)
    optimizer = _optimizer(first_half)
    _train(first_half, optimizer, _loader(), epochs=2)
    save_checkpoint(first_half, optimizer, 2, tmp_path / "checkpoint.pt")

    resumed = _model(seed=1)  # a new process: other weights, other RNG state
    optimizer = _optimizer(resumed)
    epoch = load_checkpoint(resumed, optimizer, tmp_path / "checkpoint.pt")
    _train(resumed, optimizer, _loader(), epochs=4 - epoch)
    _assert_same_parameters(
        resumed,
        straight,
        "2 epochs, save, load, 2 more epochs did not match 4 epochs in one go (does the "
        "checkpoint hold the optimizer state and torch.get_rng_state()?)",
    )


def test_load_checkpoint_returns_the_saved_epoch(tmp_path):
    model = _model_with_batch_norm(seed=0)
    keeps_contract(save_checkpoint, model, _optimizer(model), 3, tmp_path / "checkpoint.pt")
    fresh = _model_with_batch_norm(seed=1)
    epoch = keeps_contract(
        load_checkpoint,
        fresh,
        _optimizer(fresh),
        tmp_path / "checkpoint.pt",
        changes=("model", "optimizer"),
    )
    assert epoch == 3, f"load_checkpoint returned {epoch!r}, expected the saved epoch 3"


def test_load_checkpoint_restores_the_optimizer_state(tmp_path):
    model = _model(seed=0)
    optimizer = _optimizer(model)
    _train(model, optimizer, _loader(), epochs=1)
    save_checkpoint(model, optimizer, 1, tmp_path / "checkpoint.pt")
    fresh = _model(seed=1)
    fresh_optimizer = _optimizer(fresh)
    load_checkpoint(fresh, fresh_optimizer, tmp_path / "checkpoint.pt")
    torch.testing.assert_close(
        fresh_optimizer.state_dict()["state"],
        optimizer.state_dict()["state"],
        msg=lambda m: f"Adam's running averages were not restored: {m}",
    )


def test_load_checkpoint_restores_the_global_random_state(tmp_path):
    model = _model(seed=0)
    save_checkpoint(model, _optimizer(model), 0, tmp_path / "checkpoint.pt")
    expected = torch.rand(5)  # what the saved run draws next
    torch.manual_seed(12345)
    fresh = _model(seed=1)
    load_checkpoint(fresh, _optimizer(fresh), tmp_path / "checkpoint.pt")
    got = torch.rand(5)
    assert torch.equal(got, expected), (
        f"after load_checkpoint torch.rand(5) gave {got}, the saved run drew {expected}: "
        "save torch.get_rng_state() and restore it with torch.set_rng_state"
    )


def test_save_checkpoint_rejects_a_negative_epoch(tmp_path):
    model = _model(seed=0)
    path = tmp_path / "checkpoint.pt"
    raises_keeping_contract(ValueError, save_checkpoint, model, _optimizer(model), -1, path)
    assert not path.exists(), "a refused checkpoint was written all the same"


def test_save_checkpoint_rejects_a_folder_that_does_not_exist(tmp_path):
    model, path = _model(seed=0), tmp_path / "no_such_folder" / "c.pt"
    error = raises_keeping_contract(
        FileNotFoundError, save_checkpoint, model, _optimizer(model), 1, path
    )
    assert "no_such_folder" in str(error), f"the message should name the folder: {error}"


def test_load_checkpoint_rejects_a_file_that_holds_no_checkpoint(tmp_path):
    path = tmp_path / "model.pt"
    torch.save(_model(seed=0).state_dict(), path)
    fresh = _model(seed=1)
    error = raises_keeping_contract(
        CheckpointError, load_checkpoint, fresh, _optimizer(fresh), path
    )
    assert path.name in str(error), f"the CheckpointError should name {path.name}: {error}"


def test_load_checkpoint_refuses_a_checkpoint_with_keys_missing_before_loading_anything(
    tmp_path,
):
    path = tmp_path / "half.pt"
    torch.save({"model": _model_with_batch_norm(seed=0).state_dict(), "epoch": 3}, path)
    fresh = _model_with_batch_norm(seed=1)
    # the model must come back as it was: check the keys before loading any of them
    error = raises_keeping_contract(
        CheckpointError, load_checkpoint, fresh, _optimizer(fresh), path
    )
    for key in ("optimizer", "rng_state"):
        assert key in str(error), f"the CheckpointError should name the missing {key}: {error}"


@pytest.mark.parametrize(
    "content",
    [torch.arange(4.0), [torch.zeros(2), 3]],
    ids=["a bare tensor", "a list"],
)
def test_load_checkpoint_rejects_a_file_that_holds_no_dict(content, tmp_path):
    path = tmp_path / "not_a_dict.pt"
    torch.save(content, path)
    fresh = _model(seed=1)
    with pytest.raises(CheckpointError, match=re.escape(path.name)):
        load_checkpoint(fresh, _optimizer(fresh), path)


def test_load_checkpoint_rejects_a_file_that_does_not_exist(tmp_path):
    model = _model(seed=0)
    with pytest.raises(FileNotFoundError, match="missing_checkpoint"):
        load_checkpoint(model, _optimizer(model), tmp_path / "missing_checkpoint.pt")
