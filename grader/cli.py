"""The ``tensorlings`` command line.

Each subcommand is a small function. Exit codes: 0 done, 1 ``validate`` found
the course not sound, 2 an error the user can fix (a ``UserError``: no course,
a bad manifest, an unknown or ambiguous exercise), printed as one message.
"""

from __future__ import annotations

import argparse
import sys

from rich.table import Table

from grader.course import CourseTree, load_course
from grader.errors import UserError
from grader.terminal import DONE_STYLE, ERROR_STYLE, WARNING_STYLE, console


def _tree(args) -> CourseTree:
    return load_course(args.course)


# ---------------------------------------------------------------- status


def cmd_status(args) -> int:
    tree = _tree(args)
    out = console()
    results = _status_results(tree, args.impl, out)
    from grader.board import print_board

    print_board(out, tree, results)
    return 0


def _status_results(tree: CourseTree, impl: str | None, out) -> list:
    """Every started exercise's results, each reused while its content key holds, else checked in a child
    with a hard time bound, with a line of progress per exercise checked."""
    if impl is not None:  # another folder: nothing cached for it
        from grader import isolated

        isolated.warm_up()
        results = []
        for exercise in tree.manifest.exercises:
            _progress(out, f"checking {exercise.id} in {impl}...")
            results += isolated.run(tree.test_path(exercise), exercise.id, [f.name for f in exercise.functions],
                                    seconds=isolated.hard_bound(exercise), impl=impl)
        return results
    from grader import verdicts

    stale = [e for e in tree.manifest.exercises if verdicts.cached(tree, e) is None]
    numbers = {exercise.id: number for number, exercise in enumerate(stale, start=1)}

    def say(exercise) -> None:
        _progress(out, f"checking {exercise.id} ({numbers.get(exercise.id, 1)} of {len(stale)} "
                       "changed since their last check)...")

    results = []
    for exercise in tree.manifest.exercises:
        results += verdicts.current(tree, exercise, on_check=say)
    return results


