"""Replay of recorded inputs in a learner release (no solutions/ folder).

A release records, for each check, the inputs the ``grade`` profile draws
and the reference outputs for them. In such a course ``@check`` replays
those instead of drawing new inputs.
"""

from __future__ import annotations

from collections.abc import Callable


def active() -> bool:
    """True inside a learner release: recorded cases replace generated ones."""
    return False


def replaying(test: Callable, function: str, argument_names: tuple[str, ...]) -> Callable:
    raise NotImplementedError("recorded replay is part of learner releases")
