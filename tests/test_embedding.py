"""The embedding kata: what each function in kata/embedding.py must do."""

import re

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch import nn

from kata.embedding import (
    BagOfEmbeddings,
    check_token_ids,
    embedding_lookup,
    make_embedding,
    masked_mean,
)
from tests.checks import keeps_contract, raises_keeping_contract
from tests.strategies import bounded_floats

vocab_sizes = st.integers(min_value=1, max_value=8)
dims = st.integers(min_value=1, max_value=4)
index_shapes = st.lists(st.integers(min_value=1, max_value=4), max_size=3).map(tuple)


def _ids(data, vocab_size, shape, low=0, high=None):
    high = vocab_size - 1 if high is None else high
    drawn = data.draw(hnp.arrays(np.int64, shape, elements=st.integers(low, high)))
    return torch.from_numpy(drawn)


def _embedding_table(model):
    tables = [m for m in model.modules() if isinstance(m, (nn.Embedding, nn.EmbeddingBag))]
    assert len(tables) == 1, f"expected one embedding table in the model, found {len(tables)}"
    return tables[0]


# check_token_ids


def test_check_token_ids_accepts_valid_ids_of_both_integer_dtypes():
    for dtype in (torch.int64, torch.int32):
        tokens = torch.tensor([[0, 4], [2, 1]], dtype=dtype)
        assert keeps_contract(check_token_ids, tokens, 5) is None
    empty = torch.zeros(0, dtype=torch.long)
    assert keeps_contract(check_token_ids, empty, 5) is None, "no ids are valid ids"


@given(data=st.data(), vocab_size=vocab_sizes, shape=index_shapes)
def test_check_token_ids_rejects_exactly_the_ids_nn_embedding_rejects(data, vocab_size, shape):
    tokens = _ids(data, vocab_size, shape, low=-3, high=vocab_size + 2)
    try:
        nn.functional.embedding(tokens, torch.zeros(vocab_size, 1))
        torch_refuses = False
    except IndexError:
        torch_refuses = True
    try:
        check_token_ids(tokens, vocab_size)
        kata_refuses = False
    except ValueError:
        kata_refuses = True
    assert kata_refuses == torch_refuses, (
        f"for ids {tokens.tolist()} and vocab_size={vocab_size}, nn.Embedding "
        f"{'raises IndexError' if torch_refuses else 'accepts them'} but check_token_ids "
        f"{'raised ValueError' if kata_refuses else 'accepted them'}: valid ids are 0 to "
        f"{vocab_size - 1}, and negative ids do not count from the end"
    )


def test_check_token_ids_names_the_bad_id_and_the_vocabulary_size():
    error = raises_keeping_contract(
        ValueError, check_token_ids, torch.tensor([[3, 73], [1, 2]]), 50
    )
    assert "73" in str(error), f"the message should name the bad id 73: {error}"
    assert "50" in str(error), f"the message should name the vocabulary size: {error}"


def test_check_token_ids_rejects_a_negative_id():
    error = raises_keeping_contract(ValueError, check_token_ids, torch.tensor([2, -1]), 5)
    assert "-1" in str(error), f"the message should name the bad id -1: {error}"


@pytest.mark.parametrize(
    "dtype",
    [torch.float32, torch.bool, torch.int16, torch.uint8],
    ids=["float32", "bool", "int16", "uint8"],
)
def test_check_token_ids_rejects_ids_that_are_not_int64_or_int32_naming_the_dtype(dtype):
    tokens = torch.tensor([1, 0], dtype=dtype)
    error = raises_keeping_contract(ValueError, check_token_ids, tokens, 5)
    assert str(dtype).removeprefix("torch.") in str(error), (
        f"the message should name the dtype {dtype}: {error}"
    )


# embedding_lookup


@given(data=st.data(), vocab_size=vocab_sizes, dim=dims, shape=index_shapes)
def test_embedding_lookup_matches_nn_functional_embedding(data, vocab_size, dim, shape):
    weight = torch.from_numpy(
        data.draw(hnp.arrays(np.float64, (vocab_size, dim), elements=bounded_floats))
    )
    tokens = _ids(data, vocab_size, shape)
    got = keeps_contract(embedding_lookup, weight, tokens, dtype=weight.dtype)
    assert tuple(got.shape) == (*shape, dim), (
        f"ids of shape {shape} in a ({vocab_size}, {dim}) table gave shape {tuple(got.shape)}, "
        f"expected {(*shape, dim)}: one row of the table per id"
    )
    torch.testing.assert_close(got, nn.functional.embedding(tokens, weight))


