"""The report writers: feedback.html, results.json, grades.csv and summary.html from hand-built grades."""

from __future__ import annotations

import ast
import base64
import csv
import io
import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PIL import Image

from grader.course import CourseTree
from grader.grading.model import FunctionGrade, Picture, StudentGrade
from grader.grading.reports import (
    NBGRADER_COLUMNS,
    write_class_reports,
    write_student_reports,
)
from grader.grading.reports.common import plain_feedback
from grader.grading.reports.files import write_atomic
from grader.grading.reports.pictures import picture_uri
from grader.manifest import Course
from grader.results import Failure, Kind, KnownMistake, Status
from tests.helpers import committed_stub, repo_course

NBGRADER_EXPORT = [
    "assignment", "duedate", "timestamp", "student_id", "last_name", "first_name",
    "email", "raw_score", "late_submission_penalty", "score", "max_score",
]

MESSAGE = (
    "to_nchw returned shape (2, 3, 7, 5); expected (2, 3, 5, 7), for batch=tensor of shape (2, 5, 7, 3), "
    "uint8: the channel axis must move to position 1"
)
MISTAKE = "height and width swapped"
EXPLANATION = "permute(0, 3, 2, 1) also swaps height and width."
HINT = "permute(*order) builds the output axis by axis."
LIMIT = "03_strides: wall time 10 s exceeded"


@pytest.fixture
def tree(tmp_path) -> CourseTree:
    manifest = Course.model_validate({
        "format_version": 1,
        "title": "Demo course",
        "exercises": [
            {"id": "02_image_layout", "title": "Image layouts", "module": "layout.py", "functions": [
                {"name": "to_nchw", "points": 2, "hints": ["h1", HINT]},
                {"name": "to_nhwc", "points": 2, "hints": ["h1"]},
            ]},
            {"id": "03_strides", "title": "Strides", "module": "strides.py", "functions": [
                {"name": "contiguous_strides", "points": 3, "hints": ["h1"]},
            ]},
        ],
    })
    return CourseTree(root=tmp_path, manifest=manifest)


def passed(exercise: str, function: str, points: float) -> FunctionGrade:
    return FunctionGrade(exercise, function, Status.PASSED, points, points, 10, 10)


def full_marks(name: str = "ada") -> StudentGrade:
    return StudentGrade(name, [
        passed("02_image_layout", "to_nchw", 2),
        passed("02_image_layout", "to_nhwc", 2),
        passed("03_strides", "contiguous_strides", 3),
    ], seconds=1.5)


def picture() -> Picture:
    expected = [[0.0, 0.25, 0.5], [0.75, 1.0, 0.5]]
    actual = [[0.0, 0.5, 0.5], [0.25, 1.0, 0.0]]
    difference = [[a - e for a, e in zip(ra, re_)] for ra, re_ in zip(actual, expected)]
    return Picture(expected, actual, difference)


def with_mistake(name: str = "bob") -> StudentGrade:
    failure = Failure(
        Kind.SHAPE, MESSAGE, function="to_nchw", call="to_nchw", inputs="batch=tensor of shape (2, 5, 7, 3), uint8",
        actual="shape (2, 3, 7, 5)", expected="shape (2, 3, 5, 7)", why="the channel axis must move to position 1",
        mistake=KnownMistake(MISTAKE, EXPLANATION),
    )
    return StudentGrade(name, [
        FunctionGrade("02_image_layout", "to_nchw", Status.WRONG, 0, 2, 3, 10, failure,
                      "exercises/02_image_layout/test_layout.py::test_to_nchw[cpu]", picture(), HINT),
        passed("02_image_layout", "to_nhwc", 2),
        FunctionGrade("03_strides", "contiguous_strides", Status.NOT_STARTED, 0, 3, 0, 4, None, "h1"),
    ], seconds=2.0)


def limited(name: str = "eve") -> StudentGrade:
    return StudentGrade(name, [
        passed("02_image_layout", "to_nchw", 2),
        passed("02_image_layout", "to_nhwc", 2),
        FunctionGrade("03_strides", "contiguous_strides", Status.ERROR, 0, 3, 0, 4,
                      Failure(Kind.LIMIT, "grading stopped: wall time 10 s exceeded <b>not bold</b>")),
    ], limits_hit=[LIMIT], warnings=["RLIMIT_NPROC not enforced"])


