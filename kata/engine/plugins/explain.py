"""Failure reports that understand tensors: what the learner's code held when a test failed.

When a kata test fails on an error raised in a kata module (whichever file it was loaded
from), or on an assertion, the report gains a section "your tensors": each tensor and
module alive in the frame of the failing line (the innermost frame of kata code, else the
test's own), with its shape, dtype, device and requires_grad; a module with its class and
its first layer. The commonest torch errors get a second section, "what this error means":
a sentence in the learner's terms beside torch's own message, which ``python -m kata``
shows too. Checked on torch 2.13:

- ``mat1 and mat2 shapes cannot be multiplied (1x64 and 1600x10)``: the Linear layer, by
  its attribute path, whose in_features disagree with what reached it;
- ``Tensor on device meta is not on the expected device cpu!`` and a GPU's ``Expected all
  tensors to be on the same device``: which tensors and modules sit where;
- ``expected target dtype to be Long or Byte, but got Float`` (int32 or float class
  indices; older builds and GPUs say ``expected scalar type Long but found Float``), and
  ``Expected floating point type for target with class probabilities``: the targets' dtype;
- ``Target 3 is out of bounds.``: the classes the logits have, and the range of labels;
- ``modified by an inplace operation``: the in-place lines in the code the test ran.

Cheap: it looks only at failed tests, only at frames of kata modules and of the test file,
and shows at most ``MAX_SHOWN`` tensors; tensor values are never printed.
"""

from __future__ import annotations

import ast
import linecache
import re
import textwrap
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import torch
from torch import nn

from kata.engine.curriculum import BY_NAME, relative

MAX_SHOWN = 8  # tensors and modules listed in "your tensors"
MAX_INPLACE = 3  # in-place lines named for one error
TENSORS_SECTION = "your tensors"
MEANING_SECTION = "what this error means"
EXPLAINED = "explained"  # the user property that `python -m kata` appends to the message
WIDTH = 88

_DTYPES = {  # the names torch's C++ messages give dtypes
    "Float": torch.float32,
    "Double": torch.float64,
    "Half": torch.float16,
    "BFloat16": torch.bfloat16,
    "Long": torch.int64,
    "Int": torch.int32,
    "Short": torch.int16,
    "Char": torch.int8,
    "Byte": torch.uint8,
    "Bool": torch.bool,
}
_DEVICE = r"(?:cuda(?::\d+)?|cpu|mps|meta|xpu(?::\d+)?|privateuseone(?::\d+)?|standin(?::\d+)?)"


def _is_kata_module(name: str) -> bool:
    return name.startswith("kata.") and name.removeprefix("kata.") in BY_NAME


def shown_path(filename: str) -> str:
    """A source file as the learner finds it: from the folder pytest runs in (the project's
    root for `python -m kata`), else from the project's root, else in full."""
    path = Path(filename)
    return (
        path.relative_to(Path.cwd()).as_posix()
        if path.is_relative_to(Path.cwd())
        else relative(path)
    )


# ---- the frames a report looks at ------------------------------------------------------


@dataclass
class Place:
    """One frame: where it is, as the learner reads it, and the names alive in it."""

    path: str
    function: str
    line: int  # 1-based
    names: dict
    scope: dict  # the module's globals, where the names the code calls are found
    code: types.CodeType
    learner: bool  # a kata module's frame, not the test's

    @property
    def where(self) -> str:
        return f"{self.path}, line {self.line}, in {self.function}"


def _place(entry, learner: bool) -> Place:
    code = entry.frame.code.raw
    return Place(
        path=shown_path(code.co_filename),
        function=getattr(code, "co_qualname", code.co_name),
        line=entry.lineno + 1,
        names=dict(entry.frame.f_locals),
        scope=entry.frame.f_globals,
        code=code,
        learner=learner,
    )


@dataclass
class Frames:
    """The frames of one failure that this plugin reads, innermost first."""

    learner: list[Place] = field(default_factory=list)  # frames of kata modules
    test: list[Place] = field(default_factory=list)  # frames of the test's own file
    torch_locals: list[dict] = field(default_factory=list)  # frames of torch's Python code

    @property
    def failing(self) -> Place | None:
        """The frame of the failing line: the learner's innermost, else the test's."""
        return (self.learner or self.test or [None])[0]


