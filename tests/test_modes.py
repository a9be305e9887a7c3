"""Whether checks draw, record or replay is decided per pytest run, not when a test module is imported."""

import sys

from grader import replay
from grader.replay import store
from grader.results import Status
from grader.runner import run_checks


def _test_module(test_file):
    return next((m for m in list(sys.modules.values()) if getattr(m, "__file__", None) == str(test_file)), None)


def test_one_process_draws_replays_and_draws_again_with_the_same_test_module(tiny, tmp_path):
    folder = tiny / "exercises" / "01_scale"
    empty = tmp_path / "empty" / store.FILENAME
    empty.parent.mkdir()
    store.save({"format": store.FORMAT, "exercise": "01_scale", "tests": {}, "functions": {}}, empty)

    drawn = run_checks([folder], impl="solutions")
    assert drawn and all(r.status in (Status.PASSED, Status.SKIPPED) for r in drawn)
    module = _test_module(folder / "test_scale.py")
    assert module is not None

    with replay.forced(folder, empty):  # this run replays a recording that holds no cases
        replayed = run_checks([folder], impl="solutions")
    failed = [r for r in replayed if r.status != Status.SKIPPED]
    assert failed and all(r.status != Status.PASSED and "has no recorded cases" in r.message for r in failed)

    again = run_checks([folder], impl="solutions")
    assert [r.status for r in again] == [r.status for r in drawn]
    assert _test_module(folder / "test_scale.py") is module  # imported once, never forgotten


def test_a_recording_made_in_this_process_replays_in_the_next_run(tiny, tmp_path):
    folder = tiny / "exercises" / "01_scale"
    out = tmp_path / "recorded"
    recorded = run_checks([folder], impl="solutions", options=["--tensorlings-record", str(out)])
    assert recorded and all(r.status in (Status.PASSED, Status.SKIPPED) for r in recorded)
    cases = out / "01_scale" / store.FOLDER / store.FILENAME
    assert store.read(str(cases), cases.stat().st_mtime)["tests"]

    with replay.forced(folder, cases):
        replayed = run_checks([folder], impl="solutions")
    assert [(r.test, r.status) for r in replayed] == [(r.test, r.status) for r in recorded]


def test_a_mode_replays_only_the_folders_it_names_or_a_release(tmp_path):
    course = tmp_path / "course"
    (course / "exercises" / "01_x" / store.FOLDER).mkdir(parents=True)
    (course / "course.yml").write_text("")
    (course / "exercises" / "01_x" / store.FOLDER / store.FILENAME).write_bytes(b"")
    folder = course / "exercises" / "01_x"
    assert replay.Mode().replays_folder(folder)                       # a release: no solutions/
    (course / "solutions").mkdir()
    assert not replay.Mode().replays_folder(folder)                   # the full course draws
    assert replay.Mode(recordings={folder.resolve(): tmp_path / "r"}).replays_folder(folder)
    assert not replay.Mode(recorder=object(), recordings={folder.resolve(): tmp_path / "r"}).replays_folder(folder)
