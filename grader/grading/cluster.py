"""Grading past one machine: one Dask task per student, on any Dask distributed cluster.

The caller prepares the recordings (cached), packs the course and them into one bundle
named by its content hash, and hands it to every worker once, through a worker plugin
(Dask sends a plugin to each worker that joins, restarted ones included). A task then
carries only that hash, the student's name and the student's module files as bytes. On
the worker the student is graded exactly as on one machine: a fork server of sandboxed
workers runs the student's code, and the verdicts are computed in the Dask worker process,
which never runs it. The task returns ``StudentGrade.to_json()``; the caller writes every
report, so workers never see the reports folder.

Dask reschedules the tasks of a lost worker on the others; the caller keeps the first
result per student, so a student is never counted twice nor lost. Only this module
imports Dask, and only ``--cluster`` imports this module.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import shutil
import sys
import tarfile
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from distributed import Client, LocalCluster, as_completed
from distributed.diagnostics.plugin import WorkerPlugin

from grader.course import CourseTree
from grader.grading.errors import GraderFailure, GradingError
from grader.grading.intake import Entry, module_files
from grader.grading.model import StudentGrade
from grader.grading.storage import publish_graded
from grader.grading.worker import Limits
from grader.manifest import Exercise

_SKIPPED = {"__pycache__", ".pytest_cache", ".hypothesis"}
RECORDINGS = ".tensorlings-recordings"   # inside an unpacked bundle: <id>/<replay.FOLDER>/<replay.FILENAME>


@dataclass(frozen=True)
class Bundle:
    """The course as a worker needs it: checks, solutions, data and recordings, packed; named by content."""

    key: str
    data: bytes
    exercises: tuple[str, ...]
    limits: Limits
    profile: str
    seed: int | None     # the run's grading seed: a check that draws live draws from it, as locally


def pack_course(tree: CourseTree, exercises: Sequence[Exercise], recordings: dict[str, Path],
                limits: Limits, profile: str, seed: int | None = None) -> Bundle:
    """Pack what grading reads on a worker; never a learner's module (``exercises/<id>/<module>``)."""
    learner_modules = {tree.stub_path(e).resolve() for e in tree.manifest.exercises}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        paths = [tree.manifest_path]
        for folder in (tree.exercises_dir, tree.solutions_dir, tree.root / "data"):
            if folder.is_dir():
                paths += sorted(p for p in folder.rglob("*") if p.is_file()
                                and not _SKIPPED.intersection(p.relative_to(tree.root).parts)
                                and p.resolve() not in learner_modules)
        for path in paths:
            _add(archive, str(path.relative_to(tree.root)), path.read_bytes())
        for exercise_id, cases in sorted(recordings.items()):
            _add(archive, f"{RECORDINGS}/{exercise_id}/{cases.parent.name}/{cases.name}", cases.read_bytes())
    data = buffer.getvalue()
    ids = tuple(e.id for e in exercises)
    digest = hashlib.sha256(data)
    digest.update(repr((ids, limits, profile, seed)).encode())
    return Bundle(digest.hexdigest()[:24], data, ids, limits, profile, seed)


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644   # fixed metadata: the same course packs to the same bytes, so to the same key
    archive.addfile(info, io.BytesIO(data))


