"""A run's seed decides what a check draws: the same seed the same cases, another seed others.

Grading hands every student the same seed (fair and replayable); a learner's run has none, so it
never draws the held-back cases.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st

from grader import replay
from grader.checks import check


def _collector(drawn: list[int]):
    @check("anything", value=st.integers(0, 10**9))
    def collect(value):
        drawn.append(value)

    return collect


def _draws(mode, profile: str = "release") -> list[int]:
    """What one check draws under ``mode``, with ``profile`` loaded when the check is defined (as the
    plugin loads it before test modules are imported)."""
    previous = settings.get_current_profile_name()
    settings.load_profile(profile)
    try:
        drawn: list[int] = []
        _collector(drawn).run(mode)
        return drawn
    finally:
        settings.load_profile(previous)


def test_the_same_seed_draws_the_same_cases_and_another_seed_others():
    first = _draws(replay.Mode(seed=1))
    assert first and first == _draws(replay.Mode(seed=1))
    assert set(first) != set(_draws(replay.Mode(seed=2)))


def test_a_seed_overrides_the_derandomized_profile():
    public = _draws(replay.Mode())
    assert public == _draws(replay.Mode())  # derandomized: what a release records
    assert set(_draws(replay.Mode(seed=1))) != set(public)


def test_only_runs_configured_inside_seeded_carry_the_seed():
    assert replay.for_run().seed is None  # a learner's run
    with replay.seeded(5):
        assert replay.for_run().seed == 5
    assert replay.for_run().seed is None
