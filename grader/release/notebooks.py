"""nbgrader: a course directory generated from the exercises, and students' notebooks read back.

``build_nbgrader_course`` writes ``nbgrader_config.py`` and, per exercise,
``source/<id>/<id>.ipynb`` with ``source/<id>/tensorlings/`` beside it (the
exercise's checks, its manifest entry and its recorded cases). The notebook
is the lesson, one autograded answer cell per function (the reference
solution between ``### BEGIN SOLUTION`` and ``### END SOLUTION``) and one
locked test cell per function, worth its points, that runs the same property
checks against the notebook's function: a quick visible set, then the grade
profile's full set between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``.

``module_files`` reads a student's notebooks back into exercise modules,
so ``tensorlings grade`` can grade an nbgrader class.
"""

from __future__ import annotations

import ast
import json
import shutil
import tempfile
import textwrap
from pathlib import Path

from grader import replay
from grader.course import CourseError, CourseTree
from grader.notebook import CASES, EXERCISE, SUPPORT

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

CONFIG = '''\
# nbgrader configuration written by `tensorlings nbgrader` from course.yml.
c = get_config()  # noqa: F821 - provided by nbgrader

c.CourseDirectory.course_id = {course_id!r}
# The checks run in a local Python 3 kernel (ipykernel) with tensorlings installed; no network is needed.
c.ExecutePreprocessor.kernel_name = "python3"
c.ExecutePreprocessor.timeout = {timeout}
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
'''