class _WorkerCourse:
    """One unpacked course on one Dask worker, and its sandbox, started on first use."""

    def __init__(self, bundle: Bundle, folder: Path) -> None:
        from grader.course import load_course

        self.bundle = bundle
        self.folder = folder
        with tarfile.open(fileobj=io.BytesIO(bundle.data)) as archive:
            archive.extractall(folder / "course", filter="data")
        self.tree = load_course(folder / "course")
        self.exercises = tuple(self.tree.manifest.exercise(e) for e in bundle.exercises)
        self.lock = threading.Lock()   # one student at a time per worker process: run more processes
        self.server = None
        self.collected = None          # the course's tests, collected once (grading.session.CollectedSession)

    def _start(self) -> None:
        from grader import replay
        from grader.grading.engine import _import_before_forking
        from grader.grading.policy import sandbox_for, sandbox_warnings
        from grader.grading.pool import free_uid_base
        from grader.grading.remote import Batch
        from grader.grading.worker import ForkServer, probe

        _import_before_forking()
        self.work = Path(tempfile.mkdtemp(prefix="work-", dir=self.folder))
        os.chmod(self.work, 0o711)
        for name in ("students", "in", "out"):
            (self.work / name).mkdir(mode=0o700)
        self.scratch = self.work / "scratch-0"
        self.scratch.mkdir(mode=0o711)
        self.warnings = tuple(sandbox_warnings(probe()))
        sandbox = sandbox_for(self.tree, self.work / "in", self.work / "out", self.work, [self.scratch])
        server = ForkServer(self.work / "forkserver.sock", sandbox, self.bundle.limits)
        server.start()
        self.server = server
        self.uid = free_uid_base(1)
        self.replaying = contextlib.ExitStack()
        self.replaying.enter_context(replay.seeded(self.bundle.seed))
        self.batches = {}
        for exercise in self.exercises:
            cases = self.tree.root / RECORDINGS / exercise.id / replay.FOLDER / replay.FILENAME
            if cases.is_file():
                self.replaying.enter_context(replay.forced(self.tree.exercise_dir(exercise), cases))
                self.batches[exercise.id] = Batch.from_recording(exercise, cases)

    def grade(self, student: str, files: dict[str, bytes], notes: Sequence[str]) -> dict:
        from grader.grading.session import CollectedSession, grade_student

        with self.lock:
            if self.server is None:
                self._start()
            if self.collected is None or not self.collected.usable:
                self.collected = CollectedSession(self.tree, self.exercises, self.bundle.profile, self.batches)
            source = self.work / "in" / student
            shutil.rmtree(source, ignore_errors=True)
            for key, data in files.items():
                target = source / "exercises" / key
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            source.mkdir(parents=True, exist_ok=True)
            previous = tempfile.tempdir
            tempfile.tempdir = str(self.scratch)   # temp paths handed to student code must be visible to it
            try:
                grade = grade_student(Entry(student, source), self.tree, self.exercises, server=self.server.socket_path,
                                      uid=self.uid, home=self.work / "students" / student,
                                      limits=self.bundle.limits, scratch=self.scratch,
                                      warnings=(*self.warnings, *notes), profile=self.bundle.profile,
                                      collected=self.collected)
            finally:
                tempfile.tempdir = previous
                shutil.rmtree(source, ignore_errors=True)
            return grade.to_json()

    def close(self) -> None:
        with self.lock:
            if self.collected is not None:
                self.collected.close()
                self.collected = None
            if self.server is not None:
                self.replaying.close()
                self.server.stop()
                self.server = None
        shutil.rmtree(self.folder, ignore_errors=True)


_courses: dict[str, _WorkerCourse] = {}


def _course_folder(key: str) -> Path:
    """Where this process unpacks a course: the same path for the same course, and short (a socket lives there).

    pytest imports an exercise's test module by name: a worker process that graded another
    course (or the same one at another path) holds a module of that name from another file,
    which pytest refuses. The same path for the same course, and forgetting the test modules
    of other courses, keeps a long-lived worker able to grade any course it is given.
    """
    prefix = Path(tempfile.gettempdir()) / f"tensorlings-{os.getpid()}-"
    folder = Path(f"{prefix}{key[:16]}")
    for name, module in list(sys.modules.items()):
        where = str(getattr(module, "__file__", None) or "")
        if where.startswith(str(prefix)) and not where.startswith(str(folder) + os.sep):
            del sys.modules[name]
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700)
    return folder


class CoursePlugin(WorkerPlugin):
    """Brings one course bundle to each worker once; named by the bundle's hash."""

    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        self.name = f"tensorlings-course-{bundle.key}"

    def setup(self, worker) -> None:
        if self.bundle.key not in _courses:
            _courses[self.bundle.key] = _WorkerCourse(self.bundle, _course_folder(self.bundle.key))

    def teardown(self, worker) -> None:
        course = _courses.pop(self.bundle.key, None)
        if course is not None:
            course.close()


def grade_task(course_key: str, student: str, files: dict[str, bytes], notes: tuple[str, ...]) -> dict:
    """One student, on a Dask worker: the structured grade as plain data."""
    course = _courses.get(course_key)
    if course is None:
        raise RuntimeError(f"course {course_key} is not on this worker: its plugin did not run here")
    return course.grade(student, files, notes)


