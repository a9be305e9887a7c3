"""The slots that grade students in parallel: forked grader processes, one worker uid each.

A slot is one grader process (or the caller's own, for one job). It grades whole students
one after another with the settings every slot shares (``SlotSettings``), and its own
index, scratch folder and worker uid.
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grader import replay
from grader.course import CourseTree
from grader.grading import session
from grader.grading.errors import GradingError
from grader.grading.intake import Entry
from grader.grading.remote import Batch
from grader.grading.session import CollectedSession, grade_student
from grader.grading.storage import publish_graded
from grader.grading.worker import Limits
from grader.manifest import Exercise

# Worker uids: ranges of 16 from 64000 up, far above the uids of people and services.
FIRST_WORKER_UID = 64000
UID_RANGE_SIZE = 16
UID_RANGES = 512


@dataclass(frozen=True)
class SlotSettings:
    """What every slot of one run shares."""

    tree: CourseTree
    exercises: tuple[Exercise, ...]
    server: Path                     # the fork server's socket
    uid_base: int                    # slot i's workers run as uid_base + i
    limits: Limits
    out: Path                        # REPORTS/: one folder per student
    work: Path                       # the run's private work folder
    warnings: tuple[str, ...]        # told to every student's grade (sandbox features missing)
    write_reports: bool
    profile: str                     # the Hypothesis profile
    recordings: dict[str, Path]      # exercise id -> the cases to replay


@dataclass(frozen=True)
class SlotResult:
    student: str
    problem: str | None     # what went wrong for this student, if anything
    stages: dict[str, float] = field(default_factory=dict)   # seconds by stage (session.last_stages, reports)


# Seconds by stage over every student this process's runs graded (the benchmark prints them).
stage_totals: dict[str, float] = {}


@dataclass
class _Slot:
    """One slot's own state in its process."""

    settings: SlotSettings
    index: int
    scratch: Path
    batches: dict[str, Batch]
    previous_temp: tuple[str | None, str | None]
    collected: CollectedSession | None   # the course's tests, collected before the slots were forked


_slot: _Slot | None = None


def _open_slot(counter, settings: SlotSettings, batches: dict[str, Batch], collected: CollectedSession | None) -> None:
    global _slot
    if multiprocessing.parent_process() is not None:
        _follow_parent()
    with counter.get_lock():
        index = counter.value
        counter.value += 1
    scratch = settings.work / f"scratch-{index}"
    scratch.mkdir(mode=0o711, exist_ok=True)
    previous_temp = (tempfile.tempdir, os.environ.get("TMPDIR"))
    tempfile.tempdir = str(scratch)
    os.environ["TMPDIR"] = str(scratch)
    _slot = _Slot(settings, index, scratch, batches, previous_temp, collected)


def _replaying(settings: SlotSettings, stack: contextlib.ExitStack) -> dict[str, Batch]:
    """Switch the checks to the recorded cases (every session configured while ``stack`` is open replays
    them) and plan each exercise's batch of calls; done once, before the slots are forked."""
    batches = {}
    for exercise in settings.exercises:
        recording = settings.recordings.get(exercise.id)
        if recording is not None:
            stack.enter_context(replay.forced(settings.tree.exercise_dir(exercise), recording))
            batches[exercise.id] = Batch.from_recording(exercise, recording)
    return batches


def _collect(settings: SlotSettings, batches: dict[str, Batch]) -> CollectedSession | None:
    """The course's tests collected once for every slot (each forked slot runs its own copy). None when
    they cannot be: each slot tries again and tells every student why (a course error, never theirs)."""
    try:
        return CollectedSession(settings.tree, settings.exercises, settings.profile, batches)
    except Exception:  # noqa: BLE001 - reported per student by the slots, as it was found
        return None


def _follow_parent() -> None:
    """In a forked slot: Ctrl-C is the run's to handle, and the slot dies with the run (even a SIGKILLed one),
    so that it never publishes a student after the run is gone."""
    import ctypes
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != multiprocessing.parent_process().pid:
        os._exit(1)  # the run died before the line above took effect


