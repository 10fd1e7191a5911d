"""A stand-in second device, so that device bugs fail on a machine with only a CPU.

A forgotten ``.to(device)`` is invisible where the one device is the CPU: every tensor is
already there. On a GPU it fails, and a GPU is what most learners and CI machines lack.
The stand-in is a second device every torch build can have: ``torch.device("standin")``.
A tensor on it keeps its values in a CPU tensor and runs every operation there, so a
model trains on it to the same numbers as on the CPU; what it adds is a GPU's rule, that
an operation refuses operands that live apart, in the words torch uses for meta:

    RuntimeError: Tensor on device cpu is not on the expected device standin:0!

It allows what CUDA allows: a copy from one device to another (``.to``, ``.cpu()``,
``copy_``, ``load_state_dict``), a zero-dimensional CPU tensor as a number, CPU indices
into a tensor on the device. Like a CUDA tensor it has no ``.numpy()``, and ``torch.save``
marks its storages as saved on ``standin:0``: ``torch.load`` without
``map_location="cpu"`` refuses them, as a machine without that GPU refuses a GPU's
checkpoint. ``nn.Module.to`` keeps the same Parameter objects, as it does for CUDA, so an
optimizer built before the move still updates them.

How: torch's slot for a third-party device (PrivateUse1), renamed "standin", with Python
hooks and device guard that do nothing, and a wrapper subclass of torch.Tensor whose
``__torch_dispatch__`` checks where each operand lives, then runs the operation on the
values. Nothing is compiled.
"""

from __future__ import annotations

import collections
import types
import weakref

import torch

NAME = "standin"
_CPU = torch.device("cpu")

aten = torch.ops.aten

# Moves and copies: on CUDA too, their operands may live apart.
_MOVES = {aten._to_copy, aten.to}
_CROSSING = {*_MOVES, aten.copy_}

# Indexing, where CUDA takes the indices from the CPU: index(self, indices), and
# index_put(self, indices, values, ...).
_INDEXING = {
    aten.index.Tensor,
    aten.index_put.default,
    aten.index_put_.default,
    aten._index_put_impl_.default,
}

# In-place operations that change a tensor's shape, not its values.
_RESHAPED_IN_PLACE = {aten.as_strided_, aten.squeeze_, aten.t_, aten.transpose_, aten.unsqueeze_}

_saved_storages: weakref.WeakSet = weakref.WeakSet()  # storages torch.save met, as standin:0


def device() -> torch.device:
    """The stand-in device, ready to use: ``torch.device("standin")``."""
    install()
    return torch.device(NAME)


def install() -> None:
    """Rename the PrivateUse1 slot and register what it needs; once per process.

    Call it before the process's first backward pass: torch's gradient engine sizes its
    queues, one per device, at its first backward, and a device added later has none
    ("device_ready_queues_" in the error)."""
    if hasattr(torch, NAME):
        return
    torch.utils.rename_privateuse1_backend(NAME)
    module = _device_module()
    module.library = torch.library.Library("aten", "IMPL")  # lives as long as torch.standin
    module.library.impl("empty.memory_format", _empty, "PrivateUse1")
    module.library.impl("empty_strided", _empty_strided, "PrivateUse1")
    module.library.impl("_copy_from", _copy_from, "PrivateUse1")
    torch._register_device_module(NAME, module)
    torch._C._acc.register_python_privateuseone_device_guard(_Guard())
    torch._C._acc.register_python_privateuseone_hook(_Hooks())
    torch.serialization.register_package(9, _location_tag, lambda storage, location: None)


def _device_module() -> types.ModuleType:
    """``torch.standin``: one device, never "available" to code that looks for a GPU."""
    module = types.ModuleType(f"torch.{NAME}")
    module.is_available = lambda: False  # torch.accelerator and torch.load ask this
    module.is_initialized = lambda: True
    module.device_count = lambda: 1
    module.current_device = lambda: 0
    # it draws its random numbers from the CPU's generator: no state of its own to seed,
    # save or restore (torch.manual_seed and torch.random.fork_rng ask for these)
    module._is_in_bad_fork = lambda: False
    module.manual_seed_all = lambda seed: None
    module.get_rng_state = lambda device=None: torch.empty(0, dtype=torch.uint8)
    module.set_rng_state = lambda new_state, device=None: None
    return module


class _Guard(torch._C._acc.DeviceGuard):
    def type_(self):
        return torch._C._autograd.DeviceType.PrivateUse1


class _Hooks(torch._C._acc.PrivateUse1Hooks):
    def is_available(self) -> bool:
        return False

    def has_primary_context(self, dev_id) -> bool:
        return True

    def is_built(self) -> bool:
        return True