def frames_of(item: pytest.Item, excinfo: pytest.ExceptionInfo) -> Frames:
    frames = Frames()
    test_file = str(item.path)
    for entry in reversed(excinfo.traceback):
        module = entry.frame.f_globals.get("__name__", "")
        if _is_kata_module(module):
            frames.learner.append(_place(entry, learner=True))
        elif str(entry.path) == test_file:
            frames.test.append(_place(entry, learner=False))
        elif module.startswith("torch.") and not frames.learner and not frames.test:
            frames.torch_locals.append(entry.frame.f_locals)
    return frames


# ---- what a frame holds ----------------------------------------------------------------


def _named_values(names: dict) -> list[tuple[str, object]]:
    """The tensors and modules among ``names``, and those one level inside a list, a tuple
    or a dict (``batch[0]``), in the frame's order."""
    found = []
    for name, value in names.items():
        if name.startswith("__"):
            continue
        if isinstance(value, (torch.Tensor, nn.Module)):
            found.append((name, value))
        elif isinstance(value, (list, tuple)) and len(value) <= MAX_SHOWN:
            found += [
                (f"{name}[{i}]", v)
                for i, v in enumerate(value)
                if isinstance(v, (torch.Tensor, nn.Module))
            ]
        elif isinstance(value, dict) and len(value) <= MAX_SHOWN:
            found += [
                (f"{name}[{k!r}]", v)
                for k, v in value.items()
                if isinstance(v, (torch.Tensor, nn.Module))
            ]
    return found


def shape_of(tensor: torch.Tensor) -> str:
    return "(" + ", ".join(map(str, tensor.shape)) + ("," if tensor.dim() == 1 else "") + ")"


def describe_tensor(tensor: torch.Tensor, versions: bool = False) -> str:
    dtype = str(tensor.dtype).removeprefix("torch.")
    words = [f"shape {shape_of(tensor)}", dtype, str(tensor.device)]
    if tensor.requires_grad:
        words.append("requires_grad")
    if tensor.is_inference():
        words.append("inference tensor")
    if versions and tensor._version:
        words.append(f"written in place {_times(tensor._version)}")
    return "  ".join(words)


def _first_layer(module: nn.Module) -> nn.Module | None:
    for sub in module.modules():
        if any(hasattr(sub, a) for a in ("in_features", "in_channels", "num_embeddings")):
            return sub
    return None


def _layer(module: nn.Module) -> str:
    if isinstance(module, nn.Linear):
        return f"Linear(in_features={module.in_features}, out_features={module.out_features})"
    for attribute in ("in_features", "in_channels", "num_embeddings", "input_size"):
        if hasattr(module, attribute):
            return f"{type(module).__name__}({attribute}={getattr(module, attribute)})"
    return type(module).__name__


def module_device(module: nn.Module) -> str | None:
    for tensor in [*module.parameters(), *module.buffers()]:
        return str(tensor.device)
    return None


def describe_module(module: nn.Module) -> str:
    first = _first_layer(module)
    if first is module:
        text = _layer(module)
    elif first is not None:
        text = f"{type(module).__name__}, first layer {_layer(first)}"
    else:
        text = type(module).__name__
    device = module_device(module)
    return text + (f"  on {device}" if device else "  no parameters")


def tensors_section(place: Place, versions: bool) -> str | None:
    values = _named_values(place.names)
    if not values:
        return None
    whose = "your code" if place.learner else "the test"
    lines = [f"in {place.where} ({whose}):"]
    width = min(max(len(name) for name, _ in values[:MAX_SHOWN]), 24)
    for name, value in values[:MAX_SHOWN]:
        if isinstance(value, torch.Tensor):
            text = describe_tensor(value, versions)
        else:
            text = describe_module(value)
        lines.append(f"  {name:<{width}}  {text}")
    if len(values) > MAX_SHOWN:
        lines.append(f"  ... and {len(values) - MAX_SHOWN} more")
    return "\n".join(lines)


def _all_values(frames: Frames) -> list[tuple[str, object]]:
    """Named tensors and modules of every frame read, the failing frame's first."""
    places = [*frames.learner, *frames.test]
    return [pair for place in places for pair in _named_values(place.names)]


def name_of(obj: object, frames: Frames) -> str | None:
    """The learner's name for ``obj``: a local of a frame (the innermost first), or the
    attribute path to it inside a module held there (``self.fc2``, ``model.net[2]``)."""
    values = _all_values(frames)
    for name, value in values:
        if value is obj:
            return name
    for name, value in values:
        if isinstance(value, nn.Module):
            for path, sub in value.named_modules():
                if sub is obj and path:
                    return name + "".join(
                        f"[{part}]" if part.isdigit() else f".{part}" for part in path.split(".")
                    )
    return None


