"""Grading a class: the stages, in order.

1. intake: one entry per student (a folder or a ``.zip``) with its verdict; a student whose
   published results were made from the same submission, course and options (the same key)
   is skipped unless ``force``; a not-gradable student is published as such, ungraded;
2. sandbox: a fork server whose workers see only what policy allows;
3. preparation: each exercise's cases recorded once against the solution;
4. the pool: slots that grade whole students, each in a pytest session whose ``submission``
   is served by a worker, and publish each student's folder whole;
5. the class reports.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grader import replay
from grader.course import CourseTree
from grader.grading import workdirs
from grader.grading.cache import cached_recordings
from grader.grading.errors import GraderFailure, GradingError, GradingInterrupted
from grader.grading.intake import Entry, Verdict, discover, inspect, survey
from grader.grading.keys import course_key, student_key
from grader.grading.model import StudentGrade
from grader.grading.policy import sandbox_for, sandbox_warnings
from grader.grading.pool import SlotSettings, free_uid_base, run_slots
from grader.grading.scoring import unknown_check_names
from grader.grading.seed import grading_seed
from grader.grading.storage import load_grade, publish_graded, read_grade, remove_leftovers
from grader.grading.worker import ForkServer, Limits, probe
from grader.manifest import Exercise

__all__ = ["Entry", "GradingError", "GradingInterrupted", "Options", "Tally", "discover", "grade_class"]

# A write that fails for want of space: the instructor must free some, nothing else helps.
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}
_NOT_WRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS}


@dataclass
class Options:
    jobs: int = 0
    force: bool = False
    exercises: Sequence[str] = ()
    limits: Limits = field(default_factory=Limits)
    write_reports: bool = True
    profile: str = "grade"     # the Hypothesis profile: the same examples for every student
    seed: int | None = None    # the held-back cases' seed (default: the course's, see grader.grading.seed)
    replay: bool = True        # record the cases once per run and replay them for every student
    assignment: str | None = None  # the assignment column of grades.csv (default: the course title)
    student: str | None = None     # grade only this student (again, even when unchanged)
    roster: dict | None = None     # student id -> grader.grading.roster.Person, for grades.csv
    cache: Path | None = None  # where recordings are kept between runs (default: grading.cache.default_root())
    cluster: str | None = None  # a Dask scheduler address or local:N: one task per student there


@dataclass
class Tally:
    """How a run went, student by student: what the progress bar and the last line show."""

    total: int = 0
    to_grade: int = 0
    graded: int = 0
    unchanged: int = 0
    not_gradable: int = 0
    on_start: Callable[[int], None] | None = None   # told how many students will be graded

    @property
    def finished(self) -> int:
        return self.graded + self.unchanged + self.not_gradable

    def line(self) -> str:
        return f"{self.graded} graded, {self.unchanged} unchanged (skipped), {self.not_gradable} not gradable"


def grade_class(tree: CourseTree, submissions: Path, out: Path, options: Options,
                progress: Callable[[str, int, int], None] | None = None,
                notes: Callable[[str], None] | None = None,
                tally: Tally | None = None) -> tuple[list[StudentGrade], list[str]]:
    """Grade every entry in ``submissions`` into ``out``; returns every student's grade and any problems.

    ``notes`` hears what the run wants the instructor to know that is not a problem (an
    exercise graded with live generation, a damaged grade.json graded again); by default it
    goes to stderr. ``progress`` hears each student graded (student, done, to grade).
    Ctrl-C raises ``GradingInterrupted``; a full disk a ``GradingError``.
    """
    say = notes or _note
    tally = tally if tally is not None else Tally()
    intake = survey(submissions)
    for note in intake.notes:
        say(note)
    if options.student and options.student not in {e.student for e in intake.entries}:
        raise GradingError(f"{submissions}: no student {options.student!r}; the students are "
                           + ", ".join(e.student for e in intake.entries[:20]))
    exercises = [tree.manifest.exercise(e) for e in options.exercises] if options.exercises \
        else list(tree.manifest.exercises)
    misnamed = unknown_check_names(tree, exercises)
    if misnamed:
        raise GradingError("; ".join(misnamed))
    out = out.resolve()
    if options.seed is None:  # the course's secret seed; part of every student's key, as every option is
        options = dataclasses.replace(options, seed=grading_seed(tree))
    problems: list[str] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        left = remove_leftovers(out)
        if left:
            say(f"removed {len(left)} half-written file(s) or folder(s) an interrupted run left in {out}")
        workdirs.remove_abandoned()
        entries, todo, blocked = _plan(tree, intake.entries, exercises, out, options, tally, say)
        for entry in blocked:
            possible = float(sum(f.points for e in exercises for f in e.functions))
            grade = StudentGrade(entry.student, key=entry.key, verdict=entry.verdict.value, reason=entry.reason,
                                 possible=possible)
            publish_graded(out / entry.student, grade, tree, options.write_reports)
        if tally.on_start:
            tally.on_start(len(todo))
        if todo:
            with replay.seeded(options.seed):  # held-back cases: every forked preparation and slot draws from it
                if options.cluster:
                    from grader.grading.cluster import grade_on_cluster  # imports Dask: only when asked for

                    problems += grade_on_cluster(tree, out, todo, exercises, options, progress, say, tally)
                else:
                    problems += _grade_students(tree, submissions.resolve(), out, todo, exercises, options,
                                                progress, say, tally)
        grades = [g for g in (load_grade(out / e.student) for e in entries) if g is not None]
        if options.write_reports:
            problems += _class_reports(grades, tree, out, options,
                                       [p for p in problems if isinstance(p, GraderFailure)])
    except KeyboardInterrupt:
        raise GradingInterrupted(tally.finished, tally.total) from None
    except OSError as error:
        written = Path(str(error.filename)) if error.filename else out
        where = out if written.is_relative_to(out) else written.parent  # our --out, or the work folder's disk
        if error.errno in _DISK_FULL:
            raise GradingError(f"{where}: the disk is full ({os.strerror(error.errno)}). Free some space there "
                               "(or choose another --out) and run the same command again: students already "
                               "finished are kept") from None
        if error.errno in _NOT_WRITABLE:
            raise GradingError(f"{where}: cannot write there ({os.strerror(error.errno)}). Choose a --out "
                               "folder you may write to") from None
        raise
    return grades, problems


def _plan(tree: CourseTree, entries: Sequence[Entry], exercises: Sequence[Exercise], out: Path, options: Options,
          tally: Tally, say: Callable[[str], None]) -> tuple[list[Entry], list[Entry], list[Entry]]:
    """Every entry with its verdict and key; those to grade; those to publish as not gradable."""
    course = course_key(tree, exercises, options)
    planned, todo, blocked = [], [], []
    tally.total = len(entries)
    for entry in entries:
        looked = inspect(entry, exercises)
        entry = dataclasses.replace(entry, verdict=looked.verdict, reason=looked.reason,
                                    key=student_key(course, looked.verdict.value, looked.files))
        planned.append(entry)
        folder = out / entry.student
        grade, damage = read_grade(folder)
        if damage:
            say(f"{damage}: grading {entry.student} again")
        chosen = options.student is None or options.student == entry.student
        current = grade is not None and grade.key == entry.key and _reports_present(folder, options)
        if not chosen or (current and not options.force and options.student is None):
            if entry.verdict == Verdict.OK:
                tally.unchanged += 1
            else:
                tally.not_gradable += 1
        elif entry.verdict == Verdict.OK:
            todo.append(entry)
        else:
            blocked.append(entry)
            tally.not_gradable += 1
    return planned, todo, blocked


def _reports_present(folder: Path, options: Options) -> bool:
    from grader.grading.reports import FEEDBACK, RESULTS

    return not options.write_reports or ((folder / FEEDBACK).is_file() and (folder / RESULTS).is_file())


def _grade_students(tree: CourseTree, submissions: Path, out: Path, todo: Sequence[Entry],
                    exercises: Sequence[Exercise], options: Options, progress, notes: Callable[[str], None],
                    tally: Tally) -> list[str]:
    _import_before_forking()
    features = probe()
    jobs = max(1, min(options.jobs or os.cpu_count() or 1, len(todo)))
    work = workdirs.create(jobs)
    server = ForkServer(work / "forkserver.sock", sandbox_for(tree, submissions, out, work, _scratch(work, jobs)),
                        options.limits)
    problems: list[str] = []
    try:
        server.start()
        workdirs.record_helper(work, server.pid)
        recordings: dict[str, Path] = {}
        if options.replay:
            recordings, live = cached_recordings(tree, exercises, work / "recorded", options.profile,
                                                 max(1, options.jobs or os.cpu_count() or 1),
                                                 seed=options.seed, root=options.cache)
            if live:
                notes("these exercises cannot replay recorded cases, so each student's checks draw them live "
                      "(correct, but slower): " + "; ".join(live))
        uid_base = free_uid_base(jobs)
        settings = SlotSettings(
            tree=tree, exercises=tuple(exercises), server=work / "forkserver.sock", uid_base=uid_base,
            limits=options.limits, out=out, work=work, warnings=tuple(sandbox_warnings(features)),
            write_reports=options.write_reports, profile=options.profile, recordings=recordings)
        try:
            with contextlib.closing(run_slots(settings, jobs, todo)) as results:  # closing stops the slots
                for result in results:
                    if result.problem:
                        problems.append(f"{result.student}: {result.problem}")
                    else:
                        tally.graded += 1
                    if progress:
                        progress(result.student, tally.graded, len(todo))
        finally:
            _sweep_worker_uids(server.socket_path, uid_base, jobs)
    finally:
        server.stop()
        workdirs.remove(work)
        remove_leftovers(out)  # a slot stopped mid-student leaves its half-built folder
    return problems


def _sweep_worker_uids(server: Path, uid_base: int, jobs: int) -> None:
    """Kill whatever a student's code left running under any slot's uid: a slot settles its killed
    workers only when it starts its next one (see ``remote.settle``), so the last ones are settled here."""
    from grader.grading.remote import forget_unsettled, reap_uid

    for uid in range(uid_base, uid_base + jobs):
        reap_uid(server, uid)
    forget_unsettled()


def _import_before_forking() -> None:
    """Every grader process is forked from this one: import what they all need once, here."""
    import hypothesis  # noqa: F401
    import numpy  # noqa: F401
    import PIL.Image  # noqa: F401
    import pytest  # noqa: F401
    import torch  # noqa: F401

    import grader.plugin  # noqa: F401


def _scratch(work: Path, jobs: int) -> list[Path]:
    return [work / f"scratch-{i}" for i in range(jobs)]


def _class_reports(grades: list[StudentGrade], tree: CourseTree, out: Path, options: Options,
                   failures: Sequence[GraderFailure] = ()) -> list[str]:
    try:
        from grader.grading.reports import write_class_reports

        write_class_reports(grades, tree, out, assignment=options.assignment, roster=options.roster,
                            grader_failures=failures)
    except OSError as error:
        if error.errno in _DISK_FULL:
            raise
        return [f"class reports failed: {type(error).__name__}: {error}"]
    except Exception as error:  # noqa: BLE001 - the students' own results are written already
        return [f"class reports failed: {type(error).__name__}: {error}"]
    return []


def _note(text: str) -> None:
    print(f"tensorlings grade: {text}", file=sys.stderr)
