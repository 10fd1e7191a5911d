"""Wrong and right ways to write kata/embedding.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

BAD_IDS = "    bad = tokens[(tokens < 0) | (tokens >= vocab_size)]\n"
POOL = "        return self.classifier(masked_mean(self.embedding(tokens), real))"

BROKEN = [
    Variant(
        "check_token_ids lets vocab_size itself through",
        (BAD_IDS, "    bad = tokens[(tokens < 0) | (tokens > vocab_size)]\n"),
    ),
    Variant(
        "check_token_ids lets negative ids through",
        (BAD_IDS, "    bad = tokens[tokens >= vocab_size]\n"),
    ),
    Variant(
        "check_token_ids skips the dtype check",
        ("    if tokens.dtype not in TOKEN_DTYPES:\n", "    if False:\n"),
    ),
    Variant(
        "check_token_ids accepts torch.long only",
        ("    if tokens.dtype not in TOKEN_DTYPES:\n", "    if tokens.dtype != torch.long:\n"),
    ),
    Variant(
        "embedding_lookup without the id check",
        (
            "    check_token_ids(tokens, weight.shape[0])\n    return weight[tokens]",
            "    return weight[tokens]",
        ),
    ),
    Variant(
        "embedding_lookup detaches the table",
        ("    return weight[tokens]", "    return weight.detach()[tokens]"),
    ),
    Variant(
        "make_embedding drops padding_idx",
        (
            "return nn.Embedding(vocab_size, embedding_dim, padding_idx=padding_idx)",
            "return nn.Embedding(vocab_size, embedding_dim)",
        ),
    ),
    Variant(
        "make_embedding accepts a negative padding_idx",
        (
            "if padding_idx is not None and not 0 <= padding_idx < vocab_size:",
            "if padding_idx is not None and not -vocab_size <= padding_idx < vocab_size:",
        ),
    ),
    Variant(
        "make_embedding accepts a vocabulary of 0",
        (
            "    if vocab_size < 1 or embedding_dim < 1:\n",
            "    if vocab_size < 0 or embedding_dim < 1:\n",
        ),
    ),
    Variant(
        "make_embedding accepts an embedding_dim of 0",
        (
            "    if vocab_size < 1 or embedding_dim < 1:\n",
            "    if vocab_size < 1 or embedding_dim < 0:\n",
        ),
    ),
    Variant(
        "masked_mean divides by the padded length",
        (
            "    return total / weights.sum(dim=1).clamp(min=1)",
            "    return total / vectors.shape[1]",
        ),
    ),
    Variant(
        "masked_mean divides by zero for an empty row",
        (
            "    return total / weights.sum(dim=1).clamp(min=1)",
            "    return total / weights.sum(dim=1)",
        ),
    ),
    Variant(
        "masked_mean sums over the wrong dimension",
        (
            "    total = (vectors * weights).sum(dim=1)",
            "    total = (vectors * weights).sum(dim=2)",
        ),
    ),
    Variant(
        "BagOfEmbeddings averages the padding too",
        (POOL, "        return self.classifier(self.embedding(tokens).mean(dim=1))"),
    ),
    Variant(
        "BagOfEmbeddings sums the real vectors",
        (
            POOL,
            "        return self.classifier((self.embedding(tokens) * real.unsqueeze(-1)).sum(dim=1))",
        ),
    ),
    Variant(
        "BagOfEmbeddings takes id 0 as padding whatever padding_idx is",
        ("        real = tokens != self.embedding.padding_idx", "        real = tokens != 0"),
    ),
    Variant(
        "BagOfEmbeddings without padding_idx in its table",
        (
            "self.embedding = make_embedding(vocab_size, embedding_dim, padding_idx)",
            "self.embedding = make_embedding(vocab_size, embedding_dim)\n        self.padding_idx = padding_idx",
        ),
        (
            "        real = tokens != self.embedding.padding_idx",
            "        real = tokens != self.padding_idx",
        ),
    ),
    Variant(
        "check_token_ids accepts any dtype that is not floating point (int16, uint8, bool)",
        (
            "    if tokens.dtype not in TOKEN_DTYPES:\n",
            "    if tokens.is_floating_point() or tokens.is_complex():\n",
        ),
    ),
    Variant(
        "check_token_ids with min() and max(), which raise on an empty tensor",
        (
            BAD_IDS
            + '    if bad.numel() > 0:\n        raise ValueError(\n            f"token id {bad[0].item()}',
            "    low, high = tokens.min().item(), tokens.max().item()\n"
            "    if low < 0 or high >= vocab_size:\n        raise ValueError(\n"
            '            f"token id {low if low < 0 else high}',
        ),
    ),
    Variant(
        "embedding_lookup with index_select, which takes a 1-d index only",
        ("    return weight[tokens]", "    return weight.index_select(0, tokens)"),
    ),
    Variant(
        "masked_mean zeroes the padding of the caller's vectors in place",
        (
            "    total = (vectors * weights).sum(dim=1)",
            "    total = vectors.mul_(weights).sum(dim=1)",
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "check_token_ids with min and max",
        (
            BAD_IDS
            + '    if bad.numel() > 0:\n        raise ValueError(\n            f"token id {bad[0].item()}',
            "    if tokens.numel() == 0:\n        return\n"
            "    low, high = tokens.min().item(), tokens.max().item()\n"
            "    if low < 0 or high >= vocab_size:\n        raise ValueError(\n"
            '            f"token id {low if low < 0 else high}',
        ),
    ),
    Variant(
        "embedding_lookup as one-hot times the table",
        (
            "    return weight[tokens]",
            "    one_hot = nn.functional.one_hot(tokens.long(), weight.shape[0]).to(weight.dtype)\n"
            "    return one_hot @ weight",
        ),
    ),
    Variant(
        "embedding_lookup with index_select on the flat ids",
        (
            "    return weight[tokens]",
            "    rows = weight.index_select(0, tokens.reshape(-1))\n"
            "    return rows.reshape(*tokens.shape, weight.shape[1])",
        ),
    ),
    Variant(
        "masked_mean with torch.where and an explicit empty-row case",
        (
            "    weights = mask.unsqueeze(-1).to(vectors.dtype)  # (B, T, 1): 1 where real, 0 where padding\n"
            "    total = (vectors * weights).sum(dim=1)  # (B, D)\n"
            "    return total / weights.sum(dim=1).clamp(min=1)",
            "    kept = torch.where(mask[..., None], vectors, torch.zeros_like(vectors)).sum(dim=1)\n"
            "    count = mask.sum(dim=1, keepdim=True)\n"
            "    return torch.where(count > 0, kept / count, torch.zeros_like(kept))",
        ),
    ),
    Variant(
        "BagOfEmbeddings with nn.EmbeddingBag in mean mode",
        append="""
        class BagOfEmbeddings(nn.Module):
            def __init__(self, vocab_size, embedding_dim, num_classes, padding_idx=0):
                super().__init__()
                make_embedding(vocab_size, embedding_dim, padding_idx)  # its checks
                self.bag = nn.EmbeddingBag(vocab_size, embedding_dim, mode="mean", padding_idx=padding_idx)
                self.classifier = nn.Linear(embedding_dim, num_classes)

            def forward(self, tokens):
                if tokens.dim() != 2:
                    raise ValueError(f"expected (B, T) ids, got {tuple(tokens.shape)}")
                check_token_ids(tokens, self.bag.num_embeddings)
                return self.classifier(self.bag(tokens))
        """,
    ),
    Variant(
        "error messages in other words, shapes as lists and torch.Size",
        (
            'f"token ids must be torch.int64 or torch.int32, got dtype {tokens.dtype}"',
            "f\"ids of dtype {str(tokens.dtype).removeprefix('torch.')} are no integers\"",
        ),
        (
            'f"token id {bad[0].item()} is out of range for a vocabulary of size {vocab_size} "',
            'f"id {bad.tolist()[0]} has no row in a table of {vocab_size} rows "',
        ),
        (
            'f"vocab_size and embedding_dim must be at least 1, got vocab_size={vocab_size}, "\n'
            '            f"embedding_dim={embedding_dim}"',
            'f"no table of {vocab_size} x {embedding_dim}"',
        ),
        (
            'f"padding_idx must be in [0, {vocab_size}), got {padding_idx}"',
            'f"no row {padding_idx} to pad with"',
        ),
        (
            'f"need vectors (B, T, D) and mask (B, T); got vectors {tuple(vectors.shape)}, "\n'
            '            f"mask {tuple(mask.shape)}"',
            'f"a mask of {list(mask.shape)} does not cover vectors of {vectors.shape}"',
        ),
        (
            'f"tokens must be (B, T), got shape {tuple(tokens.shape)}"',
            '"tokens need a batch and a sequence dimension"',
        ),
    ),
    Variant(
        "check_token_ids with logical_or and nonzero; embedding_lookup with F.embedding",
        append="""
        import torch.nn.functional as F

        def check_token_ids(tokens, vocab_size):
            if tokens.dtype != torch.long and tokens.dtype != torch.int:
                raise ValueError(f"expected torch.int64 or torch.int32 ids, but the tensor is {tokens.dtype}")
            outside = torch.logical_or(tokens.lt(0), tokens.ge(vocab_size))
            where = outside.nonzero()
            if len(where) > 0:
                first = int(tokens[tuple(where[0])])
                raise ValueError(f"id {first} is not a row of a table with vocab_size={vocab_size} rows")

        def embedding_lookup(weight, tokens):
            check_token_ids(tokens, weight.size(0))
            return F.embedding(tokens, weight)
        """,
    ),
    Variant(
        "masked_mean row by row with boolean indexing",
        append="""
        def masked_mean(vectors, mask):
            if tuple(mask.shape) != tuple(vectors.shape[:2]):
                raise ValueError(
                    f"vectors {list(vectors.shape)} and mask {list(mask.shape)}: "
                    "mask must be vectors.shape[:2]"
                )
            rows = []
            for b in range(vectors.shape[0]):
                picked = vectors[b][mask[b].bool()]
                if picked.shape[0] == 0:
                    rows.append(vectors.new_zeros(vectors.shape[2]))
                else:
                    rows.append(picked.mean(dim=0))
            if not rows:
                return vectors.new_zeros((0, vectors.shape[2]))
            return torch.stack(rows)
        """,
    ),
    Variant(
        "make_embedding with range() checks; BagOfEmbeddings with other attribute names and einsum pooling",
        append="""
        def make_embedding(vocab_size, embedding_dim, padding_idx=None):
            if min(vocab_size, embedding_dim) < 1:
                raise ValueError(
                    f"an embedding needs at least one row and one column: "
                    f"vocab_size={vocab_size}, embedding_dim={embedding_dim}"
                )
            if padding_idx is not None and padding_idx not in range(vocab_size):
                raise ValueError(f"padding_idx={padding_idx} is not in [0, {vocab_size})")
            return nn.Embedding(
                num_embeddings=vocab_size, embedding_dim=embedding_dim, padding_idx=padding_idx
            )

        class BagOfEmbeddings(nn.Module):
            def __init__(self, vocab_size, embedding_dim, num_classes, padding_idx=0):
                super().__init__()
                self.table = make_embedding(vocab_size, embedding_dim, padding_idx)
                self.out = nn.Linear(embedding_dim, num_classes)
                self.pad = padding_idx

            def forward(self, tokens):
                if tokens.ndim != 2:
                    raise ValueError(f"expected (B, T) token ids, got {tokens.ndim} dimensions")
                check_token_ids(tokens, self.table.num_embeddings)
                keep = (tokens != self.pad).to(self.table.weight.dtype)
                summed = torch.einsum("btd,bt->bd", self.table(tokens), keep)
                return self.out(summed / keep.sum(dim=1, keepdim=True).clamp(min=1))
        """,
    ),
]
