"""Recording keys ignore an input's layout; a recording file is plain data read back as it was written.

The codec itself (layouts, devices, refusals) is tested in tests/test_codec.py."""

import gzip

import pytest
import torch

from grader import codec, replay


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
    recording = replay.Mode().cases_path(folder)
    recording.parent.mkdir(parents=True, exist_ok=True)
    recording.write_bytes(b"recorded cases")
    assert (tiny / "solutions").is_dir()
    assert not replay.replays_folder(folder)
    shutil.rmtree(tiny / "solutions")
    assert replay.replays_folder(folder)


def test_a_recording_file_comes_back_with_fresh_cases_each_time(tmp_path):
    recorder = replay.Recorder(tmp_path)
    recorder.add_case("01_x", "test_x.py::test_one", codec.dumps({"x": torch.arange(4.0)[::2]}))
    [path] = recorder.save()
    assert path.name == replay.FILENAME
    first = codec.loads(replay.load_cases(path.parent.parent)["tests"]["test_x.py::test_one"][0])
    first["x"] += 1
    again = codec.loads(replay.load_cases(path.parent.parent)["tests"]["test_x.py::test_one"][0])
    assert torch.equal(again["x"], torch.tensor([0.0, 2.0])) and again["x"].stride() == (2,)


def test_a_recording_that_is_not_plain_data_is_refused_with_its_path(tmp_path):
    folder = tmp_path / "01_x"
    (folder / replay.FOLDER).mkdir(parents=True)
    path = folder / replay.FOLDER / replay.FILENAME
    path.write_bytes(gzip.compress(b"\x80\x04pickled"))
    with pytest.raises(RuntimeError, match=f"{path.name} is not a readable recording.*rebuild the release"):
        replay.load_cases(folder)
