"""Writing report files atomically: a reader never sees half a report."""

from __future__ import annotations

from pathlib import Path

from grader.atomic import write_text

# Reports are meant to be handed out: readable by all, unlike a temporary file's private default.
REPORT_MODE = 0o644


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (see ``grader.atomic``)."""
    write_text(path, text, mode=REPORT_MODE)
