"""``@check``: tie a test to the exercise function it checks, and give it inputs.

It is a thin layer over Hypothesis's ``@given``. Every input a check uses
goes through it, so that a learner release (which has no solutions) can
replay recorded inputs and recorded reference outputs through the very same
test functions instead of drawing new ones.

Whether a check draws, records or replays is asked each time it runs, from
the run's ``grader.replay.Mode`` (kept in ``config.stash`` by the plugin), so
importing a test module decides nothing.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, seed
from hypothesis.strategies import SearchStrategy

from grader.replay.store import test_key

MARKER = "tensorlings_check"
MODE_KEY = pytest.StashKey[Any]()  # the run's grader.replay.Mode, set in the plugin's pytest_configure


def mode_of(config: pytest.Config):
    """The run's mode; a run without the plugin's configure (a bare pytest.main) gets the course's."""
    if MODE_KEY not in config.stash:
        from grader import replay

        config.stash[MODE_KEY] = replay.for_run()
    return config.stash[MODE_KEY]


def _seeded(mode, test: Callable, drawing: Callable) -> Callable:
    """``drawing`` (a fresh ``@given`` test) drawing from the run's seed, when it has one: an explicit
    seed wins over the profile's derandomized one, so grading draws cases no release recorded."""
    chosen = mode.seed_for(test_key(test))
    if chosen is not None and hasattr(drawing, "hypothesis"):
        drawing = seed(chosen)(drawing)
    return drawing


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
        names = tuple(strategies)
        drawn = given(**strategies)(test) if strategies else test
        signature = inspect.signature(test)
        wants_request = "request" in signature.parameters

        def run(mode, *args: Any, **fixtures: Any) -> None:
            """The check under ``mode``: replay recorded cases, record drawn ones, or just draw."""
            from grader import replay

            if mode.replays_test(test):
                return replay.replay_cases(test, names, mode, args, fixtures)
            if mode.recorder is not None:
                recording = replay.recorded_test(test, names, mode.recorder)
                return _seeded(mode, test, given(**strategies)(recording) if strategies else recording)(
                    *args, **fixtures)
            if strategies and mode.seed is not None:
                return _seeded(mode, test, given(**strategies)(test))(*args, **fixtures)
            return drawn(*args, **fixtures)

        @functools.wraps(test)
        def checked(*args: Any, request: pytest.FixtureRequest, **fixtures: Any) -> None:
            if wants_request:
                fixtures["request"] = request
            return run(mode_of(request.config), *args, **fixtures)

        # pytest sees the test's fixtures (not the drawn arguments) and ``request``.
        kept = [p for name, p in signature.parameters.items() if name not in names]
        if not wants_request:
            kept.append(inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY))
        del checked.__wrapped__
        checked.__signature__ = signature.replace(parameters=kept)
        checked.run = run  # for callers outside pytest (notebooks): run(mode, **fixtures)
        if strategies:
            # Hypothesis's pytest plugin then treats the check as its own: it keeps its reports
            # (the seed to reproduce a failure) out of the learner's output and keys its database
            # per parametrized device, as it does for a test that @given wraps directly.
            checked.is_hypothesis_test = True
            checked.hypothesis = drawn.hypothesis
            checked._hypothesis_internal_use_settings = drawn._hypothesis_internal_use_settings
        checked.tensorlings_strategies = strategies
        return pytest.mark.tensorlings_check(function)(checked)

    return decorate
