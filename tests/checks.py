"""Helpers shared by the kata tests: assertions that fail with a sentence that teaches,
recording doubles that let a test see what the learner's code did, and the small data sets
and loaders that several katas' tests build."""

import copy
import inspect
import re
import zipfile

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def assert_every_parameter_gets_a_gradient(model: nn.Module) -> None:
    """After a backward pass: every parameter has a .grad, and not an all-zero one."""
    __tracebackhide__ = True
    for name, p in model.named_parameters():
        if p.grad is None:
            pytest.fail(f"parameter {name} got no gradient: does forward use it?")
        if not p.grad.abs().sum() > 0:
            pytest.fail(f"parameter {name} got an all-zero gradient: is its output cut off?")


class GradRecordingSGD(torch.optim.SGD):
    """Plain SGD that keeps a copy of the gradients each step() was given."""

    def __init__(self, params, lr: float):
        super().__init__(params, lr=lr)
        self.grads_used: list[list[torch.Tensor | None]] = []

    def step(self, closure=None):
        params = [p for group in self.param_groups for p in group["params"]]
        self.grads_used.append([None if p.grad is None else p.grad.clone() for p in params])
        return super().step(closure)


def save_as_if_on_a_gpu(obj, path) -> None:
    """torch.save `obj` (tensors on the cpu), with every storage marked as saved on cuda:0.

    That is what a checkpoint written on a GPU machine looks like, made on any machine:
    torch.load without map_location puts its tensors back on cuda:0, or raises where
    there is none."""
    plain = path.with_suffix(".plain")
    torch.save(obj, plain)
    cpu, cuda = b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0"  # pickle strings
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.endswith("data.pkl"):
                assert cpu in data, "torch.save's pickle no longer spells the device this way"
                data = data.replace(cpu, cuda)
            dst.writestr(info.filename, data)
    plain.unlink()


# ---- the contract every kata function keeps -----------------------------------------------
#
# Whatever a kata function computes, it owes its caller the same things: the arguments come
# back as they went in (values, dtype, device, requires_grad, a module's parameters, buffers
# and train/eval modes, a list's order), and torch's global state (grad mode, inference
# mode, default dtype and device, anomaly detection, deterministic algorithms) is as it was,
# on the raising paths too. Each kata's tests call every public function of the kata
# through `keeps_contract`, and every function whose docstring says it raises through
# `raises_keeping_contract` (tests/engine/test_contracts.py proves that they do).


def _global_state() -> dict[str, object]:
    return {
        "grad mode (torch.is_grad_enabled())": torch.is_grad_enabled(),
        "inference mode (torch.is_inference_mode_enabled())": torch.is_inference_mode_enabled(),
        "default dtype (torch.get_default_dtype())": torch.get_default_dtype(),
        "default device (torch.get_default_device())": torch.get_default_device(),
        "anomaly detection (torch.is_anomaly_enabled())": torch.is_anomaly_enabled(),
        "deterministic algorithms": torch.are_deterministic_algorithms_enabled(),
    }


def _tensor_state(t: torch.Tensor) -> tuple:
    values = None if t.is_meta else t.detach().clone()
    return (values, t.dtype, t.device, tuple(t.shape), t.requires_grad, t._version)


def _tensor_change(before: tuple, t: torch.Tensor) -> str | None:
    values, dtype, device, shape, requires_grad, version = before
    if (t.dtype, t.device, tuple(t.shape)) != (dtype, device, shape):
        return (
            f"became {t.dtype}, shape {tuple(t.shape)} on {t.device} "
            f"(it came in as {dtype}, shape {shape} on {device})"
        )
    if t.requires_grad != requires_grad:
        return f"has requires_grad={t.requires_grad} (it came in with {requires_grad})"
    if t.is_meta:  # a meta tensor has no values: only in-place writes can be seen
        return "was written in place" if t._version != version else None
    if not torch.equal(t.detach(), values) and not (
        values.is_floating_point()
        and torch.equal(t.detach().isnan(), values.isnan())
        and torch.equal(t.detach().nan_to_num(), values.nan_to_num())
    ):
        return "holds other values than it came in with: it was written in place"
    if t._version != version:
        return "was written in place (same values, but an in-place op ran on it)"
    return None