def test_embedding_lookup_sends_gradients_like_nn_embedding():
    tokens = torch.tensor([[1, 3, 1], [0, 1, 4]])
    table = nn.Embedding(5, 3)
    upstream = torch.randn(2, 3, 3)
    (table(tokens) * upstream).sum().backward()
    weight = table.weight.detach().clone().requires_grad_()
    (keeps_contract(embedding_lookup, weight, tokens) * upstream).sum().backward()
    assert weight.grad is not None, "no gradient reached the table: keep the lookup in the graph"
    torch.testing.assert_close(
        weight.grad,
        table.weight.grad,
        msg="a row's gradient is the sum of the gradients of every place that used it",
    )


def test_embedding_lookup_rejects_a_negative_id_that_plain_indexing_would_wrap():
    weight = torch.randn(4, 2, requires_grad=True)
    error = raises_keeping_contract(ValueError, embedding_lookup, weight, torch.tensor([0, -1]))
    assert "-1" in str(error), f"the message should name the bad id -1: {error}"


# make_embedding


def test_make_embedding_builds_the_asked_table():
    table = keeps_contract(make_embedding, 7, 3, padding_idx=2)
    assert isinstance(table, nn.Embedding), f"expected an nn.Embedding, got {type(table).__name__}"
    got = (tuple(table.weight.shape), table.padding_idx)
    assert got == ((7, 3), 2), f"expected weight (7, 3) and padding_idx 2, got {got}"


@pytest.mark.parametrize("padding_idx", [0, 6])
def test_padding_row_starts_at_zeros(padding_idx):
    weight = make_embedding(7, 3, padding_idx=padding_idx).weight.detach()
    assert torch.equal(weight[padding_idx], torch.zeros(3)), (
        f"row {padding_idx} (padding) is {weight[padding_idx].tolist()}, expected zeros"
    )
    assert (weight.abs().sum(dim=1) > 0).sum() == 6, "the other rows start random"


def test_padding_row_gets_no_gradient():
    table = make_embedding(6, 3, padding_idx=0)
    table(torch.tensor([[0, 2, 0, 5]])).pow(2).sum().backward()
    grad = table.weight.grad
    assert torch.equal(grad[0], torch.zeros(3)), (
        f"the padding row got gradient {grad[0].tolist()}: pass padding_idx to nn.Embedding"
    )
    assert grad[2].abs().sum() > 0 and grad[5].abs().sum() > 0, "the rows used must learn"


def test_make_embedding_accepts_the_smallest_table_of_one_row_of_one_number():
    table = make_embedding(1, 1)
    got = tuple(table.weight.shape)
    assert got == (1, 1), (
        f"make_embedding(1, 1) gave a table of shape {got}, expected (1, 1): a vocab_size "
        "and embedding_dim of 1 are valid, only sizes below 1 are refused"
    )


@pytest.mark.parametrize("vocab_size", [0, -1])
def test_make_embedding_rejects_a_vocabulary_below_one(vocab_size):
    raises_keeping_contract(ValueError, make_embedding, vocab_size, 3)


def test_make_embedding_rejects_an_embedding_dim_below_one():
    raises_keeping_contract(ValueError, make_embedding, 5, 0)


@pytest.mark.parametrize("padding_idx", [-1, 5])
def test_make_embedding_rejects_a_padding_idx_outside_the_table(padding_idx):
    raises_keeping_contract(ValueError, make_embedding, 5, 3, padding_idx=padding_idx)


# masked_mean


@given(
    data=st.data(),
    batch=st.integers(1, 4),
    seq_len=st.integers(1, 5),
    dim=dims,
)
def test_masked_mean_averages_only_the_vectors_the_mask_keeps(data, batch, seq_len, dim):
    vectors = torch.from_numpy(
        data.draw(hnp.arrays(np.float64, (batch, seq_len, dim), elements=bounded_floats))
    )
    mask = torch.from_numpy(data.draw(hnp.arrays(np.bool_, (batch, seq_len))))
    got = keeps_contract(masked_mean, vectors, mask, dtype=vectors.dtype)
    expected = torch.stack(
        [
            v[m].mean(dim=0) if m.any() else torch.zeros(dim, dtype=v.dtype)
            for v, m in zip(vectors, mask, strict=True)
        ]
    )
    assert tuple(got.shape) == (batch, dim), (
        f"expected one mean per sequence, ({batch}, {dim}); got {tuple(got.shape)}"
    )
    torch.testing.assert_close(got, expected)


