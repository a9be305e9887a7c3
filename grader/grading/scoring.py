"""A function's points from its checks, and what of them the student may see.

course.yml chooses per function: ``all_or_nothing`` (the default: the points only when
every check passes, as an nbgrader cell) or ``per_check`` (the points shared among the
checks by weight). Checks listed as ``hidden`` count like the others, but a student's
grade only says that they did not pass: their inputs and answers never reach the reports.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.manifest import Function
from grader.results import CheckResult, FunctionResult, Status

_PROBLEMS = (Status.WRONG, Status.ERROR, Status.GRADER_ERROR)
VISIBLE = "visible"
AFTER_DUE_DATE = "after_due_date"  # Gradescope's name: shown once the due date has passed


def check_name(test: str) -> str:
    """The test's name in its file: ``…/test_strides.py::test_x[cpu]`` -> ``test_x``."""
    return test.split("::")[-1].split("[")[0]


@dataclass(frozen=True)
class Score:
    points: float
    problem: CheckResult | None  # the first failing check the student may see the details of
    hidden_failed: int           # hidden checks that did not pass
    visibility: str              # VISIBLE, or AFTER_DUE_DATE when every check of the function is hidden


def score(function: Function, result: FunctionResult) -> Score:
    hidden = set(function.hidden)
    ran = [c for c in result.checks if c.status != Status.SKIPPED]
    if function.scoring == "per_check":
        total = sum(function.weight(check_name(c.test)) for c in ran)
        earned = sum(function.weight(check_name(c.test)) for c in ran if c.status == Status.PASSED)
        points = round(function.points * earned / total, 4) if total else 0.0
    else:
        points = float(function.points if result.status == Status.PASSED else 0)
    problem = next((c for c in result.checks if c.status in _PROBLEMS and check_name(c.test) not in hidden), None)
    hidden_failed = sum(c.status != Status.PASSED and check_name(c.test) in hidden for c in ran)
    every_check_hidden = bool(result.checks) and all(check_name(c.test) in hidden for c in result.checks)
    return Score(points, problem, hidden_failed, AFTER_DUE_DATE if every_check_hidden else VISIBLE)


def hidden_summary(count: int) -> str:
    checks = "check" if count == 1 else "checks"
    return (f"{count} hidden {checks} did not pass: the course keeps their inputs and answers private, "
            "so look again at what the lesson asks of every input")


def unknown_check_names(tree, exercises) -> list[str]:
    """Names under ``weights`` or ``hidden`` in course.yml that are no check of their function.

    A misspelt hidden check would show its details to every student, so grading refuses
    to start instead. The checks are read from each exercise's test file (``@check("name")``
    above ``def test_...``), never imported.
    """
    problems = []
    for exercise in exercises:
        named = [(f, n) for f in exercise.functions for n in (*dict(f.weights), *f.hidden)]
        if not named:
            continue
        checks = _checks_by_function(tree.test_path(exercise))
        for function, name in named:
            if name not in checks.get(function.name, set()):
                known = ", ".join(sorted(checks.get(function.name, set()))) or "none found"
                problems.append(f"course.yml: {exercise.id} {function.name} names the check {name!r}, which is not "
                                f"one of its checks in {exercise.test_file} ({known})")
    return problems


def _checks_by_function(test_file) -> dict[str, set[str]]:
    import ast

    try:
        tree = ast.parse(test_file.read_text(encoding="utf-8"), filename=str(test_file))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return {}
    found: dict[str, set[str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            if (isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) == "check"
                    and decorator.args and isinstance(decorator.args[0], ast.Constant)):
                found.setdefault(str(decorator.args[0].value), set()).add(node.name)
    return found
