"""The distributed kata: what each function in kata/distributed.py must do.

The backend table, the sampler (it needs no process group), the loop and the loading of
checkpoints are tested in this process. Everything that needs a process group shares one
run of two ranks (tests/ranks.py spawns them, with this process's katas): each rank joins
a group of its own, waits for a rank that never comes, then trains with the other rank and
saves; it keeps what it saw in files, and each test reads the file of its behaviour.
"""

import copy
import math
import os
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
import torch.distributed as dist
from hypothesis import given
from hypothesis import strategies as st
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.testing import assert_close
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

from kata.distributed import (
    backend_for,
    load_into_plain_model,
    save_on_rank0,
    setup_process_group,
    sharded_loader,
    train_ddp,
    wrap_model,
)
from tests.checks import keeps_contract, raises_keeping_contract, save_as_if_on_a_gpu
from tests.ranks import RankError, run_on_ranks

dataset_sizes = st.integers(min_value=1, max_value=60)
world_sizes = st.integers(min_value=1, max_value=6)
samples_per_rank = st.integers(min_value=1, max_value=10)
seeds = st.integers(min_value=0, max_value=2**31 - 1)

FEATURES, SAMPLES, EPOCHS, LR = 3, 16, 3, 0.1


def _shards(size: int, world_size: int, seed: int, epoch: int = 0) -> list[list[int]]:
    """The sample indices each rank's loader yields in one epoch, rank by rank."""
    dataset = TensorDataset(torch.arange(size))
    shards = []
    for rank in range(world_size):
        loader = keeps_contract(sharded_loader, dataset, 4, rank, world_size, seed=seed)
        loader.sampler.set_epoch(epoch)
        shards.append([int(i) for (batch,) in loader for i in batch])
    return shards


def _data() -> tuple[torch.Tensor, torch.Tensor]:
    """The same regression data on every rank and in this process."""
    generator = torch.Generator().manual_seed(1234)
    X = torch.randn(SAMPLES, FEATURES, generator=generator)
    return X, X @ torch.tensor([[0.5], [-1.0], [2.0]]) + 0.1


def _destroy_group() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()


# torch's own table, device type -> backend: cpu gloo, cuda nccl, and in torch 2.13 mps
# gloo, xpu xccl. Each entry with a device index, as a torch.device and as a string.
BACKENDS = sorted(dist.Backend.default_device_backend_map.items())


@pytest.mark.parametrize(("kind", "expected"), BACKENDS, ids=[kind for kind, _ in BACKENDS])
@pytest.mark.parametrize("spelled", ["torch.device", "str"])
def test_backend_for_each_device_type_is_the_one_torch_pairs_with_it(kind, expected, spelled):
    device = torch.device(kind, 1) if spelled == "torch.device" else f"{kind}:1"
    got = keeps_contract(backend_for, device)
    assert got == expected, (
        f"backend_for({device!r}) returned {got!r}, expected {expected!r}: "
        "see dist.Backend.default_device_backend_map"
    )


@pytest.mark.parametrize("device", [torch.device("meta"), "meta"], ids=["torch.device", "str"])
def test_backend_for_a_device_type_without_a_backend_raises(device):
    raises_keeping_contract(ValueError, backend_for, device)


def test_setup_process_group_joins_with_the_given_rank_and_world_size(ddp_run):
    joined = _kept(ddp_run, "joined0")
    expected = (True, 0, 1, "gloo")
    assert joined == expected, (
        "after setup_process_group(0, 1) with its defaults (initialized, rank, world "
        f"size, backend) was {joined}, expected {expected}"
    )


def test_setup_process_group_gives_up_after_its_timeout_when_a_rank_never_comes(ddp_run):
    message = _kept(ddp_run, "gave_up0")
    assert message is not None, "joining a group of two alone returned instead of raising"
    assert "timeout" in message.lower(), f"expected a timeout error, got {message!r}"


@pytest.fixture
def store(tmp_path):
    """A file store's init_method for this test, and no process group left behind after it."""
    yield f"file://{tmp_path / 'store'}"
    _destroy_group()


