"""Running checks in this process and collecting structured results.

``status`` and ``validate`` use this instead of parsing pytest's text: the
plugin records a ``CheckResult`` per check and this hands them back.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from pathlib import Path

from grader.results import CheckResult


class _Collector:
    def __init__(self) -> None:
        self.results: list[CheckResult] = []
        self.usage_error: str | None = None

    def pytest_sessionfinish(self, session) -> None:
        from grader.plugin import collected_results

        self.results = list(collected_results(session.config))


def run_checks(paths: Sequence[Path], *, impl: str | None = None, options: Sequence[str] = ()) -> list[CheckResult]:
    """Run the checks in ``paths`` quietly and return what happened to each."""
    import pytest

    collector = _Collector()
    args = [str(p) for p in paths] + ["--import-mode=importlib", "-p", "no:cacheprovider", "-p", "no:terminal", *options]
    if impl is not None:
        args += ["--impl", str(impl)]
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        code = pytest.main(args, plugins=[collector])
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR) and not collector.results:
        raise RuntimeError(stderr.getvalue().strip() or f"pytest stopped with {code!r}")
    return collector.results