def _close_slot() -> None:
    """Undo ``_open_slot`` where it ran in the caller's own process (one job)."""
    global _slot
    if _slot is None:
        return
    slot, _slot = _slot, None
    tempfile.tempdir = slot.previous_temp[0]
    if slot.previous_temp[1] is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = slot.previous_temp[1]


def _grade_in_slot(entry: Entry) -> SlotResult:
    slot = _slot
    assert slot is not None, "a slot grades only after _open_slot"
    s = slot.settings
    folder = s.out / entry.student
    try:
        if slot.collected is None or not slot.collected.usable:
            # Not collected before the fork, or broken by an error of pytest's own: collect again here.
            # An error is the course's, and every student of the slot is told.
            slot.collected = CollectedSession(s.tree, s.exercises, s.profile, slot.batches)
        grade = grade_student(entry, s.tree, s.exercises, server=s.server, uid=s.uid_base + slot.index,
                              home=s.work / "students" / entry.student, limits=s.limits, scratch=slot.scratch,
                              warnings=s.warnings, profile=s.profile, collected=slot.collected)
    except Exception as error:  # noqa: BLE001 - one student's failure must not stop the class
        return SlotResult(entry.student, f"{type(error).__name__}: {error}")
    grade.key = entry.key
    stages = dict(session.last_stages)
    writing = time.perf_counter()
    try:
        publish_graded(folder, grade, s.tree, s.write_reports)  # the folder appears whole, or not at all
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise  # a full disk stops the run: the engine says so once
        return SlotResult(entry.student, f"reports for {entry.student} failed: {type(error).__name__}: {error}")
    except Exception as error:  # noqa: BLE001 - not published: the next run grades this student again
        return SlotResult(entry.student, f"reports for {entry.student} failed: {type(error).__name__}: {error}")
    stages["reports"] = time.perf_counter() - writing
    return SlotResult(entry.student, None, stages)


def _counted(results: Iterator[SlotResult]) -> Iterator[SlotResult]:
    for result in results:
        for stage, seconds in result.stages.items():
            stage_totals[stage] = stage_totals.get(stage, 0.0) + seconds
        stage_totals["students"] = stage_totals.get("students", 0.0) + 1
        yield result


def run_slots(settings: SlotSettings, jobs: int, todo: Sequence[Entry]) -> Iterator[SlotResult]:
    """Grade ``todo`` in ``jobs`` slots, yielding each student's result as it finishes."""
    context = multiprocessing.get_context("fork")
    counter = context.Value("i", 0)
    with contextlib.ExitStack() as stack:
        batches = _replaying(settings, stack)
        collected = _collect(settings, batches)
        if collected is not None:
            stack.callback(collected.close)
        if jobs == 1:
            _open_slot(counter, settings, batches, collected)
            try:
                yield from _counted(map(_grade_in_slot, todo))
            finally:
                _close_slot()
            return
        with context.Pool(jobs, _open_slot, (counter, settings, batches, collected)) as pool:
            yield from _counted(pool.imap_unordered(_grade_in_slot, todo))
            pool.close()
            pool.join()


def _uids_in_use() -> set[int]:
    uids = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                uids.add(entry.stat().st_uid)
    return uids


def free_uid_base(slots: int, first: int = FIRST_WORKER_UID, ranges: int = UID_RANGES) -> int:
    """The first uid of ``slots`` consecutive worker uids that no running process uses.

    Workers of a slot run as one uid, and cleaning up after a worker kills
    every process of that uid: two grading runs at once (two courses, or a
    test suite beside a real run) must never share one, or each would kill
    the other's workers.
    """
    busy = _uids_in_use()
    start = os.getpid() % ranges  # spread concurrent runs out before checking
    for step in range(ranges):
        base = first + ((start + step) % ranges) * UID_RANGE_SIZE
        if not busy.intersection(range(base, base + max(slots, 1))):
            return base
    raise GradingError("every worker uid range is in use by another grading run: wait for it to finish")

