"""The ways a check can end other than passing, as exceptions that carry a ``Failure`` record.

``Mismatch`` is an ``AssertionError``: a wrong answer. Hypothesis shrinks it
to a minimal example. The others end the check at once, without shrinking
(they derive from ``BaseException`` so Hypothesis lets them through): there
is nothing smaller to find when a function is still a stub, its module does
not import, or it uses something the exercise forbids.

Each exception holds its ``failure`` record; the plugin adds Hypothesis's
example to it and every view renders it. The message string is the
record's summary, kept for code that prints an exception.
"""

from __future__ import annotations

from typing import Any

from grader.results import Failure, Kind, KnownMistake, Status


class Mismatch(AssertionError):
    """The learner's function gave a wrong answer or crashed on some input.

    ``expected``/``actual`` keep the compared values (not only their text) so
    reports can draw them; they are not part of the serialised record.
    """

    def __init__(
        self,
        message: str | Failure,
        *,
        kind: str = Kind.VALUES,
        function: str | None = None,
        mistake: tuple[str, str] | KnownMistake | None = None,
        expected: Any = None,
        actual: Any = None,
        error_type: str | None = None,
    ) -> None:
        failure = message if isinstance(message, Failure) else Failure(Kind(kind), message, function=function,
                                                                       error_type=error_type)
        super().__init__(failure.summary)
        self.failure = failure
        if mistake is not None:
            self.mistake = mistake
        self.expected = expected
        self.actual = actual

    @property
    def message(self) -> str:
        return self.failure.summary

    @property
    def kind(self) -> str:
        return self.failure.kind.value

    @property
    def function(self) -> str | None:
        return self.failure.function

    @property
    def error_type(self) -> str | None:
        return self.failure.error_type

    @property
    def mistake(self) -> tuple[str, str] | None:
        known = self.failure.mistake
        return (known.name, known.explanation) if known else None

    @mistake.setter
    def mistake(self, value: tuple[str, str] | KnownMistake | None) -> None:
        if value is not None and not isinstance(value, KnownMistake):
            value = KnownMistake(*value)
        self.failure.mistake = value

    def __str__(self) -> str:
        return self.failure.text()


class Verdict(BaseException):  # noqa: N818 - an outcome, not an error
    """A check ends at once with this outcome; Hypothesis does not shrink it."""

    status = Status.ERROR
    kind = Kind.BROKEN

    def __init__(self, message: str | Failure, *, function: str | None = None) -> None:
        failure = message if isinstance(message, Failure) else Failure(self.kind, message, function=function)
        super().__init__(failure.summary)
        self.failure = failure

    @property
    def message(self) -> str:
        return self.failure.summary

    @property
    def function(self) -> str | None:
        return self.failure.function

    def __str__(self) -> str:
        return self.failure.text()


class NotStarted(Verdict):
    """The function still raises NotImplementedError from its stub."""

    status = Status.NOT_STARTED
    kind = Kind.NOT_STARTED


class Broken(Verdict):
    """The learner's module does not import, or lacks the function."""

    status = Status.ERROR
    kind = Kind.BROKEN


class Forbidden(Verdict):
    """The function uses a name or construct the manifest forbids."""

    status = Status.WRONG
    kind = Kind.FORBIDDEN


class GraderFailed(Verdict):
    """The framework's own code failed while judging: reported as the grader's fault, never the learner's."""

    status = Status.GRADER_ERROR
    kind = Kind.GRADER


class CallLimit(Verdict):
    """A learner's call ran past its time limit: the check fails at once, and so do the function's others."""

    status = Status.WRONG
    kind = Kind.LIMIT