def _client(address: str) -> tuple[Client, LocalCluster | None]:
    if address.startswith("local:"):
        try:
            workers = int(address.removeprefix("local:"))
        except ValueError:
            workers = 0
        if workers < 1:
            raise GradingError(f"--cluster {address}: say how many worker processes, e.g. local:4")
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, protocol="tcp",
                               dashboard_address=None)
        return Client(cluster), cluster
    if "://" not in address:
        raise GradingError(f"--cluster {address}: give a scheduler address such as tcp://HOST:8786, or local:N")
    try:
        return Client(address, timeout="30s"), None
    except OSError as error:
        raise GradingError(f"--cluster {address}: cannot reach the Dask scheduler ({error}). "
                           "Start one with `dask scheduler`, or check the address") from None


def grade_on_cluster(tree: CourseTree, out: Path, todo: Sequence[Entry], exercises: Sequence[Exercise],
                     options, progress: Callable[[str, int, int], None] | None,
                     notes: Callable[[str], None], tally, *, client: Client | None = None) -> list[str]:
    """Grade ``todo`` on the cluster at ``options.cluster`` (or ``client``); write each grade into ``out``."""
    from grader.grading.cache import cached_recordings

    cluster, ours = None, client is None
    if ours:
        client, cluster = _client(options.cluster)   # first: a wrong address fails before any recording
    try:
        recordings: dict[str, Path] = {}
        with tempfile.TemporaryDirectory(prefix="tensorlings-prepare-") as work:
            if options.replay:
                recordings, live = cached_recordings(tree, exercises, Path(work) / "recorded", options.profile,
                                                     max(1, options.jobs or os.cpu_count() or 1),
                                                     seed=options.seed, root=options.cache)
                if live:
                    notes("these exercises cannot replay recorded cases, so each student's checks draw them "
                          "live (correct, but slower): " + "; ".join(live))
            bundle = pack_course(tree, exercises, recordings, options.limits, options.profile, options.seed)
        return _run(client, bundle, tree, out, todo, exercises, options, progress, tally)
    finally:
        if ours:
            client.close()
        if cluster is not None:
            cluster.close()


def _run(client: Client, bundle: Bundle, tree: CourseTree, out: Path, todo: Sequence[Entry],
         exercises: Sequence[Exercise], options, progress, tally) -> list[str]:
    client.register_plugin(CoursePlugin(bundle))
    futures = {}
    for entry in todo:
        try:
            files, read_notes = module_files(entry, exercises), ()
        except GradingError as error:   # an unreadable .zip: graded as handing in nothing, and said so
            files, read_notes = {}, (str(error),)
        future = client.submit(grade_task, bundle.key, entry.student, files, read_notes, pure=False,
                               key=f"tensorlings-grade-{entry.student}-{bundle.key[:8]}-{os.urandom(4).hex()}")
        futures[future] = entry
    problems: list[str] = []
    graded: set[str] = set()
    for future in as_completed(futures):
        entry = futures[future]
        student = entry.student
        if student in graded:   # never counted twice
            continue
        graded.add(student)
        try:
            grade = StudentGrade.from_json(future.result())
        except Exception as error:  # noqa: BLE001 - student code runs in the sandbox, never here: ours to fix
            # A task that raised (or a worker lost for good) failed in the grader's machinery. The
            # student stays ungraded, so the next run grades them; the run says so and exits non-zero.
            problems.append(GraderFailure(student, f"{type(error).__name__}: {str(error)[:500]} (not graded; "
                                                   "run the same command again to grade them)"))
        else:
            grade.key = entry.key
            problem = _write(grade, tree, out, options.write_reports)
            if problem:
                problems.append(problem)
            else:
                tally.graded += 1
        if progress:
            progress(student, tally.graded, len(todo))
    # The course stays on the workers (by hash) for the next run; it goes when a worker closes.
    return problems


def _write(grade: StudentGrade, tree: CourseTree, out: Path, write_reports: bool) -> str | None:
    """Publish the grade and its reports as the student's folder, whole or not at all."""
    try:
        publish_graded(out / grade.student, grade, tree, write_reports)
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise  # a full disk stops the run: the engine says so once
        return f"reports for {grade.student} failed: {type(error).__name__}: {error}"
    except Exception as error:  # noqa: BLE001 - not published: the next run grades this student again
        return f"reports for {grade.student} failed: {type(error).__name__}: {error}"
    return None
