"""The plugin's outcomes as a learner sees them: not started, wrong (and why), error, passed, skipped."""

from __future__ import annotations

from grader.results import Status
from grader.runner import run_checks
from tests.helpers import learner_copy, run_pytest

CORRECT = """
    def double(x):
        return x * 2

    def flip_hw(image):
        return image.transpose(-2, -1)
"""


def _statuses(results, function):
    return {r.status for r in results if r.function == function}


def _run(course, impl):
    return run_checks([course / "exercises" / "01_scale"], impl=impl)


def test_untouched_stubs_are_not_started_without_traceback_noise(tiny):
    done = run_pytest(tiny, "exercises/01_scale")
    assert done.returncode == 1, "a learner with untouched stubs must not see a green run"
    assert "not started" in done.stdout
    assert "Traceback" not in done.stdout and "NotImplementedError\n" not in done.stdout
    assert "not started" in done.stdout.splitlines()[-1]
    assert "FAILURES" not in done.stdout


def test_stub_results_are_not_started_per_function(tiny):
    results = _run(tiny, None)
    assert _statuses(results, "double") == {Status.NOT_STARTED}
    assert _statuses(results, "flip_hw") == {Status.NOT_STARTED, Status.SKIPPED}  # the GPU check skips here
    started = [r for r in results if r.status == Status.NOT_STARTED]
    assert all("still raises NotImplementedError" in r.message for r in started)


def test_a_correct_copy_passes_and_the_gpu_check_skips_with_a_reason(tiny, tmp_path):
    done = run_pytest(tiny, "exercises/01_scale", "--impl", str(learner_copy(tmp_path / "me", CORRECT)), "-rs")
    assert done.returncode == 0, done.stdout
    assert "needs a GPU (CUDA or Apple MPS) and this machine has none" in done.stdout
    assert "passed" in done.stdout.splitlines()[-1] and "1 skipped" in done.stdout.splitlines()[-1]


def test_impl_solutions_runs_the_same_tests_against_the_solutions(tiny):
    results = _run(tiny, "solutions")
    assert {r.status for r in results} == {Status.PASSED, Status.SKIPPED}


def test_each_mistake_is_caught_and_named(tiny, tmp_path):
    mistakes = {
        "double": ["x.mul_(2)", "x * x", "x + 2"],
        "flip_hw": ["image.transpose(-2, -1).contiguous()", "image.transpose(0, 1)",
                    "image.reshape(*image.shape[:-2], image.shape[-1], image.shape[-2])"],
    }
    names = {"x.mul_(2)": "in place", "x * x": "squares", "x + 2": "adds two",
             "image.transpose(-2, -1).contiguous()": "copy", "image.transpose(0, 1)": "first two axes",
             "image.reshape(*image.shape[:-2], image.shape[-1], image.shape[-2])": "reshape"}
    for function, bodies in mistakes.items():
        for body in bodies:
            source = CORRECT.replace("x * 2" if function == "double" else "image.transpose(-2, -1)", body, 1)
            copy = learner_copy(tmp_path / f"{function}_{len(body)}", source)
            results = [r for r in _run(tiny, str(copy)) if r.function == function]
            wrong = [r for r in results if r.status == Status.WRONG]
            assert wrong, f"{body} was not caught"
            assert names[body] in {r.mistake for r in wrong}, f"{body} was not named: {[r.message for r in wrong]}"


def test_a_wrong_answer_explains_itself_with_a_minimal_example(tiny, tmp_path):
    copy = learner_copy(tmp_path / "me", CORRECT.replace("image.transpose(-2, -1)", "image.transpose(0, 1)"))
    done = run_pytest(tiny, "exercises/01_scale", "--impl", str(copy))
    assert done.returncode == 1
    assert "WRONG" in done.stdout
    assert "flip_hw returned shape" in done.stdout and "expected" in done.stdout
    assert "H and W trade places" in done.stdout
    assert "known mistake, 'first two axes'" in done.stdout
    assert "Smallest failing example:" in done.stdout and "image=tensor(" in done.stdout, "the minimal failing input"
    assert "submission=" not in done.stdout, "the framework's fixtures are not part of the example"
    assert "site-packages" not in done.stdout, "no framework traceback"


