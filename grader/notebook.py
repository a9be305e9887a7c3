"""Running an exercise's checks inside a Jupyter notebook (nbgrader's autograder cells).

A generated notebook's test cell calls ``run_checks("03_strides",
"contiguous_strides", globals())``. The same ``@check`` tests as in the
course run with ``submission`` bound to the functions the notebook defines
and ``reference`` bound to the recorded cases shipped next to the notebook
(``tensorlings/``), so grading needs no solutions. ``quick=True`` replays
only the first few (smallest) cases of each check: the visible tests.
"""

from __future__ import annotations

import inspect
import itertools
import json
import types
from functools import cached_property
from pathlib import Path
from typing import Any

from grader.binding import Binding

SUPPORT = "tensorlings"          # the folder next to a notebook with its checks and recordings
CASES = "cases.tlc.gz"  # the recording, as grader.replay names it
EXERCISE = "exercise.json"
QUICK_CASES = 5

_counter = itertools.count()
_modules: dict[Path, types.ModuleType] = {}


class ChecksFailed(AssertionError):
    """Some checks of a notebook function did not pass; the message says which and why."""


class _NotebookCode:
    """Where a notebook function came from, shaped like ``grader.impl.LoadedModule``."""

    def __init__(self, namespace: dict, function: Any) -> None:
        code = getattr(function, "__code__", None)
        self.path = Path(code.co_filename) if code is not None else Path("<notebook>")
        self.shown = "your notebook"
        self.module = types.SimpleNamespace(**{k: v for k, v in namespace.items() if isinstance(k, str)})
        self.problem = None
        self._function = function

    @cached_property
    def source(self) -> str:
        try:
            return inspect.getsource(self._function)
        except (OSError, TypeError):
            return ""


class NotebookSubmission(Binding):
    """``submission``: the functions a notebook defined (its ``globals()``)."""

    def __init__(self, exercise, namespace: dict) -> None:
        self.exercise = exercise
        self.namespace = namespace

    def _bind(self, name: str) -> Any:
        from grader.impl import SubmittedFunction

        return SubmittedFunction(name, self.exercise, _NotebookCode(self.namespace, self.namespace.get(name)))

    def _other(self, name: str) -> Any:
        if name in self.namespace:
            return self.namespace[name]
        raise AttributeError(f"{self.exercise.id} has no function {name!r}")


def _support(folder: str | Path | None) -> Path:
    found = Path(folder) if folder is not None else Path.cwd() / SUPPORT
    if not (found / EXERCISE).is_file():
        raise FileNotFoundError(
            f"{found}: the checks for this notebook are missing. They ship in a {SUPPORT}/ folder next to "
            "the notebook; download the assignment again"
        )
    return found.resolve()


def _exercise(folder: Path):
    from grader.manifest import Exercise

    return Exercise.model_validate(json.loads((folder / EXERCISE).read_text(encoding="utf-8")))


def _test_module(folder: Path, exercise) -> types.ModuleType:
    from grader.mistakes import import_file

    if folder not in _modules:
        _modules[folder] = import_file(folder / exercise.test_file, f"tensorlings_nb_{next(_counter)}_{exercise.id}")
    return _modules[folder]


def checks_of(module: types.ModuleType, function: str) -> list:
    from grader.checks import MARKER

    found = []
    for value in vars(module).values():
        marks = getattr(value, "pytestmark", [])
        if callable(value) and any(m.name == MARKER and m.args[:1] == (function,) for m in marks):
            found.append(value)
    return found


def _devices(exercise, test) -> list[str]:
    from grader.plugin import available_devices

    devices = [d for d in available_devices() if d in exercise.devices] or ["cpu"]
    marks = {m.name for m in getattr(test, "pytestmark", [])}
    return [d for d in devices if d != "cpu"] if "gpu" in marks else devices


def run_checks(exercise_id: str, function: str, namespace: dict, *, quick: bool = False,
               folder: str | Path | None = None, verbose: bool = True) -> None:
    """Run every check of ``function`` against the notebook's definition; raise ``ChecksFailed`` if any fails.

    A function still raising NotImplementedError fails as *not started*. It returns None on
    purpose: nbgrader reads a number left as a grade cell's value as partial credit.
    """
    from grader import replay
    from grader.failures import failure_of, first_outcome, status_of
    from grader.results import Status

    support = _support(folder)
    exercise = _exercise(support)
    if exercise.id != exercise_id:
        raise FileNotFoundError(f"{support} holds the checks of {exercise.id}, not {exercise_id}")
    failures: list[str] = []
    not_started = False
    ran = 0
    # The notebook has no course around it: this run replays the recording next to the checks.
    mode = replay.Mode(recordings={support.resolve(): (support / CASES).resolve()},
                       limit=QUICK_CASES if quick else None)
    module = _test_module(support, exercise)
    tests = checks_of(module, function)
    if not tests:
        raise FileNotFoundError(f"{exercise.id} has no checks for {function}")
    submission = NotebookSubmission(exercise, namespace)
    reference = replay.RecordedReference(exercise, support, mode=mode)
    for test in tests:
        parameters = inspect.signature(test).parameters
        devices = _devices(exercise, test) if "device" in parameters else [None]
        if not devices:
            continue  # a GPU check on a machine without one
        for device in devices:
            given = {"submission": submission, "reference": reference, "device": device}
            try:
                test.run(mode, **{name: given[name] for name in parameters if name in given})
            except BaseException as error:  # noqa: BLE001 - every failure is reported, in the learner's terms
                if isinstance(error, (KeyboardInterrupt, SystemExit)):
                    raise
                where = f" on {device}" if device and status_of(first_outcome(error)) == Status.WRONG else ""
                failures.append(f"{test.__name__}{where}: {failure_of(error, function).text()}")
                if status_of(first_outcome(error)) == Status.NOT_STARTED:
                    not_started = True
                    break
            ran += 1
        if not_started:
            break
    which = "quick checks" if quick else "checks"
    if failures:
        shown = "\n\n".join(failures[:3]) + (f"\n\n(and {len(failures) - 3} more)" if len(failures) > 3 else "")
        raise ChecksFailed(f"{function}: {len(failures)} of {ran} {which} fail\n\n{shown}") from None
    if verbose:
        print(f"{function}: all {ran} {which} pass")