def assert_self_contained(html: str) -> None:
    assert "<html" in html and "</html>" in html
    assert not re.search(r"<link\b", html, re.I), "a <link> loads an external asset"
    assert not re.search(r"<script\b[^>]*\bsrc=", html, re.I), "an external script"
    for attribute in re.findall(r'\b(?:src|href)\s*=\s*"([^"]*)"', html, re.I):
        assert "://" not in attribute and not attribute.startswith("//"), attribute
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", html, re.I), "CSS loads something from the network"


# ---------------------------------------------------------------- feedback.html


def test_feedback_shows_failure_mistake_hint_and_picture(tree, tmp_path):
    folder = tmp_path / "reports" / "bob"
    write_student_reports(with_mistake(), tree, folder)
    html = (folder / "feedback.html").read_text()
    assert_self_contained(html)
    assert "batch=tensor of shape (2, 5, 7, 3), uint8" in html        # the minimal failing input
    assert "(2, 3, 5, 7)" in html and "(2, 3, 7, 5)" in html          # expected vs actual
    assert MISTAKE in html and EXPLANATION in html
    assert HINT in html
    assert "2 / 7 points" in html.replace('</span> <span class="of">', " ")
    pictures = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(pictures) == 1
    Image.open(io.BytesIO(base64.b64decode(pictures[0]))).verify()


def test_feedback_for_full_marks_has_nothing_to_fix(tree, tmp_path):
    write_student_reports(full_marks(), tree, tmp_path)
    html = (tmp_path / "feedback.html").read_text()
    assert_self_contained(html)
    assert "What to fix" not in html and "Not started yet" not in html
    assert "Every function passes every check" in html
    assert html.count('class="chip passed"') == 3 + 2     # one per function, one per finished exercise


def test_feedback_reports_limits_and_escapes_what_it_shows(tree, tmp_path):
    write_student_reports(limited(), tree, tmp_path)
    html = (tmp_path / "feedback.html").read_text()
    assert_self_contained(html)
    assert "Grading stopped early" in html and LIMIT in html
    assert "RLIMIT_NPROC not enforced" in html
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html and "<b>not bold</b>" not in html


def test_feedback_lists_functions_in_course_order(tree, tmp_path):
    grade = full_marks()
    grade.functions.reverse()
    write_student_reports(grade, tree, tmp_path)
    html = (tmp_path / "feedback.html").read_text()
    positions = [html.index(f"<code>{name}</code>") for name in ("to_nchw", "to_nhwc", "contiguous_strides")]
    assert positions == sorted(positions)


def test_the_comparison_path_fills_the_parts_each_view_lays_out():
    import torch

    from grader.compare import agree
    from grader.outcomes import Mismatch

    def to_nchw(batch):
        return batch.permute(0, 3, 2, 1)

    def reference(batch):
        return batch.permute(0, 3, 1, 2)

    with pytest.raises(Mismatch) as caught:
        agree(to_nchw, reference, torch.zeros(2, 5, 7, 3, dtype=torch.uint8), why="the channel axis moves")
    failure = caught.value.failure
    assert (failure.kind, failure.call) == ("shape", "to_nchw")
    assert (failure.actual, failure.expected) == ("shape (2, 3, 7, 5)", "shape (2, 3, 5, 7)")
    assert failure.inputs == "batch=tensor of shape (2, 5, 7, 3), uint8"
    assert failure.why == "the channel axis moves"
    with pytest.raises(Mismatch) as caught:
        agree(lambda x: x + (x == 2), lambda x: x, torch.tensor([1, 2, 3]))
    values = caught.value.failure
    assert (values.actual, values.expected, values.inputs) == ("3", "2", "x=tensor([1, 2, 3]) of shape (3,), int64")
    assert values.detail == "wrong values at 1 of 3 positions; first at index (1,)"
    ones = torch.ones(2)
    with pytest.raises(Mismatch) as caught:
        agree(lambda x: x.clone(), lambda x: x, ones, view_of=ones)
    copy = caught.value.failure
    assert (copy.kind, copy.actual, copy.expected) == ("view", "a copy", "a view that shares memory with its input")
    restored = Failure.from_json(json.loads(json.dumps(failure.to_json())))
    assert restored == failure, "the record survives grade.json unchanged"


