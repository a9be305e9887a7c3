"""Reruns keyed by content: a student is graded again exactly when what their grade depends on changed.

Also what must never happen on a rerun: a damaged or foreign grade.json crashing it or being kept,
and a not-gradable submission passing for a 0.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import shutil
from pathlib import Path

import pytest

from grader.course import load_course
from grader.grading import engine
from grader.grading.roster import Person
from grader.grading.worker import Limits
from tests.helpers import FIXTURES

pytestmark = pytest.mark.skipif(os.name != "posix" or not hasattr(os, "fork"), reason="grading needs fork (Linux)")

STUDENTS = ("named_mistake", "passed")
OPTIONS = engine.Options(jobs=1, limits=Limits(call_seconds=5.0))


@pytest.fixture
def setup(tmp_path) -> dict:
    shutil.copytree(FIXTURES / "tiny", tmp_path / "tiny")
    for name in STUDENTS:
        shutil.copytree(FIXTURES / "golden" / "students" / name, tmp_path / "subs" / name)
    return {"tree": load_course(tmp_path / "tiny"), "subs": tmp_path / "subs", "out": tmp_path / "out",
            "course": tmp_path / "tiny"}


def _run(setup: dict, options: engine.Options = OPTIONS) -> tuple[engine.Tally, list[str], dict]:
    notes: list[str] = []
    tally = engine.Tally()
    grades, problems = engine.grade_class(setup["tree"], setup["subs"], setup["out"], options, notes=notes.append,
                                          tally=tally)
    assert problems == []
    return tally, notes, {g.student: g for g in grades}


def _stamps(out: Path) -> dict[str, int]:
    return {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/grade.json")}


def test_unchanged_students_are_skipped_and_changed_ones_regraded(setup):
    first, _, grades = _run(setup)
    assert (first.graded, first.unchanged) == (2, 0)
    assert grades["passed"].score == 5 and grades["named_mistake"].score == 3
    stamps = _stamps(setup["out"])

    again, _, _ = _run(setup)
    assert (again.graded, again.unchanged) == (0, 2)
    assert _stamps(setup["out"]) == stamps
    assert again.line() == "0 graded, 2 unchanged (skipped), 0 not gradable"

    # the student fixes their code: only they are graded again, and get the new score
    fixed = setup["subs"] / "passed" / "exercises" / "01_scale" / "scale.py"
    shutil.copy(fixed, setup["subs"] / "named_mistake" / "exercises" / "01_scale" / "scale.py")
    fixed_run, _, grades = _run(setup)
    assert (fixed_run.graded, fixed_run.unchanged) == (1, 1)
    assert grades["named_mistake"].score == 5
    assert _stamps(setup["out"])["passed"] == stamps["passed"]


@pytest.mark.parametrize("change", ["checks", "solution", "course.yml", "options", "framework"])
def test_a_change_on_the_course_side_regrades_everyone(setup, change, monkeypatch):
    _run(setup)
    options = OPTIONS
    if change == "framework":  # an upgrade of tensorlings alone (a grading fix) grades everyone again
        from grader.grading import cache

        monkeypatch.setattr(cache, "_framework_hash", cache.framework_version() + "-upgraded")
    elif change == "checks":
        with (setup["course"] / "exercises" / "01_scale" / "test_scale.py").open("a") as stream:
            stream.write("\n# one more comment\n")
    elif change == "solution":
        with (setup["course"] / "solutions" / "01_scale" / "scale.py").open("a") as stream:
            stream.write("\n# one more comment\n")
    elif change == "course.yml":
        path = setup["course"] / "course.yml"
        path.write_text(path.read_text().replace("points: 2", "points: 4"))
        setup["tree"] = load_course(setup["course"])
    else:
        options = dataclasses.replace(OPTIONS, limits=Limits(call_seconds=4.0))
    tally, _, grades = _run(setup, options)
    assert (tally.graded, tally.unchanged) == (2, 0)
    if change == "course.yml":
        assert grades["passed"].score == grades["passed"].max_score == 7


def test_a_narrower_exercise_set_is_a_different_grade(setup):
    _run(setup)
    tally, _, _ = _run(setup, dataclasses.replace(OPTIONS, exercises=["01_scale"]))
    assert tally.graded == 2


def test_force_regrades_all_and_student_regrades_one(setup):
    _run(setup)
    stamps = _stamps(setup["out"])
    forced, _, _ = _run(setup, dataclasses.replace(OPTIONS, force=True))
    assert forced.graded == 2
    stamps_after_force = _stamps(setup["out"])
    assert all(stamps_after_force[name] != stamps[name] for name in STUDENTS)
    one, _, _ = _run(setup, dataclasses.replace(OPTIONS, student="passed"))
    assert (one.graded, one.unchanged) == (1, 1)
    after = _stamps(setup["out"])
    assert after["passed"] != stamps_after_force["passed"]
    assert after["named_mistake"] == stamps_after_force["named_mistake"]
    with pytest.raises(engine.GradingError, match="no student 'nobody'"):
        _run(setup, dataclasses.replace(OPTIONS, student="nobody"))


@pytest.mark.parametrize("damage", ["[]", "null", '{"student": "passed"}', "{not json", '"text"'])
def test_a_damaged_or_foreign_grade_is_regraded_with_a_note(setup, damage):
    _run(setup)
    (setup["out"] / "passed" / "grade.json").write_text(damage)
    tally, notes, grades = _run(setup)
    assert (tally.graded, tally.unchanged) == (1, 1)
    assert grades["passed"].score == 5
    assert [note for note in notes if "passed" in note and "grade.json" in note], notes


def test_a_grade_of_another_student_is_not_taken(setup):
    _run(setup)
    shutil.copy(setup["out"] / "passed" / "grade.json", setup["out"] / "named_mistake" / "grade.json")
    tally, _, grades = _run(setup)
    assert tally.graded == 1 and grades["named_mistake"].score == 3


def test_not_gradable_is_said_everywhere_and_never_a_stub_zero(setup):
    flat = setup["subs"] / "jack_flat"
    flat.mkdir()
    shutil.copy(setup["course"] / "solutions" / "01_scale" / "scale.py", flat / "scale.py")
    roster = {"passed": Person("Ada", "Lovelace", "ada@example.org")}
    tally, _, grades = _run(setup, dataclasses.replace(OPTIONS, roster=roster))
    assert tally.line() == "2 graded, 0 unchanged (skipped), 1 not gradable"
    out = setup["out"]
    assert not grades["jack_flat"].gradable and grades["jack_flat"].verdict == "wrong layout"

    rows = {row["student_id"]: row for row in csv.DictReader(io.StringIO((out / "grades.csv").read_text()))}
    assert rows["jack_flat"]["score"] == rows["jack_flat"]["raw_score"] == ""      # no grade, not a 0
    assert rows["jack_flat"]["max_score"] == "5.0"
    assert rows["named_mistake"]["score"] == "3.0"
    assert (rows["passed"]["first_name"], rows["passed"]["last_name"], rows["passed"]["email"]) == \
        ("Ada", "Lovelace", "ada@example.org")

    results = json.loads((out / "jack_flat" / "results.json").read_text())
    assert results["extra_data"]["not_gradable"] is True and results["score"] == 0
    assert results["output"].startswith("NOT GRADABLE (wrong layout)") and "jack_flat/scale.py" in results["output"]

    page = (out / "jack_flat" / "feedback.html").read_text()
    assert "could not be graded" in page and "jack_flat/scale.py" in page
    summary = (out / "summary.html").read_text()
    assert "Not gradable" in summary and "wrong layout" in summary
    assert "2 students graded, 1 not gradable" in summary