def _torch_local(frames: Frames, name: str, kind: type) -> object | None:
    """``name`` in the innermost frame of torch's Python code that holds one (``target``
    of cross_entropy, ``self`` of Linear.forward)."""
    for names in frames.torch_locals:
        if isinstance(names.get(name), kind):
            return names[name]
    return None


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _wrap(text: str) -> str:
    """``text`` in lines of at most WIDTH, never broken inside `code` or a shape."""
    kept = re.sub(r"`[^`]*`|\(\d[\d, ]*\)", lambda m: m.group().replace(" ", "\0"), text)
    return "\n".join(textwrap.wrap(kept, WIDTH, break_long_words=False)).replace("\0", " ")


# ---- the errors explained --------------------------------------------------------------

MATMUL = re.compile(r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)")
DEVICES = re.compile(
    r"Tensor on device \S+ is not on the expected device \S+!"
    r"|Expected all tensors to be on the same device"
    # a GPU's convolution; on the CPU, "Input type (double) and bias type (float)" is a dtype's
    r"|Input type \(torch\.cuda\.\w+\) and weight type \(torch\.\w+\)"
    r"|Input type \(torch\.\w+\) and weight type \(torch\.cuda\.\w+\)"
)
TARGET_DTYPE = re.compile(
    r"expected target dtype to be Long or Byte, but got (\w+)"
    r"|expected scalar type Long but found (\w+)"
)
TARGET_PROBABILITIES = re.compile(
    r"Expected floating point type for target with class probabilities, got (\w+)"
)
TARGET_NAME = re.compile(r"^y|target|label|class", re.IGNORECASE)
OUT_OF_BOUNDS = re.compile(r"Target (-?\d+) is out of bounds")
INPLACE = re.compile(r"modified by an inplace operation")
INPLACE_DETAIL = re.compile(
    r"\[\S+ \[([\d, ]*)\]\], which is output \d+ of (\w+), is at version (\d+); "
    r"expected version (\d+)"
)


def _tensors_named(frames: Frames, test) -> list[str]:
    return [f"`{n}` {shape_of(v)}" for n, v in _all_values(frames) if test(n, v)]


def _linear_of_size(frames: Frames, in_features: int, out_features: int) -> nn.Linear | None:
    for _, value in _all_values(frames):
        if isinstance(value, nn.Module):
            for sub in value.modules():
                if isinstance(sub, nn.Linear) and sub.weight.shape == (out_features, in_features):
                    return sub
    return None


def _what_arrived(frames: Frames, arrived: int) -> str:
    """The learner's tensor that reached the layer: by identity, else the first whose last
    dimension, or whose size per sample once flattened, is what arrived."""
    got = _torch_local(frames, "input", torch.Tensor)
    given = name_of(got, frames) if got is not None else None
    if given:
        return f"`{given}` of shape {shape_of(got)}"
    for name, value in _all_values(frames):
        if isinstance(value, torch.Tensor) and value.dim() >= 1:
            if value.shape[-1] == arrived:
                return f"`{name}` of shape {shape_of(value)}"
            if value.dim() >= 2 and value[0].numel() == arrived:
                return f"`{name}` of shape {shape_of(value)}, {arrived} a sample once flattened,"
    return f"an input of {arrived} features"


def explain_matmul(match: re.Match, frames: Frames) -> str:
    _, arrived, in_features, out_features = map(int, match.groups())
    layer = _torch_local(frames, "self", nn.Linear)
    layer = layer or _linear_of_size(frames, in_features, out_features)
    if layer is None:
        tensors = _tensors_named(frames, lambda n, v: isinstance(v, torch.Tensor) and v.dim() > 0)
        return _wrap(
            f"A matrix product needs the columns of the left ({arrived}) to equal the rows "
            f"of the right ({in_features}). Your tensors: {', '.join(tensors[:4]) or 'none'}."
        )
    name = name_of(layer, frames) or "a layer"
    return _wrap(
        f"`{name}` is Linear(in_features={layer.in_features}, out_features="
        f"{layer.out_features}), but {_what_arrived(frames, arrived)} reached it: a Linear "
        f"layer needs the last dimension of its input to be its in_features ({arrived} "
        f"arrived, {in_features} expected). Set in_features={arrived}, or look at what "
        f"comes before `{name}` (a flatten, a pooling, a layer's output size)."
    )


