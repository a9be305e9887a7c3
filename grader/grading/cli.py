"""``tensorlings grade SUBMISSIONS --out REPORTS``: grade a class in parallel, in a sandbox."""

from __future__ import annotations

import time
from pathlib import Path

from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

# The exit status when the grader's own code failed on some check (listed in summary.html):
# every grade was written, but those checks were not judged. 2 is a usage error, as elsewhere.
GRADER_ERROR_EXIT = 3


def register(commands) -> None:
    grade = commands.add_parser(
        "grade", help="grade a folder of student submissions (folders or .zip files) in a sandbox",
        epilog="exit status: 0 done, 2 a problem you can fix (one message), 130 stopped by Ctrl-C "
               "(run the same command again to grade the rest)")
    grade.add_argument("submissions", type=Path, help="a folder with one folder or .zip per student")
    grade.add_argument("--out", type=Path, required=True, help="where the reports go (one folder per student)")
    grade.add_argument("--jobs", type=int, default=0, help="students graded at once (default: one per core)")
    grade.add_argument("--force", action="store_true",
                       help="regrade every student (by default one is regraded only when their files, the course "
                            "or the options changed)")
    grade.add_argument("--student", default=None, help="grade this one student again (their id as listed)")
    grade.add_argument("--exercises", nargs="*", default=(), help="only these exercises (default: all)")
    grade.add_argument("--timeout", type=float, default=10.0, help="seconds one call may run (default 10)")
    grade.add_argument("--assignment", default=None,
                       help="the assignment name in grades.csv, as nbgrader exports it (default: the course title)")
    grade.add_argument("--roster", type=Path, default=None,
                       help="a CSV with student_id, name (or first_name, last_name) and email columns: "
                            "fills grades.csv's name and email")
    grade.add_argument("--seed", type=int, default=None,
                       help="draw the held-back cases from this seed (default: the course's, kept in "
                            ".tensorlings-grading-seed beside course.yml)")
    grade.add_argument("--new-seed", action="store_true",
                       help="draw a new grading seed and keep it in .tensorlings-grading-seed (every student "
                            "is graded again: the seed is part of what a grade depends on)")
    grade.add_argument("--cluster", default=None, metavar="ADDRESS",
                       help="grade on a Dask cluster: a scheduler address (tcp://HOST:8786) or local:N for N "
                            "worker processes here (needs the 'cluster' extra: pip install 'tensorlings[cluster]')")
    grade.set_defaults(run=cmd_grade)


