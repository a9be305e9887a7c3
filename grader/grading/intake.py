"""Intake: one entry per student (a folder or a ``.zip``), and the exercise modules it holds."""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.grading.errors import GradingError
from grader.grading.policy import MODULE_MAX_BYTES, ZIP_MAX_ENTRIES
from grader.manifest import Exercise

# How deep below a student's folder the exercise modules may sit (exercises/NN_topic/<module> is 2).
_MAX_FOLDER_DEPTH = 4


@dataclass(frozen=True)
class Entry:
    student: str
    source: Path          # a folder or a .zip


def student_name(raw: str) -> str:
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
            name = student_name(path.stem if path.is_file() else path.name)
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
        if key not in found and not path.is_symlink() and path.stat().st_size <= MODULE_MAX_BYTES:
            found[key] = path.read_bytes()
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
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise GradingError(
            f"{archive_path}: not a readable .zip ({error}). Ask the student to resubmit, or unzip it by hand "
            "into a folder of the same name"
        ) from None
    return found
