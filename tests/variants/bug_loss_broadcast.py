"""Wrong and right ways to write kata/bug_loss_broadcast.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

LOSS = "return F.mse_loss(predictions.reshape(-1), targets.reshape(-1))"
CHECK = "    if predictions.numel() != targets.numel():"

BROKEN = [
    Variant(
        "left as the stub: (N, 1) against (N,) broadcasts",
        (LOSS, "return F.mse_loss(predictions, targets)"),
    ),
    Variant(
        "squeezes the predictions only: (N,) against (N, 1) targets broadcasts",
        (LOSS, "return F.mse_loss(predictions.squeeze(1), targets)"),
    ),
    Variant(
        "unsqueezes the targets only: (N, 1, 1) against (N, 1) targets broadcasts",
        (LOSS, "return F.mse_loss(predictions, targets.unsqueeze(1))"),
    ),
    Variant(
        "silences the warning instead of fixing the shapes",
        (
            LOSS,
            "import warnings\n\n"
            "    with warnings.catch_warnings():\n"
            '        warnings.simplefilter("ignore")\n'
            "        return F.mse_loss(predictions, targets)",
        ),
    ),
    Variant("skips the sample-count check", (CHECK, "    if False:")),
    Variant(
        "refuses every shape mismatch, the (N, 1) against (N,) it should fix too",
        (CHECK, "    if predictions.shape != targets.shape:"),
    ),
    Variant(
        "the sample-count error names no shape",
        (
            'f"predictions {tuple(predictions.shape)} and targets {tuple(targets.shape)} "\n'
            '            "hold different numbers of samples"',
            '"predictions and targets hold different numbers of samples"',
        ),
    ),
    Variant(
        "the sample-count error names the targets' shape only",
        (
            'f"predictions {tuple(predictions.shape)} and targets {tuple(targets.shape)} "\n'
            '            "hold different numbers of samples"',
            'f"targets of shape {tuple(targets.shape)} do not match the predictions"',
        ),
    ),
    Variant(
        "sums the squared errors",
        (LOSS, 'return F.mse_loss(predictions.reshape(-1), targets.reshape(-1), reduction="sum")'),
    ),
    Variant(
        "mean absolute error instead of squared",
        (LOSS, "return F.l1_loss(predictions.reshape(-1), targets.reshape(-1))"),
    ),
    Variant(
        "detaches the predictions: no gradient",
        (LOSS, "return F.mse_loss(predictions.reshape(-1).detach(), targets.reshape(-1))"),
    ),
    Variant(
        "returns a Python float from .item(), computed on .data",
        (LOSS, "return F.mse_loss(predictions.data.reshape(-1), targets.reshape(-1)).item()"),
    ),
    Variant(
        "averages over the batch only: shape (1,), not 0-dim",
        (LOSS, "return ((predictions - targets.reshape(-1, 1)) ** 2).mean(dim=0)"),
    ),
]

ALTERNATIVES = [
    Variant(
        "targets viewed as the predictions' shape",
        (LOSS, "return F.mse_loss(predictions, targets.view_as(predictions))"),
    ),
    Variant(
        "by hand on flattened vectors, checked with len",
        (CHECK, "    if len(predictions) != len(targets):"),
        (LOSS, "return ((predictions.flatten() - targets.flatten()) ** 2).mean()"),
    ),
    Variant(
        "by hand: predictions squeezed, targets reshaped, then their counts compared",
        append="""
        def regression_loss(predictions, targets):
            preds, targs = predictions.squeeze(1), targets.reshape(-1)
            if preds.numel() != targs.numel():
                raise ValueError(
                    f"got {preds.numel()} predictions (shape {tuple(predictions.shape)}) but "
                    f"{targs.numel()} targets (shape {tuple(targets.shape)})"
                )
            return ((preds - targs) ** 2).mean()
        """,
    ),
    Variant(
        "both squeezed with nn.MSELoss",
        (LOSS, "return torch.nn.MSELoss()(predictions.squeeze(-1), targets.reshape(len(targets)))"),
    ),
    Variant(
        "the error in other words, both shapes as torch.Size",
        (
            'f"predictions {tuple(predictions.shape)} and targets {tuple(targets.shape)} "\n'
            '            "hold different numbers of samples"',
            'f"{predictions.shape} against {targets.shape}: the sample counts differ"',
        ),
    ),
]
