"""Golden results: one student per outcome, through the real command line, compared field by field.

Each student in ``fixtures/golden/students`` stands for one outcome of the tiny
course (passed, a named mistake, an unnamed one, a crash, not started, a
broken import, a forbidden call, a limit hit). ``tensorlings grade`` and a
learner's ``pytest`` run in fresh processes with a clean environment; their
``grade.json``, ``results.json`` and terminal transcript must equal the files
in ``fixtures/golden/expected`` once times and paths are normalised.

After an intended change of wording, rewrite the expected files with
``TENSORLINGS_UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and read the diff.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import FIXTURES

GOLDEN = FIXTURES / "golden"
STUDENTS = sorted(p.name for p in (GOLDEN / "students").iterdir())
# A learner's own run has no call time limit yet, so the looping student is graded only.
LEARNER_RUNS = [s for s in STUDENTS if s != "limit"]
UPDATE = os.environ.get("TENSORLINGS_UPDATE_GOLDEN") == "1"


def _clean_env(home: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "CI": "1", "COLUMNS": "100", "LANG": "C.UTF-8"}


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("golden") / "tiny"
    shutil.copytree(FIXTURES / "tiny", root)
    (root / ".tensorlings-grading-seed").write_text("20261130\n")  # the held-back cases stay the same each run
    return root


@pytest.fixture(scope="module")
def graded(course: Path, tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("graded")
    out = work / "reports"
    done = subprocess.run(
        [sys.executable, "-m", "grader.cli", "--course", str(course), "grade", str(GOLDEN / "students"),
         "--out", str(out), "--timeout", "2", "--jobs", "2"],
        cwd=work, env=_clean_env(work), capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def _normalise(value: Any, replacements: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: _normalise(item, replacements) for key, item in value.items()
                if key not in ("seconds", "execution_time", "duration", "warnings", "internal", "key")}
    if isinstance(value, list):
        return [_normalise(item, replacements) for item in value]
    if isinstance(value, str):
        for old, new in replacements.items():
            value = value.replace(old, new)
        return re.sub(r" at 0x[0-9a-f]+", " at 0x...", value)
    return value


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in _flatten(item, f"{prefix}.{key}").items()}
    if isinstance(value, list):
        flat = {f"{prefix}.length": len(value)}
        for position, item in enumerate(value):
            flat.update(_flatten(item, f"{prefix}[{position}]"))
        return flat
    return {prefix or ".": value}


def _compare(actual: Any, expected_file: Path) -> None:
    if UPDATE:
        expected_file.parent.mkdir(parents=True, exist_ok=True)
        expected_file.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    mine, theirs = _flatten(actual), _flatten(expected)
    differences = [f"{path}: got {mine.get(path)!r}, golden {theirs.get(path)!r}"
                   for path in sorted(set(mine) | set(theirs)) if mine.get(path) != theirs.get(path)]
    assert not differences, f"{expected_file.relative_to(GOLDEN)} differs:\n" + "\n".join(differences[:20])


@pytest.mark.parametrize("student", STUDENTS)
def test_grade_json_is_golden(graded: Path, course: Path, student: str) -> None:
    data = json.loads((graded / student / "grade.json").read_text(encoding="utf-8"))
    _compare(_normalise(data, {str(course): "COURSE"}), GOLDEN / "expected" / student / "grade.json")


@pytest.mark.parametrize("student", STUDENTS)
def test_results_json_is_golden(graded: Path, course: Path, student: str) -> None:
    data = json.loads((graded / student / "results.json").read_text(encoding="utf-8"))
    _compare(_normalise(data, {str(course): "COURSE"}), GOLDEN / "expected" / student / "results.json")


def _transcript(text: str, replacements: dict[str, str]) -> list[str]:
    """pytest's output without what depends on the machine: the header, timings and paths."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("collected ")), 0)
    kept = []
    for line in lines[start:]:
        for old, new in replacements.items():
            line = line.replace(old, new)
        line = re.sub(r" in \d+\.\d+s( \(\d+:\d+:\d+\))?", " in N s", line)
        kept.append(line.rstrip())
    return kept


@pytest.mark.parametrize("student", LEARNER_RUNS)
def test_learner_transcript_is_golden(course: Path, student: str, tmp_path: Path) -> None:
    copy = tmp_path / student
    shutil.copytree(GOLDEN / "students" / student, copy)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "exercises/01_scale", "--impl", str(copy)],
        cwd=course, env=_clean_env(tmp_path), capture_output=True, text=True, timeout=300,
    )
    lines = _transcript(done.stdout + done.stderr, {str(copy): "STUDENT", str(course): "COURSE"})
    _compare({"exit": done.returncode, "lines": lines}, GOLDEN / "expected" / student / "pytest.json")
    assert "Traceback" not in done.stdout and "grader/" not in done.stdout, "a learner never sees framework source"


def test_a_changed_field_is_named_by_the_comparison(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "UPDATE", False)
    golden = GOLDEN / "expected" / "named_mistake" / "grade.json"
    data = json.loads(golden.read_text(encoding="utf-8"))
    data["functions"][0]["failure"]["mistake"]["name"] = "squares"
    with pytest.raises(AssertionError, match=r"functions\[0\]\.failure\.mistake\.name: got 'squares'"):
        _compare(data, golden)
