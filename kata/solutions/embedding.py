"""Kata: embedding.

Text reaches a model as integer token ids, one per word. An embedding table turns each
id into a learned vector: row i of the table is the vector of token i. Look ids up by
hand and with nn.Embedding, keep padding out of the way, and build a classifier that
averages the vectors of a sentence and reads its class from that average.

Write the functions top to bottom; `make kata` tells you which one is next.
"""

import torch
from torch import nn

TOKEN_DTYPES = (torch.int64, torch.int32)  # what nn.Embedding accepts as indices


def check_token_ids(tokens: torch.Tensor, vocab_size: int) -> None:
    """Raise ValueError unless every entry of `tokens` is a valid row of a vocab_size table.

    - The dtype must be torch.int64 (torch.long) or torch.int32: nn.Embedding refuses a
      float tensor with a RuntimeError. The message names the dtype it got.
    - Every id must lie in [0, vocab_size). The message names a bad id and vocab_size.
      nn.Embedding raises IndexError "index out of range in self" on CPU, which names
      neither (and on a GPU the check is a device-side assert, reported late). Negative
      ids are errors too: unlike a Python list, nn.Embedding does not count from the end,
      while plain indexing, weight[-1], would silently take the last row.

    An empty tensor is valid. Returns None.

    Helps: tokens.dtype, a boolean mask (tokens < 0) | (tokens >= vocab_size), .any(),
    and .item() to put a bad id into the message.
    """
    if tokens.dtype not in TOKEN_DTYPES:
        raise ValueError(f"token ids must be torch.int64 or torch.int32, got dtype {tokens.dtype}")
    bad = tokens[(tokens < 0) | (tokens >= vocab_size)]
    if bad.numel() > 0:
        raise ValueError(
            f"token id {bad[0].item()} is out of range for a vocabulary of size {vocab_size} "
            f"(valid ids are 0 to {vocab_size - 1})"
        )


def embedding_lookup(weight: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
    """What nn.Embedding computes, by hand: the rows of weight (V, D) picked by tokens (*).

    The result has shape (*, D): one D-vector for every id, whatever the shape of tokens
    (a single id, a (T,) sentence, a (B, T) batch...). It is differentiable in weight:
    the gradient of a row is the sum of the gradients of the places that used it.

    Raises ValueError for ids that check_token_ids rejects (with V = weight.shape[0]).

    Helps: check_token_ids, then integer indexing weight[tokens].
    """
    check_token_ids(tokens, weight.shape[0])
    return weight[tokens]


def make_embedding(
    vocab_size: int, embedding_dim: int, padding_idx: int | None = None
) -> nn.Embedding:
    """An nn.Embedding of vocab_size rows of embedding_dim numbers, with padding_idx.

    The padding row starts at zeros and never gets a gradient, so it stays zeros while the
    other rows learn (nn.Embedding does both when given padding_idx).

    Raises ValueError when vocab_size < 1 or embedding_dim < 1 (nn.Embedding(0, 8) is
    silently accepted and nn.Embedding(-1, 8) fails with an obscure "negative dimension"),
    and when padding_idx is given outside [0, vocab_size) (torch would take -1 to mean the
    last row, and asserts on the rest).

    Helps: nn.Embedding(num_embeddings, embedding_dim, padding_idx=...).
    """
    if vocab_size < 1 or embedding_dim < 1:
        raise ValueError(
            f"vocab_size and embedding_dim must be at least 1, got vocab_size={vocab_size}, "
            f"embedding_dim={embedding_dim}"
        )
    if padding_idx is not None and not 0 <= padding_idx < vocab_size:
        raise ValueError(f"padding_idx must be in [0, {vocab_size}), got {padding_idx}")
    return nn.Embedding(vocab_size, embedding_dim, padding_idx=padding_idx)


def masked_mean(vectors: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The mean over the sequence of the vectors where mask is True: (B, T, D), (B, T) -> (B, D).

    Row b is the mean of vectors[b, t] over the t where mask[b, t] is True. A row whose
    mask is all False has nothing to average: it gives zeros, not NaN.

    Raises ValueError, naming both shapes, unless mask's shape is vectors.shape[:2].

    Helps: mask.unsqueeze(-1) to broadcast over D, .sum(dim=1), and .clamp(min=1) on
    the count so an empty row does not divide by zero.
    """
    if vectors.ndim != 3 or mask.shape != vectors.shape[:2]:
        raise ValueError(
            f"need vectors (B, T, D) and mask (B, T); got vectors {tuple(vectors.shape)}, "
            f"mask {tuple(mask.shape)}"
        )
    weights = mask.unsqueeze(-1).to(vectors.dtype)  # (B, T, 1): 1 where real, 0 where padding
    total = (vectors * weights).sum(dim=1)  # (B, D)
    return total / weights.sum(dim=1).clamp(min=1)


class BagOfEmbeddings(nn.Module):
    """Embed every token, average the vectors of the real tokens, classify the average."""

    def __init__(
        self, vocab_size: int, embedding_dim: int, num_classes: int, padding_idx: int = 0
    ) -> None:
        """An embedding table (make_embedding, with padding_idx) and an
        nn.Linear(embedding_dim, num_classes).

        Raises ValueError for a vocab_size or embedding_dim below 1, or a padding_idx out
        of range (make_embedding does).
        """
        super().__init__()
        self.embedding = make_embedding(vocab_size, embedding_dim, padding_idx)
        self.classifier = nn.Linear(embedding_dim, num_classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """tokens (B, T) of ids -> logits (B, num_classes).

        Embed, mean-pool over the sequence ignoring the padding positions (so padding a
        sentence with more padding tokens does not change its logits), then classify.
        Averaging all T positions instead would shrink a short sentence's vector by its
        padding: that is why the padding row's zeros alone are not enough.

        Raises ValueError for a tokens tensor that is not 2-dimensional, and for ids that
        check_token_ids rejects.

        Helps: check_token_ids, the embedding you built, tokens != padding_idx, masked_mean.
        """
        if tokens.ndim != 2:
            raise ValueError(f"tokens must be (B, T), got shape {tuple(tokens.shape)}")
        check_token_ids(tokens, self.embedding.num_embeddings)
        real = tokens != self.embedding.padding_idx  # (B, T)
        return self.classifier(masked_mean(self.embedding(tokens), real))
