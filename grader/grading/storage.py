"""A student's grade on disk: ``REPORTS/<student>/grade.json``, written whole or not at all."""

from __future__ import annotations

import json
from pathlib import Path

from grader.atomic import write_text
from grader.grading.model import StudentGrade

GRADE_FILE = "grade.json"


def save_grade(folder: Path, grade: StudentGrade) -> None:
    write_text(folder / GRADE_FILE, json.dumps(grade.to_json(), indent=1))


def load_grade(folder: Path) -> StudentGrade | None:
    """The grade saved in ``folder``, or None when there is none or it cannot be read back."""
    try:
        return StudentGrade.from_json(json.loads((folder / GRADE_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
