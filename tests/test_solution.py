"""The check that hints end before the answer, and the reference a learner may see once they pass."""

from __future__ import annotations

from pathlib import Path

from grader.solution import answer_lines, docstring, function_source, leaked

SOLUTION = '''
def scale(x, factor):
    """Multiply every element by factor."""
    # one multiplication is enough
    out = x * factor
    return out.clone()
'''


def test_a_hint_that_spells_out_a_line_of_the_solution_is_caught_whatever_its_spacing():
    answers = answer_lines(SOLUTION, "scale")
    assert leaked("Write: out=x*factor, then return a clone.", answers) == ["out=x*factor"]
    assert leaked("Finish with return out . clone ( )", answers) == ["out.clone()", "returnout.clone()"]
    assert leaked("Multiply by the factor, then hand back a copy that owns its memory.", answers) == []


def test_the_docstring_and_comments_are_the_lesson_not_the_answer():
    answers = answer_lines(SOLUTION, "scale")
    assert not leaked("Multiply every element by factor. One multiplication is enough.", answers)


def test_the_reference_shown_is_the_whole_function_with_its_docstring(tmp_path: Path):
    path = tmp_path / "solution.py"
    path.write_text(SOLUTION)
    shown = function_source(path, "scale")
    assert shown.startswith("def scale(x, factor):") and shown.endswith("return out.clone()")
    assert docstring(path, "scale") == "Multiply every element by factor."
    assert function_source(path, "missing") is None
