"""Content keys for reusing a function's last verdict: same key, same checks of the same code.

A function's key hashes what its verdict depends on: its own source text
(from the AST) with the module's top-level code and the other functions of
the module it calls, the exercise's checks and other files, its solutions
folder, course.yml and the framework's own source. Keys are made of file
contents, never times, so a verdict cannot go stale silently.
"""

from __future__ import annotations

import ast
import hashlib
from functools import lru_cache
from pathlib import Path

from grader.course import CourseTree
from grader.manifest import Exercise

FRAMEWORK = Path(__file__).resolve().parent


def _digest(*parts: bytes | str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def _files(folder: Path, skip: Path | None = None) -> list[bytes]:
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path != skip and "__pycache__" not in path.parts:
            found += [str(path.relative_to(folder)).encode(), path.read_bytes()]
    return found


@lru_cache(maxsize=1)
def framework_key() -> str:
    return _digest(*(part for path in sorted(FRAMEWORK.rglob("*.py"))
                     for part in (str(path.relative_to(FRAMEWORK)), path.read_bytes())))


def exercise_key(tree: CourseTree, exercise: Exercise) -> str:
    """Everything one exercise's verdicts share: its checks, its solutions, the manifest, the framework."""
    module = tree.stub_path(exercise)
    return _digest(framework_key(), tree.manifest_path.read_bytes(),
                   *_files(tree.exercise_dir(exercise), skip=module),
                   *_files(tree.solutions_dir / exercise.id))


def function_keys(tree: CourseTree, exercise: Exercise) -> dict[str, str]:
    """Per function of ``exercise``: the key of its verdict as the learner's file stands now."""
    shared = exercise_key(tree, exercise)
    path = tree.stub_path(exercise)
    try:
        source = path.read_text(encoding="utf-8")
        module = ast.parse(source)
    except (OSError, SyntaxError, ValueError):  # missing or unreadable: every verdict hangs on the whole file
        whole = path.read_bytes() if path.is_file() else b"<missing>"
        return {f.name: _digest(shared, f.name, whole) for f in exercise.functions}
    functions = {node.name: node for node in module.body if isinstance(node, ast.FunctionDef)}
    # imports, constants and classes at the top level: any function may read them
    context = [ast.get_source_segment(source, node) or "" for node in module.body
               if not isinstance(node, ast.FunctionDef)]
    keys = {}
    for function in exercise.functions:
        used = _reachable(function.name, functions)
        texts = [_source_of(source, functions[name]) for name in sorted(used)]
        keys[function.name] = _digest(shared, function.name, *context, *texts)
    return keys


def _source_of(source: str, node: ast.FunctionDef) -> str:
    decorators = [ast.get_source_segment(source, d) or "" for d in node.decorator_list]
    return "\n".join([*decorators, ast.get_source_segment(source, node) or ""])


def _reachable(name: str, functions: dict[str, ast.FunctionDef]) -> set[str]:
    """``name`` and the module's functions it calls, directly or through each other."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen or current not in functions:
            continue
        seen.add(current)
        todo += [node.id for node in ast.walk(functions[current]) if isinstance(node, ast.Name)]
    return seen
