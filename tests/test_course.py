"""The shipped course itself is sound: the same proof `tensorlings validate` prints.

Validation runs the stub of every exercise, so it runs on a pristine copy of the course: the
learner's own modules in exercises/ are never read (docs/testing.md).
"""

from __future__ import annotations

from hypothesis import settings

import grader.plugin  # noqa: F401 - registers the validate profile the first-case profile builds on
from grader.course import load_course
from grader.mistakes import load_mistakes
from grader.runner import run_checks
from grader.validate import judge_function, validate
from tests.helpers import repo_course


def test_the_course_is_sound(pristine_course):
    tree = load_course(pristine_course)
    verdicts = validate(tree)
    problems = [f"{v.exercise} {v.function}: {p}" for v in verdicts for p in v.problems]
    assert not problems, "\n".join(problems)
    listed = {(e.id, f.name) for e in tree.manifest.exercises for f in e.functions}
    assert {(v.exercise, v.function) for v in verdicts} == listed


def test_every_function_has_two_hint_tiers_and_three_known_mistakes():
    tree = repo_course()
    short = []
    for exercise in tree.manifest.exercises:
        mistakes = load_mistakes(tree.mistakes_path(exercise), f"course_test_{exercise.id}")
        for function in exercise.functions:
            if len(function.hints) < 2 or len(mistakes.get(function.name, [])) < 3:
                short.append(f"{exercise.id} {function.name}")
    assert not short, f"fewer than 2 hint tiers or 3 known mistakes: {short}"


# Only the @example cases, the fixed anchors and the first (simplest) case Hypothesis
# draws for each check: what every torch, NumPy and Hypothesis version runs alike.
settings.register_profile("tensorlings-first-case", parent=settings.get_profile("validate"), max_examples=1)


def test_every_known_mistake_is_caught_by_an_anchor_or_the_first_drawn_case(pristine_course):
    tree = load_course(pristine_course)
    exercises = list(tree.manifest.exercises)
    results = run_checks([tree.test_path(e) for e in exercises],
                         options=["--tensorlings-variants", "--hypothesis-profile=tensorlings-first-case"])
    missed = []
    for exercise in exercises:
        mistakes = load_mistakes(tree.mistakes_path(exercise), f"course_test_{exercise.id}")
        mine = [r for r in results if r.exercise == exercise.id]
        for function in exercise.functions:
            verdict = judge_function(exercise, function, mistakes.get(function.name, []), mine)
            missed += [f"{exercise.id} {function.name}: {p}" for p in verdict.problems if "passes every check" in p]
    assert not missed, "caught only by a lucky draw (add a fixed anchor or @example):\n" + "\n".join(missed)


def test_no_hint_tier_contains_a_line_of_the_solution():
    from grader.solution import answer_lines, leaked

    tree = repo_course()  # course.yml and solutions/ only
    leaks = []
    for exercise in tree.manifest.exercises:
        source = tree.solution_path(exercise).read_text(encoding="utf-8")
        for function in exercise.functions:
            answers = answer_lines(source, function.name)
            assert answers, f"{exercise.id} {function.name}: no solution body found"
            for tier, hint in enumerate(function.hints, start=1):
                for line in leaked(hint, answers):
                    leaks.append(f"{exercise.id} {function.name} hint {tier} spells out {line!r}")
    assert not leaks, "hints must end before the answer:\n" + "\n".join(leaks)
