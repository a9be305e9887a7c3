"""A guard that fails any framework test which opens a learner's module.

The learner edits exercises/<id>/<module>.py in the same checkout that holds these tests, so a test
that reads those files passes or fails with the learner's progress (docs/testing.md). An audit hook
(``sys.addaudithook``) sees every ``open`` in this process, whoever makes it: the test, the
framework, or a library. Subprocesses are not seen; the solved-copy test covers them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest


class LearnerFileGuard:
    """Records opens of the guarded files and turns them into a failure of the test that made them."""

    def __init__(self, guarded: Iterable[Path]) -> None:
        self.guarded = {os.path.realpath(path) for path in guarded}
        self._names = {os.path.basename(path) for path in self.guarded}  # a cheap first filter
        self._armed = False
        self._reads: list[str] = []

    def arm(self) -> None:
        """Start watching; an audit hook cannot be removed, so it is added once per process."""
        if not self._armed:
            sys.addaudithook(self.audit)
            self._armed = True

    def audit(self, event: str, args: tuple) -> None:
        if event != "open" or not args:
            return
        path = args[0]
        if isinstance(path, int):          # os.fdopen and friends: already-open descriptors
            return
        try:
            path = os.fsdecode(path)
        except TypeError:
            return
        if os.path.basename(path) not in self._names:
            return
        resolved = os.path.realpath(path)
        if resolved in self.guarded and resolved not in self._reads:
            self._reads.append(resolved)

    def take(self) -> list[str]:
        """The guarded files opened since the last call."""
        reads, self._reads = self._reads, []
        return reads

    @staticmethod
    def message(reads: list[str]) -> str:
        listed = "\n".join(f"  {path}" for path in reads)
        return (
            "this test opened a learner's module, which holds whatever the learner has written so far:\n"
            f"{listed}\n"
            "Use the pristine course copy (the `pristine_course` fixture, built by "
            "tests.helpers.write_pristine_course) or tests.helpers.stub_from_solution instead; "
            "see docs/testing.md."
        )

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        reads = self.take()
        if reads and not report.failed:
            report.outcome = "failed"
            report.longrepr = self.message(reads)
        elif reads:
            report.sections.append(("learner files opened", self.message(reads)))
        return report
