"""Wrong and right ways to write kata/bug_item_and_view.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

MAE = "return (predictions - targets).abs().mean().item()"
FLAT = "return channels_first.reshape(len(images), -1)"
PERMUTE = "channels_first = images.permute(0, 3, 1, 2)  #"

BROKEN = [
    Variant(
        "mean_absolute_error left as the stub: .item() on every element",
        (MAE, "return (predictions - targets).abs().item()"),
    ),
    Variant(
        "mean_absolute_error sums instead of averaging",
        (MAE, "return (predictions - targets).abs().sum().item()"),
    ),
    Variant(
        "mean_absolute_error takes abs after the mean: errors cancel",
        (MAE, "return (predictions - targets).mean().abs().item()"),
    ),
    Variant(
        "mean_absolute_error returns a tensor, not a float",
        (MAE, "return (predictions - targets).abs().mean()"),
    ),
    Variant(
        "mean_absolute_error averages the first sample only",
        (MAE, "return (predictions - targets).abs().flatten()[0].item()"),
    ),
    Variant(
        "mean_absolute_error squares the error",
        (MAE, "return (predictions - targets).pow(2).mean().item()"),
    ),
    Variant(
        "mean_absolute_error averages over dim 0 only: .item() refuses a (B, k) batch",
        (MAE, "return torch.mean(torch.abs(predictions - targets), dim=0).item()"),
    ),
    Variant(
        "mean_absolute_error through NumPy: an np.float32 is not a Python float",
        (MAE, "return np.abs(predictions.numpy() - targets.numpy()).mean()"),
        append="import numpy as np",
    ),
    Variant(
        "mean_absolute_error through .numpy(): refuses predictions that require grad",
        (MAE, "return float(np.abs(predictions.numpy() - targets.numpy()).mean())"),
        append="import numpy as np",
    ),
    Variant(
        "flatten_channels_first left as the stub: .view after .permute",
        (FLAT, "return channels_first.view(len(images), -1)"),
    ),
    Variant(
        "flatten_channels_first forgets the permute: channels-last order",
        (FLAT, "return images.reshape(len(images), -1)"),
    ),
    Variant(
        "flatten_channels_first permutes to (B, C, W, H): pixels column by column",
        (PERMUTE, "channels_first = images.permute(0, 3, 2, 1)  #"),
    ),
    Variant(
        "flatten_channels_first loses the batch dimension",
        (FLAT, "return channels_first.reshape(-1)"),
    ),
    Variant(
        "flatten_channels_first calls .contiguous() before the permute, not after",
        (PERMUTE, "channels_first = images.contiguous().permute(0, 3, 1, 2)  #"),
        (FLAT, "return channels_first.view(len(images), -1)"),
    ),
    Variant(
        "flatten_channels_first turns the pixels into floats",
        (FLAT, "return channels_first.reshape(len(images), -1).float()"),
    ),
]

ALTERNATIVES = [
    Variant(
        "mean_absolute_error with F.l1_loss",
        (MAE, "return torch.nn.functional.l1_loss(predictions, targets).item()"),
    ),
    Variant(
        "mean_absolute_error as a sum over numel, through float()",
        (MAE, "return float((predictions - targets).abs().sum() / predictions.numel())"),
    ),
    Variant(
        "mean_absolute_error as sum / numel in Python, returned as an np.float64",
        (
            MAE,
            "return np.float64((predictions - targets).abs().sum().item() / predictions.numel())",
        ),
        append="import numpy as np",
    ),
    Variant(
        "flatten_channels_first with .contiguous().view",
        (FLAT, "return channels_first.contiguous().view(len(images), -1)"),
    ),
    Variant(
        "flatten_channels_first with movedim and flatten",
        (FLAT, "return torch.flatten(images.movedim(-1, 1), start_dim=1)"),
    ),
    Variant(
        "flatten_channels_first channel by channel with torch.cat",
        (
            FLAT,
            "return torch.cat([images[..., c].reshape(len(images), -1) "
            "for c in range(images.shape[-1])], dim=1)",
        ),
    ),
]
