"""The learner's loop cannot be hung or broken by what a learner writes (run as a learner runs it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tests.helpers import learner_copy, run_pytest

FLIP = "def flip_hw(image):\n    return image.transpose(-2, -1)\n"


def _set_time_limit(course: Path, function: str, seconds: float) -> None:
    manifest = course / "course.yml"
    data = yaml.safe_load(manifest.read_text())
    for entry in data["exercises"][0]["functions"]:
        if entry["name"] == function:
            entry["time_limit"] = seconds
    manifest.write_text(yaml.safe_dump(data, sort_keys=False))


def test_an_endless_loop_fails_its_function_at_its_line_and_the_run_goes_on(tiny, tmp_path):
    _set_time_limit(tiny, "double", 0.5)
    copy = learner_copy(tmp_path / "me", "def double(x):\n    total = x\n    while True:\n        total = total + 0\n\n\n" + FLIP)
    done = run_pytest(tiny, "exercises/01_scale", "--impl", str(copy))
    assert done.returncode == 1
    assert "double took longer than 0.5 s, at " in done.stdout and "scale.py line 3 (while True:)" in done.stdout
    assert "is there a loop that never ends?" in done.stdout
    table = done.stdout[done.stdout.index("checks passed"):]
    assert "flip_hw" in table and "passed" in table.split("flip_hw", 1)[1].splitlines()[0], "the other function still ran"
    assert "Traceback" not in done.stdout and "@seed" not in done.stdout


def test_a_function_that_timed_out_is_not_called_again_by_its_other_checks(tiny, tmp_path):
    """Only its first call loops: had the second check called it again, that check would pass."""
    _set_time_limit(tiny, "double", 0.5)
    source = ("calls = []\n\n\ndef double(x):\n    calls.append(1)\n    while len(calls) == 1:\n        pass\n"
              "    return x * 2\n\n\n" + FLIP)
    done = run_pytest(tiny, "exercises/01_scale", "--impl", str(learner_copy(tmp_path / "me", source)))
    assert done.returncode == 1, done.stdout
    assert "double took longer than 0.5 s, at " in done.stdout and "Its other checks are not run" in done.stdout
    assert "not run: double took longer than 0.5 s in an earlier check, at " in done.stdout
    assert "scale.py line 6 (while len(calls) == 1:); fix that loop first" in done.stdout
    assert "0/2" in done.stdout[done.stdout.index("checks passed"):].split("double", 1)[1].splitlines()[0]


def test_prints_are_cut_and_shown_only_with_a_failing_check(tiny, tmp_path):
    noisy = "def double(x):\n    for i in range(1000):\n        print('step', i)\n    return x * {factor}\n\n\n" + FLIP
    wrong = run_pytest(tiny, "exercises/01_scale", "--impl", str(learner_copy(tmp_path / "wrong", noisy.format(factor=3))))
    assert wrong.returncode == 1
    assert "double printed, in its last call:" in wrong.stdout
    assert "step 29" in wrong.stdout and "step 30\n" not in wrong.stdout
    assert "(970 more line(s) not shown)" in wrong.stdout
    assert "Captured stdout" not in wrong.stdout
    right = run_pytest(tiny, "exercises/01_scale", "--impl", str(learner_copy(tmp_path / "right", noisy.format(factor=2))))
    assert right.returncode == 0, right.stdout
    assert "step" not in right.stdout


def _two_exercises(tiny: Path) -> Path:
    shutil.copytree(tiny / "exercises" / "01_scale", tiny / "exercises" / "02_again")
    shutil.copytree(tiny / "solutions" / "01_scale", tiny / "solutions" / "02_again")
    manifest = tiny / "course.yml"
    data = yaml.safe_load(manifest.read_text())
    second = dict(data["exercises"][0], id="02_again", title="Again")
    data["exercises"].append(second)
    manifest.write_text(yaml.safe_dump(data, sort_keys=False))
    return tiny


def test_a_broken_file_in_one_exercise_leaves_the_others_alone(tiny):
    course = _two_exercises(tiny)
    (course / "exercises" / "01_scale" / "scale.py").write_text("def double(x)\n    return x * 2\n")
    other = run_pytest(course, "exercises/02_again")
    assert other.returncode == 1, other.stdout + other.stderr  # its stubs are not started: no usage error
    assert "not started" in other.stdout and "01_scale" not in other.stdout + other.stderr
    broken = run_pytest(course, "exercises/01_scale")
    assert broken.returncode == 1
    assert "01_scale/scale.py line 1: SyntaxError" in broken.stdout
    body = (broken.stdout + broken.stderr).split("collected", 1)[1]  # pytest's header names pluggy's version
    for noise in ("Traceback", "pluggy", "_pytest", "PluggyTeardownRaisedWarning"):
        assert noise not in body, noise


def test_checks_run_from_any_working_folder(tiny, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = run_pytest(elsewhere, str(tiny / "exercises" / "01_scale"), "--impl", "solutions")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "not inside an exercise folder" not in done.stdout + done.stderr


def test_a_mistake_is_named_only_when_the_learners_code_fits_it(tiny, tmp_path):
    double = "def double(x):\n    return x * 2\n\n\n"
    with_contiguous = learner_copy(tmp_path / "a", double + "def flip_hw(image):\n    return image.transpose(-2, -1).contiguous()\n")
    named = run_pytest(tiny, "exercises/01_scale", "--impl", str(with_contiguous))
    assert "known mistake, 'copy'" in named.stdout
    with_clone = learner_copy(tmp_path / "b", double + "def flip_hw(image):\n    return image.transpose(-2, -1).clone()\n")
    unnamed = run_pytest(tiny, "exercises/01_scale", "--impl", str(with_clone))
    assert "flip_hw returned a copy" in unnamed.stdout, "still caught"
    assert "known mistake, 'copy'" not in unnamed.stdout, "a contiguous() explanation for code without contiguous()"


def test_a_caller_of_a_failing_helper_is_told_to_fix_the_helper_first(tiny, tmp_path):
    source = "def double(x):\n    return x * 3\n\n\ndef flip_hw(image):\n    return double(image).transpose(-2, -1)\n"
    done = run_pytest(tiny, "exercises/01_scale", "--impl", str(learner_copy(tmp_path / "me", source)))
    assert done.returncode == 1
    assert "flip_hw uses your double, which fails its own checks: fix double first" in done.stdout
