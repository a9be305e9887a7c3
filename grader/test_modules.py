"""Test modules are imported once per file, and never mistaken for another course's.

With ``--import-mode=importlib`` pytest names a test module after its path
below the rootdir and reuses whatever ``sys.modules`` holds under that name.
Two courses laid out alike (two copies of one course, a release and its
source) give their test files the same name, so a second run in the same
process would silently check with the first course's tests. Before pytest
imports a test file, this drops a module of that name only when it was
loaded from another file; a module of the same file stays imported, since
whether its checks draw, record or replay is decided per run (``grader.replay.modes``).
"""

from __future__ import annotations

import os
import sys

import pytest


def _module_names(path, root) -> set[str]:
    """The names pytest may give the file: after its path (importlib mode), or, outside a package,
    its bare stem (the prepend mode a grading session uses)."""
    from _pytest.pathlib import module_name_from_path, resolve_package_path

    names = {module_name_from_path(path, root)}
    if resolve_package_path(path) is None:
        names.add(path.stem)
    return names


def pytest_collectstart(collector: pytest.Collector) -> None:
    if not isinstance(collector, pytest.Module):
        return
    for name in _module_names(collector.path, collector.config.rootpath):
        loaded = sys.modules.get(name)
        file = getattr(loaded, "__file__", None)
        if isinstance(file, str) and os.path.realpath(file) != os.path.realpath(collector.path):
            del sys.modules[name]
