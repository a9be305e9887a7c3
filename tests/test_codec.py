"""The plain-data codec: every kind round-trips, devices are kept, and bad frames are refused."""

import json
import math
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from grader import codec


def roundtrip(value, **options):
    return codec.loads(codec.dumps(value), **options)


def test_a_strided_view_keeps_its_strides_offset_and_values_in_fresh_memory():
    base = torch.arange(39, dtype=torch.float32)
    view = base[3:].view(6, 6)[:, ::2].t()
    back = roundtrip(view)
    assert torch.equal(back, view)
    assert back.stride() == view.stride() and back.storage_offset() == view.storage_offset()
    assert back.untyped_storage().data_ptr() != view.untyped_storage().data_ptr()


def test_tensors_that_share_memory_still_share_it_after_decoding():
    x = torch.arange(12.0).reshape(3, 4)
    back_x, back_view, other = roundtrip((x, x.t(), x.clone()))
    assert back_x.untyped_storage().data_ptr() == back_view.untyped_storage().data_ptr()
    assert back_x.untyped_storage().data_ptr() != other.untyped_storage().data_ptr()
    back_x[0, 1] = 100
    assert back_view[1, 0] == 100


def test_dtypes_autograd_state_and_gradients_come_back():
    leaf = torch.tensor([1.0, 2.0], requires_grad=True)
    (leaf * 3).sum().backward()
    values = [leaf, torch.tensor([1, 2], dtype=torch.int16), torch.tensor([True, False]),
              torch.tensor([1 + 2j], dtype=torch.complex64), torch.ones(2, dtype=torch.bfloat16),
              torch.zeros(0, 3), torch.tensor(7)]
    back = roundtrip(values)
    for mine, theirs in zip(values, back):
        assert theirs.dtype == mine.dtype and theirs.shape == mine.shape
        assert torch.equal(theirs.detach(), mine.detach())
    assert back[0].requires_grad and torch.equal(back[0].grad, torch.tensor([3.0, 3.0]))
    assert not back[1].requires_grad


def test_a_meta_tensor_round_trips_on_meta():
    x = torch.empty_strided((2, 3), (1, 2), device="meta")
    back = roundtrip(x)
    assert back.device.type == "meta" and back.shape == (2, 3) and back.stride() == (1, 2)


def test_a_tensor_comes_back_on_the_device_it_was_on(monkeypatch):
    # A stand-in GPU: the encoder names a CPU tensor's device "cuda:0", and this machine has one.
    monkeypatch.setattr(codec, "device_here", lambda name: True)
    placed = []
    monkeypatch.setattr(codec, "_place", lambda tensor, device: placed.append(device) or tensor)
    monkeypatch.setattr(codec._Encoder, "device_name", staticmethod(lambda tensor: "cuda:0"))
    back = roundtrip({"x": torch.arange(3.0), "y": torch.ones(2)})
    assert placed == ["cuda:0", "cuda:0"]
    assert torch.equal(back["x"], torch.arange(3.0))


def test_a_device_this_machine_lacks_falls_back_to_the_cpu_or_is_refused(monkeypatch):
    monkeypatch.setattr(codec._Encoder, "device_name", staticmethod(lambda tensor: "cuda:3"))
    monkeypatch.setattr(codec, "device_here", lambda name: name == "cpu")
    frame = codec.dumps(torch.arange(3.0))
    assert codec.loads(frame).device.type == "cpu"
    with pytest.raises(codec.CodecError, match="cuda:3, a device this machine does not have"):
        codec.loads(frame, fallback=None)


@pytest.mark.filterwarnings("ignore:torch.quantize_per_tensor")
def test_sparse_and_quantized_tensors_come_back():
    dense = torch.tensor([[0.0, 2.0], [3.0, 0.0]])
    sparse = dense.to_sparse()
    back = roundtrip(sparse)
    assert back.layout == torch.sparse_coo and back.is_coalesced() and torch.equal(back.to_dense(), dense)
    uncoalesced = torch.sparse_coo_tensor([[0, 0]], [1.0, 2.0], (3,), check_invariants=True)
    assert not roundtrip(uncoalesced).is_coalesced()
    quantized = torch.quantize_per_tensor(torch.tensor([0.5, -1.0]), 0.1, 3, torch.qint8)
    back = roundtrip(quantized)
    assert back.dtype == torch.qint8 and back.q_scale() == pytest.approx(0.1) and back.q_zero_point() == 3
    assert torch.equal(back.int_repr(), quantized.int_repr())


def test_arrays_scalars_images_and_containers_come_back():
    from PIL import Image

    array = torch.arange(24, dtype=torch.uint8).reshape(2, 3, 4).permute(1, 2, 0).numpy()
    swapped = np.arange(3, dtype=">i4")
    value = {"a": (array, Image.fromarray(np.zeros((2, 3), np.uint8)), swapped),
             3: [torch.float64, torch.device("cpu"), torch.Size([2, 3]), None, 1.5, "x", np.float32(2.5),
                 slice(1, None), {1, 2}, frozenset({"a"}), b"\x00\xff", 2**80, -(2**70), math.inf, 1 + 2j,
                 Ellipsis, Path("/tmp/x"), True, [], ()],
             (1, "k"): {}}
    back = roundtrip(value)
    assert isinstance(back["a"][0], np.ndarray) and back["a"][0].strides == array.strides
    assert np.array_equal(back["a"][0], array)
    assert back["a"][1].mode == "L" and back["a"][1].size == (3, 2)
    assert back["a"][2].dtype == swapped.dtype and np.array_equal(back["a"][2], swapped)
    assert back[3][:6] == [torch.float64, torch.device("cpu"), torch.Size([2, 3]), None, 1.5, "x"]
    assert type(back[3][6]) is np.float32 and back[3][6] == 2.5
    assert back[3][7:] == [slice(1, None), {1, 2}, frozenset({"a"}), b"\x00\xff", 2**80, -(2**70), math.inf,
                           1 + 2j, Ellipsis, Path("/tmp/x"), True, [], ()]
    assert type(back[3][-2]) is list and type(back[3][-1]) is tuple and back[(1, "k")] == {}
    assert math.isnan(roundtrip(math.nan))