def _snapshot(value, depth: int = 0) -> object:
    """What can be compared later of one argument; None where nothing is kept."""
    if isinstance(value, torch.Tensor):
        return ("tensor", _tensor_state(value))
    if isinstance(value, nn.Module):
        return (
            "module",
            [(name, m.training) for name, m in value.named_modules()],
            [(name, id(p), _tensor_state(p)) for name, p in value.named_parameters()],
            [(name, _tensor_state(b)) for name, b in value.named_buffers()],
        )
    if isinstance(value, np.ndarray):
        return ("array", value.copy())
    if depth > 2:
        return None
    if isinstance(value, (list, tuple)):
        return (
            "sequence",
            type(value),
            [id(v) for v in value],
            [_snapshot(v, depth + 1) for v in value],
        )
    if isinstance(value, dict):
        return ("dict", {k: (id(v), _snapshot(v, depth + 1)) for k, v in value.items()})
    if isinstance(value, (torch.utils.data.Dataset, torch.utils.data.DataLoader)):
        kept = {k: (id(v), _snapshot(v, depth + 1)) for k, v in vars(value).items()}
        return ("object", {k: pair for k, pair in kept.items() if pair[1] is not None})
    return None


def _changes(name: str, kept, value) -> list[str]:
    """Sentences naming how `value` differs from its snapshot `kept`."""
    if kept is None:
        return []
    kind = kept[0]
    if kind == "tensor":
        change = _tensor_change(kept[1], value)
        return [f"{name} {change}"] if change else []
    if kind == "array":
        same = kept[1].shape == value.shape and np.array_equal(kept[1], value, equal_nan=True)
        return [] if same else [f"{name} (a numpy array) was written in place"]
    if kind == "module":
        _, modes, params, buffers = kept
        found = []
        now_modes = dict((n, m.training) for n, m in value.named_modules())
        for sub, training in modes:
            if now_modes.get(sub) != training:
                where = f"{name}.{sub}" if sub else name
                was, now = ("train" if t else "eval" for t in (training, now_modes.get(sub)))
                found.append(f"{where} was left in {now} mode (it came in {was} mode)")
                break
        now_params = dict(value.named_parameters())
        for pname, ident, state in params:
            p = now_params.get(pname)
            if p is None or id(p) != ident:
                found.append(f"parameter {name}.{pname} was replaced")
            elif change := _tensor_change(state, p):
                found.append(f"parameter {name}.{pname} {change}")
        now_buffers = dict(value.named_buffers())
        for bname, state in buffers:
            b = now_buffers.get(bname)
            if b is None:
                found.append(f"buffer {name}.{bname} is gone")
            elif change := _tensor_change(state, b):
                found.append(f"buffer {name}.{bname} {change}")
        return found
    if kind == "sequence":
        _, kind_type, idents, items = kept
        if type(value) is not kind_type or [id(v) for v in value] != idents:
            return [f"{name} (a {kind_type.__name__}) was reordered, grown or shrunk in place"]
        return [
            c
            for i, (k, v) in enumerate(zip(items, value, strict=True))
            for c in _changes(f"{name}[{i}]", k, v)
        ]
    if kind in ("dict", "object"):
        now = value if kind == "dict" else vars(value)
        found = []
        if kind == "dict" and set(now) - set(kept[1]):
            added = ", ".join(map(repr, sorted(set(now) - set(kept[1]), key=repr)))
            found.append(f"{name} got keys it did not have: {added}")
        for key, (ident, sub) in kept[1].items():
            shown = f"{name}[{key!r}]" if kind == "dict" else f"{name}.{key}"
            if key not in now or id(now[key]) != ident:
                found.append(f"{shown} was replaced")
            else:
                found += _changes(shown, sub, now[key])
        return found
    return []