@pytest.fixture
def one_rank_group():
    """A default process group of one rank in this process, for what needs a group to exist."""
    dist.init_process_group("gloo", store=dist.HashStore(), rank=0, world_size=1)
    yield
    _destroy_group()


def test_setup_process_group_meets_the_torchrun_way_and_leaves_the_environment_alone(
    monkeypatch,
):
    # env:// with what torchrun sets; port 0: the store takes any free port, and with no
    # other rank to find it, none needs to know it.
    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")
    monkeypatch.setenv("MASTER_PORT", "0")
    environment = dict(os.environ)
    try:
        keeps_contract(setup_process_group, 0, 1, "env://", "gloo", timeout_s=10)
        joined = (dist.is_initialized(), dist.get_rank(), dist.get_world_size())
    finally:
        _destroy_group()
    assert joined == (True, 0, 1), f"(initialized, rank, world size) was {joined}"
    changed = {
        name: (environment.get(name), os.environ.get(name))
        for name in set(environment) | set(os.environ)
        if environment.get(name) != os.environ.get(name)
    }
    assert not changed, (
        f"setup_process_group changed the environment (before, after): {changed}: under "
        "torchrun, MASTER_ADDR and MASTER_PORT say where the ranks meet; read them, never set them"
    )


@pytest.mark.parametrize("rank", [-1, 2])
def test_setup_process_group_rejects_a_rank_outside_the_world(rank, store):
    raises_keeping_contract(ValueError, setup_process_group, rank, 2, store, "gloo", timeout_s=1)
    assert not dist.is_initialized(), "a refused rank must not join a group"


def test_setup_process_group_rejects_a_world_without_ranks(store):
    raises_keeping_contract(ValueError, setup_process_group, 0, 0, store, "gloo", timeout_s=1)


@pytest.mark.parametrize("timeout_s", [0, -1.5])
def test_setup_process_group_rejects_a_timeout_that_is_not_positive(timeout_s, store):
    # torch itself joins a one-rank group with a timeout of 0 s: the check is the kata's
    raises_keeping_contract(
        ValueError, setup_process_group, 0, 1, store, "gloo", timeout_s=timeout_s
    )
    assert not dist.is_initialized(), "a refused timeout must not join a group"


@given(world_size=world_sizes, per_rank=samples_per_rank, seed=seeds)
def test_shards_give_every_sample_to_exactly_one_rank_when_the_world_divides_the_data(
    world_size, per_rank, seed
):
    size = world_size * per_rank
    shards = _shards(size, world_size, seed)
    dealt = sorted(i for shard in shards for i in shard)
    assert dealt == list(range(size)), (
        f"{size} samples over {world_size} ranks were dealt as {shards}: every sample must go "
        "to exactly one rank (DistributedSampler(num_replicas=world_size, rank=rank))"
    )


@given(size=dataset_sizes, world_size=world_sizes, seed=seeds)
def test_every_rank_gets_the_same_number_of_samples_for_any_dataset_size(size, world_size, seed):
    lengths = [len(shard) for shard in _shards(size, world_size, seed)]
    expected = math.ceil(size / world_size)
    assert lengths == [expected] * world_size, (
        f"{size} samples over {world_size} ranks gave shards of {lengths} samples, expected "
        f"{expected} each: a rank with more batches would wait forever in the all-reduce"
    )


@given(size=dataset_sizes, world_size=world_sizes, seed=seeds)
def test_every_sample_reaches_some_rank_for_any_dataset_size(size, world_size, seed):
    dealt = {i for shard in _shards(size, world_size, seed) for i in shard}
    missing = sorted(set(range(size)) - dealt)
    assert not missing, (
        f"{size} samples over {world_size} ranks: no rank got samples {missing} "
        "(the sampler pads by repeating samples; it must not drop any)"
    )


def test_the_seed_decides_the_order_and_defaults_to_zero():
    dataset = TensorDataset(torch.arange(20))

    def order(**seed) -> list[int]:
        loader = sharded_loader(dataset, batch_size=20, rank=0, world_size=1, **seed)
        return [int(i) for (batch,) in loader for i in batch]

    assert order(seed=0) != order(seed=1), "seeds 0 and 1 dealt the same order: pass seed on"
    assert order() == order(seed=0), "without a seed the order must be that of seed=0"


