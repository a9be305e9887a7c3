"""A hard crash of learner code (segfault, os._exit, sys.exit, memory blow-up) ends only that function's
checks: the others still run and the end-of-run table is drawn (grader.runloop). Run as a learner runs it,
in a fresh pytest process, on a copy of the tiny course."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

from tests.helpers import learner_copy, run_pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the forked run loop is Linux only")

FLIP = "def flip_hw(image):\n    return image.transpose(-2, -1)\n"
DOUBLE = "def double(x):\n    return x * 2\n"
SEGFAULT = "import ctypes\n\n\ndef double(x):\n    return ctypes.string_at(0)\n\n\n" + FLIP


def _row(stdout: str, function: str) -> str:
    table = stdout[stdout.index("checks passed"):]
    return table.split(function, 1)[1].splitlines()[0]


def test_a_segfault_ends_only_its_functions_checks_and_names_the_line(tiny, tmp_path):
    done = run_pytest(tiny, "exercises/01_scale", "--impl", str(learner_copy(tmp_path / "me", SEGFAULT)))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "double crashed with a segmentation fault (SIGSEGV)" in done.stdout
    assert "scale.py line 5 (return ctypes.string_at(0)), while running test_double_matches_reference" in done.stdout
    assert "Its other 1 check(s) were not run" in done.stdout
    assert "not run: the process running the checks ended in an earlier check of double (test_double_matches_reference)" in done.stdout
    assert "wrong" in _row(done.stdout, "double") and "0/2" in _row(done.stdout, "double")
    assert "passed" in _row(done.stdout, "flip_hw"), "a fresh child ran the other function's checks"
    assert "Fatal Python error" not in done.stdout + done.stderr and "Traceback" not in done.stdout


def test_a_crash_in_a_later_function_keeps_the_verdicts_already_made(tiny, tmp_path):
    source = "import os\n\n\n" + DOUBLE + "\n\ndef flip_hw(image):\n    os._exit(3)\n"
    done = run_pytest(tiny, "exercises/01_scale", "--impl", str(learner_copy(tmp_path / "me", source)))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "flip_hw ended the process with exit code 3" in done.stdout
    assert "A function must return its answer" in done.stdout
    assert "passed" in _row(done.stdout, "double") and "2/2" in _row(done.stdout, "double")
    assert "wrong" in _row(done.stdout, "flip_hw")


def test_without_the_forked_run_loop_a_crash_ends_the_whole_run(tiny, tmp_path):
    """What the forked loop protects against: pytest's own loop dies with the learner's os._exit."""
    source = "import os\n\n\ndef double(x):\n    os._exit(3)\n\n\n" + FLIP
    done = run_pytest(tiny, "exercises/01_scale", "--impl", str(learner_copy(tmp_path / "me", source)),
                      "-p", "no:tensorlings-fork")
    assert done.returncode == 3
    assert "checks passed" not in done.stdout


def test_a_call_the_timer_cannot_interrupt_is_ended_from_outside(tiny, tmp_path):
    """The time limit's signal, blocked here, cannot stop the loop: the parent ends the child past the limit."""
    manifest = tiny / "course.yml"
    data = yaml.safe_load(manifest.read_text())
    data["exercises"][0]["functions"][0]["time_limit"] = 0.5
    manifest.write_text(yaml.safe_dump(data, sort_keys=False))
    source = ("import signal\n\n\ndef double(x):\n    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})\n"
              "    while True:\n        pass\n\n\n" + FLIP)
    done = run_pytest(tiny, "exercises/01_scale", "--impl", str(learner_copy(tmp_path / "me", source)))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "double took longer than 0.5 s and could not be interrupted" in done.stdout
    assert "scale.py line 6 (while True:), while running test_double_matches_reference" in done.stdout
    assert "passed" in _row(done.stdout, "flip_hw")


