"""The class at a glance: score distribution, pass rates, common mistakes, limits hit."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from grader.course import CourseTree
from grader.grading.model import StudentGrade
from grader.grading.reports.common import (
    course_order,
    course_title,
    exercise_titles,
    percent,
    sorted_functions,
)
from grader.grading.reports.histogram import histogram_svg
from grader.grading.reports.templating import render
from grader.results import Status


@dataclass
class Rate:
    """How the class did on one function, or on one exercise as a whole."""

    exercise: str
    function: str | None
    title: str = ""
    counts: Counter = field(default_factory=Counter)   # status -> students
    points: float = 0.0
    max_points: float = 0.0

    @property
    def students(self) -> int:
        return sum(self.counts.values())

    @property
    def passed(self) -> int:
        return self.counts[Status.PASSED]

    @property
    def pass_rate(self) -> float:
        return percent(self.passed, self.students)

    @property
    def points_rate(self) -> float:
        return percent(self.points, self.max_points)


@dataclass
class MistakeCount:
    name: str
    exercise: str
    function: str
    students: list[str] = field(default_factory=list)


def function_rates(grades: list[StudentGrade], tree: CourseTree | None) -> list[Rate]:
    """One Rate per (exercise, function), in course order: how many students reached each status."""
    rates: dict[tuple[str, str], Rate] = {}
    every = [function for grade in grades for function in grade.functions]
    for function in sorted_functions(every, tree):
        rate = rates.setdefault((function.exercise, function.function), Rate(function.exercise, function.function))
        rate.counts[function.status] += 1
        rate.points += function.points
        rate.max_points += function.max_points
    return list(rates.values())


def exercise_rates(grades: list[StudentGrade], tree: CourseTree | None) -> list[Rate]:
    """One Rate per exercise: a student passes it when every function of it passes."""
    titles = exercise_titles(tree)
    rates: dict[str, Rate] = {}
    for rate in function_rates(grades, tree):
        rates.setdefault(rate.exercise, Rate(rate.exercise, None, titles.get(rate.exercise, "")))
    for grade in grades:
        by_exercise: dict[str, list] = {}
        for function in grade.functions:
            by_exercise.setdefault(function.exercise, []).append(function)
        for exercise, functions in by_exercise.items():
            rate = rates[exercise]
            statuses = {function.status for function in functions}
            rate.counts[Status.PASSED if statuses == {Status.PASSED} else Status.WRONG] += 1
            rate.points += sum(function.points for function in functions)
            rate.max_points += sum(function.max_points for function in functions)
    return list(rates.values())


def common_mistakes(grades: list[StudentGrade], tree: CourseTree | None = None) -> list[MistakeCount]:
    """Known mistakes found in the class, the most frequent first, then in course order."""
    found: dict[tuple[str, str, str], MistakeCount] = {}
    for grade in grades:
        for function in grade.functions:
            if function.failure is not None and function.failure.mistake:
                name = function.failure.mistake.name
                key = (function.exercise, function.function, name)
                entry = found.setdefault(key, MistakeCount(name, *key[:2]))
                entry.students.append(grade.student)
    order = course_order(tree)
    return sorted(found.values(), key=lambda m: (-len(m.students), order.get((m.exercise, m.function), len(order)),
                                                 m.exercise, m.function, m.name))


@dataclass
class GraderError:
    """A check the grader's own code failed on: the instructor's to fix, never the student's."""

    student: str
    exercise: str
    function: str
    check: str | None
    summary: str
    internal: str | None     # the framework's traceback (never shown to the student)


def grader_errors(grades: list[StudentGrade]) -> list[GraderError]:
    return [GraderError(grade.student, f.exercise, f.function, f.failed_check,
                        f.failure.summary if f.failure else "", f.failure.internal if f.failure else None)
            for grade in grades for f in grade.functions if f.status == Status.GRADER_ERROR]


def summary_html(grades: list[StudentGrade], tree: CourseTree | None, graded_at: str | None = None,
                 grader_failures: Sequence = ()) -> str:
    # Not-gradable submissions are listed apart and left out of every figure: no 0 that reads as a stub.
    every = sorted(grades, key=lambda g: g.student)
    students = [g for g in every if g.gradable]
    percents = [percent(g.score, g.max_score) for g in students]
    scores = [g.score for g in students]
    max_score = max((g.max_score for g in students), default=0.0)
    return render(
        "summary.html",
        course=course_title(tree),
        students=students,
        percent=percent,
        count=len(students),
        mean=statistics.fmean(scores) if scores else 0.0,
        median=statistics.median(scores) if scores else 0.0,
        max_score=max_score,
        full_marks=sum(g.max_score > 0 and g.score >= g.max_score for g in students),
        plot=histogram_svg(percents) if students else None,
        exercises=exercise_rates(students, tree),
        functions=function_rates(students, tree),
        mistakes=common_mistakes(students, tree),
        limited=[g for g in students if g.limits_hit],
        grader_errors=grader_errors(students),
        grader_failures=sorted(grader_failures, key=lambda f: f.student),
        warned=[g for g in students if g.warnings],
        everyone=every,
        not_gradable=[g for g in every if not g.gradable],
        Status=Status,
        graded_at=graded_at,
    )
