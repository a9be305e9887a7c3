"""``tensorlings grade`` as an instructor runs it: the last line, the roster, one student again."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import FIXTURES

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.name != "posix" or not hasattr(os, "fork"), reason="grading needs fork (Linux)")]


def _grade(root: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grader.cli", "--course", str(root / "tiny"), "grade", str(root / "subs"),
         "--out", str(root / "out"), "--jobs", "1", *extra],
        cwd=root, capture_output=True, text=True, timeout=600,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": str(root)})


def test_roster_last_line_and_one_student_again(tmp_path):
    shutil.copytree(FIXTURES / "tiny", tmp_path / "tiny")
    for name in ("passed", "named_mistake"):
        shutil.copytree(FIXTURES / "golden" / "students" / name, tmp_path / "subs" / name)
    (tmp_path / "subs" / "broken.zip").write_bytes(b"not a zip at all")
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name,email\npassed,Ada Lovelace,ada@example.org\nbroken,Bo Ken,bo@example.org\n"
                      "absent,Al Sent,al@example.org\n")

    first = _grade(tmp_path, "--roster", str(roster))
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().splitlines()[-1] == "2 graded, 0 unchanged (skipped), 1 not gradable"
    assert "not on the roster (1): named_mistake" in first.stderr
    assert "on the roster, no submission (1): absent" in first.stderr
    rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO((tmp_path / "out" / "grades.csv").read_text()))}
    assert (rows["passed"]["first_name"], rows["passed"]["last_name"]) == ("Ada", "Lovelace")
    assert rows["broken"]["email"] == "bo@example.org" and rows["broken"]["score"] == ""
    assert "not gradable (unreadable archive)" in first.stdout

    again = _grade(tmp_path, "--student", "passed")
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip().splitlines()[-1] == "1 graded, 1 unchanged (skipped), 1 not gradable"

    unknown = _grade(tmp_path, "--student", "nobody")
    assert unknown.returncode == 2 and "no student 'nobody'" in unknown.stderr
    assert "Traceback" not in unknown.stderr
