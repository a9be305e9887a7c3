"""Known mistakes: plausible wrong answers, kept as data.

A solutions folder's ``mistakes.py`` marks each wrong implementation with
``@mistake(function, name, explanation)``. Validation proves the checks
catch every one; feedback names the one whose output matches a learner's.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_MARK = "__tensorlings_mistake__"


@dataclass(frozen=True)
class Mistake:
    function_name: str  # the exercise function this is a wrong version of
    name: str           # a short label a learner can search for
    explanation: str    # what it gets wrong, in the learner's terms
    function: Callable


def mistake(function_name: str, name: str, explanation: str) -> Callable[[Callable], Callable]:
    """Mark a function as a known wrong version of ``function_name``."""

    def mark(function: Callable) -> Callable:
        setattr(function, _MARK, Mistake(function_name, name, explanation, function))
        return function

    return mark


def import_file(path: Path, module_name: str):
    """Import one Python file under a unique module name, without touching sys.path."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look modules up here
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def mistakes_in(module) -> dict[str, list[Mistake]]:
    """The mistakes a module defines, by the function they get wrong, in file order."""
    found: dict[str, list[Mistake]] = {}
    for value in vars(module).values():
        marked = getattr(value, _MARK, None)
        if isinstance(marked, Mistake):
            found.setdefault(marked.function_name, []).append(marked)
    return found


_loaded: dict[tuple[Path, int], dict[str, list[Mistake]]] = {}


def load_mistakes(path: Path, module_name: str) -> dict[str, list[Mistake]]:
    """The mistakes in ``path``, imported once per version of the file.

    validate asks for them per check, per variant and per verdict; an edited
    file (a new modification time) is imported again.
    """
    if not path.is_file():
        return {}
    key = (path.resolve(), path.stat().st_mtime_ns)
    if key not in _loaded:
        _loaded[key] = mistakes_in(import_file(path, module_name))
    return _loaded[key]
