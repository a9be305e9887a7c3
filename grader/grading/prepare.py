"""Preparation, once per run: record every exercise's cases against the solution.

Every student sees the same cases, drawn from the run's grading seed (the held-back cases
no release recorded), so they are drawn, and the reference's answers computed, once here
instead of once per student. The forked children inherit the seed the engine set
(``grader.replay.seeded``). An exercise whose recording does
not replay cleanly against the solution is graded with live generation instead.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import time
from collections.abc import Sequence
from pathlib import Path

from grader import replay
from grader.course import CourseTree
from grader.grading.policy import PREPARE_MAX_SECONDS
from grader.grading.session import pytest_args
from grader.manifest import Exercise
from grader.results import Status

# How often the parent looks at its recording children.
_POLL_SECONDS = 0.02


def _recording(recorded: Path, exercise_id: str) -> Path:
    return recorded / exercise_id / replay.FOLDER / replay.FILENAME


def _why(recorded: Path, exercise_id: str) -> Path:
    return recorded / exercise_id / "why.txt"


def _prepare_one(tree: CourseTree, exercise: Exercise, recorded: Path, profile: str) -> int:
    """In a forked child: record ``exercise``'s checks against the solution, then replay them
    against the solution. 0 when grading can replay the recording."""
    import pytest

    from grader.runner import _Collector

    why = _why(recorded, exercise.id)
    why.parent.mkdir(parents=True, exist_ok=True)
    common = pytest_args(tree, [exercise], profile)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            text = io.StringIO()
            with contextlib.redirect_stdout(text), contextlib.redirect_stderr(text):
                code = int(pytest.main([*common, "--tensorlings-record", str(recorded)]))
            if code:
                why.write_text(f"recording against the solution ended with {code}: {text.getvalue()[-2000:]}")
        finally:
            os._exit(1 if code else 0)
    _, status = os.waitpid(pid, 0)
    cases = _recording(recorded, exercise.id)
    if status != 0 or not cases.is_file():
        return 2
    collector = _Collector()
    text = io.StringIO()
    with replay.forced(tree.exercise_dir(exercise), cases), contextlib.redirect_stdout(text), \
            contextlib.redirect_stderr(text):
        code = pytest.main([*common, "--impl", str(tree.solutions_dir)], plugins=[collector])
    bad = [r for r in collector.results if r.status not in (Status.PASSED, Status.SKIPPED)]
    if code != 0 or bad or not collector.results:
        why.write_text("replaying against the solution failed: "
                       + "; ".join(f"{r.test}: {r.message[:300]}" for r in bad[:3]) + text.getvalue()[-1000:])
        return 3
    return 0


def _prepare_exit(tree, exercise, recorded, profile) -> None:
    code = 1
    try:
        code = _prepare_one(tree, exercise, recorded, profile)
    finally:
        os._exit(code)


def prepare_recordings(tree: CourseTree, exercises: Sequence[Exercise], recorded: Path, profile: str,
                       jobs: int) -> tuple[dict[str, Path], list[str]]:
    """Record every exercise's checks once (in parallel, in forked children) for this run.

    Returns the recordings grading can replay, by exercise id, and the exercises that
    must draw their cases live (with why).
    """
    context = multiprocessing.get_context("fork")
    pending = list(exercises)
    running: dict[str, object] = {}
    ready: dict[str, Path] = {}
    live: list[str] = []
    deadline = time.monotonic() + PREPARE_MAX_SECONDS
    while pending or running:
        while pending and len(running) < max(1, jobs):
            exercise = pending.pop(0)
            process = context.Process(target=_prepare_exit, args=(tree, exercise, recorded, profile))
            process.start()
            running[exercise.id] = process
        for exercise_id, process in list(running.items()):
            if process.is_alive() and time.monotonic() < deadline:
                continue
            process.join(0.5)
            if process.is_alive():
                process.kill()
                process.join()
            del running[exercise_id]
            cases = _recording(recorded, exercise_id)
            if process.exitcode == 0 and cases.is_file():
                ready[exercise_id] = cases
            else:
                why = _why(recorded, exercise_id)
                reason = why.read_text(errors="replace").strip().splitlines()[0][:200] if why.is_file() else \
                    f"preparing it ended with {process.exitcode}"
                live.append(f"{exercise_id} ({reason})")
        if running:
            time.sleep(_POLL_SECONDS)
    return ready, live
