"""`tensorlings validate` passes a sound course and fails each way a course can be unsound."""

from __future__ import annotations

from grader.course import load_course
from grader.validate import validate
from tests.helpers import run_cli


def _problems(course):
    return [p for v in validate(load_course(course)) for p in v.problems]


def test_the_tiny_course_is_sound(tiny):
    verdicts = validate(load_course(tiny))
    assert [v.function for v in verdicts] == ["double", "flip_hw"]
    assert all(v.sound and v.solution_ok and v.stub_ok for v in verdicts), [v.problems for v in verdicts]
    assert [(v.mistakes_caught, v.mistakes_total) for v in verdicts] == [(3, 3), (3, 3)]


def test_a_wrong_solution_makes_the_course_unsound(tiny):
    solution = tiny / "solutions" / "01_scale" / "scale.py"
    solution.write_text(solution.read_text().replace("return x * 2", "return x * 3"))
    problems = _problems(tiny)
    assert any(p.startswith("the solution fails") and "test_double" in p for p in problems), problems


def test_a_vacuous_check_makes_the_course_unsound(tiny):
    tests = tiny / "exercises" / "01_scale" / "test_scale.py"
    tests.write_text(tests.read_text() + '\n\n@check("double")\ndef test_double_vacuous(submission):\n    pass\n')
    problems = _problems(tiny)
    assert any("test_double_vacuous" in p and "not reported 'not started'" in p for p in problems), problems


def test_a_mistake_the_checks_cannot_see_makes_the_course_unsound(tiny):
    mistakes = tiny / "solutions" / "01_scale" / "mistakes.py"
    mistakes.write_text(mistakes.read_text() + (
        '\n\n@mistake("double", "adds itself", "x + x is the same as 2 * x, so no check can catch it.")\n'
        "def double_by_adding_itself(x):\n    return x + x\n"))
    problems = _problems(tiny)
    assert problems == ["known mistake 'adds itself' passes every check: the checks cannot see it"]


def test_a_function_without_checks_makes_the_course_unsound(tiny):
    tests = tiny / "exercises" / "01_scale" / "test_scale.py"
    tests.write_text(tests.read_text().replace('@check("double"', '@check("flip_hw"'))
    problems = _problems(tiny)
    assert any(p.startswith("has no checks") for p in problems), problems


def test_the_command_prints_a_table_and_sets_the_exit_code(tiny):
    done = run_cli(tiny, "validate")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "sound" in done.stdout and "double" in done.stdout and "3/3" in done.stdout
    solution = tiny / "solutions" / "01_scale" / "scale.py"
    solution.write_text(solution.read_text().replace("return x * 2", "return x * 3"))
    done = run_cli(tiny, "validate")
    assert done.returncode == 1
    assert "the course is not sound" in done.stdout


def test_checks_tied_to_the_wrong_function_are_reported(tiny):
    tests = tiny / "exercises" / "01_scale" / "test_scale.py"
    text = tests.read_text().replace('@check("double"', "@check(TIE").replace('@check("flip_hw"', '@check("double"')
    tests.write_text(text.replace("@check(TIE", '@check("flip_hw"'))  # each function's checks call the other
    problems = _problems(tiny)
    assert any(p.startswith("no check of double sees any of its 3 known mistakes") for p in problems), problems
    assert any(p.startswith("no check of flip_hw sees any") for p in problems), problems


def test_a_mistake_caught_but_not_named_says_which_mistake_took_its_name(tiny):
    mistakes = tiny / "solutions" / "01_scale" / "mistakes.py"
    mistakes.write_text(mistakes.read_text() + (
        '\n\n@mistake("double", "multiplied by itself", "x ** 2 squares each element.")\n'
        "def double_by_power(x):\n    return x ** 2\n"))
    verdicts = validate(load_course(tiny))
    warnings = [w for v in verdicts for w in v.warnings]
    assert any(w.startswith("mistake 'multiplied by itself' is caught but not named: on every failing input "
                            "it gives the same answer as 'squares'") for w in warnings), warnings
