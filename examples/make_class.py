"""Build examples/class/: a synthetic class of student submissions for `make demo`.

Every submission is assembled from the course itself, so the class follows
the exercises when they change: the learner's stubs (exercises/), the
reference solutions (solutions/<id>/<module>) and the named known mistakes
(solutions/<id>/mistakes.py). A student's module is the stub with some
function bodies replaced: by the solution's body, by a known mistake's
body, or by hostile code that the grading sandbox has to contain.

    .venv/bin/python examples/make_class.py            # rewrite examples/class/
    .venv/bin/python examples/make_class.py --check    # fail if it is out of date
    .venv/bin/python examples/make_class.py --list     # the exercises it hands in (for make demo)

This script only reads and writes text: it never imports or runs a
submission. Never run the hostile submissions outside `tensorlings grade`;
their code is written to be survivable even then (the fork bomb and the
memory hog cap themselves), but the sandbox is what is meant to stop them.
"""

from __future__ import annotations

import argparse
import ast
import filecmp
import shutil
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.course import CourseTree, load_course  # noqa: E402
from grader.manifest import Exercise  # noqa: E402

# The exercises the class hands in. Each must exist in course.yml and pass `tensorlings validate`.
CLASS_EXERCISES = ("02_image_layout", "03_strides", "08_numerics")

SOLVED = "solved"
STUB = "stub"

# ---------------------------------------------------------------- reading the course's sources


def _parse(source: str, path: Path) -> ast.Module:
    return ast.parse(source, filename=str(path))


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _body_statements(node: ast.FunctionDef) -> list[ast.stmt]:
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]  # the docstring
    return body


def _segment(lines: list[str], first: int, last: int) -> str:
    """Lines first..last (1-based, inclusive), dedented."""
    return textwrap.dedent("".join(lines[first - 1:last]))


def body_source(source: str, node: ast.FunctionDef) -> str:
    """A function's body without its docstring, dedented."""
    body = _body_statements(node)
    if not body:
        return "pass\n"
    lines = source.splitlines(keepends=True)
    return _segment(lines, body[0].lineno, node.end_lineno)


def _parameters(node: ast.FunctionDef) -> list[str]:
    arguments = node.args
    return [a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]]


def _free_names(node: ast.AST) -> set[str]:
    return {child.id for child in ast.walk(node) if isinstance(child, ast.Name)} | {
        child.value.id for child in ast.walk(node)
        if isinstance(child, ast.Attribute) and isinstance(child.value, ast.Name)
    }


@dataclass
class Source:
    """One Python file of the course, parsed: its imports, helpers and functions."""

    path: Path
    text: str = field(init=False)
    tree: ast.Module = field(init=False)

    def __post_init__(self) -> None:
        self.text = self.path.read_text(encoding="utf-8")
        self.tree = _parse(self.text, self.path)

    @property
    def functions(self) -> dict[str, ast.FunctionDef]:
        return _functions(self.tree)

    def imports(self) -> dict[str, str]:
        """Bound name -> the import line that binds it (grader imports left out)."""
        found = {}
        for node in self.tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(("grader", "__future__")):
                    continue
                line = ast.get_source_segment(self.text, node)
                for alias in node.names:
                    found[(alias.asname or alias.name).split(".")[0]] = line
        return found

    def helpers_for(self, node: ast.AST, known: set[str]) -> list[str]:
        """Sources of the module's private helpers that ``node`` needs (transitively), not in ``known``."""
        helpers = {name: n for name, n in self.functions.items() if name.startswith("_")}
        needed: list[str] = []
        pending = [node]
        while pending:
            for name in sorted(_free_names(pending.pop())):
                if name in helpers and name not in known and name not in needed:
                    needed.append(name)
                    pending.append(helpers[name])
        lines = self.text.splitlines(keepends=True)
        return [_segment(lines, helpers[name].lineno, helpers[name].end_lineno) for name in needed]


