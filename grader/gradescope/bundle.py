"""The autograder zip: ``setup.sh`` and ``run_autograder`` at its top, the course beside them.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once to build its
image, then runs ``run_autograder`` for each submission (in ``/autograder/submission``) and
reads ``/autograder/results/results.json``. The bundled course holds the solutions and the
grading seed: the zip is the instructor's, never the learners'.
"""

from __future__ import annotations

import shutil
import stat
import tempfile
import zipfile
from pathlib import Path

from grader.course import CourseError, CourseTree
from grader.grading.seed import FILENAME as SEED_FILE
from grader.grading.seed import grading_seed, write_seed
from grader.release.build import _IGNORED, copy_course_frame

COURSE = "course"  # the course's folder inside the zip, so /autograder/source/course on Gradescope

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, in /autograder/source, to build the autograder's image.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
if ! command -v python3 >/dev/null || ! python3 -m venv --help >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y python3 python3-venv python3-pip
fi
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --upgrade pip
"$ROOT/venv/bin/python" -m pip install -c "$ROOT/source/course/constraints.txt" "$ROOT/source/course"
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade /autograder/submission with the course's
# held-back cases into /autograder/results/results.json. AUTOGRADER_ROOT moves the whole tree
# (a test runs it in a temporary folder); TENSORLINGS_PYTHON names another interpreter.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${TENSORLINGS_PYTHON:-$ROOT/venv/bin/python}"
exec "$PYTHON" -m grader.gradescope.autograder --root "$ROOT"
"""


def build_bundle(tree: CourseTree, out: Path, *, exercise_ids: list[str] | None = None) -> Path:
    """Write the autograder zip to ``out``; returns its path."""
    if not tree.has_solutions:
        raise CourseError(f"{tree.root} has no solutions/ folder: the autograder is built from the full course")
    out = Path(out).resolve()
    if out.suffix.lower() != ".zip":
        raise CourseError(f"{out.name}: name the autograder file with .zip, e.g. autograder.zip")
    chosen = [tree.manifest.exercise(i).id for i in exercise_ids] if exercise_ids else [
        e.id for e in tree.manifest.exercises]
    seed = grading_seed(tree)  # the course's own seed: Gradescope grades as `tensorlings grade` does
    with tempfile.TemporaryDirectory(prefix="tensorlings-gradescope-") as scratch:
        course = Path(scratch) / COURSE
        _copy_course(tree, chosen, course)
        write_seed(course / SEED_FILE, seed)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            _add_script(archive, "setup.sh", SETUP)
            _add_script(archive, "run_autograder", RUN)
            for path in sorted(course.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(scratch).as_posix())
        partial.replace(out)
    return out


def _copy_course(tree: CourseTree, chosen: list[str], course: Path) -> None:
    course.mkdir(parents=True)
    copy_course_frame(tree, chosen, course)
    for exercise_id in chosen:
        for top in ("exercises", "solutions"):
            source = tree.root / top / exercise_id
            if source.is_dir():
                shutil.copytree(source, course / top / exercise_id, ignore=_IGNORED)


def _add_script(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFREG | 0o755) << 16  # executable once unpacked
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)
