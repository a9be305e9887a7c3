"""The one exception grading raises for problems the instructor can fix."""

from __future__ import annotations

from grader.errors import UserError


class GradingError(UserError):
    """A problem the user can fix (a missing folder, an unreadable zip): one clear message."""


class GraderFailure(str):
    """A student the grader's own machinery failed to grade (a cluster task that raised): the
    instructor's problem, never the student's. The student is left ungraded, so the next run
    grades them again, and the run exits with the grader-error status."""

    student: str
    reason: str

    def __new__(cls, student: str, reason: str) -> GraderFailure:
        made = super().__new__(cls, f"the grader failed for {student}: {reason}")
        made.student, made.reason = student, reason
        return made


class GradingInterrupted(Exception):
    """Ctrl-C stopped a run: ``finished`` of ``total`` students have their results published."""

    def __init__(self, finished: int, total: int) -> None:
        super().__init__(f"interrupted: {finished} of {total} students finished")
        self.finished = finished
        self.total = total
