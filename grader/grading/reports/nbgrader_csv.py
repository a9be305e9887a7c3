"""The class's grades in the CSV layout of ``nbgrader export``.

The columns, in nbgrader's order, are those of its CSV export plugin. A
student's id is the name of their submission folder; nbgrader's name and
email columns stay empty, as nbgrader leaves them for students it has no
record of, and there is no late penalty.
"""

from __future__ import annotations

import csv
import io

from grader.course import CourseTree
from grader.grading.model import StudentGrade
from grader.grading.reports.common import course_title

NBGRADER_COLUMNS = (
    "assignment",
    "duedate",
    "timestamp",
    "student_id",
    "last_name",
    "first_name",
    "email",
    "raw_score",
    "late_submission_penalty",
    "score",
    "max_score",
)


def _score(value: float) -> str:
    return repr(round(float(value), 4))


def grades_rows(grades: list[StudentGrade], tree: CourseTree | None, assignment: str | None = None,
                roster: dict | None = None) -> list[dict]:
    name = assignment or course_title(tree)
    rows = []
    for grade in sorted(grades, key=lambda g: g.student):
        person = (roster or {}).get(grade.student)
        score = _score(grade.score) if grade.gradable else ""
        rows.append({
            "assignment": name,
            "duedate": "",
            "timestamp": "",
            "student_id": grade.student,
            "last_name": person.last_name if person else "",
            "first_name": person.first_name if person else "",
            "email": person.email if person else "",
            "raw_score": score,
            "late_submission_penalty": _score(0.0),
            "score": score,
            "max_score": _score(grade.max_score),
        })
    return rows


def grades_csv(grades: list[StudentGrade], tree: CourseTree | None, assignment: str | None = None,
               roster: dict | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=NBGRADER_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(grades_rows(grades, tree, assignment, roster))
    return buffer.getvalue()