def test_a_new_epoch_deals_the_samples_in_a_new_order():
    first, second = (_shards(32, 2, seed=0, epoch=epoch)[0] for epoch in (0, 1))
    assert first != second, (
        "rank 0 got the same samples in the same order in epochs 0 and 1: shuffle=True in "
        "the DistributedSampler, and loader.sampler.set_epoch(epoch) changes the order"
    )


def test_each_rank_walks_its_shard_in_batches_of_batch_size():
    dataset = TensorDataset(torch.arange(20))
    loader = sharded_loader(dataset, batch_size=4, rank=1, world_size=2)
    sizes = [len(batch) for (batch,) in loader]
    assert sizes == [4, 4, 2], f"10 samples in batches of 4 came as {sizes}, expected [4, 4, 2]"


@pytest.mark.parametrize("rank", [-1, 2])
def test_sharded_loader_rejects_a_rank_outside_the_world(rank):
    dataset = TensorDataset(torch.arange(8))
    raises_keeping_contract(ValueError, sharded_loader, dataset, 2, rank, world_size=2)


class _EpochRecordingSampler(DistributedSampler):
    """A one-rank DistributedSampler that notes the epoch each pass over it started in."""

    def __init__(self, dataset):
        super().__init__(dataset, num_replicas=1, rank=0, shuffle=True, seed=0)
        self.epochs_seen = []

    def __iter__(self):
        self.epochs_seen.append(self.epoch)
        return super().__iter__()


def _one_rank_loader(task: str = "regression") -> DataLoader:
    """16 samples in batches of 6, 6 and 4: targets for MSELoss, or class indices."""
    X, y = _data()
    if task == "classes":
        y = (y[:, 0] > 0).long() + (y[:, 0] > 2).long()  # three classes
    dataset = TensorDataset(X, y)
    return DataLoader(dataset, batch_size=6, sampler=_EpochRecordingSampler(dataset))


def _model_for(task: str) -> nn.Module:
    if task == "regression":
        return nn.Linear(FEATURES, 1)
    # a classifier with batch norm and dropout: any model will do
    return nn.Sequential(
        nn.Linear(FEATURES, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 3)
    )


LOSSES = {"regression": nn.MSELoss, "classes": nn.CrossEntropyLoss}


@pytest.mark.parametrize("task", ["regression", "classes"])
def test_train_ddp_takes_one_train_step_per_batch_of_every_epoch(task, device):
    torch.manual_seed(0)
    model = _model_for(task).to(device)
    expected_model = copy.deepcopy(model)
    expected_optimizer = torch.optim.SGD(expected_model.parameters(), lr=LR)
    loss_fn = LOSSES[task]()
    loader = _one_rank_loader(task)
    torch.manual_seed(1)  # dropout draws from the global RNG: the same draws for both
    expected = []
    for epoch in range(EPOCHS):
        loader.sampler.set_epoch(epoch)
        expected_model.train()
        for X, y in loader:
            loss = loss_fn(expected_model(X.to(device)), y.to(device))
            expected_optimizer.zero_grad()
            loss.backward()
            expected_optimizer.step()
            expected.append(loss.item())

    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    torch.manual_seed(1)
    trained = ("model", "optimizer")  # what training changes; the rest comes back as it went in
    losses = keeps_contract(train_ddp, model, loss_fn, optimizer, loader, EPOCHS, changes=trained)
    assert_close(
        losses,
        expected,
        msg=lambda m: (
            f"with {type(loss_fn).__name__}, the step losses differ from one train_step per "
            f"batch, {len(loader)} batches an epoch for {EPOCHS} epochs: {m}"
        ),
    )
    assert_close(model.state_dict(), expected_model.state_dict())


def test_train_ddp_sets_a_new_sampler_epoch_before_each_epoch():
    torch.manual_seed(0)
    model = nn.Linear(FEATURES, 1)
    loader = _one_rank_loader()
    train_ddp(model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=LR), loader, EPOCHS)
    seen = loader.sampler.epochs_seen
    assert len(seen) == EPOCHS and len(set(seen)) == EPOCHS, (
        f"the {EPOCHS} epochs walked the sampler at sampler epochs {seen}: call "
        "loader.sampler.set_epoch(epoch) at the start of each epoch, or every epoch "
        "repeats the first one's order"
    )


