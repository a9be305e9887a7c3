"""Where a recorded output goes when it is replayed: the device relation of each output tensor.

A recording is made on one machine (usually without a GPU) and replayed on another, where the
inputs may live on ``cuda``. An output is not always on its inputs' device: ``to_numpy``-like
functions always hand back CPU data, ``move(x, device)`` returns on the device its argument
names. So the recorder writes, for each tensor of an outcome (in the order ``tensors`` walks
it), one placement:

- ``"inputs"``: on the device of the call's input tensors;
- ``"argument 2"`` / ``"device"`` (a keyword): on the device that argument names;
- ``"device:cpu"`` (any device name): always there.

On the recording machine the relation is often hidden: inputs, device argument and output are
all on the CPU. Then the recorder asks the function again with a stand-in second device, a
fake ``cuda`` that needs no GPU (``FakeTensorMode``: devices, shapes and dtypes, no values):
once with the input tensors on it, once per device argument set to ``"cuda"``. An output that
lands on the stand-in follows what was moved; one that stays on the CPU does not. A function
the stand-in cannot run (it reads values: ``.item()``, ``.numpy()``) leaves the question open;
the output then follows its inputs, as PyTorch's own operations do, unless a probe showed it
does not. The choice is written into the recording, so replay never guesses.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterator
from typing import Any

INPUTS = "inputs"
FIXED = "device:"
STAND_IN = "cuda"  # a fake one: see _moved_outputs

# Strings that name a device ("cpu", "cuda", "cuda:1", "mps", "meta"): an argument that may say
# where the output goes. Other strings are never taken for devices.
_DEVICE_NAME = re.compile(r"^(cpu|cuda|mps|xpu|meta)(:\d+)?$")


def tensors(value: Any) -> Iterator[Any]:
    """The tensors of a value, in a fixed order: through tuples, lists and dict values."""
    import torch

    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from tensors(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from tensors(item)


def names_device(value: Any) -> bool:
    import torch

    return isinstance(value, torch.device) or (isinstance(value, str) and bool(_DEVICE_NAME.match(value)))


def _device_arguments(args: tuple, kwargs: dict) -> list[tuple[str, Any]]:
    """``(label, torch.device)`` of every argument that names a device; labels as ``mutated`` has them."""
    import torch

    named = [(f"argument {i + 1}", value) for i, value in enumerate(args)]
    named += list(kwargs.items())
    return [(label, torch.device(value)) for label, value in named if names_device(value)]


def _inputs_device(args: tuple, kwargs: dict):
    """The device of the call's first input tensor (None without one)."""
    first = next(tensors((tuple(args), dict(kwargs))), None)
    return None if first is None else first.device


def _same(first, second) -> bool:
    """Same device, where ``cuda`` and ``cuda:0`` count as one."""
    if first.type != second.type:
        return False
    return first.index is None or second.index is None or first.index == second.index


def describe(function: Callable, args: tuple, kwargs: dict, result: Any) -> list[str]:
    """One placement per tensor of ``result``, which ``function(*args, **kwargs)`` returned.

    ``args`` and ``kwargs`` are the arguments as they were before the call; they are not changed.
    """
    outputs = list(tensors(result))
    if not outputs:
        return []
    inputs = _inputs_device(args, kwargs)
    named = _device_arguments(args, kwargs)
    placements: list[str | None] = []
    open_questions = False
    for output in outputs:
        relations = ([INPUTS] if inputs is not None and _same(inputs, output.device) else []) + \
                    [label for label, device in named if _same(device, output.device)]
        if not relations:
            placements.append(FIXED + str(output.device))
        elif output.device.type != "cpu":
            placements.append(relations[0])  # off the CPU and where something pointed: that relation
        else:
            placements.append(None)
            open_questions = True
    if open_questions:
        placements = _probe(function, args, kwargs, outputs, placements, inputs, named)
    return placements


def _probe(function, args, kwargs, outputs, placements, inputs, named) -> list[str]:
    """Settle CPU outputs by calling ``function`` again with a stand-in second device."""
    trials: list[tuple[str, Callable[[Any], tuple]]] = []
    if inputs is not None and inputs.type == "cpu":
        trials.append((INPUTS, lambda fake: (_faked(args, fake, STAND_IN), _faked(kwargs, fake, STAND_IN))))
    for label, device in named:
        if device.type == "cpu":
            trials.append((label, lambda fake, label=label: _with_stand_in_argument(
                _faked(args, fake), _faked(kwargs, fake), label)))
    try:
        memo = _probed.setdefault(function, {})
    except TypeError:  # a builtin cannot be weakly referenced: probed every time
        memo = {}
    shape_of_call = (_structure((tuple(args), dict(kwargs))), len(outputs))
    if shape_of_call not in memo:
        memo[shape_of_call] = {label: _moved_outputs(function, arguments, len(outputs))
                               for label, arguments in trials}
    found = memo[shape_of_call]
    chosen = []
    for number, placement in enumerate(placements):
        if placement is not None:
            chosen.append(placement)
            continue
        answers = {label: moved[number] for label, moved in found.items()}
        followed = [label for label, moved in answers.items() if moved is True]
        unknown = [label for label, moved in answers.items() if moved is None]
        if followed:
            chosen.append(followed[0])
        elif not unknown:
            chosen.append(FIXED + str(outputs[number].device))  # nothing moved it: it stays where it was
        else:
            # The stand-in could not tell; an output follows its inputs unless a probe said otherwise.
            chosen.append(INPUTS if answers.get(INPUTS) is None else FIXED + "cpu")
    return chosen


