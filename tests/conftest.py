"""Fixtures for the framework's own tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.guard import LearnerFileGuard
from tests.helpers import FIXTURES, learner_modules, write_pristine_course

# The framework's tests never open the learner's modules of the real course (docs/testing.md).
LEARNER_FILE_GUARD = LearnerFileGuard(learner_modules())


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(LEARNER_FILE_GUARD, "tensorlings-learner-file-guard")
    LEARNER_FILE_GUARD.arm()  # already here, so that a read while collecting fails the first test


@pytest.fixture(scope="session", autouse=True)
def learner_file_guard() -> LearnerFileGuard:
    """Fails any test that opens exercises/<id>/<module>.py of the real course."""
    LEARNER_FILE_GUARD.arm()
    return LEARNER_FILE_GUARD


@pytest.fixture(scope="session", autouse=True)
def recordings_cache(tmp_path_factory: pytest.TempPathFactory):
    """Grading in these tests keeps its recordings here, not in the user's ~/.cache."""
    previous = os.environ.get("TENSORLINGS_CACHE")
    os.environ["TENSORLINGS_CACHE"] = str(tmp_path_factory.mktemp("recordings-cache"))
    yield
    if previous is None:
        os.environ.pop("TENSORLINGS_CACHE", None)
    else:
        os.environ["TENSORLINGS_CACHE"] = previous


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A private copy of the tiny course (one exercise, two functions, six mistakes)."""
    course = tmp_path / "tiny"
    shutil.copytree(FIXTURES / "tiny", course)
    return course


@pytest.fixture(scope="session")
def pristine_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the real course as a fresh clone has it: every learner module an untouched stub.

    Shared by the session: tests must not change it (copy it further with ``pristine_course_copy``).
    """
    return write_pristine_course(tmp_path_factory.mktemp("pristine") / "course")


@pytest.fixture
def pristine_course_copy(tmp_path: Path) -> Path:
    """Like ``pristine_course``, but this test's own copy, free to change."""
    return write_pristine_course(tmp_path / "course")