@dataclass
class Mistakes:
    source: Source

    def find(self, function: str, name: str) -> ast.FunctionDef:
        candidates = []
        for node in self.source.functions.values():
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) == "mistake":
                    values = [a.value for a in decorator.args if isinstance(a, ast.Constant)]
                    if values[:1] == [function]:
                        candidates.append((values[1] if len(values) > 1 else "", node))
        for label, node in candidates:
            if label == name:
                return node
        known = ", ".join(repr(label) for label, _ in candidates) or "none"
        raise SystemExit(f"{self.source.path}: no known mistake {name!r} for {function}; it has {known}")


# ---------------------------------------------------------------- building one module


class Module:
    """A student's copy of one exercise module, built up from the stub."""

    def __init__(self, tree: CourseTree, exercise: Exercise) -> None:
        self.exercise = exercise
        self.stub = Source(tree.stub_path(exercise))
        self.solution = Source(tree.solution_path(exercise))
        mistakes_path = tree.mistakes_path(exercise)
        self.mistakes = Mistakes(Source(mistakes_path)) if mistakes_path.is_file() else None
        self.bodies: dict[str, str] = {}
        self.preludes: list[str] = []      # module-level code after the imports
        self.extra_imports: list[str] = []
        self.helpers: list[str] = []       # module-level definitions appended at the end
        self.raw: str | None = None

    # what a student can do to a function

    def solve(self, name: str) -> Module:
        node = self.solution.functions[name]
        self._take(self.solution, node, name)
        return self

    def solve_all(self) -> Module:
        for function in self.exercise.functions:
            self.solve(function.name)
        return self

    def solve_first(self, count: int) -> Module:
        for function in self.exercise.functions[:count]:
            self.solve(function.name)
        return self

    def mistake(self, name: str, mistake: str) -> Module:
        if self.mistakes is None:
            raise SystemExit(f"{self.exercise.id} has no mistakes.py")
        node = self.mistakes.find(name, mistake)
        self._take(self.mistakes.source, node, name)
        return self

    def body(self, name: str, code: str, imports: tuple[str, ...] = ()) -> Module:
        self.bodies[name] = textwrap.dedent(code).strip("\n") + "\n"
        self.extra_imports.extend(imports)
        return self

    def prelude(self, code: str, imports: tuple[str, ...] = ()) -> Module:
        self.preludes.append(textwrap.dedent(code).strip("\n") + "\n")
        self.extra_imports.extend(imports)
        return self

    def helper(self, code: str) -> Module:
        self.helpers.append(textwrap.dedent(code).strip("\n") + "\n")
        return self

    def verbatim(self, source: Source) -> Module:
        self.raw = source.text
        return self

    def _take(self, source: Source, node: ast.FunctionDef, name: str) -> None:
        stub_node = self.stub.functions[name]
        theirs, ours = _parameters(node), _parameters(stub_node)
        if theirs != ours:
            raise SystemExit(f"{source.path}: {node.name} takes ({', '.join(theirs)}) but the stub's "
                             f"{name} takes ({', '.join(ours)}); give them the same parameters")
        self.bodies[name] = body_source(source.text, node)
        have = self.stub.imports()
        for bound, line in source.imports().items():
            if bound in _free_names(node) and bound not in have and line not in self.extra_imports:
                self.extra_imports.append(line)
        known = set(self.stub.functions) | {h.split("(")[0].removeprefix("def ").strip() for h in self.helpers}
        for helper in source.helpers_for(node, known):
            if helper not in self.helpers:
                self.helpers.append(helper)

    # the file

    def render(self) -> str:
        if self.raw is not None:
            return self.raw
        lines = self.stub.text.splitlines(keepends=True)
        edits: list[tuple[int, int, str]] = []   # (first line, last line, replacement), 1-based
        for name, body in self.bodies.items():
            node = self.stub.functions[name]
            statements = _body_statements(node)
            first = statements[0].lineno if statements else node.end_lineno + 1
            # the TODO comments above the stub's raise belong to the stub: replace them too
            docstring_end = node.body[0].end_lineno if statements is not node.body else node.lineno
            first = min(first, docstring_end + 1)
            edits.append((first, node.end_lineno, textwrap.indent(body, "    ")))
        imports = [node for node in self.stub.tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
        after_imports = imports[-1].end_lineno if imports else 0
        top = "".join(line + "\n" for line in dict.fromkeys(self.extra_imports))
        prelude = "".join("\n" + code for code in self.preludes)
        if top or prelude:
            edits.append((after_imports + 1, after_imports, top + prelude))
        for first, last, text in sorted(edits, key=lambda e: e[0], reverse=True):
            lines[first - 1:last] = [text]
        text = "".join(lines)
        if self.helpers:
            text = text.rstrip("\n") + "\n\n" + "".join("\n" + h + "\n" for h in self.helpers).rstrip("\n") + "\n"
        return text


# ---------------------------------------------------------------- the class


@dataclass
class Student:
    name: str
    about: str
    modules: dict[str, Module]


class Builder:
    def __init__(self, tree: CourseTree, exercises: tuple[str, ...]) -> None:
        self.tree = tree
        self.exercises = [tree.manifest.exercise(e) for e in exercises]
        self.students: list[Student] = []

    def has(self, exercise_id: str) -> bool:
        return any(e.id == exercise_id for e in self.exercises)

    def student(self, name: str, about: str, default: str = STUB) -> dict[str, Module]:
        modules = {}
        for exercise in self.exercises:
            module = Module(self.tree, exercise)
            if default == SOLVED:
                module.solve_all()
            modules[exercise.id] = module
        self.students.append(Student(name, about, modules))
        return modules

    def write(self, out: Path) -> None:
        for student in self.students:
            for exercise in self.exercises:
                path = out / student.name / "exercises" / exercise.id / exercise.module
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(student.modules[exercise.id].render(), encoding="utf-8")
        rows = "\n".join(f"| `{s.name}` | {s.about} |" for s in self.students)
        (out / "README.md").write_text(README.format(exercises=", ".join(e.id for e in self.exercises), rows=rows),
                                       encoding="utf-8")


README = """\
# A synthetic class, for `make demo`

Generated by `examples/make_class.py` from the course's stubs, solutions and
known mistakes; do not edit by hand. Exercises handed in: {exercises}.
Grade it with `make demo` (`tensorlings grade examples/class --out reports`).

The `hostile_*` submissions attack the grader. Never run them outside
`tensorlings grade`: the sandbox is what contains them.

| student | what it shows |
|---|---|
{rows}
"""


def build(builder: Builder) -> None:
    b = builder
    layout, strides, numerics = "02_image_layout", "03_strides", "08_numerics"

    # -------------------------------------------------------------- honest work
    for module in b.student("ada_full_marks", "a copy of the reference solutions: full marks").values():
        module.verbatim(module.solution)

    for module in b.student("ben_partial_work", "the first half of each exercise solved, the rest untouched stubs").values():
        module.solve_first((len(module.exercise.functions) + 1) // 2)

    common = b.student("cleo_reshape_not_permute",
                       "moves axes with reshape instead of permute (known mistakes in 02)", SOLVED)
    common[layout].mistake("to_nchw", "reshape instead of permute")
    common[layout].mistake("to_nhwc", "reshape back instead of permute")
    common[layout].mistake("image_to_tensor", "reshape into channels")

    common = b.student("dev_strides_reversed",
                       "builds strides from the front and pairs them with the wrong axes (known mistakes in 03)", SOLVED)
    common[strides].mistake("contiguous_strides", "strides built from the front")
    common[strides].mistake("storage_index", "strides paired with the wrong axes")
    common[strides].mistake("is_contiguous", "demands exactly the row-major strides")

    common = b.student("emil_forgets_scaling", "converts images without scaling them (known mistakes in 02)", SOLVED)
    common[layout].mistake("image_to_float", "no scaling")
    common[layout].mistake("for_matplotlib", "keeps the single channel")
    common[layout].mistake("to_nchw", "inverse permutation")

    if b.has(numerics):
        common = b.student("fay_naive_softmax", "computes softmax and log-sum-exp the naive way (known mistakes in 08)",
                           SOLVED)
        common[numerics].mistake("stable_softmax", "naive exp")
        common[numerics].mistake("stable_logsumexp", "naive log-sum-exp")
        common[layout].mistake("add_batch_dim", "new axis at the end")

    b.student("gus_untouched_stubs", "hands in the stubs as they came: nothing started")

    # -------------------------------------------------------------- hostile submissions
    hostile = b.student("hostile_infinite_loop",
                        "to_nchw never returns (the per-call time limit stops it); the rest of 02 is solved")
    hostile[layout].solve_all().body("to_nchw", """
        # Wait for the batch to become channels-first by itself.
        steps = 0
        while True:
            steps += 1
    """)

    hostile = b.student("hostile_memory_hog",
                        "to_nhwc allocates without end (the memory limit stops it); the rest of 02 is solved")
    hostile[layout].solve_all().body("to_nhwc", """
        # Keep a copy of everything "for later": memory grows until something stops it.
        # The cap (6 GiB) only keeps an unsandboxed run from taking the machine down;
        # the sandbox's memory limit (RLIMIT_AS) stops it long before that.
        hoard = []
        while len(hoard) < 96:
            hoard.append(bytearray(b"\\x01") * (64 << 20))
        return batch.permute(0, 2, 3, 1)
    """)

    hostile = b.student("hostile_exit_at_import",
                        "sys.exit(0) when 02 is imported and os._exit(0) when 03 is imported; the functions are solved",
                        SOLVED)
    hostile[layout].prelude("sys.exit(0)  # leave before anything can be checked", imports=("import sys",))
    hostile[strides].prelude("os._exit(0)  # leave at once, skipping every cleanup", imports=("import os",))

    hostile = b.student("hostile_exit_in_function",
                        "to_nchw calls sys.exit(0) and contiguous_strides os._exit(0); the rest is solved", SOLVED)
    hostile[layout].body("to_nchw", "sys.exit(0)", imports=("import sys",))
    hostile[strides].body("contiguous_strides", "os._exit(0)", imports=("import os",))

    hostile = b.student("hostile_segfault",
                        "to_nchw reads address 0 through ctypes and crashes its process; the rest of 02 is solved")
    hostile[layout].solve_all().body("to_nchw", """
        import ctypes

        return ctypes.string_at(0, 16)  # a segmentation fault
    """)

    hostile = b.student("hostile_fork_bomb",
                        "contiguous_strides forks without end (the process limit stops it); the rest of 03 is solved")
    hostile[strides].solve_all().body("contiguous_strides", """
        import os
        import time

        # A fork bomb: every process makes more. A generation cap (at most 255 processes)
        # and a 60 s lifetime keep it survivable unsandboxed; the sandbox's process limit
        # (RLIMIT_NPROC) and the per-call time limit are what should stop it.
        generation, children = 0, 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if generation < 7 and children < 2:
                try:
                    pid = os.fork()
                except OSError:
                    time.sleep(0.01)  # the process limit said no: try again
                    continue
                if pid == 0:
                    generation, children = generation + 1, 0
                else:
                    children += 1
                continue
            time.sleep(0.05)
        if generation:
            os._exit(0)
        return ()
    """)

    hostile = b.student("hostile_monkeypatch",
                        "patches torch.testing.assert_close, torch.allclose, torch.equal, builtins and the grader's "
                        "modules at import, then hands in wrong answers (known mistakes)")
    hostile[layout].prelude("""
        # Make every comparison say "equal", hoping the checks run in this process.
        torch.testing.assert_close = lambda *args, **kwargs: None
        torch.allclose = lambda *args, **kwargs: True
        torch.equal = lambda *args, **kwargs: True
        builtins.AssertionError = type("AssertionError", (Exception,), {})
        try:
            import grader.compare
            import grader.outcomes

            grader.compare.difference = lambda *args, **kwargs: None
            grader.compare.agree = lambda *args, **kwargs: None
            grader.outcomes.Mismatch.__init__ = lambda self, *args, **kwargs: None
        except ImportError:
            pass
    """, imports=("import builtins", "import torch.testing"))
    hostile[layout].mistake("to_nchw", "reshape instead of permute")
    hostile[layout].mistake("to_nhwc", "reshape back instead of permute")
    hostile[strides].mistake("contiguous_strides", "strides built from the front")

    hostile = b.student("hostile_reads_solutions",
                        "every function looks for the course's solutions/ folder and returns its answer")
    for exercise in b.exercises:
        module = hostile[exercise.id]
        module.helper('''
            def _borrowed(name):
                """The reference solution's function, from the course's solutions/ folder, if it can be found."""
                import importlib.util
                import os
                import pathlib
                import sys

                # Wherever the course might be: above this file, above the working folder, next to
                # the virtual environment running this, or a few levels below /.
                here = pathlib.Path(__file__).resolve()
                places = [*here.parents, pathlib.Path.cwd(), *pathlib.Path.cwd().parents,
                          pathlib.Path(sys.prefix).parent, *pathlib.Path(sys.executable).resolve().parents,
                          *(pathlib.Path(os.environ[v]) for v in ("PWD", "OLDPWD", "HOME") if v in os.environ)]
                places += [p.parent for p in pathlib.Path("/").glob("*/*/solutions")]
                places += [p.parent for p in pathlib.Path("/").glob("*/solutions")]
                for place in places:
                    candidate = place / "solutions" / here.parent.name / here.name
                    if candidate.is_file():
                        spec = importlib.util.spec_from_file_location("borrowed_" + here.stem, candidate)
                        borrowed = importlib.util.module_from_spec(spec)
                        spec.loader.exec_module(borrowed)
                        return getattr(borrowed, name)
                raise NotImplementedError  # nothing to copy: hand in the stub
        ''')
        for function in exercise.functions:
            stub = module.stub.functions[function.name]
            arguments = ", ".join(_parameters(stub))
            module.body(function.name, f"return _borrowed({function.name!r})({arguments})")

    hostile = b.student("hostile_writes_reports",
                        "to_nchw tries to overwrite grades.csv and every feedback.html it can find; "
                        "then answers with a known mistake")
    hostile[layout].solve_all().body("to_nchw", """
        import pathlib

        import sys

        fake = "<html><body><h1>Full marks!</h1></body></html>"
        here = pathlib.Path(__file__).resolve()
        places = {pathlib.Path.cwd(), *pathlib.Path.cwd().parents, *here.parents, pathlib.Path(sys.prefix).parent}
        places |= {p.parent for p in pathlib.Path("/").glob("*/*/reports")}
        for place in places:
            for reports in (place / "reports", place / "REPORTS"):
                try:
                    (reports / "grades.csv").write_text("student_id,score\\nhostile_writes_reports,100\\n")
                    for folder in reports.iterdir():
                        if folder.is_dir():
                            (folder / "feedback.html").write_text(fake)
                except OSError:
                    pass
        n, h, w, c = batch.shape
        return batch.reshape(n, c, h, w)
    """)

    hostile = b.student("hostile_fake_test_report",
                        "prints a pytest report that says everything passed, at import and in to_nchw; "
                        "the answers are known mistakes")
    fake_report = textwrap.dedent('''
        print("============================= test session starts ==============================")
        print("exercises/02_image_layout/test_layout.py ................................ [100%]")
        print("============================== 31 passed in 0.42s ==============================")
        print('{"score": 13, "max_score": 13, "tests": [], "output": "all checks passed"}')
    ''')
    hostile[layout].prelude(fake_report)
    hostile[layout].body("to_nchw", fake_report + "\nreturn batch.permute(0, 2, 3, 1)\n")
    hostile[layout].mistake("to_nhwc", "reused the to_nchw order")

    hostile = b.student("hostile_gigabyte_output",
                        "to_nhwc prints a gigabyte of debug output once, then answers correctly; the rest of 02 is solved")
    hostile[layout].solve_all().prelude("_already_printed = []").body("to_nhwc", """
        if not _already_printed:
            _already_printed.append(True)
            line = "debug: " + "x" * 1016 + "\\n"  # 1 KiB
            for _ in range(1 << 20):  # 1 GiB in all: the sandbox keeps the first few KiB
                print(line, end="")
        return batch.permute(0, 2, 3, 1)
    """)

    hostile = b.student("hostile_syntax_error",
                        "02 does not parse (a missing parenthesis); 03 is solved", SOLVED)
    hostile[layout].body("to_nchw", "return batch.permute(0, 3, 1, 2\n")

    hostile = b.student("hostile_missing_package",
                        "02 imports OpenCV (cv2), which the course does not install; the first half of 03 is solved")
    hostile[layout].solve_all().prelude("import cv2  # noqa: F401  (OpenCV: not part of the course's environment)")
    hostile[strides].solve_first(2)

    hostile = b.student("hostile_wrong_types",
                        "returns a NumPy array, a list, a tensor where an int belongs, and a Tensor subclass "
                        "whose __eq__ says yes to everything")
    hostile[layout].body("to_nchw", "return batch.permute(0, 3, 1, 2).numpy()  # NumPy instead of a tensor")
    hostile[layout].prelude('''
        class _AgreeableTensor(torch.Tensor):
            """A tensor that claims to equal anything it is compared with."""

            def __eq__(self, other):
                return True

            def __ne__(self, other):
                return False

            __hash__ = torch.Tensor.__hash__

            def equal(self, other):
                return True
    ''')
    hostile[layout].body("to_nhwc", """
        n, c, h, w = batch.shape
        return torch.zeros(n, h, w, c, dtype=batch.dtype).as_subclass(_AgreeableTensor)
    """)
    hostile[strides].solve_all()
    hostile[strides].mistake("contiguous_strides", "returns a list")
    hostile[strides].body("storage_index", """
        return torch.tensor(offset + sum(i * s for i, s in zip(index, strides)))  # a tensor, not an int
    """)


# ---------------------------------------------------------------- command line


def generate(out: Path, exercises: tuple[str, ...]) -> None:
    tree = load_course(ROOT)
    present = {e.id for e in tree.manifest.exercises}
    chosen = tuple(e for e in exercises if e in present)
    if not {"02_image_layout", "03_strides"} <= set(chosen):
        raise SystemExit("the class needs exercises 02_image_layout and 03_strides in course.yml")
    builder = Builder(tree, chosen)
    build(builder)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    builder.write(out)
    for student in builder.students:   # every module but the deliberately broken one must parse
        for path in (out / student.name).rglob("*.py"):
            try:
                ast.parse(path.read_text(encoding="utf-8"))
            except SyntaxError as error:
                if student.name != "hostile_syntax_error":
                    raise SystemExit(f"{path}: generated code does not parse: {error}") from None


def same_tree(left: Path, right: Path) -> bool:
    comparison = filecmp.dircmp(left, right)
    if comparison.left_only or comparison.right_only or comparison.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(left, right, comparison.common_files, shallow=False)
    return not mismatch and not errors and all(same_tree(left / d, right / d) for d in comparison.common_dirs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "examples" / "class")
    parser.add_argument("--exercises", nargs="+", default=list(CLASS_EXERCISES),
                        help="exercise ids the class hands in (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="only report whether --out is up to date")
    parser.add_argument("--list", action="store_true", help="print the exercises the class hands in, and stop")
    args = parser.parse_args(argv)
    if args.list:
        tree = load_course(ROOT)
        print(" ".join(e.id for e in tree.manifest.exercises if e.id in args.exercises))
        return 0
    if args.check:
        with tempfile.TemporaryDirectory() as scratch:
            fresh = Path(scratch) / "class"
            generate(fresh, tuple(args.exercises))
            if not args.out.is_dir() or not same_tree(fresh, args.out):
                print(f"{args.out} is out of date: run examples/make_class.py", file=sys.stderr)
                return 1
        print(f"{args.out} is up to date")
        return 0
    generate(args.out, tuple(args.exercises))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
