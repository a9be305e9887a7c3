"""The real nbgrader pipeline, in a temporary course directory."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# CI runs one exercise; `make nbgrader-course` runs them all.
EXERCISES = None if os.environ.get("NBGRADER_ALL_EXERCISES") else ["03_strides"]


def nbgrader_command() -> list[str]:
    pytest.importorskip("nbgrader", reason="nbgrader is not installed: `make` installs it with the dev extra")
    pytest.importorskip("ipykernel", reason="ipykernel is not installed: `make` installs it with the dev extra")
    return [sys.executable, "-m", "nbgrader"]


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("TENSORLINGS_REPLAY",)}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return done


@dataclass
class Mistaken:
    function: str
    name: str
    source: str


@dataclass
class NbgraderCourse:
    directory: Path
    exercises: list
    mistakes: dict[str, Mistaken] = field(default_factory=dict)


def first_mistake(exercise) -> Mistaken:
    """The first known mistake of an exercise, as a notebook answer cell that defines the function."""
    path = ROOT / "solutions" / exercise.id / "mistakes.py"
    source = path.read_text()
    module = ast.parse(source)
    imports = [ast.get_source_segment(source, n) for n in module.body
               if isinstance(n, (ast.Import, ast.ImportFrom)) and "grader" not in ast.dump(n)
               and "__future__" not in ast.dump(n)]
    for node in module.body:
        if isinstance(node, ast.FunctionDef) and node.decorator_list:
            function, name = node.decorator_list[0].args[0].value, node.decorator_list[0].args[1].value
            code = ast.get_source_segment(source, node)
            code = code[code.index("def "):]
            return Mistaken(function, name, "\n".join([*imports, code, f"{function} = {node.name}"]))
    raise AssertionError(f"{path} has no mistakes")


def write_students(course: NbgraderCourse) -> None:
    """submitted/: the released notebook untouched, every solution filled in, and one known mistake."""
    import nbformat

    directory = course.directory
    for exercise in course.exercises:
        source = nbformat.read(directory / "source" / exercise.id / f"{exercise.id}.ipynb", as_version=4)
        answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
                   if c.metadata.get("nbgrader", {}).get("solution")}
        mistake = course.mistakes[exercise.id] = first_mistake(exercise)
        for student, answer in (
            ("untouched", lambda grade_id, cell: cell),
            ("perfect", lambda grade_id, cell, a=answers: a[grade_id]),
            ("mistaken", lambda grade_id, cell, a=answers, m=mistake: m.source if grade_id == m.function else a[grade_id]),
        ):
            folder = directory / "submitted" / student / exercise.id
            shutil.copytree(directory / "release" / exercise.id, folder)
            notebook_path = folder / f"{exercise.id}.ipynb"
            notebook = nbformat.read(notebook_path, as_version=4)
            for cell in notebook.cells:
                meta = cell.metadata.get("nbgrader", {})
                if meta.get("solution"):
                    cell.source = answer(meta["grade_id"], cell.source)
            nbformat.write(notebook, notebook_path)


@pytest.fixture(scope="session")
def nbgrader_course(tmp_path_factory, pristine_course) -> NbgraderCourse:
    from grader.course import load_course

    nbgrader = nbgrader_command()
    tree = load_course(pristine_course)  # the notebooks' stubs are the untouched ones, never the learner's
    directory = tmp_path_factory.mktemp("nbgrader") / "course"
    chosen = EXERCISES or [e.id for e in tree.manifest.exercises]
    run([sys.executable, "-m", "grader.cli", "--course", str(pristine_course), "nbgrader", str(directory),
         "--exercises", *chosen], cwd=pristine_course)
    course = NbgraderCourse(directory, [tree.manifest.exercise(i) for i in chosen])
    for exercise in course.exercises:
        run([*nbgrader, "generate_assignment", exercise.id], cwd=directory)
    write_students(course)
    for exercise in course.exercises:
        run([*nbgrader, "autograde", exercise.id], cwd=directory)
        run([*nbgrader, "generate_feedback", exercise.id], cwd=directory)
    run([*nbgrader, "export"], cwd=directory)
    return course
