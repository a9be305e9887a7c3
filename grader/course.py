"""Finding a course on disk and loading its manifest.

A course root is a folder with ``course.yml`` in it. Loading checks the
manifest's schema and then what the schema cannot see: that each exercise's
folders exist and that the stub defines every function the manifest lists.
Any problem becomes one ``CourseError`` that names the file, the exercise
and the field.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import ValidationError

from grader.errors import UserError
from grader.manifest import Course, Exercise, describe_location

MANIFEST = "course.yml"


class CourseError(UserError):
    """A problem with the course on disk that its author must fix."""


class NoCourse(CourseError):
    """No course.yml at or above a folder."""


def find_root(start: Path | str = ".") -> Path:
    """The nearest folder at or above ``start`` that holds ``course.yml``."""
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if (folder / MANIFEST).is_file():
            return folder
    raise NoCourse(f"no {MANIFEST} found in {start} or any folder above it: run this inside a tensorlings course")


# Parsed manifests by their exact content: a process that forks checking children parses once.
_parsed: dict[bytes, Course] = {}
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: several times faster


def parse_manifest(path: Path) -> Course:
    """Read and validate one manifest file, without looking at the folders."""
    try:
        data = path.read_bytes()
        if data in _parsed:
            return _parsed[data]
        raw = yaml.load(data.decode("utf-8"), Loader=_Loader)  # noqa: S506 - a safe loader
    except FileNotFoundError:
        raise CourseError(f"{path}: file not found") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise CourseError(f"{path}{where}: not valid YAML ({getattr(error, 'problem', error)})") from None
    try:
        course = _parsed[data] = Course.model_validate(raw)
        return course
    except ValidationError as error:
        first = error.errors()[0]
        where = describe_location(raw, first["loc"])
        more = f" (and {error.error_count() - 1} more problems)" if error.error_count() > 1 else ""
        value = f" (got {first['input']!r})" if first["type"] not in ("missing", "extra_forbidden") else ""
        message = "unknown field: remove it or check its spelling" if first["type"] == "extra_forbidden" else first["msg"]
        raise CourseError(f"{path}: {where}: {message}{value}{more}") from None


def defined_functions(module_path: Path) -> dict[str, ast.FunctionDef]:
    """Top-level functions of a Python file, read without running it."""
    tree = ast.parse(module_path.read_text(encoding="utf-8"), filename=str(module_path))
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


@dataclass(frozen=True)
class CourseTree:
    """A course on disk: its root folder and its validated manifest."""

    root: Path
    manifest: Course

    @property
    def exercises_dir(self) -> Path:
        return self.root / "exercises"

    @property
    def solutions_dir(self) -> Path:
        return self.root / "solutions"

    @property
    def has_solutions(self) -> bool:
        return self.solutions_dir.is_dir()

    def exercise_dir(self, exercise: Exercise) -> Path:
        return self.exercises_dir / exercise.id

    def stub_path(self, exercise: Exercise) -> Path:
        return self.exercise_dir(exercise) / exercise.module

    def test_path(self, exercise: Exercise) -> Path:
        return self.exercise_dir(exercise) / exercise.test_file

    def solution_path(self, exercise: Exercise) -> Path:
        return self.solutions_dir / exercise.id / exercise.module

    def mistakes_path(self, exercise: Exercise) -> Path:
        return self.solutions_dir / exercise.id / "mistakes.py"

    def exercise_for_path(self, path: Path) -> Exercise | None:
        """The exercise whose folder holds ``path``, if any."""
        path = path.resolve()
        for exercise in self.manifest.exercises:
            if path.is_relative_to(self.exercise_dir(exercise).resolve()):
                return exercise
        return None

    @cached_property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST


def check_folders(tree: CourseTree) -> None:
    """Check what the schema cannot: every exercise's folder and its tests exist."""
    where = tree.manifest_path
    for exercise in tree.manifest.exercises:
        folder = tree.exercise_dir(exercise)
        if not folder.is_dir():
            raise CourseError(f"{where}: exercise {exercise.id}: folder exercises/{exercise.id}/ does not exist")
        if not tree.test_path(exercise).is_file():
            rel = tree.test_path(exercise).relative_to(tree.root)
            raise CourseError(f"{where}: exercise {exercise.id}, field 'tests': {rel} does not exist")


def check_stubs(tree: CourseTree) -> None:
    """The author's check that every stub exists, parses and defines the functions the manifest lists.

    Only commands for authors run it (validate, release, nbgrader): a learner's half-edited module
    is that exercise's problem, reported per function, never a reason to refuse the whole course.
    """
    where = tree.manifest_path
    for exercise in tree.manifest.exercises:
        path = tree.stub_path(exercise)
        rel = path.relative_to(tree.root)
        if not path.is_file():
            raise CourseError(f"{where}: exercise {exercise.id}, field 'module': {rel} does not exist")
        try:
            defined = defined_functions(path)
        except SyntaxError as error:
            raise CourseError(f"{rel} line {error.lineno}: the stub has a syntax error: {error.msg}") from None
        for function in exercise.functions:
            if function.name not in defined:
                raise CourseError(
                    f"{where}: exercise {exercise.id}, function {function.name}: "
                    f"exercises/{exercise.id}/{exercise.module} does not define it"
                )


def load_course(start: Path | str = ".", *, stubs: bool = False) -> CourseTree:
    """Find, parse and check the course around ``start``; ``stubs``: also the author's check of the stubs."""
    root = find_root(start)
    tree = CourseTree(root=root, manifest=parse_manifest(root / MANIFEST))
    check_folders(tree)
    if stubs:
        check_stubs(tree)
    return tree
