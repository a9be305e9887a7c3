"""Keep the framework's own source out of Hypothesis's draws.

Hypothesis mixes into the values it draws the literal constants of every *local* module loaded
in the process, meaning every module outside site-packages. In an editable install that includes
``grader/`` itself. A grading seed would then draw other held-back cases after any change to the
framework's source, and different ones from an editable and a wheel install of the same version
(two graders of one class, different grades). The course's own modules (its solutions, a
learner's module) still count, as Hypothesis intends: they are what is being tested.

This wraps Hypothesis's internal test of "local module" (there is no setting for it). With a
Hypothesis that has no such function, nothing is wrapped and draws depend on local constants again.
"""

from __future__ import annotations

import os
from pathlib import Path

FRAMEWORK = str(Path(__file__).resolve().parent) + os.sep


def _is_framework_file(path: str) -> bool:
    try:
        return str(Path(path).resolve()).startswith(FRAMEWORK)
    except (OSError, ValueError):
        return False


def keep_framework_constants_out() -> bool:
    """Wrap Hypothesis's local-module test once; whether it could be."""
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:
        return False
    current = getattr(providers, "is_local_module_file", None)
    if current is None:
        return False
    if getattr(current, "tensorlings", False):
        return True

    def is_local_module_file(path: str) -> bool:
        return current(path) and not _is_framework_file(path)

    is_local_module_file.tensorlings = True
    providers.is_local_module_file = is_local_module_file
    return True