def test_train_ddp_trains_a_single_epoch():
    torch.manual_seed(0)
    model = nn.Linear(FEATURES, 1)
    loader = _one_rank_loader()
    losses = train_ddp(model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=LR), loader, 1)
    assert len(losses) == len(loader), (
        f"one epoch over {len(loader)} batches gave {len(losses)} losses: epochs=1 is valid"
    )


def test_train_ddp_rejects_zero_epochs():
    model = _model_for("classes").eval()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    # nothing is trained, so the model and its mode too come back as they went in
    raises_keeping_contract(
        ValueError, train_ddp, model, nn.CrossEntropyLoss(), optimizer, _one_rank_loader(), 0
    )


def test_wrap_model_wraps_the_model_itself_as_it_is(one_rank_group):
    torch.manual_seed(0)
    model = _model_for("classes").eval()
    before = copy.deepcopy(model.state_dict())
    cpu = torch.device("cpu")
    # DDP writes rank 0's parameters into every rank's copy, in place: the model changes
    ddp = keeps_contract(wrap_model, model, cpu, changes=("model",))
    assert isinstance(ddp, DistributedDataParallel), f"wrap_model returned a {type(ddp).__name__}"
    assert ddp.module is model, "ddp_model.module must be the model that was passed in"
    assert not model.training, "wrap_model put the model in training mode: leave its mode alone"
    assert_close(model.state_dict(), before, msg="one rank alone: the parameters stay as they were")


@pytest.fixture
def recorded_ddp(monkeypatch) -> list[dict]:
    """DistributedDataParallel that notes what it is given and needs no process group, so a
    test can hand wrap_model a GPU this machine lacks (or the stand-in, which gloo cannot
    serve). Each wrapped model appends {"module": ..., "device_ids": ...}."""
    given = []

    def record(self, module, device_ids=None, *args, **kwargs):
        nn.Module.__init__(self)
        self.module = module
        given.append({"module": module, "device_ids": device_ids})

    monkeypatch.setattr(DistributedDataParallel, "__init__", record)
    return given


def test_wrap_model_moves_the_model_to_the_device(recorded_ddp, device):
    torch.manual_seed(0)
    model = _model_for("classes")
    ddp = wrap_model(model, device)
    assert ddp.module is model, "ddp_model.module must be the model that was passed in"
    misplaced = [n for n, t in model.state_dict().items() if t.device.type != device.type]
    assert not misplaced, (
        f"wrap_model(model, {device}) left {misplaced} elsewhere: DDP wraps the model where it "
        "is, so move it first with model.to(device)"
    )


def test_wrap_model_gives_ddp_the_index_of_the_gpu(recorded_ddp):
    gpu = torch.device("cuda", 1)
    model = nn.Sequential()  # nothing to move: it goes to a GPU this machine may lack
    wrap_model(model, gpu)
    assert [call["module"] for call in recorded_ddp] == [model], "wrap the model itself, once"
    given = recorded_ddp[0]["device_ids"]
    as_devices = None if given is None else [torch.device("cuda", i) for i in map(_index, given)]
    assert as_devices == [gpu], (
        f"wrap_model(model, cuda:1) gave DistributedDataParallel device_ids={given!r}, "
        "expected [1]: one GPU per process, device_ids=[device.index]"
    )


def _index(device_id: int | str | torch.device | None) -> int | None:
    if device_id is None or isinstance(device_id, int):
        return device_id
    return torch.device(device_id).index


def test_save_on_rank0_writes_the_plain_model_state_on_a_rank_alone(one_rank_group, tmp_path):
    torch.manual_seed(0)
    ddp = wrap_model(_model_for("classes"), torch.device("cpu"))
    path = tmp_path / "alone.pt"
    wrote = keeps_contract(save_on_rank0, ddp, path)
    assert wrote is True, f"save_on_rank0 returned {wrote!r} on rank 0, the only rank"
    saved = torch.load(path)
    assert_close(
        saved,
        ddp.module.state_dict(),
        msg=lambda m: f"the file must hold model.module.state_dict(), without 'module.': {m}",
    )


