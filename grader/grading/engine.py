"""Grading a class: find the submissions, grade each in a sandbox, write results.

The pipeline: discover one entry per student (a folder or a ``.zip``) →
copy just the exercise modules course.yml lists into a private folder →
run the course's pristine tests in a grader process, with ``submission``
bound to a ``RemoteSubmission`` (the student code runs only in workers) →
turn the check results into a ``StudentGrade`` → write
``REPORTS/<student>/grade.json`` atomically and the student's reports.
Grader processes are forked from one that has imported torch, pytest and
Hypothesis; each grades whole students one after another. A student whose
``grade.json`` exists is skipped unless ``force``.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader import replay
from grader.course import CourseTree
from grader.grading.model import FunctionGrade, Picture, StudentGrade
from grader.grading.remote import Batch, RemoteSubmission, StudentContext
from grader.grading.worker import ForkServer, Limits, Sandbox, probe
from grader.manifest import Exercise
from grader.results import CheckResult, Failure, FunctionResult, Kind, Status

GRADE_FILE = "grade.json"
# Plugins grading has no use for: each costs time in every student's pytest session.
_NO_PLUGINS = ["-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:randomly", "-p", "no:doctest",
               "-p", "no:junitxml", "-p", "no:pastebin", "-p", "no:nose", "-p", "no:legacypath",
               "-p", "no:faulthandler", "-p", "no:stepwise", "-p", "no:logging", "-p", "no:warnings",
               "-p", "no:setuponly", "-p", "no:setupplan", "-p", "no:tmpdir", "-p", "no:debugging",
               # these two run gc.collect() several times as every session ends: ~0.4 s a student
               "-p", "no:unraisableexception", "-p", "no:threadexception", "-p", "no:anyio"]
PREPARE_SECONDS = 900.0
MAX_MODULE_BYTES = 1 << 20
MAX_ZIP_ENTRIES = 10_000


class GradingError(Exception):
    """A problem the user can fix (a missing folder, an unreadable zip): one clear message."""


@dataclass(frozen=True)
class Entry:
    student: str
    source: Path          # a folder or a .zip


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


# ---------------------------------------------------------------- finding submissions


def _student_name(raw: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", raw).strip("._") or "student"
    return name[:80]


def discover(submissions: Path) -> list[Entry]:
    if not submissions.exists():
        raise GradingError(f"{submissions}: no such folder. Give the folder that holds one folder or .zip per student")
    if not submissions.is_dir():
        raise GradingError(f"{submissions}: not a folder. Give the folder that holds one folder or .zip per student")
    entries, seen = [], set()
    for path in sorted(submissions.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_dir() or (path.is_file() and path.suffix.lower() == ".zip"):
            name = _student_name(path.stem if path.is_file() else path.name)
            while name in seen:
                name += "_"
            seen.add(name)
            entries.append(Entry(name, path))
    if not entries:
        raise GradingError(
            f"{submissions}: holds no submissions. Put one folder (with its exercises/ tree) "
            "or one .zip per student in it"
        )
    return entries


def _module_files(entry: Entry, exercises: Sequence[Exercise]) -> dict[str, bytes]:
    """``{"03_strides/strides.py": source}`` for each listed module found in the submission."""
    wanted = {(e.id, e.module) for e in exercises}
    found: dict[str, bytes] = {}
    if entry.source.is_dir():
        candidates = []
        for folder, dirs, files in os.walk(entry.source):
            dirs[:] = [d for d in dirs if not d.startswith(".") and d not in ("solutions", "__pycache__")]
            depth = len(Path(folder).relative_to(entry.source).parts)
            if depth > 4:
                dirs[:] = []
            parent = Path(folder).name
            for name in files:
                if (parent, name) in wanted:
                    candidates.append((depth, Path(folder) / name))
        for _, path in sorted(candidates):
            key = f"{path.parent.name}/{path.name}"
            if key not in found and not path.is_symlink() and path.stat().st_size <= MAX_MODULE_BYTES:
                found[key] = path.read_bytes()
        from grader.release.notebooks import module_files  # nbgrader's submitted/<student>/<id>/<id>.ipynb

        found.update(module_files(entry.source, exercises, found, MAX_MODULE_BYTES))
        return found
    try:
        with zipfile.ZipFile(entry.source) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                raise GradingError(f"{entry.source}: holds more than {MAX_ZIP_ENTRIES} files; is it a submission?")
            candidates = []
            for info in infos:
                name = PurePosixPath(info.filename.replace("\\", "/"))
                if info.is_dir() or name.is_absolute() or ".." in name.parts or "solutions" in name.parts:
                    continue
                if len(name.parts) >= 2 and (name.parts[-2], name.parts[-1]) in wanted:
                    candidates.append((len(name.parts), info))
            for _, info in sorted(candidates, key=lambda c: c[0]):
                name = PurePosixPath(info.filename.replace("\\", "/"))
                key = f"{name.parts[-2]}/{name.parts[-1]}"
                if key in found or info.file_size > MAX_MODULE_BYTES:
                    continue
                with archive.open(info) as handle:
                    found[key] = handle.read(MAX_MODULE_BYTES + 1)[:MAX_MODULE_BYTES]
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise GradingError(
            f"{entry.source}: not a readable .zip ({error}). Ask the student to resubmit, or unzip it by hand "
            "into a folder of the same name"
        ) from None
    return found


# ---------------------------------------------------------------- one student


class _GradingPlugin:
    """Binds ``submission`` to a worker proxy and keeps the compared values of each first failure."""

    def __init__(self, context: StudentContext, tree: CourseTree, batches: dict[str, Batch] | None = None) -> None:
        self.context = context
        self.tree = tree
        self.batches = batches or {}
        self.open: list[RemoteSubmission] = []
        self.details: dict[str, Picture | None] = {}  # pictures of failing checks, by node id
        self.results: list[CheckResult] = []

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
            self.details[item.nodeid] = _picture(error.expected, error.actual)

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


def _picture(expected, actual) -> Picture | None:
    import torch

    def plane(value):
        if not isinstance(value, torch.Tensor) or value.layout != torch.strided or value.device.type == "meta":
            return None
        value = value.detach().cpu()
        if value.dim() == 3:
            value = value.float().mean(dim=0 if value.shape[0] in (1, 3, 4) else -1)
        if value.dim() != 2 or min(value.shape) < 2 or value.is_complex():
            return None
        value = value.double()
        step_h, step_w = max(1, math.ceil(value.shape[0] / 32)), max(1, math.ceil(value.shape[1] / 32))
        return value[::step_h, ::step_w]

    want, got = plane(expected), plane(actual)
    if want is None or got is None or want.shape != got.shape:
        return None

    def unit(value):
        value = torch.nan_to_num(value, nan=0.0, posinf=0.0, neginf=0.0)
        low, high = float(value.min()), float(value.max())
        span = high - low if high > low else 1.0
        return ((value - low) / span).clamp(0, 1)

    diff = (want - got).abs()
    rows = lambda t: [[round(float(v), 3) for v in row] for row in t.tolist()]  # noqa: E731
    return Picture(rows(unit(want)), rows(unit(got)), rows(unit(diff)))


def _function_grades(tree: CourseTree, exercises: Sequence[Exercise], plugin: _GradingPlugin) -> list[FunctionGrade]:
    grades = []
    for exercise in exercises:
        for function in exercise.functions:
            checks = [r for r in plugin.results if (r.exercise, r.function) == (exercise.id, function.name)]
            result = FunctionResult(exercise.id, function.name, function.points, checks)
            status = result.status if checks else Status.ERROR
            failure, picture = None, None
            problem = result.first_problem
            if problem is not None:
                failure = problem.failure
                picture = plugin.details.get(problem.test)
            elif not checks:
                failure = Failure(Kind.GRADER, "no check of this function ran: the grader could not run its tests",
                                  function=function.name)
            ran = [c for c in checks if c.status != Status.SKIPPED]
            grades.append(FunctionGrade(
                exercise=exercise.id, function=function.name, status=status,
                points=float(function.points if status == Status.PASSED else 0), max_points=float(function.points),
                checks_passed=sum(c.status == Status.PASSED for c in ran), checks_total=len(ran),
                failure=failure, failed_check=problem.test if problem else None, picture=picture,
                next_hint=function.hints[0] if status != Status.PASSED else None,
            ))
    return grades


def grade_student(entry: Entry, tree: CourseTree, exercises: Sequence[Exercise], *, server: Path, uid: int,
                  home: Path, limits: Limits, scratch: Path, warnings: Sequence[str] = (),
                  profile: str = "grade", batches: dict[str, Batch] | None = None) -> StudentGrade:
    import pytest

    started = time.monotonic()
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True, mode=0o700)
    notes = list(warnings)
    try:
        files = _module_files(entry, exercises)
    except GradingError as error:
        files, notes = {}, [*notes, str(error)]
    for key, data in files.items():
        target = home / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    context = StudentContext(entry.student, home, server, uid, limits, shared_roots=(scratch,))
    plugin = _GradingPlugin(context, tree, batches or {})
    tests = [str(tree.test_path(e)) for e in exercises]
    args = [*tests, *_NO_PLUGINS, "--hypothesis-profile", profile, "--rootdir", str(tree.root), "-o", "addopts="]
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        code = pytest.main(args, plugins=[plugin])
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR) and not plugin.results:
        raise RuntimeError(f"the course's tests could not run: {captured.getvalue().strip()[-2000:]}")
    grade = StudentGrade(entry.student, _function_grades(tree, exercises, plugin), list(context.limits_hit),
                         notes + [f"not enforced: {m}" for m in sorted(context.missing) if m not in str(notes)])
    grade.seconds = round(time.monotonic() - started, 3)
    shutil.rmtree(home, ignore_errors=True)
    return grade


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def load_grade(folder: Path) -> StudentGrade | None:
    try:
        return StudentGrade.from_json(json.loads((folder / GRADE_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


# ---------------------------------------------------------------- a class


def sandbox_warnings(features: dict[str, bool]) -> list[str]:
    missing = [name for name, present in features.items() if not present]
    if not missing:
        return []
    text = "sandbox: not enforced on this machine: " + ", ".join(missing)
    if not features.get("mount namespace") and not features.get("unprivileged uid"):
        text += " (student code could read the course's solutions and tests: grade as root on Linux)"
    return [text]


_slot: dict = {}


def _slot_init(counter, settings: dict) -> None:
    with counter.get_lock():
        index = counter.value
        counter.value += 1
    scratch = Path(settings["work"]) / f"scratch-{index}"
    scratch.mkdir(mode=0o711, exist_ok=True)
    previous_temp = (tempfile.tempdir, os.environ.get("TMPDIR"))
    tempfile.tempdir = str(scratch)
    os.environ["TMPDIR"] = str(scratch)
    tree = settings["tree"]
    # The checks replay recorded cases. @check decides when a test module is imported, so replay
    # is switched on before this process imports any (and any imported before are forgotten).
    _forget_tests(tree)
    stack = contextlib.ExitStack()
    batches = {}
    for exercise in settings["exercises"]:
        recording = settings["replay"].get(exercise.id)
        if recording is not None:
            stack.enter_context(replay.forced(tree.exercise_dir(exercise), recording))
            batches[exercise.id] = Batch.from_recording(exercise, recording)
    _slot.update(settings, index=index, scratch=scratch, stack=stack, batches=batches, previous_temp=previous_temp)


def _forget_tests(tree: CourseTree) -> None:
    """Drop the course's test modules from ``sys.modules`` (only those: resolving every module's
    path would cost seconds)."""
    roots = {str(tree.exercises_dir), str(tree.exercises_dir.resolve())}
    roots = tuple(root.rstrip(os.sep) + os.sep for root in roots)
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if isinstance(file, str) and os.path.abspath(file).startswith(roots):
            del sys.modules[name]


def _slot_close() -> None:
    """Undo ``_slot_init`` where it ran in the caller's own process (one job)."""
    stack = _slot.pop("stack", None)
    if stack is not None:
        stack.close()
        _forget_tests(_slot["tree"])
    previous = _slot.pop("previous_temp", None)
    if previous is not None:
        tempfile.tempdir = previous[0]
        if previous[1] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = previous[1]


