"""A run's private work folder (``/tmp/tensorlings-grade-*``), and cleaning those of dead runs.

A run removes its folder when it ends, a crash included. A run killed with SIGKILL cannot,
so each folder names its owner (pid and start time, so a reused pid is not taken for the
owner) and the fork server it started; the next run removes the folders whose owner is gone
and stops the fork servers they left running.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
from pathlib import Path

PREFIX = "tensorlings-grade-"
OWNER_FILE = "owner"


def _started(pid: int) -> str | None:
    """The kernel's start time of process ``pid`` (clock ticks after boot), or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[-1].split()[19]  # field 22, counted after the command name


def _identity(pid: int) -> str:
    return f"{pid} {_started(pid) or '?'}"


def _alive(identity: str) -> bool:
    pid, _, started = identity.partition(" ")
    return pid.isdigit() and started != "?" and _started(int(pid)) == started


def create(jobs_scratch: int) -> Path:
    """A fresh work folder owned by this process: students' copies, each slot's scratch."""
    work = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))  # the owner's pid, even before "owner" exists
    os.chmod(work, 0o711)
    (work / OWNER_FILE).write_text(_identity(os.getpid()) + "\n")
    (work / "students").mkdir(mode=0o700)
    for index in range(jobs_scratch):
        (work / f"scratch-{index}").mkdir(mode=0o711)
    return work


def record_helper(work: Path, pid: int) -> None:
    """Name a process this run started (the fork server), to be stopped if the run dies without doing so."""
    with (work / OWNER_FILE).open("a") as stream:
        stream.write(_identity(pid) + "\n")


def remove(work: Path) -> None:
    shutil.rmtree(work, ignore_errors=True)


def remove_abandoned(parent: Path | None = None) -> list[Path]:
    """Remove the work folders of runs that died, stopping what they left running; returns what was removed."""
    parent = Path(parent or tempfile.gettempdir())
    removed = []
    for folder in parent.glob(PREFIX + "*"):
        pid = folder.name[len(PREFIX):].partition("-")[0]
        if not pid.isdigit():
            continue  # made by a version that did not name its owner: not ours to judge
        try:
            lines = (folder / OWNER_FILE).read_text().split("\n")
        except FileNotFoundError:
            lines = []  # its owner died before naming itself, or is about to: the pid alone decides
        except OSError:
            continue
        owner, helpers = (lines[0] if lines else ""), [line for line in lines[1:] if line]
        if _alive(owner) or (not owner and _started(int(pid)) is not None):
            continue
        for helper in helpers:
            if _alive(helper):
                with contextlib.suppress(OSError):
                    os.kill(int(helper.split()[0]), signal.SIGKILL)
        remove(folder)
        removed.append(folder)
    return removed
