"""benchmarks/gpu_check.py on a machine without CUDA: GPU steps skip with their reason."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

from grader.course import load_course

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("gpu_check", ROOT / "benchmarks" / "gpu_check.py")
gpu_check = importlib.util.module_from_spec(_spec)
sys.modules["gpu_check"] = gpu_check  # its dataclasses look their module up
_spec.loader.exec_module(gpu_check)


def test_the_matmul_step_is_skipped_with_its_reason_without_cuda():
    step = gpu_check.step_matmul(False, "no CUDA device")
    assert step.status == "SKIP" and "no CUDA device" in step.detail


def test_the_known_mistake_replaces_a_function_nothing_else_calls():
    tree = load_course(ROOT)
    exercise, function, source, points = gpu_check.known_mistake(tree)
    solution = (ROOT / "solutions" / exercise / tree.manifest.exercise(exercise).module).read_text()
    callers = [fn.name for fn in ast.parse(solution).body if isinstance(fn, ast.FunctionDef) and fn.name != function
               and any(isinstance(n, ast.Name) and n.id == function for n in ast.walk(fn))]
    assert callers == []
    assert source.startswith(f"def {function}(") and "@" not in source.splitlines()[0]
    assert points > 0


def test_the_class_expects_full_zero_and_exactly_the_mistakes_loss(tmp_path, pristine_course):
    tree = load_course(pristine_course)
    exercises = [tree.manifest.exercise("03_strides"), tree.manifest.exercise("04_broadcasting")]
    expected = gpu_check.build_class(tree, exercises, tmp_path)
    _, function, _, points = gpu_check.known_mistake(tree)
    total = sum(e.max_points for e in exercises)
    assert expected == {"full": total, "stub": 0.0, "mistake": total - points}
    mistaken = (tmp_path / "mistake" / "exercises" / "03_strides" / "strides.py").read_text()
    assert mistaken.count(f"def {function}(") == 2  # the solution's, then the mistake that replaces it
