"""The course's grading seed: where grading draws its held-back cases from.

A learner release records the public ``release`` profile's cases, so what ships
to learners must not be what grades them. Grading draws every check's cases from
a seed the instructor keeps in ``.tensorlings-grading-seed`` beside course.yml:
made on the first grade, git-ignored, never copied into a release or an nbgrader
course. Every student of a run gets the same seed, so grades stay fair and a run
can be replayed; ``--seed N`` grades with another, ``--new-seed`` draws a new one.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from grader.course import CourseTree
from grader.grading.errors import GradingError

FILENAME = ".tensorlings-grading-seed"
_HEADER = ("# The seed tensorlings grade draws held-back cases from. Keep it out of releases and\n"
           "# out of git (it is in .gitignore); the same seed regrades the same way.\n")


def seed_path(tree: CourseTree) -> Path:
    return tree.root / FILENAME


def new_seed() -> int:
    return secrets.randbits(63)


def read_seed(path: Path) -> int | None:
    """The seed kept in ``path``, or None when there is none yet."""
    if not path.is_file():
        return None
    lines = [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    values = [line for line in lines if line and not line.startswith("#")]
    if len(values) != 1 or not values[0].isdigit():
        raise GradingError(f"{path} should hold one whole number (the grading seed): fix it, or delete it "
                          "and grade with --new-seed to draw a new one")
    return int(values[0])


def write_seed(path: Path, seed: int) -> None:
    path.write_text(f"{_HEADER}{seed}\n", encoding="utf-8")
    path.chmod(0o600)


def grading_seed(tree: CourseTree, *, chosen: int | None = None, new: bool = False) -> int:
    """The seed this run grades with: ``chosen`` if given, else the course's (made when absent or ``new``)."""
    if chosen is not None:
        if chosen < 0:
            raise GradingError(f"--seed {chosen}: a grading seed is a whole number of 0 or more")
        return chosen
    path = seed_path(tree)
    kept = None if new else read_seed(path)
    if kept is not None:
        return kept
    seed = new_seed()
    try:
        write_seed(path, seed)
    except OSError as error:
        raise GradingError(f"cannot keep the grading seed in {path} ({error.strerror}): make the course folder "
                          "writable, or pass --seed N") from None
    return seed