class _Kept:
    """The caller's arguments and torch's global state, before a call."""

    def __init__(self, fn, args: tuple, kwargs: dict, changes: tuple[str, ...]):
        self.fn_name = getattr(fn, "__qualname__", None) or type(fn).__name__
        try:
            bound = inspect.signature(fn).bind(*args, **kwargs)
            named = dict(bound.arguments)
        except (TypeError, ValueError):  # a builtin, or arguments it refuses: by position
            named = {f"argument {i}": a for i, a in enumerate(args)} | dict(kwargs)
        unknown = set(changes) - set(named)
        assert not unknown, f"keeps_contract: changes= names {unknown}, not arguments of the call"
        self.named = {k: v for k, v in named.items() if k not in changes}
        self.kept = {k: _snapshot(v) for k, v in self.named.items()}
        self.state = _global_state()

    def check(self, how: str) -> None:
        __tracebackhide__ = True
        found = [c for k, v in self.named.items() for c in _changes(k, self.kept[k], v)]
        now = _global_state()
        found += [
            f"{what} is {now[what]} after the call (it was {was})"
            for what, was in self.state.items()
            if now[what] != was
        ]
        if found:
            listed = "\n  ".join(found)
            pytest.fail(
                f"{self.fn_name} {how}, but it did not leave the caller's things as they were:\n"
                f"  {listed}\n"
                "A function works on copies of its inputs (out-of-place ops, .clone()) and "
                "puts back any mode it changes, on every path: a try/finally, or a "
                "context manager such as torch.no_grad() that restores it by itself."
            )


def _tensors_in(value):
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _tensors_in(item)


def keeps_contract(fn, *args, changes: tuple[str, ...] = (), dtype=None, device=None, **kwargs):
    """``fn(*args, **kwargs)``, checked for what every kata function owes its caller.

    The arguments not named in ``changes`` (the ones the docstring says it changes, such as
    the model a training step trains) come back exactly as they went in, and torch's global
    state is the same. ``dtype``/``device``: what every tensor it returns must have."""
    __tracebackhide__ = True
    kept = _Kept(fn, args, kwargs, changes)
    result = fn(*args, **kwargs)
    kept.check("returned")
    for i, t in enumerate(_tensors_in(result)):
        where = (
            "the returned tensor" if isinstance(result, torch.Tensor) else f"returned tensor {i}"
        )
        if dtype is not None and t.dtype != dtype:
            pytest.fail(f"{kept.fn_name}: {where} is {t.dtype}, expected {dtype}")
        if device is not None and not _on(t, torch.device(device)):
            pytest.fail(f"{kept.fn_name}: {where} is on {t.device}, expected {device}")
    return result


def _on(t: torch.Tensor, device: torch.device) -> bool:
    """Whether `t` is on `device`; torch.device("cuda") without an index means any GPU."""
    return t.device.type == device.type and device.index in (None, t.device.index)


def _names(exception) -> str:
    if isinstance(exception, tuple):
        return " or ".join(e.__name__ for e in exception)
    return exception.__name__


def raises_keeping_contract(exception, fn, *args, changes: tuple[str, ...] = (), **kwargs):
    """``fn(*args, **kwargs)`` must raise ``exception`` (or a subclass), and on that path too
    leave the arguments and torch's global state as they were (see `keeps_contract`).
    Returns the exception, for a test to check the facts its message must name."""
    __tracebackhide__ = True
    kept = _Kept(fn, args, kwargs, changes)
    try:
        fn(*args, **kwargs)
    except exception as error:
        kept.check(f"raised {type(error).__name__} as it should")
        return error
    except Exception as error:
        if not isinstance(error, NotImplementedError):
            error.add_note(
                f"{kept.fn_name} should raise {_names(exception)} here, but raised "
                f"{type(error).__name__}"
            )
        raise
    pytest.fail(f"{kept.fn_name} returned, where it should raise {_names(exception)}")


def assert_tensor_equal(got, expected: torch.Tensor, what: str = "the result") -> None:
    """``got`` is a tensor with ``expected``'s dtype, device, shape and values (exactly:
    torch.equal alone ignores dtype, and an int64 label tensor is not a float one)."""
    __tracebackhide__ = True
    if not isinstance(got, torch.Tensor):
        pytest.fail(f"{what} is a {type(got).__name__}, expected a tensor")
    if got.dtype != expected.dtype:
        pytest.fail(f"{what} is {got.dtype}, expected {expected.dtype}")
    torch.testing.assert_close(
        got, expected, rtol=0, atol=0, equal_nan=True, msg=lambda m: f"{what}: {m}"
    )


# ---- data, loaders and recorders that several katas' tests share ----------------------------