class StandinTensor(torch.Tensor):
    """A tensor on the stand-in device; its values live in ``self.values``, on the CPU."""

    values: torch.Tensor

    @staticmethod
    def __new__(cls, values: torch.Tensor):
        return torch.Tensor._make_wrapper_subclass(
            cls,
            values.shape,
            strides=values.stride(),
            storage_offset=values.storage_offset(),
            dtype=values.dtype,
            layout=values.layout,
            device=torch.device(NAME, 0),
            requires_grad=False,  # the gradient engine sets it on what an operation returns
        )

    def __init__(self, values: torch.Tensor):
        self.values = values

    # a traceable wrapper subclass: nn.Module.to swaps the values into the same Parameter
    def __tensor_flatten__(self):
        return ["values"], None

    @staticmethod
    def __tensor_unflatten__(inner, meta, outer_size, outer_stride):
        return StandinTensor(inner["values"])

    def __repr__(self, *, tensor_contents=None) -> str:
        shown = repr(self.values.detach())
        extra = f", device='{self.device}'"
        if self.grad_fn is not None:
            extra += f", grad_fn=<{type(self.grad_fn).__name__}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return shown[:-1] + extra + ")"

    def numpy(self, *, force: bool = False):
        if force:  # numpy(force=True) copies to the CPU first, from a GPU too
            return self.detach().cpu().numpy()
        raise TypeError(
            f"can't convert {self.device} device type tensor to numpy. "
            "Use Tensor.cpu() to copy the tensor to host memory first."
        )

    def tolist(self):
        return self.values.tolist()

    def __reduce_ex__(self, protocol):
        # Saved as a CPU tensor whose storage torch.save tags standin:0 (_location_tag).
        storage = self.values.untyped_storage()
        _saved_storages.add(storage)
        typed = torch.storage.TypedStorage(wrap_storage=storage, dtype=self.dtype, _internal=True)
        where = (self.values.storage_offset(), tuple(self.size()), self.stride())
        rebuilt = (typed, *where, self.requires_grad, collections.OrderedDict())
        return torch._utils._rebuild_tensor_v2, rebuilt

    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        operands = _tensors_in(args, kwargs)
        if torch._C._current_graph_task_id() == -1:  # not in a backward pass: see below
            if func in _INDEXING and type(args[0]) is StandinTensor:
                _refuse_two_devices([args[0], *args[2:3]])
            elif func.overloadpacket not in _CROSSING:
                _refuse_two_devices(operands)
        args_values = [_values_in(arg) for arg in args]
        kwargs_values = {key: _values_in(value) for key, value in kwargs.items()}
        target = _target_of(func, args, kwargs)
        if target is not None and target.type != NAME:  # off the stand-in: a plain tensor
            out = func(*args_values, **kwargs_values)
            return out.clone() if out is args_values[0] else out  # always a copy, as from a GPU
        if target is not None:  # onto the stand-in: the values go to the CPU
            if func is aten.to.device:
                args_values[1] = _CPU
            elif "device" in kwargs_values:
                kwargs_values["device"] = _CPU
        if func.overloadpacket in _RESHAPED_IN_PLACE:  # the wrapper's own shape changes too
            with torch._C._DisableTorchDispatch():
                func(*args, **kwargs)
        out = _SUBSTITUTES.get(func, func)(*args_values, **kwargs_values)
        if func.overloadpacket in _MOVES and type(args[0]) is not StandinTensor:
            return cls(out.clone() if out is args_values[0] else out)  # a CPU tensor, moved
        return _placed(operands, func, out)


def _target_of(func, args: tuple, kwargs: dict) -> torch.device | None:
    """The device an operation puts its result on, where it names one (new_zeros, to)."""
    if func is aten.to.device:  # to(self, device, dtype, ...)
        return torch.device(args[1])
    if func is aten.to.other:  # to(self, other, ...): other's device and dtype
        return args[1].device
    device = kwargs.get("device")
    return None if device is None else torch.device(device)


def _tensors_in(args: tuple, kwargs: dict | None) -> list[torch.Tensor]:
    """Each torch.Tensor among an operation's arguments, in lists too (torch.cat's)."""
    found = []
    for arg in (*args, *(kwargs or {}).values()):
        if isinstance(arg, torch.Tensor):
            found.append(arg)
        elif isinstance(arg, (list, tuple)):
            found.extend(item for item in arg if isinstance(item, torch.Tensor))
    return found


def _values_in(arg):
    if type(arg) is StandinTensor:
        return arg.values
    if isinstance(arg, (list, tuple)):
        return type(arg)(item.values if type(item) is StandinTensor else item for item in arg)
    return arg


def _placed(operands: list[torch.Tensor], func, out):
    """What an operation returned, on the stand-in; the operand itself where it is one."""
    if isinstance(out, (list, tuple)):
        return type(out)(_placed(operands, func, item) for item in out)
    if not isinstance(out, torch.Tensor):
        return out
    for t in operands:
        if t is out or (type(t) is StandinTensor and t.values is out):
            return t  # an in-place operation (add_, copy_) returns its operand
    if torch.is_inference_mode_enabled() and func.is_view and not operands[0].is_inference():
        with torch.inference_mode(False):  # a view of a normal tensor is a normal tensor
            return StandinTensor(out)
    return StandinTensor(out)