def _meta(grade_id: str, *, solution: bool = False, grade: bool = False, locked: bool = False,
          points: int | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _statements_source(source: str, nodes: list[ast.stmt]) -> str:
    lines = source.splitlines()
    return "\n".join("\n".join(lines[n.lineno - 1:n.end_lineno]) for n in nodes)


def _docstring_end(node: ast.FunctionDef) -> int:
    """The last line of the function's header and docstring."""
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return first.end_lineno
    return node.body[0].lineno - 1


def _body_lines(source: str, node: ast.FunctionDef) -> list[str]:
    lines = source.splitlines()
    start = _docstring_end(node) if _docstring_end(node) >= node.body[0].lineno else node.body[0].lineno - 1
    return lines[start:node.end_lineno]


def _imports(module: ast.Module, source: str) -> set[str]:
    return {ast.get_source_segment(source, n) for n in module.body if isinstance(n, (ast.Import, ast.ImportFrom))}


def answer_cells(stub_source: str, solution_source: str, functions: list[str]) -> dict[str, str]:
    """Per function: the stub's header and docstring, then the solution's body inside the solution markers.

    Solution imports the stub lacks, and solution helpers the manifest does not list,
    go inside the marked region of the functions that use them, so a released
    notebook keeps none of them.
    """
    stub, solution = ast.parse(stub_source), ast.parse(solution_source)
    stub_defs = {n.name: n for n in stub.body if isinstance(n, ast.FunctionDef)}
    solution_defs = {n.name: n for n in solution.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    extra_imports = sorted(i for i in _imports(solution, solution_source) - _imports(stub, stub_source)
                           if "__future__" not in i)
    helpers = {name: node for name, node in solution_defs.items() if name not in functions and name not in stub_defs}
    stub_lines = stub_source.splitlines()
    cells = {}
    for name in functions:
        header = stub_lines[stub_defs[name].lineno - 1 - len(stub_defs[name].decorator_list):_docstring_end(stub_defs[name])]
        node = solution_defs[name]
        used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        inner = [f"    {line}" for line in extra_imports]
        for helper in (h for h in helpers.values() if h.name in used):
            inner += [f"    {line}" if line else "" for line in ast.get_source_segment(solution_source, helper).splitlines()]
        inner += _body_lines(solution_source, node)
        cells[name] = "\n".join([*header, f"    {BEGIN}", *inner, f"    {END}"])
    return cells


def setup_source(stub_source: str) -> str:
    """The stub module without its functions and docstring: imports and constants."""
    module = ast.parse(stub_source)
    kept = [n for n in module.body if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            and not (isinstance(n, ast.Expr) and isinstance(getattr(n, "value", None), ast.Constant))
            and not (isinstance(n, ast.ImportFrom) and n.module == "__future__")]
    return _statements_source(stub_source, kept).strip()


def exercise_notebook(tree: CourseTree, exercise) -> dict:
    import nbformat

    stub_source = tree.stub_path(exercise).read_text(encoding="utf-8")
    solution_source = tree.solution_path(exercise).read_text(encoding="utf-8")
    names = [f.name for f in exercise.functions]
    answers = answer_cells(stub_source, solution_source, names)
    readme = tree.exercise_dir(exercise) / "README.md"
    lesson = readme.read_text(encoding="utf-8") if readme.is_file() else f"# {exercise.title}"
    v4 = nbformat.v4
    cells = [
        v4.new_markdown_cell(lesson, metadata=_meta("lesson", locked=True)),
        v4.new_markdown_cell(
            "## How this notebook is checked\n\n"
            "Fill in each function where it says `YOUR CODE HERE`, run its cell, then run the cell after it: "
            "that cell runs property checks (many generated inputs, compared with a reference) and tells you "
            "what is wrong. When you submit, the full set of checks runs; each function earns its points when "
            "every check passes.",
            metadata=_meta("how_checked", locked=True)),
        v4.new_code_cell(setup_source(stub_source), metadata=_meta("setup", locked=True)),
    ]
    for function in exercise.functions:
        cells.append(v4.new_markdown_cell(f"### `{function.name}` ({function.points} point"
                                          f"{'s' if function.points != 1 else ''})",
                                          metadata=_meta(f"about_{function.name}", locked=True)))
        cells.append(v4.new_code_cell(answers[function.name], metadata=_meta(function.name, solution=True)))
        checks = textwrap.dedent(f"""\
            from grader.notebook import run_checks

            run_checks({exercise.id!r}, {function.name!r}, globals(), quick=True)
            ### BEGIN HIDDEN TESTS
            run_checks({exercise.id!r}, {function.name!r}, globals())
            ### END HIDDEN TESTS""")
        cells.append(v4.new_code_cell(checks, metadata=_meta(f"test_{function.name}", grade=True, locked=True,
                                                              points=function.points)))
    notebook = v4.new_notebook(cells=cells, metadata={"kernelspec": KERNEL, "language_info": {"name": "python"}})
    return notebook


def build_nbgrader_course(tree: CourseTree, course_dir: Path, *, exercise_ids: list[str] | None = None,
                          course_id: str = "tensorlings", force: bool = False, timeout: int = 600) -> list[str]:
    """Write an nbgrader course directory; returns the assignment ids (one per exercise)."""
    import nbformat

    from grader.release.build import record

    if not tree.has_solutions:
        raise CourseError(f"{tree.root} has no solutions/ folder: notebooks are built from the full course")
    chosen = [tree.manifest.exercise(i) for i in exercise_ids] if exercise_ids else list(tree.manifest.exercises)
    course_dir = Path(course_dir).resolve()
    source = course_dir / "source"
    for exercise in chosen:
        if (source / exercise.id).exists() and not force:
            raise CourseError(f"{source / exercise.id} already exists: pass --force to replace it")
    with tempfile.TemporaryDirectory(prefix="tensorlings-record-") as scratch:
        record(tree, [e.id for e in chosen], Path(scratch))
        for exercise in chosen:
            folder = source / exercise.id
            if folder.exists():
                shutil.rmtree(folder)
            support = folder / SUPPORT
            support.mkdir(parents=True)
            shutil.copy2(tree.test_path(exercise), support / exercise.test_file)
            shutil.copy2(Path(scratch) / exercise.id / replay.FOLDER / replay.FILENAME, support / CASES)
            (support / EXERCISE).write_text(json.dumps(exercise.model_dump(mode="json"), indent=2), encoding="utf-8")
            nbformat.write(exercise_notebook(tree, exercise), folder / f"{exercise.id}.ipynb")
    config = course_dir / "nbgrader_config.py"
    config.write_text(CONFIG.format(course_id=course_id, timeout=timeout), encoding="utf-8")
    return [e.id for e in chosen]


# ---------------------------------------------------------------- reading students' notebooks back


def notebook_functions(path: Path, names: list[str]) -> str:
    """A module's source from a notebook: every code cell's imports, constants and definitions.

    Statements that run code at the top level (calls such as the check cells'
    ``run_checks(...)``, prints, plots) are left out, so importing the module
    only defines things. Cells that do not parse are skipped with a comment.
    """
    parts = [f"# Read from {path.name} by tensorlings.", "from __future__ import annotations"]
    keep = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign,
            ast.AnnAssign)
    for index, source in code_cells(path):
        text = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
        try:
            module = ast.parse(text)
        except SyntaxError as error:
            parts.append(f"# cell {index + 1} does not parse ({error.msg}, line {error.lineno}); left out")
            continue
        for node in module.body:
            if isinstance(node, keep) and not (isinstance(node, ast.ImportFrom)
                                               and node.module in ("__future__", "grader.notebook")):
                if isinstance(node, (ast.Assign, ast.AnnAssign)) and _calls_grader(node):
                    continue
                parts.append(ast.get_source_segment(text, node, padded=True) or "")
    return "\n\n".join(parts) + "\n"


def code_cells(path: Path) -> list[tuple[int, str]]:
    """``(index, source)`` of each code cell of a version-4 notebook, read as the JSON it is.

    Grading reads every student's notebook, and only needs the code cells' text: importing
    nbformat (and its schema validator) would cost about a second per grading run for nothing.
    """
    with open(path, "rb") as file:
        data = json.loads(file.read())
    if not isinstance(data, dict) or data.get("nbformat") != 4 or not isinstance(data.get("cells"), list):
        raise ValueError("not a Jupyter notebook of format version 4 (save it again from Jupyter)")
    cells = []
    for index, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)  # the file format splits a cell's text into lines
        if not isinstance(source, str):
            raise ValueError(f"cell {index + 1} has no text where its code should be")
        cells.append((index, source))
    return cells


