"""What the cluster tests share: a real LocalCluster, a copy of the tiny course, a class of golden students."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from grader.course import CourseTree, load_course
from tests.helpers import FIXTURES

STUDENTS = FIXTURES / "golden" / "students"


@contextmanager
def local_cluster() -> Iterator:
    """Two separate worker processes over TCP, the protocol a cluster of machines uses.

    No client of the test's own stays open while grading runs: the grading run's client must be the
    only one in the process (two clients on two event loops make distributed's futures misbehave).
    """
    import distributed

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, protocol="tcp",
                                  dashboard_address=None) as local:
        assert local.scheduler_address.startswith("tcp://")
        yield local


def tiny_course(tmp_path: Path) -> CourseTree:
    root = tmp_path / "tiny"
    shutil.copytree(FIXTURES / "tiny", root)
    return load_course(root)


def golden_class(folder: Path, names: dict[str, str]) -> Path:
    """A class of students copied from the golden ones: {new name: golden name}."""
    for name, golden in names.items():
        shutil.copytree(STUDENTS / golden, folder / name)
    return folder
