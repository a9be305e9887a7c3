"""Helpers for the framework's own tests: ways to run a course as its users do."""

from __future__ import annotations

import ast
import contextlib
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from grader.course import MANIFEST, CourseTree, parse_manifest
from grader.manifest import Exercise

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]


def learner_copy(root: Path, source: str, module: str = "01_scale/scale.py") -> Path:
    """A folder laid out like exercises/ whose module holds ``source``."""
    path = root / module
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return root


def run_pytest(course: Path, *args: str) -> subprocess.CompletedProcess:
    """Run pytest as a learner would, in a fresh process, inside ``course``."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=course, capture_output=True, text=True, timeout=300,
    )


def run_cli(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grader.cli", *args], cwd=course, capture_output=True, text=True, timeout=300,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": str(course)},
    )


# ---------------------------------------------------------------- the real course, without the learner's work
#
# The learner edits exercises/<id>/<module>.py in this very checkout, so the framework's tests never
# read those files (docs/testing.md): a test that needs the untouched stub derives it from the solution.


def repo_course() -> CourseTree:
    """The real course's manifest and paths, loaded without reading the learner's modules.

    ``load_course`` would parse every stub to check the functions it defines; this does not.
    """
    return CourseTree(root=REPO, manifest=parse_manifest(REPO / MANIFEST))


def learner_modules(tree: CourseTree | None = None) -> list[Path]:
    """The files the learner edits: exercises/<id>/<module>.py of every exercise in course.yml."""
    tree = tree or repo_course()
    return [tree.stub_path(exercise) for exercise in tree.manifest.exercises]


def stub_from_solution(tree: CourseTree, exercise: Exercise) -> str:
    """The untouched stub of ``exercise``, derived from its reference solution.

    Every function listed for the exercise in course.yml keeps its signature and docstring and gets
    ``raise NotImplementedError`` as its body; imports, helpers and comments stay as they are.
    """
    path = tree.solution_path(exercise)
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    listed = {function.name for function in exercise.functions}
    functions = [node for node in ast.parse(source, filename=str(path)).body
                 if isinstance(node, ast.FunctionDef) and node.name in listed]
    missing = listed - {node.name for node in functions}
    if missing:
        raise AssertionError(f"{path} does not define {sorted(missing)}, listed for {exercise.id} in course.yml")
    for node in sorted(functions, key=lambda n: n.lineno, reverse=True):
        body = node.body
        has_docstring = (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                         and isinstance(body[0].value.value, str))
        first = body[0]
        indent = " " * first.col_offset
        if first.lineno == node.lineno:  # a one-line def: `def f(x): return x`
            raise AssertionError(f"{path} line {node.lineno}: put the body of {node.name} on its own lines")
        keep_until = first.end_lineno if has_docstring else first.lineno - 1   # 1-based, inclusive
        lines[keep_until:node.end_lineno] = [f"{indent}raise NotImplementedError\n"]
    return "".join(lines)


# Course content beside exercises/ and course.yml: what a fresh clone has (and a release copies).
COURSE_ROOT_CONTENT = ("solutions", "data", "grader", "pyproject.toml", "Makefile", "README.md",
                       "constraints.txt", "LICENSE")


def write_pristine_course(destination: Path, tree: CourseTree | None = None) -> Path:
    """A private copy of the real course in which every learner module is its untouched stub.

    Course content is copied as it is (course.yml, solutions/, data/, the framework and its settings,
    each exercise's tests, lessons, recordings and helper files); the learner modules are written
    from ``stub_from_solution``.
    """
    tree = tree or repo_course()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".hypothesis", ".tensorlings-progress.json")
    destination.mkdir(parents=True)
    shutil.copy2(tree.manifest_path, destination / MANIFEST)
    for name in COURSE_ROOT_CONTENT:
        source = tree.root / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=ignore)
        elif source.is_file():
            shutil.copy2(source, destination / name)
    for exercise in tree.manifest.exercises:
        module = exercise.module
        shutil.copytree(tree.exercise_dir(exercise), destination / "exercises" / exercise.id,
                        ignore=lambda folder, names, module=module: [
                            *ignore(folder, names), *([module] if module in names else [])])
        (destination / "exercises" / exercise.id / module).write_text(
            stub_from_solution(tree, exercise), encoding="utf-8")
    return destination


def committed_stub(tree: CourseTree, exercise: Exercise) -> str | None:
    """The stub as last committed to git (course content), or None outside a git checkout.

    Only for checks that must match the exact stub text, such as the generated demo class: the
    working file is the learner's, the committed blob is the course's.
    """
    path = tree.stub_path(exercise).relative_to(tree.root).as_posix()
    try:
        done = subprocess.run(["git", "show", f"HEAD:{path}"], cwd=tree.root, capture_output=True, text=True)
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


@contextlib.contextmanager
def small_tmpfs(folder: Path, size: str):
    """A real tmpfs of ``size`` (e.g. "32k") mounted at ``folder``: a file system that runs out of space.
    Skips the test, with the reason, where mounting is not permitted."""
    import pytest

    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip() or 'not permitted'})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)
