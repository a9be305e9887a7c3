"""Reports from a grading run: per student and for the class.

``write_student_reports`` puts ``feedback.html`` (a self-contained page for
the student) and ``results.json`` (Gradescope's autograder schema) into the
student's folder. ``write_class_reports`` puts ``grades.csv`` (nbgrader's
export columns) and ``summary.html`` (the class at a glance) into the
output folder. Every file is written atomically. The writers only read the
plain data in ``grader.grading.model``; they never see student code.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from grader.course import CourseTree
from grader.grading.model import StudentGrade
from grader.grading.reports.feedback import feedback_html
from grader.grading.reports.files import write_atomic
from grader.grading.reports.gradescope import results_text
from grader.grading.reports.nbgrader_csv import NBGRADER_COLUMNS, grades_csv
from grader.grading.reports.summary import summary_html

FEEDBACK = "feedback.html"
RESULTS = "results.json"
GRADES = "grades.csv"
SUMMARY = "summary.html"


def _now() -> str:
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")


def write_student_reports(grade: StudentGrade, tree: CourseTree | None, folder: Path) -> None:
    """Write ``feedback.html`` and ``results.json`` for one student into ``folder``."""
    folder = Path(folder)
    write_atomic(folder / RESULTS, results_text(grade, tree))
    write_atomic(folder / FEEDBACK, feedback_html(grade, tree, graded_at=_now()))


def write_class_reports(
    grades: list[StudentGrade], tree: CourseTree | None, out: Path, *, assignment: str | None = None,
    roster: dict | None = None, grader_failures: Sequence = (),
) -> None:
    """Write ``grades.csv`` and ``summary.html`` for the whole class into ``out``.

    ``roster`` (student id -> ``grader.grading.roster.Person``) fills the CSV's name and email columns.
    ``grader_failures`` are the students the grader failed to grade this run (``GraderFailure``).
    """
    out = Path(out)
    write_atomic(out / GRADES, grades_csv(grades, tree, assignment, roster))
    write_atomic(out / SUMMARY, summary_html(grades, tree, graded_at=_now(), grader_failures=grader_failures))


__all__ = [
    "FEEDBACK",
    "GRADES",
    "NBGRADER_COLUMNS",
    "RESULTS",
    "SUMMARY",
    "write_class_reports",
    "write_student_reports",
]