def _progress(out, text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- hint


def cmd_hint(args) -> int:
    from grader import progress
    from grader.constraints import stub_functions

    tree = _tree(args)
    exercise = tree.manifest.exercise(args.exercise)
    if args.function is None:
        stubs = stub_functions(tree.stub_path(exercise))
        function = next((f for f in exercise.functions if f.name in stubs), exercise.functions[0])
    else:
        function = exercise.function(args.function)
    before, shown = progress.reveal_next_hint(tree.root, exercise.id, function.name, len(function.hints))
    out = console()
    out.print(f"[bold]{exercise.id} {function.name}[/]: hint {shown} of {len(function.hints)}")
    for tier, text in enumerate(function.hints[:shown], start=1):
        style = "bold" if tier == shown else "dim"
        out.print(f"  [{style}]{tier}. {text}[/]", markup=True)
    if shown < len(function.hints):
        out.print(f"[dim]Run the same command again for the next hint. Reset: delete {progress.FILENAME}[/]")
    elif before == shown:
        out.print(
            f"That was the last hint: there is none beyond it, and the hints stop short of the answer. "
            f"Once {function.name} passes, [bold]tensorlings solution {exercise.id} {function.name}[/] "
            "shows the reference solution with its explanation."
        )
    return 0


# ---------------------------------------------------------------- solution


def cmd_solution(args) -> int:
    from grader import verdicts
    from grader.results import FunctionResult, Status
    from grader.solution import docstring, function_source

    tree = _tree(args)
    exercise = tree.manifest.exercise(args.exercise)
    function = exercise.function(args.function)
    out = console()
    results = verdicts.current(tree, exercise, on_check=lambda e: _progress(out, f"checking {e.id}..."))
    verdict = FunctionResult(exercise.id, function.name, function.points,
                             [r for r in results if r.function == function.name])
    if verdict.status != Status.PASSED:
        console(stderr=True).print(
            f"tensorlings: {exercise.id} {function.name} is {verdict.status.value}, and the reference is shown only "
            f"once it passes: finish it first (pytest exercises/{exercise.id}; stuck? "
            f"tensorlings hint {exercise.id} {function.name})", markup=False, highlight=False)
        return 1
    path = tree.solution_path(exercise)
    if not tree.has_solutions or not path.is_file():  # a release ships no solution code, only explanations
        explanation = docstring(tree.stub_path(exercise), function.name) or "(no explanation recorded)"
        out.print(f"[bold]{exercise.id} {function.name}[/] passes. This copy of the course has no solutions/, "
                  "so there is no reference code to show; the explanation it records:")
        out.print(explanation, markup=False)
        return 0
    out.print(f"[bold]{exercise.id} {function.name}[/] passes. The reference solution "
              f"(solutions/{exercise.id}/{exercise.module}):")
    out.print(function_source(path, function.name) or "(not found in the solution file)", markup=False)
    return 0


# ---------------------------------------------------------------- validate


def cmd_validate(args) -> int:
    from grader.course import check_stubs
    from grader.validate import validate

    tree = _tree(args)
    check_stubs(tree)
    out = console()
    with out.status("running every check against the solution, the stub and each known mistake..."):
        verdicts = validate(tree, args.exercises or None)
    table = Table(title=f"validate: {tree.manifest.title}", title_justify="left")
    for column in ("exercise", "function", "checks", "solution", "stub", "mistakes caught", "named", "seconds", "verdict"):
        table.add_column(column)
    for verdict in verdicts:
        table.add_row(
            verdict.exercise,
            verdict.function,
            str(verdict.checks),
            "[green]passes[/]" if verdict.solution_ok else "[red]fails[/]",
            "[green]not started[/]" if verdict.stub_ok else "[red]wrong[/]",
            f"{verdict.mistakes_caught}/{verdict.mistakes_total}",
            f"{verdict.mistakes_named}/{verdict.mistakes_total}",
            f"{verdict.seconds:.2f}",
            "[green]sound[/]" if verdict.sound else "[red]PROBLEM[/]",
        )
    out.print(table)
    problems = [(v, p) for v in verdicts for p in v.problems]
    for verdict, problem in problems:
        out.print(f"[{ERROR_STYLE}]{verdict.exercise} {verdict.function}[/]: {problem}")
    for verdict in verdicts:
        for warning in verdict.warnings:
            out.print(f"[{WARNING_STYLE}]{verdict.exercise} {verdict.function}[/]: {warning}")
    if problems:
        out.print(f"[{ERROR_STYLE}]{len(problems)} problem(s): the course is not sound[/]")
        return 1
    out.print(f"[{DONE_STYLE}]The course is sound: {len(verdicts)} functions checked[/]")
    return 0


# ---------------------------------------------------------------- watch


def cmd_watch(args) -> int:
    from grader.watch import watch

    return watch(_tree(args), interval=args.interval)


# ---------------------------------------------------------------- entry point


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tensorlings", description="Exercises on image tensors in PyTorch.",
        epilog="exit status: 0 done, 1 validate found the course not sound, 2 a problem you can fix (one message)")
    parser.add_argument("--course", default=".", help="the course folder (default: the one around the current folder)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    status = commands.add_parser("status", help="show every exercise and function with its state and points")
    status.add_argument("--impl", default=None, help="check another folder laid out like exercises/")
    status.set_defaults(run=cmd_status)

    hint = commands.add_parser("hint", help="show the next hint for a function")
    hint.add_argument("exercise", help="an exercise id such as 03_strides (or 03, or strides)")
    hint.add_argument("function", nargs="?", help="the function (default: the first one not started)")
    hint.set_defaults(run=cmd_hint)

    check = commands.add_parser("validate", help="prove the course sound: solutions pass, stubs not started, mistakes caught")
    check.add_argument("exercises", nargs="*", help="only these exercises (default: all)")
    check.set_defaults(run=cmd_validate)

    solution = commands.add_parser("solution", help="show the reference solution of a function once yours passes")
    solution.add_argument("exercise", help="an exercise id such as 03_strides (or 03, or strides)")
    solution.add_argument("function", help="the function")
    solution.set_defaults(run=cmd_solution)

    watch = commands.add_parser("watch", help="rerun an exercise's checks whenever you save its files")
    watch.add_argument("--interval", type=float, default=0.05, help="seconds between looks at the files (default 0.05)")
    watch.set_defaults(run=cmd_watch)

    for register in _extensions():
        register(commands)
    return parser


def _extensions():
    """Subcommands that live in their own modules (grading, releases, nbgrader)."""
    registrars = []
    for module_name in ("grader.grading.cli", "grader.release.cli", "grader.gradescope.cli"):
        try:
            module = __import__(module_name, fromlist=["register"])
        except ModuleNotFoundError as error:
            if error.name and module_name.startswith(error.name):
                continue
            raise
        registrars.append(module.register)
    return registrars


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "run", None) is None:  # plain `tensorlings`: watch at a terminal, the board otherwise
        args.run, args.impl, args.interval = (cmd_watch if sys.stdin.isatty() else cmd_status), None, 0.05
    try:
        return args.run(args)
    except UserError as error:  # anything else is the framework's bug: its traceback stays
        console(stderr=True).print(f"[{ERROR_STYLE}]tensorlings: {error}[/]")
        return 2
    except KeyboardInterrupt:  # a checking child has already been ended (grader.isolated)
        print("\ntensorlings: stopped (Ctrl-C)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