def test_masked_mean_of_a_row_with_nothing_kept_is_zeros_not_nan():
    vectors = torch.ones(2, 3, 4, requires_grad=True)
    mask = torch.tensor([[True, False, True], [False] * 3])
    got = keeps_contract(masked_mean, vectors, mask, dtype=torch.float32)
    assert torch.equal(got[1], torch.zeros(4)), (
        f"a row with an all-False mask gave {got[1].tolist()}: 0 / 0 is NaN, clamp the count"
    )


def test_masked_mean_names_both_shapes_when_they_do_not_match():
    # The message must name both shapes, (2, 3, 4) and (3, 2), however it writes them.
    both_shapes = r"(?s)(?=.*\b2\D{1,3}3\D{1,3}4\b)(?=.*\b3\D{1,3}2\b)"
    vectors = torch.ones(2, 3, 4, requires_grad=True)
    error = raises_keeping_contract(
        ValueError, masked_mean, vectors, torch.ones(3, 2, dtype=torch.bool)
    )
    assert re.search(both_shapes, str(error)), f"the message should name both shapes: {error}"


# BagOfEmbeddings


def _sentences(batch, seq_len, vocab_size=10, padding_idx=0):
    """Random ids with no padding in them."""
    real = torch.tensor([i for i in range(vocab_size) if i != padding_idx])
    return real[torch.randint(len(real), (batch, seq_len))]


@pytest.mark.parametrize(("batch", "seq_len"), [(1, 1), (3, 5), (6, 2)])
def test_bag_gives_one_row_of_logits_per_sequence(batch, seq_len, device):
    model = keeps_contract(BagOfEmbeddings, vocab_size=10, embedding_dim=4, num_classes=3)
    model.to(device)
    tokens = _sentences(batch, seq_len).to(device)
    logits = keeps_contract(BagOfEmbeddings.forward, model, tokens, dtype=torch.float32)
    assert tuple(logits.shape) == (batch, 3), (
        f"a ({batch}, {seq_len}) batch of ids gave logits {tuple(logits.shape)}, "
        f"expected ({batch}, 3)"
    )
    assert logits.device.type == device.type, f"logits are on {logits.device}, not {device}"


@pytest.mark.parametrize("padding_idx", [0, 9])
def test_extra_padding_leaves_the_logits_unchanged(padding_idx, device):
    torch.manual_seed(0)
    model = BagOfEmbeddings(10, 4, 3, padding_idx=padding_idx).to(device)
    tokens = _sentences(3, 4, padding_idx=padding_idx)
    pad = torch.full((3, 2), padding_idx)
    padded = torch.cat([pad[:, :1], tokens[:, :2], pad, tokens[:, 2:], pad], dim=1)  # (3, 9)
    before, after = model(tokens.to(device)), model(padded.to(device))
    torch.testing.assert_close(
        after,
        before,
        msg=f"padding with id {padding_idx} changed the logits: average over the real tokens "
        "only, dividing by how many there are, not by the padded length",
    )


def test_bag_pads_with_id_0_by_default(device):
    torch.manual_seed(0)
    model = BagOfEmbeddings(10, 4, 3).to(device)
    tokens = _sentences(3, 4, padding_idx=0)
    padded = torch.cat([tokens, torch.zeros(3, 3, dtype=tokens.dtype)], dim=1)  # (3, 7)
    torch.testing.assert_close(
        model(padded.to(device)),
        model(tokens.to(device)),
        msg="without padding_idx= the padding id is 0 (the default): padding a batch with "
        "id 0 must leave its logits unchanged",
    )


@pytest.mark.parametrize("padding_idx", [0, 9])
def test_bag_table_starts_with_its_padding_row_at_zeros(padding_idx):
    model = BagOfEmbeddings(10, 4, 3, padding_idx=padding_idx)
    table = _embedding_table(model)
    row = table.weight.detach()[padding_idx]
    assert table.padding_idx == padding_idx and torch.equal(row, torch.zeros(4)), (
        f"the model's table has padding_idx {table.padding_idx} and row {padding_idx} "
        f"{row.tolist()}, expected padding_idx {padding_idx} and zeros: build it with "
        "make_embedding(..., padding_idx)"
    )


def test_word_order_does_not_change_the_logits():
    model = BagOfEmbeddings(10, 4, 3)
    tokens = _sentences(2, 5)
    torch.testing.assert_close(model(tokens.flip(1)), model(tokens), msg="a bag has no order")


