"""The results model: what happened to each check, and to each function.

A check is one pytest test item tied to one exercise function by ``@check``.
Its outcome is a ``CheckResult``; when it did not pass, ``failure`` is a
``Failure``: one typed record with every part a view shows (the call, the
inputs, actual and expected, the first difference, why, the known mistake,
Hypothesis's example, or the crash and its line). The terminal, the HTML
pages, ``results.json``, ``grade.json``, the notebooks and validate all
render this record; none of them parses message text.

A function's state comes from all of its checks; points are all or nothing
per function, as in an nbgrader cell.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASSED = "passed"
    WRONG = "wrong"
    NOT_STARTED = "not started"
    ERROR = "error"  # the module does not import, or lacks the function
    GRADER_ERROR = "grader error"  # the framework itself failed: never the learner's fault
    SKIPPED = "skipped"


class Kind(StrEnum):
    """What kind of failure a record describes; the first five follow the order comparison checks in."""

    TYPE = "type"
    SHAPE = "shape"
    DTYPE = "dtype"
    DEVICE = "device"
    VALUES = "values"
    VIEW = "view"            # a copy came back where a view was due
    MUTATED = "mutated"      # an argument was changed
    PROPERTY = "property"    # a property the check states in its own words (``expect``)
    CRASH = "crash"          # the learner's function raised
    NOT_STARTED = "not started"
    BROKEN = "broken"        # the module does not import, or lacks the function
    FORBIDDEN = "forbidden"  # the code breaks a rule of course.yml
    LIMIT = "limit"          # time, memory or output limit in a sandbox
    GRADER = "grader"        # the framework's own code failed
    HIDDEN = "hidden"        # checks the course keeps private failed: no details, by design


@dataclass(frozen=True)
class KnownMistake:
    name: str
    explanation: str


@dataclass
class Failure:
    """Why a check did not pass, in parts.

    ``summary`` is the one-line explanation as the comparison path words it
    (``to_nchw returned shape (2, 3); expected (3, 2), for batch=...: why``);
    the other fields hold its parts for views that lay them out.
    """

    kind: Kind
    summary: str
    function: str | None = None
    call: str | None = None          # the function as the learner would call it, e.g. ``to_nchw``
    inputs: str | None = None        # the inputs as shown, ``batch=tensor of shape (2, 3), uint8``
    actual: str | None = None
    expected: str | None = None
    detail: str | None = None        # e.g. ``wrong values at 3 of 12 positions; first at index (0, 1)``
    why: str | None = None
    mistake: KnownMistake | None = None
    example: str | None = None       # Hypothesis's minimal failing example, as code
    error_type: str | None = None    # for a crash: the exception's class name
    error_message: str | None = None
    file: str | None = None          # the learner's file and line, for a crash or a broken module
    line: int | None = None
    code: str | None = None          # the text of that line
    notes: list[str] = field(default_factory=list)
    internal: str | None = None      # the framework's traceback, for a grader failure: instructors only
    caused_by: str | None = None     # another of the learner's functions, failing its own checks, that this one calls

    def headline(self) -> str:
        """The explanation without the example or the known mistake."""
        lead = [self.text().splitlines()[0]] if self.caused_by is not None else []
        return "\n".join([*lead, self.summary, *self.notes])

    def text(self) -> str:
        """The whole record as plain text: what the terminal and the plain-text views show."""
        parts = [self.summary]
        if self.caused_by is not None:
            parts.insert(0, f"{self.function} uses your {self.caused_by}, which fails its own checks: "
                            f"fix {self.caused_by} first, then check {self.function} again")
        if self.mistake is not None:
            parts.append(f"This looks like a known mistake, {self.mistake.name!r}: {self.mistake.explanation}")
        if self.example:
            parts.append("Smallest failing example:\n" + _indent(self.example))
        parts.extend(self.notes)
        return "\n".join(parts)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Failure:
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        mistake = values.get("mistake")
        values["mistake"] = KnownMistake(**mistake) if isinstance(mistake, dict) else None
        values["kind"] = Kind(values.get("kind", Kind.VALUES))
        values["notes"] = list(values.get("notes") or [])
        return cls(**values)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


@dataclass
class CheckResult:
    exercise: str
    function: str
    test: str            # the pytest node id
    status: Status
    failure: Failure | None = None
    variant: str | None = None  # validate only: solution, stub or mistake:<name>
    duration: float = 0.0
    skip_reason: str | None = None

    @property
    def message(self) -> str:
        return self.failure.text() if self.failure else ""

    @property
    def mistake(self) -> str | None:
        return self.failure.mistake.name if self.failure and self.failure.mistake else None


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
        if Status.GRADER_ERROR in ran:
            return Status.GRADER_ERROR
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
    def skipped(self) -> list[CheckResult]:
        return [check for check in self.checks if check.status == Status.SKIPPED]

    @property
    def first_problem(self) -> CheckResult | None:
        for check in self.checks:
            if check.status in (Status.WRONG, Status.ERROR, Status.GRADER_ERROR):
                return check
        return None
