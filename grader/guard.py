"""A learner's call, guarded: a time limit and bounded output, in the checking process itself.

An endless loop must not hang ``pytest``, ``status`` or ``watch``: a timer
(``SIGALRM``) interrupts the call after the function's ``time_limit`` and the
check fails, naming the line the loop was on. The interruption is a
``BaseException``, so a learner's ``except Exception`` cannot swallow it.
What the function prints goes to a bounded buffer instead of the terminal
(thousands of prints per call would otherwise flood the report and slow a
passing run); the first lines are shown with a failing check only.
"""

from __future__ import annotations

import contextlib
import io
import mmap
import signal
import struct
import threading
import time
from collections.abc import Iterator

SHOWN_LINES = 30  # of a learner's printed output, with a failing check


class CallTimedOut(BaseException):  # noqa: N818 - an interruption, not an error
    """Raised inside the learner's code when its call runs past the time limit."""


class BoundedOutput(io.TextIOBase):
    """Keeps the first ``SHOWN_LINES`` lines written and counts the rest."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.partial = ""
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if len(self.lines) >= SHOWN_LINES:
            self.dropped += text.count("\n")
            return len(text)
        pieces = (self.partial + text).split("\n")
        self.partial = pieces.pop()[:500]
        for piece in pieces:
            if len(self.lines) < SHOWN_LINES:
                self.lines.append(piece[:500])
            else:
                self.dropped += 1
        return len(text)

    def text(self) -> str:
        shown = self.lines + ([self.partial] if self.partial else [])
        if not shown:
            return ""
        more = f"\n... ({self.dropped} more line(s) not shown)" if self.dropped else ""
        return "\n".join(shown) + more


class CallClock:
    """When the running call began and its limit, in memory a forked parent reads (grader.runloop): if the
    timer cannot interrupt the call (a long call into C code, SIGALRM blocked), the parent ends the process."""

    _LAYOUT = struct.Struct("dd")

    def __init__(self) -> None:
        self.memory = mmap.mmap(-1, self._LAYOUT.size)  # anonymous and shared: a forked child writes, we read

    def started(self, seconds: float) -> None:
        self.memory[:] = self._LAYOUT.pack(time.monotonic(), seconds)

    def stopped(self) -> None:
        self.memory[:] = self._LAYOUT.pack(0.0, 0.0)

    def overdue(self, grace: float) -> float | None:
        """The running call's limit, when it has run ``grace`` seconds past it; else None."""
        began, seconds = self._LAYOUT.unpack(self.memory[:])
        return seconds if began and time.monotonic() - began > seconds + grace else None


call_clock: CallClock | None = None  # set in a child of grader.runloop


@contextlib.contextmanager
def guarded_call(seconds: float) -> Iterator[BoundedOutput]:
    """Run the block with a time limit (main thread only) and the learner's prints captured."""
    output = BoundedOutput()
    timer = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if timer:
        def interrupt(signum, frame):
            raise CallTimedOut()

        previous = signal.signal(signal.SIGALRM, interrupt)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    if call_clock is not None:
        call_clock.started(seconds)
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            yield output
    finally:
        if call_clock is not None:
            call_clock.stopped()
        if timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