def test_sys_exit_is_the_learners_crash_not_a_grader_error(tiny, tmp_path):
    source = "import sys\n\n\ndef double(x):\n    sys.exit()\n\n\n" + FLIP
    done = run_pytest(tiny, "exercises/01_scale", "--impl", str(learner_copy(tmp_path / "me", source)))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "double raised SystemExit at" in done.stdout and "line 5 (sys.exit())" in done.stdout
    assert "sys.exit() and exit() end the whole program" in done.stdout
    assert "grader error" not in done.stdout.lower()
    assert "passed" in _row(done.stdout, "flip_hw")


def test_memory_that_grows_without_end_is_a_memory_error_under_the_limit(tiny, tmp_path):
    source = "def double(x):\n    grown = []\n    while True:\n        grown.append(bytearray(10**6))\n\n\n" + FLIP
    done = run_pytest(tiny, "exercises/01_scale", "--impl", str(learner_copy(tmp_path / "me", source)),
                      "--memory-limit", "0.5")
    assert done.returncode == 1, done.stdout + done.stderr
    # Where the limit strikes decides the wording: in the learner's line (a MemoryError it raised) or, rarely,
    # in the checks' own code once the learner's list left them nothing (the child ends; the parent says so).
    in_learner_code = "double raised MemoryError at" in done.stdout and "more memory than one check may use" in done.stdout
    in_the_checks = "double used more than the 0.5 GiB of memory a run of the checks may add" in done.stdout
    assert in_learner_code or in_the_checks, done.stdout
    assert "passed" in _row(done.stdout, "flip_hw")


def test_exitfirst_stops_at_the_first_crash_verdict(tiny, tmp_path):
    done = run_pytest(tiny, "exercises/01_scale", "-x", "--impl", str(learner_copy(tmp_path / "me", SEGFAULT)))
    assert done.returncode == 1
    assert "stopping after 1 failures" in done.stdout
    assert "1 failed" in done.stdout and "passed" not in done.stdout.splitlines()[-1]


def test_last_failed_reruns_the_crashed_checks_only(tiny, tmp_path):
    copy = str(learner_copy(tmp_path / "me", SEGFAULT))
    first = run_pytest(tiny, "exercises/01_scale", "--impl", copy, "-p", "cacheprovider")
    assert "2 failed, 1 passed" in first.stdout
    again = run_pytest(tiny, "exercises/01_scale", "--impl", copy, "-p", "cacheprovider", "--lf")
    assert "2 failed" in again.stdout.splitlines()[-1] and "passed" not in again.stdout.splitlines()[-1]


PROBE = """
import os

from grader import runloop
from grader.plugin import set_submission_factory


def pytest_configure(config):
    if os.environ.get("PROBE_AS_GRADING"):
        set_submission_factory(config, object)  # what a grading session does (grader.grading.session)


def pytest_collection_finish(session):
    registered = session.config.pluginmanager.has_plugin(runloop.PLUGIN_NAME)
    with open(os.environ["PROBE_OUT"], "w") as out:
        out.write(str(registered and runloop.applies(session)))
"""


@pytest.mark.parametrize(("args", "env", "forks"), [
    ((), {}, True),
    (("--pdb",), {}, False),
    (("--trace",), {}, False),
    (("-p", "no:tensorlings-fork"), {}, False),
    (("--tensorlings-variants",), {}, False),
    ((), {"PROBE_AS_GRADING": "1"}, False),
    (("test_framework_own.py",), {}, False),
    (("--collect-only",), {}, False),
])
def test_the_forked_run_loop_is_off_where_it_cannot_or_need_not_work(tiny, tmp_path, args, env, forks):
    (tiny / "conftest.py").write_text(PROBE)
    (tiny / "test_framework_own.py").write_text("def test_plain():\n    pass\n")
    out = tmp_path / "forks.txt"
    subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "exercises/01_scale", *args,
                    "--impl", "solutions"], cwd=tiny, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
                   env={**os.environ, "PROBE_OUT": str(out), **env})
    assert out.read_text() == str(forks)