def _refuse_two_devices(operands: list[torch.Tensor]) -> None:
    """Raise as a GPU does when the operands live apart; never in a backward pass, where an
    error raised in Python aborts the process (torch's Python device guard is called while
    it unwinds) and where operands only meet as the forward pass allowed them to."""
    # CUDA takes a zero-dimensional CPU tensor as a number; so does the stand-in
    placed = [t for t in operands if t.dim() > 0 or t.device.type != "cpu"]
    for t in placed[1:]:
        if t.device != placed[0].device:
            raise RuntimeError(
                f"Tensor on device {t.device} is not on the expected device {placed[0].device}!"
            )


def _empty(size, dtype=None, layout=None, device=None, pin_memory=None, memory_format=None):
    values = torch.empty(size, dtype=dtype, layout=layout, memory_format=memory_format)
    return StandinTensor(values)


def _empty_strided(size, stride, dtype=None, layout=None, device=None, pin_memory=None):
    return StandinTensor(torch.empty_strided(size, stride, dtype=dtype, layout=layout))


def _copy_from(source, destination, non_blocking=False):
    # where torch copies with __torch_dispatch__ turned off: torch.tensor(..., device=...)
    _values_in(destination).copy_(_values_in(source))
    return destination


def _location_tag(storage) -> str | None:
    return f"{NAME}:0" if storage in _saved_storages else None


# What torch runs only off the CPU: the fused cells of nn.LSTM and nn.GRU, written out in
# plain operations, forward and backward. Each workspace holds what its backward needs.


def _lstm_cell(input_gates, hidden_gates, cx, input_bias=None, hidden_bias=None):
    gates = input_gates + hidden_gates
    if input_bias is not None:
        gates = gates + input_bias + hidden_bias
    i, f, g, o = gates.chunk(4, 1)
    cy = f.sigmoid() * cx + i.sigmoid() * g.tanh()
    return o.sigmoid() * cy.tanh(), cy, gates  # the workspace: the gates before activation


def _lstm_cell_backward(grad_hy, grad_cy, cx, cy, workspace, has_bias):
    i, f, g, o = workspace.chunk(4, 1)
    i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
    tanh_cy = cy.tanh()
    grad_hy = torch.zeros_like(cy) if grad_hy is None else grad_hy
    grad_c = grad_hy * o * (1 - tanh_cy**2) + (0 if grad_cy is None else grad_cy)
    grad_gates = torch.cat(
        [
            grad_c * g * i * (1 - i),
            grad_c * cx * f * (1 - f),
            grad_c * i * (1 - g**2),
            grad_hy * tanh_cy * o * (1 - o),
        ],
        1,
    )
    return grad_gates, grad_c * f, grad_gates.sum(0) if has_bias else None


def _gru_cell(input_gates, hidden_gates, hx, input_bias=None, hidden_bias=None):
    if input_bias is not None:
        input_gates, hidden_gates = input_gates + input_bias, hidden_gates + hidden_bias
    _, z, n = _gru_gates(input_gates, hidden_gates)
    workspace = torch.cat([input_gates, hidden_gates, hx], 1)
    return (1 - z) * n + z * hx, workspace


def _gru_gates(input_gates, hidden_gates):
    i_r, i_z, i_n = input_gates.chunk(3, 1)
    h_r, h_z, h_n = hidden_gates.chunk(3, 1)
    r, z = (i_r + h_r).sigmoid(), (i_z + h_z).sigmoid()
    return r, z, (i_n + r * h_n).tanh()


def _gru_cell_backward(grad_hy, workspace, has_bias):
    hidden = workspace.shape[1] // 7
    input_gates, hidden_gates, hx = workspace.split([3 * hidden, 3 * hidden, hidden], 1)
    r, z, n = _gru_gates(input_gates, hidden_gates)
    grad_n = grad_hy * (1 - z) * (1 - n**2)  # through the tanh
    grad_r = grad_n * hidden_gates.chunk(3, 1)[2] * r * (1 - r)
    grad_z = grad_hy * (hx - n) * z * (1 - z)
    grad_input = torch.cat([grad_r, grad_z, grad_n], 1)
    grad_hidden = torch.cat([grad_r, grad_z, grad_n * r], 1)
    biases = (grad_input.sum(0), grad_hidden.sum(0)) if has_bias else (None, None)
    return grad_input, grad_hidden, grad_hy * z, *biases


_SUBSTITUTES = {
    aten._thnn_fused_lstm_cell.default: _lstm_cell,
    aten._thnn_fused_lstm_cell_backward_impl.default: _lstm_cell_backward,
    aten._thnn_fused_gru_cell.default: _gru_cell,
    aten._thnn_fused_gru_cell_backward.default: _gru_cell_backward,
}
