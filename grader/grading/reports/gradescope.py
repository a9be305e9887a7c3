"""A student's grade as Gradescope's autograder ``results.json``.

One test per function, named ``"<exercise> <function>"``, with its score
(partial under ``scoring: per_check``) and visibility (``after_due_date``
when every check of the function is hidden), so the same run can back a
Gradescope autograder (``tensorlings gradescope`` bundles one).
"""

from __future__ import annotations

import json

from grader.course import CourseTree
from grader.grading.model import StudentGrade
from grader.grading.reports.common import plain_feedback, points_text, sorted_functions
from grader.results import Status


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(float(value), 4)


def not_gradable_json(grade: StudentGrade) -> dict:
    """A submission that could not be graded: score 0, said plainly, and flagged in ``extra_data``."""
    return {
        "score": 0,
        "max_score": _number(grade.max_score),
        "execution_time": 0,
        "output": f"NOT GRADABLE ({grade.verdict}): {grade.reason}\nNothing was run, so this 0 is not a grade: "
                  "fix the submission and resubmit.",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
        "extra_data": {"not_gradable": True, "verdict": grade.verdict, "reason": grade.reason},
    }


def results_json(grade: StudentGrade, tree: CourseTree | None) -> dict:
    """The results.json object for one student."""
    if not grade.gradable:
        return not_gradable_json(grade)
    tests = []
    for position, function in enumerate(sorted_functions(grade.functions, tree), start=1):
        tests.append({
            "name": f"{function.exercise} {function.function}",
            "number": str(position),
            "score": _number(function.points),
            "max_score": _number(function.max_points),
            "status": "passed" if function.status == Status.PASSED else "failed",
            "output": plain_feedback(function),
            "visibility": function.visibility,
        })
    lines = [f"Score: {points_text(grade.score)} of {points_text(grade.max_score)} points."]
    if grade.limits_hit:
        lines.append("Grading hit a limit, so some checks did not finish:")
        lines.extend(f"  - {limit}" for limit in grade.limits_hit)
    return {
        "score": _number(grade.score),
        "max_score": _number(grade.max_score),
        "execution_time": round(grade.seconds, 3),
        "output": "\n".join(lines),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def results_text(grade: StudentGrade, tree: CourseTree | None) -> str:
    return json.dumps(results_json(grade, tree), indent=2, ensure_ascii=False) + "\n"