def explain_devices(match: re.Match, frames: Frames) -> str:
    by_device: dict[str, list[str]] = {}
    for name, value in _all_values(frames):
        if isinstance(value, torch.Tensor):
            device, name = str(value.device), f"`{name}`"
        else:
            device = module_device(value)
            name = f"`{name}` (its parameters)"
        if device is not None and name not in by_device.setdefault(device, []):
            by_device[device].append(name)
    if len(by_device) < 2:
        mentioned = sorted(set(re.findall(_DEVICE, str(match.string))))
        where = " and ".join(mentioned) or "two devices"
        return _wrap(
            f"One operation got tensors on {where}: every tensor it takes, the model's "
            "parameters included, must be on one device. Move them with .to(device)."
        )
    places = "; ".join(f"on {device}: {', '.join(names)}" for device, names in by_device.items())
    return _wrap(
        f"One operation got tensors on different devices, and every tensor it takes, a "
        f"model's parameters included, must be on one. Yours are {places}. Move them to one "
        "device: `x = x.to(device)` (a tensor's .to returns a new one) and "
        "`model.to(device)` (a module moves in place)."
    )


def _target(frames: Frames, dtype: torch.dtype | None) -> tuple[str | None, torch.Tensor] | None:
    """The targets the loss was given, and the learner's name for them (None: unnamed)."""
    target = _torch_local(frames, "target", torch.Tensor)
    if target is not None:
        return name_of(target, frames), target
    candidates = [
        (name, value)
        for name, value in _all_values(frames)
        if isinstance(value, torch.Tensor) and value.dtype == dtype
    ]  # a name that says "targets" first, then a single dimension, as class indices have
    candidates.sort(key=lambda pair: (not TARGET_NAME.search(pair[0]), pair[1].dim() != 1))
    return candidates[0] if candidates else None


def explain_target_dtype(match: re.Match, frames: Frames) -> str:
    got = next(g for g in match.groups() if g)
    found = _target(frames, _DTYPES.get(got))
    logits = _torch_local(frames, "input", torch.Tensor)
    classes = f" of the logits' shape {shape_of(logits)}" if logits is not None else ""
    if found is None:
        which = f"The targets are {got}"
    else:
        name, target = found
        dtype = str(target.dtype).removeprefix("torch.")
        which = f"The targets `{name}`" if name else "The targets passed to the loss"
        which += f" are {dtype}, shape {shape_of(target)}"
    return _wrap(
        f"{which}: class-index targets must be int64, one class number per sample "
        f"(`.long()`; int32 and float are refused). Float targets are read as class "
        f"probabilities only when they have one per class{classes}."
    )


def explain_target_probabilities(match: re.Match, frames: Frames) -> str:
    found = _target(frames, _DTYPES.get(match.group(1)))
    name = f"`{found[0]}`" if found and found[0] else "The targets"
    shape = f" (shape {shape_of(found[1])})" if found else ""
    return _wrap(
        f"{name}{shape} have the logits' shape, so cross_entropy reads them as class "
        f"probabilities, which must be floating point: `.float()` them, or pass class "
        "indices of shape (N,) instead (`.argmax(dim=1)` of a one-hot)."
    )


def _label_range(tensor: torch.Tensor) -> tuple[int, int] | None:
    if tensor.dtype.is_floating_point or tensor.dtype == torch.bool or tensor.is_complex():
        return None
    if tensor.device.type == "meta" or tensor.numel() == 0:
        return None
    return int(tensor.min()), int(tensor.max())


def explain_out_of_bounds(match: re.Match, frames: Frames) -> str:
    label = int(match.group(1))
    logits = _torch_local(frames, "input", torch.Tensor)
    classes = None
    if logits is not None and logits.dim() >= 2:
        classes = logits.shape[1]
    elif logits is not None and logits.dim() == 1:
        classes = logits.shape[0]
    target = _torch_local(frames, "target", torch.Tensor)
    ranges = []
    if target is not None and name_of(target, frames) is None:
        span = _label_range(target)
        if span:
            ranges.append(f"the targets passed to the loss run from {span[0]} to {span[1]}")
    for name, value in _all_values(frames):
        if isinstance(value, torch.Tensor):
            span = _label_range(value)
            if span and len(ranges) < 4:
                ranges.append(f"`{name}` runs from {span[0]} to {span[1]}")
    have = (
        f"The logits have {classes} classes, so a label must be in 0..{classes - 1}"
        if classes
        else "A label must be in 0..C-1 for C classes"
    )
    seen = f"; {', '.join(ranges)}" if ranges else ""
    return _wrap(
        f"{have}, and {label} is not{seen}. Does the last layer have one output per class, "
        "and do the labels start at 0?"
    )


