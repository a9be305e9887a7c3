"""tensorlings status and solution: verdicts reused by content, a hard bound on learner code, progress shown."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grader.course import load_course
from grader.fingerprint import function_keys
from tests.helpers import run_cli

HEADER = "from torch import Tensor\n\n\n"
DOUBLE = "def double(x: Tensor) -> Tensor:\n    return x * 2\n\n\n"
FLIP = "def flip_hw(image: Tensor) -> Tensor:\n    return image.transpose(-2, -1)\n"
STUB_FLIP = "def flip_hw(image: Tensor) -> Tensor:\n    raise NotImplementedError\n"


def _write(course: Path, source: str) -> Path:
    path = course / "exercises" / "01_scale" / "scale.py"
    path.write_text(source)
    return path


def _time_limit(course: Path, seconds: float) -> None:
    manifest = course / "course.yml"
    data = yaml.safe_load(manifest.read_text())
    for function in data["exercises"][0]["functions"]:
        function["time_limit"] = seconds
    manifest.write_text(yaml.safe_dump(data, sort_keys=False))


def test_status_reuses_verdicts_while_the_content_is_unchanged_and_checks_again_when_it_changes(tiny):
    path = _write(tiny, HEADER + DOUBLE + STUB_FLIP)
    first = run_cli(tiny, "status")
    assert first.returncode == 0, first.stderr
    assert "checking 01_scale (1 of 1" in first.stderr
    assert "2/5 points" in first.stdout

    os.utime(path, (1, 1))  # a new time alone is no change
    path.write_text(path.read_text() + "\n# a comment outside every function\n")
    again = run_cli(tiny, "status")
    assert "checking" not in again.stderr, "nothing the verdicts depend on changed"
    assert again.stdout == first.stdout

    _write(tiny, HEADER + DOUBLE + FLIP)
    solved = run_cli(tiny, "status")
    assert "checking 01_scale" in solved.stderr
    assert "5/5 points" in solved.stdout and "Every function passes" in solved.stdout

    tests = tiny / "exercises" / "01_scale" / "test_scale.py"
    tests.write_text(tests.read_text() + "\n")
    assert "checking 01_scale" in run_cli(tiny, "status").stderr, "a changed check is checked again"


def test_a_functions_key_follows_its_own_source_and_the_functions_it_calls(tiny):
    _write(tiny, HEADER + DOUBLE + FLIP)
    tree = load_course(tiny)
    exercise = tree.manifest.exercises[0]
    before = function_keys(tree, exercise)
    _write(tiny, HEADER + DOUBLE + FLIP.replace("-2, -1", "-1, -2"))
    after = function_keys(tree, exercise)
    assert after["double"] == before["double"] and after["flip_hw"] != before["flip_hw"]

    helper = "def _twice(x):\n    return x + x\n\n\n"
    _write(tiny, HEADER + helper + DOUBLE.replace("x * 2", "_twice(x)") + FLIP)
    calling = function_keys(tree, exercise)
    _write(tiny, HEADER + helper.replace("x + x", "2 * x") + DOUBLE.replace("x * 2", "_twice(x)") + FLIP)
    assert function_keys(tree, exercise)["double"] != calling["double"], "a helper it calls changed"


def test_status_gives_a_verdict_for_an_endless_loop_and_a_process_exit_and_goes_on(tiny):
    _time_limit(tiny, 0.5)
    _write(tiny, HEADER + "def double(x):\n    while True:\n        pass\n\n\n" + FLIP)
    looping = run_cli(tiny, "status")
    assert looping.returncode == 0, looping.stderr
    assert "double took longer than 0.5 s" in looping.stdout
    assert "3/5 points" in looping.stdout, "flip_hw still passes"

    _write(tiny, "import os\n\n\n" + HEADER + "def double(x):\n    os._exit(3)\n\n\n" + FLIP)
    exiting = run_cli(tiny, "status")
    assert exiting.returncode == 0, exiting.stderr
    assert "double ended the process with exit code 3" in exiting.stdout
    assert "3/5 points" in exiting.stdout, "flip_hw's checks ran in a fresh child"
    assert "Traceback" not in exiting.stdout + exiting.stderr


def test_the_last_hint_says_so_and_points_at_the_solution_command(tiny):
    for _ in range(2):
        run_cli(tiny, "hint", "01_scale", "double")
    last = run_cli(tiny, "hint", "01_scale", "double")
    assert "hint 2 of 2" in last.stdout
    assert "That was the last hint" in last.stdout
    assert "tensorlings solution 01_scale double" in last.stdout


def test_the_solution_is_shown_only_once_the_function_passes(tiny):
    _write(tiny, HEADER + "def double(x: Tensor) -> Tensor:\n    return x * 3\n\n\n" + STUB_FLIP)
    refused = run_cli(tiny, "solution", "01_scale", "double")
    assert refused.returncode == 1
    assert "double is wrong" in refused.stderr and "once it passes" in refused.stderr
    assert "x * 2" not in refused.stdout + refused.stderr

    _write(tiny, HEADER + DOUBLE + STUB_FLIP)
    shown = run_cli(tiny, "solution", "01_scale", "double")
    assert shown.returncode == 0, shown.stderr
    assert "def double(x: Tensor) -> Tensor:\n    return x * 2" in shown.stdout
    assert "flip_hw" not in shown.stdout


def test_a_segfault_is_a_verdict_for_its_exercise(tiny):
    _write(tiny, "import ctypes\n\n\n" + HEADER + "def double(x):\n    return ctypes.string_at(0)\n\n\n" + FLIP)
    done = run_cli(tiny, "status")
    assert done.returncode == 0, done.stderr
    assert "double crashed with a segmentation fault" in done.stdout and "line 8 (return ctypes.string_at(0))" in done.stdout
    assert "3/5 points" in done.stdout, "flip_hw's checks ran in a fresh child"


@pytest.mark.skipif(Path("/dev/nvidiactl").exists() or not Path("/proc/self/statm").exists(),
                    reason="the memory cap applies only where CUDA is absent and /proc tells the process size")
def test_a_runaway_allocation_fails_its_function_with_memory_error(tiny):
    # bytes(n) asks for zeroed memory without touching it: without the cap it would quietly succeed
    _write(tiny, HEADER + "def double(x):\n    block = bytes(6 * 2**30)\n    return x * 2\n\n\n" + FLIP)
    done = run_cli(tiny, "status")
    assert done.returncode == 0, done.stderr
    assert "MemoryError" in done.stdout
    assert "3/5 points" in done.stdout


def test_plain_tensorlings_away_from_a_terminal_prints_the_board(tiny):
    done = subprocess.run([sys.executable, "-m", "grader.cli"], cwd=tiny, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=300, env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    assert "0/5 points" in done.stdout and "tensorlings watch" not in done.stdout
