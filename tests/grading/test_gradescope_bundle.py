"""``tensorlings gradescope``: a real zip, unpacked into a simulated /autograder, run in a real subprocess.

Gradescope unpacks the zip into /autograder/source, runs setup.sh once and run_autograder per
submission. Here AUTOGRADER_ROOT points run_autograder at a temporary tree and
TENSORLINGS_PYTHON at this interpreter (setup.sh's install is what this environment already is);
its results.json must equal the one `tensorlings grade` writes for the same submission.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.grading.seed import FILENAME as SEED_FILE

pytestmark = pytest.mark.skipif(os.name != "posix" or not hasattr(os, "fork"), reason="grading needs fork (Linux)")

EXERCISE = "03_strides"
SEED = 6_150_447_211
# A known mistake written after the solution: the later def replaces the right one.
MISTAKE = ("\n\ndef contiguous_strides(shape):\n    strides, step = [], 1\n    for size in shape:\n"
           "        strides.append(step)\n        step *= size\n    return tuple(strides)\n")


def _env(home: Path, **extra: str) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "COLUMNS": "120", **extra}


def _cli(course: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader.cli", "--course", str(course), *args], cwd=cwd,
                          env=_env(cwd), capture_output=True, text=True, timeout=600)


def _unzip(archive: Path, into: Path) -> None:
    """Unpack as Gradescope's unzip does, keeping the files' modes (zipfile's extractall drops them)."""
    with zipfile.ZipFile(archive) as opened:
        for info in opened.infolist():
            opened.extract(info, into)
            mode = info.external_attr >> 16
            if mode:
                (into / info.filename).chmod(stat.S_IMODE(mode))


def _comparable(results: dict) -> dict:
    return {key: value for key, value in results.items() if key != "execution_time"}


def test_run_autograder_in_a_simulated_tree_matches_tensorlings_grade(pristine_course_copy, tmp_path):
    course = pristine_course_copy
    (course / SEED_FILE).write_text(f"{SEED}\n")
    source = (course / "solutions" / EXERCISE / "strides.py").read_text(encoding="utf-8") + MISTAKE

    bundle = tmp_path / "autograder.zip"
    built = _cli(course, "gradescope", str(bundle), "--exercises", EXERCISE, cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    with zipfile.ZipFile(bundle) as opened:
        names = set(opened.namelist())
    assert {"setup.sh", "run_autograder", f"course/{SEED_FILE}", "course/course.yml",
            f"course/solutions/{EXERCISE}/strides.py"} <= names
    assert not [n for n in names if n.startswith("course/exercises/") and EXERCISE not in n]

    root = tmp_path / "autograder"
    _unzip(bundle, root / "source")
    for script in ("setup.sh", "run_autograder"):
        assert os.access(root / "source" / script, os.X_OK), f"{script} is not executable once unpacked"
    assert subprocess.run(["bash", "-n", str(root / "source" / "setup.sh")]).returncode == 0
    (root / "submission").mkdir()
    (root / "submission" / "strides.py").write_text(source, encoding="utf-8")  # a bare-file upload
    ran = subprocess.run([str(root / "source" / "run_autograder")], cwd=root, capture_output=True, text=True,
                         env=_env(root, AUTOGRADER_ROOT=str(root), TENSORLINGS_PYTHON=sys.executable), timeout=600)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    gradescope = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))

    subs = tmp_path / "class"
    (subs / "student" / "exercises" / EXERCISE).mkdir(parents=True)
    (subs / "student" / "exercises" / EXERCISE / "strides.py").write_text(source, encoding="utf-8")
    graded = _cli(course, "grade", str(subs), "--out", str(tmp_path / "reports"), "--exercises", EXERCISE,
                  "--jobs", "1", cwd=tmp_path)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    local = json.loads((tmp_path / "reports" / "student" / "results.json").read_text(encoding="utf-8"))

    assert 0 < gradescope["score"] < gradescope["max_score"]  # the mistake costs some points, not all
    assert _comparable(gradescope) == _comparable(local)


def test_a_submission_that_cannot_be_graded_still_gets_a_results_file(tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    ran = subprocess.run([sys.executable, "-m", "grader.gradescope.autograder", "--root", str(root)],
                         capture_output=True, text=True, env=_env(tmp_path), timeout=120)
    assert ran.returncode == 1
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == 0 and "could not grade" in results["output"]
    assert "Traceback" not in ran.stderr
