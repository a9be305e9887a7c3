"""Whether a check draws, records or replays its cases."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from grader.replay.store import FILENAME, FOLDER, read

if TYPE_CHECKING:
    from grader.replay.recorder import Recorder


ENV = "TENSORLINGS_REPLAY"  # "1" replays wherever recordings exist, "0" never replays


# Folders (holding a test file) whose recordings live somewhere else: notebooks.
_forced: dict[Path, Path] = {}


# At most this many cases per check (the notebooks' quick visible checks); None: all.
_limit: int | None = None


_recorder: Recorder | None = None


def cases_path(test_folder: Path) -> Path:
    """The recording for the tests in ``test_folder``."""
    folder = Path(test_folder).resolve()
    return _forced.get(folder) or folder / FOLDER / FILENAME


def _course_root(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if (candidate / "course.yml").is_file():
            return candidate
    return None


def replays_folder(test_folder: Path) -> bool:
    """Whether the checks in ``test_folder`` replay recorded cases."""
    setting = os.environ.get(ENV)
    if setting == "0" or _recorder is not None:
        return False
    folder = Path(test_folder).resolve()
    if folder in _forced:
        return True
    if not cases_path(folder).is_file():
        return False
    if setting == "1":
        return True
    root = _course_root(folder)
    return root is not None and not (root / "solutions").is_dir()


def active(test: Callable | None = None) -> bool:
    """True inside a learner release: recorded cases replace generated ones."""
    if test is None:
        return False
    return replays_folder(Path(test.__code__.co_filename).parent)


def replays(tree, exercise) -> bool:
    """Whether ``exercise`` of this course replays (the fixtures ask this)."""
    return replays_folder(tree.exercise_dir(exercise))


@contextmanager
def forced(test_folder: Path, recording: Path, *, limit: int | None = None) -> Iterator[None]:
    """Replay ``recording`` for the tests in ``test_folder`` (a notebook has no course around it)."""
    global _limit
    folder = Path(test_folder).resolve()
    previous_limit, previous = _limit, _forced.get(folder)
    _forced[folder] = Path(recording).resolve()
    _limit = limit
    try:
        yield
    finally:
        _limit = previous_limit
        if previous is None:
            _forced.pop(folder, None)
        else:
            _forced[folder] = previous


def available(tree) -> bool:
    """Whether every exercise of this course can replay (a release)."""
    return all(replays(tree, exercise) for exercise in tree.manifest.exercises)


def recording() -> bool:
    return _recorder is not None


def start_recording(out: Path) -> Recorder:
    from grader.replay.recorder import Recorder

    global _recorder
    _recorder = Recorder(Path(out))
    return _recorder


def stop_recording() -> Recorder | None:
    global _recorder
    recorder, _recorder = _recorder, None
    return recorder


def load_cases(test_folder: Path) -> dict:
    path = cases_path(test_folder)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: this release has no recorded cases for these checks. "
            "Restore the file, or rebuild the release with `tensorlings release`"
        )
    return read(str(path), path.stat().st_mtime)
