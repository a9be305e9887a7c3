"""Whether a check draws, records or replays its cases: one ``Mode`` per pytest run.

The plugin makes a ``Mode`` in ``pytest_configure`` and keeps it in the run's
``config.stash``; ``@check`` asks it each time a test runs, never when a test
module is imported. So one process can run the same test modules drawing,
recording and replaying in turn, without forgetting them in between.

A run replays a folder's checks when it was told to (grading and notebooks
name the recording), or when the folder has a recording and its course has no
``solutions/`` (a learner release). ``TENSORLINGS_REPLAY=1`` replays wherever a
recording exists, ``=0`` never.

A run that draws or records may carry a ``seed``: every check then draws from
a seed derived from it and the check's name, instead of the profile's own
(grading's held-back cases; see ``grader.grading.seed``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from grader.replay.store import FILENAME, FOLDER, read

if TYPE_CHECKING:
    from grader.replay.recorder import Recorder

ENV = "TENSORLINGS_REPLAY"  # "1" replays wherever recordings exist, "0" never replays


@dataclass
class Mode:
    """How the checks of one run get their inputs and reference answers."""

    recorder: Recorder | None = None   # recording against the solution (a release, grading's preparation)
    recordings: dict[Path, Path] = field(default_factory=dict)  # test folder -> the recording it replays
    limit: int | None = None           # at most this many cases per check (the notebooks' quick checks)
    seed: int | None = None            # draw every check's cases from this seed (grading's held-back cases)
    _replays: dict[Path, bool] = field(default_factory=dict, repr=False)

    def cases_path(self, test_folder: Path) -> Path:
        """The recording for the tests in ``test_folder``."""
        folder = Path(test_folder).resolve()
        return self.recordings.get(folder) or folder / FOLDER / FILENAME

    def replays_folder(self, test_folder: Path) -> bool:
        """Whether the checks in ``test_folder`` replay recorded cases in this run."""
        folder = Path(test_folder).resolve()
        if folder not in self._replays:
            self._replays[folder] = self._decide(folder)
        return self._replays[folder]

    def _decide(self, folder: Path) -> bool:
        setting = os.environ.get(ENV)
        if setting == "0" or self.recorder is not None:
            return False
        if folder in self.recordings:
            return True
        if not self.cases_path(folder).is_file():
            return False
        if setting == "1":
            return True
        root = _course_root(folder)
        return root is not None and not (root / "solutions").is_dir()

    def replays_test(self, test: Callable) -> bool:
        return self.replays_folder(Path(test.__code__.co_filename).parent)

    def replays(self, tree, exercise) -> bool:
        """Whether ``exercise`` of this course replays (the fixtures ask this)."""
        return self.replays_folder(tree.exercise_dir(exercise))

    def seed_for(self, test_key: str) -> int | None:
        """The seed one check draws from: distinct per check, so checks sharing strategies differ."""
        if self.seed is None:
            return None
        digest = hashlib.sha256(f"{self.seed}:{test_key}".encode()).digest()
        return int.from_bytes(digest[:8], "big")

    def load_cases(self, test_folder: Path) -> dict:
        path = self.cases_path(test_folder)
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} is missing: this release has no recorded cases for these checks. "
                "Restore the file, or rebuild the release with `tensorlings release`"
            )
        return read(str(path), path.stat().st_mtime)


def _course_root(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if (candidate / "course.yml").is_file():
            return candidate
    return None


# Recordings that runs configured inside ``forced`` replay (grading's worker slots).
_told: dict[Path, Path] = {}
# The seed runs configured inside ``seeded`` draw from (grading's preparation and its slots).
_seed: list[int | None] = [None]


def for_run(recorder: Recorder | None = None) -> Mode:
    """The mode of a run being configured now: ``recorder`` records; ``forced`` names recordings;
    ``seeded`` names the seed checks draw from."""
    return Mode(recorder=recorder, recordings=dict(_told), seed=_seed[0])


@contextmanager
def seeded(seed: int | None) -> Iterator[None]:
    """Runs configured inside this block draw every check's cases from ``seed``."""
    previous = _seed[0]
    _seed[0] = seed
    try:
        yield
    finally:
        _seed[0] = previous


@contextmanager
def forced(test_folder: Path, recording: Path) -> Iterator[None]:
    """Runs configured inside this block replay ``recording`` for the tests in ``test_folder``."""
    folder = Path(test_folder).resolve()
    previous = _told.get(folder)
    _told[folder] = Path(recording).resolve()
    try:
        yield
    finally:
        if previous is None:
            _told.pop(folder, None)
        else:
            _told[folder] = previous


# Outside a run (validate's planning, the CLI) the course alone decides.


def replays(tree, exercise, mode: Mode | None = None) -> bool:
    return (mode or Mode()).replays(tree, exercise)


def replays_folder(test_folder: Path, mode: Mode | None = None) -> bool:
    return (mode or Mode()).replays_folder(test_folder)


def available(tree) -> bool:
    """Whether every exercise of this course can replay (a release)."""
    mode = Mode()
    return all(mode.replays(tree, exercise) for exercise in tree.manifest.exercises)


def load_cases(test_folder: Path, mode: Mode | None = None) -> dict:
    return (mode or Mode()).load_cases(test_folder)