def cmd_grade(args) -> int:
    from grader.course import load_course
    from grader.grading.engine import GradingError, GradingInterrupted, Options, Tally, grade_class
    from grader.grading.errors import GraderFailure
    from grader.grading.roster import load_roster, roster_gaps
    from grader.grading.seed import grading_seed
    from grader.grading.worker import Limits
    from grader.terminal import ERROR_STYLE, WARNING_STYLE, console

    out = console()
    errors = console(stderr=True)
    tree = load_course(args.course)
    if args.out.resolve().is_relative_to(args.submissions.resolve()):
        errors.print(f"[{ERROR_STYLE}]tensorlings: --out {args.out} lies inside {args.submissions}: "
                     "choose a reports folder outside the submissions[/]")
        return 2
    tally = Tally()
    if args.cluster and not _has_dask():
        errors.print(f"[{ERROR_STYLE}]tensorlings: --cluster needs Dask: pip install 'tensorlings[cluster]' "
                     "(dask and distributed) in this environment and on every worker[/]")
        return 2
    try:
        roster = load_roster(args.roster) if args.roster else None
        seed = grading_seed(tree, chosen=args.seed, new=args.new_seed)
        options = Options(jobs=args.jobs, force=args.force, exercises=args.exercises,
                          limits=Limits(call_seconds=args.timeout), assignment=args.assignment,
                          student=args.student, roster=roster, seed=seed, cluster=args.cluster)
        with _ProgressBar(out) as bar:
            tally.on_start = bar.start
            grades, problems = grade_class(tree, args.submissions, args.out, options, progress=bar.advance,
                                           notes=lambda text: errors.print(f"note: {text}", markup=False,
                                                                           highlight=False, soft_wrap=True),
                                           tally=tally)
    except GradingInterrupted as stopped:
        errors.print(f"[{WARNING_STYLE}]tensorlings: interrupted: {stopped.finished} of {stopped.total} students "
                     "finished and kept; run the same command again to grade the rest[/]", soft_wrap=True)
        return 130
    except GradingError as error:
        errors.print(f"[{ERROR_STYLE}]tensorlings: {error}[/]", soft_wrap=True)
        return 2
    for note in sorted({w for g in grades for w in g.warnings if w.startswith("sandbox")}):
        errors.print(f"[{WARNING_STYLE}]warning: {note}[/]")
    out.print(_table(grades, args.out))
    for problem in problems:
        if not isinstance(problem, GraderFailure):
            errors.print(f"[{WARNING_STYLE}]warning: {problem}[/]")
    if roster is not None:
        unlisted, absent = roster_gaps(roster, [g.student for g in grades])
        if unlisted:
            errors.print(f"[{WARNING_STYLE}]not on the roster ({len(unlisted)}): {', '.join(unlisted)}[/]")
        if absent:
            errors.print(f"[{WARNING_STYLE}]on the roster, no submission ({len(absent)}): {', '.join(absent)}[/]")
    out.print(tally.line())
    failures = [p for p in problems if isinstance(p, GraderFailure)]
    for failure in failures:
        errors.print(f"[{ERROR_STYLE}]tensorlings: {escape(failure)}[/]", highlight=False, soft_wrap=True)
    status = _grader_errors(grades, args.out, errors)
    return GRADER_ERROR_EXIT if failures else status


def _table(grades, where: Path) -> Table:
    table = Table(title=f"{len(grades)} students in {where}", title_justify="left")
    for column in ("rank", "student", "score", "limits hit"):
        table.add_column(column)
    ranked = sorted((g for g in grades if g.gradable), key=lambda g: (-g.score, g.student))
    for rank, grade in enumerate(ranked, 1):
        table.add_row(str(rank), grade.student, f"{grade.score:g}/{grade.max_score:g}",
                      "; ".join(grade.limits_hit) or "")
    for grade in sorted((g for g in grades if not g.gradable), key=lambda g: g.student):
        table.add_row("-", grade.student, f"not gradable ({grade.verdict})", "")
    return table


class _ProgressBar:
    """Students graded of those to grade, the time per student so far, and an estimate of the rest."""

    def __init__(self, console) -> None:
        self.bar = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            TextColumn("left"), TimeRemainingColumn(), TextColumn("{task.description}"),
                            console=console, transient=True)
        self.task = None
        self.started = 0.0

    def __enter__(self):
        self.bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.bar.__exit__(*exc)

    def start(self, to_grade: int) -> None:
        self.started = time.monotonic()
        self.task = self.bar.add_task("", total=max(to_grade, 1))

    def advance(self, student: str, done: int, to_grade: int) -> None:
        if self.task is None:
            self.start(to_grade)
        per_student = (time.monotonic() - self.started) / max(done, 1)
        self.bar.update(self.task, completed=done,
                        description=f"{per_student:.1f} s/student · last: {student}")


def _grader_errors(grades, out: Path, errors) -> int:
    """Say where the grader itself failed, and the exit status that tells a script so."""
    from grader.grading.reports.summary import grader_errors
    from grader.terminal import ERROR_STYLE

    failed = grader_errors(grades)
    if not failed:
        return 0
    students = sorted({e.student for e in failed})
    errors.print(f"[{ERROR_STYLE}]tensorlings: the grader failed on {len(failed)} check(s) of {len(students)} "
                 f"student(s) ({', '.join(students[:5])}{', ...' if len(students) > 5 else ''}); not their mistakes: "
                 f"see {out / 'summary.html'} for the tracebacks, fix the cause and regrade with --force[/]")
    return GRADER_ERROR_EXIT


def _has_dask() -> bool:
    import importlib.util

    return importlib.util.find_spec("distributed") is not None
