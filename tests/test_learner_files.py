"""The framework's tests never read the learner's modules (docs/testing.md), and this is enforced.

- ``stub_from_solution`` and the pristine course copy stand in for the untouched stubs;
- the guard in conftest.py fails any test that opens exercises/<id>/<module>.py of the real course;
- a copy of the repository with every exercise solved passes the tests that use the real course.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.course import load_course
from tests.guard import LearnerFileGuard
from tests.helpers import REPO, learner_modules, repo_course, stub_from_solution

pytest_plugins = ["pytester"]

# Test files that use the real course (through the pristine copy), run in the solved clone. Their slow
# tests, the release and nbgrader ones (whose CLI runs happen in subprocesses) are left to `make test`.
REAL_COURSE_TESTS = ["tests/test_course.py", "tests/test_learner_files.py", "tests/grading/test_hostile.py",
                     "tests/grading/test_reports.py"]


def _body(function: ast.FunctionDef) -> list[str]:
    return [type(node).__name__ for node in function.body]


# ---------------------------------------------------------------- the untouched stub, derived


def test_a_derived_stub_keeps_signatures_and_docstrings_and_raises(tiny):
    tree = load_course(tiny)
    exercise = tree.manifest.exercise("01_scale")
    stub = stub_from_solution(tree, exercise)
    module = ast.parse(stub)
    functions = {node.name: node for node in module.body if isinstance(node, ast.FunctionDef)}
    solution = {node.name: node for node in ast.parse(tree.solution_path(exercise).read_text()).body
                if isinstance(node, ast.FunctionDef)}
    assert set(functions) == {"double", "flip_hw"}
    for name, function in functions.items():
        assert ast.unparse(function.args) == ast.unparse(solution[name].args)
        assert ast.get_docstring(function) == ast.get_docstring(solution[name])
        assert ast.unparse(function.body[-1]) == "raise NotImplementedError"
    namespace: dict = {}
    exec(compile(stub, "stub.py", "exec"), namespace)
    with pytest.raises(NotImplementedError):
        namespace["double"](1)


def test_a_derived_stub_keeps_what_is_not_listed(tiny):
    solution = tiny / "solutions" / "01_scale" / "scale.py"
    solution.write_text(solution.read_text() + "\n\nSCALE = 2  # kept\n\n\ndef helper(x):\n    return x + 1\n")
    tree = load_course(tiny)
    stub = stub_from_solution(tree, tree.manifest.exercise("01_scale"))
    assert "SCALE = 2  # kept" in stub and "    return x + 1\n" in stub


def test_a_solution_without_a_listed_function_is_reported(tiny):
    solution = tiny / "solutions" / "01_scale" / "scale.py"
    solution.write_text(solution.read_text().replace("def flip_hw(", "def flip_h_w("))
    tree = load_course(tiny)
    with pytest.raises(AssertionError, match=r"scale\.py does not define \['flip_hw'\]"):
        stub_from_solution(tree, tree.manifest.exercise("01_scale"))


def test_every_real_stub_derives_and_raises_in_every_listed_function():
    tree = repo_course()
    for exercise in tree.manifest.exercises:
        module = ast.parse(stub_from_solution(tree, exercise))
        functions = {node.name: node for node in module.body if isinstance(node, ast.FunctionDef)}
        for function in exercise.functions:
            body = _body(functions[function.name])
            assert body in (["Raise"], ["Expr", "Raise"]), f"{exercise.id} {function.name}: {body}"


def test_the_pristine_course_is_the_course_with_untouched_stubs(pristine_course):
    tree = load_course(pristine_course)
    real = repo_course()
    assert [e.id for e in tree.manifest.exercises] == [e.id for e in real.manifest.exercises]
    for exercise in tree.manifest.exercises:
        assert tree.stub_path(exercise).read_text() == stub_from_solution(real, exercise)
        assert tree.test_path(exercise).read_bytes() == real.test_path(exercise).read_bytes()
        assert tree.solution_path(exercise).read_bytes() == real.solution_path(exercise).read_bytes()
    assert (pristine_course / "data").is_dir() == (REPO / "data").is_dir()


# ---------------------------------------------------------------- the guard


def test_the_guard_watches_the_learner_modules_of_course_yml():
    expected = {str(REPO / "exercises" / e.id / e.module) for e in repo_course().manifest.exercises}
    assert {str(p) for p in learner_modules()} == expected


def test_the_guard_records_an_open_of_a_learner_module_however_it_is_named(tmp_path, monkeypatch):
    module = learner_copy_path(tmp_path)
    guard = LearnerFileGuard([module])
    monkeypatch.chdir(tmp_path)
    guard.audit("open", (os.fsencode(module), "r", 0))
    guard.audit("open", ("exercises/01_scale/../01_scale/scale.py", "r", 0))
    guard.audit("open", (str(module.parent / "test_scale.py"), "r", 0))     # the tests may be read
    guard.audit("open", (3, "r", 0))                                           # a descriptor, not a path
    guard.audit("os.listdir", (str(module.parent),))
    assert guard.take() == [os.path.realpath(module)]
    assert guard.take() == []
    message = LearnerFileGuard.message([str(module)])
    assert str(module) in message and "docs/testing.md" in message


def learner_copy_path(root: Path) -> Path:
    path = root / "exercises" / "01_scale" / "scale.py"
    path.parent.mkdir(parents=True)
    path.write_text("def double(x):\n    raise NotImplementedError\n")
    (path.parent / "test_scale.py").write_text("")
    return path


GUARDED_CONFTEST = """
from pathlib import Path

