"""Hostile submissions, graded in one run with a correct and a stub student.

Each hostile student is the reference solution of 03_strides with one attack
appended (a later ``def`` replaces the solution's function). Each must get
exactly the score it earned, the rest of the class must be graded correctly,
REPORTS must stay intact, and the grader process must be unaffected.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import time
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, settings

from grader.course import load_course
from grader.grading import engine
from grader.grading.worker import Limits

ROOT = Path(__file__).resolve().parents[2]
EXERCISE = "03_strides"
FULL = 11          # contiguous_strides 2, storage_index 1, transpose_strides 2, is_contiguous 3, strided_view 3
WITHOUT_CS = FULL - 2
WITHOUT_VIEW = FULL - 3

pytestmark = pytest.mark.skipif(os.name != "posix" or not hasattr(os, "fork"), reason="grading needs fork (Linux)")

# Fewer examples than the real `grade` profile keeps this suite quick; derandomized all the same.
settings.register_profile("grading-tests", max_examples=8, deadline=None, derandomize=True, database=None,
                          print_blob=False, suppress_health_check=list(HealthCheck))

REPLACE_CS = "\n\ndef contiguous_strides(shape):\n{body}\n"

ATTACKS: dict[str, tuple[str, int]] = {
    "infinite_loop": (REPLACE_CS.format(body="    while True:\n        pass"), WITHOUT_CS),
    "memory_growth": (REPLACE_CS.format(body="    hoard = []\n    while True:\n        hoard.append(bytearray(1 << 24))"),
                      WITHOUT_CS),
    "exit_at_import": ("\nimport os\nos._exit(0)\n", 0),
    "sys_exit_at_import": ("\nimport sys\nsys.exit(0)\n", 0),
    "exit_in_function": (REPLACE_CS.format(body="    import os\n    os._exit(0)"), WITHOUT_CS),
    "sys_exit_in_function": (REPLACE_CS.format(body="    import sys\n    sys.exit(0)"), WITHOUT_CS),
    "segfault": (REPLACE_CS.format(body="    import ctypes\n    ctypes.string_at(0)"), WITHOUT_CS),
    "fork_bomb": (REPLACE_CS.format(body="    import os\n    while True:\n        try:\n            os.fork()\n"
                                         "        except OSError:\n            pass"), WITHOUT_CS),
    "patch_comparisons": (
        "\nimport builtins, torch, torch.testing\n"
        "torch.testing.assert_close = lambda *a, **k: None\n"
        "torch.allclose = lambda *a, **k: True\n"
        "try:\n    import grader.compare\n    grader.compare.difference = lambda *a, **k: None\n"
        "    grader.compare.agree = lambda *a, **k: None\nexcept Exception:\n    pass\n"
        + REPLACE_CS.format(body="    return (0,) * len(shape)"), WITHOUT_CS),
    # Breaking builtins breaks the student's own worker: every check fails, never more than earned.
    "patch_builtins": ("\nimport builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.len = lambda x: 3\n", 0),
    "read_solutions": (REPLACE_CS.format(body=(
        "    import importlib.util\n"
        f"    path = {'@COURSE@/solutions/' + EXERCISE + '/strides.py'!r}\n"
        "    try:\n        spec = importlib.util.spec_from_file_location('stolen', path)\n"
        "        module = importlib.util.module_from_spec(spec)\n        spec.loader.exec_module(module)\n"
        "        return module.contiguous_strides(shape)\n"
        "    except Exception:\n        return (1,) * len(shape)")), WITHOUT_CS),
    "fake_report": ("\nprint('=' * 30 + ' 40 passed in 0.1s ' + '=' * 30)\n"
                    + REPLACE_CS.format(body="    print('PASSED ' * 100)\n    raise NotImplementedError"),
                    WITHOUT_CS),
    "gigabyte_of_output": ("\nimport os, sys\nchunk = 'x' * (1 << 20)\nfor _ in range(1024):\n"
                           "    sys.stdout.write(chunk)\nos.write(1, b'y' * (1 << 20))\n", FULL),
    "syntax_error": ("\ndef broken(:\n    pass\n", 0),
    "missing_package": ("\nimport a_package_that_is_not_installed\n", 0),
    "returns_numpy": (REPLACE_CS.format(body="    import numpy as np\n    return np.array(torch.empty(shape).stride())"),
                      WITHOUT_CS),
    "returns_list": (REPLACE_CS.format(body="    return list(torch.empty(shape).stride())"), WITHOUT_CS),
    "lying_tensor": (
        "\nclass Liar(torch.Tensor):\n    def __eq__(self, other):\n        return True\n"
        "    def __ne__(self, other):\n        return False\n\n"
        "def strided_view(storage, shape, strides, offset=0):\n"
        "    return torch.zeros(shape, dtype=storage.dtype).as_subclass(Liar)\n", WITHOUT_VIEW),
}


def _write_student(root: Path, name: str, text: str) -> None:
    folder = root / name / "exercises" / EXERCISE
    folder.mkdir(parents=True)
    (folder / "strides.py").write_text(text, encoding="utf-8")
    # The student's own copies of the tests and a fake solution must be ignored.
    (folder / "test_strides.py").write_text("def test_nothing():\n    pass\n", encoding="utf-8")


@pytest.fixture(scope="module")
def graded(tmp_path_factory, pristine_course):
    tmp = tmp_path_factory.mktemp("grading")
    solution = (ROOT / "solutions" / EXERCISE / "strides.py").read_text(encoding="utf-8")
    stub = (pristine_course / "exercises" / EXERCISE / "strides.py").read_text(encoding="utf-8")
    subs = tmp / "submissions"
    out = tmp / "reports"
    _write_student(subs, "correct", solution)
    _write_student(subs, "stub", stub)
    for name, (attack, _) in ATTACKS.items():
        _write_student(subs, name, solution + attack.replace("@COURSE@", str(pristine_course)))
    writer = ("\ntry:\n    import os\n"
              f"    os.makedirs({str(out / 'correct')!r}, exist_ok=True)\n"
              f"    open({str(out / 'correct' / 'grade.json')!r}, 'w').write('{{}}')\n"
              f"    open({str(out / 'grades.csv')!r}, 'w').write('hacked')\nexcept Exception:\n    pass\n")
    _write_student(subs, "write_reports", solution + writer)
    tree = load_course(pristine_course)
    options = engine.Options(jobs=2, exercises=[EXERCISE], write_reports=False, profile="grading-tests",
                             limits=Limits(call_seconds=2.0, exercise_seconds=60, memory_bytes=512 << 20))
    original = torch.testing.assert_close, torch.allclose, __builtins__
    started = time.monotonic()
    grades, problems = engine.grade_class(tree, subs, out, options)
    seconds = time.monotonic() - started
    return {"grades": {g.student: g for g in grades}, "problems": problems, "out": out, "subs": subs,
            "tree": tree, "options": options, "original": original, "seconds": seconds}


def test_correct_and_stub_students(graded):
    grades = graded["grades"]
    assert graded["problems"] == []
    assert grades["correct"].score == FULL
    assert grades["stub"].score == 0
    assert all(f.status.value == "not started" for f in grades["stub"].functions)


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_hostile_submission_gets_what_it_earned(graded, name):
    grade = graded["grades"][name]
    assert grade.score == ATTACKS[name][1], [(f.function, f.status, f.failure) for f in grade.functions]


def test_hangs_and_crashes_are_recorded_as_limits(graded):
    grades = graded["grades"]
    assert any("ran past" in hit for hit in grades["infinite_loop"].limits_hit)
    assert grades["segfault"].limits_hit and grades["exit_in_function"].limits_hit


def test_writing_into_reports_changes_nothing(graded):
    out = graded["out"]
    assert graded["grades"]["write_reports"].score == FULL
    assert json.loads((out / "correct" / "grade.json").read_text())["student"] == "correct"
    assert not (out / "grades.csv").exists() or "hacked" not in (out / "grades.csv").read_text()


def test_grader_process_is_unaffected(graded):
    assert (torch.testing.assert_close, torch.allclose, __builtins__) == graded["original"]
    assert torch.allclose(torch.zeros(1), torch.zeros(1)) and not torch.allclose(torch.zeros(1), torch.ones(1))


def test_rerun_skips_finished_students_and_changes_nothing(graded):
    before = {name: (g.score, [f.status for f in g.functions]) for name, g in graded["grades"].items()}
    written = {path: (path.stat().st_mtime_ns, path.read_bytes()) for path in graded["out"].glob("*/grade.json")}
    regraded: list[str] = []
    grades, _ = engine.grade_class(graded["tree"], graded["subs"], graded["out"], graded["options"],
                                   progress=lambda student, _done, _total: regraded.append(student))
    assert regraded == []                # nobody was graded again
    assert written and {path: (path.stat().st_mtime_ns, path.read_bytes()) for path in written} == written
    assert {g.student: (g.score, [f.status for f in g.functions]) for g in grades} == before


def _grade_in_child(tree, subs, out, options):
    os.setpgrp()  # so that killing the run kills its grader processes and fork server too
    engine.grade_class(tree, subs, out, options)


@pytest.mark.slow
def test_interrupted_run_loses_nothing_and_is_deterministic(graded, tmp_path):
    subs = tmp_path / "subs"
    for name in ("correct", "stub", "returns_list", "lying_tensor"):
        shutil.copytree(graded["subs"] / name, subs / name)
    out = tmp_path / "out"
    child = multiprocessing.get_context("fork").Process(
        target=_grade_in_child, args=(graded["tree"], subs, out, graded["options"]))
    child.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(out.glob("*/grade.json")):
        time.sleep(0.2)
    os.killpg(child.pid, signal.SIGKILL)
    child.join()
    finished = {p.parent.name for p in out.glob("*/grade.json")}
    assert finished, "the run was killed before any student finished"
    for path in out.glob("*/grade.json"):
        json.loads(path.read_text())  # every file written is whole
    grades, _ = engine.grade_class(graded["tree"], subs, out, graded["options"])
    scores = {g.student: g.score for g in grades}
    assert scores == {name: graded["grades"][name].score for name in scores}
    assert set(scores) == {"correct", "stub", "returns_list", "lying_tensor"}
