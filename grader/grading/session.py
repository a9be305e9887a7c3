"""The pytest session that grades one student: the course's own tests, ``submission`` bound to a worker.

Student code never runs here: each exercise's module is served by a sandboxed worker
(``RemoteSubmission``); this process only compares what comes back.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from grader.course import CourseTree
from grader.grading.errors import GradingError
from grader.grading.intake import Entry, module_files
from grader.grading.model import FunctionGrade, Picture, StudentGrade
from grader.grading.remote import Batch, RemoteSubmission, StudentContext
from grader.grading.reports.difference import difference_picture
from grader.grading.scoring import hidden_summary, score
from grader.grading.worker import Limits
from grader.manifest import Exercise
from grader.results import CheckResult, Failure, FunctionResult, Kind, Status

# Plugins grading has no use for: each costs time in every student's pytest session.
NO_PLUGINS = ["-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:randomly", "-p", "no:doctest",
              "-p", "no:junitxml", "-p", "no:pastebin", "-p", "no:nose", "-p", "no:legacypath",
              "-p", "no:faulthandler", "-p", "no:stepwise", "-p", "no:logging", "-p", "no:warnings",
              "-p", "no:setuponly", "-p", "no:setupplan", "-p", "no:tmpdir", "-p", "no:debugging",
              # these two run gc.collect() several times as every session ends: ~0.4 s a student
              "-p", "no:unraisableexception", "-p", "no:threadexception", "-p", "no:anyio"]


def pytest_args(tree: CourseTree, exercises: Sequence[Exercise], profile: str) -> list[str]:
    """The arguments of a grading session over ``exercises``' pristine tests."""
    tests = [str(tree.test_path(e)) for e in exercises]
    # --confcutdir: a conftest.py above the course (a repository that holds it) must not join the grading
    return [*tests, *NO_PLUGINS, "--hypothesis-profile", profile, "--rootdir", str(tree.root),
            "--confcutdir", str(tree.root), "-o", "addopts="]


# Where the last student graded in this process spent its time, by stage (seconds); the pool adds them up.
last_stages: dict[str, float] = {}


class _GradingPlugin:
    """Binds ``submission`` to a worker proxy and keeps the compared values of each first failure."""

    def __init__(self, context: StudentContext, tree: CourseTree, batches: dict[str, Batch] | None = None) -> None:
        self.context = context
        self.tree = tree
        self.batches = batches or {}
        self.open: list[RemoteSubmission] = []
        self.details: dict[str, Picture | None] = {}  # pictures of failing checks, by node id
        self.results: list[CheckResult] = []
        self.collected_at: float | None = None

    def pytest_collection_finish(self, session) -> None:
        self.collected_at = time.perf_counter()

    def pytest_configure(self, config) -> None:
        from grader.plugin import _tree_key, set_submission_factory

        set_submission_factory(config, self.factory)
        config.stash[_tree_key] = self.tree  # already loaded: no need to parse course.yml per student

    def factory(self, tree: CourseTree, exercise: Exercise) -> RemoteSubmission:
        for previous in self.open:
            previous.close()
        reference = _reference_module(tree, exercise)
        submission = RemoteSubmission(self.context, exercise, reference, batch=self.batches.get(exercise.id))
        self.open = [submission]
        return submission

    def pytest_runtest_makereport(self, item, call) -> None:
        from grader.failures import first_outcome
        from grader.outcomes import Mismatch

        error = first_outcome(call.excinfo.value) if call.excinfo else None
        if isinstance(error, Mismatch) and item.nodeid not in self.details:
            self.details[item.nodeid] = difference_picture(error.expected, error.actual)

    def pytest_sessionfinish(self, session) -> None:
        from grader.plugin import collected_results

        self.results = list(collected_results(session.config))
        for submission in self.open:
            submission.close()
        self.open = []


_references: dict[str, object] = {}


def _reference_module(tree: CourseTree, exercise: Exercise):
    """The solution module (for signatures and the stub's constants): course code, safe to import here."""
    key = str(tree.solution_path(exercise))
    if key not in _references:
        from grader.mistakes import import_file

        try:
            _references[key] = import_file(tree.solution_path(exercise), f"tensorlings_grading_ref_{exercise.id}")
        except BaseException:  # noqa: BLE001 - a course without solutions still grades, with fewer niceties
            _references[key] = None
    return _references[key]


