"""One student's feedback page: the total, a score table, and a card per problem.

A card shows the minimal failing input, what was expected and what came
back, the known mistake it matches, the next hint, and, when the values are
images, small pictures of expected, actual and their difference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grader.course import CourseTree
from grader.grading.model import FunctionGrade, StudentGrade
from grader.grading.reports.common import (
    clean_message,
    course_title,
    group_by_exercise,
    percent,
    split_message,
)
from grader.grading.reports.pictures import picture_uri
from grader.grading.reports.templating import render
from grader.results import Status


@dataclass
class Explained:
    """A one-line comparison message taken apart: which input, what was expected, what came back."""

    call: str
    actual: str
    expected: str
    input: str | None = None
    detail: str | None = None
    why: str | None = None


_VALUES = re.compile(r"^(?P<detail>wrong values at .*?): got (?P<actual>.*), expected (?P<expected>.*)$")
_QUALIFIED = re.compile(r"^(shape|dtype) ")
def explain(message: str) -> Explained | None:
    """Best effort: ``to_nchw returned shape (2, 3); expected (3, 2), for batch=...: why``.

    Returns None for anything it does not recognise; the page then shows the message as it is.
    """
    if "\n" in message or " returned " not in message:
        return None
    call, rest = message.split(" returned ", 1)
    outcome, _, tail = rest.partition(", for ")
    why = None
    detail = None
    if tail:
        inputs, _, why = tail.partition(": ")
        if "; expected " in inputs and "; expected " not in outcome:
            # "returned a copy, for batch=...; expected a view ...": the expectation follows the input
            inputs, expected = inputs.split("; expected ", 1)
            if ": " in expected:
                expected, why = expected.split(": ", 1)
            return Explained(call, outcome, expected, inputs or None, None, why or None)
        if "; expected " in tail or ", expected " in tail:
            return None
    else:
        inputs = None
    if "; expected " in outcome:
        actual, expected = outcome.split("; expected ", 1)
    elif (values := _VALUES.match(outcome)) is not None:
        actual, expected, detail = values["actual"], values["expected"], values["detail"]
    else:
        return None
    if not tail and ": " in expected:
        expected, why = expected.split(": ", 1)
    qualifier = _QUALIFIED.match(actual)
    if qualifier and not expected.startswith(qualifier[0]):
        expected = qualifier[0] + expected      # "shape (2, 3)" against "shape (3, 2)", not "(3, 2)"
    return Explained(call, actual, expected, inputs or None, detail, why or None)


@dataclass
class Card:
    """One problem to fix: a function's first failure, or one failure several functions share."""

    functions: list[FunctionGrade]
    title: str
    message: str
    explained: Explained | None
    example: str | None
    picture: str | None
    picture_signed: bool = True

    @property
    def function(self) -> FunctionGrade:
        return self.functions[0]

    @property
    def anchor(self) -> str:
        return f"{self.function.exercise}-{self.function.function}"


def _card(function: FunctionGrade, titles: dict[str, str]) -> Card:
    headline, example = split_message(clean_message(function))
    picture = function.failure.picture if function.failure else None
    uri = picture_uri(picture) if picture else None
    signed = bool(picture) and any(value < 0 for row in picture.difference for value in row)
    return Card([function], titles.get(function.exercise, ""), headline, explain(headline), example, uri, signed)


def _merge_shared(cards: list[Card]) -> list[Card]:
    """Errors that several functions of one exercise share (a module that does not import) become one card."""
    merged: list[Card] = []
    by_problem: dict[tuple[str, str], Card] = {}
    for card in cards:
        function = card.function
        key = (function.exercise, card.message)
        if function.status == Status.ERROR and card.message and key in by_problem:
            by_problem[key].functions.append(function)
            continue
        if function.status == Status.ERROR:
            by_problem[key] = card
        merged.append(card)
    return merged


def feedback_html(grade: StudentGrade, tree: CourseTree | None, graded_at: str | None = None) -> str:
    groups = group_by_exercise(grade, tree)
    titles = {group.id: group.title for group in groups}
    functions = [function for group in groups for function in group.functions]
    problems = [f for f in functions if f.status in (Status.WRONG, Status.ERROR)]
    cards = _merge_shared([_card(function, titles) for function in problems])
    anchors = {(f.exercise, f.function): card.anchor for card in cards for f in card.functions}
    return render(
        "feedback.html",
        course=course_title(tree),
        grade=grade,
        groups=groups,
        percent=percent(grade.score, grade.max_score),
        passed=sum(f.status == Status.PASSED for f in functions),
        total=len(functions),
        cards=cards,
        anchors=anchors,
        not_started=[f for f in functions if f.status == Status.NOT_STARTED],
        skipped=[f for f in functions if f.status == Status.SKIPPED],
        graded_at=graded_at,
    )
