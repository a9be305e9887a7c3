"""What grading allows: size and time bounds on submissions, and what a worker may see.

Each bound is named once here, with its unit in the name and why it has the value it has.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

from grader.course import CourseTree
from grader.grading.worker import Sandbox

# A learner's module is a few kilobytes; anything past 1 MiB is not a hand-written answer.
MODULE_MAX_BYTES = 1 << 20
# A submission zip holds a course's exercises/ tree, tens of files; more is an archive bomb or a mistake.
ZIP_MAX_ENTRIES = 10_000
# Recording one exercise's cases against the solution takes seconds; a quarter hour means it hangs.
PREPARE_MAX_SECONDS = 900.0


def sandbox_warnings(features: dict[str, bool]) -> list[str]:
    """What the instructor should know about sandbox features this machine does not give."""
    missing = [name for name, present in features.items() if not present]
    if not missing:
        return []
    text = "sandbox: not enforced on this machine: " + ", ".join(missing)
    if not features.get("mount namespace") and not features.get("unprivileged uid"):
        text += " (student code could read the course's solutions and tests: grade as root on Linux)"
    return [text]


def readable_in_course(tree: CourseTree, grader_dir: Path) -> list[Path]:
    """The only parts of the course folder a worker may read: the framework, the data, the environment."""
    return [grader_dir.resolve(), (tree.root / "data").resolve(), Path(sys.prefix).resolve()]


def may_expose(path: Path, protected: Sequence[Path], course: Path, readable: Sequence[Path]) -> bool:
    """Whether binding ``path`` back into a worker keeps the course, submissions and reports hidden.

    A Python path can be the course folder itself (pytest's ``pythonpath``), or a folder above it
    when the course sits under a hidden one such as /tmp: exposing either would show solutions/.
    """
    if any(folder.is_relative_to(path) for folder in protected):
        return False  # it is, or holds, a folder that must stay hidden
    if path.is_relative_to(course):
        return any(path.is_relative_to(allowed) for allowed in readable)
    return not any(path.is_relative_to(folder) for folder in protected)


def closed_ancestor(path: Path) -> Path | None:
    """The highest folder above ``path`` that other users cannot enter, if any."""
    for folder in reversed(path.parents):
        with contextlib.suppress(OSError):
            if folder != Path("/") and not folder.stat().st_mode & 0o001:
                return folder
    return None


def sandbox_for(tree: CourseTree, submissions: Path, out: Path, work: Path, scratch: Sequence[Path]) -> Sandbox:
    """Hide the course, the submissions, the reports and the work folder; bind back only what
    a worker needs to import the student's module (the Python installation, the framework, the data)."""
    import grader as grader_package

    course = tree.root.resolve()
    grader_dir = Path(grader_package.__file__).parent
    python_paths = {str(Path(p).resolve()) for p in sys.path if p and Path(p).is_dir()}
    hide = [str(course), str(submissions), str(out), str(work), "/tmp"]
    hidden_roots = [Path(h) for h in hide]
    expose = [str(folder) for folder in scratch]
    readable = readable_in_course(tree, grader_dir)
    protected = [course, submissions, out, work]
    for candidate in [*python_paths, str(grader_dir), str(tree.root / "data")]:
        path = Path(candidate).resolve()
        if any(path.is_relative_to(h) and path != h for h in hidden_roots) and path.exists() \
                and may_expose(path, protected, course, readable):
            expose.append(str(path))
    for candidate in [*python_paths, sys.base_prefix, sys.prefix]:
        path = Path(candidate).resolve()
        closed = closed_ancestor(path)
        if closed is not None:  # e.g. Python under /root: hide /root, bind the installation back
            hide.append(str(closed))
            if may_expose(path, protected, course, readable):
                expose.append(str(path))
    return Sandbox(hide=hide, expose=expose)
