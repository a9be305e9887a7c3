"""`tensorlings solution` in a release: the recorded explanation, never solution code."""

from __future__ import annotations

import shutil
import sys

from grader.solution import answer_lines, leaked
from tests.release.conftest import EXERCISE, ROOT, run


def test_a_release_shows_the_explanation_and_no_solution_code(release, tmp_path, course):
    copy = tmp_path / "learner"
    shutil.copytree(release, copy)
    exercise = course.manifest.exercise(EXERCISE)
    solution = (ROOT / "solutions" / EXERCISE / exercise.module).read_text()
    (copy / "exercises" / EXERCISE / exercise.module).write_text(solution)
    function = exercise.functions[0].name
    done = run([sys.executable, "-m", "grader.cli", "solution", EXERCISE, function], cwd=copy)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no solutions/" in done.stdout and "the explanation it records" in done.stdout
    assert not leaked(done.stdout, answer_lines(solution, function)), done.stdout