# ---------------------------------------------------------------- recording once per run


def _prepare_one(tree: CourseTree, exercise: Exercise, recorded: Path, profile: str) -> int:
    """In a forked child: record ``exercise``'s checks against the solution, then replay them
    against the solution. 0 when grading can replay the recording."""
    import pytest

    from grader.runner import _Collector

    _forget_tests(tree)
    why = recorded / exercise.id / "why.txt"
    why.parent.mkdir(parents=True, exist_ok=True)
    common = [str(tree.test_path(exercise)), *_NO_PLUGINS, "--hypothesis-profile", profile,
              "--rootdir", str(tree.root), "-o", "addopts="]
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
    cases = recorded / exercise.id / replay.FOLDER / replay.FILENAME
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
    deadline = time.monotonic() + PREPARE_SECONDS
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
            cases = recorded / exercise_id / replay.FOLDER / replay.FILENAME
            if process.exitcode == 0 and cases.is_file():
                ready[exercise_id] = cases
            else:
                why = recorded / exercise_id / "why.txt"
                reason = why.read_text(errors="replace").strip().splitlines()[0][:200] if why.is_file() else \
                    f"preparing it ended with {process.exitcode}"
                live.append(f"{exercise_id} ({reason})")
        if running:
            time.sleep(0.02)
    return ready, live


