"""Private copies of the files a recorded call was given, for the runs the recorder makes later.

The recorder runs the known mistakes of a call given files after the check's test returns; by
then a check's temporary file is gone. So it copies what each path argument names (a file, a folder, or nothing yet: a path
to write) into a folder of its own, and the later runs get paths into that folder instead.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from grader.replay.fingerprint import _names_path


class PrivateFiles:
    def __init__(self) -> None:
        self._folders: list[str] = []

    def private(self, value: Any) -> Any:
        """``value`` with every path in it replaced by a path to a private copy of what it names."""
        if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
            return type(value)(self.private(item) for item in value)
        if isinstance(value, dict):
            return {key: self.private(item) for key, item in value.items()}
        if _names_path(value):
            return self._copy(value)
        return value

    def _copy(self, value: Any) -> Any:
        source = Path(os.fspath(value))
        folder = tempfile.mkdtemp(prefix="tensorlings-rec-")
        self._folders.append(folder)
        target = Path(folder) / (source.name or "root")
        try:
            if source.is_dir():
                shutil.copytree(source, target, symlinks=True)
            elif source.is_file():
                shutil.copyfile(source, target)
        except OSError:
            return value  # unreadable or too big to copy: the later runs see the path itself
        return str(target) if isinstance(value, str) else type(value)(target) if isinstance(value, Path) else target

    def clear(self) -> None:
        for folder in self._folders:
            shutil.rmtree(folder, ignore_errors=True)
        self._folders = []
