"""Wrong and right ways to write kata/linear_model.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

PARAMS = """        self.weight = nn.Parameter(torch.randn(1))
        self.bias = nn.Parameter(torch.randn(1))"""
FORWARD = "return self.weight * x + self.bias  #"
SEQUENTIAL = "return nn.Sequential(nn.Linear(1, 1))"
SEEDED = "    torch.manual_seed(seed)\n    return LinearRegressionModel()"
COUNT = "return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)"

BROKEN = [
    Variant(
        "parameters as plain tensors that require grad, not nn.Parameter",
        (
            PARAMS,
            "        self.weight = torch.randn(1, requires_grad=True)\n"
            "        self.bias = torch.randn(1, requires_grad=True)",
        ),
    ),
    Variant(
        "parameters start at zero: every seed gives the same model",
        (
            PARAMS,
            "        self.weight = nn.Parameter(torch.zeros(1))\n"
            "        self.bias = nn.Parameter(torch.zeros(1))",
        ),
    ),
    Variant("forward forgets the bias", (FORWARD, "return self.weight * x  #")),
    Variant(
        "forward with a matrix product against a (1,) weight: shape (N,)",
        (FORWARD, "return x @ self.weight + self.bias  #"),
    ),
    Variant(
        "sequential model without a bias",
        (SEQUENTIAL, "return nn.Sequential(nn.Linear(1, 1, bias=False))"),
    ),
    Variant(
        "sequential model with a ReLU after the line",
        (SEQUENTIAL, "return nn.Sequential(nn.Linear(1, 1), nn.ReLU())"),
    ),
    Variant(
        "LinearRegressionModel around one nn.Linear(1, 1), its output squeezed to (N,)",
        (PARAMS, "        self.linear = nn.Linear(1, 1)"),
        (FORWARD, "return self.linear(x).squeeze()  #"),
    ),
    Variant("sequential model is a bare nn.Linear", (SEQUENTIAL, "return nn.Linear(1, 1)")),
    Variant("seeded_model never seeds", (SEEDED, "    return LinearRegressionModel()")),
    Variant(
        "seeded_model seeds with a fixed number",
        (SEEDED, "    torch.manual_seed(0)\n    return LinearRegressionModel()"),
    ),
    Variant(
        "seeded_model seeds after building the model",
        (
            SEEDED,
            "    model = LinearRegressionModel()\n    torch.manual_seed(seed)\n    return model",
        ),
    ),
    Variant(
        "seeded_model seeds a private generator the model never uses",
        (
            SEEDED,
            "    torch.Generator().manual_seed(seed)\n    return LinearRegressionModel()",
        ),
    ),
    Variant(
        "count_parameters ignores trainable_only",
        (COUNT, "return sum(p.numel() for p in model.parameters())"),
    ),
    Variant(
        "count_parameters counts tensors, not numbers",
        (
            COUNT,
            "return len([p for p in model.parameters() if p.requires_grad or not trainable_only])",
        ),
    ),
    Variant(
        "count_parameters counts the state_dict, buffers too",
        (
            COUNT,
            "params = dict(model.named_parameters())\n"
            "    return sum(t.numel() for k, t in model.state_dict().items() "
            "if k not in params or params[k].requires_grad or not trainable_only)",
        ),
    ),
    Variant(
        "count_parameters counts the state_dict, buffers too, when trainable_only is False",
        (
            COUNT,
            "if not trainable_only:\n"
            "        return sum(t.numel() for t in model.state_dict().values())\n"
            "    return sum(p.numel() for p in model.parameters() if p.requires_grad)",
        ),
    ),
    Variant(
        "count_parameters counts the first dimension only",
        (
            COUNT,
            "return sum(p.shape[0] for p in model.parameters() if p.requires_grad or not trainable_only)",
        ),
    ),
    Variant(
        "count_parameters defaults to counting frozen parameters too",
        ("trainable_only: bool = True", "trainable_only: bool = False"),
    ),
    Variant(
        "count_parameters returns a tensor",
        (
            COUNT,
            "return torch.tensor([p.numel() for p in model.parameters() "
            "if p.requires_grad or not trainable_only], dtype=torch.long).sum()",
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "LinearRegressionModel around one nn.Linear(1, 1)",
        (PARAMS, "        self.linear = nn.Linear(1, 1)"),
        (FORWARD, "return self.linear(x)  #"),
    ),
    Variant(
        "parameters registered with register_parameter",
        (
            PARAMS,
            '        self.register_parameter("weight", nn.Parameter(torch.randn(1)))\n'
            '        self.register_parameter("bias", nn.Parameter(torch.randn(1)))',
        ),
    ),
    Variant(
        "forward with torch.addcmul",
        (FORWARD, "return torch.addcmul(self.bias, self.weight, x)  #"),
    ),
    Variant(
        "sequential model from an OrderedDict",
        (
            SEQUENTIAL,
            "from collections import OrderedDict\n\n"
            '    return nn.Sequential(OrderedDict([("line", nn.Linear(1, 1))]))',
        ),
    ),
    Variant(
        "seeded_model under fork_rng: the global RNG is left as it was",
        (
            SEEDED,
            "    with torch.random.fork_rng():\n"
            "        torch.manual_seed(seed)\n"
            "        return LinearRegressionModel()",
        ),
    ),
    Variant(
        "count_parameters with a loop",
        append="""
        def count_parameters(model, trainable_only=True):
            total = 0
            for p in model.parameters():
                if trainable_only and not p.requires_grad:
                    continue
                total += p.numel()
            return total
        """,
    ),
]
