"""Where a recording's file is, and reading and writing it.

A recording is one ``grader.codec`` frame, gzipped: a dict with the format,
the exercise, each check's drawn cases and each function's recorded calls.
Every case and every answer inside it is a frame of its own, so each replay
decodes fresh tensors from it.
"""

from __future__ import annotations

import functools
import gzip
from collections.abc import Callable
from pathlib import Path

from grader import codec

FORMAT = 3  # 3: each recorded outcome says where its tensors go on replay (replay/placement.py)
FOLDER = ".recorded"
FILENAME = "cases.tlc.gz"


class RecordingMissing(AssertionError):
    """A check asked for a reference output that the release did not record."""


def test_key(test: Callable) -> str:
    return f"{Path(test.__code__.co_filename).name}::{test.__qualname__}"


def case_size(frame: bytes) -> int:
    """How big a recorded value is: replay tries small cases first, so a failure shows a small one."""
    return len(frame)


@functools.lru_cache(maxsize=32)
def read(path: str, mtime: float) -> dict:
    """The recording at ``path`` (cached while its modification time stays the same)."""
    try:
        with gzip.open(path, "rb") as handle:
            frame = handle.read(codec.MAX_BYTES + 1)
        data = codec.loads(frame)
    except (OSError, EOFError, codec.CodecError) as error:
        raise RuntimeError(f"{path} is not a readable recording ({error}); rebuild the release") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RuntimeError(f"{path}: recorded with another version of tensorlings; rebuild the release")
    return data


def save(data: dict, path: Path) -> None:
    """Write a recording (``Recorder.save`` builds ``data``)."""
    with gzip.open(path, "wb", compresslevel=6) as handle:
        handle.write(codec.dumps(data))
