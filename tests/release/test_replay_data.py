"""Recordings are plain data that keep an input's layout, and keys that ignore it."""

import numpy as np
import pytest
import torch

from grader import replay


def roundtrip(value):
    import gzip
    import io

    buffer = io.BytesIO()
    torch.save(replay.encode(value), buffer)
    data = torch.load(io.BytesIO(gzip.decompress(gzip.compress(buffer.getvalue()))), weights_only=True)
    return replay.decode(data)


def test_a_strided_view_comes_back_with_its_strides_and_offset():
    base = torch.arange(39, dtype=torch.float32)
    view = base[3:].view(6, 6)[:, ::2].t()
    back = roundtrip(view)
    assert torch.equal(back, view)
    assert back.stride() == view.stride() and back.storage_offset() == view.storage_offset()
    assert back.untyped_storage().data_ptr() != view.untyped_storage().data_ptr()


def test_arrays_images_and_plain_values_come_back():
    from PIL import Image

    array = torch.arange(24, dtype=torch.uint8).reshape(2, 3, 4).permute(1, 2, 0).numpy()
    value = {"a": (array, Image.fromarray(np.zeros((2, 3), np.uint8))), 3: [torch.float64, torch.device("cpu"),
             torch.Size([2, 3]), None, 1.5, "x", np.float32(2.5), slice(1, None), {1, 2}]}
    back = roundtrip(value)
    assert isinstance(back["a"][0], np.ndarray) and back["a"][0].strides == array.strides
    assert np.array_equal(back["a"][0], array)
    assert back["a"][1].mode == "L" and back["a"][1].size == (3, 2)
    assert back[3][:6] == [torch.float64, torch.device("cpu"), torch.Size([2, 3]), None, 1.5, "x"]
    assert back[3][6].dtype == np.float32 and back[3][7] == slice(1, None) and back[3][8] == {1, 2}


def test_a_value_that_is_not_data_is_refused():
    with pytest.raises(TypeError, match="cannot record"):
        replay.encode(lambda x: x)


def test_the_key_ignores_layout_but_not_dtype_or_values():
    x = torch.arange(12.0).reshape(3, 4)
    key = replay.fingerprint((x,), {})
    assert replay.fingerprint((x.t().contiguous().t(),), {}) == key
    assert replay.fingerprint((x.double(),), {}) != key
    assert replay.fingerprint((x + 1,), {}) != key
    assert replay.fingerprint((x,), {"dim": 1}) != key
    assert replay.fingerprint(((3, 2),), {}) != replay.fingerprint(([3, 2],), {})


def test_a_full_course_does_not_replay(tiny, monkeypatch):
    """A course with solutions/ draws its cases even where a recording lies beside its tests;
    the same folder in a release (no solutions/) replays it."""
    import shutil

    monkeypatch.delenv(replay.ENV, raising=False)
    folder = tiny / "exercises" / "01_scale"
    recording = replay.cases_path(folder)
    recording.parent.mkdir(parents=True, exist_ok=True)
    recording.write_bytes(b"recorded cases")
    assert (tiny / "solutions").is_dir()
    assert not replay.replays_folder(folder)
    shutil.rmtree(tiny / "solutions")
    assert replay.replays_folder(folder)
