"""``tensorlings gradescope OUT.zip``: the course as a Gradescope autograder."""

from __future__ import annotations

from pathlib import Path


def cmd_gradescope(args) -> int:
    from grader.course import load_course
    from grader.gradescope.bundle import build_bundle
    from grader.terminal import DONE_STYLE, console

    tree = load_course(args.course)
    written = build_bundle(tree, Path(args.out), exercise_ids=args.exercises or None)
    out = console()
    out.print(f"[{DONE_STYLE}]Wrote the Gradescope autograder {written}[/] ({written.stat().st_size / 1e6:.1f} MB)")
    out.print("Upload it as the assignment's autograder (Ubuntu, any Python 3 image). It holds the solutions and "
              "the grading seed: keep it away from learners.")
    return 0


def register(commands) -> None:
    gradescope = commands.add_parser(
        "gradescope", help="write a Gradescope autograder zip (setup.sh, run_autograder, the course)")
    gradescope.add_argument("out", help="the zip to write, e.g. autograder.zip")
    gradescope.add_argument("--exercises", nargs="*", help="only these exercises (default: all)")
    gradescope.set_defaults(run=cmd_gradescope)
