"""``--out`` on a disk that fills up: one clear line, exit 2, no temporary file, and a rerun that finishes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, small_tmpfs

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.name != "posix" or not hasattr(os, "fork"), reason="grading needs fork (Linux)")]

STUDENTS = ("named_mistake", "passed")


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 32 KiB tmpfs: room for one student's folder (about 20 KiB in 4 KiB pages), not two."""
    with small_tmpfs(tmp_path / "small", "32k") as mount:
        yield mount


def _grade(root: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grader.cli", "--course", str(root / "tiny"), "grade", str(root / "subs"),
         "--out", str(out), "--jobs", "1"],
        cwd=root, capture_output=True, text=True, timeout=600, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin",
                                                                    "HOME": str(root)})


def test_a_full_disk_is_one_line_exit_2_and_the_rerun_finishes(small_disk, tmp_path):
    shutil.copytree(FIXTURES / "tiny", tmp_path / "tiny")
    for name in STUDENTS:
        shutil.copytree(FIXTURES / "golden" / "students" / name, tmp_path / "subs" / name)
    reference = _grade(tmp_path, tmp_path / "reference")
    assert reference.returncode == 0, reference.stderr

    full = _grade(tmp_path, small_disk / "out")
    assert full.returncode == 2, full.stdout + full.stderr
    assert "Traceback" not in full.stderr + full.stdout
    assert "disk is full" in full.stderr and str(small_disk / "out") in full.stderr
    assert [p.name for p in (small_disk / "out").rglob(".*")] == []     # no temporary file or folder
    for folder in (small_disk / "out").iterdir():                         # what was finished is whole
        assert {p.name for p in folder.iterdir()} == {"grade.json", "results.json", "feedback.html"}

    subprocess.run(["mount", "-o", "remount,size=4m", str(small_disk)], check=True)
    rerun = _grade(tmp_path, small_disk / "out")
    assert rerun.returncode == 0, rerun.stderr
    assert (small_disk / "out" / "grades.csv").read_bytes() == (tmp_path / "reference" / "grades.csv").read_bytes()
    assert [p.name for p in (small_disk / "out").rglob(".*")] == []
