"""An exercise's check results as the learner's files stand now: reused from the progress file while
their content key holds, otherwise checked again in an isolated child (``grader.isolated``).

``status``, ``watch`` and ``solution`` all ask here, so a verdict reached by one
is reused by the others.
"""

from __future__ import annotations

from collections.abc import Callable

from grader import isolated, progress
from grader.constraints import stub_functions
from grader.course import CourseTree
from grader.fingerprint import function_keys
from grader.manifest import Exercise
from grader.results import CheckResult


def is_started(tree: CourseTree, exercise: Exercise) -> bool:
    """False while every function of the exercise is still an untouched stub (nothing to run)."""
    return stub_functions(tree.stub_path(exercise)) != {f.name for f in exercise.functions}


def cached(tree: CourseTree, exercise: Exercise) -> list[CheckResult] | None:
    """The last results, when every function's key still holds; None when something must run again."""
    if not is_started(tree, exercise):
        return []
    found = progress.cached_results(tree.root, exercise.id, function_keys(tree, exercise))
    if len(found) < len(exercise.functions):
        return None
    return [check for function in exercise.functions for check in found[function.name]]


def start(tree: CourseTree, exercise: Exercise) -> tuple[isolated.Run, dict[str, str]]:
    """Start checking ``exercise`` in a child; the keys are taken first, so a save during the run is
    never credited with this run's verdict."""
    keys = function_keys(tree, exercise)
    run = isolated.start(tree.test_path(exercise), exercise.id, [f.name for f in exercise.functions],
                         seconds=isolated.hard_bound(exercise))
    return run, keys


def remember(tree: CourseTree, exercise: Exercise, run: isolated.Run, keys: dict[str, str],
             results: list[CheckResult]) -> None:
    """Keep a finished run's results; a crash or a time-out is not kept, so the next look checks again."""
    if run.finished:
        progress.store_results(tree.root, exercise.id, keys, results)


def current(tree: CourseTree, exercise: Exercise, *, on_check: Callable[[Exercise], None] | None = None
            ) -> list[CheckResult]:
    """The exercise's results now: cached when possible, else checked (``on_check`` says so first)."""
    found = cached(tree, exercise)
    if found is not None:
        return found
    if on_check is not None:
        on_check(exercise)
    isolated.warm_up()
    run, keys = start(tree, exercise)
    results = run.wait()
    remember(tree, exercise, run, keys, results)
    return results
