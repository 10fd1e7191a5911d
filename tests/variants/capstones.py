"""Wrong and right ways to write kata/capstones.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

OPTIMIZER = "    optimizer = torch.optim.Adam(model.parameters(), lr=lr)\n"
POSITIONS = (
    "    positions = torch.rand(n, seq_len, generator=generator).argsort(dim=1)[:, :2]  # (n, 2)\n"
)

BROKEN = [
    Variant(
        "digit_data leaves the pixels at 0..16",
        (
            "    X = torch.tensor(digits.data, dtype=torch.float32) / 16\n",
            "    X = torch.tensor(digits.data, dtype=torch.float32)\n",
        ),
    ),
    Variant(
        "digit_data gives float labels",
        (
            "    y = torch.tensor(digits.target, dtype=torch.long)",
            "    y = torch.tensor(digits.target, dtype=torch.float32)",
        ),
    ),
    Variant(
        "digit_data keeps load_digits' float64",
        (
            "    X = torch.tensor(digits.data, dtype=torch.float32) / 16\n",
            "    X = torch.from_numpy(digits.data) / 16\n",
        ),
    ),
    Variant(
        "digit_data puts the channel last",
        ("X.reshape(-1, 1, 8, 8) if image_shape", "X.reshape(-1, 8, 8, 1) if image_shape"),
    ),
    Variant(
        "split_loaders does not shuffle the train loader",
        (
            "make_loader(train, batch_size, shuffle=True, seed=seed)",
            "make_loader(train, batch_size, shuffle=False, seed=seed)",
        ),
    ),
    Variant(
        "split_loaders swaps the 80 and the 20",
        (
            "split_dataset(PairDataset(X, y), [0.8, 0.2], seed)",
            "split_dataset(PairDataset(X, y), [0.2, 0.8], seed)",
        ),
    ),
    Variant(
        "split_loaders splits with the global RNG",
        (
            "    train, test = split_dataset(PairDataset(X, y), [0.8, 0.2], seed)\n",
            "    torch.manual_seed(seed)\n"
            "    train, test = torch.utils.data.random_split(PairDataset(X, y), [0.8, 0.2])\n",
        ),
    ),
    Variant(
        "split_loaders shuffles with a plain DataLoader, which follows the global RNG",
        (
            "        make_loader(train, batch_size, shuffle=True, seed=seed),\n",
            "        DataLoader(train, batch_size=batch_size, shuffle=True),\n",
        ),
    ),
    Variant(
        "split_loaders' test loader has no generator: each pass draws from the global RNG",
        (
            "        make_loader(test, batch_size, shuffle=False, seed=seed),\n",
            "        DataLoader(test, batch_size=batch_size),\n",
        ),
    ),
    Variant(
        "split_loaders holds out the last 20% of the samples, not a random 20%",
        append="""
        def split_loaders(X, y, batch_size, seed):
            if batch_size < 1:
                raise ValueError(f"batch_size must be at least 1, got {batch_size}")
            if len(X) < 5:
                raise ValueError(f"{len(X)} samples leave none for the test part: need at least 5")
            n_train = len(X) - int(0.2 * len(X))
            train, test = PairDataset(X[:n_train], y[:n_train]), PairDataset(X[n_train:], y[n_train:])
            return make_loader(train, batch_size, True, seed), make_loader(test, batch_size, False, seed)
        """,
    ),
    Variant(
        "split_loaders accepts 4 samples",
        ("    if len(X) < 5:\n", "    if len(X) < 4:\n"),
    ),
    Variant(
        "train_and_score scores on the train loader",
        (
            "evaluate(model, loss_fn, _on_device(test_loader, device))",
            "evaluate(model, loss_fn, _on_device(train_loader, device))",
        ),
    ),
    Variant(
        "train_and_score returns the test loss, not the accuracy",
        (
            "    _, accuracy = evaluate(model, loss_fn, _on_device(test_loader, device))\n"
            "    return accuracy",
            "    loss, _ = evaluate(model, loss_fn, _on_device(test_loader, device))\n"
            "    return loss",
        ),
    ),
    Variant(
        "train_and_score without label smoothing",
        (
            "    loss_fn = nn.CrossEntropyLoss(label_smoothing=LABEL_SMOOTHING)\n",
            "    loss_fn = nn.CrossEntropyLoss()\n",
        ),
    ),
    Variant(
        "train_and_score with SGD",
        (OPTIMIZER, "    optimizer = torch.optim.SGD(model.parameters(), lr=lr)\n"),
    ),
    Variant(
        "train_and_score ignores its lr",
        (OPTIMIZER, "    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)\n"),
    ),
    Variant(
        "train_digit_mlp without torch.manual_seed",
        (
            "    torch.manual_seed(seed)\n    train_loader, test_loader = load_digit_loaders(BATCH_SIZE, seed, image_shape=False)",
            "    train_loader, test_loader = load_digit_loaders(BATCH_SIZE, seed, image_shape=False)",
        ),
    ),
    Variant(
        "train_digit_mlp seeds the global RNG after building the model",
        (
            "    torch.manual_seed(seed)\n"
            "    train_loader, test_loader = load_digit_loaders(BATCH_SIZE, seed, image_shape=False)\n"
            "    model = make_mlp(64, MLP_HIDDEN, 10)\n",
            "    train_loader, test_loader = load_digit_loaders(BATCH_SIZE, seed, image_shape=False)\n"
            "    model = make_mlp(64, MLP_HIDDEN, 10)\n"
            "    torch.manual_seed(seed)\n",
        ),
    ),
    Variant(
        "train_digit_cnn without the padding",
        (
            "    model = nn.Sequential(nn.ZeroPad2d(1), SmallCNN(1, 10, (10, 10)))",
            "    model = SmallCNN(1, 10, (8, 8))",
        ),
    ),
    Variant(
        "train_digit_cnn pads two pixels a side, so its SmallCNN sees 12 x 12",
        ("nn.Sequential(nn.ZeroPad2d(1), SmallCNN", "nn.Sequential(nn.ZeroPad2d(2), SmallCNN"),
    ),
    Variant(
        "make_sequence_task may put both markers at one step",
        (POSITIONS, "    positions = torch.randint(seq_len, (n, 2), generator=generator)\n"),
    ),
    Variant(
        "make_sequence_task never puts a marker at the last step",
        (
            POSITIONS,
            "    positions = torch.rand(n, seq_len - 1, generator=generator).argsort(dim=1)[:, :2]\n",
        ),
    ),
    Variant(
        "make_sequence_task draws noise in [0, 1)",
        (
            "    X = torch.rand(n, seq_len, 1, generator=generator) - 0.5\n",
            "    X = torch.rand(n, seq_len, 1, generator=generator)\n",
        ),
    ),
    Variant(
        "make_sequence_task labels the other order",
        (
            "    return X, (positions[:, 0] < positions[:, 1]).long()",
            "    return X, (positions[:, 0] > positions[:, 1]).long()",
        ),
    ),
    Variant(
        "make_sequence_task draws from the global RNG",
        (
            "    generator = torch.Generator().manual_seed(seed)\n    X =",
            "    generator = None\n    torch.manual_seed(seed)\n    X =",
        ),
    ),
    Variant(
        "make_sequence_task accepts one step",
        ("    if n < 1 or seq_len < 2:\n", "    if n < 1 or seq_len < 1:\n"),
    ),
    # Device placement: each is caught by the [standin] tests, on a machine without a GPU.
    Variant(
        "train_and_score hands fit no device, so the training batches stay on the CPU",
        (
            "    fit(model, train_loader, loss_fn, optimizer, epochs, device)\n",
            "    fit(model, train_loader, loss_fn, optimizer, epochs, None)\n",
        ),
    ),
    Variant(
        "train_and_score scores on test batches left on the CPU",
        (
            "evaluate(model, loss_fn, _on_device(test_loader, device))",
            "evaluate(model, loss_fn, test_loader)",
        ),
    ),
    Variant(
        "train_and_score moves the test batches to None",
        ("_on_device(test_loader, device)", "_on_device(test_loader, None)"),
    ),
    Variant(
        "train_digit_mlp trains on None instead of the device it was given",
        (
            "train_and_score(model, train_loader, test_loader, MLP_EPOCHS, device)",
            "train_and_score(model, train_loader, test_loader, MLP_EPOCHS, None)",
        ),
    ),
    Variant(
        "train_digit_cnn trains on the CPU whatever device it was given",
        (
            "train_and_score(model, train_loader, test_loader, CNN_EPOCHS, device)",
            'train_and_score(model, train_loader, test_loader, CNN_EPOCHS, torch.device("cpu"))',
        ),
    ),
    Variant(
        "train_sequence_lstm trains on None instead of the device it was given",
        (
            "model, train_loader, test_loader, LSTM_EPOCHS, device, lr=LSTM_LEARNING_RATE",
            "model, train_loader, test_loader, LSTM_EPOCHS, None, lr=LSTM_LEARNING_RATE",
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "digit_data from .images with from_numpy",
        append="""
        def digit_data(image_shape):
            from sklearn.datasets import load_digits

            digits = load_digits()
            images = torch.from_numpy(digits.images).float().div(16)  # (1797, 8, 8)
            X = images.unsqueeze(1) if image_shape else images.flatten(1)
            return X, torch.from_numpy(digits.target).long()
        """,
    ),
    Variant(
        "digit_data from .images, min-max scaled, with torch.as_tensor",
        append="""
        def digit_data(image_shape):
            from sklearn import datasets

            bunch = datasets.load_digits()
            pixels = bunch.images if image_shape else bunch.data
            X = torch.as_tensor(pixels, dtype=torch.float32)
            X = (X - X.min()) / (X.max() - X.min())  # the grey levels run from 0 to 16
            if image_shape:
                X = X.unsqueeze(1)
            return X, torch.as_tensor(bunch.target).to(torch.int64)
        """,
    ),
    Variant(
        "split_loaders with random_split and DataLoader directly",
        append="""
        from torch.utils.data import TensorDataset, random_split

        def split_loaders(X, y, batch_size, seed):
            if batch_size < 1:
                raise ValueError(f"batch_size must be >= 1, not {batch_size}")
            if len(X) != len(y):
                raise ValueError(f"{len(X)} inputs but {len(y)} targets")
            if len(X) < 5:
                raise ValueError(f"only {len(X)} samples: at least 5 are needed")
            n_train = round(0.8 * len(X))
            train, test = random_split(
                TensorDataset(X, y), [n_train, len(X) - n_train], generator=torch.Generator().manual_seed(seed)
            )
            return (
                DataLoader(train, batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed)),
                DataLoader(test, batch_size, generator=torch.Generator().manual_seed(seed + 1)),
            )
        """,
    ),
    Variant(
        "split_loaders by hand: a seeded randperm, Subsets, a ValueError subclass",
        append="""
        from torch.utils.data import Subset, TensorDataset

        class SplitError(ValueError):
            pass

        def split_loaders(X, y, batch_size, seed):
            if batch_size < 1:
                raise SplitError(f"batch_size has to be positive, got {batch_size}")
            n = X.shape[0]
            if n != y.shape[0]:
                raise SplitError(f"{n} inputs for {y.shape[0]} targets")
            if n < 5:
                raise SplitError(f"an 80/20 split of {n} samples leaves the test part empty")
            order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
            n_test = n // 5
            data = TensorDataset(X, y)
            train, test = Subset(data, order[n_test:]), Subset(data, order[:n_test])
            shuffled, unshuffled = (torch.Generator().manual_seed(seed + i) for i in (1, 2))
            return (
                DataLoader(train, batch_size=batch_size, shuffle=True, generator=shuffled),
                DataLoader(test, batch_size=batch_size, generator=unshuffled),
            )
        """,
    ),
    Variant(
        "make_sequence_task with a randperm per sequence",
        append="""
        def make_sequence_task(n, seq_len, seed):
            if n < 1:
                raise ValueError(f"n must be >= 1, got n={n}")
            if seq_len < 2:
                raise ValueError(f"two markers need seq_len >= 2, got seq_len={seq_len}")
            g = torch.Generator().manual_seed(seed)
            X = torch.rand(n, seq_len, 1, generator=g) - 0.5
            y = torch.empty(n, dtype=torch.long)
            for i in range(n):
                plus, minus = torch.randperm(seq_len, generator=g)[:2].tolist()
                X[i, plus, 0], X[i, minus, 0] = 1.0, -1.0
                y[i] = int(plus < minus)
            return X, y
        """,
    ),
    Variant(
        "make_sequence_task one sequence at a time, its noise drawn row by row",
        append="""
        def make_sequence_task(n, seq_len, seed):
            if n < 1:
                raise ValueError(f"n={n}: need at least one sequence")
            if seq_len < 2:
                raise ValueError(f"seq_len={seq_len}: two markers need at least two steps")
            gen = torch.Generator()
            gen.manual_seed(seed)
            xs, ys = [], []
            for _ in range(n):
                seq = torch.rand(seq_len, generator=gen) - 0.5
                plus, minus = torch.randperm(seq_len, generator=gen)[:2].tolist()
                seq[plus], seq[minus] = 1.0, -1.0
                xs.append(seq)
                ys.append(1 if plus < minus else 0)
            return torch.stack(xs).unsqueeze(-1), torch.tensor(ys, dtype=torch.long)
        """,
    ),
    Variant(
        "train_digit_cnn with a named OrderedDict Sequential; every argument by keyword",
        append="""
        from collections import OrderedDict

        def train_digit_cnn(seed, device):
            train_loader, test_loader = load_digit_loaders(
                batch_size=BATCH_SIZE, seed=seed, image_shape=True
            )
            torch.manual_seed(seed)
            model = nn.Sequential(OrderedDict(pad=nn.ZeroPad2d(1), cnn=SmallCNN(1, 10, (10, 10))))
            accuracy = train_and_score(
                model, train_loader, test_loader, epochs=CNN_EPOCHS, device=device, lr=LEARNING_RATE
            )
            return model, accuracy

        def train_sequence_lstm(seed, device):
            torch.manual_seed(seed)
            X, y = make_sequence_task(n=SEQUENCE_SAMPLES, seq_len=SEQUENCE_LENGTH, seed=seed)
            train_loader, test_loader = split_loaders(X, y, batch_size=BATCH_SIZE, seed=seed)
            model = SequenceClassifier(
                input_size=1, hidden_size=LSTM_HIDDEN, num_classes=2, kind="lstm"
            )
            accuracy = train_and_score(
                model, train_loader, test_loader, epochs=LSTM_EPOCHS, device=device,
                lr=LSTM_LEARNING_RATE,
            )
            return model, accuracy
        """,
    ),
    Variant(
        "train_and_score with the optimizer built first and the model moved by fit",
        (
            "    model.to(device)\n" + OPTIMIZER,
            OPTIMIZER,
        ),
    ),
    Variant(
        "error messages in other words",
        ('f"batch_size must be at least 1, got {batch_size}"', 'f"no batches of {batch_size}"'),
        (
            'f"{len(X)} samples leave none for the test part: need at least 5"',
            'f"too few samples to hold some out: {len(X)}"',
        ),
        (
            'f"need n >= 1 and seq_len >= 2, got n={n}, seq_len={seq_len}"',
            'f"n={n} sequences of seq_len={seq_len} steps make no task"',
        ),
    ),
]
