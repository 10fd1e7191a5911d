"""Wrong and right ways to write kata/distributed.py: see kata/engine/variants.py.

Few of them: every run spawns two ranks."""

from kata.engine.variants import Variant

BROKEN = [
    Variant(
        "backend_for answers gloo for every device",
        ("    return backends[kind]", '    return "gloo"'),
    ),
    Variant(
        "backend_for knows cpu and cuda alone, not torch's whole table",
        (
            "    backends = dist.Backend.default_device_backend_map\n",
            '    backends = {"cpu": "gloo", "cuda": "nccl"}\n',
        ),
    ),
    Variant(
        "backend_for indexes torch's table: a KeyError for meta",
        (
            "    if kind not in backends:\n"
            '        raise ValueError(f"no torch.distributed backend for device type {kind!r}")\n',
            "",
        ),
    ),
    Variant(
        "setup_process_group passes no timeout (gloo's 30 minutes)",
        ("        timeout=timedelta(seconds=timeout_s),\n", ""),
    ),
    Variant(
        "setup_process_group sets MASTER_ADDR and MASTER_PORT, as a tutorial does",
        (
            "    dist.init_process_group(\n",
            '    os.environ["MASTER_ADDR"] = "localhost"\n'
            '    os.environ["MASTER_PORT"] = "12355"\n'
            "    dist.init_process_group(\n",
        ),
    ),
    Variant(
        "setup_process_group accepts rank == world_size and a timeout of 0",
        ("    if not 0 <= rank < world_size:\n", "    if not 0 <= rank <= world_size:\n"),
        ("    if timeout_s <= 0:\n", "    if timeout_s < 0:\n"),
    ),
    Variant(
        "sharded_loader's sampler drops the tail instead of padding the shards",
        (
            "        dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed\n",
            "        dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed,\n"
            "        drop_last=True\n",
        ),
    ),
    Variant(
        "sharded_loader's sampler does not shuffle",
        (
            "        dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed\n",
            "        dataset, num_replicas=world_size, rank=rank, shuffle=False, seed=seed\n",
        ),
    ),
    Variant(
        "train_ddp never calls set_epoch",
        ("        loader.sampler.set_epoch(epoch)\n", ""),
    ),
    Variant(
        "train_ddp writes its own step, with loss_fn(y, model(X))",
        append="""
        def train_ddp(model, loss_fn, optimizer, loader, epochs):
            if epochs < 1:
                raise ValueError(f"epochs must be at least 1, got {epochs}")
            device = next(model.parameters()).device
            losses = []
            for epoch in range(epochs):
                loader.sampler.set_epoch(epoch)
                model.train()
                for X, y in loader:
                    loss = loss_fn(y.to(device), model(X.to(device)))
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    losses.append(loss.item())
            return losses
        """,
    ),
    Variant(
        "save_on_rank0 saves the wrapper's state_dict, its keys prefixed 'module.'",
        ("torch.save(model.module.state_dict(), path)", "torch.save(model.state_dict(), path)"),
    ),
    Variant(
        "save_on_rank0 does not wait at a barrier",
        (
            "    dist.barrier()  # the other ranks must not look for the file before rank 0 wrote it\n",
            "",
        ),
    ),
    Variant(
        "load_into_plain_model keeps the module. prefix",
        ('    consume_prefix_in_state_dict_if_present(state, "module.")\n', ""),
    ),
    Variant(
        "load_into_plain_model cuts the first 7 characters of every key, prefixed or not",
        (
            '    consume_prefix_in_state_dict_if_present(state, "module.")\n'
            "    model.load_state_dict(state)",
            '    model.load_state_dict({k[len("module."):]: v for k, v in state.items()})',
        ),
    ),
    Variant(
        "load_into_plain_model without map_location",
        ('state = torch.load(path, map_location="cpu")', "state = torch.load(path)"),
    ),
    Variant("train_ddp refuses a single epoch", ("if epochs < 1:", "if epochs <= 1:")),
    # Device placement: caught by the [standin] tests and by a recorded DistributedDataParallel
    # given a GPU this machine may lack, on a machine without a GPU.
    Variant(
        "train_ddp feeds train_step the batches as the loader gives them, on the CPU",
        (
            "train_step(model, loss_fn, optimizer, X.to(device), y.to(device))",
            "train_step(model, loss_fn, optimizer, X, y)",
        ),
    ),
    Variant(
        "train_ddp moves the targets but not the inputs",
        ("X.to(device), y.to(device)", "X.to(None), y.to(device)"),
    ),
    Variant(
        "train_ddp moves the inputs but not the targets",
        ("X.to(device), y.to(device)", "X.to(device), y.to(None)"),
    ),
    Variant(
        "train_ddp never reads the model's device",
        ("    device = next(model.parameters()).device\n", "    device = None\n"),
    ),
    Variant(
        "wrap_model wraps the model where it is",
        ("    model = model.to(device)\n", ""),
    ),
    Variant(
        "wrap_model moves the model to None",
        ("    model = model.to(device)\n", "    model = model.to(None)\n"),
    ),
    Variant(
        "wrap_model gives DDP no device_ids, on a GPU too",
        (
            '    device_ids = [device.index] if device.type == "cuda" else None\n',
            "    device_ids = None\n",
        ),
    ),
    Variant(
        "wrap_model spells the GPU's type 'CUDA', which torch never does",
        ('device.type == "cuda"', 'device.type == "CUDA"'),
    ),
    Variant(
        "wrap_model works out device_ids and never passes them",
        (
            "    return DistributedDataParallel(model, device_ids=device_ids)",
            "    return DistributedDataParallel(model)",
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "load_into_plain_model strips the prefix by hand",
        (
            '    state = torch.load(path, map_location="cpu")\n'
            '    consume_prefix_in_state_dict_if_present(state, "module.")\n'
            "    model.load_state_dict(state)",
            '    state = torch.load(path, map_location="cpu", weights_only=True)\n'
            '    model.load_state_dict({k.removeprefix("module."): v for k, v in state.items()})',
        ),
    ),
    Variant(
        "backend_for parses the string and uses dict.get; a ValueError subclass; a dist.Backend",
        append="""
        class NoBackendError(ValueError):
            pass

        def backend_for(device):
            device_type = str(device).split(":")[0]
            backend = dist.Backend.default_device_backend_map.get(device_type)
            if backend is None:
                raise NoBackendError(f"torch.distributed has no backend for {device_type!r}")
            return dist.Backend(backend)
        """,
    ),
    Variant(
        "setup_process_group with timedelta(milliseconds=...) and keyword arguments",
        append="""
        def setup_process_group(rank, world_size, init_method="env://", backend="gloo", timeout_s=30.0):
            if world_size < 1:
                raise ValueError(f"a group needs at least one process, world_size={world_size}")
            if rank < 0 or rank >= world_size:
                raise ValueError(f"rank={rank} is not a valid rank for world_size={world_size}")
            if not timeout_s > 0:
                raise ValueError(f"timeout_s={timeout_s} must be above zero")
            dist.init_process_group(
                backend=backend,
                init_method=init_method,
                world_size=world_size,
                rank=rank,
                timeout=timedelta(milliseconds=timeout_s * 1000),
            )
        """,
    ),
    Variant(
        "save_on_rank0 atomically (a temp file, then os.replace); the prefix stripped by hand",
        append="""
        def save_on_rank0(model, path):
            wrote = dist.get_rank() == 0
            if wrote:
                path = os.fspath(path)
                tmp = path + ".tmp"
                torch.save(model.module.state_dict(), tmp)
                os.replace(tmp, path)
            dist.barrier()
            return wrote

        def load_into_plain_model(model, path):
            state = torch.load(path, map_location=torch.device("cpu"), weights_only=True)
            prefix = "module."
            if state and all(key.startswith(prefix) for key in state):
                state = {key[len(prefix):]: value for key, value in state.items()}
            model.load_state_dict(state)
        """,
    ),
    Variant(
        "train_ddp with a while loop and non_blocking moves; every sampler argument spelt out",
        append="""
        def sharded_loader(dataset, batch_size, rank, world_size, seed=0):
            sampler = DistributedSampler(
                dataset=dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed,
                drop_last=False,
            )
            return DataLoader(
                dataset, batch_size=batch_size, shuffle=False, sampler=sampler, drop_last=False,
                num_workers=0,
            )

        def train_ddp(model, loss_fn, optimizer, loader, epochs):
            if epochs < 1:
                raise ValueError(f"train_ddp needs at least one epoch, got epochs={epochs}")
            device = next(iter(model.parameters())).device
            history = []
            epoch = 0
            while epoch < epochs:
                loader.sampler.set_epoch(epoch)
                for inputs, targets in loader:
                    inputs = inputs.to(device, non_blocking=True)
                    targets = targets.to(device, non_blocking=True)
                    history.append(train_step(model, loss_fn, optimizer, inputs, targets))
                epoch += 1
            return history
        """,
    ),
    Variant(
        "wrap_model with device_ids only off the CPU",
        (
            "    model = model.to(device)\n"
            '    device_ids = [device.index] if device.type == "cuda" else None\n'
            "    return DistributedDataParallel(model, device_ids=device_ids)",
            '    if device.type == "cpu":\n'
            "        return DistributedDataParallel(model.to(device))\n"
            "    return DistributedDataParallel(model.to(device), device_ids=[device])",
        ),
    ),
    Variant(
        "error messages in other words, no argument named",
        (
            'f"no torch.distributed backend for device type {kind!r}"',
            '"that device has no collective backend"',
        ),
        (
            'f"world_size must be at least 1, got {world_size}"',
            'f"a world of {world_size} processes has no rank 0"',
        ),
        (
            'f"rank must be in [0, {world_size}), got {rank}"',
            'f"no process {rank} among {world_size}"',
        ),
        (
            'f"timeout_s must be positive, got {timeout_s}"',
            'f"a wait of {timeout_s} s cannot succeed"',
        ),
        ('f"epochs must be at least 1, got {epochs}"', 'f"{epochs} epochs is no training"'),
    ),
]
