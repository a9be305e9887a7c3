"""The pytest plugin: fixtures, markers, Hypothesis profiles and learner-facing reports.

Registered through the ``pytest11`` entry point, so ``pytest exercises/03_strides``
works with no conftest. Tests never import the code they check: they ask for
``submission``, ``reference`` and ``device``, and this module decides what
those are bound to (``--impl``).
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

from grader.checks import MARKER, mode_of
from grader.course import CourseError, CourseTree, NoCourse, load_course
from grader.failures import failure_of, first_outcome, status_of
from grader.hypothesis_constants import keep_framework_constants_out
from grader.results import CheckResult, Failure, Status

IMPL_HELP = (
    "what the checks run against: 'exercises' (default, your own work), 'solutions', "
    "or any folder laid out like exercises/ (a student's copy)"
)
GPU_SKIP_REASON = (
    "needs a GPU (CUDA or Apple MPS) and this machine has none; "
    "it runs when the same checks are run on a GPU machine"
)

_SUPPRESSED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]
# No "explain" phase for learners: it lists framework lines, not theirs.
_LEARNER_PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]
settings.register_profile(
    "learn", max_examples=25, deadline=None, print_blob=False, suppress_health_check=_SUPPRESSED,
    phases=_LEARNER_PHASES,
)
# Grading draws with this profile from the course's secret seed (grader.grading.seed): the seed
# overrides its derandomized one, so graded cases are ones no release recorded.
settings.register_profile(
    "grade", max_examples=40, deadline=None, derandomize=True, database=None, print_blob=False,
    suppress_health_check=_SUPPRESSED, phases=_LEARNER_PHASES,
)
# A learner release records (and nbgrader ships) this profile's public, derandomized cases.
settings.register_profile("release", parent=settings.get_profile("grade"))
settings.register_profile(
    "ci", max_examples=25, deadline=None, derandomize=True, database=None, print_blob=False,
    suppress_health_check=_SUPPRESSED,
)
# Validation only needs to know that a wrong answer fails, not its smallest example.
settings.register_profile(
    "validate", parent=settings.get_profile("ci"), phases=[Phase.explicit, Phase.reuse, Phase.generate]
)

_tree_key = pytest.StashKey[CourseTree | None]()
_results_key = pytest.StashKey[list[CheckResult]]()
_profile_key = pytest.StashKey[str]()
_factory_key = pytest.StashKey[object]()
_exercise_key = pytest.StashKey[dict]()
_shown_key = pytest.StashKey[dict]()  # failure texts already shown in this run, with the check that showed each


def set_submission_factory(config: pytest.Config, factory) -> None:
    """Bind ``submission`` to ``factory(tree, exercise)`` instead of a local module (used by grading).

    The factory returns an object whose attributes are the exercise's
    functions, each with ``name`` and ``call(args, kwargs) -> CallOutcome``.
    """
    config.stash[_factory_key] = factory


def available_devices() -> list[str]:
    import torch

    devices = ["cpu"]
    if torch.cuda.is_available():
        devices.append("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        devices.append("mps")
    return devices


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tensorlings")
    group.addoption("--impl", default=None, metavar="PATH", help=IMPL_HELP)
    group.addoption(
        "--memory-limit", type=float, default=None, metavar="GIB",
        help="memory one run of the checks may add, in GiB, before your function gets a MemoryError "
        "(default: half of this machine's memory)",
    )
    group.addoption(
        "--tensorlings-variants",
        action="store_true",
        default=False,
        help="(used by `tensorlings validate`) run every check against the solution, the stub and each known mistake",
    )
    group.addoption(
        "--tensorlings-record",
        default=None,
        metavar="OUT",
        help="(used by `tensorlings release`) run the checks against the solution with the release profile and "
        "record their inputs and the reference outputs under OUT/<exercise>/",
    )


def _check_impl_option(config: pytest.Config) -> None:
    """A missing ``--impl`` folder is one usage error at the start, not a traceback in every check."""
    chosen = config.getoption("impl", None)
    if chosen in (None, "exercises", "solutions") or config.getoption("help", False):
        return
    here = Path(config.invocation_params.dir)
    if Path(here, chosen).is_dir():
        return
    first = next((arg.split("::")[0] for arg in config.args if not arg.startswith("-")), ".")
    try:
        from grader.course import find_root

        if (find_root(here / first) / chosen).is_dir():  # a path relative to the course
            return
    except CourseError:
        pass
    raise pytest.UsageError(f"--impl {chosen}: no such folder. {IMPL_HELP}")


keep_framework_constants_out()  # the cases a seed draws depend on the course, not on the framework's source


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "gpu: the check needs a CUDA or MPS device; skipped with a reason elsewhere")
    config.addinivalue_line("markers", f"{MARKER}(function): the exercise function a check belongs to")
    config.addinivalue_line(
        "markers", "in_process: the check patches torch around the learner's call; skipped in sandboxed grading")
    config.stash[_results_key] = []
    _check_impl_option(config)
    # Checks use tiny tensors, where a second thread only adds overhead (a 17 ms max(dim) became 5 us).
    # Checks run in forked children (grader.runloop), and a child cannot use CUDA once this process has
    # started it: asking whether a GPU exists must ask NVML, which starts nothing.
    os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")
    import torch

    torch.set_num_threads(1)
    # Everything imported so far (torch above all) lives for the whole run: keep it out of every full
    # garbage collection, which otherwise scans it each time (pytest sweeps once more at exit).
    gc.freeze()
    if config.getoption("hypothesis_profile", None) is None:
        profile = "validate" if config.getoption("tensorlings_variants") else ("ci" if os.environ.get("CI") else "learn")
        settings.load_profile(profile)
        config.stash[_profile_key] = profile
    from grader import replay
    from grader.checks import MODE_KEY

    recorder = None
    if config.getoption("tensorlings_record"):
        profile = config.getoption("hypothesis_profile", None) or "release"  # grading names its own
        settings.load_profile(profile)
        config.stash[_profile_key] = profile
        recorder = replay.Recorder(Path(config.getoption("tensorlings_record")))
    # Whether checks draw, record or replay is this run's own: @check reads it when a test runs.
    config.stash[MODE_KEY] = replay.for_run(recorder)
    from grader import runloop, test_modules

    if not config.pluginmanager.is_registered(test_modules):
        config.pluginmanager.register(test_modules, "tensorlings-test-modules")
    # Checks run in a forked child (grader.runloop): `-p no:tensorlings-fork` blocks it by name.
    if not config.pluginmanager.is_registered(runloop) and not config.pluginmanager.is_blocked(runloop.PLUGIN_NAME):
        config.pluginmanager.register(runloop, runloop.PLUGIN_NAME)


def _course(config: pytest.Config, path: Path) -> CourseTree | None:
    """The course around ``path`` (a test file), loaded once per run; None outside any course."""
    if config.stash.get(_tree_key, None) is None:
        try:
            config.stash[_tree_key] = load_course(path.parent)
        except NoCourse:
            return None
        except CourseError as error:
            raise pytest.UsageError(str(error)) from None
    return config.stash[_tree_key]


def _exercise_of(item_or_request) -> tuple[CourseTree, object]:
    config = item_or_request.config
    path = Path(item_or_request.path if hasattr(item_or_request, "path") else item_or_request.fspath)
    tree = _course(config, path)
    known = config.stash.setdefault(_exercise_key, {})  # resolving paths for every test adds up
    if str(path) not in known:
        known[str(path)] = tree.exercise_for_path(path) if tree else None
    exercise = known[str(path)]
    if exercise is None:
        raise pytest.UsageError(
            f"{path}: this test asks for tensorlings fixtures but is not inside an exercise folder listed in course.yml"
        )
    return tree, exercise


def impl_root(config: pytest.Config, tree: CourseTree) -> Path:
    """The folder laid out like exercises/ that ``submission`` is loaded from."""
    chosen = config.getoption("impl")
    if chosen is None:
        return tree.exercises_dir
    candidate = Path(chosen)
    if not candidate.is_absolute() and (tree.root / chosen).is_dir():
        candidate = tree.root / chosen  # 'solutions' means this course's solutions, wherever pytest runs
    if (candidate / "exercises").is_dir():
        candidate = candidate / "exercises"
    if not candidate.is_dir():
        raise pytest.UsageError(f"--impl {chosen}: no such folder. {IMPL_HELP}")
    return candidate


# ---------------------------------------------------------------- fixtures


def _variants(config: pytest.Config, tree: CourseTree, exercise, function: str) -> list[str]:
    from grader.replay import known_mistakes

    mistakes = known_mistakes(tree, exercise, mode_of(config))
    return ["solution", "stub"] + [variant_name(m) for m in mistakes.get(function, [])]


def variant_name(mistake) -> str:
    """The validate variant that swaps in one known mistake; names are unique per function."""
    return f"mistake:{mistake.function_name}/{mistake.name}"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker(MARKER)
    if "device" in metafunc.fixturenames:
        tree, exercise = _exercise_of(metafunc.definition)
        devices = [d for d in available_devices() if d in exercise.devices]
        if metafunc.config.getoption("tensorlings_record"):
            devices = ["cpu"]  # recordings are made on the CPU; replay moves outputs to the inputs' device
        metafunc.parametrize("device", devices, scope="module")
    if marker and "submission" in metafunc.fixturenames and metafunc.config.getoption("tensorlings_variants"):
        tree, exercise = _exercise_of(metafunc.definition)
        metafunc.parametrize("submission", _variants(metafunc.config, tree, exercise, marker.args[0]), indirect=True, scope="module")


@pytest.fixture(scope="module")
def submission(request: pytest.FixtureRequest):
    """The module under test: the learner's, the solution, a student's copy, or a sandboxed worker."""
    tree, exercise = _exercise_of(request)
    factory = request.config.stash.get(_factory_key, None)
    if factory is not None:
        return factory(tree, exercise)
    return _submission(request.config, tree, exercise, getattr(request, "param", None))


def _submission(config: pytest.Config, tree: CourseTree, exercise, variant: str | None):
    """``submission`` in this process: by the run's mode, then by validate's variant (None: --impl)."""
    from grader import replay
    from grader.impl import Submission

    mode = mode_of(config)
    if mode.recorder is not None:
        solution = Submission(exercise, tree.solution_path(exercise))
        return replay.recording_fixture(solution, tree, exercise, mode.recorder)
    if variant is None:
        return Submission(exercise, impl_root(config, tree) / exercise.id / exercise.module, guarded=True)
    if variant == "stub":
        return Submission(exercise, tree.stub_path(exercise), guarded=True)
    if mode.replays(tree, exercise):  # a release: recorded answers stand in for the solution
        mistake = None if variant == "solution" else variant.removeprefix("mistake:")
        return replay.recorded_submission(tree, exercise, mistake, mode)
    if variant == "solution":
        return Submission(exercise, tree.solution_path(exercise), guarded=True)
    from grader.mistakes import load_mistakes

    mistakes = load_mistakes(tree.mistakes_path(exercise), f"tensorlings_variant_{exercise.id}")
    chosen = next(m for ms in mistakes.values() for m in ms if variant_name(m) == variant)
    return Submission(exercise, tree.solution_path(exercise), overrides={chosen.function_name: chosen.function},
                      guarded=True)


@pytest.fixture(scope="module")
def reference(request: pytest.FixtureRequest):
    """The reference solution, with its known mistakes attached (recorded answers in a release)."""
    from grader import replay
    from grader.impl import Reference

    tree, exercise = _exercise_of(request)
    mode = mode_of(request.config)
    if mode.replays(tree, exercise):
        return replay.recorded_reference(tree, exercise, mode)
    found = Reference(exercise, tree.solution_path(exercise), tree.mistakes_path(exercise))
    return found if mode.recorder is None else replay.recording_fixture(found, tree, exercise, mode.recorder)


# ---------------------------------------------------------------- running and reporting


IN_PROCESS_SKIP_REASON = (
    "this check changes torch inside the checking process (monkeypatch), which a sandboxed grading "
    "worker cannot see; the function's other checks grade it"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A check's failure is shown as its record (see pytest_runtest_makereport), so pytest's long
    traceback, which reads each frame's source file, is never needed: skip building it."""
    for item in items:
        if item.get_closest_marker(MARKER) is None:
            continue

        def repr_failure(excinfo, _item=item):
            return failure_of(excinfo.value, _function_of(_item)).text()

        item.repr_failure = repr_failure