def test_torch_return_types_come_back_as_themselves_and_named_tuples_as_tuples():
    from collections import namedtuple

    found = torch.tensor([[1.0, 5.0], [7.0, 2.0]]).max(dim=1)
    back = roundtrip(found)
    assert type(back) is type(found) and torch.equal(back.values, found.values)
    Point = namedtuple("Point", "x y")
    back = roundtrip(Point(1, 2))
    assert type(back) is tuple and back == (1, 2)


def test_each_decode_gives_fresh_tensors():
    frame = codec.dumps(torch.zeros(3))
    first = codec.loads(frame)
    first += 1
    assert torch.equal(codec.loads(frame), torch.zeros(3))


@pytest.mark.parametrize("make, named", [
    (lambda: lambda x: x, "function"),
    (object, "object"),
    (lambda: {"ok": [1, open]}, "builtin_function_or_method"),
    (lambda: np.array([object()], dtype=object), "NumPy array of dtype object"),
    (lambda: torch.eye(2).to_sparse_csr(), "layout sparse_csr"),
])
@pytest.mark.filterwarnings("ignore:Sparse CSR tensor support is in beta")
def test_a_value_that_is_not_plain_data_is_refused_by_type(make, named):
    with pytest.raises(codec.Unsupported, match=named):
        codec.dumps(make())


def test_a_value_over_the_size_limit_is_refused_both_ways():
    with pytest.raises(codec.Unsupported, match="over the limit of 1000 bytes"):
        codec.dumps(torch.zeros(1000), limit=1000)
    frame = codec.dumps(torch.zeros(1000))
    with pytest.raises(codec.CodecError, match="over the limit of 1000 bytes"):
        codec.loads(frame, limit=1000)


def _frame(header: dict, payload: bytes = b"") -> bytes:
    text = json.dumps(header).encode()
    return struct.pack("!4sQ", codec.MAGIC, len(text)) + text + payload


def _tensor_header(**changes) -> dict:
    header = {"~": "tensor", "device": "cpu", "rg": False, "dtype": "float32", "shape": [4], "stride": [1],
              "offset": 0, "storage": 0, "b": [0, 16]}
    header.update(changes)
    return header


@pytest.mark.parametrize("frame, reason", [
    (b"", "too short"),
    (b"NOPE" + bytes(8), "wrong magic"),
    (codec.dumps(torch.zeros(4))[:-3], "outside the frame"),
    (struct.pack("!4sQ", codec.MAGIC, 10**9) + b"{}", "claims 1000000000 bytes"),
    (_frame(_tensor_header(b=[0, 10**12]), bytes(16)), "outside the frame"),
    (_frame(_tensor_header(b=[-4, 16]), bytes(16)), "outside the frame"),
    (_frame(_tensor_header(shape=[100]), bytes(16)), "needs 400 bytes; its storage holds 16"),
    (_frame(_tensor_header(offset=3), bytes(16)), "needs 28 bytes"),
    (_frame(_tensor_header(shape=[2**40], stride=[0]), bytes(16)), "over the limit"),
    (_frame(_tensor_header(stride=[-1]), bytes(16)), "not a shape"),
    (_frame(_tensor_header(dtype="no_such"), bytes(16)), "unknown dtype"),
    (_frame(_tensor_header(device="warp:9"), bytes(16)), "unknown device"),
    (_frame(_tensor_header(b=None), bytes(16)), "malformed"),
    (_frame({k: v for k, v in _tensor_header().items() if k != "b"}), "before it is sent"),
    (codec.dumps(torch.tensor([1.0]).to_sparse()).replace(b'"size":[1]', b'"size":[0]'), "malformed"),
    (_frame({"~": "pickle", "v": "cos\nsystem"}), "unknown tag 'pickle'"),
    (_frame({"~": "tuple", "type": "os", "v": []}), "unknown torch.return_types"),
    (_frame({"~": "dict", "v": [[[1, {"~": "dict", "v": []}], 2]]}), "dict key"),
    (_frame({"~": "ndarray", "dtype": "|O", "shape": [1], "b": [0, 8]}, bytes(8)), "dtype object"),
    (_frame({"~": "ndarray", "dtype": "<f4", "shape": [3], "b": [0, 8]}, bytes(8)), "with 8 bytes"),
    (struct.pack("!4sQ", codec.MAGIC, 3) + b"[[[", "not valid JSON"),
])
def test_a_hostile_or_broken_frame_is_refused_with_a_reason(frame, reason):
    with pytest.raises(codec.CodecError, match=reason):
        codec.loads(frame)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device; the stand-in tests above run everywhere")
def test_a_cuda_tensor_comes_back_on_cuda_still_sharing_memory():
    x = torch.arange(12.0, device="cuda").reshape(3, 4)
    back, view = roundtrip((x, x.t()))
    assert back.device == x.device and view.device == x.device and torch.equal(view, x.t())
    assert back.untyped_storage().data_ptr() == view.untyped_storage().data_ptr()
