"""A conftest.py above the course (a repository that holds the course) never joins a grading session."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers import FIXTURES


def test_a_conftest_above_the_course_does_not_reach_grading(tmp_path: Path) -> None:
    # pytest would otherwise load conftests down from the folder of the ini file it finds above the course
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    (tmp_path / "conftest.py").write_text(
        "import pytest\n\n\n@pytest.fixture(autouse=True)\ndef broken():\n    raise RuntimeError('not the course')\n")
    course = tmp_path / "course"
    shutil.copytree(FIXTURES / "tiny", course)
    subs = tmp_path / "subs"
    shutil.copytree(FIXTURES / "golden" / "students" / "passed", subs / "passed")
    done = subprocess.run(
        [sys.executable, "-m", "grader.cli", "--course", str(course), "grade", str(subs), "--out",
         str(tmp_path / "out"), "--timeout", "2", "--jobs", "1"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TENSORLINGS_CACHE": str(tmp_path / "cache")},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5/5" in done.stdout
