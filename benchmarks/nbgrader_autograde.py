"""nbgrader autograde per student notebook, against `tensorlings grade` on the same submissions.

Builds an nbgrader course for one exercise in a temporary folder, writes
STUDENTS submissions (the released notebook untouched, solutions filled in,
a known mistake, repeated), then times, in the same run:

* ``nbgrader autograde <exercise>``: one kernel per notebook, the checks in its test cells;
* ``tensorlings grade submitted/``: the sandboxed parallel grader reading the same notebooks, once
  with an empty recordings cache (it records the exercise's grading cases first) and once again
  with the cache that run left (what every later run of an unchanged course pays).

Usage: python benchmarks/nbgrader_autograde.py [EXERCISE] [STUDENTS]
"""

from __future__ import annotations

import importlib.util
import os
import shutil
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


def main() -> int:
    from grader.course import load_course

    exercise_id = sys.argv[1] if len(sys.argv) > 1 else "03_strides"
    students = int(sys.argv[2]) if len(sys.argv) > 2 else 6
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
        for index in range(students - len(base)):
            shutil.copytree(submitted / base[index % len(base)], submitted / f"{base[index % len(base)]}_{index}")
        count = len(list(submitted.iterdir()))
        nb_seconds = _run([*nbgrader, "autograde", exercise_id], directory)
        grade = [sys.executable, "-m", "grader.cli", "--course", str(ROOT), "grade", str(submitted),
                 "--out", str(Path(scratch) / "graded"), "--exercises", exercise_id, "--force"]
        cache = str(Path(scratch) / "recordings-cache")
        cold_seconds = _run(grade, ROOT, TENSORLINGS_CACHE=cache)
        tl_seconds = _run(grade, ROOT, TENSORLINGS_CACHE=cache)
    per_nb, per_tl, per_cold = nb_seconds / count, tl_seconds / count, cold_seconds / count
    print(f"exercise {exercise_id}, {count} student notebooks, same run")
    print(f"  nbgrader autograde     {nb_seconds:7.1f} s total  {per_nb:6.2f} s per notebook")
    print(f"  tensorlings grade      {cold_seconds:7.1f} s total  {per_cold:6.2f} s per student  (empty cache)")
    print(f"  tensorlings grade      {tl_seconds:7.1f} s total  {per_tl:6.2f} s per student  (cached recordings)")
    print(f"  ratio (nbgrader / tensorlings grade, per student): {per_nb / per_tl:.2f}x cached, "
          f"{per_nb / per_cold:.2f}x with an empty cache")
    return 0


if __name__ == "__main__":
    sys.exit(main())
