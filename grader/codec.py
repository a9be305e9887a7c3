"""Plain data as bytes: the one codec for recordings and for the worker wire.

A frame is ``MAGIC``, the header's length (8 bytes), a JSON header that
describes the value, then the raw bytes of every tensor storage, NumPy array
and ``bytes`` value it holds. Decoding parses JSON and copies buffers: it
never unpickles and never runs code, so a frame from an untrusted worker (or
a tampered release) can at worst be refused.

What travels, and what comes back:

- ``None``, ``bool``, ``int`` (any size), ``float`` (NaN and infinities too),
  ``complex``, ``str``, ``bytes``; ``list``, ``dict`` (any plain keys),
  ``tuple``, ``set``, ``frozenset``, ``slice``, ``Ellipsis``, paths.
  ``torch.return_types`` tuples come back as themselves; any other tuple
  subclass (a named tuple) comes back as a plain ``tuple``: the comparison
  accepts any tuple where a plain tuple is expected (``compare._same_sequence_type``),
  and no class is ever looked up by a name the sender chose. Subclasses of
  ``int``, ``float``, ``str``, ``list`` and ``dict`` come back as the plain type.
- ``torch.dtype``, ``torch.device``, ``torch.Size``.
- Tensors, with dtype, shape, strides, storage offset and the whole storage,
  so a non-contiguous input keeps its layout, and tensors that share memory in
  one value still share it after decoding (a result that is a view of an
  argument stays one). Also ``requires_grad``, ``.grad``, sparse COO tensors
  (indices, values, size, coalesced), per-tensor quantized tensors, and the
  device, by name. Decoding puts a tensor back on its device when that device
  exists here; otherwise it lands on ``fallback`` (the CPU by default: a
  recording made on a GPU machine still loads on a laptop), or, with
  ``fallback=None``, decoding refuses. ``meta`` tensors carry no data and
  round-trip as ``meta``. Tensor subclasses (``nn.Parameter``) come back as
  plain tensors.
- NumPy arrays (strides kept where torch can view them, else made
  contiguous) and NumPy scalars; PIL images.

Anything else is refused with ``Unsupported`` naming its type. A frame is at
most ``MAX_BYTES``; decoding checks the length and every declared buffer
against the frame before it allocates anything.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path, PurePath
from typing import Any

MAGIC = b"TLC1"
MAX_BYTES = 512 * 1024 * 1024   # a frame larger than this is refused, whichever side made it
MAX_DEPTH = 50
MAX_DIMS = 64
_HEADER = struct.Struct("!4sQ")
_SCALARS = (bool, int, float, str)


class CodecError(ValueError):
    """A frame that is not valid plain data (truncated, lying, oversized or unknown)."""


class TooLarge(CodecError):
    """A tensor whose declared size is over the bound: refused from its metadata, nothing allocated."""

    def __init__(self, shape: list[int], elements: int, limit: int) -> None:
        super().__init__(f"a tensor of shape {shape} ({elements} elements) is over the limit of {limit} bytes")
        self.shape, self.elements = tuple(shape), elements


class Unsupported(TypeError):
    """A value of a type the codec does not carry; the message names the type."""


# ---------------------------------------------------------------- encoding


def dumps(value: Any, *, limit: int = MAX_BYTES) -> bytes:
    """``value`` as one frame; ``Unsupported`` for a type the codec does not carry."""
    encoder = _Encoder()
    tree = encoder.encode(value, 0)
    header = json.dumps(tree, separators=(",", ":"), allow_nan=True).encode("utf-8")
    size = _HEADER.size + len(header) + encoder.size
    if size > limit:
        raise Unsupported(f"a value of {size} bytes, over the limit of {limit} bytes")
    return b"".join([_HEADER.pack(MAGIC, len(header)), header, *encoder.buffers])


def _type_name(value: Any) -> str:
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


class _Encoder:
    def __init__(self) -> None:
        self.buffers: list[bytes | memoryview] = []
        self.size = 0
        self._storages: dict[tuple, int] = {}   # (device, data pointer, bytes) -> storage number
        self._count = 0

    def buffer(self, data: bytes | memoryview) -> list[int]:
        """``[offset, length]`` of ``data`` after the header."""
        where = [self.size, len(data)]
        self.buffers.append(data)
        self.size += len(data)
        return where

    def encode(self, value: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise Unsupported(f"a value nested more than {MAX_DEPTH} levels deep")
        kind = type(value)
        if value is None or kind is bool or kind is str:
            return value
        if kind is int:
            return value if -(2**53) < value < 2**53 else {"~": "int", "v": str(value)}
        if kind is float:
            return value if math.isfinite(value) else {"~": "float", "v": repr(value)}
        if kind is list:
            return [self.encode(item, depth + 1) for item in value]
        if kind is dict:
            return {"~": "dict", "v": [[self.encode(k, depth + 1), self.encode(v, depth + 1)]
                                      for k, v in value.items()]}
        if kind is tuple:
            return {"~": "tuple", "v": [self.encode(item, depth + 1) for item in value]}
        if kind is bytes or kind is bytearray:
            return {"~": "bytes", "b": self.buffer(bytes(value))}
        import torch

        if isinstance(value, torch.Tensor):
            return self.tensor(value, depth)
        if isinstance(value, torch.dtype):
            return {"~": "dtype", "v": str(value).removeprefix("torch.")}
        if isinstance(value, torch.device):
            return {"~": "device", "v": str(value)}
        if isinstance(value, torch.Size):
            return {"~": "size", "v": [int(v) for v in value]}
        if isinstance(value, tuple):
            out = {"~": "tuple", "v": [self.encode(item, depth + 1) for item in value]}
            if kind.__module__ == "torch.return_types":
                out["type"] = kind.__name__
            return out
        import numpy as np

        if isinstance(value, np.ndarray):
            return self.array(value, depth)
        if isinstance(value, np.generic):
            return {"~": "npscalar", "v": self.array(np.asarray(value), depth)}
        if kind is complex:
            return {"~": "complex", "v": [self.encode(value.real, depth), self.encode(value.imag, depth)]}
        if kind in (set, frozenset):
            return {"~": kind.__name__, "v": [self.encode(item, depth + 1) for item in value]}
        if kind is slice:
            return {"~": "slice", "v": [self.encode(v, depth + 1) for v in (value.start, value.stop, value.step)]}
        if value is Ellipsis:
            return {"~": "ellipsis"}
        if isinstance(value, PurePath):
            return {"~": "path", "v": str(value)}
        if kind.__module__.startswith("PIL.") and hasattr(value, "tobytes") and hasattr(value, "mode"):
            return {"~": "pil", "mode": str(value.mode), "size": [int(s) for s in value.size],
                    "b": self.buffer(value.tobytes())}
        # A subclass of a plain type (an int or str that lies in __eq__): its plain value.
        for base in (bool, int, float, str, list, dict):
            if isinstance(value, base):
                return self.encode(base(value), depth)
        raise Unsupported(_type_name(value))

    @staticmethod
    def device_name(tensor) -> str:
        return str(tensor.device)

    def tensor(self, value, depth: int) -> dict:
        import torch

        tensor = value if type(value) is torch.Tensor else torch.Tensor.as_subclass(value, torch.Tensor)
        tensor = tensor.detach()
        out: dict[str, Any] = {"~": "tensor", "device": self.device_name(tensor), "rg": bool(value.requires_grad)}
        grad = value.grad if value.is_leaf else None
        if grad is not None:
            out["grad"] = self.encode(grad, depth + 1)
        if tensor.layout == torch.sparse_coo:
            out.update(layout="coo", size=list(tensor.shape), coalesced=bool(tensor.is_coalesced()),
                       indices=self.encode(tensor._indices(), depth + 1),
                       values=self.encode(tensor._values(), depth + 1))
            return out
        if tensor.layout != torch.strided:
            raise Unsupported(f"a tensor with layout {str(tensor.layout).removeprefix('torch.')}")
        if tensor.is_quantized:
            if tensor.qscheme() not in (torch.per_tensor_affine, torch.per_tensor_symmetric):
                raise Unsupported(f"a quantized tensor with scheme {tensor.qscheme()}")
            out.update(layout="quantized", dtype=str(tensor.dtype).removeprefix("torch."),
                       scale=float(tensor.q_scale()), zero_point=int(tensor.q_zero_point()),
                       ints=self.encode(tensor.int_repr(), depth + 1))
            return out
        if tensor.is_conj() or tensor.is_neg():
            tensor = tensor.resolve_conj().resolve_neg()
        out.update(dtype=str(tensor.dtype).removeprefix("torch."), shape=list(tensor.shape),
                   stride=list(tensor.stride()), offset=int(tensor.storage_offset()))
        if tensor.device.type == "meta":
            return out
        storage = tensor.untyped_storage()
        key = (str(tensor.device), storage.data_ptr(), storage.nbytes())
        if key not in self._storages or not storage.nbytes():
            if storage.device.type != "cpu":
                storage = storage.cpu()
            self._storages[key] = out["storage"] = self._count
            self._count += 1
            out["b"] = self.buffer(memoryview(_storage_bytes(storage)))
        else:
            out["storage"] = self._storages[key]
        return out

    def array(self, value, depth: int) -> dict:
        import numpy as np
        import torch

        if value.dtype.hasobject or value.dtype.names is not None:
            raise Unsupported(f"a NumPy array of dtype {value.dtype}")
        try:  # through torch keeps strides, offset and memory shared with other values
            if not value.dtype.isnative or not value.flags.writeable:
                raise TypeError("not native byte order, or read-only (torch warns)")
            return {"~": "ndarray", "t": self.tensor(torch.from_numpy(value), depth)}
        except (TypeError, ValueError, RuntimeError):
            pass
        data = np.ascontiguousarray(value)
        return {"~": "ndarray", "dtype": data.dtype.str, "shape": list(data.shape), "b": self.buffer(data.tobytes())}


def _storage_bytes(storage) -> Any:
    """The bytes of a CPU storage, without a copy where torch allows it."""
    import torch

    if not storage.nbytes():
        return b""
    return torch.empty(0, dtype=torch.uint8).set_(storage).numpy().data.cast("B")


# ---------------------------------------------------------------- decoding


def loads(frame: bytes | bytearray | memoryview, *, limit: int = MAX_BYTES, fallback: str | None = "cpu") -> Any:
    """A fresh value from a frame (new tensors every time); ``CodecError`` for a bad frame."""
    view = memoryview(frame).cast("B")
    if len(view) > limit:
        raise CodecError(f"a frame of {len(view)} bytes, over the limit of {limit} bytes")
    if len(view) < _HEADER.size:
        raise CodecError(f"a frame of {len(view)} bytes is too short to be one")
    magic, header_size = _HEADER.unpack(view[:_HEADER.size])
    if magic != MAGIC:
        raise CodecError("not a tensorlings frame (wrong magic bytes): rebuild it with this version")
    if header_size > len(view) - _HEADER.size:
        raise CodecError(f"the header claims {header_size} bytes, more than the frame holds")
    body = _HEADER.size + header_size
    try:
        tree = json.loads(bytes(view[_HEADER.size:body]))
    except (ValueError, RecursionError) as error:
        raise CodecError(f"the header is not valid JSON: {str(error)[:120]}") from None
    decoder = _Decoder(view[body:], fallback)
    try:
        return decoder.decode(tree, 0)
    except CodecError:
        raise
    except (KeyError, IndexError, TypeError, ValueError, RuntimeError, OverflowError, AttributeError) as error:
        raise CodecError(f"a malformed frame: {type(error).__name__}: {str(error)[:200]}") from None


def device_here(name: str) -> bool:
    """Whether tensors can be put on device ``name`` in this process."""
    import torch

    device = torch.device(name)
    if device.type in ("cpu", "meta"):
        return True
    if device.type == "cuda":
        return torch.cuda.is_available() and (device.index or 0) < torch.cuda.device_count()
    if device.type == "mps":
        return bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available()
    return False


def _place(tensor, device: str):
    """``tensor`` (on the CPU) moved to ``device``; tests replace this to stand in for a GPU."""
    return tensor.to(device)


class _Decoder:
    def __init__(self, data: memoryview, fallback: str | None) -> None:
        self.data = data
        self.fallback = fallback
        self.storages: dict[tuple[int, str], Any] = {}
        self.devices: dict[str, str] = {}

    def buffer(self, where: Any) -> memoryview:
        start, length = where
        if not (isinstance(start, int) and isinstance(length, int)) or start < 0 or length < 0 \
                or start + length > len(self.data):
            raise CodecError(f"a buffer at {start!r} of {length!r} bytes lies outside the frame")
        return self.data[start:start + length]

    def device(self, name: Any) -> str:
        if name not in self.devices:
            import torch

            if not isinstance(name, str):
                raise CodecError(f"a device that is not a name: {name!r}")
            try:
                torch.device(name)
            except RuntimeError:
                raise CodecError(f"unknown device {name!r}") from None
            if device_here(name):
                self.devices[name] = name
            elif self.fallback is None:
                raise CodecError(f"a tensor on {name}, a device this machine does not have")
            else:
                self.devices[name] = self.fallback
        return self.devices[name]

    def decode(self, value: Any, depth: int) -> Any:
        if depth > MAX_DEPTH + 2:
            raise CodecError(f"a value nested more than {MAX_DEPTH} levels deep")
        if value is None or isinstance(value, _SCALARS):
            return value
        if isinstance(value, list):
            return [self.decode(item, depth + 1) for item in value]
        if not isinstance(value, dict):
            raise CodecError(f"a header value of type {type(value).__name__}")
        tag = value.get("~")
        handler = _TAGS.get(tag) if isinstance(tag, str) else None
        if handler is None:
            raise CodecError(f"unknown tag {tag!r}: the frame was made by another version of tensorlings")
        return handler(self, value, depth)

    def items(self, value: dict, depth: int) -> list:
        items = value["v"]
        if not isinstance(items, list):
            raise CodecError("a container without a list of items")
        return [self.decode(item, depth + 1) for item in items]

    def tensor(self, value: dict, depth: int) -> Any:
        import torch

        device = self.device(value["device"])
        layout = value.get("layout")
        if layout == "coo":
            indices, values = self.decode(value["indices"], depth + 1), self.decode(value["values"], depth + 1)
            tensor = torch.sparse_coo_tensor(indices, values, _shape(value["size"]), check_invariants=True,
                                             is_coalesced=bool(value["coalesced"]))
        elif layout == "quantized":
            ints = self.decode(value["ints"], depth + 1)
            tensor = torch._make_per_tensor_quantized_tensor(ints, float(value["scale"]), int(value["zero_point"]))
            if tensor.dtype != _dtype(value["dtype"]):
                raise CodecError(f"a quantized tensor of {tensor.dtype} that claims {value['dtype']}")
        elif layout is None:
            tensor = self.strided(value, device)
        else:
            raise CodecError(f"unknown tensor layout {layout!r}")
        if value.get("rg") and (tensor.is_floating_point() or tensor.is_complex()):
            tensor.requires_grad_(True)
        if "grad" in value:
            grad = self.decode(value["grad"], depth + 1)
            if not isinstance(grad, torch.Tensor):
                raise CodecError("a gradient that is not a tensor")
            tensor.grad = grad
        return tensor

    def strided(self, value: dict, device: str) -> Any:
        import torch

        dtype, shape, stride, offset = _dtype(value["dtype"]), _shape(value["shape"]), _shape(value["stride"]), \
            value["offset"]
        if len(stride) != len(shape) or not isinstance(offset, int) or offset < 0:
            raise CodecError(f"a tensor whose strides {stride} or offset {offset!r} do not fit its shape {shape}")
        if device == "meta":
            return torch.empty_strided(shape, stride, dtype=dtype, device="meta")
        # Judged by its metadata first: a broadcast view of a few bytes of storage can claim 10^12
        # elements, and whoever reads it (compares, draws) would materialise them.
        if math.prod(shape) * dtype.itemsize > MAX_BYTES:
            raise TooLarge(shape, math.prod(shape), MAX_BYTES)
        number = value["storage"]
        if not isinstance(number, int):
            raise CodecError(f"a storage number that is not a number: {number!r}")
        storage = self.storages.get((number, device))
        if storage is None:
            if "b" not in value:
                raise CodecError(f"a tensor that refers to storage {number} before it is sent")
            raw = bytearray(self.buffer(value["b"]))   # a copy: each decode gives fresh tensors
            data = torch.frombuffer(raw, dtype=torch.uint8) if raw else torch.empty(0, dtype=torch.uint8)
            if device != "cpu":
                data = _place(data, device)
            storage = self.storages[(number, device)] = data.untyped_storage()
        itemsize = dtype.itemsize
        if any(n == 0 for n in shape):
            needed = 0
        else:
            needed = (offset + sum((n - 1) * s for n, s in zip(shape, stride)) + 1) * itemsize
        if needed > storage.nbytes():
            raise CodecError(f"a tensor of shape {shape} and strides {stride} needs {needed} bytes; "
                             f"its storage holds {storage.nbytes()}")
        return torch.empty(0, dtype=dtype, device=storage.device).set_(storage, offset, shape, stride)

    def array(self, value: dict, depth: int) -> Any:
        import numpy as np
        import torch

        if "t" in value:
            tensor = self.decode(value["t"], depth + 1)
            if not isinstance(tensor, torch.Tensor) or tensor.device.type != "cpu":
                raise CodecError("an array whose data is not a CPU tensor")
            return tensor.numpy()
        dtype = np.dtype(value["dtype"])
        if dtype.hasobject or dtype.names is not None:
            raise CodecError(f"a NumPy array of dtype {dtype}")
        shape = _shape(value["shape"])
        raw = self.buffer(value["b"])
        if math.prod(shape) * dtype.itemsize != len(raw):
            raise CodecError(f"an array of shape {shape} and dtype {dtype} with {len(raw)} bytes")
        return np.frombuffer(bytes(raw), dtype=dtype).reshape(shape).copy()


def _shape(value: Any) -> list[int]:
    if not isinstance(value, list) or len(value) > MAX_DIMS \
            or not all(type(n) is int and 0 <= n < 2**62 for n in value):
        raise CodecError(f"not a shape: {str(value)[:80]}")
    return value


def _dtype(name: Any):
    import torch

    dtype = getattr(torch, name, None) if isinstance(name, str) else None
    if not isinstance(dtype, torch.dtype):
        raise CodecError(f"unknown dtype {name!r}")
    return dtype


def _hashable(key: Any) -> Any:
    if isinstance(key, list):
        return tuple(_hashable(k) for k in key)
    if isinstance(key, (dict, set)):
        raise CodecError(f"a dict key of type {type(key).__name__}")
    return key


def _return_type(name: Any):
    import torch

    kind = getattr(torch.return_types, name, None) if isinstance(name, str) and name.isidentifier() else None
    if not (isinstance(kind, type) and issubclass(kind, tuple)):
        raise CodecError(f"unknown torch.return_types type {name!r}")
    return kind


def _tuple(decoder: _Decoder, value: dict, depth: int) -> tuple:
    items = decoder.items(value, depth)
    return _return_type(value["type"])(items) if "type" in value else tuple(items)


def _pil(decoder: _Decoder, value: dict, depth: int):
    from PIL import Image

    return Image.frombytes(str(value["mode"]), tuple(_shape(value["size"])), bytes(decoder.buffer(value["b"])))


def _npscalar(decoder: _Decoder, value: dict, depth: int):
    array = decoder.decode(value["v"], depth + 1)
    if getattr(array, "shape", None) != ():
        raise CodecError("a NumPy scalar that is not zero-dimensional")
    return array[()]


def _dict(decoder: _Decoder, value: dict, depth: int) -> dict:
    pairs = value["v"]
    if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
        raise CodecError("a dict without a list of pairs")
    return {_hashable(decoder.decode(k, depth + 1)): decoder.decode(v, depth + 1) for k, v in pairs}


def _number(kind):
    def number(decoder: _Decoder, value: dict, depth: int):
        text = value["v"]
        if not isinstance(text, str) or len(text) > 4000:
            raise CodecError(f"a {kind.__name__} that is not a short string")
        return kind(text)

    return number


_TAGS = {
    "tensor": _Decoder.tensor,
    "ndarray": _Decoder.array,
    "npscalar": _npscalar,
    "dict": _dict,
    "tuple": _tuple,
    "set": lambda d, v, depth: set(_hashable(item) for item in d.items(v, depth)),
    "frozenset": lambda d, v, depth: frozenset(_hashable(item) for item in d.items(v, depth)),
    "bytes": lambda d, v, depth: bytes(d.buffer(v["b"])),
    "int": _number(int),
    "float": _number(float),
    "complex": lambda d, v, depth: complex(*(float(x) for x in d.items(v, depth))),
    "dtype": lambda d, v, depth: _dtype(v["v"]),
    "device": lambda d, v, depth: __import__("torch").device(str(v["v"])),
    "size": lambda d, v, depth: __import__("torch").Size(_shape(v["v"])),
    "slice": lambda d, v, depth: slice(*d.items(v, depth)[:3]),
    "ellipsis": lambda d, v, depth: Ellipsis,
    "path": lambda d, v, depth: Path(str(v["v"])),
    "pil": _pil,
}


__all__ = ["MAX_BYTES", "CodecError", "Unsupported", "dumps", "loads", "device_here"]
