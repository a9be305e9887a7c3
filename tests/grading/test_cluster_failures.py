"""``--cluster``: a task that fails on a Dask worker is the grader's failure, never the student's.

Student code runs only in the sandbox; a task that raises on the worker (its process, the
course bundle, the grading machinery) failed for reasons the student did not cause. The student
is left ungraded (the next run grades them), the run says "the grader failed for STUDENT", lists
them in summary.html and exits with the grader-error status.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.cli import main
from grader.grading import cluster as cluster_module
from grader.grading import engine
from grader.grading.cli import GRADER_ERROR_EXIT
from grader.grading.errors import GraderFailure
from grader.grading.worker import Limits
from tests.grading.cluster_fixtures import golden_class, local_cluster, tiny_course

distributed = pytest.importorskip("distributed", reason="the cluster tests need the 'cluster' extra (dask)")

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not hasattr(os, "fork"), reason="grading needs fork (Linux)")]

@pytest.fixture(scope="module")
def cluster():
    with local_cluster() as local:
        yield local


@pytest.fixture
def course(tmp_path: Path):
    return tiny_course(tmp_path)


_class = golden_class


def _failing_for(unlucky: str):
    """The task Dask runs, failing on the worker for one student before any student code runs.

    Defined here, so Dask ships it by value with each task: it runs in the worker process, where
    the module's own ``grade_task`` (not patched there) grades everyone else.
    """

    def grade_task(course_key, student, files, notes):
        from grader.grading import cluster as on_the_worker

        if student == unlucky:
            raise OSError(28, "No space left on device", "/tmp/tensorlings-worker")
        return on_the_worker.grade_task(course_key, student, files, notes)

    return grade_task


def test_a_task_that_fails_on_the_worker_leaves_the_student_ungraded_as_the_graders_failure(
        cluster, course, tmp_path, monkeypatch):
    subs = _class(tmp_path / "class", {"alice": "passed", "bob": "passed"})
    options = engine.Options(jobs=2, force=True, write_reports=False, limits=Limits(call_seconds=2.0),
                             cluster=cluster.scheduler_address)
    monkeypatch.setattr(cluster_module, "grade_task", _failing_for("bob"))

    graded, problems = engine.grade_class(course, subs, tmp_path / "out", options)

    assert [g.student for g in graded] == ["alice"]
    assert not (tmp_path / "out" / "bob" / "grade.json").exists()
    [failure] = problems
    assert isinstance(failure, GraderFailure) and failure.student == "bob"
    assert failure.startswith("the grader failed for bob: OSError") and "No space left" in failure

    monkeypatch.undo()  # the worker is well again: the next run grades the one left over
    options = engine.Options(jobs=2, write_reports=False, limits=Limits(call_seconds=2.0),
                             cluster=cluster.scheduler_address)
    graded, problems = engine.grade_class(course, subs, tmp_path / "out", options)
    assert problems == [] and {g.student: g.score for g in graded} == {"alice": 5, "bob": 5}


def test_the_command_says_the_grader_failed_lists_it_in_the_summary_and_exits_3(
        cluster, course, tmp_path, monkeypatch, capsys):
    subs = _class(tmp_path / "class", {"alice": "passed", "bob": "passed"})
    monkeypatch.setattr(cluster_module, "grade_task", _failing_for("bob"))
    monkeypatch.setenv("COLUMNS", "200")

    code = main(["--course", str(course.root), "grade", str(subs), "--out", str(tmp_path / "out"),
                 "--cluster", cluster.scheduler_address, "--timeout", "2"])

    err = capsys.readouterr().err
    assert code == GRADER_ERROR_EXIT
    assert "the grader failed for bob: OSError" in err
    assert "warning: bob" not in err  # not a problem of the student's
    summary = (tmp_path / "out" / "summary.html").read_text()
    assert "The grader failed for 1 student" in summary and "No space left on device" in summary
    assert not (tmp_path / "out" / "bob").exists()
