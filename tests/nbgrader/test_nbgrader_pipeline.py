"""Generated notebooks through the real nbgrader: generate, autograde, feedback, export."""

from __future__ import annotations

import csv

import pytest

pytestmark = pytest.mark.slow


def _scores(course) -> dict[tuple[str, str], tuple[float, float]]:
    with open(course.directory / "grades.csv", newline="") as handle:
        return {(row["assignment"], row["student_id"]): (float(row["score"]), float(row["max_score"]))
                for row in csv.DictReader(handle)}


def test_the_source_notebook_holds_the_lesson_answers_and_locked_checks(nbgrader_course):
    import nbformat

    for exercise in nbgrader_course.exercises:
        notebook = nbformat.read(nbgrader_course.directory / "source" / exercise.id / f"{exercise.id}.ipynb", 4)
        graded = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]
        answers = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution")]
        assert [c.metadata["nbgrader"]["points"] for c in graded] == [f.points for f in exercise.functions]
        assert all(c.metadata["nbgrader"]["locked"] for c in graded)
        assert all("### BEGIN HIDDEN TESTS" in c.source for c in graded)
        assert len(answers) == len(exercise.functions)
        assert all("### BEGIN SOLUTION" in c.source and "### END SOLUTION" in c.source for c in answers)
        assert notebook.cells[0].cell_type == "markdown"


def test_the_released_notebook_has_no_solutions_or_hidden_checks(nbgrader_course):
    import nbformat

    for exercise in nbgrader_course.exercises:
        released = nbgrader_course.directory / "release" / exercise.id
        notebook = nbformat.read(released / f"{exercise.id}.ipynb", 4)
        text = "\n".join(c.source for c in notebook.cells)
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
        assert text.count("raise NotImplementedError()") == len(exercise.functions)
        assert (released / "tensorlings" / "cases.tlc.gz").is_file()


def test_export_gives_zero_full_marks_and_full_marks_minus_the_mistake(nbgrader_course):
    scores = _scores(nbgrader_course)
    for exercise in nbgrader_course.exercises:
        total = exercise.max_points
        mistake = nbgrader_course.mistakes[exercise.id]
        assert scores[(exercise.id, "untouched")] == (0.0, total)
        assert scores[(exercise.id, "perfect")] == (total, total)
        assert scores[(exercise.id, "mistaken")] == (total - exercise.function(mistake.function).points, total)


def test_feedback_names_the_known_mistake(nbgrader_course):
    import html

    for exercise in nbgrader_course.exercises:
        page = nbgrader_course.directory / "feedback" / "mistaken" / exercise.id / f"{exercise.id}.html"
        text = html.unescape(page.read_text())
        mistake = nbgrader_course.mistakes[exercise.id]
        assert f"{mistake.function}:" in text and "fail" in text
        if exercise.id == "03_strides":  # validate warns (not fails) when a mistake is caught but not named
            assert mistake.name in text


def test_tensorlings_grade_reads_the_submitted_notebooks_and_agrees_with_nbgrader(nbgrader_course, pristine_course,
                                                                                   tmp_path):
    from grader.course import load_course
    from grader.grading import engine

    tree = load_course(pristine_course)
    exported = _scores(nbgrader_course)
    ids = [exercise.id for exercise in nbgrader_course.exercises]
    options = engine.Options(jobs=1, force=True, exercises=ids, write_reports=False)
    grades, problems = engine.grade_class(tree, nbgrader_course.directory / "submitted", tmp_path / "out", options)
    assert problems == []
    assert {grade.student for grade in grades} == {"untouched", "perfect", "mistaken"}
    for grade in grades:
        for exercise in nbgrader_course.exercises:
            ours = sum(f.points for f in grade.functions if f.exercise == exercise.id)
            assert (ours, float(exercise.max_points)) == exported[(exercise.id, grade.student)], grade.student
