"""Wrong and right ways to write kata/bug_softmax_before_loss.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

LOSS = "return F.cross_entropy(logits, targets)  #"

BROKEN = [
    Variant(
        "left as the stub: softmax, then cross-entropy",
        (LOSS, "return F.cross_entropy(torch.softmax(logits, dim=1), targets)  #"),
    ),
    Variant(
        "nll_loss of the softmax probabilities: no log at all",
        (LOSS, "return F.nll_loss(torch.softmax(logits, dim=1), targets)  #"),
    ),
    Variant("nll_loss of the raw logits", (LOSS, "return F.nll_loss(logits, targets)  #")),
    Variant(
        "sigmoid, then cross-entropy",
        (LOSS, "return F.cross_entropy(torch.sigmoid(logits), targets)  #"),
    ),
    Variant(
        "softmax over the batch, then cross-entropy",
        (LOSS, "return F.cross_entropy(torch.softmax(logits, dim=0), targets)  #"),
    ),
    Variant(
        "sums the per-sample losses",
        (LOSS, 'return F.cross_entropy(logits, targets, reduction="sum")  #'),
    ),
    Variant(
        "label smoothing switched on",
        (LOSS, "return F.cross_entropy(logits, targets, label_smoothing=0.1)  #"),
    ),
    Variant(
        "detaches the logits: no gradient reaches the model",
        (LOSS, "return F.cross_entropy(logits.detach(), targets)  #"),
    ),
]

ALTERNATIVES = [
    Variant(
        "log_softmax, then nll_loss",
        (LOSS, "return F.nll_loss(torch.log_softmax(logits, dim=1), targets)  #"),
    ),
    Variant(
        "log_softmax, then cross-entropy: log_softmax of log-probabilities changes nothing",
        (LOSS, "return F.cross_entropy(torch.log_softmax(logits, dim=1), targets)  #"),
    ),
    Variant(
        "by hand: logsumexp minus the target's logit",
        (
            LOSS,
            "right = logits.gather(1, targets.unsqueeze(1)).squeeze(1)\n"
            "    return (torch.logsumexp(logits, dim=1) - right).mean()  #",
        ),
    ),
    Variant(
        "the nn.CrossEntropyLoss module",
        (LOSS, "return torch.nn.CrossEntropyLoss()(logits, targets)  #"),
    ),
]