def _calls_grader(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Name) and n.id == "run_checks" for n in ast.walk(node))


def module_files(student_folder: Path, exercises, already: dict[str, bytes] | None = None,
                 max_bytes: int = 1_000_000) -> dict[str, bytes]:
    """``{"03_strides/strides.py": source}`` read from a student's nbgrader notebooks.

    For the grade engine's discovery step: ``student_folder`` is one student
    in nbgrader's submitted/ or autograded/ (``<exercise>/<exercise>.ipynb``).
    Exercises already found as modules (in ``already``) are left alone. Only
    JSON and Python syntax are read here; nothing in the notebook runs.
    """
    found: dict[str, bytes] = {}
    student_folder = Path(student_folder)
    for exercise in exercises:
        key = f"{exercise.id}/{exercise.module}"
        folder = student_folder / exercise.id
        if (already and key in already) or not folder.is_dir() or folder.is_symlink():
            continue
        notebooks = [folder / f"{exercise.id}.ipynb", *sorted(folder.glob("*.ipynb"))]
        notebook = next((n for n in notebooks if n.is_file() and not n.is_symlink()
                         and n.stat().st_size <= 20 * max_bytes), None)
        if notebook is None:
            continue
        try:
            source = notebook_functions(notebook, [f.name for f in exercise.functions])
        except Exception as error:  # noqa: BLE001 - an unreadable notebook is the student's problem
            source = f"raise SyntaxError({f'{notebook.name} is not a readable notebook: {error}'[:200]!r})\n"
        found[key] = source.encode("utf-8")[:max_bytes]
    return found