def test_hypothesis_example_is_kept_and_grader_internals_are_dropped():
    from grader.failures import example_from_notes

    notes = [
        "Failing test case: test_f(\n"
        "    submission=<grader.grading.remote.RemoteSubmission object at 0x7f>,\n"
        "    reference=<grader.impl.Reference object at 0x7f>,\n"
        "    x=tensor([1, 5]),\n"
        ")\n"
        "Explanation:\n"
        "    These lines were always and only run by failing test cases:\n"
        "        /work/main/grader/compare.py:338\n",
    ]
    example = example_from_notes(notes)
    assert example == "x=tensor([1, 5])"
    failure = Failure(Kind.VALUES, "f returned wrong values", example=example)
    grade = StudentGrade("zed", [FunctionGrade("03_strides", "contiguous_strides", Status.WRONG, 0, 3, 0, 1,
                                               failure, "t", None, "h1")])
    text = plain_feedback(grade.functions[0])
    assert "x=tensor([1, 5])" in text
    assert "compare.py" not in text and "RemoteSubmission" not in text


def test_pictures_survive_odd_shapes():
    ragged = Picture([[0.0, 1.0], [0.5]], [[0.0, 1.0], [0.5, 0.2]], [])
    uri = picture_uri(ragged)
    assert uri is not None and uri.startswith("data:image/png;base64,")
    assert picture_uri(Picture([], [], [])) is None


# ---------------------------------------------------------------- results.json


def test_results_json_has_gradescope_shape(tree, tmp_path):
    write_student_reports(with_mistake(), tree, tmp_path)
    results = json.loads((tmp_path / "results.json").read_text())
    assert isinstance(results["score"], (int, float)) and isinstance(results["max_score"], (int, float))
    assert [t["name"] for t in results["tests"]] == [
        "02_image_layout to_nchw", "02_image_layout to_nhwc", "03_strides contiguous_strides",
    ]
    for test in results["tests"]:
        assert {"name", "score", "max_score", "output", "visibility"} <= set(test)
        assert test["visibility"] == "visible"
        assert 0 <= test["score"] <= test["max_score"]
    assert results["score"] == sum(t["score"] for t in results["tests"]) == 2
    assert results["max_score"] == sum(t["max_score"] for t in results["tests"]) == 7
    failing = results["tests"][0]["output"]
    assert "expected (2, 3, 5, 7)" in failing and MISTAKE in failing and EXPLANATION in failing and HINT in failing
    assert failing.count(MISTAKE) == 1     # the mistake is named once, not also inside the message
    assert results["tests"][0]["status"] == "failed" and results["tests"][1]["status"] == "passed"


def test_results_json_mentions_limits(tree, tmp_path):
    write_student_reports(limited(), tree, tmp_path)
    results = json.loads((tmp_path / "results.json").read_text())
    assert LIMIT in results["output"]
    assert results["score"] == 4 and results["max_score"] == 7


# ---------------------------------------------------------------- grades.csv


def test_grades_csv_has_nbgrader_columns_and_one_row_per_student(tree, tmp_path):
    write_class_reports([with_mistake(), full_marks(), limited()], tree, tmp_path)
    text = (tmp_path / "grades.csv").read_text()
    assert text.splitlines()[0].split(",") == NBGRADER_EXPORT
    assert list(NBGRADER_COLUMNS) == NBGRADER_EXPORT
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["student_id"] for row in rows] == ["ada", "bob", "eve"]
    by_id = {row["student_id"]: row for row in rows}
    assert float(by_id["bob"]["score"]) == float(by_id["bob"]["raw_score"]) == 2
    assert float(by_id["ada"]["score"]) == 7 and float(by_id["eve"]["score"]) == 4
    assert all(float(row["max_score"]) == 7 for row in rows)
    assert all(float(row["late_submission_penalty"]) == 0 for row in rows)
    assert all(row["assignment"] == "Demo course" for row in rows)
    assert all(row["last_name"] == row["first_name"] == row["email"] == "" for row in rows)


