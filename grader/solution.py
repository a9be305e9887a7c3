"""The reference solution of one function, as a learner may see it once their own passes.

Also the one definition of "a line of the solution" that the course's hints
must never contain (tests/test_course.py): hints end before the answer.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

MIN_LEAK_CHARS = 8  # shorter lines (``return x``, ``else:``) are too common to count as the answer


def _function_node(source: str, name: str) -> ast.FunctionDef | None:
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    return None


def _is_docstring(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) and isinstance(
        statement.value.value, str)


def function_source(path: Path, name: str) -> str | None:
    """The whole definition of ``name`` in ``path`` (decorators, docstring and body), or None."""
    source = path.read_text(encoding="utf-8")
    node = _function_node(source, name)
    if node is None:
        return None
    lines = source.splitlines()
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return "\n".join(lines[start - 1:node.end_lineno])


def docstring(path: Path, name: str) -> str | None:
    node = _function_node(path.read_text(encoding="utf-8"), name)
    return ast.get_docstring(node) if node is not None else None


def _without_comments(code: str) -> str:
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type != tokenize.COMMENT]
        return tokenize.untokenize(tokens)
    except (tokenize.TokenError, SyntaxError, ValueError):
        return code


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def answer_lines(source: str, name: str) -> list[str]:
    """The code of ``name``'s body a hint must not spell out: each statement's own lines (no docstring,
    no comments), and for ``return X`` also ``X``; whitespace removed, so spacing cannot hide a copy."""
    node = _function_node(source, name)
    if node is None:
        return []
    lines = source.splitlines()
    found: list[str] = []
    for statement in ast.walk(node):
        if not isinstance(statement, ast.stmt) or statement is node or _is_docstring(statement):
            continue
        if isinstance(statement, ast.Return) and statement.value is not None:
            found.append(ast.get_source_segment(source, statement.value) or "")
    for number in range(node.body[0].lineno, node.end_lineno + 1):
        found.append(lines[number - 1])
    docstring_node = node.body[0] if _is_docstring(node.body[0]) else None
    if docstring_node is not None:  # the docstring's lines are the lesson, not the answer
        skip = {_squeezed(line) for line in lines[docstring_node.lineno - 1:docstring_node.end_lineno]}
        found = [line for line in found if _squeezed(line) not in skip]
    squeezed = (_squeezed(_without_comments(line.strip() + "\n")) for line in found)
    return sorted({line for line in squeezed if len(line) >= MIN_LEAK_CHARS})


def leaked(hint: str, answers: list[str]) -> list[str]:
    """The solution lines that ``hint`` contains."""
    text = _squeezed(hint)
    return [line for line in answers if line in text]