def assert_close_in_float64(
    got: torch.Tensor, expected: torch.Tensor, what: str, rtol: float = 1e-7, atol: float = 1e-7
) -> None:
    """``got`` and ``expected`` agree to ``rtol``/``atol`` once both are float64: the values
    are compared, whatever dtype each comes in (a float32 result against a float64 oracle)."""
    __tracebackhide__ = True
    torch.testing.assert_close(
        got.double(), expected.double(), rtol=rtol, atol=atol, msg=lambda m: f"{what}:\n{m}"
    )


def regression_problem(
    n: int = 32, n_in: int = 3, seed: int = 0, *, bias: float = 0.3, noise: float = 0.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` samples of a line: X (n, n_in) standard normal, y (n, 1) = X @ [1.5, -2.0, 0.5]
    (its first n_in weights) + ``bias`` + ``noise`` * standard normal noise, all drawn from a
    generator seeded with ``seed``."""
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, n_in, generator=generator)
    y = X @ torch.tensor([[1.5], [-2.0], [0.5]])[:n_in]
    if bias:
        y = y + bias
    if noise:
        y = y + noise * torch.randn(n, 1, generator=generator)
    return X, y


def gradients_of_one_backward(model: nn.Module, loss_fn, X, y) -> list[torch.Tensor]:
    """The gradient of ``loss_fn(model(X), y)`` for each parameter of ``model``, in order,
    from one backward pass on a copy: ``model``, its .grad and its buffers stay as they are."""
    model = copy.deepcopy(model)
    model.zero_grad()
    loss_fn(model(X), y).backward()
    return [p.grad for p in model.parameters()]


def tensor_loader(X, y, batch_size: int, drop_last: bool = False) -> DataLoader:
    """A DataLoader over the (X[i], y[i]) samples in order, ``batch_size`` to a batch."""
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, drop_last=drop_last)


def batch_pairs(X, y, batch_size: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The batches `tensor_loader` gives, as a plain list of (X, y) pairs."""
    return [(X[i : i + batch_size], y[i : i + batch_size]) for i in range(0, len(X), batch_size)]


# Any iterable of (X, y) pairs will do for a training or evaluation loop: each builder takes
# (X, y, batch_size) and returns the iterable and how many of the samples it yields.
LOADERS = {
    "DataLoader": lambda X, y, batch_size: (tensor_loader(X, y, batch_size), len(X)),
    "list of pairs": lambda X, y, batch_size: (batch_pairs(X, y, batch_size), len(X)),
    "generator": lambda X, y, batch_size: (iter(batch_pairs(X, y, batch_size)), len(X)),
    "DataLoader with drop_last": lambda X, y, batch_size: (
        tensor_loader(X, y, batch_size, drop_last=True),
        len(X) // batch_size * batch_size,
    ),
}


def epoch_by_hand(model: nn.Module, loss_fn, optimizer, loader) -> float:
    """One training epoch written out with PyTorch calls alone, the oracle for the katas'
    epoch loops: train mode, then per batch forward, loss, zero_grad, backward, step; the
    mean of the batches' losses, each weighted by its size, from one .item() per batch."""
    model.train()
    total, count = 0.0, 0
    for X, y in loader:
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(X)
        count += len(X)
    return total / count


def loss_by_hand(model: nn.Module, loss_fn, loader) -> float:
    """The mean loss over ``loader`` (each batch weighted by its size), in eval mode and
    without a graph; the model is left in eval mode."""
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for X, y in loader:
            total += loss_fn(model(X), y).item() * len(X)
            count += len(X)
    return total / count


def training_modes(model: nn.Module) -> dict[str, bool]:
    """Each module's .training, by name ("model" for the model itself)."""
    return {name or "model": module.training for name, module in model.named_modules()}


def record_training_modes(model: nn.Module) -> list[bool]:
    """A list that gets model.training at every forward pass, of the model or of a copy of it."""
    modes: list[bool] = []
    model.register_forward_pre_hook(lambda module, args: modes.append(module.training))
    return modes  # the hook's closure holds this list itself: a deepcopy shares it


def holds_numbers(message: str, *numbers: int) -> bool:
    """Whether each number stands in the message as a number of its own: 9 is not in 19,
    1 is not in 1.5, and both 1 and 3 are in "1..3"."""
    return all(
        re.search(rf"(?<!\d)(?<!\d\.){re.escape(str(n))}(?!\d)(?!\.\d)", message) for n in numbers
    )
