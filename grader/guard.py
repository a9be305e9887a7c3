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
import signal
import threading
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
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            yield output
    finally:
        if timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
