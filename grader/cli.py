"""The ``tensorlings`` command line.

Each subcommand is a small function. Exit codes: 0 done, 1 ``validate`` found
the course not sound, 2 an error the user can fix (a ``UserError``: no course,
a bad manifest, an unknown or ambiguous exercise), printed as one message.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.table import Table

from grader.course import CourseTree, load_course
from grader.errors import UserError
from grader.terminal import DONE_STYLE, ERROR_STYLE, WARNING_STYLE, console, styled


def _tree(args) -> CourseTree:
    return load_course(args.course)


# ---------------------------------------------------------------- status


def cmd_status(args) -> int:
    from grader.constraints import stub_functions
    from grader.results import FunctionResult, Status

    tree = _tree(args)
    out = console()
    started = [e for e in tree.manifest.exercises if stub_functions(tree.stub_path(e)) != {f.name for f in e.functions}]
    results = []
    if started:
        from grader.runner import run_checks

        with out.status(f"running the checks of {len(started)} started exercise(s)..."):
            results = run_checks([tree.test_path(e) for e in started], impl=args.impl)
    table = Table(title=tree.manifest.title, title_justify="left")
    for column in ("exercise", "function", "result", "points"):
        table.add_column(column)
    earned = 0
    next_up = None
    for exercise in tree.manifest.exercises:
        for index, function in enumerate(exercise.functions):
            checks = [r for r in results if (r.exercise, r.function) == (exercise.id, function.name)]
            result = FunctionResult(exercise.id, function.name, function.points, checks)
            earned += result.points
            if next_up is None and result.status != Status.PASSED:
                next_up = exercise
            table.add_row(
                exercise.id if index == 0 else "",
                function.name,
                styled(result.status),
                f"{result.points}/{function.points}",
                end_section=index == len(exercise.functions) - 1,
            )
    out.print(table)
    out.print(f"[bold]{earned}/{tree.manifest.max_points}[/] points")
    if next_up is not None:
        out.print(
            f"Next: open [bold]exercises/{next_up.id}/{next_up.module}[/], then run "
            f"[bold]pytest exercises/{next_up.id}[/] (stuck? [bold]tensorlings hint {next_up.id}[/])"
        )
    else:
        out.print(f"[{DONE_STYLE}]Every function passes. Well done![/]")
    return 0


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
    shown = progress.reveal_next_hint(tree.root, exercise.id, function.name, len(function.hints))
    out = console()
    out.print(f"[bold]{exercise.id} {function.name}[/]: hint {shown} of {len(function.hints)}")
    for tier, text in enumerate(function.hints[:shown], start=1):
        style = "bold" if tier == shown else "dim"
        out.print(f"  [{style}]{tier}. {text}[/]")
    if shown < len(function.hints):
        out.print(f"[dim]Run the same command again for the next hint. Reset: delete {progress.FILENAME}[/]")
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
    import subprocess
    import time

    tree = _tree(args)
    out = console()

    def snapshot() -> dict[Path, float]:
        return {p: p.stat().st_mtime for p in tree.exercises_dir.glob("*/*.py")}

    seen = snapshot()
    out.print("Watching exercises/ for changes; press Ctrl-C to stop.")
    try:
        while True:
            time.sleep(args.interval)
            now = snapshot()
            changed = [p for p, mtime in now.items() if seen.get(p) != mtime]
            seen = now
            for folder in sorted({p.parent for p in changed}):
                out.rule(f"{folder.name} changed")
                subprocess.run([sys.executable, "-m", "pytest", str(folder), "-q", "--no-header"], cwd=tree.root)
    except KeyboardInterrupt:
        out.print("Stopped watching.")
    return 0


# ---------------------------------------------------------------- entry point


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tensorlings", description="Exercises on image tensors in PyTorch.",
        epilog="exit status: 0 done, 1 validate found the course not sound, 2 a problem you can fix (one message)")
    parser.add_argument("--course", default=".", help="the course folder (default: the one around the current folder)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

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

    watch = commands.add_parser("watch", help="rerun an exercise's checks whenever you save its files")
    watch.add_argument("--interval", type=float, default=1.0, help="seconds between looks (default 1)")
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
    try:
        return args.run(args)
    except UserError as error:  # anything else is the framework's bug: its traceback stays
        console(stderr=True).print(f"[{ERROR_STYLE}]tensorlings: {error}[/]")
        return 2


if __name__ == "__main__":
    sys.exit(main())
