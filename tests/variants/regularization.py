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
    Variant(
        "dropout returns x when not training before it checks p",
        (
            "    if not 0.0 <= p <= 1.0:\n",
            "    if not training:\n        return x\n    if not 0.0 <= p <= 1.0:\n",
        ),
    ),
    Variant(
        "dropout builds its result with torch.zeros(x.shape): float32 on the cpu whatever x is",
        ("        return torch.zeros_like(x)\n", "        return torch.zeros(x.shape)\n"),
        (
            SCALE,
            "    out = torch.zeros(x.shape)\n    out[keep] = x[keep] / (1 - p)\n    return out",
        ),
    ),
    Variant(
        "l2_penalty sums the state_dict: the batch norm's buffers too",
        (
            L2,
            "    return sum((v.float().pow(2).sum() for v in model.state_dict().values()), torch.zeros(()))",
        ),
    ),
    Variant(
        "train_with_weight_decay records the loss after each step, not before",
        append="""
        def train_with_weight_decay(model, X, y, weight_decay, lr=0.1, steps=100):
            if weight_decay < 0:
                raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
            optimizer = torch.optim.SGD(model.parameters(), lr=lr, weight_decay=weight_decay)
            losses = []
            for _ in range(steps):
                train_step(model, nn.MSELoss(), optimizer, X, y)
                with torch.no_grad():
                    losses.append(nn.functional.mse_loss(model(X), y).item())
            return losses
        """,
    ),
    Variant(
        "EarlyStopping makes a loss the best when it beats best_loss, min_delta or not",
        (
            IMPROVES + "            self.best_loss, self.best_epoch = val_loss, self.epoch\n"
            "            self.best_state = copy.deepcopy(model.state_dict())\n",
            "        improved = val_loss < self.best_loss - self.min_delta\n"
            "        if val_loss < self.best_loss:\n"
            "            self.best_loss, self.best_epoch = val_loss, self.epoch\n"
            "            self.best_state = copy.deepcopy(model.state_dict())\n"
            "        if improved:\n",
        ),
    ),
    Variant(
        "EarlyStopping says stop once, on the epoch the count reaches patience",
        (
            "        return self.epochs_without_improvement >= self.patience",
            "        return self.epochs_without_improvement == self.patience",
        ),
    ),
    Variant(
        "EarlyStopping keeps the parameters only, not the batch norm's buffers",
        (
            "            self.best_state = copy.deepcopy(model.state_dict())",
            "            self.best_state = {k: v.detach().clone() for k, v in model.named_parameters()}",
        ),
        (
            "        model.load_state_dict(self.best_state)",
            "        model.load_state_dict(self.best_state, strict=False)",
        ),
    ),
    Variant(
        "EarlyStopping.restore without its check: load_state_dict(None) raises its own error",
        (
            "        if self.best_state is None:\n"
            '            raise RuntimeError("nothing to restore: call step() at least once first")\n',
            "",
        ),
    ),
    Variant(
        "train_with_early_stopping restores the best weights only when the stopper fires",
        (
            "        if stopper.step(val_losses[-1], model):\n            break\n"
            "    stopper.restore(model)\n",
            "        if stopper.step(val_losses[-1], model):\n"
            "            stopper.restore(model)\n"
            "            break\n",
        ),
    ),
    Variant(
        "train_with_early_stopping leaves the model in eval mode after the last validation",
        ("        model.train()\n        if stopper.step", "        if stopper.step"),
    ),
    Variant(
        "dropout draws its mask on the CPU, whatever the device of x",
        (KEEP, "    keep = torch.rand(x.shape, generator=generator) < 1 - p\n"),
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
    Variant(
        "dropout with torch.bernoulli and torch.where, raising a ValueError subclass",
        append="""
        class DropoutProbabilityError(ValueError):
            pass

        def dropout(x, p, training=True, generator=None):
            if p < 0 or p > 1:
                raise DropoutProbabilityError(f"dropout probability has to be between 0 and 1, but got {p}")
            if not training:
                return x
            keep = torch.bernoulli(torch.full_like(x, 1 - p), generator=generator).bool()
            scale = 0.0 if p == 1 else 1.0 / (1 - p)
            return torch.where(keep, x * scale, torch.zeros_like(x))
        """,
    ),
    Variant(
        "l2_penalty as one dot product of all parameters flattened",
        (
            L2,
            "    params = [p.reshape(-1) for p in model.parameters()]\n"
            "    if not params:\n"
            "        return torch.zeros(())\n"
            "    flat = torch.cat(params)\n"
            "    return torch.dot(flat, flat)",
        ),
    ),
    Variant(
        "train_with_weight_decay with the SGD loop inlined; EarlyStopping with cloned tensors and a count of patience left",
        append="""
        def train_with_weight_decay(model, X, y, weight_decay, lr=0.1, steps=100):
            if weight_decay < 0:
                raise ValueError(f"weight decay cannot be negative ({weight_decay})")
            opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0, weight_decay=weight_decay)
            mse = nn.MSELoss()
            history = []
            for _ in range(steps):
                model.train()
                loss = mse(model(X), y)
                opt.zero_grad()
                loss.backward()
                opt.step()
                history.append(loss.item())
            return history

        class EarlyStopping:
            def __init__(self, patience, min_delta=0.0):
                if patience < 1:
                    raise ValueError(f"patience must be a positive number of epochs, not {patience}")
                if min_delta < 0:
                    raise ValueError(f"min_delta must not be negative, not {min_delta}")
                self.patience = patience
                self.min_delta = min_delta
                self.best_loss = float("inf")
                self.best_epoch = None
                self._snapshot = None
                self._epochs_seen = 0
                self._left = patience

            def step(self, val_loss, model):
                epoch = self._epochs_seen
                self._epochs_seen += 1
                if val_loss < self.best_loss - self.min_delta:
                    self.best_loss = val_loss
                    self.best_epoch = epoch
                    self._snapshot = {k: v.detach().clone() for k, v in model.state_dict().items()}
                    self._left = self.patience
                    return False
                self._left -= 1
                return self._left <= 0

            def restore(self, model):
                if self._snapshot is None:
                    raise RuntimeError("nothing to restore yet: call step() at least once")
                model.load_state_dict(self._snapshot)
        """,
    ),
    Variant(
        "train_with_early_stopping as a while loop, validating under inference_mode and putting the mode back",
        append="""
        import torch.nn.functional as F

        def train_with_early_stopping(model, optimizer, train, val, stopper, max_epochs):
            if max_epochs < 1:
                raise ValueError(f"max_epochs has to be at least 1 (got {max_epochs})")
            (X, y), (X_val, y_val) = train, val
            train_losses, val_losses = [], []
            epoch = 0
            stop = False
            while epoch < max_epochs and not stop:
                train_losses.append(train_step(model, F.mse_loss, optimizer, X, y))
                was_training = model.training
                model.eval()
                with torch.inference_mode():
                    val_loss = F.mse_loss(model(X_val), y_val).item()
                model.train(was_training)
                val_losses.append(val_loss)
                stop = stopper.step(val_loss, model)
                epoch += 1
            stopper.restore(model)
            return train_losses, val_losses
        """,
    ),
]
