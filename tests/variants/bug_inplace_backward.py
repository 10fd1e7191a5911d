"""Wrong and right ways to write kata/bug_inplace_backward.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

GATES = "return torch.sigmoid(scores) * keep  #"
SQUASH = "return low + (high - low) * (torch.tanh(x) + 1) / 2  #"
HEAD = "return torch.stack((out[:, 0], F.softplus(out[:, 1])), dim=1)  #"

BROKEN = [
    Variant(
        "masked_gates left as the stub: `*=` on the output sigmoid kept",
        (GATES, "gates = torch.sigmoid(scores)\n    gates *= keep\n    return gates  #"),
    ),
    Variant(
        "masked_gates writes the mask into the scores first: sigmoid(0) = 0.5, not 0",
        (GATES, "return torch.sigmoid(scores * keep)  #"),
    ),
    Variant(
        "masked_gates fills the caller's scores with -inf in place, then takes the sigmoid",
        (GATES, 'return torch.sigmoid(scores.masked_fill_(~keep, float("-inf")))  #'),
    ),
    Variant(
        "masked_gates silences the error with .detach(): no gradient at all",
        (GATES, "return torch.sigmoid(scores).detach() * keep  #"),
    ),
    Variant(
        "masked_gates closes the gates the mask keeps open",
        (GATES, "return torch.sigmoid(scores) * ~keep  #"),
    ),
    Variant(
        "masked_gates with nn.ReLU(inplace=True) after the sigmoid, before the mask",
        (GATES, "return torch.relu_(torch.sigmoid(scores)) * keep  #"),
    ),
    Variant(
        "squash left as the stub: add_, mul_, add_ on the output tanh kept",
        (
            SQUASH,
            "y = torch.tanh(x)\n    y.add_(1).mul_((high - low) / 2).add_(low)\n    return y  #",
        ),
    ),
    Variant(
        "squash writes in place under torch.no_grad(): the version still counts",
        (
            SQUASH,
            "y = torch.tanh(x)\n"
            "    with torch.no_grad():\n"
            "        y.add_(1).mul_((high - low) / 2).add_(low)\n"
            "    return y  #",
        ),
    ),
    Variant(
        "squash writes through .data: backward runs on the changed output, a wrong gradient",
        (
            SQUASH,
            "y = torch.tanh(x)\n    y.data.add_(1).mul_((high - low) / 2).add_(low)\n    return y  #",
        ),
    ),
    Variant(
        "squash writes through .detach(), which shares the version counter",
        (
            SQUASH,
            "y = torch.tanh(x)\n    y.detach().add_(1).mul_((high - low) / 2).add_(low)\n"
            "    return y  #",
        ),
    ),
    Variant(
        "squash forgets to shift by low",
        (SQUASH, "return (high - low) * (torch.tanh(x) + 1) / 2  #"),
    ),
    Variant(
        "squash maps tanh's range onto (low - (high - low), high)",
        (SQUASH, "return low + (high - low) * torch.tanh(x)  #"),
    ),
    Variant(
        "squash with tanh applied in place to the caller's x",
        (SQUASH, "return low + (high - low) * (x.tanh_() + 1) / 2  #"),
    ),
    Variant(
        "mean_and_scale left as the stub: writes into out[:, 1], a view softplus kept",
        (HEAD, "out[:, 1] = F.softplus(out[:, 1])\n    return out  #"),
    ),
    Variant(
        "mean_and_scale clones, then takes softplus of the clone's column it writes into",
        (
            HEAD,
            "params = out.clone()\n"
            "    params[:, 1] = F.softplus(params[:, 1])\n"
            "    return params  #",
        ),
    ),
    Variant(
        "mean_and_scale writes through out.data: the caller's out changes, the gradient is 1",
        (HEAD, "out.data[:, 1] = F.softplus(out[:, 1]).data\n    return out  #"),
    ),
    Variant(
        "mean_and_scale exp instead of softplus",
        (HEAD, "return torch.stack((out[:, 0], out[:, 1].exp()), dim=1)  #"),
    ),
    Variant(
        "mean_and_scale softplus on both columns",
        (HEAD, "return F.softplus(out)  #"),
    ),
    Variant(
        "mean_and_scale stacks the columns as rows: (2, N)",
        (HEAD, "return torch.stack((out[:, 0], F.softplus(out[:, 1])))  #"),
    ),
    Variant(
        "mean_and_scale assigns into out[:, 1] with the exp: exp keeps its output, so no "
        "error, but out changes",
        (HEAD, "out[:, 1] = out[:, 1].exp()\n    return out  #"),
    ),
]

ALTERNATIVES = [
    Variant(
        "masked_gates with torch.where",
        (GATES, "return torch.where(keep, torch.sigmoid(scores), 0.0)  #"),
    ),
    Variant(
        "masked_gates with masked_fill, out of place",
        (GATES, "return torch.sigmoid(scores).masked_fill(~keep, 0)  #"),
    ),
    Variant(
        "masked_gates writes in place into a clone, which no operation kept",
        (GATES, "gates = torch.sigmoid(scores).clone()\n    gates *= keep\n    return gates  #"),
    ),
    Variant(
        "masked_gates with -inf filled into a copy of the scores, then the sigmoid",
        (GATES, 'return torch.sigmoid(scores.masked_fill(~keep, float("-inf")))  #'),
    ),
    Variant(
        "squash with sigmoid(2x), the same function",
        (SQUASH, "return low + (high - low) * torch.sigmoid(2 * x)  #"),
    ),
    Variant(
        "squash with torch.lerp",
        (
            SQUASH,
            "return torch.lerp(torch.full_like(x, low), torch.full_like(x, high), "
            "(torch.tanh(x) + 1) / 2)  #",
        ),
    ),
    Variant(
        "squash writes in place into a clone of tanh's output",
        (
            SQUASH,
            "y = torch.tanh(x).clone()\n    y.add_(1).mul_((high - low) / 2).add_(low)\n"
            "    return y  #",
        ),
    ),
    Variant(
        "mean_and_scale with torch.cat of column slices",
        (HEAD, "return torch.cat((out[:, :1], F.softplus(out[:, 1:])), dim=1)  #"),
    ),
    Variant(
        "mean_and_scale writes into a clone, from the caller's column",
        (
            HEAD,
            "params = out.clone()\n    params[:, 1] = F.softplus(out[:, 1])\n    return params  #",
        ),
    ),
    Variant(
        "mean_and_scale with logaddexp(v, 0) and a mask of the scale column",
        append="""
        def mean_and_scale(out):
            is_scale = torch.tensor([False, True])
            positive = torch.logaddexp(out, torch.zeros_like(out))
            return torch.where(is_scale, positive, out)
        """,
    ),
]
