"""Benchmark `tensorlings grade`: a class replicated to N submissions, against the obvious baseline.

The baseline is one fresh `pytest exercises/<folder> --impl <student copy>` process per student and
exercise, timed in the same run on a sample of the same submissions. Prints submissions per minute,
mean and worst seconds per submission, peak memory, and the throughput ratio.

    .venv/bin/python benchmarks/grade_class.py [--students 100] [--exercises 03_strides ...] [--sample 3]
        [--cluster-workers 1 2 4] [--scaling-students 30]

Also prints where the time per student goes (stages), the recording a cold cache pays once,
and, when Dask is installed, the same class through `--cluster local:2` and the throughput of a
LocalCluster with 1, 2, 4 worker processes, with Dask's own overhead per task.
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
from grader.grading import engine, pool  # noqa: E402
from grader.grading.cache import cached_recordings  # noqa: E402


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
    parser.add_argument("--cluster-workers", nargs="*", type=int, default=[1, 2, 4],
                        help="LocalCluster sizes for the scaling figures (none: skip the cluster)")
    parser.add_argument("--scaling-students", type=int, default=30, help="class size of each scaling run")
    args = parser.parse_args()
    tree = load_course(ROOT)
    chosen = args.exercises if args.exercises is not None else _demo_exercises()
    exercises = [tree.manifest.exercise(e) for e in chosen] if chosen else list(tree.manifest.exercises)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tensorlings-bench-") as tmp:
        tmp = Path(tmp)
        students = build_class(tree, tmp / "class", args.students, exercises, args.hostile)
        cache = tmp / "cache"
        recording_started = time.monotonic()  # what a run pays once after the course changed
        cached_recordings(tree, exercises, tmp / "recorded", "grade", args.jobs or os.cpu_count() or 1, root=cache)
        recording_seconds = time.monotonic() - recording_started
        options = engine.Options(jobs=args.jobs, force=True, exercises=[e.id for e in exercises],
                                 replay=not args.no_replay, cache=cache)
        started = time.monotonic()
        grades, problems = engine.grade_class(tree, tmp / "class", tmp / "reports", options, notes=notes.append)
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
        cluster_lines = _cluster_figures(tree, tmp, options, args, len(grades) / seconds * 60) \
            if args.cluster_workers and _has_dask() else ["cluster: skipped (no --cluster-workers, or no Dask)"]
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
    print(f"recording with a cold cache (paid once per course change, not in the figures above): "
          f"{recording_seconds:.1f} s")
    _print_stages(seconds, args.jobs or os.cpu_count() or 1)
    for line in cluster_lines:
        print(line)
    for note in notes:
        print("note:", note)
    for problem in problems:
        print("problem:", problem)
    return 0


def _print_stages(seconds: float, jobs: int) -> None:
    """Where the time per student goes, summed over the slots, against the wall time they had."""
    totals = dict(pool.stage_totals)
    count = totals.pop("students", 0) or 1
    wall = seconds * jobs / count
    print(f"time per student, by stage (mean over {count:.0f}; {wall * 1000:.0f} ms of slot time each):")
    for stage, spent in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"  {stage:<30} {spent / count * 1000:7.1f} ms  {spent / count / wall:6.1%}")
    unaccounted = wall - sum(totals.values()) / count
    print(f"  {'between students (pool, idle)':<30} {unaccounted * 1000:7.1f} ms  {unaccounted / wall:6.1%}")


def _has_dask() -> bool:
    import importlib.util

    return importlib.util.find_spec("distributed") is not None


def _cluster_figures(tree, tmp: Path, options, args, local_rate: float) -> list[str]:
    """The same class through --cluster local:2, and throughput with 1, 2, 4 worker processes."""
    import dataclasses

    from distributed import Client, LocalCluster

    lines = []

    def through(workers: int, folder: Path) -> tuple[float, float, float, float]:
        started = time.monotonic()
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, protocol="tcp",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            up = time.monotonic() - started
            noop = time.monotonic()  # Dask's own cost per task: a round trip of empty tasks
            client.gather(client.map(_noop, range(200), pure=False))
            per_task = (time.monotonic() - noop) / 200
            graded = time.monotonic()
            run = dataclasses.replace(options, cluster=cluster.scheduler_address, write_reports=True)
            grades, _ = engine.grade_class(tree, folder, tmp / f"reports-{workers}-{folder.name}", run)
            spent = time.monotonic() - graded
        return len(grades), spent, up, per_task

    count, spent, up, per_task = through(2, tmp / "class")
    rate = count / spent * 60
    lines.append(f"--cluster local:2 (LocalCluster, 2 worker processes over TCP): {count} students in {spent:.1f} s, "
                 f"{rate:.1f} per minute = {rate / local_rate:.2f}x local grading on the same cores "
                 f"(cluster start {up:.1f} s not included; Dask overhead {per_task * 1000:.1f} ms per task)")
    small = tmp / "scaling"
    if not small.exists():
        small.mkdir()
        for student in sorted((tmp / "class").iterdir())[: args.scaling_students]:
            shutil.copytree(student, small / student.name)
    lines.append(f"scaling ({args.scaling_students} students, worker start included, {os.cpu_count()} cores):")
    for workers in args.cluster_workers:
        count, spent, up, per_task = through(workers, small)
        lines.append(f"  {workers} worker process(es): {count / spent * 60:6.1f} students per minute, "
                     f"{spent / count:.2f} s per student, Dask {per_task * 1000:.1f} ms per task, "
                     f"cluster start {up:.1f} s")
    return lines


def _noop(value: int) -> int:
    return value


if __name__ == "__main__":
    sys.exit(main())
