"""Device logic of grading, tested without a GPU: meta tensors and a stand-in CUDA device.

On a CUDA machine the caller's tensors live on ``cuda:0`` while a worker's copy may come back
elsewhere; these tests make the same situations with ``meta`` and a patched codec, so that the
suite fails here if device information is dropped again.
"""

from __future__ import annotations

import socket

import pytest
import torch

from grader import codec
from grader.compare import changed_arguments
from grader.grading import wire
from grader.grading.remote import _write_back
from grader.grading.reports.difference import difference_picture


def test_changed_arguments_across_devices_does_not_raise_and_still_sees_changes():
    caller = torch.arange(6.0)
    worker_copy = torch.empty(6, device="meta")   # the worker's copy on another device
    assert changed_arguments((caller,), {}, (worker_copy,), {}) == set()
    assert changed_arguments((worker_copy,), {}, (caller,), {}) == set()
    # The comparison itself is not switched off: a changed value on one device is still seen.
    assert changed_arguments((caller,), {}, (caller + 1,), {}) == {"argument 1"}
    assert changed_arguments((), {"x": caller}, (), {"x": caller.clone()}) == set()


def test_a_gradient_on_another_device_is_compared_without_raising():
    before = torch.ones(3, requires_grad=True)
    before.grad = torch.zeros(3)
    after = torch.empty(3, device="meta", requires_grad=True)
    after.grad = torch.empty(3, device="meta")
    assert changed_arguments((before,), {}, (after,), {}) == set()


def test_writing_back_from_another_device_leaves_the_callers_tensor_where_it_was():
    caller = torch.zeros(4)
    _write_back(caller, torch.empty(4, device="meta"))
    assert caller.device.type == "cpu" and torch.equal(caller, torch.zeros(4))
    _write_back(caller, torch.ones(4))
    assert torch.equal(caller, torch.ones(4))


def _through_the_wire(message):
    left, right = socket.socketpair()
    with left, right:
        wire.send(left, message)
        return wire.receive(right)


def test_the_wire_keeps_a_cuda_tensors_device(monkeypatch):
    # A stand-in GPU: the worker names its tensor's device cuda:0 and this side has one.
    placed = []
    monkeypatch.setattr(codec, "device_here", lambda name: True)
    monkeypatch.setattr(codec, "_place", lambda tensor, device: placed.append(device) or tensor)
    monkeypatch.setattr(codec._Encoder, "device_name", staticmethod(lambda tensor: "cuda:0"))
    result = torch.arange(6.0).reshape(2, 3)
    back = _through_the_wire({"ok": {"result": result, "args": (result.t(),), "kwargs": {}}})
    assert placed == ["cuda:0"]  # one storage, put back on the device it was on
    assert torch.equal(back["ok"]["result"], result)
    assert back["ok"]["args"][0].stride() == (1, 3)


def test_the_wire_keeps_meta_tensors_on_meta():
    back = _through_the_wire((torch.empty(2, 3, device="meta"), torch.ones(2)))
    assert back[0].device.type == "meta" and back[1].device.type == "cpu"


def test_a_result_declaring_a_trillion_elements_is_refused_from_its_metadata():
    frame = codec.dumps(torch.zeros(1).expand(10**6, 10**6))
    assert len(frame) < 4096  # four bytes of storage: the frame is small
    with pytest.raises(wire.TooLarge) as raised:
        wire.loads(frame)
    assert raised.value.elements == 10**12 and raised.value.shape == (10**6, 10**6)


def test_the_picture_of_a_broadcast_result_is_drawn_without_materialising_it():
    expected = torch.zeros(1).expand(10**6, 10**6)
    actual = torch.ones(1).expand(10**6, 10**6)
    picture = difference_picture(expected, actual)  # 10^12 doubles would be 8 TB
    assert picture is not None and len(picture.expected) == 32 and len(picture.expected[0]) == 32
    image = torch.zeros(1, 1, 1).expand(3, 10**6, 10**6)
    assert difference_picture(image, image) is not None
    channels_last = torch.zeros(1, 1, 1).expand(10**6, 10**6, 3)
    assert difference_picture(channels_last, channels_last) is not None


def test_the_picture_still_shows_values():
    expected = torch.arange(16.0).reshape(4, 4)
    picture = difference_picture(expected, expected.flip(0))
    assert picture.expected[0][0] == 0.0 and picture.expected[-1][-1] == 1.0
    assert picture.difference[0][0] == 1.0
    assert difference_picture(expected, torch.zeros(4, 5)) is None  # shapes differ: nothing to draw
