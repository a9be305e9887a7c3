"""tensorlings watch in a real pseudo-terminal: each save is checked in a child of a warm process, and
nothing a learner's code does (an endless loop, os._exit, Ctrl-C during a check) ends watch."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import yaml

from tests.terminal import Terminal

LOOPING = "def double(x):\n    while True:\n        pass\n\n\ndef flip_hw(image):\n    return image.transpose(-2, -1)\n"
EXITING = "import os\n\n\ndef double(x):\n    os._exit(7)\n\n\ndef flip_hw(image):\n    return image.transpose(-2, -1)\n"


def _time_limit(course: Path, seconds: float) -> None:
    manifest = course / "course.yml"
    data = yaml.safe_load(manifest.read_text())
    data["exercises"][0]["functions"][0]["time_limit"] = seconds
    manifest.write_text(yaml.safe_dump(data, sort_keys=False))


def _save(course: Path, source: str) -> None:
    (course / "exercises" / "01_scale" / "scale.py").write_text(source)


@pytest.fixture
def watching(tiny):
    """Plain `tensorlings` at a terminal, which starts watch."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tiny), "TERM": "xterm", "COLUMNS": "200"}
    terminal = Terminal([sys.executable, "-m", "grader.cli"], cwd=tiny, env=env)
    terminal.wait_for("tensorlings watch", "01_scale", "not started", "q quit")
    yield tiny, terminal
    terminal.close()


def test_a_correct_save_shows_passed_and_an_endless_loop_is_a_verdict_not_a_dead_watch(watching):
    course, terminal = watching
    _time_limit(course, 0.5)
    terminal.expect_new()
    _save(course, (course / "solutions" / "01_scale" / "scale.py").read_text())
    screen = terminal.wait_for("every function passes", "Every exercise passes", "q quit")
    assert "passed" in screen

    terminal.expect_new()
    _save(course, LOOPING)
    terminal.wait_for("is there a loop that never ends?", "double took longer than 0.5 s",
                      "scale.py line 2 (while True:)")
    assert terminal.process.poll() is None, "watch is still running"

    terminal.expect_new()
    terminal.press("q")
    terminal.wait_for("Stopped watching.")
    assert terminal.process.wait(timeout=60) == 0


def test_a_check_that_ends_its_process_or_is_stopped_with_ctrl_c_leaves_watch_running(watching):
    course, terminal = watching
    terminal.expect_new()
    _save(course, EXITING)
    terminal.wait_for("ended the process with exit code 7", "os._exit")
    assert terminal.process.poll() is None

    _time_limit(course, 600)  # only Ctrl-C can end this check
    terminal.expect_new()
    _save(course, LOOPING)
    terminal.wait_for("checking 01_scale...")
    terminal.expect_new()
    terminal.press("\x03")
    terminal.wait_for("Check stopped (Ctrl-C)")
    assert terminal.process.poll() is None, "Ctrl-C during a check stops the check, not watch"

    terminal.expect_new()
    terminal.press("\x03")  # with no check running, Ctrl-C quits
    terminal.wait_for("Stopped watching.")
    assert terminal.process.wait(timeout=60) == 0


def test_keys_show_a_hint_and_the_list_of_exercises(watching):
    course, terminal = watching
    terminal.expect_new()
    terminal.press("h")
    terminal.wait_for("Hint 1 of 2 for double", "Multiply by a number.")
    terminal.expect_new()
    terminal.press("l")
    screen = terminal.wait_for("every exercise", "q quit")  # the whole screen, drawn in more than one read
    assert "flip_hw" in screen.split("every exercise", 1)[1]
    terminal.press("q")
    assert terminal.process.wait(timeout=60) == 0
