"""How long `tensorlings status` takes on a fully solved course, cold (no verdicts kept yet) and warm
(every verdict reused), and how long a learner waits for the verdict on an endless loop.

Works on a copy of the course whose exercises are its solutions, so the
learner's own files are never read or changed.

    python benchmarks/status_time.py [--repeat N]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.watch_latency import course_copy  # noqa: E402

LOOP = "    while True:\n        pass\n"


def timed(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - start, done


def solve_every_exercise(course: Path) -> None:
    for folder in (course / "solutions").iterdir():
        for module in folder.glob("*.py"):
            if module.name != "mistakes.py":
                (course / "exercises" / folder.name / module.name).write_text(module.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--loop-only", action="store_true", help="only the endless-loop wait")
    args = parser.parse_args()
    if args.loop_only:
        with tempfile.TemporaryDirectory() as scratch:
            course = course_copy(Path(scratch))
            solve_every_exercise(course)
            endless_loop_wait(course, args.repeat)
        return
    status = [sys.executable, "-m", "grader.cli", "status"]
    with tempfile.TemporaryDirectory() as scratch:
        course = course_copy(Path(scratch))
        solve_every_exercise(course)
        progress = course / ".tensorlings-progress.json"
        cold, warm = [], []
        for _ in range(args.repeat):
            progress.unlink(missing_ok=True)
            seconds, done = timed(status, course)
            if "Every function passes" not in done.stdout:
                sys.exit(f"the solved course does not pass:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
            cold.append(seconds)
            warm.append(timed(status, course)[0])
        print(f"status, solved course, cold (every exercise checked): median {statistics.median(cold):6.2f} s "
              f"(n={len(cold)})")
        print(f"status, solved course, warm (every verdict reused):   median {statistics.median(warm):6.2f} s "
              f"(n={len(warm)})")

        endless_loop_wait(course, args.repeat)


def endless_loop_wait(course: Path, repeat: int) -> None:
    """How long a learner waits for the verdict on an endless loop in 03's contiguous_strides, against the
    configured per-call limit and the same run with no loop (the rest of the wait: starting, the other checks)."""
    from grader.course import load_course

    limit = load_course(course).manifest.exercise("03_strides").function("contiguous_strides").time_limit
    pytest_cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "exercises/03_strides"]
    module = course / "exercises" / "03_strides" / "strides.py"
    solved = module.read_text()
    body = re.search(r'(def contiguous_strides\(.*?\n    """.*?"""\n)', solved, re.S)
    looping = solved.replace(body.group(1), body.group(1) + LOOP, 1)
    waits, plain = [], []
    for _ in range(repeat):  # interleaved, so other load hits both alike
        module.write_text(looping)
        seconds, done = timed(pytest_cmd, course)
        if "is there a loop that never ends?" not in done.stdout:
            sys.exit(f"the endless loop was not stopped as one:\n{done.stdout[-3000:]}")
        waits.append(seconds)
        module.write_text(solved)
        plain.append(timed(pytest_cmd, course)[0])
    wait, rest = statistics.median(waits), statistics.median(plain)
    print(f"pytest exercises/03_strides with an endless loop in contiguous_strides: verdict after {wait:.2f} s "
          f"(median, n={repeat}); the limit is {limit:g} s a call")
    print(f"  the same run with no loop: {rest:.2f} s (importing torch, starting pytest, the other checks); "
          f"beyond the limit and that: {wait - limit - rest:.2f} s")

if __name__ == "__main__":
    main()
