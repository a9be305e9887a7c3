"""A student's results on disk: ``REPORTS/<student>/``, published whole or not at all.

A student's folder (``grade.json``, ``results.json``, ``feedback.html``) is written into a
hidden sibling, ``.<student>.partial-*``, and renamed into place as the last step. We chose
this over a ``complete`` marker written last: with a marker, a rerun with ``--force`` would
overwrite the files of a visible folder one by one, so a reader (or a crash) could see a new
``grade.json`` beside an old ``feedback.html``; a rename shows the old folder or the new one,
never a mix. A crash leaves only dot-named leftovers, which the next run removes.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from grader.atomic import write_text
from grader.grading.model import StudentGrade

GRADE_FILE = "grade.json"
_PARTIAL = ".partial-"
_OLD = ".old-"
# A published student folder is handed out: readable by all, like the reports in it.
FOLDER_MODE = 0o755


def save_grade(folder: Path, grade: StudentGrade) -> None:
    write_text(folder / GRADE_FILE, json.dumps(grade.to_json(), indent=1))


def load_grade(folder: Path) -> StudentGrade | None:
    """The grade saved in ``folder``, or None when there is none or it cannot be read back."""
    return read_grade(folder)[0]


def read_grade(folder: Path) -> tuple[StudentGrade | None, str | None]:
    """The grade saved in ``folder`` and, when a file is there but is not a grade this grader wrote, why."""
    path = folder / GRADE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError) as error:
        return None, f"{path}: cannot be read ({error})"
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("functions"), list):
            raise ValueError("not a grade this grader wrote")
        grade = StudentGrade.from_json(data)
    except Exception as error:  # noqa: BLE001 - any damage means: grade this student again
        return None, f"{path}: {type(error).__name__}: {str(error)[:120]}"
    if grade.student != folder.name:
        return None, f"{path}: holds the grade of {grade.student!r}, not of {folder.name!r}"
    return grade, None


def publish_student(folder: Path, grade: StudentGrade, write_reports: Callable[[Path], None] | None) -> None:
    """Write ``grade`` (and, with ``write_reports``, its reports) as ``folder``, in one rename."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}{_PARTIAL}"))
    try:
        save_grade(staging, grade)
        if write_reports is not None:
            write_reports(staging)
        os.chmod(staging, FOLDER_MODE)
        _swap_into_place(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def publish_graded(folder: Path, grade: StudentGrade, tree, write_reports: bool) -> None:
    """Publish ``grade`` as ``folder``, with the student's reports when ``write_reports``."""
    def reports(staging: Path) -> None:
        from grader.grading.reports import write_student_reports

        write_student_reports(grade, tree, staging)

    publish_student(folder, grade, reports if write_reports else None)


def _swap_into_place(staging: Path, folder: Path) -> None:
    """Rename ``staging`` to ``folder``; an old ``folder`` is renamed aside first and then removed.

    Between the two renames the student has no folder: a crash there means they are graded again.
    """
    old = None
    if folder.exists() or folder.is_symlink():
        old = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}{_OLD}")) / "previous"
        os.rename(folder, old)
    os.rename(staging, folder)
    if old is not None:
        shutil.rmtree(old.parent, ignore_errors=True)


def remove_leftovers(out: Path) -> list[Path]:
    """Remove what an interrupted run left in ``out``: half-built student folders and temporary files."""
    removed = []
    if not out.is_dir():
        return removed
    for path in out.iterdir():
        name = path.name
        leftover = name.startswith(".") and (_PARTIAL in name or _OLD in name or name.endswith(".tmp"))
        if not leftover:
            if path.is_dir() and not path.is_symlink():
                removed += _temporary_files(path)
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                path.unlink()
        removed.append(path)
    return removed


def _temporary_files(folder: Path) -> list[Path]:
    """The atomic writer's temporary files left in a student's folder by a killed run."""
    removed = []
    for path in folder.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed
