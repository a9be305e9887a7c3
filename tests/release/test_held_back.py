"""Held-back cases: grading draws from the course's secret seed, never from what a release ships.

A release records the public ``release`` profile's cases with the reference's answers, so a
submission can carry those answers as a lookup table. Graded, such a table must score what a stub
scores, while an honest solution scores full; and the seed itself must never reach a learner.
"""

from __future__ import annotations

import base64
import gzip
import os
import pickle
import sys
from pathlib import Path

import pytest

from grader import codec
from grader.course import load_course
from grader.grading import engine
from grader.grading.seed import FILENAME, grading_seed, read_seed
from grader.grading.worker import Limits
from grader.replay import FILENAME as CASES
from grader.replay import FOLDER
from tests.release.conftest import EXERCISE, ROOT, run

pytestmark = pytest.mark.skipif(os.name != "posix" or not hasattr(os, "fork"), reason="grading needs fork (Linux)")

FINGERPRINT_SOURCE = (ROOT / "grader" / "replay" / "fingerprint.py").read_text(encoding="utf-8")


def lookup_table_module(recording: Path, functions: list[str]) -> str:
    """A submission with no solution code: it answers from the release's recorded answers, keyed by
    the fingerprint of the inputs, and raises like a stub on any input the release did not record.

    It needs nothing of the grader at run time (the fingerprint's code and the answers are inlined),
    so only the cases decide its score."""
    with gzip.open(recording, "rb") as handle:
        recorded = codec.loads(handle.read())
    table = {name: {key: pickle.dumps(codec.loads(entry["solution"]["result"]))
                    for key, entry in data["calls"].items() if "result" in entry["solution"]}
             for name, data in recorded["functions"].items()}
    data = base64.b64encode(gzip.compress(pickle.dumps(table))).decode()
    lines = [FINGERPRINT_SOURCE, "import base64 as _b64, gzip as _gz, pickle as _pk",
             f"_TABLE = _pk.loads(_gz.decompress(_b64.b64decode({data!r})))",
             "def _answer(name, args, kwargs):",
             "    found = _TABLE[name].get(fingerprint(args, kwargs))",
             "    if found is None:",
             "        raise NotImplementedError('not in the table')",
             "    return _pk.loads(found)"]
    for name in functions:
        lines.append(f"def {name}(*args, **kwargs):\n    return _answer({name!r}, args, kwargs)")
    return "\n".join(lines) + "\n"


def _student(root: Path, name: str, text: str) -> None:
    folder = root / name / "exercises" / EXERCISE
    folder.mkdir(parents=True)
    (folder / "strides.py").write_text(text, encoding="utf-8")


def test_a_lookup_table_of_the_release_scores_what_a_stub_scores(release, course, tmp_path):
    exercise = course.manifest.exercise(EXERCISE)
    names = [f.name for f in exercise.functions]
    table = lookup_table_module(release / "exercises" / EXERCISE / FOLDER / CASES, names)
    # The table is a working cheat: inside the release it passes every replayed check.
    (tmp_path / "table" / EXERCISE).mkdir(parents=True)
    (tmp_path / "table" / EXERCISE / "strides.py").write_text(table, encoding="utf-8")
    learner = run([sys.executable, "-m", "pytest", f"exercises/{EXERCISE}", "-q", "-p", "no:cacheprovider",
                   "--impl", str(tmp_path / "table")], cwd=release)
    assert learner.returncode == 0, learner.stdout[-3000:]

    subs = tmp_path / "subs"
    _student(subs, "honest", course.solution_path(exercise).read_text(encoding="utf-8"))
    _student(subs, "stub", course.stub_path(exercise).read_text(encoding="utf-8"))
    _student(subs, "table", table)
    options = engine.Options(jobs=1, force=True, exercises=[EXERCISE], write_reports=False,
                             limits=Limits(call_seconds=10.0), seed=20261130)
    grades, problems = engine.grade_class(course, subs, tmp_path / "out", options, notes=lambda _: None)
    assert problems == []
    by_student = {g.student: {f.function: f.points for f in g.functions} for g in grades}
    full = sum(f.points for f in exercise.functions)
    assert sum(by_student["honest"].values()) == full
    assert by_student["table"] == by_student["stub"], by_student
    assert sum(by_student["table"].values()) == 0


def test_a_course_keeps_one_seed_and_a_new_one_is_one_flag_away(pristine_course_copy):
    tree = load_course(pristine_course_copy)
    first = grading_seed(tree)
    assert (pristine_course_copy / FILENAME).is_file()
    assert grading_seed(tree) == first == read_seed(pristine_course_copy / FILENAME)
    assert grading_seed(tree, chosen=7) == 7 and read_seed(pristine_course_copy / FILENAME) == first
    renewed = grading_seed(tree, new=True)
    assert renewed != first and read_seed(pristine_course_copy / FILENAME) == renewed


def test_a_corrupt_seed_file_is_one_clear_error(pristine_course_copy):
    from grader.grading.errors import GradingError

    (pristine_course_copy / FILENAME).write_text("not a number\n")
    with pytest.raises(GradingError, match=f"{FILENAME} should hold one whole number"):
        grading_seed(load_course(pristine_course_copy))


def test_the_seed_is_ignored_by_git():
    assert FILENAME in (ROOT / ".gitignore").read_text(encoding="utf-8").split()


def test_neither_a_release_nor_the_nbgrader_notebooks_carry_the_seed(pristine_course_copy, tmp_path):
    secret = 418_512_733_901_276_455
    (pristine_course_copy / FILENAME).write_text(f"{secret}\n")
    release, nbgrader = tmp_path / "release", tmp_path / "nbgrader"
    for command in (["release", str(release)], ["nbgrader", str(nbgrader)]):
        done = run([sys.executable, "-m", "grader.cli", "--course", str(pristine_course_copy), *command,
                    "--exercises", EXERCISE], cwd=pristine_course_copy)
        assert done.returncode == 0, done.stdout + done.stderr
    files = [p for folder in (release, nbgrader) for p in folder.rglob("*") if p.is_file()]
    assert any(p.suffix == ".ipynb" for p in files) and (release / "course.yml").is_file()
    assert not [p for p in files if p.name == FILENAME]
    assert not [p for p in files if str(secret).encode() in _readable(p)]


def _readable(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def test_a_negative_seed_is_one_usage_message(pristine_course_copy, tmp_path):
    (tmp_path / "subs").mkdir()
    done = run([sys.executable, "-m", "grader.cli", "--course", str(pristine_course_copy), "grade",
                str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--seed", "-1"], cwd=tmp_path)
    assert done.returncode == 2 and "--seed -1: a grading seed is a whole number" in done.stderr
    assert "Traceback" not in done.stderr
