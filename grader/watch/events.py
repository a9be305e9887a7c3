"""What watch reacts to, all on one queue: saved files (polled mtimes: no extra dependency) and keys."""

from __future__ import annotations

import contextlib
import os
import queue
import termios
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Saved:
    paths: tuple[Path, ...]


@dataclass(frozen=True)
class Key:
    char: str


CTRL_C = "\x03"


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


class FileWatcher(threading.Thread):
    """Puts ``Saved`` on the queue when a Python file under ``folder`` changes, appears or goes."""

    def __init__(self, folder: Path, events: queue.Queue, interval: float) -> None:
        super().__init__(name="tensorlings-files", daemon=True)
        self.folder, self.events, self.interval = folder, events, interval
        self.stopping = threading.Event()

    def snapshot(self) -> dict[Path, tuple[int, int] | None]:
        return {path: _stamp(path) for path in self.folder.glob("*/*.py")}

    def run(self) -> None:
        seen = self.snapshot()
        while not self.stopping.wait(self.interval):
            now = self.snapshot()
            changed = tuple(sorted(path for path in now.keys() | seen.keys() if now.get(path) != seen.get(path)))
            seen = now
            if changed:
                self.events.put(Saved(changed))


class KeyReader(threading.Thread):
    """Puts each key pressed on the queue (the terminal is in cbreak mode, without signals: see ``keys_mode``)."""

    def __init__(self, fd: int, events: queue.Queue) -> None:
        super().__init__(name="tensorlings-keys", daemon=True)
        self.fd, self.events = fd, events

    def run(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 32)
            except OSError:
                return
            if not data:
                self.events.put(Key("q"))  # stdin closed: nobody can press q any more
                return
            for char in data.decode(errors="replace"):
                self.events.put(Key(char))


@contextlib.contextmanager
def keys_mode(fd: int) -> Iterator[bool]:
    """Keys arrive one at a time, unechoed, and Ctrl-C arrives as a key (so it can stop a check
    without ending watch). Yields False, changing nothing, when ``fd`` is not a terminal."""
    try:
        before = termios.tcgetattr(fd)
    except (termios.error, OSError):
        yield False
        return
    after = list(before)
    after[3] &= ~(termios.ICANON | termios.ECHO | termios.ISIG)
    after[6] = list(before[6])
    after[6][termios.VMIN], after[6][termios.VTIME] = 1, 0
    termios.tcsetattr(fd, termios.TCSANOW, after)
    try:
        yield True
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, before)