def _prepare_exit(tree, exercise, recorded, profile) -> None:
    code = 1
    try:
        code = _prepare_one(tree, exercise, recorded, profile)
    finally:
        os._exit(code)


def _grade_in_slot(entry: Entry) -> tuple[str, float, float, list[str], str | None]:
    s = _slot
    folder = Path(s["out"]) / entry.student
    try:
        grade = grade_student(entry, s["tree"], s["exercises"], server=s["server"], uid=s["uid_base"] + s["index"],
                              home=Path(s["work"]) / "students" / f"{entry.student}", limits=s["limits"],
                              scratch=s["scratch"], warnings=s["warnings"], profile=s["profile"],
                              batches=s["batches"])
    except Exception as error:  # noqa: BLE001 - one student's failure must not stop the class
        return entry.student, 0.0, 0.0, [], f"{type(error).__name__}: {error}"
    write_atomically(folder / GRADE_FILE, json.dumps(grade.to_json(), indent=1))
    problem = None
    if s["write_reports"]:
        try:
            from grader.grading.reports import write_student_reports

            write_student_reports(grade, s["tree"], folder)
        except Exception as error:  # noqa: BLE001
            problem = f"reports for {entry.student} failed: {type(error).__name__}: {error}"
    return entry.student, grade.score, grade.max_score, grade.limits_hit, problem


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
        problems += _run(tree, submissions.resolve(), out, todo, exercises, options, progress, len(entries),
                         notes or _note)
    grades = [g for g in (load_grade(out / e.student) for e in entries) if g is not None]
    if options.write_reports:
        try:
            from grader.grading.reports import write_class_reports

            write_class_reports(grades, tree, out, assignment=options.assignment)
        except Exception as error:  # noqa: BLE001
            problems.append(f"class reports failed: {type(error).__name__}: {error}")
    return grades, problems


