"""``tensorlings grade SUBMISSIONS --out REPORTS``: grade a class in parallel, in a sandbox."""

from __future__ import annotations

from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table


def register(commands) -> None:
    grade = commands.add_parser(
        "grade", help="grade a folder of student submissions (folders or .zip files) in a sandbox"
    )
    grade.add_argument("submissions", type=Path, help="a folder with one folder or .zip per student")
    grade.add_argument("--out", type=Path, required=True, help="where the reports go (one folder per student)")
    grade.add_argument("--jobs", type=int, default=0, help="students graded at once (default: one per core)")
    grade.add_argument("--force", action="store_true", help="regrade students that already have results")
    grade.add_argument("--exercises", nargs="*", default=(), help="only these exercises (default: all)")
    grade.add_argument("--timeout", type=float, default=10.0, help="seconds one call may run (default 10)")
    grade.add_argument("--assignment", default=None,
                       help="the assignment name in grades.csv, as nbgrader exports it (default: the course title)")
    grade.set_defaults(run=cmd_grade)


def cmd_grade(args) -> int:
    from grader.course import load_course
    from grader.grading.engine import GradingError, Options, discover, grade_class
    from grader.grading.worker import Limits
    from grader.terminal import ERROR_STYLE, WARNING_STYLE, console

    out = console()
    errors = console(stderr=True)
    tree = load_course(args.course)
    if args.out.resolve().is_relative_to(args.submissions.resolve()):
        errors.print(f"[{ERROR_STYLE}]tensorlings: --out {args.out} lies inside {args.submissions}: "
                     "choose a reports folder outside the submissions[/]")
        return 2
    options = Options(jobs=args.jobs, force=args.force, exercises=args.exercises,
                      limits=Limits(call_seconds=args.timeout), assignment=args.assignment)
    try:
        total = len(discover(args.submissions))
        with Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      TextColumn("{task.description}"), console=out, transient=True) as bar:
            task = bar.add_task("", total=total)

            def advance(student: str, done: int, _total: int) -> None:
                bar.update(task, completed=done, description=student)

            grades, problems = grade_class(tree, args.submissions, args.out, options, progress=advance)
    except GradingError as error:
        errors.print(f"[{ERROR_STYLE}]tensorlings: {error}[/]")
        return 2
    for note in sorted({w for g in grades for w in g.warnings if w.startswith("sandbox")}):
        errors.print(f"[{WARNING_STYLE}]warning: {note}[/]")
    table = Table(title=f"{len(grades)} students graded into {args.out}", title_justify="left")
    for column in ("rank", "student", "score", "limits hit"):
        table.add_column(column)
    ordered = sorted(grades, key=lambda g: (-g.score, g.student))
    for rank, grade in enumerate(ordered, 1):
        table.add_row(str(rank), grade.student, f"{grade.score:g}/{grade.max_score:g}",
                      "; ".join(grade.limits_hit) or "")
    out.print(table)
    for problem in problems:
        errors.print(f"[{WARNING_STYLE}]warning: {problem}[/]")
    return 0
