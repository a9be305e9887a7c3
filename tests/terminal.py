"""Driving a command in a pseudo-terminal, as a learner's terminal would: keys in, screens out."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import time
from pathlib import Path

_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal:
    def __init__(self, command: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        master, slave = pty.openpty()
        self.process = subprocess.Popen(command, cwd=cwd, stdin=slave, stdout=slave, stderr=slave,
                                        env=env, start_new_session=True)
        os.close(slave)
        self.master = master
        self.seen = ""     # everything shown so far, escapes removed
        self.mark = 0      # where ``wait_for`` looks from

    def read(self, seconds: float) -> None:
        ready, _, _ = select.select([self.master], [], [], seconds)
        if ready:
            try:
                data = os.read(self.master, 1 << 16)
            except OSError:
                return
            self.seen += _ESCAPES.sub("", data.decode(errors="replace"))

    def wait_for(self, *texts: str, limit: float = 120.0) -> str:
        """Read until every one of ``texts`` has been shown since the last ``expect_new``; the new output.
        ``limit`` only keeps a broken run from hanging the suite; it is not what the test measures."""
        end = time.monotonic() + limit
        while not all(text in self.seen[self.mark:] for text in texts):
            if time.monotonic() > end:
                raise AssertionError(f"never showed {texts!r}; the screen ends with:\n{self.seen[-3000:]}")
            if self.process.poll() is not None:
                self.read(0.1)
                if not all(text in self.seen[self.mark:] for text in texts):
                    raise AssertionError(f"ended ({self.process.returncode}) before {texts!r}:\n{self.seen[-3000:]}")
                break
            self.read(0.05)
        return self.seen[self.mark:]

    def expect_new(self) -> None:
        """Later ``wait_for`` calls look only at output shown from now on."""
        self.read(0)
        self.mark = len(self.seen)

    def press(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close(self) -> int | None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        code = self.process.wait()
        os.close(self.master)
        return code
