"""What ``run_autograder`` runs on Gradescope: grade the one submission, write results.json.

Gradescope's layout under ``ROOT`` (``/autograder``): ``source/course`` (the bundled course,
with its solutions and grading seed), ``submission`` (what the student uploaded: the
``exercises/NN_topic/<module>.py`` tree, a zip of it, or the module files alone) and
``results/results.json``. The submission is graded exactly as ``tensorlings grade`` grades a
class of one, with the course's seed, so both give the same results.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from grader.errors import UserError

STUDENT = "submission"


def stage_submission(submission: Path, tree, exercise_ids: list[str], staged: Path) -> Path:
    """A one-student submissions folder for the grader: the upload as it is, or, when the student
    uploaded bare module files (``strides.py``), those files placed where the layout wants them."""
    student = staged / STUDENT
    zips = sorted(submission.glob("*.zip")) if submission.is_dir() else []
    entries = [p for p in submission.iterdir() if not p.name.startswith(".")] if submission.is_dir() else []
    if len(zips) == 1 and len(entries) == 1:
        shutil.copy2(zips[0], staged / f"{STUDENT}.zip")
        return staged
    shutil.copytree(submission, student, symlinks=True)
    by_module: dict[str, list] = {}
    for exercise_id in exercise_ids:
        exercise = tree.manifest.exercise(exercise_id)
        by_module.setdefault(exercise.module, []).append(exercise)
    for module, exercises in by_module.items():
        flat = student / module
        target = student / "exercises" / exercises[0].id / module
        if len(exercises) == 1 and flat.is_file() and not flat.is_symlink() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            flat.rename(target)
    return staged


def failed_results(message: str) -> dict:
    return {"score": 0, "output": message, "visibility": "visible", "stdout_visibility": "hidden", "tests": []}


def grade(root: Path) -> dict:
    """Grade ``root/submission`` with the course in ``root/source/course``; the results.json object."""
    from grader.course import load_course
    from grader.grading.engine import Options, grade_class
    from grader.grading.reports import RESULTS
    from grader.grading.seed import grading_seed

    tree = load_course(root / "source" / "course")
    exercise_ids = [e.id for e in tree.manifest.exercises]
    with tempfile.TemporaryDirectory(prefix="tensorlings-gradescope-") as scratch:
        staged = stage_submission(root / "submission", tree, exercise_ids, Path(scratch) / "submissions")
        out = Path(scratch) / "reports"
        options = Options(force=True, jobs=1, seed=grading_seed(tree))
        grades, problems = grade_class(tree, staged, out, options)
        results = out / STUDENT / RESULTS
        if not grades or not results.is_file():
            raise UserError("the submission could not be graded: " + "; ".join(problems or ["no results"]))
        return json.loads(results.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="run_autograder", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("/autograder"), help="Gradescope's autograder folder")
    args = parser.parse_args(argv)
    target = args.root / "results" / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        results = grade(args.root)
        code = 0
    except UserError as error:
        results = failed_results(f"The autograder could not grade this submission: {error}")
        print(f"run_autograder: {error}", file=sys.stderr)
        code = 1
    (target.parent / (target.name + ".partial")).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (target.parent / (target.name + ".partial")).replace(target)
    return code


if __name__ == "__main__":
    sys.exit(main())
