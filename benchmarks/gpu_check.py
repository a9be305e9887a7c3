"""One command that proves the course and its grader on a GPU machine (``make gpu-check``).

    python benchmarks/gpu_check.py [--exercises 03_strides 07_devices ...] [--jobs N]

Steps, one line each, then a final PASS or FAIL (exit 0 or 1):

1. packages: the framework imports (pydantic is the one package a GPU image usually lacks;
   see ``benchmarks/gpu_wheels.sh`` for carrying its wheels to a machine without a registry);
2. solutions: every exercise's checks against ``solutions/`` (``pytest exercises --impl solutions``),
   on every device this machine has;
3. validate: ``tensorlings validate`` over the course;
4. grade: a sandboxed ``tensorlings grade`` of three students over the course: the solutions
   (expected: full marks), the stubs (expected: 0) and the solutions with one known mistake
   in a function nothing else calls (expected: full marks less exactly that function's points);
5. matmul: ``exercises/07_devices/matmul_timing.py --large`` (CUDA only).

A step that needs CUDA is reported as skipped, with the reason, where there is none; the rest
run on the CPU, so this script is also checked on machines without a GPU.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MISTAKE_EXERCISE = "03_strides"   # the known mistake of the grade step is taken from here
STEP_SECONDS = 600                # any step running longer has hung


@dataclass
class Step:
    name: str
    status: str        # PASS, FAIL or SKIP
    seconds: float
    detail: str


def _run(command: list[str], timeout: float = STEP_SECONDS) -> tuple[int, str]:
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return 124, f"ran past {timeout:g} s"
    return done.returncode, (done.stdout + done.stderr).strip()


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


def cuda_present() -> tuple[bool, str]:
    """Whether CUDA works here, asked in a child so this process never starts it."""
    code, out = _run([sys.executable, "-c", "import torch; print(torch.cuda.is_available() and "
                      "torch.cuda.get_device_name(0))"], timeout=120)
    name = _last_line(out)
    if code != 0 or name in ("", "False"):
        return False, "no CUDA device"
    return True, name


def step_packages() -> Step:
    started = time.monotonic()
    code, out = _run([sys.executable, "-c", "import pydantic, torch, hypothesis, pytest, rich, jinja2; "
                      "import grader.cli; print(torch.__version__)"], timeout=120)
    if code != 0:
        return Step("packages", "FAIL", time.monotonic() - started,
                    f"{_last_line(out)}: carry the wheels (benchmarks/gpu_wheels.sh), then "
                    "pip install --no-index --find-links wheels/ pydantic && pip install --no-deps -e .")
    return Step("packages", "PASS", time.monotonic() - started, f"torch {_last_line(out)}")


def _plugin_args() -> list[str]:
    """Load the course's pytest plugin by name where the checkout is not installed (no registry)."""
    from importlib.metadata import entry_points

    installed = any(e.value == "grader.plugin" for e in entry_points(group="pytest11"))
    return [] if installed else ["-p", "grader.plugin"]


def step_solutions(folders: list[str]) -> Step:
    started = time.monotonic()
    code, out = _run([sys.executable, "-m", "pytest", *folders, "--impl", "solutions", "-q", "-p", "no:cacheprovider",
                      *_plugin_args()])
    return Step("solutions", "PASS" if code == 0 else "FAIL", time.monotonic() - started, _last_line(out))


def step_validate(exercises: list[str]) -> Step:
    started = time.monotonic()
    code, out = _run([sys.executable, "-m", "grader.cli", "validate", *exercises])
    return Step("validate", "PASS" if code == 0 else "FAIL", time.monotonic() - started, _last_line(out))


def known_mistake(tree) -> tuple[str, str, str, int]:
    """(exercise id, function, its source as that function, points): a known mistake in a
    function no other function of the solution calls, so it costs exactly that function."""
    exercise = tree.manifest.exercise(MISTAKE_EXERCISE)
    solution = ast.parse(tree.solution_path(exercise).read_text())
    called = {node.id for fn in solution.body if isinstance(fn, ast.FunctionDef)
              for node in ast.walk(fn) if isinstance(node, ast.Name) and node.id != fn.name}
    source = tree.mistakes_path(exercise).read_text()
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "mistake" \
                    and isinstance(decorator.args[0], ast.Constant) and decorator.args[0].value not in called:
                function = decorator.args[0].value
                node.decorator_list, node.name = [], function
                points = next(f.points for f in exercise.functions if f.name == function)
                return exercise.id, function, ast.unparse(node), points
    raise SystemExit(f"no known mistake of {MISTAKE_EXERCISE} in a function nothing else calls")


