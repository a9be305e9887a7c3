"""Pointing at the right place: which of the learner's functions to fix, and whether a mistake's name fits.

Two questions the source code can answer, where it is at hand:

* A function fails, and it calls another of the learner's functions that
  fails its own checks: the message says to fix that one first, and names no
  mistake of the caller (``is_three`` fails because ``l1_distance`` does).
* A known mistake gives the learner's answer, but its explanation is about a
  call the learner never makes (a ``contiguous()`` mistake for code without
  ``contiguous``): it is not named. A mistake's telltale names are those its
  code uses and the reference solution does not.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable, Iterable
from functools import lru_cache


def _function_node(source: str, name: str) -> ast.FunctionDef | None:
    try:
        module = ast.parse(source)
    except SyntaxError:
        return None
    return next((node for node in ast.walk(module) if isinstance(node, ast.FunctionDef) and node.name == name), None)


def _names(function: ast.FunctionDef) -> set[str]:
    """Every name and attribute a function's body uses (``x.contiguous()`` gives ``x`` and ``contiguous``);
    not its decorators, which say how the course registers it, not what it does."""
    found = set()
    for child in (inner for statement in function.body for inner in ast.walk(statement)):
        if isinstance(child, ast.Name):
            found.add(child.id)
        elif isinstance(child, ast.Attribute):
            found.add(child.attr)
    return found


@lru_cache(maxsize=512)
def names_in_source(source: str, name: str) -> frozenset[str] | None:
    """The names ``name``'s body uses in ``source``; None when the source does not define it or does not parse."""
    node = _function_node(source, name)
    return frozenset(_names(node)) if node is not None else None


def names_in_function(function: Callable) -> frozenset[str] | None:
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return None
    node = _function_node(source, function.__name__)
    return frozenset(_names(node)) if node is not None else None


def mistake_fits(mistake_function: Callable, reference_function: Callable | None, learner_names: Iterable[str] | None) -> bool:
    """Whether the learner's code could be this mistake: it uses at least one of the mistake's telltale names.

    Without the learner's source, or when the mistake has no telltale name (``x + 2`` against ``x * 2``),
    nothing rules it out.
    """
    if learner_names is None:
        return True
    mine = names_in_function(mistake_function)
    theirs = names_in_function(reference_function) if reference_function is not None else frozenset()
    if mine is None or theirs is None:
        return True
    telltale = {name for name in mine - theirs if not name.startswith("_")}
    telltale -= set(inspect.signature(mistake_function).parameters)  # argument names say nothing
    return not telltale or bool(telltale & set(learner_names))


def helpers_called(source: str | None, name: str, functions: Iterable[str]) -> list[str]:
    """The other exercise functions that the learner's ``name`` calls, in course order."""
    if source is None:
        return []
    used = names_in_source(source, name)
    if used is None:
        return []
    return [other for other in functions if other != name and other in used]


def blame_note(name: str, helper: str) -> str:
    return f"{name} uses your {helper}, which fails its own checks: fix {helper} first, then check {name} again"
