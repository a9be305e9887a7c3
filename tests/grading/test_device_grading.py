"""A check whose tensors live on another device, graded end to end: recorded once, replayed, and the
student's code run in the real sandboxed worker. ``meta`` is the other device on a machine without a
GPU; the wire brings meta tensors back as meta, and the recording says where each answer goes.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from grader.course import load_course
from grader.grading import engine
from grader.grading.worker import Limits
from grader.results import Status

pytestmark = pytest.mark.skipif(os.name != "posix" or not hasattr(os, "fork"), reason="grading needs fork (Linux)")

settings.register_profile("device-grading", max_examples=6, deadline=None, derandomize=True, database=None,
                          print_blob=False, suppress_health_check=list(HealthCheck))

COURSE = """\
format_version: 1
title: A course whose checks use a second device
exercises:
  - id: 01_devices
    title: Devices
    module: devices.py
    devices: [cpu, cuda]
    functions:
      - name: move
        points: 2
        hints: ["Tensor.to takes a device."]
      - name: double
        points: 1
        hints: ["Multiply by two."]
"""

STUB = '''\
"""Moving tensors."""


def move(x, device):
    """``x`` on ``device``."""
    raise NotImplementedError


def double(x):
    """Every element of ``x`` doubled, where ``x`` is."""
    raise NotImplementedError
'''

SOLUTION = '''\
def move(x, device):
    return x.to(device)


def double(x):
    return x * 2
'''

MISTAKES = '''\
from grader.mistakes import mistake


@mistake("move", "ignored the device", "x.clone() stays where x is; x.to(device) moves it.")
def move_stays(x, device):
    return x.clone()
'''

TESTS = '''\
from grader import agree, check, expect
from grader import strategies as tst

values = tst.tensors(tst.shapes(min_rank=1, max_rank=2, min_side=1), dtype=tst.dtypes(tst.FLOAT_DTYPES))


@check("move", x=values)
def test_move_to_the_meta_device(submission, reference, x):
    result = agree(submission.move, reference.move, x, "meta", why="the result is on the device asked for")
    expect(result.device.type == "meta", "move(x, 'meta') must give a meta tensor")


@check("move", x=values)
def test_move_on_each_device(submission, reference, device, x):
    agree(submission.move, reference.move, x, device, why="the result is on the device asked for")


@check("double", x=values)
def test_double_stays_on_the_inputs_device(submission, reference, x):
    agree(submission.double, reference.double, x.to("meta"), why="an operation's result is where its input is")
'''


def _course(root: Path) -> Path:
    (root / "exercises" / "01_devices").mkdir(parents=True)
    (root / "solutions" / "01_devices").mkdir(parents=True)
    (root / "course.yml").write_text(COURSE)
    (root / "exercises" / "01_devices" / "devices.py").write_text(STUB)
    (root / "exercises" / "01_devices" / "test_devices.py").write_text(TESTS)
    (root / "solutions" / "01_devices" / "devices.py").write_text(SOLUTION)
    (root / "solutions" / "01_devices" / "mistakes.py").write_text(MISTAKES)
    return root


def _students(root: Path) -> Path:
    mistaken = SOLUTION.replace("return x.to(device)", "return x.clone()")
    for name, text in {"full": SOLUTION, "stub": STUB, "mistake": mistaken}.items():
        folder = root / name / "exercises" / "01_devices"
        folder.mkdir(parents=True)
        (folder / "devices.py").write_text(textwrap.dedent(text))
    return root


def test_a_check_on_the_meta_device_grades_full_zero_and_exactly_the_mistakes_loss(tmp_path, monkeypatch):
    monkeypatch.setenv("TENSORLINGS_CACHE", str(tmp_path / "cache"))
    tree = load_course(_course(tmp_path / "course"))
    notes: list[str] = []
    options = engine.Options(jobs=1, force=True, write_reports=False, profile="device-grading",
                             limits=Limits(call_seconds=5.0))
    grades, problems = engine.grade_class(tree, _students(tmp_path / "class"), tmp_path / "out", options,
                                          notes=notes.append)

    assert problems == []
    assert not [n for n in notes if "live" in n], notes  # the recording replayed: no check drew live
    by_student = {g.student: g for g in grades}
    assert {name: g.score for name, g in by_student.items()} == {"full": 3, "stub": 0, "mistake": 1}
    [move] = [f for f in by_student["mistake"].functions if f.function == "move"]
    assert move.status == Status.WRONG and move.failure.mistake.name == "ignored the device"
    assert "on cpu" in move.failure.actual and "on meta" in move.failure.expected
    assert not [f for g in grades for f in g.functions if f.status == Status.GRADER_ERROR]