def build_class(tree, exercises, folder: Path) -> dict[str, float]:
    """The three students in ``folder``; returns each one's expected score."""
    mistake_exercise, function, mistaken, points = known_mistake(tree)
    total = float(sum(e.max_points for e in exercises))
    expected = {"full": total, "stub": 0.0}
    for exercise in exercises:
        for student, origin in (("full", tree.solution_path(exercise)), ("stub", tree.stub_path(exercise)),
                                ("mistake", tree.solution_path(exercise))):
            where = folder / student / "exercises" / exercise.id
            where.mkdir(parents=True, exist_ok=True)
            text = origin.read_text()
            if student == "mistake" and exercise.id == mistake_exercise:
                text += f"\n\n# a known mistake, replacing {function}\n{mistaken}\n"
            (where / exercise.module).write_text(text)
    ids = {e.id for e in exercises}
    expected["mistake"] = total - (points if mistake_exercise in ids else 0)
    return expected


def step_grade(tree, exercises, jobs: int) -> Step:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tensorlings-gpu-check-") as tmp:
        students, out = Path(tmp) / "class", Path(tmp) / "reports"
        expected = build_class(tree, exercises, students)
        command = [sys.executable, "-m", "grader.cli", "grade", str(students), "--out", str(out),
                   "--exercises", *[e.id for e in exercises]]
        code, text = _run(command + (["--jobs", str(jobs)] if jobs else []))
        got, by_exercise = {}, {}
        for student in expected:
            with_grade = out / student / "grade.json"
            if with_grade.is_file():
                functions = json.loads(with_grade.read_text())["functions"]
                got[student] = sum(f["points"] for f in functions)
                for f in functions:
                    by_exercise.setdefault(student, {}).setdefault(f["exercise"], 0.0)
                    by_exercise[student][f["exercise"]] += f["points"]
        seconds = time.monotonic() - started
        scores = ", ".join(f"{s} {got.get(s, 'missing')}/{want:g} expected" for s, want in expected.items())
        for student, exercises_scores in by_exercise.items():
            print(f"        {student:8s} " + " ".join(f"{e}={p:g}" for e, p in sorted(exercises_scores.items())))
        ok = code == 0 and all(got.get(s) == want for s, want in expected.items())
        return Step("grade", "PASS" if ok else "FAIL", seconds,
                    scores + ("" if code == 0 else f"; exit {code}: {_last_line(text)}"))


def step_matmul(cuda: bool, reason: str) -> Step:
    if not cuda:
        return Step("matmul --large", "SKIP", 0.0, f"{reason}: the GPU timing table needs CUDA")
    started = time.monotonic()
    code, out = _run([sys.executable, "exercises/07_devices/matmul_timing.py", "--large"])
    if out:
        print("\n".join("        " + line for line in out.splitlines()))
    return Step("matmul --large", "PASS" if code == 0 else "FAIL", time.monotonic() - started, _last_line(out))


def report(step: Step) -> Step:
    print(f"{step.status:4s}  {step.name:16s} {step.seconds:6.1f} s  {step.detail}", flush=True)
    return step


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercises", nargs="*", default=None, help="only these exercises (default: the course)")
    parser.add_argument("--jobs", type=int, default=0, help="students graded at once by the grade step")
    args = parser.parse_args(argv)
    started = time.monotonic()
    cuda, device = cuda_present()
    print(f"gpu-check: python {sys.version.split()[0]}, {device}, {os.cpu_count()} cores, "
          f"{'root' if os.geteuid() == 0 else 'not root (the sandbox is weaker)'}", flush=True)
    steps = [report(step_packages())]
    if steps[0].status == "PASS":
        sys.path.insert(0, str(ROOT))
        from grader.course import load_course

        tree = load_course(ROOT)
        exercises = [tree.manifest.exercise(e) for e in args.exercises] if args.exercises \
            else list(tree.manifest.exercises)
        folders = [str(tree.exercise_dir(e).relative_to(ROOT)) for e in exercises]
        steps.append(report(step_solutions(folders)))
        steps.append(report(step_validate([e.id for e in exercises] if args.exercises else [])))
        steps.append(report(step_grade(tree, exercises, args.jobs)))
    steps.append(report(step_matmul(cuda, device)))
    failed = [s.name for s in steps if s.status == "FAIL"]
    skipped = [s.name for s in steps if s.status == "SKIP"]
    verdict = "FAIL" if failed else "PASS"
    print(f"gpu-check: {verdict} in {time.monotonic() - started:.0f} s"
          + (f"; failed: {', '.join(failed)}" if failed else "")
          + (f"; skipped: {', '.join(skipped)} ({device})" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