def pytest_runtest_setup(item: pytest.Item) -> None:
    from grader.impl import printed

    printed.clear()
    if item.get_closest_marker("gpu") and available_devices() == ["cpu"]:
        pytest.skip(GPU_SKIP_REASON)
    _start_cuda_before_the_learners_call(item)
    if item.get_closest_marker("in_process") and item.config.stash.get(_factory_key, None) is not None:
        pytest.skip(IN_PROCESS_SKIP_REASON)


def _start_cuda_before_the_learners_call(item: pytest.Item) -> None:
    """Starting CUDA takes a second or more: done here, it never counts against the learner's time limit."""
    callspec = getattr(item, "callspec", None)
    wants_cuda = item.get_closest_marker("gpu") is not None or (callspec and callspec.params.get("device") == "cuda")
    if wants_cuda and "cuda" in available_devices():
        import torch

        torch.cuda.init()


def _function_of(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker(MARKER)
    return marker.args[0] if marker else None


def _failing_functions(config: pytest.Config, exercise_id: str) -> set[str]:
    return {r.function for r in collected_results(config)
            if r.exercise == exercise_id and r.status in (Status.WRONG, Status.ERROR) and r.variant is None}


def _blame_a_failing_helper(item: pytest.Item, function: str, failure: Failure) -> None:
    """When ``function`` calls another of the learner's functions that already failed its own checks,
    say to fix that one first, and name no mistake of the caller: the helper is the likelier cause."""
    submission = getattr(item, "funcargs", {}).get("submission")
    learner_function = getattr(submission, function, None) if submission is not None else None
    source_text = getattr(learner_function, "source_text", None)
    if source_text is None:
        return
    _, exercise = _exercise_of(item)
    from grader.blame import helpers_called

    failing = _failing_functions(item.config, exercise.id)
    names = [f.name for f in exercise.functions]
    helper = next((h for h in helpers_called(source_text(), function, names) if h in failing), None)
    if helper is not None:
        failure.caused_by = helper
        failure.mistake = None


def _add_printed_output(failure: Failure) -> None:
    from grader.impl import printed

    text = printed.get(failure.function or "", "")
    note = f"{failure.function} printed, in its last call:\n" + "\n".join("    " + line for line in text.splitlines())
    if text and note not in failure.notes:
        failure.notes.append(note)


class _Crash:
    def __init__(self, message: str) -> None:
        self.message = message


class FailureRepr:
    """How pytest shows a failed check: the record's text in the failures section, and its first line in
    the short summary (``reprcrash.message``) so that section stays one line a check.

    A text already shown for another check (a module that does not import fails every check alike) is
    named, not repeated: ``shown`` maps each text to the first check that showed it, for the whole run.
    """

    def __init__(self, failure: Failure, shown: dict[str, str] | None = None, check: str = "") -> None:
        self.failure = failure
        self.shown = shown
        self.check = check
        self.reprcrash = _Crash(failure.summary.splitlines()[0] if failure.summary else "")

    def toterminal(self, tw) -> None:
        text = self.failure.text()
        first = self.shown.setdefault(text, self.check) if self.shown is not None else self.check
        if first != self.check:
            tw.line(f"the same as for {first} above")
            return
        for line in text.splitlines():
            tw.line(line)

    def __str__(self) -> str:
        return self.failure.text()


def failure_repr(item: pytest.Item, failure: Failure) -> FailureRepr:
    return FailureRepr(failure, item.config.stash.setdefault(_shown_key, {}), item.name)


@pytest.hookimpl(wrapper=True, tryfirst=True)  # outermost: runs after Hypothesis adds its report sections
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    function = _function_of(item)
    if function is None:
        return report
    # Hypothesis's "reproduce with @seed(...)" section names framework machinery, not the learner's code
    report.sections = [section for section in report.sections if not section[0].startswith("Hypothesis")]
    status, failure, skip_reason = None, None, None
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        if call.excinfo is not None and not report.skipped:
            error = call.excinfo.value
            failure = failure_of(error, function)
            status = status_of(first_outcome(error))
        elif report.skipped:
            status = Status.SKIPPED
            skip_reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else None
        else:
            status = Status.PASSED
    if status is None:
        return report
    if failure is not None and status == Status.WRONG:
        _blame_a_failing_helper(item, function, failure)
    if failure is not None:
        _add_printed_output(failure)
        report.longrepr = failure_repr(item, failure)  # the explanation alone: no framework traceback
    if status == Status.NOT_STARTED:
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, failure.text() if failure else "")
    report.tensorlings_status = status.value
    report.user_properties.append(("tensorlings", {"function": function, "status": status.value,
                                                   "failure": failure.to_json() if failure else None}))
    callspec = getattr(item, "callspec", None)
    variant = callspec.params.get("submission") if callspec else None
    tree, exercise = _exercise_of(item)
    item.config.stash[_results_key].append(
        CheckResult(exercise.id, function, item.nodeid, status, failure, variant, report.duration, skip_reason)
    )
    return report


