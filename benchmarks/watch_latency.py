"""Save-to-verdict time of `tensorlings watch` for one exercise, as a learner sees it.

Copies the course (its solutions standing in for the learner's work) to a
temporary folder, starts watch there in a pseudo-terminal, and saves the
exercise's module again and again: each time, the wall time from the write
to the screen that shows the exercise passing. Prints the median, with the
part watch itself reports (from noticing the save to drawing the verdict).

    python benchmarks/watch_latency.py [EXERCISE] [--repeat N]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.terminal import Terminal  # noqa: E402  (the same pty driver the tests use)

TARGET = 0.5


def course_copy(into: Path) -> Path:
    course = into / "course"
    course.mkdir()
    for name in ("course.yml", "exercises", "solutions", "data"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, course / name, ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
        elif source.is_file():
            shutil.copy2(source, course / name)
    return course


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("exercise", nargs="?", default="03_strides")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        course = course_copy(Path(scratch))
        module = next((course / "solutions" / args.exercise).glob("[!m]*.py"))
        solved = module.read_text()
        target = course / "exercises" / args.exercise / module.name
        target.write_text(solved)
        terminal = Terminal([sys.executable, "-m", "grader.cli", "watch"], cwd=course,
                            env={"PATH": "/usr/bin:/bin", "HOME": scratch, "TERM": "xterm", "COLUMNS": "200"})
        try:
            terminal.wait_for("q quit", limit=300)
            walls, reported = [], []
            for number in range(args.repeat):
                time.sleep(0.3)  # let the screen settle, as between two real saves
                terminal.expect_new()
                start = time.perf_counter()
                target.write_text(solved + f"\n# save {number}\n")
                screen = terminal.wait_for(f"{args.exercise}: every function passes", "checked in", limit=300)
                walls.append(time.perf_counter() - start)
                found = re.search(r"checked in ([0-9.]+) s", screen)
                if found:
                    reported.append(float(found.group(1)))
            terminal.press("q")
        finally:
            terminal.close()
    median = statistics.median(walls)
    print(f"watch, save of {args.exercise} to its verdict on screen: median {median:.2f} s "
          f"(min {min(walls):.2f}, max {max(walls):.2f}, n={len(walls)}; target {TARGET} s)")
    if reported:
        print(f"  of which watch reports from noticing the save to the verdict: median {statistics.median(reported):.2f} s"
              " (the rest: the look at the files every 0.05 s and drawing)")


if __name__ == "__main__":
    main()
