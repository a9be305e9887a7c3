"""The one exception grading raises for problems the instructor can fix."""

from __future__ import annotations

from grader.errors import UserError


class GradingError(UserError):
    """A problem the user can fix (a missing folder, an unreadable zip): one clear message."""


class GradingInterrupted(Exception):
    """Ctrl-C stopped a run: ``finished`` of ``total`` students have their results published."""

    def __init__(self, finished: int, total: int) -> None:
        super().__init__(f"interrupted: {finished} of {total} students finished")
        self.finished = finished
        self.total = total
