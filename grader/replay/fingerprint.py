"""Keys for a call's arguments: what a recorded answer is looked up by."""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from typing import Any

from grader.replay.placement import names_device


def _is_pil(value: Any) -> bool:
    return type(value).__module__.startswith("PIL") and hasattr(value, "mode") and hasattr(value, "tobytes")


def _numpy():
    import numpy as np

    return np


MAX_PATH_FILES = 1000


def _names_path(value: Any) -> bool:
    """A ``PathLike``, or a ``str`` that is an absolute path (a check's temporary file or folder)."""
    if isinstance(value, os.PathLike):
        return True
    return isinstance(value, str) and len(value) < 4096 and "\0" not in value and os.path.isabs(value)


def _feed_path(digest, value: Any) -> None:
    """A path by what it names: a file's bytes, a folder's names and bytes, else its basename.

    Checks pass fresh temporary folders, so the same case has a new path on every run.
    """
    kind = "str" if isinstance(value, str) else "path"
    path = Path(os.fspath(value))
    try:
        if path.is_file():
            digest.update(f"{kind}:file(".encode())
            digest.update(path.read_bytes())
            digest.update(b")")
            return
        if path.is_dir():
            digest.update(f"{kind}:dir(".encode())
            names = sorted(p for p in path.rglob("*"))[:MAX_PATH_FILES]
            for item in names:
                digest.update(f"{item.relative_to(path).as_posix()}{'/' if item.is_dir() else ''};".encode())
                if item.is_file():
                    digest.update(item.read_bytes())
            digest.update(b")")
            return
    except OSError:
        pass
    digest.update(f"{kind}:missing:{path.name};".encode())


def _feed(digest, value: Any, layout: bool = False) -> None:
    import torch

    np = _numpy()
    if isinstance(value, torch.Tensor):
        tensor = value.detach()
        digest.update(f"T{str(tensor.dtype)}{tuple(tensor.shape)}".encode())
        if layout:
            grad = value.grad if value.is_leaf else None
            digest.update(f"L{type(value).__name__}{tensor.device}{tensor.layout}{value.requires_grad}"
                          f"{value.is_leaf}{grad is not None}".encode())
            if tensor.layout == torch.strided:
                digest.update(f"{tensor.stride()}{tensor.storage_offset()}{tensor.untyped_storage().nbytes()}"
                              .encode())
            if grad is not None:
                _feed(digest, grad, layout)
        if tensor.device.type != "meta" and tensor.layout == torch.strided:
            flat = tensor.cpu().contiguous().reshape(-1)
            if flat.dtype in (torch.bfloat16, torch.float16):
                flat = flat.view(torch.int16)
            elif flat.is_complex() or flat.dtype not in _numpy_safe():
                flat = flat.to(torch.float64) if not flat.is_complex() else torch.view_as_real(flat)
            digest.update(flat.numpy())  # hashed in place: a contiguous array is a buffer
    elif isinstance(value, np.ndarray):
        digest.update(f"A{value.dtype.str}{value.shape}".encode())
        if layout:
            digest.update(f"L{value.strides}{value.flags.writeable}".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    elif _is_pil(value):
        digest.update(f"P{value.mode}{value.size}".encode())
        digest.update(value.tobytes())
    elif names_device(value):
        # Recordings are made on the CPU: a call that names another device finds the CPU call's answer,
        # and the recorded placement (replay/placement.py) puts it there. ``meta`` holds no values, so
        # its answers stay apart.
        # With ``layout`` (a student's answer is looked up by it) every device counts.
        if layout:
            digest.update(f"D{torch.device(value)}".encode())
        else:
            digest.update(b"Dmeta" if torch.device(value).type == "meta" else b"D")
    elif isinstance(value, (tuple, list, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        digest.update(f"{type(value).__name__}{len(items)}(".encode())
        for item in items:
            _feed(digest, item, layout)
        digest.update(b")")
    elif isinstance(value, dict):
        digest.update(f"dict{len(value)}(".encode())
        for key, item in value.items():
            _feed(digest, key, layout)
            _feed(digest, item, layout)
        digest.update(b")")
    elif _names_path(value):
        _feed_path(digest, value)
    else:
        digest.update(f"{type(value).__name__}:{value!r};".encode())


@functools.cache
def _numpy_safe() -> frozenset:
    """The dtypes whose bytes NumPy reads as they are (torch is imported late, hence a function)."""
    import torch

    return frozenset({torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64,
                      torch.float32, torch.float64})


def fingerprint(args: tuple, kwargs: dict, *, layout: bool = False) -> str:
    """A stable key for a call's arguments: dtypes, shapes and values, not layout or device.

    A device named in an argument (``"cuda"``, ``torch.device("cpu")``) counts only as "a device",
    or as ``meta``.

    Paths count by what they name (see ``_feed_path``). With ``layout``, strides, storage
    offset, device and autograd state count too: two calls with the same key then get
    the same answer from any function, however it inspects its inputs.
    """
    digest = hashlib.sha256()
    _feed(digest, tuple(args), layout)
    _feed(digest, dict(sorted(kwargs.items())), layout)
    digest.update(pretended_machine().encode())
    return digest.hexdigest()[:32]


def pretended_machine() -> str:
    """What a check pretends about the machine ("" when it pretends nothing).

    07's best_device check patches ``torch.cuda.is_available`` and ``torch.backends.mps.is_available``
    around each call: the same (empty) arguments then have a different answer per pretended machine.
    Only a patched function is asked (it is the check's own); torch's own is never called here, so
    recording and replaying never start CUDA.
    """
    import torch

    said = []
    for owner, module in ((torch.cuda, "torch.cuda"), (torch.backends.mps, "torch.backends.mps")):
        current = owner.is_available
        if getattr(current, "__module__", None) != module or getattr(current, "__name__", None) != "is_available":
            said.append(f"{module}={bool(current())}")
    return ";".join(said)


def has_path(value: Any) -> bool:
    """Whether ``value`` holds a path (which names a temporary file only while its check runs)."""
    if isinstance(value, (tuple, list, set, frozenset)):
        return any(has_path(item) for item in value)
    if isinstance(value, dict):
        return any(has_path(k) or has_path(v) for k, v in value.items())
    return _names_path(value)
