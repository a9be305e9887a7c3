"""From how a check ended (an exception) to its ``Failure`` record and status.

The plugin, the notebooks and grading all end a check here, so each view
gets the same record. Hypothesis reports its minimal example as a note on
the exception; this is the one place that reads it, keeping the example's
code and dropping what only names the framework (its fixture objects, its
``Explanation`` lines, its reproduction hints).
"""

from __future__ import annotations

import textwrap
import traceback

from grader.outcomes import Mismatch, Verdict
from grader.results import Failure, Kind, Status

_EXAMPLE_STARTS = ("Falsifying example", "Falsifying explicit example", "Failing test case")
_FRAMEWORK_NOTES = ("You can reproduce", "Explanation:", "Unreliable test timings", "Trying example")
_FIXTURE_ARGUMENTS = ("submission=", "reference=")

GRADER_FAILED = (
    "the grader failed on this check ({error}); this is not a mistake in your code. "
    "Your instructor has been told; the function's other checks still count"
)


def first_outcome(error: BaseException) -> BaseException:
    """From several distinct failures Hypothesis found (an ExceptionGroup), the first one a learner should read."""
    if isinstance(error, BaseExceptionGroup):
        leaves = [e for e in _leaves(error) if isinstance(e, (Verdict, Mismatch))]
        if leaves:
            first = leaves[0]
            if len(leaves) > 1:
                first.failure.notes.append(
                    f"({len(leaves) - 1} more distinct failure(s) of this check; fix this one first)")
            return first
    return error


def _leaves(group: BaseExceptionGroup):
    for error in group.exceptions:
        yield from _leaves(error) if isinstance(error, BaseExceptionGroup) else (error,)


def status_of(error: BaseException) -> Status:
    if isinstance(error, Verdict):
        return Status(error.status)
    if isinstance(error, AssertionError):  # a Mismatch, or a plain assert a course author wrote
        return Status.WRONG
    return Status.GRADER_ERROR


def failure_of(error: BaseException, function: str | None = None) -> Failure:
    """The record of a check that ended with ``error``, Hypothesis's example included."""
    error = first_outcome(error)
    if isinstance(error, (Verdict, Mismatch)):
        failure = error.failure
        if failure.function is None:
            failure.function = function
    elif isinstance(error, AssertionError):
        failure = Failure(Kind.PROPERTY, _one_line(str(error)) or "an assertion of this check failed",
                          function=function)
    else:
        failure = grader_failure(error, function)
    example = getattr(error, "tensorlings_example", None) or example_from_notes(getattr(error, "__notes__", []))
    if example and not failure.example:
        failure.example = example
    failure.notes.extend(note for note in kept_notes(error) if note not in failure.notes)
    case = getattr(error, "tensorlings_case", None)
    if case and not any(case in note for note in failure.notes):
        failure.notes.append(f"(the example is {case})")
    return failure


def grader_failure(error: BaseException, function: str | None = None) -> Failure:
    """A check's own code raised: the framework's fault. The learner sees no framework source."""
    described = f"{type(error).__name__}: {error}".strip().rstrip(":")
    internal = "".join(traceback.format_exception(error)[-6:])
    return Failure(Kind.GRADER, GRADER_FAILED.format(error=_one_line(described)), function=function,
                   error_type=type(error).__name__, error_message=str(error), notes=[], internal=internal)


def _one_line(text: str, limit: int = 200) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= limit else first[: limit - 3] + "..."


def example_from_notes(notes: list[str]) -> str | None:
    """Hypothesis's failing example as code, without the framework's fixture arguments."""
    for note in notes:
        if not note.startswith(_EXAMPLE_STARTS):
            continue
        header, _, body = note.partition(":")
        if "(recorded case" in header:  # a release's replayed case: "(recorded case 3 of 40): test_x(a=...)"
            body = note.split("): ", 1)[1] if "): " in note else body
        return _example_code(body) or None
    return None


def _example_code(body: str) -> str:
    """``test_x(submission=<...>, image=tensor(...))`` as ``image=tensor(...)``, one argument a line."""
    text = body.strip()
    if "Explanation:" in text:
        text = text.split("Explanation:", 1)[0].strip()
    if "(" in text and text.endswith(")"):
        text = text[text.index("(") + 1 : -1]  # the test's name and parentheses are the framework's
    parts = [textwrap.dedent(part).strip() for part in _split_top_level(text)]
    # Hypothesis may end a line with "# or any other generated value": its own remark, not the learner's input
    parts = ["\n".join(line for line in part.splitlines() if not line.strip().startswith("#")).strip()
             for part in parts]
    return "\n".join(part for part in parts if part and not part.startswith(_FIXTURE_ARGUMENTS))


def _split_top_level(text: str) -> list[str]:
    """``a=f(1, 2), b=3`` into ``['a=f(1, 2)', 'b=3']``: commas inside brackets stay."""
    parts, depth, current = [], 0, []
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def kept_notes(error: BaseException) -> list[str]:
    """Notes worth a learner's reading: not the example (kept apart), not Hypothesis's ``Explanation``
    block (one note a line, naming framework files) and not its reproduction hints."""
    kept, in_explanation = [], False
    for note in getattr(error, "__notes__", []):
        if note.startswith("Explanation:"):
            in_explanation = True
            continue
        if in_explanation and note[:1].isspace():
            continue
        in_explanation = False
        if not note.startswith(_EXAMPLE_STARTS) and not note.startswith(_FRAMEWORK_NOTES):
            kept.append(note)
    return kept