def _saved_from_a_trained_model(tmp_path: Path, prefix: str) -> tuple[Path, dict]:
    torch.manual_seed(0)
    state = nn.Linear(FEATURES, 1).state_dict()
    path = tmp_path / "model.pt"
    torch.save({prefix + key: value for key, value in state.items()}, path)
    return path, state


def test_a_checkpoint_saved_from_the_wrapper_loads_into_a_plain_model(tmp_path):
    path, expected = _saved_from_a_trained_model(tmp_path, prefix="module.")
    model = nn.Linear(FEATURES, 1)
    keeps_contract(load_into_plain_model, model, path, changes=("model",))
    assert_close(
        model.state_dict(),
        expected,
        msg=lambda m: (
            "a checkpoint whose keys read 'module.weight', 'module.bias' did not load "
            f"as 'weight', 'bias': strip the prefix. {m}"
        ),
    )


def test_a_checkpoint_saved_on_a_gpu_loads_on_the_cpu(tmp_path):
    torch.manual_seed(0)
    expected = nn.Linear(FEATURES, 1).state_dict()
    path = tmp_path / "from_a_gpu.pt"
    save_as_if_on_a_gpu(dict(expected), path)
    model = nn.Linear(FEATURES, 1)
    try:
        load_into_plain_model(model, path)
    except RuntimeError as err:
        pytest.fail(
            f"a checkpoint saved on cuda:0 did not load here ({err}): "
            "torch.load(path, map_location='cpu') loads it on any machine"
        )
    assert_close(model.state_dict(), expected)


def test_a_plain_checkpoint_loads_into_a_plain_model(tmp_path):
    path, expected = _saved_from_a_trained_model(tmp_path, prefix="")
    model = nn.Linear(FEATURES, 1)
    keeps_contract(load_into_plain_model, model, path, changes=("model",))
    assert_close(model.state_dict(), expected)


def _keep(folder: Path, name: str, value) -> None:
    torch.save(value, folder / f"{name}.pt")


