"""Wrong and right ways to write kata/regularization.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

KEEP = "    keep = torch.rand(x.shape, generator=generator, device=x.device) < 1 - p\n"
SCALE = "    return x * keep / (1 - p)  # scale the survivors so the expected value stays x"
L2 = "    return sum((p.pow(2).sum() for p in model.parameters()), torch.zeros(()))"
IMPROVES = "        if val_loss < self.best_loss - self.min_delta:\n"
SGD = "    optimizer = torch.optim.SGD(model.parameters(), lr=lr, weight_decay=weight_decay)\n"

BROKEN = [
    Variant("dropout does not scale what it keeps", (SCALE, "    return x * keep")),
    Variant(
        "dropout multiplies by 1 - p instead of dividing", (SCALE, "    return x * keep * (1 - p)")
    ),
    Variant(
        "dropout keeps each element with probability p",
        (KEEP, "    keep = torch.rand(x.shape, generator=generator, device=x.device) < p\n"),
    ),
    Variant(
        "dropout still drops when not training",
        ("    if not training or p == 0.0:\n", "    if p == 0.0:\n"),
    ),
    Variant(
        "dropout divides 0 by 0 at p = 1",
        ("    if p == 1.0:\n        return torch.zeros_like(x)\n", ""),
    ),
    Variant(
        "dropout ignores the generator",
        (KEEP, "    keep = torch.rand(x.shape, device=x.device) < 1 - p\n"),
    ),
    Variant(
        "dropout accepts p above 1",
        ("    if not 0.0 <= p <= 1.0:\n", "    if p < 0.0:\n"),
    ),
    Variant(
        "l2_penalty starts its sum from Python's 0: an int for a model without parameters",
        (L2, "    return sum(p.pow(2).sum() for p in model.parameters())"),
    ),
    Variant(
        "l2_penalty leaves out the biases",
        (
            L2,
            '    return sum(p.pow(2).sum() for name, p in model.named_parameters() if "bias" not in name)',
        ),
    ),
    Variant(
        "l2_penalty leaves the graph with .item()",
        (L2, "    return torch.tensor(sum(p.pow(2).sum().item() for p in model.parameters()))"),
    ),
    Variant(
        "l2_penalty sums the norms, not the squares",
        (L2, "    return sum(p.norm() for p in model.parameters())"),
    ),
    Variant(
        "train_with_weight_decay forgets to pass weight_decay",
        (SGD, "    optimizer = torch.optim.SGD(model.parameters(), lr=lr)\n"),
    ),
    Variant(
        "train_with_weight_decay with momentum",
        (
            SGD,
            "    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=weight_decay)\n",
        ),
    ),
    Variant(
        "train_with_weight_decay with AdamW",
        (
            SGD,
            "    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)\n",
        ),
    ),
    Variant(
        "train_with_weight_decay returns the loss with the penalty",
        append="""
        def train_with_weight_decay(model, X, y, weight_decay, lr=0.1, steps=100):
            if weight_decay < 0:
                raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
            optimizer = torch.optim.SGD(model.parameters(), lr=lr)
            losses = []
            for _ in range(steps):
                loss = nn.functional.mse_loss(model(X), y) + weight_decay / 2 * l2_penalty(model)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
            return losses
        """,
    ),
    Variant(
        "EarlyStopping counts an equal loss as an improvement",
        (IMPROVES, "        if val_loss <= self.best_loss - self.min_delta:\n"),
    ),
    Variant(
        "EarlyStopping ignores min_delta",
        (IMPROVES, "        if val_loss < self.best_loss:\n"),
    ),
    Variant(
        "EarlyStopping adds min_delta the wrong way",
        (IMPROVES, "        if val_loss < self.best_loss + self.min_delta:\n"),
    ),
    Variant(
        "EarlyStopping stops one epoch late",
        (
            "        return self.epochs_without_improvement >= self.patience",
            "        return self.epochs_without_improvement > self.patience",
        ),
    ),
    Variant(
        "EarlyStopping keeps the live state_dict",
        (
            "            self.best_state = copy.deepcopy(model.state_dict())",
            "            self.best_state = model.state_dict()",
        ),
    ),
    Variant(
        "EarlyStopping keeps a shallow copy of the state_dict",
        (
            "            self.best_state = copy.deepcopy(model.state_dict())",
            "            self.best_state = dict(model.state_dict())",
        ),
    ),
    Variant(
        "EarlyStopping never resets its count",
        ("            self.epochs_without_improvement = 0\n        else:", "        else:"),
    ),
    Variant(
        "EarlyStopping counts epochs from 1",
        (
            "        self.epoch, self.epochs_without_improvement = -1, 0",
            "        self.epoch, self.epochs_without_improvement = 0, 0",
        ),
    ),
    Variant(
        "EarlyStopping accepts patience 0",
        ("        if patience < 1:\n", "        if patience < 0:\n"),
    ),
    Variant(
        "EarlyStopping accepts a negative min_delta",
        ("        if min_delta < 0:\n", "        if min_delta < -1:\n"),
    ),
    Variant(
        "train_with_early_stopping validates in training mode",
        (
            "        model.eval()\n        with torch.no_grad():\n",
            "        with torch.no_grad():\n",
        ),
    ),
    Variant(
        "train_with_early_stopping validates with autograd on",
        (
            "        with torch.no_grad():\n            val_losses.append(loss_fn(model(val[0]), val[1]).item())",
            "        val_losses.append(loss_fn(model(val[0]), val[1]).item())",
        ),
    ),
    Variant(
        "train_with_early_stopping does not restore the best weights",
        ("    stopper.restore(model)\n    return train_losses", "    return train_losses"),
    ),
    Variant(
        "train_with_early_stopping never stops early",
        (
            "        if stopper.step(val_losses[-1], model):\n            break",
            "        stopper.step(val_losses[-1], model)",
        ),
    ),
    Variant(
        "train_with_early_stopping validates on the training data",
        ("loss_fn(model(val[0]), val[1])", "loss_fn(model(train[0]), train[1])"),
    ),
]

ALTERNATIVES = [
    Variant(
        "dropout with torch.bernoulli",
        (
            KEEP + SCALE,
            "    keep = torch.bernoulli(torch.full_like(x, 1 - p), generator=generator)\n"
            "    return x * keep / (1 - p)",
        ),
    ),
    Variant(
        "dropout with torch.where",
        (SCALE, "    return torch.where(keep, x / (1 - p), torch.zeros_like(x))"),
    ),
    Variant(
        "l2_penalty with parameters_to_vector",
        (
            L2,
            "    parameters = list(model.parameters()) or [torch.zeros(0)]\n"
            "    return nn.utils.parameters_to_vector(parameters).pow(2).sum()",
        ),
    ),
    Variant(
        "l2_penalty with a loop and torch.sum(p ** 2)",
        (
            L2,
            "    total = torch.zeros(())\n"
            "    for p in model.parameters():\n"
            "        total = total + torch.sum(p**2)\n"
            "    return total",
        ),
    ),
    Variant(
        "train_with_weight_decay with the steps written out",
        (
            "    return [train_step(model, nn.MSELoss(), optimizer, X, y) for _ in range(steps)]",
            "    losses = []\n"
            "    model.train()\n"
            "    for _ in range(steps):\n"
            "        optimizer.zero_grad()\n"
            "        loss = nn.functional.mse_loss(model(X), y)\n"
            "        loss.backward()\n"
            "        optimizer.step()\n"
            "        losses.append(float(loss))\n"
            "    return losses",
        ),
    ),
    Variant(
        "EarlyStopping keeps cloned tensors",
        (
            "            self.best_state = copy.deepcopy(model.state_dict())",
            "            self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}",
        ),
    ),
    Variant(
        "train_with_early_stopping validates under inference_mode with functional mse",
        (
            "        with torch.no_grad():\n            val_losses.append(loss_fn(model(val[0]), val[1]).item())",
            "        with torch.inference_mode():\n"
            "            val_losses.append(nn.functional.mse_loss(model(val[0]), val[1]).item())\n"
            "        model.train()",
        ),
    ),
    Variant(
        "error messages in other words, no argument named",
        ('f"dropout probability p must be in [0, 1], got {p}"', 'f"cannot drop a share of {p}"'),
        (
            'f"weight_decay must be >= 0, got {weight_decay}"',
            'f"a decay of {weight_decay} would push the weights away from zero"',
        ),
        (
            'f"patience must be at least 1, got {patience}"',
            'f"waiting {patience} epochs is no wait"',
        ),
        ('f"min_delta must be >= 0, got {min_delta}"', 'f"a margin of {min_delta} is below zero"'),
        (
            '"nothing to restore: call step() at least once first"',
            '"restore() came before any step(): there is no best state yet"',
        ),
        ('f"max_epochs must be at least 1, got {max_epochs}"', 'f"{max_epochs} epochs is no run"'),
    ),
]
