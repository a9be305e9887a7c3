"""Intake: one entry per student (a folder or a ``.zip``), its verdict, and the exercise modules it holds.

Every submission gets one verdict before anything is graded: ``ok``, or a reason it is not
gradable (wrong layout, unreadable archive, duplicate student, empty). A not-gradable student
is reported as such, never graded as if they had submitted untouched stubs.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath

from grader.grading.errors import GradingError
from grader.grading.policy import MODULE_MAX_BYTES, ZIP_MAX_ENTRIES
from grader.manifest import Exercise

# How deep below a student's folder the exercise modules may sit (exercises/NN_topic/<module> is 2).
_MAX_FOLDER_DEPTH = 4
# Files a grading run writes beside the student folders: no student id may take their names.
CLASS_FILES = ("grades.csv", "summary.html")
# What computers leave in a folder of submissions; never a student.
_JUNK = {".DS_Store", "__MACOSX", "Thumbs.db", ".ipynb_checkpoints", ".git"}
LAYOUT = "<student>/exercises/NN_topic/<module>.py (or a .zip of that, or an nbgrader submitted/ tree)"


class Verdict(StrEnum):
    OK = "ok"
    WRONG_LAYOUT = "wrong layout"
    UNREADABLE_ARCHIVE = "unreadable archive"
    DUPLICATE = "duplicate student"
    EMPTY = "empty"


@dataclass(frozen=True)
class Entry:
    student: str
    source: Path          # a folder or a .zip
    verdict: Verdict = Verdict.OK
    reason: str = ""      # why not gradable: what was found and what to do
    key: str = ""         # what its grade depends on (set by the engine before grading)


@dataclass
class Intake:
    entries: list[Entry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)    # renamed ids, skipped files: said once per run


def student_name(raw: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", raw).strip("._") or "student"
    return name[:80]


def discover(submissions: Path) -> list[Entry]:
    return survey(submissions).entries


def survey(submissions: Path) -> Intake:
    """One entry per student in ``submissions``, each with a unique id, and what the instructor should know."""
    if not submissions.exists():
        raise GradingError(f"{submissions}: no such folder. Give the folder that holds one folder or .zip per student")
    if not submissions.is_dir():
        raise GradingError(f"{submissions}: not a folder. Give the folder that holds one folder or .zip per student")
    intake = Intake()
    by_raw: dict[str, list[Path]] = {}
    for path in sorted(submissions.iterdir()):
        if path.name in _JUNK:
            continue
        if path.is_symlink():
            intake.notes.append(f"{path}: a link, not a submission: skipped (copy the submission in instead)")
        elif path.is_dir():
            by_raw.setdefault(path.name, []).append(path)
        elif path.is_file() and path.suffix.lower() == ".zip":
            by_raw.setdefault(path.name[:-4], []).append(path)
        else:
            intake.notes.append(f"{path}: not a folder or a .zip: skipped")
    taken = {name.casefold(): f"the class file {name}" for name in CLASS_FILES}
    for raw in sorted(by_raw, key=lambda r: (student_name(r), r)):
        paths = by_raw[raw]
        student = _unique_id(raw, taken, intake.notes)
        if len(paths) > 1:
            shown = " and ".join(f"{p.name}{'/' if p.is_dir() else ''}" for p in paths)
            intake.entries.append(Entry(student, paths[0], Verdict.DUPLICATE,
                                        f"{shown} were both submitted for one student: keep one of them and rerun"))
        else:
            intake.entries.append(Entry(student, paths[0]))
    if not intake.entries:
        raise GradingError(
            f"{submissions}: holds no submissions. Put one folder (with its exercises/ tree) "
            "or one .zip per student in it"
        )
    intake.entries.sort(key=lambda e: e.student)
    return intake


def _unique_id(raw: str, taken: dict[str, str], notes: list[str]) -> str:
    """``raw`` made safe as a folder name, never one already taken (another student's or a class file's)."""
    base = student_name(raw)
    student, number = base, 1
    while student.casefold() in taken:
        number += 1
        student = f"{base}-{number}"
    taken[student.casefold()] = repr(raw)
    if student != base:
        notes.append(f"{raw!r} would have the id {base!r}, already taken by {taken[base.casefold()]}: "
                     f"graded as {student!r}")
    return student


# ---------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class Inspection:
    verdict: Verdict
    reason: str
    files: dict[str, bytes]           # "03_strides/strides.py" -> source, for an ok submission


def inspect(entry: Entry, exercises: Sequence[Exercise]) -> Inspection:
    """The entry's verdict and, when ok, the exercise modules it holds."""
    if entry.verdict != Verdict.OK:
        return Inspection(entry.verdict, entry.reason, {})
    try:
        files = module_files(entry, exercises)
    except GradingError as error:
        return Inspection(Verdict.UNREADABLE_ARCHIVE, str(error), {})
    if files:
        return Inspection(Verdict.OK, "", files)
    names = _all_files(entry.source)
    if not names:
        what = "archive" if entry.source.is_file() else "folder"
        return Inspection(Verdict.EMPTY, f"{entry.source.name}: the {what} holds no files. Expected {LAYOUT}", {})
    modules = {e.module for e in exercises}
    shown = next((n for n in names if PurePosixPath(n).name in modules), None) \
        or next((n for n in names if n.endswith((".py", ".ipynb"))), names[0])
    return Inspection(Verdict.WRONG_LAYOUT, f"found {entry.source.name}/{shown}, but no exercise module where it "
                      f"belongs. Expected {LAYOUT}, e.g. {entry.student}/exercises/{exercises[0].id}/"
                      f"{exercises[0].module}" if exercises else f"found {shown}; expected {LAYOUT}", {})