def _uids_in_use() -> set[int]:
    uids = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                uids.add(entry.stat().st_uid)
    return uids


def free_uid_base(slots: int, first: int = 64000, ranges: int = 512) -> int:
    """The first uid of ``slots`` consecutive worker uids that no running process uses.

    Workers of a slot run as one uid, and cleaning up after a worker kills
    every process of that uid: two grading runs at once (two courses, or a
    test suite beside a real run) must never share one, or each would kill
    the other's workers.
    """
    busy = _uids_in_use()
    start = os.getpid() % ranges  # spread concurrent runs out before checking
    for step in range(ranges):
        base = first + ((start + step) % ranges) * 16
        if not busy.intersection(range(base, base + max(slots, 1))):
            return base
    raise GradingError("every worker uid range is in use by another grading run: wait for it to finish")


def _note(text: str) -> None:
    print(f"tensorlings grade: {text}", file=sys.stderr)


def _readable_in_course(tree: CourseTree, grader_dir: Path) -> list[Path]:
    """The only parts of the course folder a worker may read: the framework, the data, the environment."""
    import sys

    return [grader_dir.resolve(), (tree.root / "data").resolve(), Path(sys.prefix).resolve()]


def _may_expose(path: Path, protected: Sequence[Path], course: Path, readable: Sequence[Path]) -> bool:
    """Whether binding ``path`` back into a worker keeps the course, submissions and reports hidden.

    A Python path can be the course folder itself (pytest's ``pythonpath``), or a folder above it
    when the course sits under a hidden one such as /tmp: exposing either would show solutions/.
    """
    if any(folder.is_relative_to(path) for folder in protected):
        return False  # it is, or holds, a folder that must stay hidden
    if path.is_relative_to(course):
        return any(path.is_relative_to(allowed) for allowed in readable)
    return not any(path.is_relative_to(folder) for folder in protected)