def _function_grades(exercises: Sequence[Exercise], plugin: _GradingPlugin) -> list[FunctionGrade]:
    grades = []
    for exercise in exercises:
        for function in exercise.functions:
            checks = [r for r in plugin.results if (r.exercise, r.function) == (exercise.id, function.name)]
            result = FunctionResult(exercise.id, function.name, function.points, checks)
            status = result.status if checks else Status.ERROR
            failure, picture = None, None
            scored = score(function, result)
            problem = scored.problem  # never a hidden check: its details stay out of every report
            if problem is not None:
                failure = problem.failure
                picture = plugin.details.get(problem.test)
                if scored.hidden_failed and failure is not None:
                    failure = dataclasses.replace(failure, notes=[*failure.notes,
                                                                  hidden_summary(scored.hidden_failed)])
            elif scored.hidden_failed:
                failure = Failure(Kind.HIDDEN, hidden_summary(scored.hidden_failed), function=function.name)
            elif not checks:
                failure = Failure(Kind.GRADER, "no check of this function ran: the grader could not run its tests",
                                  function=function.name)
            ran = [c for c in checks if c.status != Status.SKIPPED]
            grades.append(FunctionGrade(
                exercise=exercise.id, function=function.name, status=status,
                points=scored.points if checks else 0.0, max_points=float(function.points),
                checks_passed=sum(c.status == Status.PASSED for c in ran), checks_total=len(ran),
                failure=failure, failed_check=problem.test if problem else None, picture=picture,
                next_hint=function.hints[0] if status != Status.PASSED else None,
                hidden_failed=scored.hidden_failed, visibility=scored.visibility,
            ))
    return grades


def _copy_modules(entry: Entry, exercises: Sequence[Exercise], home: Path) -> list[str]:
    """Copy the student's exercise modules into ``home``; what the instructor should know about the entry."""
    try:
        files = module_files(entry, exercises)
    except GradingError as error:
        return [str(error)]
    for key, data in files.items():
        target = home / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return []


class _CtrlC:
    """Whether pytest caught a real Ctrl-C: its exit code 2, and the subclass of KeyboardInterrupt it
    raises itself, also mean errors while collecting."""

    seen = False

    def pytest_keyboard_interrupt(self, excinfo) -> None:
        self.seen = type(excinfo.value) is KeyboardInterrupt


def grade_student(entry: Entry, tree: CourseTree, exercises: Sequence[Exercise], *, server: Path, uid: int,
                  home: Path, limits: Limits, scratch: Path, warnings: Sequence[str] = (),
                  profile: str = "grade", batches: dict[str, Batch] | None = None) -> StudentGrade:
    import pytest

    from grader.grading import remote

    started = time.monotonic()
    clock = time.perf_counter()
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True, mode=0o700)
    notes = [*warnings, *_copy_modules(entry, exercises, home)]
    context = StudentContext(entry.student, home, server, uid, limits, shared_roots=(scratch,))
    plugin = _GradingPlugin(context, tree, batches or {})
    captured = io.StringIO()
    before = dict(remote.timings)
    session_started = time.perf_counter()
    with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        code = pytest.main(pytest_args(tree, exercises, profile), plugins=[plugin, ctrl_c := _CtrlC()])
    session_ended = time.perf_counter()
    if ctrl_c.seen:
        raise KeyboardInterrupt  # pytest caught a Ctrl-C: what it collected is not this student's grade
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR) and not plugin.results:
        raise RuntimeError(f"the course's tests could not run: {captured.getvalue().strip()[-2000:]}")
    grade = StudentGrade(entry.student, _function_grades(exercises, plugin), list(context.limits_hit),
                         notes + [f"not enforced: {m}" for m in sorted(context.missing) if m not in str(notes)])
    grade.seconds = round(time.monotonic() - started, 3)
    shutil.rmtree(home, ignore_errors=True)
    _count_stages(clock, session_started, plugin.collected_at or session_started, session_ended, before)
    return grade


def _count_stages(clock: float, session_started: float, collected: float, session_ended: float,
                  before: dict[str, float]) -> None:
    from grader.grading import remote

    spent = {name: remote.timings[name] - before.get(name, 0.0) for name in remote.timings}
    last_stages.clear()
    last_stages.update({
        "copy files": session_started - clock,
        "pytest start and collection": collected - session_started,
        **spent,
        # what is left of the session: Hypothesis, the checks' own code, comparing, pictures
        "checks and comparison": max(0.0, session_ended - collected - sum(spent.values())),
        "grade record": time.perf_counter() - session_ended,
    })
