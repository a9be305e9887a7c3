"""Benchmark `tensorlings grade`: a class replicated to N submissions, against the obvious baseline.

The baseline is one fresh `pytest exercises/<folder> --impl <student copy>` process per student and
exercise, timed in the same run on a sample of the same submissions. Prints submissions per minute,
mean and worst seconds per submission, peak memory, and the throughput ratio.

    .venv/bin/python benchmarks/grade_class.py [--students 100] [--exercises 03_strides ...] [--sample 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.course import load_course  # noqa: E402
from grader.grading import engine  # noqa: E402


def build_class(tree, folder: Path, students: int, exercises, hostile: bool = False) -> list[Path]:
    """The demo class (examples/class/) replicated, or solution/stub/mistake copies when it is absent.

    The ``hostile_*`` students are left out unless asked for: they spend most of their time
    waiting for limits (a 10 s hang, a memory hog), which measures the limits, not grading.
    """
    demo = ROOT / "examples" / "class"
    sources = sorted(p for p in demo.iterdir() if p.is_dir()) if demo.is_dir() else []
    sources = [p for p in sources if hostile or not p.name.startswith("hostile_")]
    made = []
    for i in range(students):
        target = folder / f"student{i:03d}"
        if sources:
            shutil.copytree(sources[i % len(sources)], target)
        else:
            for exercise in exercises:
                where = target / "exercises" / exercise.id
                where.mkdir(parents=True)
                origin = tree.solution_path(exercise) if i % 3 else tree.stub_path(exercise)
                shutil.copy(origin, where / exercise.module)
        made.append(target)
    return made


def _demo_exercises() -> list[str]:
    found = subprocess.run([sys.executable, str(ROOT / "examples" / "make_class.py"), "--list"], cwd=ROOT,
                           capture_output=True, text=True, check=False)
    return found.stdout.split() if found.returncode == 0 else ["03_strides"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--exercises", nargs="*", default=None,
                        help="default: the exercises the demo class hands in (examples/make_class.py --list)")
    parser.add_argument("--sample", type=int, default=3, help="submissions the baseline grades")
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--hostile", action="store_true", help="include the demo class's hostile students")
    parser.add_argument("--no-replay", action="store_true", help="grade with live generation (for comparison)")
    args = parser.parse_args()
    tree = load_course(ROOT)
    chosen = args.exercises if args.exercises is not None else _demo_exercises()
    exercises = [tree.manifest.exercise(e) for e in chosen] if chosen else list(tree.manifest.exercises)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tensorlings-bench-") as tmp:
        tmp = Path(tmp)
        students = build_class(tree, tmp / "class", args.students, exercises, args.hostile)
        started = time.monotonic()
        grades, problems = engine.grade_class(tree, tmp / "class", tmp / "reports", engine.Options(
            jobs=args.jobs, force=True, exercises=[e.id for e in exercises], replay=not args.no_replay),
            notes=notes.append)
        seconds = time.monotonic() - started
        per = [g.seconds for g in grades]
        peak_mb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
        base_started = time.monotonic()
        for student in students[: args.sample]:
            for exercise in exercises:
                subprocess.run([str(ROOT / ".venv" / "bin" / "pytest"), "-q", "-p", "no:cacheprovider",
                                f"exercises/{exercise.id}", "--impl", str(student / "exercises")],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        base_seconds = (time.monotonic() - base_started) / max(1, min(args.sample, len(students)))
    rate = len(grades) / seconds * 60
    base_rate = 60 / base_seconds
    print(f"graded {len(grades)} submissions x {len(exercises)} exercise(s) ({' '.join(e.id for e in exercises)}) "
          f"in {seconds:.1f} s with {args.jobs or os.cpu_count()} job(s), "
          f"{'hostile students included' if args.hostile else 'hostile students left out'}")
    print(f"submissions per minute: {rate:.1f}")
    print(f"seconds per submission: mean {sum(per) / max(1, len(per)):.2f}, worst {max(per, default=0):.2f}")
    print(f"peak memory (largest process): {peak_mb:.0f} MiB")
    print(f"baseline (fresh pytest per student and exercise, {args.sample} sampled): "
          f"{base_seconds:.2f} s per submission, {base_rate:.1f} per minute")
    print(f"speed-up over the baseline: {rate / base_rate:.1f}x")
    for note in notes:
        print("note:", note)
    for problem in problems:
        print("problem:", problem)
    return 0


if __name__ == "__main__":
    sys.exit(main())
