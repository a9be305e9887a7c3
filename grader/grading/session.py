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
    # --confcutdir: a conftest.py above the course (a repository that holds it) must not join the grading.
    # --capture=no: a session stays open between students, and pytest's global capture would swallow
    # whatever the grading process prints meanwhile (its progress bar); student code runs in workers.
    return [*tests, *NO_PLUGINS, "--hypothesis-profile", profile, "--rootdir", str(tree.root),
            "--confcutdir", str(tree.root), "-o", "addopts=", "--capture=no"]


# Where the last student graded in this process spent its time, by stage (seconds); the pool adds them up.
last_stages: dict[str, float] = {}


class GradingPlugin:
    """Binds ``submission`` to a worker proxy and keeps the compared values of each first failure."""

    def __init__(self, tree: CourseTree, batches: dict[str, Batch] | None = None) -> None:
        self.context: StudentContext | None = None   # the student being graded
        self.tree = tree
        self.batches = batches or {}
        self.open: list[RemoteSubmission] = []
        self.details: dict[str, Picture | None] = {}  # pictures of failing checks, by node id
        self.results: list[CheckResult] = []

    def start(self, context: StudentContext) -> None:
        self.context, self.open, self.details, self.results = context, [], {}, []

    def finish(self, config) -> None:
        from grader.plugin import collected_results

        self.results = list(collected_results(config))
        for submission in self.open:
            submission.close()
        self.open = []
        if self.context is not None:
            self.context.stop_worker()

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


class CollectedSession:
    """The course's tests, collected once in a grading process and run again for each student.

    Starting pytest and collecting the tests cost about 40 ms, more than a whole student's checks
    on a small exercise. pytest has no public way to run a collected session twice, so this does
    what ``pytest.main`` does in steps (``_pytest.main.wrap_session``): configure, start the session
    and collect once; then per student run every item, the last with no next item so that every
    fixture is torn down, exactly as pytest's own run loop does; and finish once at the end.
    """

    def __init__(self, tree: CourseTree, exercises: Sequence[Exercise], profile: str,
                 batches: dict[str, Batch] | None = None) -> None:
        from _pytest.config import _prepareconfig
        from _pytest.main import Session

        self.plugin = plugin = GradingPlugin(tree, batches)
        captured = io.StringIO()
        with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
            try:
                self.config = _prepareconfig(pytest_args(tree, exercises, profile), plugins=[plugin])
                self.session = Session.from_config(self.config)
                self.config._do_configure()
                self.config.hook.pytest_sessionstart(session=self.session)
                self.config.hook.pytest_collection(session=self.session)
            except Exception as error:  # noqa: BLE001 - the course's, never a student's: every student is told
                raise RuntimeError(f"the course's tests could not run: {type(error).__name__}: {error} "
                                   f"{captured.getvalue().strip()[-2000:]}") from None
        # A test file that does not import: no check of its exercise runs (every function an error), as
        # pytest itself would run nothing after an error while collecting.
        self.items = [] if self.session.testsfailed else list(self.session.items)
        self.usable = self.open = True

    def run(self, context: StudentContext) -> None:
        """Run every check for the student of ``context``; the plugin keeps the records."""
        from grader.plugin import reset_results

        self.plugin.start(context)
        reset_results(self.config)
        done = False
        try:
            for index, item in enumerate(self.items):
                following = self.items[index + 1] if index + 1 < len(self.items) else None
                item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
            done = True
        finally:
            if not done:  # Ctrl-C or an error of pytest's own: tear down, and never use this session again
                self.usable = False
                with contextlib.suppress(Exception):
                    self.session._setupstate.teardown_exact(None)
            self.plugin.finish(self.config)

    def close(self) -> None:
        if not self.open:
            return
        self.open = self.usable = False
        with contextlib.suppress(Exception):
            self.config.hook.pytest_sessionfinish(session=self.session, exitstatus=0)
        with contextlib.suppress(Exception):
            self.config._ensure_unconfigure()


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


def _function_grades(exercises: Sequence[Exercise], plugin: GradingPlugin) -> list[FunctionGrade]:
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


def grade_student(entry: Entry, tree: CourseTree, exercises: Sequence[Exercise], *, server: Path, uid: int,
                  home: Path, limits: Limits, scratch: Path, warnings: Sequence[str] = (),
                  profile: str = "grade", batches: dict[str, Batch] | None = None,
                  collected: CollectedSession | None = None) -> StudentGrade:
    """Grade one student: copy their modules, run every check in ``collected`` (or in a session made
    for this student alone), and build their grade."""
    from grader.grading import remote

    started = time.monotonic()
    clock = time.perf_counter()
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True, mode=0o700)
    notes = [*warnings, *_copy_modules(entry, exercises, home)]
    context = StudentContext(entry.student, home, server, uid, limits, shared_roots=(scratch,),
                             exercises=tuple(exercises))
    own = collected is None
    session_started = time.perf_counter()
    if own:
        collected = CollectedSession(tree, exercises, profile, batches)
    collected_at = time.perf_counter()
    before = dict(remote.timings)
    captured = io.StringIO()
    try:
        with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
            collected.run(context)
    finally:
        if own:
            collected.close()
    session_ended = time.perf_counter()
    plugin = collected.plugin
    grade = StudentGrade(entry.student, _function_grades(exercises, plugin), list(context.limits_hit),
                         notes + [f"not enforced: {m}" for m in sorted(context.missing) if m not in str(notes)])
    grade.seconds = round(time.monotonic() - started, 3)
    shutil.rmtree(home, ignore_errors=True)
    _count_stages(clock, session_started, collected_at, session_ended, before)
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
