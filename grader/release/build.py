"""``tensorlings release OUT``: a learner copy of the course, with no solutions in it.

The copy holds the stubs, checks, lessons, hints, data and the framework.
Instead of ``solutions/`` it holds, per exercise, ``.recorded/cases.tlc.gz``:
the inputs the public ``release`` profile draws for every check, the reference
outputs for them and each known mistake's outputs (so feedback can still
name a mistake). The checks replay those (see ``grader.replay``). Grading
draws its own cases from the course's secret seed (``grader.grading.seed``),
which never enters a release: only the names listed below are copied.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from grader.course import CourseError, CourseTree

# What a release copies from the course root besides exercises/ and course.yml.
FRAMEWORK = ("grader", "pyproject.toml", "Makefile", "README.md", "constraints.txt", "LICENSE")
DATA = ("data",)
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".hypothesis", ".recorded",
                                  ".tensorlings*", "*.egg-info")


@dataclass
class Release:
    out: Path
    exercises: list[str]
    recordings: list[Path] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)

    @property
    def recorded_bytes(self) -> int:
        return sum(path.stat().st_size for path in self.recordings)


def _prepare(out: Path, force: bool) -> None:
    if out.exists() and any(out.iterdir()):
        if not force:
            raise CourseError(f"{out} already exists and is not empty: choose a new folder or pass --force")
        if not (out / "course.yml").is_file() or (out / "solutions").exists() or (out / ".git").exists():
            raise CourseError(f"{out} does not look like an earlier release; refusing to replace it even with --force")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def copy_course_frame(tree: CourseTree, chosen: list[str], out: Path) -> None:
    """What every copy of the course holds besides its exercises: the manifest of the chosen
    exercises, the framework and the data."""
    _write_manifest(tree, chosen, out)
    for name in (*FRAMEWORK, *DATA):
        source = tree.root / name
        if source.is_dir():
            shutil.copytree(source, out / name, ignore=_IGNORED)
        elif source.is_file():
            shutil.copy2(source, out / name)


def _write_manifest(tree: CourseTree, chosen: list[str], out: Path) -> None:
    if chosen == [e.id for e in tree.manifest.exercises]:
        shutil.copy2(tree.manifest_path, out / "course.yml")
        return
    raw = yaml.safe_load(tree.manifest_path.read_text(encoding="utf-8"))
    raw["exercises"] = [entry for entry in raw["exercises"] if entry["id"] in chosen]
    header = "# A learner release of part of the course (written by `tensorlings release`).\n"
    (out / "course.yml").write_text(header + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")


def record(tree: CourseTree, exercise_ids: list[str], out_exercises: Path) -> list[Path]:
    """Run the chosen exercises' checks against the solution and record them under ``out_exercises``."""
    tests = [str(tree.test_path(tree.manifest.exercise(i))) for i in exercise_ids]
    command = [sys.executable, "-m", "pytest", *tests, "-q", "-p", "no:cacheprovider", "--no-header",
               "--hypothesis-profile", "release", "--tensorlings-record", str(out_exercises),
               "--impl", "solutions"]
    done = subprocess.run(command, cwd=tree.root, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-25:])
        raise CourseError(
            "recording stopped because the reference solution fails its own checks "
            f"(run `tensorlings validate` to see why):\n{tail}"
        )
    written = sorted(out_exercises.glob("*/.recorded/*"))
    missing = [i for i in exercise_ids if not (out_exercises / i / ".recorded").is_dir()]
    if missing:
        raise CourseError(f"recording wrote nothing for {', '.join(missing)}: do their tests use @check?")
    return written


def build_release(tree: CourseTree, out: Path, *, exercise_ids: list[str] | None = None,
                  force: bool = False) -> Release:
    if not tree.has_solutions:
        raise CourseError(f"{tree.root} has no solutions/ folder: a release is built from the full course")
    chosen = [tree.manifest.exercise(i).id for i in exercise_ids] if exercise_ids else [
        e.id for e in tree.manifest.exercises]
    out = Path(out).resolve()
    root = tree.root.resolve()
    if out == root or (out.is_relative_to(root) and out.parts[len(root.parts)] in ("exercises", "solutions", "grader")):
        raise CourseError(f"{out} is the course or inside its own folders: write the release somewhere else")
    _prepare(out, force)
    copy_course_frame(tree, chosen, out)
    for exercise_id in chosen:
        shutil.copytree(tree.exercises_dir / exercise_id, out / "exercises" / exercise_id, ignore=_IGNORED)
    release = Release(out, chosen)
    release.recordings = record(tree, chosen, out / "exercises")
    release.leaks = leaks(tree, out, chosen)
    if release.leaks:
        raise CourseError("the release would hand out solution code:\n  " + "\n  ".join(release.leaks))
    return release


# ---------------------------------------------------------------- proving nothing leaked


# Mistake bodies shorter than this are too generic to search for.
MIN_MISTAKE_BODY = 40


def _without_hints(manifest_text: str) -> str:
    """course.yml with the hints left out: a last hint tier may state the answer, by design."""
    raw = yaml.safe_load(manifest_text)
    for exercise in raw.get("exercises", []):
        for function in exercise.get("functions", []):
            function.pop("hints", None)
    return yaml.safe_dump(raw)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def solution_bodies(tree: CourseTree, exercise_ids: list[str]) -> dict[str, str]:
    """``exercise.function`` -> its body source without the docstring, whitespace collapsed."""
    bodies: dict[str, str] = {}
    for exercise_id in exercise_ids:
        exercise = tree.manifest.exercise(exercise_id)
        for path in (tree.solution_path(exercise), tree.mistakes_path(exercise)):
            if not path.is_file():
                continue
            source = path.read_text(encoding="utf-8")
            for node in ast.parse(source).body:
                if not isinstance(node, ast.FunctionDef):
                    continue
                statements = node.body
                if statements and isinstance(statements[0], ast.Expr) and isinstance(
                        getattr(statements[0], "value", None), ast.Constant) and isinstance(
                        statements[0].value.value, str):
                    statements = statements[1:]
                if not statements:
                    continue
                text = _normalise("\n".join(ast.get_source_segment(source, s) or "" for s in statements))
                if path.name == "mistakes.py" and len(text) < MIN_MISTAKE_BODY:
                    continue  # `return a` identifies nothing; the file itself must not be there
                bodies[f"{path.relative_to(tree.root)}:{node.name}"] = text
    return bodies


def leaks(tree: CourseTree, out: Path, exercise_ids: list[str]) -> list[str]:
    """Solution and mistake function bodies found in any text file under ``out`` (and any mistakes.py).

    The hints in course.yml are left out of the search: the last tier of a
    hint may spell out a one-line answer, and hints belong in a release.
    """
    bodies = solution_bodies(tree, exercise_ids)
    found = [f"{path.relative_to(out)}: a mistakes.py" for path in out.rglob("mistakes.py")
             if not path.is_relative_to(out / "grader")]  # grader/mistakes.py is the framework's
    if (out / "solutions").exists():
        found.append("solutions/: the folder itself")
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
            text = _normalise(_without_hints(text) if path == out / "course.yml" else text)
        except UnicodeDecodeError:
            continue
        for name, body in bodies.items():
            if body and body in text:
                found.append(f"{path.relative_to(out)}: the body of {name}")
    return found