def test_grades_csv_takes_an_assignment_name(tree, tmp_path):
    write_class_reports([full_marks()], tree, tmp_path, assignment="ps1")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "grades.csv").read_text())))
    assert rows[0]["assignment"] == "ps1"


# ---------------------------------------------------------------- summary.html


@pytest.mark.parametrize(("percents", "counts"), [
    ([], [0] * 10),
    ([0.0, 9.99, 10.0], [2, 1] + [0] * 8),
    ([100.0, 99.5, 90.0], [0] * 9 + [3]),            # 100% belongs to the last bin
    ([-5.0, 140.0], [1] + [0] * 8 + [1]),             # out of range is clipped, never lost
])
def test_histogram_bins_hold_every_score_once(percents, counts):
    from grader.grading.reports.histogram import bin_counts

    assert bin_counts(percents) == counts


def test_summary_has_plot_pass_rates_mistakes_and_limits(tree, tmp_path):
    grades = [with_mistake("bob"), full_marks("ada"), limited("eve"), with_mistake("cy")]
    write_class_reports(grades, tree, tmp_path)
    html = (tmp_path / "summary.html").read_text()
    assert_self_contained(html)
    plot = re.search(r"<svg .*?</svg>", html, re.S)
    assert plot is not None and "histogram of the class" in plot[0]
    bars = ElementTree.fromstring(plot[0]).findall("{http://www.w3.org/2000/svg}rect")
    counted = [int(bar.find("{http://www.w3.org/2000/svg}title").text.split()[0]) for bar in bars]
    assert sum(counted) == len(grades) and all(counted)   # one bar per bin that has students

    def row(name: str) -> str:
        return re.search(rf"<tr><td><code>{name}</code>.*?</tr>", html, re.S)[0]

    assert ">50%<" in row("to_nchw")             # ada and eve pass it; bob and cy do not
    assert ">100%<" in row("to_nhwc")
    strides = row("contiguous_strides")                # ada passes, eve errs, bob and cy did not start
    assert ">25%<" in strides
    assert re.findall(r'<td class="num">(\d+)</td>', strides) == ["1", "0", "1", "2"]
    mistakes = html[html.index("Most common known mistakes"):html.index("Grading hit a limit")]
    assert MISTAKE in mistakes and re.search(r'class="num">2</td>', mistakes)
    limits = html[html.index("Grading hit a limit"):html.index("<h2>Students")]
    assert "eve" in limits and LIMIT in limits and "bob" not in limits


def test_summary_of_an_empty_class(tree, tmp_path):
    write_class_reports([], tree, tmp_path)
    html = (tmp_path / "summary.html").read_text()
    assert "No students were graded" in html
    assert (tmp_path / "grades.csv").read_text().strip() == ",".join(NBGRADER_EXPORT)


# ---------------------------------------------------------------- writing files


