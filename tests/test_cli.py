"""The learner's commands: status and hint, run as a learner runs them."""

from __future__ import annotations

import json

from grader.progress import FILENAME
from tests.helpers import run_cli

SOLVED_DOUBLE = "def double(x: Tensor) -> Tensor:\n    return x * 2\n"


def test_status_lists_every_function_in_course_order_with_points(tiny):
    done = run_cli(tiny, "status")
    assert done.returncode == 0, done.stderr
    lines = done.stdout
    assert lines.index("double") < lines.index("flip_hw")
    assert lines.count("not started") == 2
    assert "0/5 points" in lines
    assert "pytest exercises/01_scale" in lines


def test_status_runs_the_checks_of_started_exercises(tiny):
    stub = tiny / "exercises" / "01_scale" / "scale.py"
    text = stub.read_text()
    start = text.index("def double")
    end = text.index("def flip_hw")
    stub.write_text(text[:start] + SOLVED_DOUBLE + "\n\n" + text[end:])
    done = run_cli(tiny, "status")
    assert done.returncode == 0, done.stderr
    assert "passed" in done.stdout and "2/2" in done.stdout
    assert done.stdout.count("not started") == 1
    assert "2/5 points" in done.stdout


def test_hints_come_one_tier_at_a_time_and_reset_when_the_file_is_deleted(tiny):
    first = run_cli(tiny, "hint", "01_scale", "flip_hw")
    assert first.returncode == 0
    assert "hint 1 of 2" in first.stdout and "Swap the last two axes." in first.stdout
    assert "transpose(-2, -1)" not in first.stdout
    second = run_cli(tiny, "hint", "01", "flip_hw")
    assert "hint 2 of 2" in second.stdout and "x.transpose(-2, -1) is a view." in second.stdout
    third = run_cli(tiny, "hint", "scale", "flip_hw")
    assert "hint 2 of 2" in third.stdout, "no tier beyond the last"
    progress = json.loads((tiny / FILENAME).read_text())
    assert progress["hints"] == {"01_scale.flip_hw": 2}
    (tiny / FILENAME).unlink()
    assert "hint 1 of 2" in run_cli(tiny, "hint", "01_scale", "flip_hw").stdout


def test_hint_for_an_unknown_exercise_or_function_is_one_clear_message(tiny):
    done = run_cli(tiny, "hint", "99_nothing")
    assert done.returncode == 2 and "no exercise '99_nothing'" in done.stderr and "01_scale" in done.stderr
    done = run_cli(tiny, "hint", "01_scale", "triple")
    assert done.returncode == 2 and "has no function 'triple'" in done.stderr
    assert "Traceback" not in done.stderr
