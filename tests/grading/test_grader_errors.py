"""A failure of the grader's own code while judging is never the student's.

The check of one function raises from framework code (the grader's side of a worker); sandboxed
grading must report "the grader failed on this check", show the student no framework source,
list it with its traceback for the instructor in summary.html, and exit with GRADER_ERROR_EXIT.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from grader.cli import main
from grader.grading import remote
from grader.grading.cli import GRADER_ERROR_EXIT
from grader.results import Status

ROOT = Path(__file__).resolve().parents[2]
EXERCISE = "03_strides"
BROKEN_FUNCTION = "is_contiguous"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="grading needs fork (Linux)")

@pytest.fixture(scope="module")
def graded(tmp_path_factory, pristine_course):
    tmp = tmp_path_factory.mktemp("grader-error")
    student = tmp / "class" / "full" / "exercises" / EXERCISE
    student.mkdir(parents=True)
    (student / "strides.py").write_text((ROOT / "solutions" / EXERCISE / "strides.py").read_text())
    real = remote.RemoteFunction._outcome

    def broken(self, *args, **kwargs):  # a bug in the grader's own code, met while judging one function
        if self.name == BROKEN_FUNCTION:
            raise KeyError("a bug in the grader")
        return real(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(remote.RemoteFunction, "_outcome", broken)
        code = main(["--course", str(pristine_course), "grade", str(tmp / "class"), "--out", str(tmp / "out"),
                     "--jobs", "1", "--exercises", EXERCISE])
    return code, tmp / "out"


def test_grading_exits_with_the_grader_error_code(graded):
    code, _ = graded
    assert code == GRADER_ERROR_EXIT != 0


def test_the_function_is_a_grader_error_and_the_rest_is_graded(graded):
    _, out = graded
    functions = {f["function"]: f for f in json.loads((out / "full" / "grade.json").read_text())["functions"]}
    assert functions[BROKEN_FUNCTION]["status"] == Status.GRADER_ERROR
    assert functions[BROKEN_FUNCTION]["failure"]["summary"].startswith("the grader failed on this check")
    assert all(f["status"] == Status.PASSED for name, f in functions.items() if name != BROKEN_FUNCTION)


def test_the_student_sees_no_grader_source(graded):
    _, out = graded
    for page in ("feedback.html", "results.json"):
        text = (out / "full" / page).read_text()
        assert "the grader failed" in text.lower()
        assert "remote.py" not in text and "Traceback" not in text


def test_the_instructor_sees_it_in_the_summary_with_its_traceback(graded):
    _, out = graded
    summary = (out / "summary.html").read_text()
    assert "The grader failed" in summary
    assert BROKEN_FUNCTION in summary and "remote.py" in summary and "KeyError" in summary
