"""Wrong and right ways to write kata/schedules.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

_COSINE = (
    "    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * step / total_steps)) / 2\n"
)
_PER_BATCH = (
    "            if per_batch:\n"
    "                scheduler.step()  # after optimizer.step(): the first batch gets the first rate\n"
)
_PER_EPOCH = (
    "        if plateau:\n"
    "            scheduler.step(val_loss)\n"
    "        elif not per_batch:\n"
    "            scheduler.step()\n"
)
_CHECK_KEYS = (
    "    missing = [key for key in CHECKPOINT_KEYS if key not in state]\n"
    "    if missing:\n"
    '        raise ValueError(f"the checkpoint lacks {missing}: it holds {sorted(state)}")\n'
)

BROKEN = [
    # cosine_lr
    Variant(
        "cosine_lr forgets to halve (1 + cos)",
        (
            _COSINE,
            "    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * step / total_steps))\n",
        ),
    ),
    Variant(
        "cosine_lr leaves eta_min out",
        (_COSINE, "    return base_lr * (1 + math.cos(math.pi * step / total_steps)) / 2\n"),
    ),
    Variant(
        "cosine_lr scales the whole base_lr and adds eta_min on top",
        (
            _COSINE,
            "    return eta_min + base_lr * (1 + math.cos(math.pi * step / total_steps)) / 2\n",
        ),
    ),
    Variant(
        "cosine_lr divides by total_steps - 1: the floor comes one step early",
        ("math.pi * step / total_steps))", "math.pi * step / max(total_steps - 1, 1)))"),
    ),
    Variant(
        "cosine_lr refuses the last step, step == total_steps",
        ("    if not 0 <= step <= total_steps:\n", "    if not 0 <= step < total_steps:\n"),
    ),
    Variant(
        "cosine_lr lets a negative step through",
        ("    if not 0 <= step <= total_steps:\n", "    if step > total_steps:\n"),
    ),
    Variant(
        "cosine_lr in float32 tensors",
        (
            _COSINE,
            "    angle = torch.tensor(math.pi * step / total_steps)\n"
            "    return (eta_min + (base_lr - eta_min) * (1 + torch.cos(angle)) / 2).item()\n",
        ),
    ),
    # warmup_cosine
    Variant(
        "warmup_cosine ignores start_factor: LinearLR's default of 1/3",
        (
            "LinearLR(optimizer, start_factor=start_factor, total_iters",
            "LinearLR(optimizer, total_iters",
        ),
    ),
    Variant(
        "warmup_cosine anneals over all total_steps after the warm-up",
        ("T_max=total_steps - warmup_steps,", "T_max=total_steps,"),
    ),
    Variant(
        "warmup_cosine drops eta_min",
        ("T_max=total_steps - warmup_steps, eta_min=eta_min", "T_max=total_steps - warmup_steps"),
    ),
    Variant(
        "warmup_cosine switches to the cosine one step late",
        (
            "[warmup, cosine], milestones=[warmup_steps])",
            "[warmup, cosine], milestones=[warmup_steps + 1])",
        ),
    ),
    Variant(
        "warmup_cosine warms up in one step fewer",
        ("total_iters=warmup_steps)", "total_iters=warmup_steps - 1)"),
    ),
    Variant(
        "warmup_cosine checks its numbers after building the schedulers",
        append="""
        def warmup_cosine(optimizer, warmup_steps, total_steps, start_factor=0.1, eta_min=0.0):
            warmup = lr_scheduler.LinearLR(
                optimizer, start_factor=start_factor, total_iters=max(warmup_steps, 1)
            )
            cosine = lr_scheduler.CosineAnnealingLR(
                optimizer, T_max=max(total_steps - warmup_steps, 1), eta_min=eta_min
            )
            if warmup_steps < 1 or total_steps <= warmup_steps:
                raise ValueError(f"bad steps: {warmup_steps}, {total_steps}")
            return lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[warmup_steps])
        """,
    ),
    # train_with_schedule
    Variant(
        "steps the scheduler before the optimizer, per batch",
        (_PER_BATCH, ""),
        (
            "            optimizer.zero_grad()\n",
            "            if per_batch:\n                scheduler.step()\n            optimizer.zero_grad()\n",
        ),
    ),
    Variant(
        "steps a per-epoch scheduler at the start of each epoch",
        (_PER_EPOCH, "        if plateau:\n            scheduler.step(val_loss)\n"),
        (
            "        model.train()\n        total, count",
            "        if not per_batch and not plateau:\n"
            "            scheduler.step()\n"
            "        model.train()\n        total, count",
        ),
    ),
    Variant(
        "steps a per-epoch scheduler at the start of every epoch but the first",
        (_PER_EPOCH, "        if plateau:\n            scheduler.step(val_loss)\n"),
        ("    for _ in range(epochs):\n", "    for epoch in range(epochs):\n"),
        (
            "        model.train()\n        total, count",
            "        if epoch > 0 and not per_batch and not plateau:\n"
            "            scheduler.step()\n"
            "        model.train()\n        total, count",
        ),
    ),
    Variant(
        "ignores per_batch: always once per epoch",
        (_PER_BATCH, ""),
        (
            _PER_EPOCH,
            "        if plateau:\n            scheduler.step(val_loss)\n        else:\n            scheduler.step()\n",
        ),
    ),
    Variant(
        "steps per batch and per epoch when per_batch is set",
        (
            _PER_EPOCH,
            "        if plateau:\n            scheduler.step(val_loss)\n        else:\n            scheduler.step()\n",
        ),
    ),
    Variant(
        "gives a ReduceLROnPlateau the training loss",
        ("            scheduler.step(val_loss)\n", "            scheduler.step(total / count)\n"),
    ),
    Variant(
        "gives a ReduceLROnPlateau each batch's loss",
        (
            _PER_BATCH,
            "            if per_batch or plateau:\n                scheduler.step(*([loss.item()] if plateau else []))\n",
        ),
        (_PER_EPOCH, "        if not per_batch and not plateau:\n            scheduler.step()\n"),
    ),
    Variant(
        "no check for a ReduceLROnPlateau stepped per batch",
        ("    if per_batch and plateau:\n", "    if False:\n"),
    ),
    Variant(
        "records the rate at the end of each epoch, after the scheduler stepped",
        ('        history["lr"].append(optimizer.param_groups[0]["lr"])\n', ""),
        (
            '        history["val_loss"].append(val_loss)\n',
            '        history["val_loss"].append(val_loss)\n'
            '        history["lr"].append(optimizer.param_groups[0]["lr"])\n',
        ),
    ),
    Variant(
        "an unweighted mean of the batch losses",
        (
            "            total += loss.item() * len(X)\n            count += len(X)\n",
            "            total += loss.item()\n            count += 1\n",
        ),
    ),
    Variant(
        "keeps the model in eval mode after the first validation",
        ("        model.train()\n        total, count", "        total, count"),
        ("    for _ in range(epochs):\n", "    model.train()\n    for _ in range(epochs):\n"),
        (
            "        val_loss = _mean_loss(model, loss_fn, val_loader)\n",
            "        model.eval()\n        val_loss = _mean_loss(model, loss_fn, val_loader)\n",
        ),
    ),
    # training_state and resume
    Variant(
        "training_state leaves the scheduler out",
        ('        "scheduler": scheduler.state_dict(),\n', ""),
        (_CHECK_KEYS, ""),
        ('    scheduler.load_state_dict(state["scheduler"])\n', ""),
    ),
    Variant(
        "resume does not load the scheduler's state",
        ('    scheduler.load_state_dict(state["scheduler"])\n', ""),
    ),
    Variant(
        "resume does not load the optimizer's state",
        ('    optimizer.load_state_dict(state["optimizer"])\n', ""),
    ),
    Variant(
        "resume sets the saved rate by hand instead of loading the optimizer",
        (
            '    optimizer.load_state_dict(state["optimizer"])\n',
            '    for group, saved in zip(optimizer.param_groups, state["optimizer"]["param_groups"]):\n'
            '        group["lr"] = saved["lr"]\n',
        ),
    ),
    Variant(
        "resume returns the next epoch",
        ('    return state["epoch"]', '    return state["epoch"] + 1'),
    ),
    Variant(
        "resume loads what it finds and checks the keys afterwards",
        (_CHECK_KEYS, ""),
        (
            '    return state["epoch"]',
            "    missing = [key for key in CHECKPOINT_KEYS if key not in state]\n"
            "    if missing:\n"
            '        raise ValueError(f"the checkpoint lacks {missing}")\n'
            '    return state["epoch"]',
        ),
        (
            '    model.load_state_dict(state["model"])\n',
            '    if "model" in state:\n        model.load_state_dict(state["model"])\n',
        ),
        (
            '    optimizer.load_state_dict(state["optimizer"])\n',
            '    if "optimizer" in state:\n        optimizer.load_state_dict(state["optimizer"])\n',
        ),
        (
            '    scheduler.load_state_dict(state["scheduler"])\n',
            '    if "scheduler" in state:\n        scheduler.load_state_dict(state["scheduler"])\n',
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "cosine_lr as the square of a half-angle cosine",
        (
            _COSINE,
            "    return eta_min + (base_lr - eta_min) * math.cos(math.pi * step / (2 * total_steps)) ** 2\n",
        ),
    ),
    Variant(
        "cosine_lr with numpy, and the range checked by hand",
        (
            _COSINE,
            "    import numpy as np\n\n"
            "    progress = step / total_steps\n"
            "    return float(eta_min + 0.5 * (base_lr - eta_min) * (1.0 + np.cos(np.pi * progress)))\n",
        ),
        ("    if not 0 <= step <= total_steps:\n", "    if step < 0 or step > total_steps:\n"),
    ),
    Variant(
        "warmup_cosine as one LambdaLR, one function per param group",
        append="""
        def warmup_cosine(optimizer, warmup_steps, total_steps, start_factor=0.1, eta_min=0.0):
            if warmup_steps < 1 or total_steps <= warmup_steps:
                raise ValueError(f"warmup_steps={warmup_steps}, total_steps={total_steps}")

            def factor_for(base):
                def factor(t):
                    if t <= warmup_steps:
                        return start_factor + (1 - start_factor) * t / warmup_steps
                    rate = cosine_lr(t - warmup_steps, total_steps - warmup_steps, base, eta_min)
                    return rate / base

                return factor

            bases = [group["lr"] for group in optimizer.param_groups]
            return lr_scheduler.LambdaLR(optimizer, [factor_for(base) for base in bases])
        """,
    ),
    Variant(
        "warmup_cosine's LinearLR ends at end_factor=1.0, said aloud, and positional milestones",
        (
            "LinearLR(optimizer, start_factor=start_factor, total_iters=warmup_steps)",
            "LinearLR(optimizer, start_factor, 1.0, warmup_steps)",
        ),
        (
            "SequentialLR(optimizer, [warmup, cosine], milestones=[warmup_steps])",
            "SequentialLR(optimizer, [warmup, cosine], [warmup_steps])",
        ),
    ),
    Variant(
        "train_with_schedule asks step()'s signature whether it wants a metric",
        (
            "    plateau = isinstance(scheduler, lr_scheduler.ReduceLROnPlateau)\n",
            "    import inspect\n\n"
            '    plateau = "metrics" in inspect.signature(scheduler.step).parameters\n',
        ),
    ),
    Variant(
        "train_with_schedule reads the rate with get_last_lr(), steps through a helper",
        (
            '        history["lr"].append(optimizer.param_groups[0]["lr"])\n',
            '        history["lr"].append(float(scheduler.get_last_lr()[0]))\n',
        ),
        (
            _PER_EPOCH,
            "        if plateau or not per_batch:\n"
            "            scheduler.step(*([val_loss] if plateau else []))\n",
        ),
    ),
    Variant(
        "train_with_schedule zeroes the gradients first and validates by hand",
        (
            "            loss = loss_fn(model(X), y)\n            optimizer.zero_grad()\n",
            "            optimizer.zero_grad()\n            loss = loss_fn(model(X), y)\n",
        ),
        (
            "        val_loss = _mean_loss(model, loss_fn, val_loader)\n",
            "        model.eval()\n"
            "        val_total, val_count = 0.0, 0\n"
            "        with torch.inference_mode():\n"
            "            for X, y in val_loader:\n"
            "                val_total += loss_fn(model(X), y).item() * len(X)\n"
            "                val_count += len(X)\n"
            "        model.train()\n"
            "        val_loss = val_total / val_count\n",
        ),
    ),
    Variant(
        "training_state deep-copies every state_dict",
        (
            "    return {\n"
            '        "model": model.state_dict(),\n'
            '        "optimizer": optimizer.state_dict(),\n'
            '        "scheduler": scheduler.state_dict(),\n'
            '        "epoch": epoch,\n'
            "    }",
            "    import copy\n\n"
            "    return copy.deepcopy(\n"
            "        {\n"
            '            "model": model.state_dict(),\n'
            '            "optimizer": optimizer.state_dict(),\n'
            '            "scheduler": scheduler.state_dict(),\n'
            '            "epoch": epoch,\n'
            "        }\n"
            "    )",
        ),
    ),
    Variant(
        "resume loads the scheduler first and checks the keys as a set",
        (
            _CHECK_KEYS,
            '    if not set(CHECKPOINT_KEYS) <= set(state):\n        raise ValueError(f"missing: {set(CHECKPOINT_KEYS) - set(state)}")\n',
        ),
        (
            '    model.load_state_dict(state["model"])\n'
            '    optimizer.load_state_dict(state["optimizer"])\n'
            '    scheduler.load_state_dict(state["scheduler"])\n',
            '    scheduler.load_state_dict(state["scheduler"])\n'
            '    model.load_state_dict(state["model"])\n'
            '    optimizer.load_state_dict(state["optimizer"])\n',
        ),
    ),
]
