"""nbgrader autograde per student notebook, against `tensorlings grade` on the same submissions.

Builds an nbgrader course for one exercise in a temporary folder, writes
STUDENTS submissions (the released notebook untouched, solutions filled in,
a known mistake, repeated), then times, in the same run:

* ``nbgrader autograde <exercise>``: one kernel per notebook, the checks in its test cells;
* ``tensorlings grade submitted/``: the sandboxed parallel grader reading the same notebooks, once
  with an empty recordings cache (it records the exercise's grading cases first) and again with
  the cache that run left (what every later run of an unchanged course pays).

Two figures per tool. The *whole run* divides one command's time by the class size, so it
includes what a run pays once (starting Python, importing torch, loading the course; for
nbgrader, its database). The *per student* figure is what one more student costs, the slope
of time against class size: nbgrader grades the first SMALL notebooks, then the other
STUDENTS - SMALL in a second run (it skips what it already graded), and the difference in time
is divided by the difference in notebooks. tensorlings grades SMALL and then LARGE copies of the
same notebooks (``--force``, the median of three runs each): one more student costs it well under
a second, so its slope needs more students than nbgrader's to stand above the noise.

Usage: python benchmarks/nbgrader_autograde.py [EXERCISE] [STUDENTS] [SMALL] [LARGE]
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _helpers():
    spec = importlib.util.spec_from_file_location("nbgrader_helpers", ROOT / "tests" / "nbgrader" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def _run(command: list[str], cwd: Path, **extra_env: str) -> float:
    start = time.perf_counter()
    # nbgrader runs helpers such as alembic by name: the environment's bin folder must be on PATH.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           **extra_env}
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def _copies(submitted: Path, base: list[str], count: int) -> None:
    """Fill ``submitted`` up to ``count`` students with copies of the ``base`` ones."""
    present = len(list(submitted.iterdir()))
    for index in range(present - len(base), count - len(base)):
        shutil.copytree(submitted / base[index % len(base)], submitted / f"{base[index % len(base)]}_{index}")


def main() -> int:
    from grader.course import load_course

    exercise_id = sys.argv[1] if len(sys.argv) > 1 else "03_strides"
    students = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    small = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    large = int(sys.argv[4]) if len(sys.argv) > 4 else 60
    helpers = _helpers()
    tree = load_course(ROOT)
    exercise = tree.manifest.exercise(exercise_id)
    nbgrader = [sys.executable, "-m", "nbgrader"]
    with tempfile.TemporaryDirectory(prefix="tensorlings-nbbench-") as scratch:
        directory = Path(scratch) / "course"
        _run([sys.executable, "-m", "grader.cli", "--course", str(ROOT), "nbgrader", str(directory),
              "--exercises", exercise_id], ROOT)
        _run([*nbgrader, "generate_assignment", exercise_id], directory)
        course = helpers.NbgraderCourse(directory, [exercise])
        helpers.write_students(course)
        submitted = directory / "submitted"
        base = sorted(p.name for p in submitted.iterdir())
        _copies(submitted, base, small)
        cache = str(Path(scratch) / "recordings-cache")

        def grade(folder: Path) -> float:
            return _run([sys.executable, "-m", "grader.cli", "--course", str(ROOT), "grade", str(folder),
                         "--out", str(Path(scratch) / "graded"), "--exercises", exercise_id, "--force"],
                        ROOT, TENSORLINGS_CACHE=cache)

        cold_small = grade(submitted)   # records the cases into the empty cache
        tl_small = statistics.median(grade(submitted) for _ in range(3))
        nb_small = _run([*nbgrader, "autograde", exercise_id], directory)
        _copies(submitted, base, students)
        nb_rest = _run([*nbgrader, "autograde", exercise_id], directory)  # grades only the new notebooks
        tl_all = statistics.median(grade(submitted) for _ in range(3))
        many = Path(scratch) / "many"
        shutil.copytree(submitted, many)
        _copies(many, base, large)
        tl_large = statistics.median(grade(many) for _ in range(3))
    count, added = students, students - small
    nb_whole = nb_small + nb_rest  # every notebook graded once, in two runs
    nb_each, tl_each = (nb_rest - nb_small) / (added - small), (tl_large - tl_small) / (large - small)
    print(f"exercise {exercise_id}, the same notebooks, one run")
    print(f"  nbgrader autograde    {small} notebooks {nb_small:6.1f} s, then {added} more {nb_rest:6.1f} s"
          f"  ({nb_whole / count:5.2f} s per notebook over the whole runs)")
    print(f"  tensorlings grade     {small} students {tl_small:6.2f} s, {count} {tl_all:6.2f} s, {large} "
          f"{tl_large:6.2f} s  ({tl_all / count:5.2f} s per student over the whole run of {count}; first "
          f"run with an empty cache {cold_small:.2f} s for {small})")
    print(f"  one more student:     nbgrader {nb_each:.3f} s, tensorlings {tl_each:.3f} s: "
          f"{nb_each / max(tl_each, 1e-3):.1f}x")
    print(f"  whole runs of {count}, per student: {nb_whole / tl_all:.1f}x "
          f"(these include what each command pays once: tensorlings {tl_small - small * tl_each:.2f} s, "
          f"nbgrader {nb_small - small * nb_each:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
