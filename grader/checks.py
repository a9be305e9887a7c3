"""``@check``: tie a test to the exercise function it checks, and give it inputs.

It is a thin layer over Hypothesis's ``@given``. Every input a check uses
goes through it, so that a learner release (which has no solutions) can
replay recorded inputs and recorded reference outputs through the very same
test functions instead of drawing new ones.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis.strategies import SearchStrategy

MARKER = "tensorlings_check"


def check(function: str, /, **strategies: SearchStrategy) -> Callable[[Callable], Callable]:
    """Mark a test as a check of ``function``; draw its keyword arguments from ``strategies``.

    With no strategies the test is a fixed example (an anchor from the lesson).
    """
    if not isinstance(function, str) or not function.isidentifier():
        raise TypeError(f"@check needs the function's name as a string first, got {function!r}")
    for name, strategy in strategies.items():
        if not isinstance(strategy, SearchStrategy):
            raise TypeError(f"@check({function!r}, {name}=...) needs a Hypothesis strategy, got {strategy!r}")

    def decorate(test: Callable) -> Callable:
        from grader import replay

        if replay.active(test):
            wrapped = replay.replaying(test, function, tuple(strategies))
        elif strategies:
            wrapped = given(**strategies)(replay.recorded_test(test, tuple(strategies)))
        else:
            wrapped = replay.recorded_test(test, ())
        wrapped.tensorlings_strategies = strategies
        return pytest.mark.tensorlings_check(function)(wrapped)

    return decorate
