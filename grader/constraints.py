"""Code constraints from the manifest, checked by reading a function's AST.

Nothing here runs the code it checks, so it is safe on untrusted files.
"""

from __future__ import annotations

import ast
from pathlib import Path

from grader.manifest import Function

_LOOP_NODES = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_LOOP_WORDS = {
    ast.For: "a for loop",
    ast.AsyncFor: "an async for loop",
    ast.While: "a while loop",
    ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression",
}


def find_function(source: str, name: str, filename: str = "<submission>") -> ast.FunctionDef | None:
    tree = ast.parse(source, filename=filename)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    return None


def violations(node: ast.FunctionDef, rules: Function) -> list[str]:
    """Each broken rule as ``line N: what``; empty when the function keeps them all.

    An untouched stub breaks none: it is *not started*, and a required name it
    does not use yet must not turn that into *wrong*.
    """
    if is_stub(node):
        return []
    found: list[str] = []
    forbidden = set(rules.forbid)
    for child in ast.walk(node):
        name = None
        if isinstance(child, ast.Attribute):
            name = child.attr
        elif isinstance(child, ast.Name):
            name = child.id
        elif isinstance(child, ast.Constant) and isinstance(child.value, str):
            # getattr(torch, "as_strided") is the same call by another route.
            name = child.value if child.value in forbidden else None
        if name in forbidden:
            found.append(f"line {child.lineno}: uses {name}, which this exercise forbids")
        if rules.no_loops and isinstance(child, _LOOP_NODES):
            found.append(
                f"line {child.lineno}: uses {_LOOP_WORDS[type(child)]}; this function must work on whole tensors"
            )
    used = {child.attr if isinstance(child, ast.Attribute) else child.id
            for child in ast.walk(node) if isinstance(child, (ast.Attribute, ast.Name))}
    missing = [f"line {node.lineno}: does not use {name}, which this exercise asks for"
               for name in rules.require if name not in used]
    return sorted(set(found), key=lambda text: int(text.split(":")[0].split()[1])) + missing


def rule_breaks(source: str, name: str, rules: Function, shown: str) -> str | None:
    """The message for a function that breaks the manifest's code rules, or None.

    ``shown`` is the file as the learner knows it. A file that does not parse
    breaks no rule here: importing it reports the syntax error.
    """
    if not (rules.forbid or rules.no_loops or rules.require):
        return None
    try:
        node = find_function(source, name, shown)
    except SyntaxError:
        return None
    problems = violations(node, rules) if node is not None else []
    return f"{name} in {shown}: {'; '.join(problems)}" if problems else None


def is_stub(node: ast.FunctionDef) -> bool:
    """True when the body is only a docstring and ``raise NotImplementedError``."""
    body = [stmt for stmt in node.body if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))]
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    exc = body[0].exc
    target = exc.func if isinstance(exc, ast.Call) else exc
    return isinstance(target, ast.Name) and target.id == "NotImplementedError"


def stub_functions(path: Path) -> set[str]:
    """Names of the top-level functions in ``path`` that are still untouched stubs."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return set()
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and is_stub(node)}
