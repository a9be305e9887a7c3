"""The course board that ``tensorlings status`` (and ``make``) prints: every function, its checks,
its state and points, and what to do next."""

from __future__ import annotations

from rich.table import Table

from grader.course import CourseTree
from grader.results import CheckResult, FunctionResult, Status
from grader.terminal import DONE_STYLE, checks_passed, styled


def function_verdicts(tree: CourseTree, results: list[CheckResult]) -> list[FunctionResult]:
    """One verdict per function of the course, in course order; a function with no results is not started."""
    return [FunctionResult(exercise.id, function.name, function.points,
                           [r for r in results if (r.exercise, r.function) == (exercise.id, function.name)])
            for exercise in tree.manifest.exercises for function in exercise.functions]


def print_board(out, tree: CourseTree, results: list[CheckResult]) -> None:
    table = Table(title=tree.manifest.title, title_justify="left")
    for column in ("exercise", "function", "checks passed", "result", "points"):
        table.add_column(column)
    verdicts = function_verdicts(tree, results)
    for exercise in tree.manifest.exercises:
        rows = [v for v in verdicts if v.exercise == exercise.id]
        for index, verdict in enumerate(rows):
            table.add_row(
                exercise.id if index == 0 else "",
                verdict.function,
                checks_passed(verdict) if verdict.checks else "",
                styled(verdict.status),
                f"{verdict.points}/{verdict.max_points}",
                end_section=index == len(rows) - 1,
            )
    out.print(table)
    out.print(f"[bold]{sum(v.points for v in verdicts)}/{tree.manifest.max_points}[/] points")
    next_up = next((v for v in verdicts if v.status != Status.PASSED), None)
    if next_up is None:
        out.print(f"[{DONE_STYLE}]Every function passes. Well done![/]")
        return
    exercise = tree.manifest.exercise(next_up.exercise)
    problem = next_up.first_problem
    if problem is not None and problem.failure is not None:
        first_line = problem.failure.summary.splitlines()[0] if problem.failure.summary else ""
        out.print(f"{next_up.exercise} {next_up.function}: {first_line}", markup=False)
    out.print(
        f"Next: open [bold]exercises/{exercise.id}/{exercise.module}[/], then run "
        f"[bold]pytest exercises/{exercise.id}[/] (stuck? [bold]tensorlings hint {exercise.id} {next_up.function}[/])"
    )