def test_repeating_every_token_leaves_the_logits_unchanged():
    model = BagOfEmbeddings(10, 4, 3)
    tokens = _sentences(2, 3)
    torch.testing.assert_close(
        model(tokens.repeat(1, 2)),
        model(tokens),
        msg="a sentence said twice gave other logits: pool with the mean, not the sum",
    )


def test_gradients_reach_the_rows_used_and_the_classifier_but_not_the_padding_row(device):
    torch.manual_seed(0)
    model = BagOfEmbeddings(10, 4, 3, padding_idx=0).to(device)
    tokens = torch.tensor([[3, 5, 0, 0], [5, 7, 8, 0]], device=device)
    loss = nn.functional.cross_entropy(model(tokens), torch.tensor([0, 2], device=device))
    loss.backward()
    for name, parameter in model.named_parameters():
        assert parameter.grad is not None, f"no gradient reached {name}"
    row_grad = _embedding_table(model).weight.grad.abs().sum(dim=1).cpu()
    used = torch.zeros(10, dtype=torch.bool)
    used[[3, 5, 7, 8]] = True
    assert (row_grad[used] > 0).all(), f"rows 3, 5, 7, 8 were used, got row gradients {row_grad}"
    assert (row_grad[~used] == 0).all(), (
        f"only rows 3, 5, 7, 8 were used, yet others got gradient: {row_grad.tolist()} "
        "(row 0 is padding: it must get none)"
    )


def test_bag_rejects_float_tokens_naming_the_dtype():
    model, tokens = BagOfEmbeddings(10, 4, 3), torch.ones(2, 3)
    error = raises_keeping_contract(ValueError, BagOfEmbeddings.forward, model, tokens)
    assert "float32" in str(error), f"the message should name the dtype float32: {error}"


def test_bag_rejects_an_out_of_range_id_naming_it_and_the_vocabulary_size():
    model = BagOfEmbeddings(10, 4, 3)
    tokens = torch.tensor([[1, 13, 2]])
    error = raises_keeping_contract(ValueError, BagOfEmbeddings.forward, model, tokens)
    assert "13" in str(error), f"the message should name the bad id 13: {error}"
    assert "10" in str(error), f"the message should name the vocabulary size: {error}"


@pytest.mark.parametrize("vocab_size", [0, -4])
def test_bag_rejects_a_vocabulary_below_one(vocab_size):
    raises_keeping_contract(ValueError, BagOfEmbeddings, vocab_size, 4, 3)


@pytest.mark.parametrize("shape", [(6,), (2, 3, 2), ()], ids=["1-d", "3-d", "0-d"])
def test_bag_rejects_tokens_that_are_not_a_batch_of_sequences(shape):
    tokens = torch.ones(shape, dtype=torch.long)
    model = BagOfEmbeddings(10, 4, 3)
    raises_keeping_contract(ValueError, BagOfEmbeddings.forward, model, tokens)


def _which_token_task(n, generator):
    """Sequences of noise ids 4..9 with one signal id 1, 2 or 3 and some padding (0).

    The class is the signal id minus 1: only which signal token appears decides it.
    """
    lengths = torch.randint(2, 7, (n,), generator=generator)
    tokens = torch.randint(4, 10, (n, 6), generator=generator)
    labels = torch.randint(0, 3, (n,), generator=generator)
    slot = (torch.rand(n, generator=generator) * lengths).long()
    tokens[torch.arange(n), slot] = labels + 1
    tokens[torch.arange(6) >= lengths.unsqueeze(1)] = 0
    return tokens, labels


def test_bag_learns_which_token_decides_the_class(device):
    generator = torch.Generator().manual_seed(0)
    train_x, train_y = _which_token_task(120, generator)
    test_x, test_y = _which_token_task(200, generator)
    torch.manual_seed(0)
    model = BagOfEmbeddings(10, 8, 3).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(25):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(train_x.to(device)), train_y.to(device))
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        predicted = model(test_x.to(device)).argmax(dim=1).cpu()
    accuracy = (predicted == test_y).float().mean().item()
    assert accuracy >= 0.9, (
        f"after 25 Adam steps the classifier gets {accuracy:.0%} of new sequences right, "
        "expected at least 90% (the reference gets 100% for any of 20 seeds; chance is 33%): "
        "do gradients reach both the embedding and the linear layer?"
    )
