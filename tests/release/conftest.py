"""A learner release of one exercise, built once for these tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # read solutions/ only: see docs/testing.md
EXERCISE = "03_strides"


def run(command: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("TENSORLINGS_REPLAY", "CI")}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, **kwargs)


@pytest.fixture(scope="session")
def course(pristine_course):
    """The real course as a fresh clone has it (the learner's own modules are never read)."""
    from grader.course import load_course

    return load_course(pristine_course)


@pytest.fixture(scope="session")
def release(tmp_path_factory, course) -> Path:
    out = tmp_path_factory.mktemp("release") / "learner"
    done = run([sys.executable, "-m", "grader.cli", "--course", str(course.root), "release", str(out),
                "--exercises", EXERCISE], cwd=course.root)
    assert done.returncode == 0, done.stdout + done.stderr
    return out