import pytest

from tests.guard import LearnerFileGuard

GUARD = LearnerFileGuard([Path(__file__).parent / "exercises" / "01_scale" / "scale.py"])


def pytest_configure(config):
    config.pluginmanager.register(GUARD, "guard")


@pytest.fixture(scope="session", autouse=True)
def learner_file_guard():
    GUARD.arm()
    return GUARD
"""

GUARDED_TESTS = """
from pathlib import Path

MODULE = Path(__file__).parent / "exercises" / "01_scale" / "scale.py"


def test_reads_the_learner_module():
    assert "double" in MODULE.read_text()


def test_reads_only_its_tests():
    assert (MODULE.parent / "test_scale.py").read_text() == ""
"""


def test_the_guard_fails_a_test_that_opens_a_learner_module_and_names_it(pytester):
    learner_copy_path(pytester.path)
    pytester.makeconftest(GUARDED_CONFTEST)
    pytester.makepyfile(test_reading=GUARDED_TESTS)
    env_path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    pytester._monkeypatch.setenv("PYTHONPATH", env_path)
    # In a child process: an audit hook, once added, stays for the life of the process.
    result = pytester.runpytest_subprocess("-p", "no:tensorlings", "-p", "no:cacheprovider", "-rf")
    result.assert_outcomes(passed=1, failed=1)
    text = result.stdout.str()
    assert "FAILED test_reading.py::test_reads_the_learner_module" in text
    assert "this test opened a learner's module" in text
    assert os.path.realpath(pytester.path / "exercises" / "01_scale" / "scale.py") in text


# ---------------------------------------------------------------- a clone with every exercise solved


def _tracked_copy(destination: Path) -> Path:
    """The tracked files, but for the learner modules: the caller writes those."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, check=True)
    skipped = set(learner_modules())
    for name in filter(None, files.stdout.split("\0")):
        source = REPO / name
        if source.is_file() and source not in skipped:   # a file deleted but not yet committed is listed too
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


@pytest.mark.slow
def test_a_clone_with_every_exercise_solved_passes_the_tests_of_the_real_course(tmp_path):
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs a git checkout to list the tracked files")
    clone = _tracked_copy(tmp_path / "clone")
    tree = repo_course()
    for exercise in tree.manifest.exercises:   # the learner's work: every module solved
        shutil.copy2(tree.solution_path(exercise), clone / "exercises" / exercise.id / exercise.module)
    env = {key: value for key, value in os.environ.items() if key not in ("TENSORLINGS_REPLAY",)}
    env["PYTHONPATH"] = str(clone)  # the clone's grader and tests, not this checkout's
    script = textwrap.dedent("""
        import sys, grader, pytest
        print("GRADER", grader.__file__)
        sys.exit(pytest.main(sys.argv[1:]))
    """)
    done = subprocess.run([sys.executable, "-c", script, *REAL_COURSE_TESTS, "-q", "-m", "not slow",
                           "-p", "no:cacheprovider"], cwd=clone, env=env, capture_output=True, text=True)
    assert f"GRADER {clone / 'grader' / '__init__.py'}" in done.stdout, done.stdout[:2000]
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-3000:]
