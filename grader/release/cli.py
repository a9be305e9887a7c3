"""The ``release`` and ``nbgrader`` subcommands."""

from __future__ import annotations

from pathlib import Path


def cmd_release(args) -> int:
    from grader.course import load_course
    from grader.release.build import build_release
    from grader.terminal import DONE_STYLE, console

    tree = load_course(args.course, stubs=True)
    out = console()
    with out.status("recording every check against the solution (release profile)..."):
        release = build_release(tree, Path(args.out), exercise_ids=args.exercises or None, force=args.force)
    out.print(
        f"[{DONE_STYLE}]Wrote a learner release of {len(release.exercises)} exercise(s) to {release.out}[/] "
        f"({release.recorded_bytes / 1e6:.1f} MB of recorded cases; no solutions, no mistakes.py)"
    )
    out.print(f"Learners run [bold]pytest exercises/{release.exercises[0]}[/] inside it; "
              "[bold]tensorlings validate[/] there proves the recorded cases sound.")
    return 0


def cmd_nbgrader(args) -> int:
    from grader.course import load_course
    from grader.release.notebooks import build_nbgrader_course
    from grader.terminal import DONE_STYLE, console

    tree = load_course(args.course, stubs=True)
    out = console()
    with out.status("recording the checks and writing one notebook per exercise..."):
        written = build_nbgrader_course(tree, Path(args.course_dir), exercise_ids=args.exercises or None,
                                        course_id=args.course_id, force=args.force)
    out.print(f"[{DONE_STYLE}]Wrote {len(written)} nbgrader assignment(s) to {Path(args.course_dir).resolve()}/source[/]")
    out.print(f"Next: cd {args.course_dir} && nbgrader generate_assignment {written[0]}")
    return 0


def register(commands) -> None:
    release = commands.add_parser(
        "release", help="write a learner copy of the course: stubs, checks and recorded cases, no solutions")
    release.add_argument("out", help="the folder to write (new, or an earlier release with --force)")
    release.add_argument("--exercises", nargs="*", help="only these exercises (default: all)")
    release.add_argument("--force", action="store_true", help="replace an earlier release in OUT")
    release.set_defaults(run=cmd_release)

    nbgrader = commands.add_parser(
        "nbgrader", help="write an nbgrader course directory: one autograded notebook per exercise")
    nbgrader.add_argument("course_dir", help="the nbgrader course directory to write")
    nbgrader.add_argument("--exercises", nargs="*", help="only these exercises (default: all)")
    nbgrader.add_argument("--course-id", default="tensorlings", help="nbgrader's course id (default tensorlings)")
    nbgrader.add_argument("--force", action="store_true", help="replace assignments already in source/")
    nbgrader.set_defaults(run=cmd_nbgrader)
