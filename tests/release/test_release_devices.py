"""A learner release of the exercises whose checks watch more than arguments: the device a check
pretends to have (07's best_device), and the reads a call makes (10's read_rows). A correct copy
passes every replayed check there, and validate inside the release calls the recordings sound.
"""

from __future__ import annotations

import json
import sys
import textwrap

import pytest

from .conftest import ROOT, run

pytestmark = pytest.mark.slow

EXERCISES = {"07_devices": "devices.py", "10_storage_interop": "storage.py"}


@pytest.fixture(scope="module")
def release(tmp_path_factory, course):
    out = tmp_path_factory.mktemp("release") / "learner"
    done = run([sys.executable, "-m", "grader.cli", "--course", str(course.root), "release", str(out),
                "--exercises", *EXERCISES], cwd=course.root)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_a_correct_copy_passes_every_replayed_check_of_07_and_10(release, tmp_path):
    for exercise, module in EXERCISES.items():
        (tmp_path / "correct" / exercise).mkdir(parents=True)
        (tmp_path / "correct" / exercise / module).write_text((ROOT / "solutions" / exercise / module).read_text())
    script = textwrap.dedent(f"""
        import json
        from grader.runner import run_checks
        results = run_checks([f"exercises/{{e}}" for e in {list(EXERCISES)!r}], impl={str(tmp_path / "correct")!r})
        print(json.dumps([[r.test, r.status.value, r.message[:200]] for r in results]))
    """)
    done = run([sys.executable, "-c", script], cwd=release)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(results) > 20
    assert [r for r in results if r[1] not in ("passed", "skipped")] == []
    assert any("test_best_device_prefers" in test for test, _, _ in results)
    assert any("test_read_rows_reads_only" in test for test, _, _ in results)


def test_validate_inside_the_release_calls_07_and_10_sound(release):
    done = run([sys.executable, "-m", "grader.cli", "validate"], cwd=release)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    assert "The course is sound" in done.stdout
