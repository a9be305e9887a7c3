"""The plugin's options, markers and report header, seen through pytester on the tiny course.

Messages are matched against the plugin's own constants, so rewording one does not break these tests.
"""

from __future__ import annotations

import shutil

import pytest
from hypothesis import settings

from grader.checks import MARKER
from grader.plugin import GPU_SKIP_REASON, IMPL_HELP, available_devices
from tests.helpers import FIXTURES, learner_copy

pytest_plugins = ["pytester"]

CORRECT = """
    def double(x):
        return x * 2

    def flip_hw(image):
        return image.transpose(-2, -1)
"""
WRONG = """
    def double(x):
        return x + 2

    def flip_hw(image):
        return image.transpose(-2, -1)
"""
# Prints the Hypothesis settings the plugin chose, as a check in the exercise would see them.
PROFILE_PROBE = """
from hypothesis import settings

def test_profile():
    print("PROFILE", settings.get_current_profile_name(), settings.default.derandomize)
"""


def flat(text: str) -> str:
    """``text`` with runs of whitespace made one space: pytest's help wraps long lines."""
    return " ".join(text.split())


@pytest.fixture(autouse=True)
def keep_hypothesis_profile():
    """Runs in this process load a profile; put back the one this session uses."""
    name = settings.get_current_profile_name()
    yield
    settings.load_profile(name)


@pytest.fixture
def course(pytester: pytest.Pytester, monkeypatch) -> pytest.Pytester:
    """pytester's folder holding a copy of the tiny course, run as a learner on a laptop (no CI)."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("TENSORLINGS_REPLAY", raising=False)
    shutil.copytree(FIXTURES / "tiny", pytester.path, dirs_exist_ok=True)
    return pytester


def header_line(result: pytest.RunResult) -> str:
    lines = [line for line in result.outlines if line.startswith("tensorlings: ")]
    assert len(lines) == 1, result.outlines[:20]
    return lines[0]


# ---------------------------------------------------------------- --impl


def test_impl_is_documented_in_help(course):
    result = course.runpytest("--help")
    assert "--impl=PATH" in result.stdout.str()
    assert flat(IMPL_HELP) in flat(result.stdout.str())


def test_without_impl_the_learners_stubs_are_checked(course):
    result = course.runpytest("exercises/01_scale")
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # untouched stubs never make a green run
    assert "not started" in result.outlines[-1]


def test_impl_solutions_checks_the_course_solutions(course):
    result = course.runpytest("exercises/01_scale", "--impl", "solutions")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert result.parseoutcomes()["passed"] >= 3


def test_impl_path_checks_that_copy(course):
    right = learner_copy(course.path / "right", CORRECT)
    wrong = learner_copy(course.path / "wrong", WRONG)
    passed = course.runpytest("exercises/01_scale", "--impl", str(right))
    failed = course.runpytest("exercises/01_scale", "--impl", str(wrong))
    assert passed.ret == pytest.ExitCode.OK, passed.stdout.str()
    assert failed.ret == pytest.ExitCode.TESTS_FAILED
    assert failed.parseoutcomes()["failed"] >= 1 and "WRONG" in failed.stdout.str()


def test_impl_of_a_missing_folder_names_it_and_says_what_impl_takes(course):
    result = course.runpytest("exercises/01_scale", "--impl", "no_such_folder")
    assert result.ret != pytest.ExitCode.OK
    assert f"--impl no_such_folder: no such folder. {IMPL_HELP}" in flat(result.stdout.str() + result.stderr.str())


def test_impl_of_a_missing_folder_is_one_usage_error(course):
    result = course.runpytest("exercises/01_scale", "--impl", "no_such_folder")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "Traceback" not in result.stdout.str() and "raise pytest.UsageError" not in result.stdout.str()


# ---------------------------------------------------------------- markers


def test_the_markers_are_registered(course):
    result = course.runpytest("--markers")
    text = result.stdout.str()
    for marker in ("gpu", MARKER, "in_process"):
        assert f"@pytest.mark.{marker}" in text, marker


def test_the_course_runs_under_strict_markers(course):
    result = course.runpytest("exercises/01_scale", "--impl", "solutions", "--strict-markers")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()


@pytest.mark.skipif(available_devices() != ["cpu"], reason="this machine has a GPU: the gpu check runs here")
def test_a_gpu_check_skips_with_its_reason_on_a_cpu_only_machine(course):
    result = course.runpytest("exercises/01_scale", "--impl", "solutions", "-rs")
    assert result.parseoutcomes()["skipped"] == 1
    assert GPU_SKIP_REASON in flat(result.stdout.str())


@pytest.mark.skipif(available_devices() == ["cpu"], reason="needs a CUDA or MPS device")
def test_a_gpu_check_runs_on_a_gpu_machine(course):
    result = course.runpytest("exercises/01_scale", "--impl", "solutions", "-rs")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert GPU_SKIP_REASON not in flat(result.stdout.str())


# ---------------------------------------------------------------- report header and Hypothesis profile


def test_the_header_names_what_is_checked_the_profile_and_the_devices(course):
    devices = ", ".join(available_devices())
    result = course.runpytest("exercises/01_scale")
    assert header_line(result) == f"tensorlings: checking exercises/ with Hypothesis profile learn; devices: {devices}"
    result = course.runpytest("exercises/01_scale", "--impl", "solutions")
    assert header_line(result) == f"tensorlings: checking solutions/ with Hypothesis profile learn; devices: {devices}"


def test_outside_a_course_there_is_no_header(pytester, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    pytester.makepyfile(test_plain="def test_nothing():\n    pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.OK
    assert not [line for line in result.outlines if line.startswith("tensorlings: ")]


@pytest.mark.parametrize(("ci", "profile", "derandomized"), [(None, "learn", False), ("true", "ci", True)])
def test_the_hypothesis_profile_is_learn_for_learners_and_ci_under_ci(course, monkeypatch, ci, profile, derandomized):
    if ci:
        monkeypatch.setenv("CI", ci)
    course.makepyfile(test_probe=PROFILE_PROBE)
    result = course.runpytest("test_probe.py", "-s")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert f"with Hypothesis profile {profile};" in header_line(result)
    assert f"PROFILE {profile} {derandomized}" in result.stdout.str()


def test_an_explicit_hypothesis_profile_wins(course):
    course.makepyfile(test_probe=PROFILE_PROBE)
    result = course.runpytest("test_probe.py", "-s", "--hypothesis-profile", "grade")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert "PROFILE grade True" in result.stdout.str()
    assert "with Hypothesis profile as set by --hypothesis-profile;" in header_line(result)
