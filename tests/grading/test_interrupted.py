"""A real ``tensorlings grade`` killed with SIGKILL or stopped with Ctrl-C, then run again.

Whatever the moment of the kill, no student folder is left half-written, the rerun grades
exactly the students not finished, and ``grades.csv`` is byte for byte the uninterrupted one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.grading import workdirs
from tests.helpers import FIXTURES

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.name != "posix" or not hasattr(os, "fork"), reason="grading needs fork (Linux)")]

# The golden students less the one that sits out a 10 s time limit: quick, and every kind of result.
STUDENTS = ("broken_import", "crash", "forbidden", "named_mistake", "not_started", "passed", "unnamed_mistake")
REPORT_FILES = {"grade.json", "results.json", "feedback.html"}


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("interrupted")
    shutil.copytree(FIXTURES / "tiny", root / "tiny")
    for name in STUDENTS:
        shutil.copytree(FIXTURES / "golden" / "students" / name, root / "subs" / name)
    done = _grade(root, root / "reference")
    assert done.returncode == 0, done.stderr
    assert f"{len(STUDENTS)} graded, 0 unchanged (skipped), 0 not gradable" in done.stdout
    return {"root": root, "csv": (root / "reference" / "grades.csv").read_bytes()}


def _command(root: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "grader.cli", "--course", str(root / "tiny"), "grade", str(root / "subs"),
            "--out", str(out), "--jobs", "2"]


def _environment(root: Path) -> dict:
    return {"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": str(root)}


def _grade(root: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(_command(root, out), cwd=root, capture_output=True, text=True, timeout=600,
                          env=_environment(root))


def _start(root: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(_command(root, out), cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=_environment(root), start_new_session=True)


def _wait_for(process: subprocess.Popen, ready, seconds: float = 300) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        if ready():
            return True
        time.sleep(0.005)
    return False


def _published(out: Path) -> list[Path]:
    return [p for p in out.glob("*") if p.is_dir() and not p.name.startswith(".")]


def _work_folders_of(pid: int) -> list[Path]:
    return list(Path("/tmp").glob(f"{workdirs.PREFIX}{pid}-*"))


def _new_work_folder(out: Path, before: set[Path]) -> bool:
    """As soon as the run has its work folder: preparing, nobody graded yet."""
    return bool(set(Path("/tmp").glob(workdirs.PREFIX + "*")) - before)


def _half_built(out: Path, before: set[Path]) -> bool:
    """While a student's folder is being built beside the others."""
    return any(".partial-" in p.name for p in out.glob(".*"))


def _first_published(out: Path, before: set[Path]) -> bool:
    """Right after the first student's folder is published."""
    return any((p / "grade.json").is_file() for p in _published(out))


KILL_POINTS = {"while preparing": _new_work_folder, "while a folder is half-built": _half_built,
               "after the first student": _first_published}


def _group_ends(pgid: int, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("moment", sorted(KILL_POINTS))
def test_sigkill_at_any_moment_then_rerun_gives_the_uninterrupted_grades(course, moment, tmp_path):
    root = course["root"]
    out = tmp_path / "out"
    before = set(Path("/tmp").glob(workdirs.PREFIX + "*"))
    run = _start(root, out)
    try:
        reached = _wait_for(run, lambda: KILL_POINTS[moment](out, before))
        os.kill(run.pid, signal.SIGKILL)   # the grading process only, as `kill -9 PID` would
        run.wait(timeout=60)
        if not reached:
            pytest.skip(f"the run finished before the kill point '{moment}' was seen")
        for folder in _published(out):    # whatever is visible is whole
            assert {p.name for p in folder.iterdir()} == REPORT_FILES, folder
        finished = len(_published(out))
        rerun = _grade(root, out)
        assert rerun.returncode == 0, rerun.stderr
        # the killed run's grader processes died with it, and the rerun stopped its fork server
        assert _group_ends(run.pid), "a process of the killed run is still running"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
    assert f"{len(STUDENTS) - finished} graded, {finished} unchanged (skipped)" in rerun.stdout
    assert (out / "grades.csv").read_bytes() == course["csv"]
    assert [p.name for p in out.rglob(".*")] == []             # no temporary file or half-built folder
    assert _work_folders_of(run.pid) == []                      # the dead run's work folder is gone


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_stops_cleanly_with_exit_130_and_the_rerun_finishes(course, jobs, tmp_path):
    root = course["root"]
    out = tmp_path / "out"
    command = [*_command(root, out)[:-1], jobs]
    run = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env=_environment(root), start_new_session=True)
    reached = _wait_for(run, lambda: bool(_published(out)))
    os.killpg(run.pid, signal.SIGINT)   # Ctrl-C reaches every process of the terminal's group
    stdout, stderr = run.communicate(timeout=120)
    if not reached:
        pytest.skip("the run finished before any student was published")
    assert run.returncode == 130, stderr
    assert "Traceback" not in stderr + stdout
    assert "interrupted:" in stderr and f"of {len(STUDENTS)} students finished" in stderr
    for folder in _published(out):
        assert {p.name for p in folder.iterdir()} == REPORT_FILES, folder
    assert [p.name for p in out.rglob(".*")] == []
    rerun = _grade(root, out)
    assert rerun.returncode == 0, rerun.stderr
    assert (out / "grades.csv").read_bytes() == course["csv"]
