"""What a student's grade depends on, as one hash: a rerun skips a student only while it is unchanged.

The course's side: ``course.yml``, each graded exercise's checks (its folder, less the learner's
stub) and solutions folder, the framework's version, the exercise set and every grading option
that can change a grade. The student's side: their intake verdict and the module files read.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from grader.course import CourseTree
from grader.manifest import Exercise

# Options that change how a run goes but never a grade.
_NOT_IN_KEY = {"jobs", "force", "assignment", "student", "roster", "cluster", "cache"}


def _add_tree(digest, folder: Path, skip: Path | None = None) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if any(p.startswith(".") or p == "__pycache__" for p in parts) or path == skip or not path.is_file():
            continue  # caches and the learner's own stub change no grade
        digest.update("/".join(parts).encode() + b"\0" + path.read_bytes() + b"\0")


def course_key(tree: CourseTree, exercises: Sequence[Exercise], options) -> str:
    """The hash of everything on the course's side that a grade depends on."""
    from grader.grading.cache import framework_version

    digest = hashlib.sha256()
    # The version and a hash of the framework's sources: an upgrade (or a fix in a checkout) grades again.
    digest.update(framework_version().encode() + b"\0")
    digest.update(tree.manifest_path.read_bytes() + b"\0")
    for exercise in exercises:
        digest.update(f"exercise {exercise.id}\0".encode())
        _add_tree(digest, tree.exercise_dir(exercise), skip=tree.stub_path(exercise))
        _add_tree(digest, tree.solution_path(exercise).parent)
    chosen = {f.name: getattr(options, f.name) for f in dataclasses.fields(options) if f.name not in _NOT_IN_KEY}
    digest.update(json.dumps(chosen, sort_keys=True, default=_plain).encode())
    return digest.hexdigest()


def student_key(course: str, verdict: str, files: Mapping[str, bytes]) -> str:
    """The hash of the course's key and what was read from one student's submission."""
    digest = hashlib.sha256(f"{course}\0{verdict}\0".encode())
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def _plain(value):
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    return str(value)
