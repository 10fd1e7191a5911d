"""Wrong and right ways to write kata/devices.py: see kata/engine/variants.py."""

from kata.engine.variants import Variant

_PICK = (
    "    if torch.cuda.is_available():\n"
    '        return torch.device("cuda")\n'
    "    if torch.backends.mps.is_available():\n"
    '        return torch.device("mps")\n'
    '    return torch.device("cpu")\n'
)
_FIRST = "    first = next(itertools.chain(model.parameters(), model.buffers()), None)\n"
_CHECK_LOOP = "    for position, t in enumerate(data):\n        if t.device != expected:\n"

BROKEN = [
    Variant(
        "pick_device asks for mps before cuda",
        (
            _PICK,
            "    if torch.backends.mps.is_available():\n"
            '        return torch.device("mps")\n'
            "    if torch.cuda.is_available():\n"
            '        return torch.device("cuda")\n'
            '    return torch.device("cpu")\n',
        ),
    ),
    Variant(
        "pick_device never asks for mps",
        ('    if torch.backends.mps.is_available():\n        return torch.device("mps")\n', ""),
    ),
    Variant(
        "pick_device returns a string",
        (
            _PICK,
            '    if torch.cuda.is_available():\n        return "cuda"\n'
            '    if torch.backends.mps.is_available():\n        return "mps"\n'
            '    return "cpu"\n',
        ),
    ),
    Variant(
        "pick_device pins the first GPU: cuda:0",
        ('        return torch.device("cuda")\n', '        return torch.device("cuda:0")\n'),
    ),
    Variant(
        "to_device moves the tensors and drops the moved copies",
        (
            "    return (model, *(t.to(device) for t in data))",
            "    for t in data:\n        t.to(device)\n    return (model, *data)",
        ),
    ),
    Variant(
        "to_device moves a copy of the model",
        (
            "    model = model.to(device)\n",
            "    import copy\n\n    model = copy.deepcopy(model).to(device)\n",
        ),
    ),
    Variant(
        "to_device returns the tensors as one nested tuple",
        (
            "    return (model, *(t.to(device) for t in data))",
            "    return (model, tuple(t.to(device) for t in data))",
        ),
    ),
    Variant(
        "device_of looks at the parameters only",
        (_FIRST, "    first = next(iter(model.parameters()), None)\n"),
    ),
    Variant(
        "device_of lets next() raise StopIteration",
        (_FIRST, "    first = next(itertools.chain(model.parameters(), model.buffers()))\n"),
    ),
    Variant(
        "device_of returns the device type, a string",
        ("    return first.device", "    return first.device.type"),
    ),
    Variant(
        "check_same_device looks at the first tensor only",
        (
            _CHECK_LOOP,
            "    for position, t in enumerate(data[:1]):\n        if t.device != expected:\n",
        ),
    ),
    Variant(
        "check_same_device counts the tensors from 1",
        (
            "    for position, t in enumerate(data):\n",
            "    for position, t in enumerate(data, start=1):\n",
        ),
    ),
    Variant(
        "check_same_device's message names only the tensor's device",
        ("but the model is on {expected}: ", "but the model is elsewhere: "),
    ),
    Variant(
        "check_same_device returns True",
        (
            '                "move it with .to(device)"\n            )\n',
            '                "move it with .to(device)"\n            )\n    return True\n',
        ),
    ),
    Variant(
        "device_of falls back to the cpu for a model with no tensors",
        append="""
        def device_of(model):
            first = next(itertools.chain(model.parameters(), model.buffers()), None)
            return torch.device("cpu") if first is None else first.device
        """,
    ),
    Variant(
        "check_same_device compares with pick_device(), not with where the model is",
        ("    expected = device_of(model)\n", "    expected = pick_device()\n"),
    ),
    Variant(
        "check_same_device raises RuntimeError",
        (
            "        if t.device != expected:\n            raise ValueError(",
            "        if t.device != expected:\n            raise RuntimeError(",
        ),
    ),
]

ALTERNATIVES = [
    Variant(
        "pick_device through a name variable; to_device adds two tuples",
        append="""
        def pick_device():
            name = "cpu"
            if torch.cuda.is_available():
                name = "cuda"
            elif torch.backends.mps.is_available():
                name = "mps"
            return torch.device(name)


        def to_device(model, *data, device):
            device = torch.device(device)
            return (model.to(device),) + tuple(t.to(device) for t in data)
        """,
    ),
    Variant(
        "device_of with a loop over the parameters, then one over the buffers",
        append="""
        def device_of(model):
            for p in model.parameters():
                return p.device
            for b in model.buffers():
                return b.device
            raise ValueError(f"{type(model).__name__} has neither parameters nor buffers")
        """,
    ),
    Variant(
        "check_same_device raises a ValueError subclass and compares str(device)",
        append="""
        class DeviceMismatch(ValueError):
            pass


        def check_same_device(model, *data):
            where = device_of(model)
            astray = [(i, t.device) for i, t in enumerate(data) if str(t.device) != str(where)]
            if astray:
                i, dev = astray[0]
                raise DeviceMismatch(
                    f"input number {i} lives on {dev}, while the model's weights live on "
                    f"{where}; call .to({str(where)!r}) on it first"
                )
        """,
    ),
    Variant(
        "pick_device as one conditional expression",
        (
            _PICK,
            '    name = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"\n'
            "    return torch.device(name)\n",
        ),
    ),
    Variant(
        "to_device with a list and model.to(device) called for its effect",
        (
            "    model = model.to(device)\n    return (model, *(t.to(device) for t in data))",
            "    model.to(device)\n    moved = [t.to(device=device) for t in data]\n    return tuple([model, *moved])",
        ),
    ),
    Variant(
        "device_of with two loops",
        (
            _FIRST,
            "    first = None\n"
            "    for t in [*model.parameters(), *model.buffers()]:\n"
            "        first = t\n"
            "        break\n",
        ),
    ),
    Variant(
        "check_same_device collects the strays first",
        (
            _CHECK_LOOP + "            raise ValueError(\n"
            '                f"tensor {position} is on {t.device} but the model is on {expected}: "\n'
            '                "move it with .to(device)"\n'
            "            )\n",
            "    strays = [(i, t.device) for i, t in enumerate(data) if t.device != expected]\n"
            "    if strays:\n"
            "        i, where = strays[0]\n"
            '        raise ValueError(f"data tensor #{i} lives on {where}, the model on {expected}")\n',
        ),
    ),
    Variant(
        "error messages in other words",
        (
            'f"{type(model).__name__} has no parameters and no buffers, so it has no device"',
            '"this model holds no tensor to take a device from"',
        ),
        (
            'f"tensor {position} is on {t.device} but the model is on {expected}: "\n'
            '                "move it with .to(device)"',
            'f"model on {expected}, data[{position}] on {t.device}"',
        ),
    ),
]