def test_a_syntax_error_is_reported_per_function_with_file_and_line(tiny, tmp_path):
    copy = learner_copy(tmp_path / "me", "def double(x):\n    return x *\n\ndef flip_hw(image):\n    pass\n")
    results = _run(tiny, str(copy))
    for function in ("double", "flip_hw"):
        mine = [r for r in results if r.function == function and r.status != Status.SKIPPED]
        assert mine and all(r.status == Status.ERROR for r in mine)
        assert all("scale.py line 2: SyntaxError" in r.message for r in mine)


def test_an_import_error_and_a_missing_function_are_reported(tiny, tmp_path):
    copy = learner_copy(tmp_path / "me", "import not_a_module_anywhere\n")
    results = _run(tiny, str(copy))
    for function in ("double", "flip_hw"):
        ran = [r for r in results if r.function == function and r.status != Status.SKIPPED]
        assert ran and all(r.status == Status.ERROR for r in ran)
        assert all("line 1: importing it raised ModuleNotFoundError" in r.message for r in ran)
    copy = learner_copy(tmp_path / "me2", "def double(x):\n    return x * 2\n")
    results = _run(tiny, str(copy))
    assert _statuses(results, "double") == {Status.PASSED}
    assert _statuses(results, "flip_hw") - {Status.SKIPPED} == {Status.ERROR}
    assert any("does not define flip_hw()" in r.message for r in results)


def test_a_crash_points_at_the_learners_line(tiny, tmp_path):
    copy = learner_copy(tmp_path / "me", CORRECT.replace("return x * 2", "return x.view(-1, 7) * 2"))
    results = [r for r in _run(tiny, str(copy)) if r.function == "double" and r.status == Status.WRONG]
    assert results and any("double raised RuntimeError at" in r.message and "scale.py line 3" in r.message
                           for r in results)


def test_forbidden_names_and_loops_fail_with_the_rule(tiny, tmp_path):
    copy = learner_copy(tmp_path / "me", CORRECT.replace(
        "return image.transpose(-2, -1)",
        "order = [i for i in range(image.dim())]\n        return image.permute(*order[:-2], order[-1], order[-2])"))
    results = [r for r in _run(tiny, str(copy)) if r.function == "flip_hw" and r.status != Status.SKIPPED]
    assert results and all(r.status == Status.WRONG for r in results)
    assert "uses permute, which this exercise forbids" in results[0].message
    assert "uses a list comprehension" in results[0].message


def test_a_required_name_must_be_used(tiny, tmp_path):
    import yaml

    manifest = tiny / "course.yml"
    data = yaml.safe_load(manifest.read_text())
    data["exercises"][0]["functions"][1]["require"] = ["transpose"]
    manifest.write_text(yaml.safe_dump(data, sort_keys=False))
    copy = learner_copy(tmp_path / "me", CORRECT.replace("image.transpose(-2, -1)", "image.mT"))
    results = [r for r in _run(tiny, str(copy)) if r.function == "flip_hw" and r.status != Status.SKIPPED]
    assert results and all(r.status == Status.WRONG for r in results)
    assert "does not use transpose, which this exercise asks for" in results[0].message
    assert {r.status for r in _run(tiny, "solutions") if r.function == "flip_hw"} <= {Status.PASSED, Status.SKIPPED}


def test_several_distinct_failures_are_condensed_to_the_first_the_learner_should_read():
    from grader.failures import failure_of, first_outcome
    from grader.outcomes import Mismatch

    crash = Mismatch("flip_hw raised RuntimeError", kind="crash")
    wrong = Mismatch("flip_hw returned shape (2, 3)", kind="shape")
    chosen = first_outcome(ExceptionGroup("Hypothesis found 2 distinct failures", [crash, wrong]))
    assert chosen is crash
    assert "1 more distinct failure(s)" in chosen.failure.notes[-1]
    plain = ValueError("not ours")
    assert first_outcome(ExceptionGroup("g", [plain])).__class__ is ExceptionGroup
    assert failure_of(ExceptionGroup("g", [plain])).kind == "grader", "a framework error is never the learner's"


def test_an_untouched_stub_is_not_started_even_when_it_lacks_a_required_name(tiny):
    import yaml

    manifest = tiny / "course.yml"
    data = yaml.safe_load(manifest.read_text())
    data["exercises"][0]["functions"][1]["require"] = ["transpose"]
    manifest.write_text(yaml.safe_dump(data, sort_keys=False))
    assert _statuses(_run(tiny, None), "flip_hw") == {Status.NOT_STARTED, Status.SKIPPED}
