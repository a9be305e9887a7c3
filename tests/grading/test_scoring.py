"""Partial credit and hidden checks: course.yml decides how a function's checks make its points,
and which checks' details a student never sees."""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grader.grading.model import FunctionGrade, StudentGrade
from grader.grading.scoring import AFTER_DUE_DATE, VISIBLE, check_name, score
from grader.manifest import Function
from grader.results import CheckResult, FunctionResult, Status

PASS, WRONG = Status.PASSED, Status.WRONG


def _function(**fields) -> Function:
    return Function(name="f", points=4, hints=["a hint"], **fields)


def _result(*outcomes: tuple[str, Status]) -> FunctionResult:
    checks = [CheckResult("01_x", "f", f"exercises/01_x/test_x.py::{name}[cpu]", status) for name, status in outcomes]
    return FunctionResult("01_x", "f", 4, checks)


def test_all_or_nothing_stays_the_default():
    half = _result(("test_a", PASS), ("test_b", WRONG))
    assert score(_function(), half).points == 0
    assert score(_function(), _result(("test_a", PASS), ("test_b", PASS))).points == 4


def test_per_check_shares_the_points_by_weight():
    half = _result(("test_a", PASS), ("test_b", WRONG), ("test_c", Status.SKIPPED))
    assert score(_function(scoring="per_check"), half).points == 2
    weighted = _function(scoring="per_check", weights={"test_a": 3})
    assert score(weighted, half).points == 3  # 3 of 4 weight passed; a skipped check weighs nothing
    assert score(weighted, _result(("test_a", WRONG), ("test_b", WRONG))).points == 0


def test_a_hidden_failure_is_counted_but_never_the_problem_shown():
    outcome = score(_function(hidden=["test_b"]), _result(("test_a", PASS), ("test_b", WRONG)))
    assert outcome.problem is None and outcome.hidden_failed == 1 and outcome.visibility == VISIBLE
    shown = score(_function(hidden=["test_a"]), _result(("test_a", WRONG), ("test_b", WRONG)))
    assert check_name(shown.problem.test) == "test_b"
    every = score(_function(hidden=["test_a", "test_b"]), _result(("test_a", PASS), ("test_b", PASS)))
    assert every.visibility == AFTER_DUE_DATE


def test_course_yml_rejects_weights_without_per_check_and_names_that_are_not_tests():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="only used with scoring: per_check"):
        _function(weights={"test_a": 2})
    with pytest.raises(ValidationError, match="not a check's test name"):
        _function(hidden=["a"])
    with pytest.raises(ValidationError, match="a weight is 0 or more"):
        _function(scoring="per_check", weights={"test_a": -1})


def test_a_default_grade_json_keeps_its_fields():
    grade = StudentGrade("s", [FunctionGrade("01_x", "f", PASS, 4, 4, 1, 1)])
    assert "visibility" not in grade.to_json()["functions"][0]
    hidden = StudentGrade("s", [FunctionGrade("01_x", "f", WRONG, 0, 4, 0, 1, hidden_failed=1,
                                              visibility=AFTER_DUE_DATE)])
    assert StudentGrade.from_json(hidden.to_json()) == hidden


# ---------------------------------------------------------------- through a real grading run

EXERCISE = "03_strides"
# Right except on an empty axis (it multiplies by the size, not max(size, 1)); storage_index is off by one.
STUDENT = ("\n\ndef contiguous_strides(shape):\n    strides, step = [], 1\n    for size in reversed(shape):\n"
           "        strides.append(step)\n        step *= size\n    return tuple(reversed(strides))\n"
           "\n\ndef storage_index(position, strides, offset=0):\n"
           "    return offset + sum(p * s for p, s in zip(position, strides)) + 1\n")
EMPTY_AXIS = "test_contiguous_strides_with_an_empty_axis"
STORAGE_CHECKS = ["test_storage_index_finds_the_element", "test_storage_index_in_the_points_tensor"]


def _grade(course: Path, subs: Path, out: Path) -> dict:
    """``tensorlings grade`` in a fresh process (this one may hold another course's test modules)."""
    done = subprocess.run([sys.executable, "-m", "grader.cli", "--course", str(course), "grade", str(subs),
                           "--out", str(out), "--exercises", EXERCISE, "--jobs", "1", "--seed", "7"],
                          cwd=out.parent, capture_output=True, text=True, timeout=600,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(out.parent), "LANG": "C.UTF-8"})
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((out / "student" / "results.json").read_text(encoding="utf-8"))
    return {"tests": {t["name"].split()[1]: t for t in results["tests"]},
            "html": (out / "student" / "feedback.html").read_text(encoding="utf-8")}


@pytest.mark.skipif(os.name != "posix" or not hasattr(os, "fork"), reason="grading needs fork (Linux)")
def test_partial_credit_and_hidden_checks_in_results_json_and_feedback(pristine_course_copy, tmp_path):
    course = pristine_course_copy
    folder = tmp_path / "subs" / "student" / "exercises" / EXERCISE
    folder.mkdir(parents=True)
    (folder / "strides.py").write_text(
        (course / "solutions" / EXERCISE / "strides.py").read_text(encoding="utf-8") + STUDENT, encoding="utf-8")
    plain = _grade(course, tmp_path / "subs", tmp_path / "plain")

    manifest = yaml.safe_load((course / "course.yml").read_text(encoding="utf-8"))
    functions = {f["name"]: f for e in manifest["exercises"] if e["id"] == EXERCISE for f in e["functions"]}
    functions["contiguous_strides"].update(scoring="per_check", weights={EMPTY_AXIS: 2}, hidden=[EMPTY_AXIS])
    functions["storage_index"]["hidden"] = STORAGE_CHECKS
    (course / "course.yml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    weighted = _grade(course, tmp_path / "subs", tmp_path / "weighted")

    # All or nothing, everything visible: today's grade, with the failing check's details.
    assert plain["tests"]["contiguous_strides"]["score"] == 0
    assert plain["tests"]["storage_index"]["visibility"] == "visible"
    detail = plain["tests"]["storage_index"]["output"]
    assert "Smallest failing example:" in detail and "Check:" in detail

    strides = weighted["tests"]["contiguous_strides"]
    assert 0 < strides["score"] < strides["max_score"] == 2  # the empty-axis check weighs 2 of 4
    assert strides["visibility"] == "visible" and "1 hidden check did not pass" in strides["output"]
    assert EMPTY_AXIS not in strides["output"]
    index = weighted["tests"]["storage_index"]
    assert index["score"] == 0 and index["visibility"] == "after_due_date"
    assert "Smallest failing example:" not in index["output"] and "Check:" not in index["output"]
    for name in STORAGE_CHECKS + [EMPTY_AXIS]:
        assert name not in weighted["html"]
    lines = detail.splitlines()
    example = html.escape(lines[lines.index("Smallest failing example:") + 1])  # the inputs it failed on
    assert example in plain["html"] and example not in weighted["html"]


def test_a_misspelt_hidden_or_weighted_check_is_named_before_grading():
    from grader.grading.scoring import unknown_check_names
    from tests.helpers import repo_course

    tree = repo_course()
    exercise = tree.manifest.exercise(EXERCISE)
    first = exercise.functions[0].model_copy(update={"hidden": (EMPTY_AXIS, "test_contiguous_stride_typo")})
    changed = exercise.model_copy(update={"functions": (first, *exercise.functions[1:])})
    assert unknown_check_names(tree, [exercise]) == []
    [problem] = unknown_check_names(tree, [changed])
    assert "'test_contiguous_stride_typo'" in problem and "test_strides.py" in problem and EMPTY_AXIS in problem
