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
        "log of the softmax, then nll_loss: -log(0) is inf once a probability underflows",
        (LOSS, "return F.nll_loss(torch.log(torch.softmax(logits, dim=1)), targets)  #"),
    ),
    Variant(
        "by hand with exp().sum().log(): exp of a logit in the hundreds overflows",
        (
            LOSS,
            "right = logits.gather(1, targets.unsqueeze(1)).squeeze(1)\n"
            "    return (logits.exp().sum(dim=1).log() - right).mean()  #",
        ),
    ),
    Variant(
        "log_softmax over the batch, then nll_loss",
        (LOSS, "return F.nll_loss(torch.log_softmax(logits, dim=0), targets)  #"),
    ),
    Variant(
        "binary cross-entropy of one-hot targets: a sigmoid per class, not a softmax",
        (
            LOSS,
            "one_hot = F.one_hot(targets, logits.shape[1]).float()\n"
            "    return F.binary_cross_entropy_with_logits(logits, one_hot)  #",
        ),
    ),
    Variant(
        "returns the per-sample losses, not their mean",
        (LOSS, 'return F.cross_entropy(logits, targets, reduction="none")  #'),
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
        "cross-entropy against one-hot float targets, as class probabilities",
        (
            LOSS,
            "probabilities = F.one_hot(targets, logits.shape[1]).to(logits.dtype)\n"
            "    return F.cross_entropy(logits, probabilities)  #",
        ),
    ),
    Variant(
        "the nn.CrossEntropyLoss module",
        (LOSS, "return torch.nn.CrossEntropyLoss()(logits, targets)  #"),
    ),
]
