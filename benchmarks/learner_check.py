"""How long a learner waits: one exercise's checks against the cost of importing torch.

Prints, from the same run: the median wall time of `python -c "import torch"`,
of `pytest exercises/03_strides --impl solutions`, and their difference (the
target is at most 0.8 s); then where that difference goes: the imports beside
torch (Hypothesis, pytest, the framework), the checks' own run time as pytest
reports it, and the rest (pytest's start, collection, fixtures). With
``--all``, per exercise, the wall time of its checks against the solutions and
how many property checks and fixed examples it has, with the number of
examples the `learn` profile draws per property check.

    python benchmarks/learner_check.py [--repeat N] [--all]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.8


def wall(command: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0,):
            sys.exit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return times


def check_seconds(pytest_cmd: list[str], target: str) -> float:
    """The sum of the durations pytest reports for every phase of every check in one run."""
    done = subprocess.run([*pytest_cmd, target, "--durations=0", "--durations-min=0"], cwd=ROOT,
                          capture_output=True, text=True)
    return sum(float(found) for found in re.findall(r"^([0-9.]+)s (?:setup|call|teardown) ", done.stdout, re.M))


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
    commands = {
        "torch": [python, "-c", "import torch"],
        "imports": [python, "-c", "import torch, hypothesis, pytest, grader.plugin"],
        "strides": [*pytest_cmd, "exercises/03_strides"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.repeat):  # interleaved, so a burst of other load hits all three alike
        for name, command in commands.items():
            times[name] += wall(command, 1)
    torch_times, imports_times, strides_times = times["torch"], times["imports"], times["strides"]
    checks = statistics.median(check_seconds(pytest_cmd, "exercises/03_strides") for _ in range(args.repeat))
    torch_median = statistics.median(torch_times)
    overhead = statistics.median(strides_times) - torch_median
    imports = statistics.median(imports_times) - torch_median
    print(f"python -c 'import torch'                          {summary(torch_times)}")
    print(f"pytest exercises/03_strides --impl solutions      {summary(strides_times)}")
    print(f"checks above the torch import: {overhead:.2f} s (target: at most {TARGET} s); of which")
    print(f"  importing Hypothesis, pytest and the framework:  {imports:.2f} s")
    print(f"  the checks themselves (pytest's setup+call+teardown times): {checks:.2f} s")
    print(f"  the rest (pytest's start, plugins, collection, the table): {overhead - imports - checks:.2f} s")
    print(f"best of {args.repeat} (least disturbed by other load): {min(strides_times) - min(torch_times):.2f} s above "
          f"import torch, {min(imports_times) - min(torch_times):.2f} s of it imports")
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
