"""What every report needs: functions grouped by exercise in course order, points, plain-text feedback."""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.course import CourseTree
from grader.grading.model import FunctionGrade, StudentGrade
from grader.results import Status


@dataclass
class ExerciseGroup:
    id: str
    title: str
    functions: list[FunctionGrade] = field(default_factory=list)

    @property
    def points(self) -> float:
        return sum(f.points for f in self.functions)

    @property
    def max_points(self) -> float:
        return sum(f.max_points for f in self.functions)

    @property
    def state(self) -> tuple[str, str]:
        """``(css class, label)`` for the exercise as a whole: done, needs work or not started."""
        statuses = {f.status for f in self.functions} - {Status.SKIPPED}
        if not statuses:
            return "skipped", "skipped"
        if statuses == {Status.PASSED}:
            return "passed", "done"
        if statuses == {Status.NOT_STARTED}:
            return "not-started", "not started"
        return "wrong", "needs work"


def exercise_titles(tree: CourseTree | None) -> dict[str, str]:
    if tree is None:
        return {}
    return {exercise.id: exercise.title for exercise in tree.manifest.exercises}


def course_order(tree: CourseTree | None) -> dict[tuple[str, str], int]:
    """Position of each (exercise, function) in the manifest, for sorting."""
    order: dict[tuple[str, str], int] = {}
    if tree is not None:
        for exercise in tree.manifest.exercises:
            for function in exercise.functions:
                order[(exercise.id, function.name)] = len(order)
    return order


def sorted_functions(functions: list[FunctionGrade], tree: CourseTree | None) -> list[FunctionGrade]:
    """Functions in course order; ones the manifest does not list keep their order, at the end."""
    order = course_order(tree)
    ranked = list(enumerate(functions))
    ranked.sort(key=lambda item: (order.get((item[1].exercise, item[1].function), len(order) + item[0])))
    return [function for _, function in ranked]


def group_by_exercise(grade: StudentGrade, tree: CourseTree | None) -> list[ExerciseGroup]:
    titles = exercise_titles(tree)
    groups: dict[str, ExerciseGroup] = {}
    for function in sorted_functions(grade.functions, tree):
        group = groups.setdefault(function.exercise, ExerciseGroup(function.exercise, titles.get(function.exercise, "")))
        group.functions.append(function)
    return list(groups.values())


def course_title(tree: CourseTree | None) -> str:
    return tree.manifest.title if tree is not None else "tensorlings"


def points_text(value: float) -> str:
    """``3`` for whole points, ``2.5`` otherwise."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0")


def percent(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole else 0.0


def plain_feedback(function: FunctionGrade) -> str:
    """What a function's grade says in plain text: verdict, failure, known mistake, next hint."""
    checks = f"{function.checks_passed}/{function.checks_total} checks passed"
    lines: list[str] = []
    if function.status == Status.PASSED:
        lines.append(f"Passed all {function.checks_total} checks.")
    elif function.status == Status.NOT_STARTED:
        lines.append("Not started: the function still raises NotImplementedError.")
    elif function.status == Status.SKIPPED:
        lines.append("Skipped: its checks could not run on the grading machine.")
    elif function.status == Status.GRADER_ERROR:
        lines.append("The grader failed on this function's checks: this is not counted as your mistake.")
    else:
        lines.append(f"{function.status.value.capitalize()}: {checks}.")
    failure = function.failure
    if failure is not None:
        lines.append("")
        if function.failed_check:
            lines.append(f"Check: {function.failed_check}")
        lines.append(failure.headline())
        if failure.example:
            lines.append("Smallest failing example:")
            lines.append(failure.example)
        if failure.mistake:
            lines.append("")
            lines.append(f"Known mistake, {failure.mistake.name!r}: {failure.mistake.explanation}")
    if function.next_hint and function.status != Status.PASSED:
        lines.append("")
        lines.append(f"Next hint: {function.next_hint}")
    return "\n".join(lines)