# -- in place


_NOT_INPLACE = {"requires_grad_", "share_memory_"}


def _in_place_nodes(function: ast.AST, names: dict | None):
    """The lines of the in-place writes in ``function``'s body. ``names``: the frame's
    locals where it is alive (then `+=` counts only on a tensor), else None."""
    numbers = set()  # names given a number somewhere: `total = 0.0` ... `total += ...`
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            numbers |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    for node in ast.walk(function):
        line = getattr(node, "lineno", None)
        if line is None:
            continue
        if isinstance(node, ast.AugAssign):
            root = node.target
            while isinstance(root, (ast.Subscript, ast.Attribute)):
                root = root.value
            name = root.id if isinstance(root, ast.Name) else None
            if names is not None and name in names:
                if not isinstance(names[name], torch.Tensor):
                    continue
            elif name in numbers or _is_a_number(node.value):
                continue
            yield line
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Subscript) for t in node.targets
        ):
            target = next(t for t in node.targets if isinstance(t, ast.Subscript))
            root = target.value
            if names is not None and isinstance(root, ast.Name) and root.id in names:
                if not isinstance(names[root.id], torch.Tensor):
                    continue
            elif names is None and not isinstance(root, (ast.Name, ast.Attribute)):
                continue
            yield line
        elif isinstance(node, ast.Call):
            func = node.func
            method = func.attr if isinstance(func, ast.Attribute) else ""
            initialiser = isinstance(func, ast.Attribute) and ast.unparse(func.value).endswith(
                "init"
            )
            if (
                method.endswith("_")
                and not method.startswith("_")
                and method not in _NOT_INPLACE
                and not initialiser
            ) or any(
                k.arg == "inplace" and isinstance(k.value, ast.Constant) and k.value.value is True
                for k in node.keywords
            ):
                yield line


def _is_a_number(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float))
    if isinstance(node, ast.Call):
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return called in {"item", "len", "int", "float", "sum", "numel", "size"}
    return False


def _is_kata(value: object) -> bool:
    return isinstance(value, types.ModuleType) and _is_kata_module(value.__name__)


def _function_node(tree: ast.Module, code: types.CodeType) -> ast.AST | None:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == code.co_name:
            starts = {node.lineno, *(d.lineno for d in node.decorator_list)}
            if code.co_firstlineno in starts:
                return node
    return None


def _codes_of(value: object) -> list[types.CodeType]:
    """The code of kata functions that ``value`` is or holds: a function, or the methods of
    a module or class defined in a kata module (and of its submodules)."""
    if isinstance(value, types.FunctionType):
        return [value.__code__] if _is_kata_module(value.__module__ or "") else []
    if isinstance(value, nn.Module):
        classes = {type(sub) for sub in value.modules()}
    elif isinstance(value, type) and issubclass(value, nn.Module):
        classes = {value}
    else:
        return []
    codes = []
    for cls in classes:
        if _is_kata_module(cls.__module__):
            codes += [f.__code__ for f in vars(cls).values() if isinstance(f, types.FunctionType)]
    return codes


def in_place_lines(frames: Frames) -> list[str]:
    """The in-place writes in the kata code this test ran: first in the frames of kata
    code on the traceback, then in the kata functions and classes that the test's frames
    and the kata frames hold or name, then the layers built with inplace=True."""
    searched: list[tuple[types.CodeType, dict | None]] = [
        (place.code, place.names) for place in frames.learner
    ]
    for place in [*frames.test, *frames.learner]:
        values = list(place.names.values())
        called = place.code.co_names  # kata functions the test calls by name, or as module.f
        found_in = [place.scope, *(v for v in map(place.scope.get, called) if _is_kata(v))]
        values += [
            vars(scope).get(n) if isinstance(scope, types.ModuleType) else scope.get(n)
            for scope in found_in
            for n in called
        ]
        for value in values:
            for code in _codes_of(value):
                searched.append((code, None))
    found: list[str] = []
    seen = set()
    trees: dict[str, ast.Module | None] = {}
    for code, names in searched:
        filename = code.co_filename
        if filename not in trees:
            linecache.checkcache(filename)
            try:
                trees[filename] = ast.parse("".join(linecache.getlines(filename)))
            except (SyntaxError, ValueError):
                trees[filename] = None
        tree = trees[filename]
        node = _function_node(tree, code) if tree else None
        if node is None:
            continue
        for line in _in_place_nodes(node, names):
            if (filename, line) in seen:
                continue
            seen.add((filename, line))
            source = linecache.getline(filename, line).strip()
            function = getattr(code, "co_qualname", code.co_name)
            found.append(f"{shown_path(filename)}, line {line}, in {function}: {source}")
    for _, value in _all_values(frames):
        if isinstance(value, nn.Module):
            for sub in value.modules():
                if getattr(sub, "inplace", False) is True:
                    layer = name_of(sub, frames)
                    found.append(f"`{layer}` is {type(sub).__name__}(inplace=True)")
    return list(dict.fromkeys(found))


