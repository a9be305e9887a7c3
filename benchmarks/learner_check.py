"""How long a learner waits: one exercise's checks against the cost of importing torch.

Prints, from the same run: the median wall time of `python -c "import torch"`,
of `pytest exercises/03_strides --impl solutions`, and their difference (the
target is under 1.5 s); then, per exercise, the wall time of its checks
against the solutions and how many property checks and fixed examples it has,
with the number of examples the `learn` profile draws per property check.

    python benchmarks/learner_check.py [--repeat N] [--all]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def wall(command: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0,):
            sys.exit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return times


def summary(times: list[float]) -> str:
    return f"median {statistics.median(times):6.2f} s  (min {min(times):.2f}, max {max(times):.2f}, n={len(times)})"


def count_checks(test_file: Path) -> tuple[int, int]:
    """(property checks, fixed examples) in a test file, read from its @check decorators."""
    import ast

    properties = anchors = 0
    for node in ast.walk(ast.parse(test_file.read_text())):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "check":
                    if decorator.keywords:
                        properties += 1
                    else:
                        anchors += 1
    return properties, anchors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--all", action="store_true", help="also time every exercise (one run each)")
    args = parser.parse_args()

    from hypothesis import settings

    import grader.plugin  # noqa: F401  (registers the profiles)
    from grader.course import load_course

    python = sys.executable
    pytest_cmd = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--impl", "solutions"]
    torch_times = wall([python, "-c", "import torch"], args.repeat)
    strides_times = wall([*pytest_cmd, "exercises/03_strides"], args.repeat)
    overhead = statistics.median(strides_times) - statistics.median(torch_times)
    print(f"python -c 'import torch'                          {summary(torch_times)}")
    print(f"pytest exercises/03_strides --impl solutions      {summary(strides_times)}")
    print(f"checks above the torch import: {overhead:.2f} s (target: under 1.5 s)")
    examples = settings.get_profile("learn").max_examples
    print(f"learn profile: up to {examples} generated examples per property check")

    if args.all:
        tree = load_course(ROOT)
        print(f"\n{'exercise':22} {'functions':>9} {'properties':>10} {'anchors':>8} {'wall s':>7}")
        for exercise in tree.manifest.exercises:
            properties, anchors = count_checks(tree.test_path(exercise))
            seconds = wall([*pytest_cmd, f"exercises/{exercise.id}"], 1)[0]
            print(f"{exercise.id:22} {len(exercise.functions):>9} {properties:>10} {anchors:>8} {seconds:>7.2f}")


if __name__ == "__main__":
    main()
