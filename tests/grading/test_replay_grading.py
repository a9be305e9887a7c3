"""Grading replays recorded cases and batches worker calls: the same grades as live grading, faster.

Every student sees the same derandomized cases, so a run records them (and the reference's answers)
once and replays them for each student, and sends each student's worker every recorded call in one
batch. These tests hold that to what matters: the same scores as drawing every case live, limits
still per call, and a student graded right whatever the student before them in the same slot did.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from grader.course import load_course
from grader.grading import engine, policy, remote
from grader.grading.worker import Limits

STRIDES = "03_strides"
STRIDES_FULL = 11
PATHS = "09_mnist_distance"

pytestmark = pytest.mark.skipif(os.name != "posix" or not hasattr(os, "fork"), reason="grading needs fork (Linux)")

settings.register_profile("replay-tests", max_examples=8, deadline=None, derandomize=True, database=None,
                          print_blob=False, suppress_health_check=list(HealthCheck))

# A known mistake written into a student's copy (a later def replaces the solution's).
MISTAKES = {
    STRIDES: "\n\ndef contiguous_strides(shape):\n    strides, step = [], 1\n    for size in shape:\n"
             "        strides.append(step)\n        step *= size\n    return tuple(strides)\n",
    PATHS: "\n\ndef load_digits(folder):\n    from pathlib import Path\n    import numpy as np\n"
           "    from PIL import Image\n    paths = sorted(Path(folder).glob('*.png'))\n"
           "    return torch.stack([torch.from_numpy(np.array(Image.open(p))) for p in paths]).float()\n",
}


def _student(root: Path, name: str, exercise, text: str) -> None:
    folder = root / name / "exercises" / exercise.id
    folder.mkdir(parents=True)
    (folder / exercise.module).write_text(text, encoding="utf-8")


def _grade(tree, subs: Path, out: Path, exercise: str, *, replay: bool, limits: Limits | None = None,
           jobs: int = 1) -> dict:
    notes: list[str] = []
    options = engine.Options(jobs=jobs, force=True, exercises=[exercise], write_reports=False,
                             profile="replay-tests", replay=replay, limits=limits or Limits(call_seconds=5.0))
    grades, problems = engine.grade_class(tree, subs, out, options, notes=notes.append)
    assert problems == []
    return {"grades": {g.student: g for g in grades}, "notes": notes}


def _scores(graded: dict) -> dict:
    return {name: (g.score, [(f.function, f.status.value) for f in g.functions])
            for name, g in graded["grades"].items()}


@pytest.fixture(scope="module")
def tree(pristine_course):
    return load_course(pristine_course)


@pytest.mark.parametrize("exercise_id", [STRIDES, PATHS])
def test_replay_grades_like_live_generation(tree, tmp_path, exercise_id):
    if exercise_id not in {e.id for e in tree.manifest.exercises}:
        pytest.skip(f"{exercise_id} is not in course.yml")
    exercise = tree.manifest.exercise(exercise_id)
    solution = tree.solution_path(exercise).read_text(encoding="utf-8")
    subs = tmp_path / "subs"
    _student(subs, "correct", exercise, solution)
    _student(subs, "stub", exercise, tree.stub_path(exercise).read_text(encoding="utf-8"))
    _student(subs, "mistaken", exercise, solution + MISTAKES[exercise_id])
    before = dict(remote.stats)
    replayed = _grade(tree, subs, tmp_path / "replayed", exercise_id, replay=True)
    batched = remote.stats["batched"] - before["batched"]
    live = _grade(tree, subs, tmp_path / "live", exercise_id, replay=False)
    assert _scores(replayed) == _scores(live)
    full = sum(f.points for f in exercise.functions)
    assert replayed["grades"]["correct"].score == full
    assert replayed["grades"]["stub"].score == 0
    assert 0 < replayed["grades"]["mistaken"].score < full
    # It really replayed (no exercise fell back to live generation) and answered from batches.
    assert replayed["notes"] == []
    assert batched > 0
    mistaken = replayed["grades"]["mistaken"]
    failed = [f for f in mistaken.functions if f.status.value != "passed"]
    assert failed and all("recorded case" in f.failure.text() for f in failed if f.failure)


def test_a_hang_in_a_batch_costs_only_its_function(tree, tmp_path, monkeypatch):
    exercise = tree.manifest.exercise(STRIDES)
    stopped: list[tuple[str, str]] = []   # (student, function) of every call stopped at its limit
    original = remote.RemoteSubmission._stopped

    def counting(self, function, started, error):
        stopped.append((self.context.student, function))
        return original(self, function, started, error)

    monkeypatch.setattr(remote.RemoteSubmission, "_stopped", counting)  # jobs=1: grading runs here
    solution = tree.solution_path(exercise).read_text(encoding="utf-8")
    # Hangs only on larger shapes: its first batched calls answer, then one never returns.
    hang = ("\n\n_solution_strides = contiguous_strides\n\ndef contiguous_strides(shape):\n"
            "    if len(shape) >= 2:\n        while True:\n            pass\n    return _solution_strides(shape)\n")
    subs = tmp_path / "subs"
    _student(subs, "hangs", exercise, solution + hang)
    _student(subs, "zcorrect", exercise, solution)
    before = dict(remote.stats)
    graded = _grade(tree, subs, tmp_path / "out", STRIDES, replay=True, limits=Limits(call_seconds=1.0))
    assert remote.stats["batched"] > before["batched"]
    grade = graded["grades"]["hangs"]
    statuses = {f.function: f.status.value for f in grade.functions}
    assert statuses["contiguous_strides"] == "wrong"
    assert all(status == "passed" for name, status in statuses.items() if name != "contiguous_strides")
    assert grade.score == STRIDES_FULL - 2
    assert any("contiguous_strides ran past 1 s" in hit for hit in grade.limits_hit), grade.limits_hit
    # The limit was paid once: later checks of the hung function fail without calling it again.
    assert stopped == [("hangs", "contiguous_strides")]
    assert graded["grades"]["zcorrect"].score == STRIDES_FULL


FORK_BOMB = ("\n\ndef contiguous_strides(shape):\n    import os\n    while True:\n        try:\n"
             "            os.fork()\n        except OSError:\n            pass\n")


def test_a_fork_bomb_does_not_cost_the_next_student_in_the_slot(tree, tmp_path):
    exercise = tree.manifest.exercise(STRIDES)
    solution = tree.solution_path(exercise).read_text(encoding="utf-8")
    subs = tmp_path / "subs"
    _student(subs, "a_fork_bomb", exercise, solution + FORK_BOMB)
    for name in ("b_correct", "c_correct", "d_correct"):
        _student(subs, name, exercise, solution)
    graded = _grade(tree, subs, tmp_path / "out", STRIDES, replay=True, limits=Limits(call_seconds=2.0), jobs=1)
    grades = graded["grades"]
    assert grades["a_fork_bomb"].score == STRIDES_FULL - 2
    for name in ("b_correct", "c_correct", "d_correct"):
        assert grades[name].score == STRIDES_FULL, [(f.function, f.failure) for f in grades[name].functions]
        assert grades[name].limits_hit == []


def test_numpy_memory_sharing_survives_the_trip_from_the_worker(tree, tmp_path):
    """to_numpy must share the tensor's memory; a correct answer earns it, a needless copy does not."""
    exercise = tree.manifest.exercise("07_devices")
    solution = tree.solution_path(exercise).read_text(encoding="utf-8")
    copying = solution + "\n\ndef to_numpy(x):\n    return x.detach().cpu().numpy().copy()\n"
    _student(tmp_path / "subs", "correct", exercise, solution)
    _student(tmp_path / "subs", "copies", exercise, copying)
    graded = _grade(tree, tmp_path / "subs", tmp_path / "out", "07_devices", replay=True)
    to_numpy = {name: next(f for f in g.functions if f.function == "to_numpy")
                for name, g in graded["grades"].items()}
    assert to_numpy["correct"].status.value == "passed", to_numpy["correct"].failure
    assert to_numpy["copies"].status.value == "wrong"
    assert "returned a copy" in to_numpy["copies"].failure.summary