def explain_inplace(match: re.Match, frames: Frames) -> str:
    detail = INPLACE_DETAIL.search(match.string)
    if detail:
        shape, op, version, expected = detail.groups()
        writes = int(version) - int(expected)
        kept = (
            f"autograd kept the output of {op} (shape [{shape}]) to compute the gradient, "
            f"and it was written in place {_times(writes)} after that (its version counter "
            f"went from {expected} to {version}), so backward() refuses the changed values."
        )
    else:
        kept = (
            "autograd kept a tensor to compute the gradient, and it was written in place "
            "after that: every in-place write raises a tensor's version counter, and "
            "backward() refuses a tensor whose version changed."
        )
    lines = in_place_lines(frames)[:MAX_INPLACE]
    if lines:
        where = "The in-place writes in the code this test ran:\n" + "\n".join(
            f"  {line}" for line in lines
        )
    else:
        where = _wrap(
            "Look for `*=` or `+=` on a tensor, a method whose name ends in `_` (add_, "
            "mul_, clamp_), an assignment into part of a tensor (t[:, 1] = ...) or "
            "nn.ReLU(inplace=True), after the operation that kept it."
        )
    advice = "Write a new tensor instead (`y = y * m` for `y *= m`)."
    return f"{_wrap(kept + ' ' + advice)}\n{where}"


EXPLAINERS = (
    (MATMUL, explain_matmul),
    (DEVICES, explain_devices),
    (TARGET_DTYPE, explain_target_dtype),
    (TARGET_PROBABILITIES, explain_target_probabilities),
    (OUT_OF_BOUNDS, explain_out_of_bounds),
    (INPLACE, explain_inplace),
)


def explain(message: str, frames: Frames) -> str | None:
    """The sentence for a torch error's ``message``, or None for an error not known here."""
    for pattern, explainer in EXPLAINERS:
        match = pattern.search(message)
        if match:
            return explainer(match, frames)
    return None


# ---- the hook --------------------------------------------------------------------------


def _is_assertion(excinfo: pytest.ExceptionInfo) -> bool:
    return excinfo.errisinstance((AssertionError, pytest.fail.Exception))


def _from_a_stub(error: BaseException | None) -> bool:
    """Whether ``error`` is a stub's NotImplementedError, or was raised while handling one."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, NotImplementedError):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Outermost, so that it sees the report as it stands: an xfail is no failure."""
    report = yield
    excinfo = call.excinfo
    if excinfo is None or report.outcome != "failed" or call.when != "call":
        return report
    if not (isinstance(excinfo.value, Exception) or _is_assertion(excinfo)):
        return report  # a time limit, an exit
    if _from_a_stub(excinfo.value):
        return report  # the guard's "not done yet"
    try:
        _add_sections(item, excinfo, report)
    except Exception:  # an extra that cannot be made must never hide the failure itself
        pass
    return report


def _add_sections(item: pytest.Item, excinfo: pytest.ExceptionInfo, report) -> None:
    frames = frames_of(item, excinfo)
    with torch.no_grad():
        # an assertion's message may quote torch's words: only torch's own errors are explained
        meaning = None if _is_assertion(excinfo) else explain(str(excinfo.value), frames)
        if not frames.learner and not meaning and not _is_assertion(excinfo):
            return  # an error of the test's own, or of torch called by the test
        in_place = meaning is not None and INPLACE.search(str(excinfo.value)) is not None
        shown = tensors_section(frames.failing, versions=in_place) if frames.failing else None
    if shown:
        report.sections.append((TENSORS_SECTION, shown))
    if meaning:
        report.sections.append((MEANING_SECTION, meaning))
        report.user_properties.append((EXPLAINED, meaning))
