"""The one atomic writer: the old content or the new, never half, and no temporary file left."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from grader import progress
from grader.atomic import write_text
from tests.helpers import small_tmpfs


@pytest.fixture
def full_disk(tmp_path: Path):
    """A 64 KiB tmpfs: a real file system that runs out of space."""
    with small_tmpfs(tmp_path / "small", "64k") as mount:
        yield mount


def test_a_full_disk_keeps_the_old_content_and_leaves_no_temporary_file(full_disk):
    target = full_disk / "grade.json"
    write_text(target, "old")
    with pytest.raises(OSError) as raised:
        write_text(target, "x" * (256 << 10))          # four times what the disk holds
    assert raised.value.errno == errno.ENOSPC
    assert target.read_text() == "old"
    assert [p.name for p in full_disk.iterdir()] == ["grade.json"]


def test_an_interrupt_while_writing_leaves_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "grade.json"
    write_text(target, "old")

    def interrupted(_descriptor):
        raise KeyboardInterrupt

    monkeypatch.setattr("grader.atomic.os.fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_text(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["grade.json"]


def test_the_mode_is_applied_to_the_new_file(tmp_path):
    target = tmp_path / "report.html"
    write_text(target, "<p>", mode=0o644)
    assert target.stat().st_mode & 0o777 == 0o644


def test_progress_goes_through_the_atomic_writer(tmp_path, monkeypatch):
    progress.save(tmp_path, {"hints": {"03_strides.view": 1}})

    def disk_full(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("grader.atomic.os.replace", disk_full)
    with pytest.raises(OSError):
        progress.save(tmp_path, {"hints": {"03_strides.view": 2}})
    assert progress.hints_seen(tmp_path, "03_strides", "view") == 1
    assert [p.name for p in tmp_path.iterdir()] == [progress.FILENAME]


def test_a_grade_saved_on_a_full_disk_keeps_the_previous_grade(full_disk):
    from grader.grading.model import StudentGrade
    from grader.grading.storage import GRADE_FILE, load_grade, save_grade

    folder = full_disk / "ann"
    save_grade(folder, StudentGrade("ann", warnings=["first run"]))
    with pytest.raises(OSError):
        save_grade(folder, StudentGrade("ann", warnings=["x" * (256 << 10)]))
    assert load_grade(folder).warnings == ["first run"]
    assert [p.name for p in folder.iterdir()] == [GRADE_FILE]
