"""A student's exercises are served by one worker, and one exercise's crash or hang is still its own.

Grading starts one sandboxed worker per student, not one per exercise; each module is imported
there the first time its exercise is checked. A module that ends the process while importing,
or a call that hangs, costs its own exercise only: the next exercise gets a fresh worker.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from grader.course import load_course
from grader.grading import engine, remote
from grader.grading.worker import Limits

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = ("01_tensors", "03_strides")
STRIDES_POINTS = 11

pytestmark = pytest.mark.skipif(os.name != "posix" or not hasattr(os, "fork"), reason="grading needs fork (Linux)")

settings.register_profile("one-worker-tests", max_examples=5, deadline=None, derandomize=True, database=None,
                          print_blob=False, suppress_health_check=list(HealthCheck))


def _student(subs: Path, name: str, strides_tail: str = "") -> None:
    for exercise, module in (("01_tensors", "tensors.py"), ("03_strides", "strides.py")):
        folder = subs / name / "exercises" / exercise
        folder.mkdir(parents=True)
        text = (ROOT / "solutions" / exercise / module).read_text(encoding="utf-8")
        (folder / module).write_text(text + (strides_tail if exercise == "03_strides" else ""), encoding="utf-8")


@pytest.fixture
def count_workers(monkeypatch):
    """How many workers were started in this process (one job: the slot is this process)."""
    started: list[str] = []
    original = remote._Worker.__init__

    def counting(self, context, exercises, files):
        started.append(context.student)
        original(self, context, exercises, files)

    monkeypatch.setattr(remote._Worker, "__init__", counting)
    return started


def _grade(tmp_path: Path, pristine_course: Path, names_and_tails: dict[str, str]):
    subs = tmp_path / "subs"
    for name, tail in names_and_tails.items():
        _student(subs, name, tail)
    tree = load_course(pristine_course)
    options = engine.Options(jobs=1, exercises=list(EXERCISES), write_reports=False, profile="one-worker-tests",
                             limits=Limits(call_seconds=2.0, exercise_seconds=60))
    grades, problems = engine.grade_class(tree, subs, tmp_path / "out", options)
    assert problems == []
    return {g.student: g for g in grades}


def _points(grade, exercise: str) -> float:
    return sum(f.points for f in grade.functions if f.exercise == exercise)


def _possible(grade, exercise: str) -> float:
    return sum(f.max_points for f in grade.functions if f.exercise == exercise)


def test_a_correct_student_is_served_by_one_worker(tmp_path, pristine_course, count_workers):
    grades = _grade(tmp_path, pristine_course, {"correct": ""})
    grade = grades["correct"]
    assert grade.score == sum(f.max_points for f in grade.functions) > 0
    assert count_workers == ["correct"]   # one worker for both exercises, not one each


def test_a_module_that_ends_its_process_at_import_costs_only_its_exercise(tmp_path, pristine_course,
                                                                         count_workers):
    grades = _grade(tmp_path, pristine_course, {"exits": "\nimport os\nos._exit(0)\n"})
    grade = grades["exits"]
    assert _points(grade, "03_strides") == 0
    assert _points(grade, "01_tensors") == _possible(grade, "01_tensors") > 0
    assert any("03_strides" in hit and "imported" in hit for hit in grade.limits_hit)


def test_a_hang_costs_only_its_function_and_the_worker_is_replaced(tmp_path, pristine_course, count_workers):
    hang = "\n\ndef contiguous_strides(shape):\n    while True:\n        pass\n"
    grades = _grade(tmp_path, pristine_course, {"hangs": hang})
    grade = grades["hangs"]
    assert _points(grade, "03_strides") == STRIDES_POINTS - 2   # contiguous_strides is worth 2
    assert _points(grade, "01_tensors") == _possible(grade, "01_tensors") > 0
    assert len(count_workers) >= 2       # the hung worker was killed, and a fresh one served the rest
