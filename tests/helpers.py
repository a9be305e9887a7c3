"""Helpers for the framework's own tests: ways to run a course as its users do."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]


def learner_copy(root: Path, source: str, module: str = "01_scale/scale.py") -> Path:
    """A folder laid out like exercises/ whose module holds ``source``."""
    path = root / module
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return root


def run_pytest(course: Path, *args: str) -> subprocess.CompletedProcess:
    """Run pytest as a learner would, in a fresh process, inside ``course``."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=course, capture_output=True, text=True, timeout=300,
    )


def run_cli(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grader.cli", *args], cwd=course, capture_output=True, text=True, timeout=300,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": str(course)},
    )
