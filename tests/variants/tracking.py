"""Wrong and right ways to write kata/tracking.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

_VALUES = "        name: loss.item() if isinstance(loss, torch.Tensor) else float(loss)\n"
_FINITE = (
    "    for name, value in values.items():\n"
    "        if not math.isfinite(value):\n"
    '            raise ValueError(f"the {name} loss is {value}: training has diverged")\n'
)
_SAME_SERIES = "    if history and set(losses) != set(history):\n"
_BEST = "    return values.index(min(values)) + 1"
_PLOT_X = "        ax.plot(range(1, len(values) + 1), values, label=name)\n"

BROKEN = [
    Variant("record_epoch keeps the loss tensor", (_VALUES, "        name: loss\n")),
    Variant(
        "record_epoch converts with float(loss): warns on a loss that requires grad",
        (_VALUES, "        name: float(loss)\n"),
    ),
    Variant(
        "record_epoch accepts an epoch with no losses",
        (
            '        raise ValueError("record_epoch needs at least one loss, e.g. record_epoch(h, train=0.5)")\n',
            "        return history\n",
        ),
    ),
    Variant(
        "record_epoch lets the series fall out of step",
        (_SAME_SERIES, "    if False:\n"),
    ),
    Variant(
        "record_epoch refuses new series but not missing ones",
        (_SAME_SERIES, "    if history and not set(losses) <= set(history):\n"),
    ),
    Variant(
        "record_epoch refuses missing series but not new ones",
        (_SAME_SERIES, "    if history and not set(history) <= set(losses):\n"),
    ),
    Variant("record_epoch stores NaN and infinity", (_FINITE, "")),
    Variant(
        "record_epoch refuses NaN but not infinity",
        ("        if not math.isfinite(value):\n", "        if math.isnan(value):\n"),
    ),
    Variant(
        "record_epoch appends each series before checking the next",
        (_FINITE, ""),
        (
            "        history.setdefault(name, []).append(value)\n",
            "        history.setdefault(name, []).append(value)\n"
            "        if not math.isfinite(value):\n"
            '            raise ValueError(f"the {name} loss is {value}: training has diverged")\n',
        ),
    ),
    Variant(
        "record_epoch returns a new dict, leaving the caller's alone",
        (
            "    for name, value in values.items():\n        history.setdefault",
            "    history = {k: list(v) for k, v in history.items()}\n"
            "    for name, value in values.items():\n        history.setdefault",
        ),
    ),
    Variant("best_epoch counts from 0", (_BEST, "    return values.index(min(values))")),
    Variant(
        "best_epoch with torch.argmin on a float32 tensor: losses closer than float32 tie",
        (_BEST, "    return int(torch.tensor(values).argmin()) + 1"),
    ),
    Variant(
        "best_epoch gives a tie to the later epoch",
        (_BEST, "    return len(values) - values[::-1].index(min(values))"),
    ),
    Variant(
        "best_epoch lets an unknown series raise KeyError",
        (
            '    if name not in history:\n        raise ValueError(f"the history has no series {name!r}; it has {sorted(history)}")\n',
            "",
        ),
    ),
    Variant(
        "best_epoch lets min() fail on an empty series",
        (
            '    if not values:\n        raise ValueError(f"the series {name!r} is empty: record an epoch first")\n',
            "",
        ),
    ),
    Variant(
        "plot_loss_curves starts the epochs at 0",
        (_PLOT_X, "        ax.plot(values, label=name)\n"),
    ),
    Variant("plot_loss_curves forgets the legend", ("    ax.legend()\n", "")),
    Variant(
        "plot_loss_curves ignores the title argument",
        ("    ax.set_title(title)\n", '    ax.set_title("Loss per epoch")\n'),
    ),
    Variant(
        "plot_loss_curves draws with pyplot and never closes the figure",
        (
            "    figure = Figure(figsize=(6, 4))\n    ax = figure.subplots()\n",
            "    import matplotlib.pyplot as plt\n\n    figure, ax = plt.subplots(figsize=(6, 4))\n",
        ),
    ),
    Variant(
        "plot_loss_curves saves any file type",
        (
            '        raise ValueError(f"plot_loss_curves saves a PNG: the path must end in .png, got {path}")\n',
            "        pass\n",
        ),
    ),
    Variant(
        "plot_loss_curves looks at the first series alone for emptiness",
        (
            "    if not history or not all(history.values()):\n",
            "    if not history or not next(iter(history.values())):\n",
        ),
    ),
    Variant(
        "plot_loss_curves draws an empty series",
        ("    if not history or not all(history.values()):\n", "    if not history:\n"),
    ),
    Variant(
        "plot_loss_curves creates the missing folder",
        (
            '        raise FileNotFoundError(f"cannot save {path.name}: the folder {path.parent} does not exist")\n',
            "        path.parent.mkdir(parents=True)\n",
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "record_epoch detaches before float()",
        (
            _VALUES,
            "        name: float(loss.detach()) if isinstance(loss, torch.Tensor) else float(loss)\n",
        ),
    ),
    Variant(
        "best_epoch with torch.argmin over a float64 tensor",
        (_BEST, "    return int(torch.argmin(torch.tensor(values, dtype=torch.float64))) + 1"),
    ),
    Variant(
        "best_epoch as a loop with a strict <, reworded errors",
        append="""
        def best_epoch(history, name):
            if name not in history:
                raise ValueError(f"unknown series {name}; available: {list(history)}")
            series = history[name]
            if len(series) == 0:
                raise ValueError(f"the series {name} has no epochs yet")
            best_i, best_v = 0, series[0]
            for i, v in enumerate(series):
                if v < best_v:
                    best_i, best_v = i, v
            return best_i + 1
        """,
    ),
    Variant(
        "record_epoch stages the values in a dict first, float(loss.detach().cpu().item())",
        append="""
        def record_epoch(history, **losses):
            if len(losses) == 0:
                raise ValueError("record_epoch needs at least one loss, e.g. train=0.5")
            if len(history) > 0 and sorted(history) != sorted(losses):
                raise ValueError(
                    f"got series {', '.join(sorted(losses))} but the history tracks "
                    f"{', '.join(sorted(history))}"
                )
            staged = {}
            for name in losses:
                loss = losses[name]
                value = float(loss.detach().cpu().item()) if torch.is_tensor(loss) else float(loss)
                if math.isnan(value) or math.isinf(value):
                    raise ValueError(f"{name} loss is {value}; training has diverged")
                staged[name] = value
            for name in staged:
                if name not in history:
                    history[name] = []
                history[name].append(staged[name])
            return history
        """,
    ),
    Variant(
        "plot_loss_curves with add_subplot, ax.set, numpy epochs, os.path and format='png'",
        append="""
        import os

        import numpy as np


        def plot_loss_curves(history, path, title="Loss per epoch"):
            path = os.fspath(path)
            folder = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(folder):
                raise FileNotFoundError(f"cannot save the plot: {folder} is not an existing folder")
            if not path.endswith(".png"):
                raise ValueError(f"only PNG output is supported, got {path}")
            if len(history) == 0:
                raise ValueError("the history has no series")
            for name, ys in history.items():
                if len(ys) == 0:
                    raise ValueError(f"series {name} is empty")
            fig = Figure(figsize=(6, 4))
            ax = fig.add_subplot(1, 1, 1)
            for name, ys in history.items():
                ax.plot(np.arange(1, len(ys) + 1), np.asarray(ys), marker="o", label=name)
            ax.set(title=title, xlabel="Epoch", ylabel="Training loss")
            ax.legend(loc="best")
            fig.savefig(path, format="png")
            return fig
        """,
    ),
    Variant(
        "best_epoch with min over the epochs",
        (_BEST, "    return min(range(1, len(values) + 1), key=lambda epoch: values[epoch - 1])"),
    ),
    Variant(
        "plot_loss_curves through pyplot with the Agg backend, closing the figure",
        (
            "    figure = Figure(figsize=(6, 4))\n    ax = figure.subplots()\n",
            '    import matplotlib\n\n    matplotlib.use("Agg")\n    import matplotlib.pyplot as plt\n\n'
            "    figure, ax = plt.subplots()\n",
        ),
        (
            "    figure.savefig(path)\n    return figure",
            "    figure.savefig(path)\n    plt.close(figure)\n    return figure",
        ),
    ),
    Variant(
        "plot_loss_curves lets savefig refuse the missing folder, and plots numpy epochs",
        (
            '    if not path.parent.is_dir():\n        raise FileNotFoundError(f"cannot save {path.name}: the folder {path.parent} does not exist")\n',
            "",
        ),
        (
            _PLOT_X,
            "        import numpy as np\n\n        ax.plot(np.arange(1, len(values) + 1), np.asarray(values), label=name)\n",
        ),
    ),
    Variant(
        "error messages in other words: only the series out of step named",
        (
            '"record_epoch needs at least one loss, e.g. record_epoch(h, train=0.5)"',
            '"an epoch with no values"',
        ),
        (
            'f"every epoch must record the same series: the history has {sorted(history)}, "\n'
            '            f"this epoch has {sorted(losses)}"',
            'f"series out of step: {sorted(set(history) ^ set(losses))}"',
        ),
        ('f"the {name} loss is {value}: training has diverged"', 'f"{name}={value}: diverged"'),
        (
            'f"the history has no series {name!r}; it has {sorted(history)}"',
            "f\"{name} is not among {', '.join(history)}\"",
        ),
        ('f"the series {name!r} is empty: record an epoch first"', 'f"no epoch of {name} yet"'),
        (
            'f"cannot save {path.name}: the folder {path.parent} does not exist"',
            'f"folder missing: {path.parent}"',
        ),
        (
            'f"plot_loss_curves saves a PNG: the path must end in .png, got {path}"',
            'f"cannot write {path.suffix} files"',
        ),
        (
            'f"nothing to plot: every series needs at least one epoch, got {history}"',
            '"the history is empty"',
        ),
    ),
]