def _all_files(source: Path) -> list[str]:
    """Every regular file's path inside a submission, relative to it (sorted, shallowest first)."""
    if source.is_file():
        try:
            with zipfile.ZipFile(source) as archive:
                names = [i.filename for i in archive.infolist()[:ZIP_MAX_ENTRIES] if not i.is_dir()]
        except (zipfile.BadZipFile, OSError, EOFError):
            return []
        return sorted(names, key=lambda n: (n.count("/"), n))
    names = []
    for folder, dirs, files in os.walk(source):
        dirs[:] = [d for d in dirs if d not in _JUNK]
        for name in files:
            path = Path(folder) / name
            if name not in _JUNK and stat.S_ISREG(os.lstat(path).st_mode):
                names.append(path.relative_to(source).as_posix())
        if len(names) > ZIP_MAX_ENTRIES:
            break
    return sorted(names, key=lambda n: (n.count("/"), n))


# ---------------------------------------------------------------- reading the modules


def read_regular(path: Path, max_bytes: int = MODULE_MAX_BYTES) -> bytes | None:
    """The first ``max_bytes`` of ``path`` when it is a regular file; None for a link, a FIFO, a device.

    Opened without following links and without blocking, so a FIFO named like a module cannot
    hang the run; what it is is judged on the open file, so it cannot change after the check.
    """
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            return None
        chunks, left = [], max_bytes + 1
        while left > 0:
            chunk = os.read(handle, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        return data if len(data) <= max_bytes else None
    except OSError:
        return None
    finally:
        os.close(handle)


def module_files(entry: Entry, exercises: Sequence[Exercise]) -> dict[str, bytes]:
    """``{"03_strides/strides.py": source}`` for each listed module found in the submission."""
    wanted = {(e.id, e.module) for e in exercises}
    if entry.source.is_dir():
        return _from_folder(entry.source, wanted, exercises)
    return _from_zip(entry.source, wanted)


def _from_folder(root: Path, wanted: set[tuple[str, str]], exercises: Sequence[Exercise]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    candidates = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in ("solutions", "__pycache__")]
        depth = len(Path(folder).relative_to(root).parts)
        if depth > _MAX_FOLDER_DEPTH:
            dirs[:] = []
        parent = Path(folder).name
        for name in files:
            if (parent, name) in wanted:
                candidates.append((depth, Path(folder) / name))
    for _, path in sorted(candidates):
        key = f"{path.parent.name}/{path.name}"
        if key not in found:
            data = read_regular(path)
            if data is not None:
                found[key] = data
    from grader.release.notebooks import module_files as notebook_modules  # nbgrader's submitted/ tree

    found.update(notebook_modules(root, exercises, found, MODULE_MAX_BYTES))
    return found


def _from_zip(archive_path: Path, wanted: set[tuple[str, str]]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(archive_path) as archive:
            infos = archive.infolist()
            if len(infos) > ZIP_MAX_ENTRIES:
                raise GradingError(f"{archive_path}: holds more than {ZIP_MAX_ENTRIES} files; is it a submission?")
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
                if key in found or info.file_size > MODULE_MAX_BYTES:
                    continue
                with archive.open(info) as handle:
                    found[key] = handle.read(MODULE_MAX_BYTES + 1)[:MODULE_MAX_BYTES]
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as error:
        raise GradingError(
            f"{archive_path.name}: not a readable .zip ({error}). Ask the student to resubmit, or unzip it by hand "
            "into a folder of the same name"
        ) from None
    return found
