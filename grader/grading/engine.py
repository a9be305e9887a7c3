"""Grading a class: the stages, in order.

1. intake: one entry per student (a folder or a ``.zip``); a student whose ``grade.json``
   exists is skipped unless ``force``;
2. sandbox: a fork server whose workers see only what policy allows;
3. preparation: each exercise's cases recorded once against the solution;
4. the pool: slots that grade whole students, each in a pytest session whose ``submission``
   is served by a worker, and store each grade whole;
5. the class reports.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grader.course import CourseTree
from grader.grading.errors import GradingError
from grader.grading.intake import Entry, discover
from grader.grading.model import StudentGrade
from grader.grading.policy import sandbox_for, sandbox_warnings
from grader.grading.pool import SlotSettings, free_uid_base, run_slots
from grader.grading.prepare import prepare_recordings
from grader.grading.storage import load_grade
from grader.grading.worker import ForkServer, Limits, probe
from grader.manifest import Exercise

__all__ = ["Entry", "GradingError", "Options", "discover", "grade_class"]


@dataclass
class Options:
    jobs: int = 0
    force: bool = False
    exercises: Sequence[str] = ()
    limits: Limits = field(default_factory=Limits)
    write_reports: bool = True
    profile: str = "grade"     # the Hypothesis profile: the same examples for every student
    replay: bool = True        # record the cases once per run and replay them for every student
    assignment: str | None = None  # the assignment column of grades.csv (default: the course title)


def grade_class(tree: CourseTree, submissions: Path, out: Path, options: Options,
                progress: Callable[[str, int, int], None] | None = None,
                notes: Callable[[str], None] | None = None) -> tuple[list[StudentGrade], list[str]]:
    """Grade every entry in ``submissions`` into ``out``; returns every student's grade and any problems.

    ``notes`` hears what the run wants the instructor to know that is not a problem (an
    exercise graded with live generation because its checks cannot replay); by default
    it goes to stderr.
    """
    entries = discover(submissions)
    exercises = [tree.manifest.exercise(e) for e in options.exercises] if options.exercises \
        else list(tree.manifest.exercises)
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    todo = [e for e in entries if options.force or load_grade(out / e.student) is None]
    problems: list[str] = []
    if todo:
        problems += _grade_students(tree, submissions.resolve(), out, todo, exercises, options, progress,
                                    len(entries), notes or _note)
    grades = [g for g in (load_grade(out / e.student) for e in entries) if g is not None]
    if options.write_reports:
        problems += _class_reports(grades, tree, out, options.assignment)
    return grades, problems


def _grade_students(tree: CourseTree, submissions: Path, out: Path, todo: Sequence[Entry],
                    exercises: Sequence[Exercise], options: Options, progress, total: int,
                    notes: Callable[[str], None]) -> list[str]:
    _import_before_forking()
    features = probe()
    jobs = max(1, min(options.jobs or os.cpu_count() or 1, len(todo)))
    work = _work_folder(jobs)
    server = ForkServer(work / "forkserver.sock", sandbox_for(tree, submissions, out, work, _scratch(work, jobs)),
                        options.limits)
    server.start()
    problems: list[str] = []
    try:
        recordings: dict[str, Path] = {}
        if options.replay:
            recordings, live = prepare_recordings(tree, exercises, work / "recorded", options.profile,
                                                  max(1, options.jobs or os.cpu_count() or 1))
            if live:
                notes("these exercises cannot replay recorded cases, so each student's checks draw them live "
                      "(correct, but slower): " + "; ".join(live))
        settings = SlotSettings(
            tree=tree, exercises=tuple(exercises), server=work / "forkserver.sock", uid_base=free_uid_base(jobs),
            limits=options.limits, out=out, work=work, warnings=tuple(sandbox_warnings(features)),
            write_reports=options.write_reports, profile=options.profile, recordings=recordings)
        done = total - len(todo)
        with contextlib.closing(run_slots(settings, jobs, todo)) as results:  # closing stops the slots
            for result in results:
                done += 1
                if result.problem:
                    problems.append(f"{result.student}: {result.problem}")
                if progress:
                    progress(result.student, done, total)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return problems


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


def _work_folder(jobs: int) -> Path:
    """The run's private folder: the fork server's socket, students' copies, each slot's scratch."""
    work = Path(tempfile.mkdtemp(prefix="tensorlings-grade-"))
    os.chmod(work, 0o711)
    (work / "students").mkdir(mode=0o700)
    for folder in _scratch(work, jobs):
        folder.mkdir(mode=0o711)
    return work


def _class_reports(grades: list[StudentGrade], tree: CourseTree, out: Path, assignment: str | None) -> list[str]:
    try:
        from grader.grading.reports import write_class_reports

        write_class_reports(grades, tree, out, assignment=assignment)
    except Exception as error:  # noqa: BLE001 - the students' own results are written already
        return [f"class reports failed: {type(error).__name__}: {error}"]
    return []


def _note(text: str) -> None:
    print(f"tensorlings grade: {text}", file=sys.stderr)
