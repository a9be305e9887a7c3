"""The ways a check can end other than passing, as exceptions.

``Mismatch`` is an ``AssertionError``: a wrong answer. Hypothesis shrinks it
to a minimal example. The others end the check at once, without shrinking
(they derive from ``BaseException`` so Hypothesis lets them through): there
is nothing smaller to find when a function is still a stub, its module does
not import, or it uses something the exercise forbids.
"""

from __future__ import annotations

from typing import Any


class Mismatch(AssertionError):
    """The learner's function gave a wrong answer or crashed on some input.

    ``kind`` is one of: type, shape, dtype, device, values, view, mutated,
    crash, property. ``mistake`` is the (name, explanation) of the known
    mistake whose output matches, when one does. ``expected``/``actual``
    keep the compared values so reports can draw them.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        function: str | None = None,
        mistake: tuple[str, str] | None = None,
        expected: Any = None,
        actual: Any = None,
        error_type: str | None = None,
    ) -> None:
        super().__init__(message)
        self.error_type = error_type  # for a crash: the exception's class name
        self.message = message
        self.kind = kind
        self.function = function
        self.mistake = mistake
        self.expected = expected
        self.actual = actual

    def __str__(self) -> str:
        if self.mistake is None:
            return self.message
        name, explanation = self.mistake
        return f"{self.message}\nThis looks like a known mistake, {name!r}: {explanation}"


class Verdict(BaseException):  # noqa: N818 - an outcome, not an error
    """A check ends at once with this outcome; Hypothesis does not shrink it."""

    status = "error"

    def __init__(self, message: str, *, function: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.function = function

    def __str__(self) -> str:
        return self.message


class NotStarted(Verdict):
    """The function still raises NotImplementedError from its stub."""

    status = "not started"


class Broken(Verdict):
    """The learner's module does not import, or lacks the function."""

    status = "error"


class Forbidden(Verdict):
    """The function uses a name or construct the manifest forbids."""

    status = "failed"
