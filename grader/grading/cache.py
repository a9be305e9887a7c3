"""Recordings kept between grading runs: an exercise is recorded again only when what it depends on changed.

Recording an exercise against its solution costs seconds; grading the same course again
(a late submission, a regrade, the next section) would pay it every run. Each exercise's
recording is kept under a key made of the content of everything it depends on: its checks
(every file of ``exercises/<id>/`` but the learner's module), its solution folder (known
mistakes included), ``course.yml``, the Hypothesis profile, the grading seed and the
framework's own sources. A changed byte in any of them is a new key, so a stale recording
is never replayed; an entry is never changed in place, only added whole.

Where: ``$TENSORLINGS_CACHE`` or ``$XDG_CACHE_HOME/tensorlings`` (``~/.cache/tensorlings``),
private to the instructor (mode 0700). Not in the reports folder: recordings hold the
held-back grading cases and their answers, and reports are handed out to students.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from grader import replay
from grader.atomic import write_text
from grader.course import CourseTree
from grader.manifest import Exercise

# Bump when the layout of an entry changes.
CACHE_FORMAT = "1"
_SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".hypothesis", replay.FOLDER}

Prepare = Callable[..., tuple[dict[str, Path], list[str]]]


def default_root() -> Path:
    if os.environ.get("TENSORLINGS_CACHE"):
        return Path(os.environ["TENSORLINGS_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tensorlings"


def _files(folder: Path, leave_out: Iterable[Path] = ()) -> list[Path]:
    skip = {p.resolve() for p in leave_out}
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and not _SKIPPED_PARTS.intersection(p.relative_to(folder).parts)
                  and p.resolve() not in skip)


def _digest(paths: Iterable[Path], relative_to: Path, digest=None):
    digest = digest or hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(relative_to)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest


_framework_hash: str | None = None


def framework_version() -> str:
    """The package version and a hash of the framework's sources (a dev tree changes without a release)."""
    global _framework_hash
    if _framework_hash is None:
        import grader

        package = Path(grader.__file__).parent
        sources = [p for p in _files(package) if p.suffix in (".py", ".html")]
        version = getattr(grader, "__version__", "")
        _framework_hash = f"{version}+{_digest(sources, package).hexdigest()[:16]}"
    return _framework_hash


def exercise_key(tree: CourseTree, exercise: Exercise, profile: str, seed: int | str | None = None) -> str:
    """The content key of one exercise's recording."""
    digest = hashlib.sha256()
    for part in (CACHE_FORMAT, framework_version(), profile, "" if seed is None else str(seed), exercise.id):
        digest.update(part.encode() + b"\0")
    digest.update(tree.manifest_path.read_bytes())
    checks = _files(tree.exercise_dir(exercise), leave_out=[tree.stub_path(exercise)])
    _digest(checks, tree.root, digest)
    _digest(_files(tree.solutions_dir / exercise.id), tree.root, digest)
    return digest.hexdigest()[:32]


def _entry(root: Path, key: str, exercise_id: str) -> Path:
    return root / "recordings" / key / exercise_id / replay.FOLDER / replay.FILENAME


def cached_recordings(tree: CourseTree, exercises: Sequence[Exercise], recorded: Path, profile: str, jobs: int,
                      *, seed: int | str | None = None, root: Path | None = None,
                      prepare: Prepare | None = None) -> tuple[dict[str, Path], list[str]]:
    """``prepare_recordings``, but only for the exercises whose recording is not cached yet.

    Returns what ``prepare_recordings`` returns; the paths of reused recordings point into
    the cache. ``seed`` is the run's grading seed: a different seed is a different recording.
    Exercises that must draw their cases live are not cached: they are tried again next run.
    """
    if prepare is None:
        from grader.grading.prepare import prepare_recordings as prepare
    root = (root or default_root()).expanduser()
    keys = {e.id: exercise_key(tree, e, profile, seed) for e in exercises}
    ready = {e.id: _entry(root, keys[e.id], e.id) for e in exercises if _entry(root, keys[e.id], e.id).is_file()}
    missing = [e for e in exercises if e.id not in ready]
    live: list[str] = []
    if missing:
        made, live = prepare(tree, missing, recorded, profile, jobs)
        for exercise_id, cases in made.items():
            ready[exercise_id] = _store(root, keys[exercise_id], exercise_id, cases)
    return ready, live


def _store(root: Path, key: str, exercise_id: str, cases: Path) -> Path:
    """Copy one recording into the cache whole (a temporary folder renamed into place); its cached path.

    Any failure to write leaves the cache as it was and grading uses the fresh recording.
    """
    target = _entry(root, key, exercise_id)
    folder = root / "recordings" / key / exercise_id
    try:
        root.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o700)
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{exercise_id}."))
        try:
            (staging / replay.FOLDER).mkdir()
            shutil.copyfile(cases, staging / replay.FOLDER / replay.FILENAME)
            write_text(staging / "key.txt", f"{key}\nframework {framework_version()}\n")
            os.rename(staging, folder)  # atomic; fails when another run stored it first
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError:
        return cases
    return target if target.is_file() else cases
