"""Wrong and right ways to write kata/distributed.py: see kata/engine/variants.py.

Few of them: every run spawns two ranks."""

from kata.engine.variants import Variant

BROKEN = [
    Variant(
        "backend_for answers gloo for every device",
        ("    return backends[kind]", '    return "gloo"'),
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
        "load_into_plain_model without map_location",
        ('state = torch.load(path, map_location="cpu")', "state = torch.load(path)"),
    ),
    Variant("train_ddp refuses a single epoch", ("if epochs < 1:", "if epochs <= 1:")),
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
