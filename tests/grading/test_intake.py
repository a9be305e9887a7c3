"""Intake: every submission gets one verdict and one unique id before anything is graded."""

from __future__ import annotations

import os
import shutil
import threading
import zipfile
from pathlib import Path

import pytest

from grader.course import load_course
from grader.grading.errors import GradingError
from grader.grading.intake import CLASS_FILES, Verdict, inspect, read_regular, survey
from tests.helpers import FIXTURES

SOLUTION = FIXTURES / "tiny" / "solutions" / "01_scale" / "scale.py"


@pytest.fixture(scope="module")
def exercises():
    return list(load_course(FIXTURES / "tiny").manifest.exercises)


def _student(subs: Path, name: str, module: str = "exercises/01_scale/scale.py") -> Path:
    path = subs / name / module
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(SOLUTION, path)
    return subs / name


def _zip(folder: Path, archive: Path) -> None:
    with zipfile.ZipFile(archive, "w") as stream:
        for path in folder.rglob("*"):
            stream.write(path, path.relative_to(folder).as_posix())


def _verdicts(subs: Path, exercises) -> dict[str, tuple[Verdict, str]]:
    return {e.student: (looked.verdict, looked.reason)
            for e in survey(subs).entries for looked in [inspect(e, exercises)]}


def test_each_kind_of_submission_gets_its_verdict(tmp_path, exercises):
    subs = tmp_path / "subs"
    _student(subs, "ok")
    _zip(_student(tmp_path / "zipped", "ok_zip"), subs / "ok_zip.zip")
    _student(subs, "jack_flat", "scale.py")
    (subs / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    (subs / "empty").mkdir()
    _student(subs, "zoe")
    _zip(subs / "zoe", subs / "zoe.zip")
    verdicts = _verdicts(subs, exercises)
    assert {name: verdict for name, (verdict, _) in verdicts.items()} == {
        "ok": Verdict.OK, "ok_zip": Verdict.OK, "jack_flat": Verdict.WRONG_LAYOUT,
        "broken": Verdict.UNREADABLE_ARCHIVE, "empty": Verdict.EMPTY, "zoe": Verdict.DUPLICATE}
    # the reason names the path found and the layout expected
    assert "jack_flat/scale.py" in verdicts["jack_flat"][1]
    assert "exercises/01_scale/scale.py" in verdicts["jack_flat"][1]
    assert "zoe/ and zoe.zip" in verdicts["zoe"][1]
    assert "broken.zip" in verdicts["broken"][1]


def test_ids_that_sanitise_alike_stay_apart_and_are_reported(tmp_path):
    subs = tmp_path / "subs"
    for name in ("a b", "a_b", "a?b"):
        _student(subs, name)
    intake = survey(subs)
    assert sorted(e.student for e in intake.entries) == ["a_b", "a_b-2", "a_b-3"]
    assert sorted(e.source.name for e in intake.entries) == ["a b", "a?b", "a_b"]
    assert len(intake.notes) == 2 and all("graded as" in note for note in intake.notes)


@pytest.mark.parametrize("name", [*CLASS_FILES, "GRADES.CSV", "grades.csv.zip"])
def test_no_student_takes_a_class_file_name(tmp_path, name):
    subs = tmp_path / "subs"
    if name.endswith(".zip"):
        subs.mkdir()
        _zip(_student(tmp_path / "raw", "x"), subs / name)
    else:
        _student(subs, name)
    [entry] = survey(subs).entries
    assert entry.student.casefold() not in {c.casefold() for c in CLASS_FILES}


def test_a_hidden_looking_folder_is_graded_not_skipped(tmp_path):
    subs = tmp_path / "subs"
    _student(subs, "..x")
    (subs / ".DS_Store").write_text("junk")
    assert [e.source.name for e in survey(subs).entries] == ["..x"]


def test_files_that_are_not_submissions_are_named(tmp_path):
    subs = tmp_path / "subs"
    _student(subs, "ok")
    (subs / "notes.txt").write_text("hello")
    intake = survey(subs)
    assert [e.student for e in intake.entries] == ["ok"]
    assert any("notes.txt" in note for note in intake.notes)


def test_a_fifo_named_like_the_module_does_not_hang(tmp_path, exercises):
    subs = tmp_path / "subs"
    module = subs / "fifo" / "exercises" / "01_scale" / "scale.py"
    module.parent.mkdir(parents=True)
    os.mkfifo(module)
    result: list = []
    reader = threading.Thread(target=lambda: result.append(inspect(survey(subs).entries[0], exercises)),
                              daemon=True)
    reader.start()
    reader.join(timeout=60)
    assert result, "reading the submission blocked on a FIFO"
    assert result[0].verdict != Verdict.OK and result[0].files == {}


def test_reading_is_bounded_to_regular_files(tmp_path):
    big = tmp_path / "big.py"
    big.write_bytes(b"x" * 101)
    link = tmp_path / "link.py"
    link.symlink_to(big)
    assert read_regular(big, max_bytes=101) == b"x" * 101
    assert read_regular(big, max_bytes=100) is None
    assert read_regular(link) is None
    assert read_regular(tmp_path) is None


def test_no_submissions_is_one_clear_error(tmp_path):
    (tmp_path / "subs").mkdir()
    with pytest.raises(GradingError, match="holds no submissions"):
        survey(tmp_path / "subs")


def _notebook(path: Path, cells: list, version: int = 4) -> Path:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"nbformat": version, "nbformat_minor": 5, "metadata": {}, "cells": cells}))
    return path


def test_a_notebook_is_read_as_json_without_nbformat(tmp_path, exercises):
    """Grading reads a student's notebook cells from its JSON; nbformat (a second of imports) stays out."""
    import subprocess
    import sys

    student = tmp_path / "ann"
    definition = SOLUTION.read_text().splitlines(keepends=True)
    _notebook(student / "01_scale" / "01_scale.ipynb", [
        {"cell_type": "markdown", "source": "# not code", "metadata": {}},
        {"cell_type": "code", "source": definition, "metadata": {}, "outputs": [], "execution_count": None},
        {"cell_type": "code", "source": "run_checks('01_scale')\n%timeit 1", "metadata": {}, "outputs": [],
         "execution_count": None},
    ])
    script = ("import sys, json; from pathlib import Path; from grader.course import load_course;"
              "from grader.release.notebooks import module_files;"
              f"ex = list(load_course(Path({str(FIXTURES / 'tiny')!r})).manifest.exercises);"
              f"found = module_files(Path({str(student)!r}), ex);"
              "print(json.dumps({'nbformat': 'nbformat' in sys.modules,"
              " 'source': {k: v.decode() for k, v in found.items()}}))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    import json

    report = json.loads(done.stdout)
    assert report["nbformat"] is False
    source = report["source"]["01_scale/scale.py"]
    assert "def double" in source and "def flip_hw" in source and "run_checks" not in source and "timeit" not in source


@pytest.mark.parametrize(("content", "says"), [
    ("{not json", "not a readable notebook"),
    ('{"nbformat": 3, "worksheets": []}', "format version 4"),
    ('{"nbformat": 4, "cells": [{"cell_type": "code", "source": 7}]}', "cell 1 has no text"),
])
def test_an_unreadable_notebook_is_the_students_syntax_error(tmp_path, exercises, content, says):
    from grader.release.notebooks import module_files

    path = tmp_path / "bo" / "01_scale" / "01_scale.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text(content)
    source = module_files(tmp_path / "bo", exercises)["01_scale/scale.py"].decode()
    assert source.startswith("raise SyntaxError(") and says in source
