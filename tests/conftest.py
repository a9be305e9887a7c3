"""Fixtures for the framework's own tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import FIXTURES


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A private copy of the tiny course (one exercise, two functions, six mistakes)."""
    course = tmp_path / "tiny"
    shutil.copytree(FIXTURES / "tiny", course)
    return course
