"""Recordings are kept between runs and recorded again only when what they depend on changed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from grader.course import load_course
from grader.grading import cache
from grader.grading.prepare import prepare_recordings
from tests.helpers import FIXTURES

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="recording needs fork (Linux)")


class CountingPrepare:
    """The real preparation, counting the exercises it had to record."""

    def __init__(self) -> None:
        self.recorded: list[str] = []

    def __call__(self, tree, exercises, recorded, profile, jobs):
        self.recorded += [e.id for e in exercises]
        return prepare_recordings(tree, exercises, recorded, profile, jobs)


def _refuse(*_args):
    raise AssertionError("a cached recording was recorded again")


@pytest.fixture
def course(tmp_path: Path) -> Path:
    root = tmp_path / "tiny"
    shutil.copytree(FIXTURES / "tiny", root)
    return root


def _run(course: Path, tmp_path: Path, run: str, prepare, **key) -> dict[str, Path]:
    tree = load_course(course)
    ready, live = cache.cached_recordings(tree, list(tree.manifest.exercises), tmp_path / run, "grade", 1,
                                          root=tmp_path / "cache", prepare=prepare, **key)
    assert live == []
    return ready


def test_second_run_reuses_the_recording_without_recording(course: Path, tmp_path: Path) -> None:
    first = CountingPrepare()
    recorded = _run(course, tmp_path, "run1", first)
    assert first.recorded == ["01_scale"]
    again = _run(course, tmp_path, "run2", _refuse)
    assert again == recorded
    assert again["01_scale"].is_relative_to(tmp_path / "cache")
    assert again["01_scale"].read_bytes() == (tmp_path / "run1" / "01_scale").joinpath(
        *again["01_scale"].parts[-2:]).read_bytes()


@pytest.mark.parametrize("change", ["solution", "mistakes", "checks", "manifest"])
def test_a_changed_course_file_records_again(course: Path, tmp_path: Path, change: str) -> None:
    _run(course, tmp_path, "run1", CountingPrepare())
    path = {"solution": course / "solutions" / "01_scale" / "scale.py",
            "mistakes": course / "solutions" / "01_scale" / "mistakes.py",
            "checks": course / "exercises" / "01_scale" / "test_scale.py",
            "manifest": course / "course.yml"}[change]
    path.write_text(path.read_text() + "\n# changed\n")
    second = CountingPrepare()
    _run(course, tmp_path, "run2", second)
    assert second.recorded == ["01_scale"]


def test_the_learners_own_module_is_not_part_of_the_key(course: Path) -> None:
    tree = load_course(course)
    exercise = tree.manifest.exercises[0]
    before = cache.exercise_key(tree, exercise, "grade")
    tree.stub_path(exercise).write_text("def double(x):\n    return x\n")
    assert cache.exercise_key(tree, exercise, "grade") == before


def test_seed_and_profile_are_part_of_the_key(course: Path) -> None:
    tree = load_course(course)
    exercise = tree.manifest.exercises[0]
    keys = {cache.exercise_key(tree, exercise, "grade"), cache.exercise_key(tree, exercise, "grade", seed="s1"),
            cache.exercise_key(tree, exercise, "grade", seed="s2"), cache.exercise_key(tree, exercise, "ci")}
    assert len(keys) == 4


def test_an_unwritable_cache_still_grades_with_the_fresh_recording(course: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    tree = load_course(course)
    ready, _ = cache.cached_recordings(tree, list(tree.manifest.exercises), tmp_path / "run", "grade", 1,
                                       root=blocked, prepare=CountingPrepare())
    assert ready["01_scale"].is_relative_to(tmp_path / "run")
