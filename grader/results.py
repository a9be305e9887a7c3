"""The results model: what happened to each check, and to each function.

A check is one pytest test item tied to one exercise function by ``@check``.
A function's state comes from all of its checks; points are all or nothing
per function, as in an nbgrader cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    PASSED = "passed"
    WRONG = "wrong"
    NOT_STARTED = "not started"
    ERROR = "error"  # the module does not import, or lacks the function
    SKIPPED = "skipped"


@dataclass
class CheckResult:
    exercise: str
    function: str
    test: str            # the pytest node id
    status: Status
    message: str = ""
    mistake: str | None = None
    variant: str | None = None  # validate only: solution, stub or mistake:<name>
    duration: float = 0.0


@dataclass
class FunctionResult:
    exercise: str
    function: str
    max_points: int
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def status(self) -> Status:
        ran = [check.status for check in self.checks if check.status != Status.SKIPPED]
        if not ran:
            return Status.SKIPPED if self.checks else Status.NOT_STARTED
        if all(status == Status.NOT_STARTED for status in ran):
            return Status.NOT_STARTED
        if Status.ERROR in ran:
            return Status.ERROR
        if all(status == Status.PASSED for status in ran):
            return Status.PASSED
        return Status.WRONG

    @property
    def points(self) -> int:
        return self.max_points if self.status == Status.PASSED else 0

    @property
    def passed(self) -> int:
        return sum(check.status == Status.PASSED for check in self.checks)

    @property
    def first_problem(self) -> CheckResult | None:
        for check in self.checks:
            if check.status in (Status.WRONG, Status.ERROR):
                return check
        return None


def status_of_checks(checks: list[CheckResult], exercise: str, function: str, max_points: int) -> FunctionResult:
    return FunctionResult(exercise, function, max_points, [c for c in checks if c.function == function])