def pytest_report_teststatus(report, config):
    status = getattr(report, "tensorlings_status", None)
    if status == Status.NOT_STARTED.value:
        return "not started", "n", ("NOT STARTED", {"yellow": True})
    if status == Status.WRONG.value and report.when == "call":
        return "failed", "F", ("WRONG", {"red": True})
    if status == Status.ERROR.value:
        return "failed", "E", ("ERROR", {"red": True})
    if status == Status.GRADER_ERROR.value:
        return "failed", "E", ("GRADER ERROR", {"red": True})
    return None


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    if config.getoption("tensorlings_variants"):
        return None
    try:
        # the course of the first path asked for, wherever pytest was started
        first = next((arg.split("::")[0] for arg in config.args if not arg.startswith("-")), ".")
        tree = _course(config, Path(config.invocation_params.dir, first) / "course.yml")
    except pytest.UsageError:
        return None
    if tree is None:
        return None
    impl = config.getoption("impl") or "exercises"
    profile = config.stash.get(_profile_key, "as set by --hypothesis-profile")
    return [f"tensorlings: checking {impl}/ with Hypothesis profile {profile}; devices: {', '.join(available_devices())}"]


def collected_results(config: pytest.Config) -> list[CheckResult]:
    return config.stash.get(_results_key, [])


def reset_results(config: pytest.Config) -> None:
    """Forget the records so far: a grading process runs one collected session again for each student."""
    config.stash[_results_key] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    recorder = mode_of(session.config).recorder
    if recorder is not None and exitstatus == 0:
        recorder.save()
    results = collected_results(session.config)
    if exitstatus == 0 and any(r.status == Status.NOT_STARTED and r.variant is None for r in results):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    results = [r for r in collected_results(config) if r.variant is None]
    if not results:
        return
    from grader.terminal import print_function_table

    tree = config.stash.get(_tree_key, None)
    print_function_table(tree, results, terminalreporter)
