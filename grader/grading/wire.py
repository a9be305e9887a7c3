"""Plain data between the grader and a worker: framing and a safe codec.

Values travel as a tree of dicts, lists, strings, numbers and tensors
written with ``torch.save`` and read back with ``torch.load(...,
weights_only=True)``: the reader never unpickles arbitrary objects. Types
the weights-only loader does not know (tuples, dtypes, devices, NumPy arrays,
PIL images, paths) are tagged dicts rebuilt here from plain parts. Anything
else cannot be sent, and the sender says so by type name.
"""

from __future__ import annotations

import io
import math
import socket
import struct
from pathlib import Path, PurePath
from typing import Any

import numpy as np
import torch

TAG = "__tensorlings__"
MAX_FRAME = 512 * 1024 * 1024  # a reply larger than this is refused, not read


class Unsupported(TypeError):
    """A value of a type the wire does not carry."""


class WireError(Exception):
    """The other side sent something that is not a valid frame (or hung up)."""


# ---------------------------------------------------------------- encoding


def encode(value: Any, depth: int = 0) -> Any:
    """``value`` as a tree the weights-only loader can read back."""
    if depth > 50:
        raise Unsupported("a value nested more than 50 levels deep")
    kind = type(value)
    if value is None or kind in (bool, str, bytes):
        return value
    if kind is int:
        return value if -(2**63) <= value < 2**63 else {TAG: "bigint", "v": str(value)}
    if kind is float:
        return {TAG: "float", "v": repr(value)} if not math.isfinite(value) else value
    if isinstance(value, torch.Tensor):
        return _encode_tensor(value, depth)
    if isinstance(value, np.ndarray):
        return _encode_array(value)
    if isinstance(value, np.generic):
        return {TAG: "npscalar", "dtype": value.dtype.str, "v": _encode_array(np.asarray(value))}
    if isinstance(value, torch.dtype):
        return {TAG: "dtype", "v": str(value).removeprefix("torch.")}
    if isinstance(value, torch.device):
        return {TAG: "device", "v": str(value)}
    if isinstance(value, torch.Size):
        return {TAG: "size", "v": [int(v) for v in value]}
    if kind is tuple:
        return {TAG: "tuple", "v": [encode(item, depth + 1) for item in value]}
    if kind is list:
        return [encode(item, depth + 1) for item in value]
    if kind is dict:
        return {TAG: "dict", "v": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    if kind is complex:
        return {TAG: "complex", "v": [value.real, value.imag]}
    if isinstance(value, PurePath):
        return {TAG: "path", "v": str(value)}
    if kind is slice:
        return {TAG: "slice", "v": [encode(value.start), encode(value.stop), encode(value.step)]}
    if value is Ellipsis:
        return {TAG: "ellipsis"}
    if type(value).__module__.startswith("PIL.") and hasattr(value, "tobytes") and hasattr(value, "mode"):
        return {TAG: "pil", "mode": str(value.mode), "size": [int(s) for s in value.size],
                "v": torch.frombuffer(bytearray(value.tobytes()), dtype=torch.uint8)}
    # A subclass of a plain type (an int or str that lies in __eq__): send its plain value.
    for base in (bool, int, float, str, tuple, list, dict):
        if isinstance(value, base):
            return {TAG: "subclass", "type": kind.__name__, "v": encode(base(value), depth + 1)}
    raise Unsupported(f"{kind.__module__}.{kind.__qualname__}" if kind.__module__ != "builtins" else kind.__name__)


def _encode_tensor(value: torch.Tensor, depth: int) -> dict:
    subclass = None
    if type(value) is not torch.Tensor:
        subclass = type(value).__name__
        value = torch.Tensor.as_subclass(value, torch.Tensor)
    out = {TAG: "tensor", "v": value.detach(), "rg": bool(value.requires_grad)}
    if subclass:
        out["subclass"] = subclass
    grad = value.grad if value.is_leaf else None
    if grad is not None:
        out["grad"] = _encode_tensor(grad, depth + 1)
    return out


def _encode_array(value: np.ndarray) -> dict:
    if value.dtype.hasobject or value.dtype.names is not None:
        raise Unsupported(f"a NumPy array of dtype {value.dtype}")
    out = {TAG: "ndarray", "dtype": value.dtype.str, "shape": list(value.shape)}
    try:
        out["v"] = torch.from_numpy(value) if value.dtype.isnative else None
    except (TypeError, ValueError):
        out["v"] = None
    if out["v"] is None:
        out["bytes"] = torch.frombuffer(bytearray(np.ascontiguousarray(value).tobytes()), dtype=torch.uint8) \
            if value.size else torch.zeros(0, dtype=torch.uint8)
    return out


# ---------------------------------------------------------------- decoding


def decode(value: Any) -> Any:
    """Rebuild what ``encode`` wrote (after a weights-only load)."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    tag = value.get(TAG)
    if tag is None:
        return {key: decode(item) for key, item in value.items()}
    if tag == "tensor":
        tensor = value["v"]
        if "grad" in value:
            tensor.grad = decode(value["grad"])
        if value.get("rg") and (tensor.is_floating_point() or tensor.is_complex()):
            tensor.requires_grad_(True)
        return tensor
    if tag == "ndarray":
        if value.get("v") is not None:
            return value["v"].numpy()
        raw = value["bytes"].numpy().tobytes()
        return np.frombuffer(raw, dtype=np.dtype(value["dtype"])).reshape(value["shape"]).copy()
    if tag == "npscalar":
        return decode(value["v"])[()]
    if tag == "dtype":
        dtype = getattr(torch, value["v"], None)
        if not isinstance(dtype, torch.dtype):
            raise WireError(f"unknown dtype {value['v']!r}")
        return dtype
    if tag == "device":
        return torch.device(value["v"])
    if tag == "size":
        return torch.Size(value["v"])
    if tag == "tuple":
        return tuple(decode(item) for item in value["v"])
    if tag == "dict":
        return {_hashable(decode(k)): decode(v) for k, v in value["v"]}
    if tag == "bigint":
        return int(value["v"])
    if tag == "float":
        return float(value["v"])
    if tag == "complex":
        return complex(*value["v"])
    if tag == "path":
        return Path(value["v"])
    if tag == "slice":
        return slice(*(decode(v) for v in value["v"]))
    if tag == "ellipsis":
        return Ellipsis
    if tag == "pil":
        from PIL import Image

        return Image.frombytes(value["mode"], tuple(value["size"]), value["v"].numpy().tobytes())
    if tag == "subclass":
        return decode(value["v"])
    raise WireError(f"unknown tag {tag!r}")


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def dumps(message: Any) -> bytes:
    buffer = io.BytesIO()
    torch.save(message, buffer)
    return buffer.getvalue()


def loads(data: bytes) -> Any:
    """A message from the other side, read without unpickling anything but plain data."""
    try:
        return torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
    except Exception as error:  # noqa: BLE001 - whatever it is, the frame is not plain data
        raise WireError(f"not plain data: {type(error).__name__}: {str(error)[:200]}") from None


# ---------------------------------------------------------------- framing


def send(sock: socket.socket, message: Any) -> None:
    send_frame(sock, dumps(message))


def send_frame(sock: socket.socket, data: bytes) -> None:
    sock.sendall(struct.pack("!Q", len(data)) + data)


def receive(sock: socket.socket, limit: int = MAX_FRAME) -> Any:
    return loads(receive_frame(sock, limit))


def receive_frame(sock: socket.socket, limit: int = MAX_FRAME) -> bytes:
    """One message, still encoded (``loads`` reads it, as often as needed)."""
    header = _exactly(sock, 8)
    (size,) = struct.unpack("!Q", header)
    if size > limit:
        raise WireError(f"a reply of {size} bytes, over the limit of {limit}")
    return _exactly(sock, size)


def _exactly(sock: socket.socket, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            raise WireError("the other side hung up")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def close_quietly(sock: socket.socket | None) -> None:
    if sock is not None:
        try:
            sock.close()
        except OSError:
            pass


__all__ = ["WireError", "Unsupported", "encode", "decode", "send", "receive", "receive_frame", "send_frame", "loads",
           "close_quietly"]
