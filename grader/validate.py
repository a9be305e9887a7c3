"""``tensorlings validate``: prove a course sound.

Every check runs against the solution, the untouched stub and each known
mistake (the plugin's ``--tensorlings-variants``), on every device present.
The course is sound when, for every function:

* it has at least one check, and the solution passes all of them;
* the stub makes every check report *not started*;
* every known mistake fails at least one check, and is named in the feedback.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.course import CourseError, CourseTree
from grader.plugin import variant_name
from grader.results import CheckResult, Status
from grader.runner import run_checks

MIN_MISTAKES = 3
MIN_HINT_TIERS = 2


@dataclass
class FunctionVerdict:
    exercise: str
    function: str
    checks: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    uncaught: list[str] = field(default_factory=list)  # names of known mistakes no check fails
    mistakes_caught: int = 0
    mistakes_named: int = 0
    mistakes_total: int = 0
    solution_ok: bool = False
    stub_ok: bool = False
    seconds: float = 0.0

    @property
    def sound(self) -> bool:
        return not self.problems


def _short(result: CheckResult) -> str:
    text = result.failure.summary if result.failure else ""
    first = text.strip().splitlines()[0] if text.strip() else "no message"
    first = first if len(first) <= 160 else first[:157] + "..."
    if result.failure is not None and result.failure.internal:  # the check's own code failed: show the author where
        first += "\n" + result.failure.internal.rstrip()
    return first


def _why_unnamed(caught: list[CheckResult]) -> str:
    """Which other mistakes took the name on the failing inputs, and what to do about it."""
    others = sorted({r.mistake for r in caught if r.mistake})
    if others:
        return (f"on every failing input it gives the same answer as {', '.join(map(repr, others))}, "
                f"which is named first; add an input on which they differ (a fixed anchor, or unique=True "
                f"values), or put this mistake first if it is the likelier one")
    return ("no check that fails it names mistakes: same() and expect() never do, and agree() does only "
            "with reference.f as oracle or mistakes_from=reference.f; add such an agree() on an input that fails it")


def judge_function(exercise, function, mistakes, results: list[CheckResult]) -> FunctionVerdict:
    verdict = FunctionVerdict(exercise.id, function.name, mistakes_total=len(mistakes))
    mine = [r for r in results if r.function == function.name]
    by_variant: dict[str, list[CheckResult]] = {}
    for result in mine:
        by_variant.setdefault(result.variant or "solution", []).append(result)
    verdict.seconds = sum(r.duration for r in mine)
    solution = by_variant.get("solution", [])
    verdict.checks = len({r.test.split("[")[0] for r in solution})
    if not solution:
        verdict.problems.append("has no checks: add a test marked @check(" + repr(function.name) + ")")
    failing = [r for r in solution if r.status not in (Status.PASSED, Status.SKIPPED)]
    verdict.solution_ok = bool(solution) and not failing
    for result in failing[:1]:
        verdict.problems.append(f"the solution fails {result.test}: {_short(result)}")
    stub = by_variant.get("stub", [])
    started = [r for r in stub if r.status not in (Status.NOT_STARTED, Status.SKIPPED)]
    verdict.stub_ok = bool(stub) and not started
    for result in started[:1]:
        verdict.problems.append(
            f"the untouched stub is not reported 'not started' by {result.test} ({result.status.value}): "
            "the check may not call the function, or the stub does not raise NotImplementedError"
        )
    for known in mistakes:
        outcomes = by_variant.get(variant_name(known), [])
        caught = [r for r in outcomes if r.status in (Status.WRONG, Status.ERROR)]
        if caught:
            verdict.mistakes_caught += 1
        else:
            verdict.uncaught.append(known.name)
            verdict.problems.append(f"known mistake {known.name!r} passes every check: the checks cannot see it")
        if any(r.mistake == known.name for r in caught):
            verdict.mistakes_named += 1
        elif caught:
            verdict.warnings.append(f"mistake {known.name!r} is caught but not named: {_why_unnamed(caught)}")
    if mistakes and solution and verdict.mistakes_caught == 0:
        verdict.problems.append(
            f"no check of {function.name} sees any of its {len(mistakes)} known mistakes: its checks may never "
            f"call it; make sure each @check({function.name!r}) test calls submission.{function.name}, "
            "and tie a test that calls another function to that one"
        )
    if len(mistakes) < MIN_MISTAKES:
        verdict.warnings.append(f"has {len(mistakes)} known mistakes; aim for at least {MIN_MISTAKES}")
    if len(function.hints) < MIN_HINT_TIERS:
        verdict.warnings.append(f"has {len(function.hints)} hint tier; aim for at least {MIN_HINT_TIERS}")
    return verdict


def validate(tree: CourseTree, exercise_ids: list[str] | None = None) -> list[FunctionVerdict]:
    from grader import replay

    if not tree.has_solutions and not replay.available(tree):
        raise CourseError(f"{tree.root}: there is no solutions/ folder and no recorded cases, so there is "
                          "nothing to validate against; add solutions/ or validate the course you released from")
    chosen = [tree.manifest.exercise(i) for i in exercise_ids] if exercise_ids else list(tree.manifest.exercises)
    results = run_checks([tree.test_path(e) for e in chosen], options=["--tensorlings-variants"])
    verdicts = []
    for exercise in chosen:
        mistakes = replay.known_mistakes(tree, exercise)  # in a release, the recorded ones
        mine = [r for r in results if r.exercise == exercise.id]
        replayed = replay.replays(tree, exercise)
        for function in exercise.functions:
            verdict = judge_function(exercise, function, mistakes.get(function.name, []), mine)
            if replayed:
                _excuse_unrecordable_mistakes(verdict, tree, exercise)
            verdicts.append(verdict)
    return verdicts


def _excuse_unrecordable_mistakes(verdict: FunctionVerdict, tree: CourseTree, exercise) -> None:
    """In a release, a mistake whose recorded outcomes equal the solution's on every case differs only in
    something a recording cannot hold (which memory a result uses). The full course's validate proves the
    checks catch it; here it is a warning, not a problem."""
    from grader import replay

    table = replay.tables(tree.exercise_dir(exercise)).get(verdict.function)
    if table is None:
        return
    for name in list(verdict.uncaught):
        if table.mistake_matches_solution(name):
            verdict.uncaught.remove(name)
            verdict.problems.remove(f"known mistake {name!r} passes every check: the checks cannot see it")
            verdict.warnings.append(
                f"mistake {name!r} gives the solution's recorded outputs on every case: it differs in memory "
                "layout, which a recording cannot replay (validate the full course to prove it is caught)")
