"""Kata: distributed.

One device is no longer enough: the data is too big, the epochs too slow. PyTorch's own
engine splits the work across processes: each process (a *rank*) holds a copy of the model,
trains on its own shard of the data, and averages its gradients with the others', so every
copy takes the same step. Here it runs on a laptop, two CPU processes over gloo; the same
code runs under torchrun on many GPUs.

Write the functions top to bottom; `make kata` tells you which one is next. When the tests
pass, run this file under torchrun: `torchrun --standalone --nproc_per_node=2 -m kata.distributed`
(the README's "Beyond one machine" shows the multi-node form).
"""

import os
import sys
import tempfile
from collections.abc import Callable
from datetime import timedelta

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.modules.utils import consume_prefix_in_state_dict_if_present
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset, TensorDataset
from torch.utils.data.distributed import DistributedSampler

from kata.training_loop import train_step


def backend_for(device: torch.device | str) -> str:
    """The torch.distributed backend for a model on `device`, as torch's own table pairs them.

    The table is dist.Backend.default_device_backend_map (device type -> backend name):
    "gloo" for cpu, "nccl" for cuda, and in torch 2.13 also "gloo" for mps and "xccl" for
    xpu. Return what it says for every type it holds. gloo runs collectives (all-reduce,
    broadcast, barrier) on CPU tensors and is what a laptop has; nccl is NVIDIA's library
    for GPU-to-GPU collectives. `device` may be a torch.device or a string such as
    "cuda:1" (only its type counts).

    Raises ValueError for a device type with no backend in that table (such as "meta").

    Helps: torch.device(device).type, dist.Backend.default_device_backend_map.
    """
    kind = torch.device(device).type
    backends = dist.Backend.default_device_backend_map
    if kind not in backends:
        raise ValueError(f"no torch.distributed backend for device type {kind!r}")
    return backends[kind]


def setup_process_group(
    rank: int,
    world_size: int,
    init_method: str = "env://",
    backend: str = "gloo",
    timeout_s: float = 30.0,
) -> None:
    """Join the default process group as `rank` (0 <= rank < world_size) of `world_size`.

    Every rank calls this with the same init_method and world_size, and the call blocks until
    all of them have arrived (the rendezvous). init_method says where they meet:
    "env://" reads MASTER_ADDR, MASTER_PORT (and RANK, WORLD_SIZE), which torchrun sets
    (read them, never set them: under torchrun they say where the ranks meet);
    "file:///abs/path" meets through a file that does not exist yet (no port to collide with).
    A rank that never comes would keep the others waiting for the default timeout, 30 minutes
    for gloo: pass timeout=timedelta(seconds=timeout_s) so a broken run fails fast. Whoever
    joins must leave: call dist.destroy_process_group() in a `finally`.

    Raises ValueError when world_size < 1, when rank is outside [0, world_size), or when
    timeout_s <= 0 (torch lets a one-rank group join with a timeout of 0: that check is
    yours).

    Helps: dist.init_process_group(backend, init_method=..., rank=..., world_size=...,
    timeout=...), datetime.timedelta.
    """
    if world_size < 1:
        raise ValueError(f"world_size must be at least 1, got {world_size}")
    if not 0 <= rank < world_size:
        raise ValueError(f"rank must be in [0, {world_size}), got {rank}")
    if timeout_s <= 0:
        raise ValueError(f"timeout_s must be positive, got {timeout_s}")
    dist.init_process_group(
        backend,
        init_method=init_method,
        rank=rank,
        world_size=world_size,
        timeout=timedelta(seconds=timeout_s),
    )


def sharded_loader(
    dataset: Dataset, batch_size: int, rank: int, world_size: int, seed: int = 0
) -> DataLoader:
    """A DataLoader over this rank's shard of `dataset`, in batches of `batch_size`.

    DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed)
    is the shard: every rank draws the same permutation (same seed, same epoch) and keeps
    every world_size-th index of it, starting at its rank, so within an epoch the ranks'
    shards are disjoint. Passing num_replicas and rank yourself means no process group is
    needed to build it. The sampler goes to DataLoader(sampler=...), which then must not
    shuffle itself. A new order each epoch needs loader.sampler.set_epoch(epoch).

    What the sampler does when world_size does not divide len(dataset): it repeats the first
    few indices of the permutation until every rank holds ceil(N / world_size) of them, so
    a few samples go to two ranks. Equal shards are the point: a rank with one batch more
    would wait forever for the others in the gradient all-reduce. (drop_last=True drops
    the tail instead.) Exactly one rank per sample holds when world_size divides N.

    Raises ValueError for a rank outside [0, world_size) (DistributedSampler does).

    Helps: DistributedSampler, DataLoader(dataset, batch_size=..., sampler=...).
    """
    sampler = DistributedSampler(
        dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed
    )
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler)


