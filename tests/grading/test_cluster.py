"""``tensorlings grade --cluster``: one task per student on a real Dask cluster, the same grades as local grading.

The cluster here is a ``LocalCluster`` of separate worker processes talking TCP, the same
protocol and scheduler a cluster of machines uses.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.grading import engine
from grader.grading.worker import Limits
from tests.grading.cluster_fixtures import golden_class, local_cluster, tiny_course
from tests.helpers import FIXTURES

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


def _options(**more) -> engine.Options:
    return engine.Options(jobs=2, force=True, write_reports=False, limits=Limits(call_seconds=2.0), **more)


def _comparable(out: Path) -> dict:
    grades = {}
    for path in sorted(out.glob("*/grade.json")):
        data = json.loads(path.read_text())
        data.pop("seconds")
        data.pop("warnings")
        grades[data["student"]] = data
    return grades


def test_a_class_graded_on_the_cluster_gets_the_grades_of_local_grading(cluster, course, tmp_path):
    local = cluster
    subs = _class(tmp_path / "class", {s: s for s in ("passed", "named_mistake", "crash", "broken_import")})
    _, problems = engine.grade_class(course, subs, tmp_path / "here", _options())
    assert problems == []
    graded, problems = engine.grade_class(course, subs, tmp_path / "there", _options(cluster=local.scheduler_address))
    assert problems == []
    assert sorted(g.student for g in graded) == ["broken_import", "crash", "named_mistake", "passed"]
    assert _comparable(tmp_path / "there") == _comparable(tmp_path / "here")
    assert {g.student: g.score for g in graded}["passed"] == 5


def test_a_killed_worker_loses_no_student_and_counts_none_twice(cluster, course, tmp_path):
    local = cluster
    names = {f"s{i}": ("passed", "named_mistake", "crash")[i % 3] for i in range(8)}
    subs = _class(tmp_path / "class", names)
    heard: list[str] = []
    killed: list[int] = []
    # Asked before grading starts: the grading run has its own client, whose callback must not use this one.
    with distributed.Client(local) as client:
        victim = next(iter(client.run(os.getpid).values()))

    def progress(student: str, _done: int, _total: int) -> None:
        heard.append(student)
        if not killed:  # the first result is in; with 8 students on 2 workers, both are busy: kill one
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    graded, problems = engine.grade_class(course, subs, tmp_path / "out", _options(cluster=local.scheduler_address),
                                          progress=progress)
    assert killed, "no worker was killed: the test did not test anything"
    assert problems == []
    assert sorted(heard) == sorted(names)   # each student reported once
    assert sorted(g.student for g in graded) == sorted(names)
    scores = {g.student: g.score for g in graded}
    assert {scores[s] for s, golden in names.items() if golden == "passed"} == {5}, [(g.student, g.functions[0].failure, g.warnings) for g in graded]
    assert {scores[s] for s, golden in names.items() if golden != "passed"} == {3}


def test_local_grading_never_imports_dask(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "tiny", tmp_path / "tiny")
    _class(tmp_path / "class", {"passed": "passed"})
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from grader.cli import main
        code = main(["--course", "{tmp_path / 'tiny'}", "grade", "{tmp_path / 'class'}", "--out",
                     "{tmp_path / 'out'}", "--jobs", "1"])
        print("imported:", sorted(m for m in ("dask", "distributed") if m in sys.modules), code)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "120"})
    assert "imported: [] 0" in done.stdout, done.stdout + done.stderr
    assert (tmp_path / "out" / "passed" / "grade.json").is_file()


def test_an_unreachable_scheduler_is_one_clear_error(course, tmp_path):
    from grader.grading.errors import GradingError

    subs = _class(tmp_path / "class", {"passed": "passed"})
    with pytest.raises(GradingError, match="local:N"):
        engine.grade_class(course, subs, tmp_path / "out", _options(cluster="nowhere"))