def test_a_worker_never_gets_the_course_back_through_a_python_path():
    """With the course under /tmp (a clone there), /tmp is hidden and the course root is on sys.path."""
    course = Path("/tmp/clone")
    protected = [course, Path("/tmp/subs"), Path("/tmp/out"), Path("/tmp/work")]
    readable = [course / "grader", course / "data", course / ".venv"]
    assert not policy.may_expose(course, protected, course, readable)              # pytest's pythonpath "."
    assert not policy.may_expose(Path("/tmp"), protected, course, readable)        # a folder above it
    assert not policy.may_expose(course / "solutions", protected, course, readable)
    assert not policy.may_expose(Path("/tmp/subs/ann"), protected, course, readable)
    assert policy.may_expose(course / ".venv" / "lib" / "python3.11" / "site-packages", protected, course, readable)
    assert policy.may_expose(course / "grader", protected, course, readable)
    assert policy.may_expose(Path("/root/.pyenv/versions/3.11.7/lib/python3.11"), protected, course, readable)


def test_the_assignment_name_reaches_grades_csv(tree, tmp_path):
    import csv

    exercise = tree.manifest.exercise(STRIDES)
    _student(tmp_path / "subs", "ann", exercise, tree.stub_path(exercise).read_text(encoding="utf-8"))
    options = engine.Options(jobs=1, force=True, exercises=[STRIDES], profile="replay-tests", assignment="week3")
    engine.grade_class(tree, tmp_path / "subs", tmp_path / "out", options)
    with open(tmp_path / "out" / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["assignment"], row["student_id"], row["score"]) for row in rows] == [("week3", "ann", "0.0")]
