"""A learner release: no solution source in it, and its replayed checks still judge."""

from __future__ import annotations

import ast
import json
import re
import sys
import textwrap

import pytest

from .conftest import EXERCISE, ROOT, run

pytestmark = pytest.mark.slow


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _bodies(path):
    """Each function's body source (docstring left out), normalised."""
    source = path.read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            body = node.body[1:] if isinstance(node.body[0], ast.Expr) and isinstance(
                node.body[0].value, ast.Constant) else node.body
            yield node.name, _normalised("\n".join(ast.get_source_segment(source, s) for s in body))


def test_the_release_has_what_a_learner_needs(release, course):
    for path in ("course.yml", "pyproject.toml", "Makefile", "grader/plugin.py", "grader/replay/__init__.py",
                 "grader/codec.py",
                 f"exercises/{EXERCISE}/strides.py", f"exercises/{EXERCISE}/test_strides.py",
                 f"exercises/{EXERCISE}/.recorded/cases.tlc.gz"):
        assert (release / path).is_file(), path
    if (course.root / "exercises" / EXERCISE / "README.md").is_file():
        assert (release / "exercises" / EXERCISE / "README.md").is_file()
    assert (release / f"exercises/{EXERCISE}/strides.py").read_text() == (
        course.root / f"exercises/{EXERCISE}/strides.py").read_text()


def test_the_release_holds_no_solution_source(release):
    import yaml

    assert not (release / "solutions").exists()
    assert not [p for p in release.rglob("mistakes.py") if "grader" not in p.relative_to(release).parts]
    files = {}
    for path in release.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.name == "course.yml":  # a last hint tier may spell out a one-line answer, by design
                raw = yaml.safe_load(data)
                for exercise in raw["exercises"]:
                    for function in exercise["functions"]:
                        function.pop("hints")
                data = yaml.safe_dump(raw).encode()
            files[path] = _normalised(data.decode("utf-8", errors="replace"))
    solution = ROOT / "solutions" / EXERCISE / "strides.py"
    checked = 0
    for name, body in _bodies(solution):
        checked += 1
        found = [str(p.relative_to(release)) for p, text in files.items() if body in text]
        assert not found, f"the body of the solution's {name} is in {found}"
    for name, body in _bodies(ROOT / "solutions" / EXERCISE / "mistakes.py"):
        if len(body) >= 40:
            assert not [p for p, text in files.items() if body in text], name
    assert checked >= 5


def _learner_copies(tmp_path):
    """A correct copy of the exercise, and one copy per known mistake (the mistake's code, not a recording)."""
    solution = (ROOT / "solutions" / EXERCISE / "strides.py").read_text()
    mistakes_source = (ROOT / "solutions" / EXERCISE / "mistakes.py").read_text()
    tree = ast.parse(mistakes_source)
    imports = "\n".join(ast.get_source_segment(mistakes_source, n) for n in tree.body
                        if isinstance(n, (ast.Import, ast.ImportFrom)) and "grader" not in ast.dump(n)
                        and "__future__" not in ast.dump(n))
    copies = {"correct": solution}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or not node.decorator_list:
            continue
        call = node.decorator_list[0]
        function, name = call.args[0].value, call.args[1].value
        plain = ast.get_source_segment(mistakes_source, node)
        plain = plain[plain.index("def "):]
        copies[name] = f"{solution}\n\n{imports}\n\n{plain}\n\n{function} = {node.name}\n"
    folders = {}
    for label, text in copies.items():
        folder = tmp_path / re.sub(r"\W+", "_", label) / EXERCISE
        folder.mkdir(parents=True)
        (folder / "strides.py").write_text(text)
        folders[label] = str(folder.parent)
    return folders


def test_the_replayed_checks_pass_a_correct_copy_and_fail_each_mistake(release, tmp_path):
    folders = _learner_copies(tmp_path)
    script = textwrap.dedent(f"""
        import json, sys
        from grader.runner import run_checks
        folders = json.loads(sys.argv[1])
        out = {{}}
        for label, folder in folders.items():
            results = run_checks(["exercises/{EXERCISE}"], impl=folder)
            out[label] = [[r.function, r.status.value, r.mistake] for r in results]
        print(json.dumps(out))
    """)
    done = run([sys.executable, "-c", script, json.dumps(folders)], cwd=release)
    assert done.returncode == 0, done.stderr
    outcomes = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcomes["correct"] and all(status == "passed" for _, status, _ in outcomes["correct"])
    assert len(outcomes) >= 4
    named = 0
    for label, results in outcomes.items():
        if label == "correct":
            continue
        wrong = [r for r in results if r[1] in ("wrong", "error")]
        assert wrong, f"the mistake {label!r} passes every replayed check"
        named += label in {r[2] for r in wrong}
    # A mistake is named when its recorded output matches on the failing case; most must be.
    assert named >= (len(outcomes) - 1) * 3 // 4, f"only {named} of {len(outcomes) - 1} mistakes are named"


def test_learner_feedback_in_a_release_names_the_case_and_the_mistake(release, tmp_path):
    folders = _learner_copies(tmp_path)
    done = run([sys.executable, "-m", "pytest", f"exercises/{EXERCISE}", "-q", "-p", "no:cacheprovider",
                "--impl", folders["strides built from the front"]], cwd=release)
    assert done.returncode == 1
    assert "This looks like a known mistake, 'strides built from the front'" in done.stdout
    assert "Smallest failing example:" in done.stdout and "(the example is recorded case" in done.stdout
    assert "Traceback" not in done.stdout


def test_the_stubs_are_not_started_in_a_release(release):
    done = run([sys.executable, "-m", "pytest", f"exercises/{EXERCISE}", "-q", "-p", "no:cacheprovider"],
               cwd=release)
    assert done.returncode == 1
    assert "not started" in done.stdout and "passed" not in done.stdout.splitlines()[-1]


def test_validate_inside_a_release_proves_the_recordings_sound(release):
    done = run([sys.executable, "-m", "grader.cli", "validate"], cwd=release)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "The course is sound" in done.stdout


def test_a_release_is_not_written_over_a_course(pristine_course_copy):
    course = pristine_course_copy
    done = run([sys.executable, "-m", "grader.cli", "--course", str(course), "release", str(course)], cwd=course)
    assert done.returncode == 2
    assert "its own folders" in done.stderr


def test_a_mistake_is_excused_in_a_release_only_when_its_recording_equals_the_solutions():
    import torch

    from grader.compare import CallOutcome
    from grader.replay.recorder import _encode_outcome
    from grader.replay.replayer import RecordedTable

    def entry(result, views=()):
        return _encode_outcome(CallOutcome(result, set(), set(views)), (), {})

    same_values_other_memory = entry(torch.ones(2))
    table = RecordedTable("roundtrip", {"calls": {"k": {
        "solution": entry(torch.ones(2)),
        "mistakes": {"copy": same_values_other_memory, "wrong": entry(torch.zeros(2)),
                     "not a view": entry(torch.ones(2), views=(0,))},
    }}})
    assert table.mistake_matches_solution("copy")
    assert not table.mistake_matches_solution("wrong")
    assert not table.mistake_matches_solution("not a view")
    assert not table.mistake_matches_solution("never recorded")
