"""The one exception grading raises for problems the instructor can fix."""

from __future__ import annotations

from grader.errors import UserError


class GradingError(UserError):
    """A problem the user can fix (a missing folder, an unreadable zip): one clear message."""