def _run_rank(rank: int, world_size: int, folder: Path, device_type: str) -> None:
    """One rank of the shared run; what it sees goes to files named after each behaviour."""
    # A group of its own, met the torchrun way: the defaults, env:// and gloo. Port 0 lets
    # the store take any free port; with no other rank to find it, none needs to know it.
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT="0")
    try:
        setup_process_group(0, 1, timeout_s=10)
        group = (dist.is_initialized(), dist.get_rank(), dist.get_world_size(), dist.get_backend())
        _keep(folder, f"joined{rank}", group)
    finally:
        _destroy_group()
    try:  # a group of two that no other rank joins: this must time out, and fast
        setup_process_group(0, 2, f"file://{folder / f'deserted{rank}'}", "gloo", timeout_s=0.5)
        _keep(folder, f"gave_up{rank}", None)
    except RuntimeError as error:
        _keep(folder, f"gave_up{rank}", str(error))
    finally:
        _destroy_group()

    device = torch.device("cuda", rank) if device_type == "cuda" else torch.device("cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    setup_process_group(rank, world_size, f"file://{folder / 'together'}", backend_for(device), 30)
    try:
        torch.manual_seed(rank)  # different on every rank: DDP must start them all equal
        model = wrap_model(nn.Linear(FEATURES, 1), device)
        _keep(folder, f"start{rank}", {k: v.cpu() for k, v in model.module.state_dict().items()})
        loader = sharded_loader(TensorDataset(*_data()), SAMPLES // world_size, rank, world_size)
        optimizer = torch.optim.SGD(model.parameters(), lr=LR)
        train_ddp(model, nn.MSELoss(), optimizer, loader, EPOCHS)
        _keep(folder, f"params{rank}", {k: v.cpu() for k, v in model.module.state_dict().items()})
        if rank == 0:
            time.sleep(0.3)  # late on purpose: a rank that does not wait would miss the file
        # Each rank names a path of its own, so that a write from another rank than 0 shows.
        wrote = save_on_rank0(model, folder / f"checkpoint-given-to-rank{rank}.pt")
        _keep(folder, f"seen{rank}", (folder / "checkpoint-given-to-rank0.pt").exists())
        _keep(folder, f"wrote{rank}", wrote)
    finally:
        _destroy_group()


@pytest.fixture(scope="module", params=["cpu", "cuda"])
def ddp_run(request, tmp_path_factory) -> SimpleNamespace:
    """Two ranks (on two GPUs with nccl, or on CPU with gloo); their error, if one raised."""
    if request.param == "cuda" and torch.cuda.device_count() < 2:
        pytest.skip("nccl needs two cuda devices; this machine has fewer")
    folder = tmp_path_factory.mktemp(f"ddp-{request.param}")
    try:
        run_on_ranks(_run_rank, 2, folder, request.param)
    except RankError as error:
        return SimpleNamespace(folder=folder, error=error)
    return SimpleNamespace(folder=folder, error=None)


def _kept(run: SimpleNamespace, name: str):
    """What the ranks kept under `name`, or the error that stopped them before they did."""
    __tracebackhide__ = True
    path = run.folder / f"{name}.pt"
    if path.exists():
        return torch.load(path)
    if run.error is not None:
        raise run.error.with_traceback(None)
    pytest.fail(f"the ranks kept no {name}")


def test_wrapping_gives_every_rank_the_parameters_of_rank_zero(ddp_run):
    assert_close(
        _kept(ddp_run, "start1"),
        _kept(ddp_run, "start0"),
        msg=lambda m: (
            "rank 1 (seeded differently) does not start from rank 0's parameters after "
            f"wrap_model: DistributedDataParallel copies them when it is built. {m}"
        ),
    )


def test_every_rank_holds_identical_parameters_after_training(ddp_run):
    assert_close(
        _kept(ddp_run, "params1"),
        _kept(ddp_run, "params0"),
        msg=lambda m: (
            "after training, the ranks' parameters differ: does every rank train the "
            f"model that wrap_model returned, so that DDP averages the gradients? {m}"
        ),
    )


def test_ddp_training_equals_one_process_training_on_the_full_batch(ddp_run):
    model = nn.Linear(FEATURES, 1)
    model.load_state_dict(_kept(ddp_run, "start0"))
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    X, y = _data()
    for _ in range(EPOCHS):  # each rank's one batch per epoch is half of the full batch
        loss = nn.functional.mse_loss(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert_close(
        _kept(ddp_run, "params0"),
        model.state_dict(),
        msg=lambda m: (
            f"{EPOCHS} DDP steps, each rank on its half of the data, differ from "
            f"{EPOCHS} steps on the whole batch in one process: {m}"
        ),
    )


def test_only_rank_zero_writes_the_checkpoint(ddp_run):
    _kept(ddp_run, "wrote0")  # the ranks got that far
    written = sorted(path.name for path in ddp_run.folder.glob("checkpoint-*"))
    assert written == ["checkpoint-given-to-rank0.pt"], (
        f"each rank called save_on_rank0 with a path of its own, and {written} "
        "were written: only rank 0 (dist.get_rank() == 0) may write"
    )


def test_save_on_rank0_returns_true_on_rank_zero_alone(ddp_run):
    wrote = [_kept(ddp_run, f"wrote{rank}") for rank in range(2)]
    assert wrote == [True, False], (
        f"save_on_rank0 returned {wrote} on ranks 0 and 1, expected [True, False]"
    )


def test_every_rank_finds_the_checkpoint_once_saving_returns(ddp_run):
    seen = [_kept(ddp_run, f"seen{rank}") for rank in range(2)]
    assert seen == [True, True], (
        f"right after save_on_rank0 returned, the file existed on ranks 0, 1: {seen}: "
        "the other ranks must wait for rank 0 (dist.barrier())"
    )


def test_the_checkpoint_loads_into_a_plain_model_as_it_is(ddp_run):
    model = nn.Linear(FEATURES, 1)
    _kept(ddp_run, "wrote0")  # the ranks got that far
    model.load_state_dict(torch.load(ddp_run.folder / "checkpoint-given-to-rank0.pt"))
    assert_close(
        model.state_dict(),
        _kept(ddp_run, "params0"),
        msg=lambda m: f"the checkpoint does not hold rank 0's trained parameters: {m}",
    )