# What the probes found, by function and by the structure of its call (``_structure``): a
# function's device relation depends on what it is given, not on the values, so recording
# hundreds of calls probes each function a few times only.
_probed: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _structure(value: Any) -> Any:
    """What a call is given, without values: tensors as tensors, devices by name, others by type."""
    import torch

    if isinstance(value, torch.Tensor):
        return "tensor"
    if names_device(value):
        return ("device", str(value))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_structure(item) for item in value))
    if isinstance(value, dict):
        return ("dict", tuple((str(key), _structure(item)) for key, item in value.items()))
    return type(value).__name__


def _moved_outputs(function, arguments: Callable[[Any], tuple], count: int) -> list[bool | None]:
    """For each output tensor: True on the stand-in device, False elsewhere, None when unknown.

    The stand-in is a fake ``cuda`` (``FakeTensorMode``: devices, shapes and dtypes, no data), which
    needs no GPU: ``.cpu()`` and ``.to(device)`` behave as on a real one, reading values does not.
    """
    outputs = None
    for _ in range(_ATTEMPTS):
        try:
            outputs = _fake_run(function, arguments)
            break
        except RuntimeError as error:
            if "Couldn't swap" not in str(error):
                return [None] * count
        except Exception:  # noqa: BLE001 - a function that reads values (or refuses fakes) leaves it open
            return [None] * count
    if outputs is None or len(outputs) != count:
        return [None] * count
    return [output.device.type == STAND_IN for output in outputs]


# Moving an nn.Module onto a fake device fails the first time torch meets each parameter shape
# ("Couldn't swap Linear.weight": its fake-tensor cache holds a weak reference), then succeeds.
_ATTEMPTS = 4


_fake_mode = None


def _fake_run(function, arguments: Callable[[Any], tuple]) -> list:
    import torch
    from torch._subclasses.fake_tensor import FakeTensorMode

    global _fake_mode
    if _fake_mode is None:
        _fake_mode = FakeTensorMode()  # one per process: making one costs more than a probe
    with torch.random.fork_rng(devices=[]), _fake_mode as fake:  # the random state stays as it was
        args, kwargs = arguments(fake)
        return list(tensors(function(*args, **kwargs)))


def _faked(value: Any, fake, device: str | None = None) -> Any:
    """``value`` with every tensor made a fake one, on ``device`` when one is given."""
    import torch

    if isinstance(value, torch.Tensor):
        faked = fake.from_tensor(value)
        return faked if device is None else faked.to(device)
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        return type(value)(_faked(item, fake, device) for item in value)
    if isinstance(value, dict):
        return {key: _faked(item, fake, device) for key, item in value.items()}
    return value


def _with_stand_in_argument(args: tuple, kwargs: dict, label: str) -> tuple:
    import torch

    def stand_in(value):
        return torch.device(STAND_IN) if isinstance(value, torch.device) else STAND_IN

    if label.startswith("argument "):
        position = int(label.split()[1]) - 1
        args = args[:position] + (stand_in(args[position]),) + args[position + 1:]
    else:
        kwargs = {**kwargs, label: stand_in(kwargs[label])}
    return args, kwargs


def place(result: Any, placements: list[str], args: tuple, kwargs: dict) -> Any:
    """``result`` (decoded from a recording) with each tensor moved where its placement says."""
    import torch

    if not placements:
        return result
    targets = iter(placements)

    def target(placement: str):
        if placement == INPUTS:
            return _inputs_device(args, kwargs)
        if placement.startswith(FIXED):
            return torch.device(placement[len(FIXED):])
        value = _argument(args, kwargs, placement)
        return torch.device(value) if names_device(value) else None

    def visit(value: Any) -> Any:
        if isinstance(value, torch.Tensor):
            device = target(next(targets, INPUTS))
            return _moved(value, device)
        if isinstance(value, tuple) and hasattr(value, "_fields"):
            return type(value)(*[visit(item) for item in value])
        if isinstance(value, (list, tuple)):  # torch.return_types take one sequence, as lists do
            return type(value)([visit(item) for item in value])
        if isinstance(value, dict):
            return {key: visit(item) for key, item in value.items()}
        return value

    return visit(result)


def _argument(args: tuple, kwargs: dict, label: str) -> Any:
    if label.startswith("argument "):
        position = int(label.split()[1]) - 1
        return args[position] if position < len(args) else None
    return kwargs.get(label)


def _moved(tensor, device):
    """``tensor`` on ``device``; as it is where that device is unknown here, or it holds no data to move."""
    from grader import codec

    if device is None or _same(device, tensor.device) or tensor.device.type == "meta":
        return tensor
    if not codec.device_here(str(device)):
        return tensor
    moved = codec._place(tensor.detach(), str(device))
    return moved.requires_grad_(True) if tensor.requires_grad else moved