def _closed_ancestor(path: Path) -> Path | None:
    """The highest folder above ``path`` that other users cannot enter, if any."""
    for folder in reversed(path.parents):
        with contextlib.suppress(OSError):
            if folder != Path("/") and not folder.stat().st_mode & 0o001:
                return folder
    return None


def _run(tree, submissions, out, todo, exercises, options, progress, total, notes) -> list[str]:
    import hypothesis  # noqa: F401 - imported before forking so every grader process has it
    import numpy  # noqa: F401
    import PIL.Image  # noqa: F401
    import pytest  # noqa: F401
    import torch  # noqa: F401

    import grader.plugin  # noqa: F401

    features = probe()
    work = Path(tempfile.mkdtemp(prefix="tensorlings-grade-"))
    os.chmod(work, 0o711)
    (work / "students").mkdir(mode=0o700)
    import grader as grader_package

    python_paths = {os.path.realpath(p) for p in __import__("sys").path if p and os.path.isdir(p)}
    hide = [str(tree.root.resolve()), str(submissions), str(out), str(work), "/tmp"]
    hidden_roots = [Path(h) for h in hide]
    expose = [str(work / f"scratch-{i}") for i in range(max(1, options.jobs or os.cpu_count() or 1))]
    readable = _readable_in_course(tree, Path(grader_package.__file__).parent)
    protected = [tree.root.resolve(), submissions, out, work]
    for candidate in [*python_paths, str(Path(grader_package.__file__).parent), str(tree.root / "data")]:
        path = Path(candidate).resolve()
        if any(path.is_relative_to(h) and path != h for h in hidden_roots) and path.exists() \
                and _may_expose(path, protected, tree.root.resolve(), readable):
            expose.append(str(path))
    for candidate in [*python_paths, __import__("sys").base_prefix, __import__("sys").prefix]:
        closed = _closed_ancestor(Path(candidate).resolve())
        if closed is not None:  # e.g. Python under /root: hide /root, bind the installation back
            hide.append(str(closed))
            if _may_expose(Path(candidate).resolve(), protected, tree.root.resolve(), readable):
                expose.append(str(Path(candidate).resolve()))
    jobs = max(1, min(options.jobs or os.cpu_count() or 1, len(todo)))
    for i in range(jobs):
        (work / f"scratch-{i}").mkdir(mode=0o711, exist_ok=True)
    server = ForkServer(work / "forkserver.sock", Sandbox(hide=hide, expose=expose), options.limits)
    server.start()
    problems: list[str] = []
    # Every student sees the same derandomized cases: draw them and compute the reference's
    # answers once, here, instead of once per student.
    replayed: dict[str, Path] = {}
    if options.replay:
        replayed, live = prepare_recordings(tree, exercises, work / "recorded", options.profile,
                                            max(1, options.jobs or os.cpu_count() or 1))
        if live:
            notes("these exercises cannot replay recorded cases, so each student's checks draw them live "
                  "(correct, but slower): " + "; ".join(live))
    settings = dict(tree=tree, exercises=exercises, server=work / "forkserver.sock", uid_base=free_uid_base(jobs),
                    limits=options.limits, out=str(out), work=str(work), warnings=sandbox_warnings(features),
                    write_reports=options.write_reports, profile=options.profile, replay=replayed)
    try:
        context = multiprocessing.get_context("fork")
        counter = context.Value("i", 0)
        done = total - len(todo)
        if jobs == 1:
            _slot_init(counter, settings)
            results: Iterator = map(_grade_in_slot, todo)
            pool = None
        else:
            pool = context.Pool(jobs, _slot_init, (counter, settings), maxtasksperchild=None)
            results = pool.imap_unordered(_grade_in_slot, todo)
        for student, _score, _max, _limits, problem in results:
            done += 1
            if problem:
                problems.append(f"{student}: {problem}")
            if progress:
                progress(student, done, total)
        if pool is not None:
            pool.close()
            pool.join()
    finally:
        if jobs == 1:
            _slot_close()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return problems