def test_reports_are_written_atomically(tmp_path, monkeypatch):
    target = tmp_path / "out" / "report.txt"
    write_atomic(target, "first")
    assert target.read_text() == "first"

    def broken_replace(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr("grader.atomic.os.replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, "second")
    assert target.read_text() == "first"                      # the old report is intact
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.txt"]   # no temporary file left


def test_student_reports_make_their_folder(tree, tmp_path):
    folder: Path = tmp_path / "a" / "b"
    write_student_reports(full_marks(), tree, folder)
    assert sorted(p.name for p in folder.iterdir()) == ["feedback.html", "results.json"]


# ---------------------------------------------------------------- the demo class (examples/)

REPO = Path(__file__).resolve().parents[2]
HOSTILE = {
    "hostile_infinite_loop", "hostile_memory_hog", "hostile_exit_at_import", "hostile_exit_in_function",
    "hostile_segfault", "hostile_fork_bomb", "hostile_monkeypatch", "hostile_reads_solutions",
    "hostile_writes_reports", "hostile_fake_test_report", "hostile_gigabyte_output", "hostile_syntax_error",
    "hostile_missing_package", "hostile_wrong_types",
}


@pytest.fixture(scope="module")
def make_class():
    from grader.mistakes import import_file

    return import_file(REPO / "examples" / "make_class.py", "tensorlings_examples_make_class")


@pytest.fixture
def class_course(make_class, pristine_course_copy, monkeypatch):
    """make_class reads the course it generates from, never the learner's modules (docs/testing.md)."""
    monkeypatch.setattr(make_class, "ROOT", pristine_course_copy)
    return pristine_course_copy


def test_demo_class_is_generated_from_the_course(make_class, class_course, tmp_path):
    # Reads and writes text only: nothing generated is imported or run here.
    out = tmp_path / "class"
    make_class.generate(out, make_class.CLASS_EXERCISES)
    students = {p.name for p in out.iterdir() if p.is_dir()}
    assert len(students) >= 12 and HOSTILE <= students
    assert {"ada_full_marks", "ben_partial_work", "gus_untouched_stubs"} <= students
    for path in out.rglob("*"):
        if path.is_file() and path.name != "README.md":
            assert path.relative_to(out).parts[1] == "exercises" and not path.name.startswith("test_")
    tree = make_class.load_course(class_course)
    for exercise_id in make_class.CLASS_EXERCISES:
        exercise = tree.manifest.exercise(exercise_id)
        module = Path("exercises") / exercise.id / exercise.module
        assert (out / "ada_full_marks" / module).read_text() == tree.solution_path(exercise).read_text()
        assert (out / "gus_untouched_stubs" / module).read_text() == tree.stub_path(exercise).read_text()
    broken = []
    for path in out.rglob("*.py"):
        try:
            ast.parse(path.read_text())
        except SyntaxError:
            broken.append(path.relative_to(out).parts[0])
    assert broken == ["hostile_syntax_error"]
    cleo = (out / "cleo_reshape_not_permute" / "exercises" / "02_image_layout" / "layout.py").read_text()
    assert "batch.reshape(n, c, h, w)" in cleo and "raise NotImplementedError" not in cleo


def test_committed_demo_class_is_up_to_date(make_class, class_course, tmp_path):
    # The committed class was made from the committed stubs, so those stand in for the learner's files.
    tree = repo_course()
    for exercise in tree.manifest.exercises:
        stub = committed_stub(tree, exercise)
        if stub is None:
            pytest.skip("needs a git checkout: the stubs the demo class was made from are read from HEAD")
        (class_course / "exercises" / exercise.id / exercise.module).write_text(stub, encoding="utf-8")
    fresh = tmp_path / "class"
    make_class.generate(fresh, make_class.CLASS_EXERCISES)
    assert make_class.same_tree(fresh, REPO / "examples" / "class"), (
        "examples/class is out of date: run .venv/bin/python examples/make_class.py and commit the result"
    )


def test_an_import_error_shared_by_functions_is_one_card(tree, tmp_path):
    broken = "02_image_layout/layout.py line 3: importing it raised ModuleNotFoundError: No module named 'cv2'"
    grade = StudentGrade("kim", [
        FunctionGrade("02_image_layout", "to_nchw", Status.ERROR, 0, 2, 0, 3, Failure(Kind.BROKEN, broken), "a",
                      None, "h1"),
        FunctionGrade("02_image_layout", "to_nhwc", Status.ERROR, 0, 2, 0, 2, Failure(Kind.BROKEN, broken), "b",
                      None, "h1"),
        passed("03_strides", "contiguous_strides", 3),
    ])
    write_student_reports(grade, tree, tmp_path)
    html = (tmp_path / "feedback.html").read_text()
    assert html.count("No module named") == 1 and html.count('<article class="card') == 1
    assert "2 functions" in html
    assert html.count('href="#02_image_layout-to_nchw"') == 2      # both rows of the table lead to it
    results = json.loads((tmp_path / "results.json").read_text())
    assert all("No module named" in test["output"] for test in results["tests"][:2])
