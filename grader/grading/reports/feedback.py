"""One student's feedback page: the total, a score table, and a card per problem.

A card shows the minimal failing input, what was expected and what came
back, the known mistake it matches, the next hint, and, when the values are
images, small pictures of expected, actual and their difference.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.course import CourseTree
from grader.grading.model import FunctionGrade, StudentGrade
from grader.grading.reports.common import course_title, group_by_exercise, percent
from grader.grading.reports.pictures import picture_uri
from grader.grading.reports.templating import render
from grader.results import Failure, Status

# A problem several functions of one exercise share (a module that does not import) is one card.
SHARED = (Status.ERROR, Status.GRADER_ERROR)


@dataclass
class Card:
    """One problem to fix: a function's first failure, or one failure several functions share."""

    functions: list[FunctionGrade]
    title: str
    message: str                 # the record's headline: what the page shows when it has no parts
    failure: Failure | None
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
    failure = function.failure
    picture = function.picture
    uri = picture_uri(picture) if picture else None
    signed = bool(picture) and any(value < 0 for row in picture.difference for value in row)
    return Card([function], titles.get(function.exercise, ""), failure.headline() if failure else "",
                failure if failure is not None and _laid_out(failure) else None,
                failure.example if failure else None, uri, signed)


def _laid_out(failure: Failure) -> bool:
    """Whether the record has the parts the page lays out as facts: what came back and what was due."""
    return failure.actual is not None and failure.expected is not None


def _merge_shared(cards: list[Card]) -> list[Card]:
    """Errors that several functions of one exercise share (a module that does not import) become one card."""
    merged: list[Card] = []
    by_problem: dict[tuple[str, str], Card] = {}
    for card in cards:
        function = card.function
        key = (function.exercise, card.message)
        if function.status in SHARED and card.message and key in by_problem:
            by_problem[key].functions.append(function)
            continue
        if function.status in SHARED:
            by_problem[key] = card
        merged.append(card)
    return merged


def feedback_html(grade: StudentGrade, tree: CourseTree | None, graded_at: str | None = None) -> str:
    if not grade.gradable:  # nothing ran: say why, and show no score that could pass for a 0
        return render("not_gradable.html", course=course_title(tree), grade=grade, graded_at=graded_at)
    groups = group_by_exercise(grade, tree)
    titles = {group.id: group.title for group in groups}
    functions = [function for group in groups for function in group.functions]
    problems = [f for f in functions if f.status in (Status.WRONG, Status.ERROR, Status.GRADER_ERROR)]
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