def wrap_model(model: nn.Module, device: torch.device) -> DistributedDataParallel:
    """Move `model` to `device` and wrap it in DistributedDataParallel (the group must exist).

    DDP does two things. When it is built, it broadcasts rank 0's parameters and buffers to
    every rank, so all copies start equal whatever each rank's seed. During backward() it
    all-reduces the gradients (averages them over the ranks, bucket by bucket, overlapping
    with the backward pass), so every optimizer.step() applies the same update everywhere.
    device_ids=[device.index] for one GPU per process; None for a CPU model. The original
    model stays reachable as ddp_model.module.

    Helps: model.to(device), DistributedDataParallel(model, device_ids=...).
    """
    model = model.to(device)
    device_ids = [device.index] if device.type == "cuda" else None
    return DistributedDataParallel(model, device_ids=device_ids)


def train_ddp(
    model: nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    loader: DataLoader,
    epochs: int,
) -> list[float]:
    """Train for `epochs` epochs; returns the loss of every step on this rank, in order.

    Each epoch first calls loader.sampler.set_epoch(epoch): the sampler seeds its shuffle
    with seed + epoch, so without it every epoch repeats the first one's order. Then one
    train_step (your training_loop kata) per batch, with X and y moved to the device of
    the model's parameters. Nothing here is distributed: DDP averages the gradients inside
    backward(), so the single-process step is already the distributed one.

    Raises ValueError when epochs < 1.

    Helps: loader.sampler.set_epoch, train_step, next(model.parameters()).device.
    """
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    device = next(model.parameters()).device
    losses = []
    for epoch in range(epochs):
        loader.sampler.set_epoch(epoch)
        for X, y in loader:
            losses.append(train_step(model, loss_fn, optimizer, X.to(device), y.to(device)))
    return losses


def save_on_rank0(model: DistributedDataParallel, path: str | os.PathLike) -> bool:
    """Save the wrapped model's state_dict to `path` from rank 0 alone; True on the rank that wrote.

    After training every rank holds the same parameters, so one copy is enough, and several
    processes writing one file would race. Save model.module.state_dict(), the plain
    model's: its keys have no "module." prefix, so a plain, non-DDP model loads it. Then
    every rank waits at dist.barrier(): when this returns, on any rank, the file is there.

    Helps: dist.get_rank(), torch.save, model.module, dist.barrier().
    """
    wrote = dist.get_rank() == 0
    if wrote:
        torch.save(model.module.state_dict(), path)
    dist.barrier()  # the other ranks must not look for the file before rank 0 wrote it
    return wrote


def load_into_plain_model(model: nn.Module, path: str | os.PathLike) -> None:
    """Load the checkpoint at `path` into `model`, a plain (non-DDP) module, on CPU or not.

    A state_dict taken from the wrapper itself (ddp_model.state_dict()) names every key
    "module.<name>"; strip that prefix when it is there, so both kinds of checkpoint load.
    torch.load's weights_only=True (the default since torch 2.6) is right for a state_dict;
    map_location="cpu" lets a checkpoint saved on a GPU load on a machine without one.

    Helps: torch.load(path, map_location="cpu"),
    torch.nn.modules.utils.consume_prefix_in_state_dict_if_present, model.load_state_dict.
    """
    state = torch.load(path, map_location="cpu")
    consume_prefix_in_state_dict_if_present(state, "module.")
    model.load_state_dict(state)


# Given code from here on, not an exercise: what torchrun runs. Mutation testing skips it.
# pragma: no mutate block
def _main() -> None:
    """Run under torchrun: every rank trains y = 0.7 x + 0.3 on its shard; rank 0 saves."""
    rank, world_size = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = torch.cuda.device_count() > local_rank
    device = torch.device("cuda", local_rank) if use_cuda else torch.device("cpu")
    if use_cuda:
        torch.cuda.set_device(device)
    setup_process_group(rank, world_size, "env://", backend_for(device))
    try:
        generator = torch.Generator().manual_seed(0)  # the same data on every rank
        X = torch.rand(256, 1, generator=generator)
        dataset = TensorDataset(X, 0.7 * X + 0.3)
        torch.manual_seed(rank)  # each rank its own start: DDP copies rank 0's to the others
        model = wrap_model(nn.Linear(1, 1), device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
        loader = sharded_loader(dataset, batch_size=32, rank=rank, world_size=world_size)
        losses = train_ddp(model, nn.MSELoss(), optimizer, loader, epochs=20)
        line = f"rank {rank}/{world_size} on {device}: loss {losses[0]:.3g} -> {losses[-1]:.3g}"
        print(line + "\n", end="", flush=True)  # one write, so ranks' lines do not interleave
        path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "ddp.pt")
        if save_on_rank0(model, path):
            print(f"rank {rank} saved {path}")
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    _main()
