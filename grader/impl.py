"""What the ``submission`` and ``reference`` fixtures are bound to.

A ``Submission`` wraps a learner's module: its functions turn a stub into
*not started*, a crash into a short message at the learner's line, a broken
import into one message per function, and forbidden code into a failure
that names the rule. A ``Reference`` wraps the solution module and carries
its known mistakes. Grading replaces ``Submission`` with a proxy to a
sandboxed worker that offers the same interface (``name``, ``call``).
"""

from __future__ import annotations

import inspect
import itertools
import linecache
import traceback
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from grader.binding import Binding
from grader.compare import CallOutcome, describe_arguments, run_local
from grader.constraints import rule_breaks
from grader.guard import CallTimedOut, guarded_call
from grader.manifest import Exercise
from grader.mistakes import Mistake, import_file, load_mistakes
from grader.outcomes import Broken, CallLimit, Forbidden, Mismatch, NotStarted
from grader.results import Failure, Kind

_counter = itertools.count()
# What each learner function printed in its latest call: the plugin shows it with a failing check.
printed: dict[str, str] = {}


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it."""
    path = Path(path).resolve()
    here = Path.cwd().resolve()
    return str(path.relative_to(here)) if path.is_relative_to(here) else str(path)


class LoadedModule:
    """A module imported from a file, or the reason it could not be."""

    def __init__(self, path: Path, role: str) -> None:
        self.path = path.resolve()
        self.shown = display_path(path)
        self.module = None
        self.problem: str | None = None
        self.problem_line: int | None = None
        if not path.is_file():
            self.problem = f"{self.shown} does not exist: restore it (git checkout -- {self.shown}) or check --impl"
            return
        try:
            self.module = import_file(self.path, f"tensorlings_{role}_{next(_counter)}_{path.stem}")
        except SyntaxError as error:
            self.problem_line = error.lineno
            self.problem = (
                f"{self.shown} line {error.lineno}: SyntaxError: {error.msg}. "
                "Python could not read the file, so none of its functions can be checked: fix that line first"
            )
        except BaseException as error:  # noqa: BLE001 - anything at import time is the module's problem
            line = self.problem_line = _line_in(error, self.path)
            where = f" line {line}" if line else ""
            self.problem = (
                f"{self.shown}{where}: importing it raised {type(error).__name__}: {error}. "
                "Fix the module so it imports, then rerun"
            )

    @cached_property
    def source(self) -> str:
        return self.path.read_text(encoding="utf-8")


def crash_failure(name: str, error: BaseException, path: Path, shown: str, inputs: str) -> Failure:
    """The record of a learner's function raising ``error``, at its line of ``path`` when the traceback has one."""
    line = _line_in(error, path)
    code = linecache.getline(str(path), line).strip() if line is not None else None
    where = f" at {shown} line {line} ({code})" if line is not None else ""
    error_type = type(error).__name__
    return Failure(
        Kind.CRASH, f"{name} raised {error_type}{where}: {error}\n  for {inputs}", function=name, call=name,
        inputs=inputs, actual=f"raised {error_type}: {error}", error_type=error_type, error_message=str(error),
        file=shown if line is not None else None, line=line, code=code,
    )


def _line_in(error: BaseException, path: Path) -> int | None:
    """The last line of ``path`` in the error's traceback."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if Path(frame.filename) == path]
    return frames[-1].lineno if frames else None


# Functions whose call ran out of memory since the run loop last looked (see grader.runloop): freed
# memory does not always go back to the system, so the checks after them run in a fresh process.
exhausted: list[str] = []


class SubmittedFunction:
    """A learner's function as the checks see it."""

    def __init__(self, name: str, exercise: Exercise, loaded: LoadedModule, override: Callable | None = None,
                 *, guarded: bool = False):
        self.name = name
        self.exercise = exercise
        self.loaded = loaded
        self.override = override
        self.guarded = guarded  # a learner's run: a time limit per call, prints kept apart (see grader.guard)
        self.timed_out: Failure | None = None
        self._checked = False
        # Whether a call also works out what it did to its arguments (a copy before, a comparison after).
        # A grading worker does not: the grader works that out from what comes back, never from its word.
        self.observe = True

    def _function(self) -> Callable:
        if self.override is not None:
            return self.override
        if self.loaded.problem:
            raise Broken(Failure(Kind.BROKEN, self.loaded.problem, function=self.name, file=self.loaded.shown,
                                 line=self.loaded.problem_line))
        function = getattr(self.loaded.module, self.name, None)
        if not callable(function):
            raise Broken(
                f"{self.loaded.shown} does not define {self.name}(): course.yml expects it; "
                f"restore its stub from the lesson (exercises/{self.exercise.id}/)",
                function=self.name,
            )
        if not self._checked:
            self._check_constraints()
            self._checked = True
        return function

    def _check_constraints(self) -> None:
        if self.name not in {f.name for f in self.exercise.functions}:
            return
        broken = rule_breaks(self.loaded.source, self.name, self.exercise.function(self.name), self.loaded.shown)
        if broken:
            raise Forbidden(broken, function=self.name)

    @property
    def __signature__(self) -> inspect.Signature | None:
        try:
            return inspect.signature(self._function())
        except (Broken, Forbidden, TypeError, ValueError):
            return None

    def call(self, args: Sequence[Any], kwargs: Mapping[str, Any]) -> CallOutcome:
        function = self._function()
        if not self.guarded:
            return self._run(function, args, kwargs)
        if self.timed_out is not None:  # one wait for an endless loop is enough: its other checks end at once
            raise CallLimit(self._not_run_after_time_out())
        try:
            with guarded_call(self.exercise.function(self.name).time_limit) as output:
                try:
                    return self._run(function, args, kwargs)
                finally:
                    printed[self.name] = output.text()
        except CallTimedOut as stop:
            self.timed_out = self._timed_out(stop)
            raise CallLimit(self.timed_out) from None

    def source_text(self) -> str | None:
        """The learner's module source (None for a swapped-in known mistake, which has no file of its own)."""
        if self.override is not None or self.loaded.problem:
            return None
        return self.loaded.source

    def _timed_out(self, stop: CallTimedOut) -> Failure:
        """The record of a call stopped by the time limit, at the learner's line it was running."""
        seconds = self.exercise.function(self.name).time_limit
        line = _line_in(stop, self.loaded.path)
        code = linecache.getline(str(self.loaded.path), line).strip() if line is not None else None
        where = f", at {self.loaded.shown} line {line} ({code})" if line is not None else ""
        return Failure(
            Kind.LIMIT, f"{self.name} took longer than {seconds:g} s{where}: is there a loop that never ends? "
            "Its other checks are not run until you fix it", function=self.name, call=self.name,
            file=self.loaded.shown if line is not None else None, line=line, code=code,
        )

    def _not_run_after_time_out(self) -> Failure:
        earlier = self.timed_out
        where = f", at {earlier.file} line {earlier.line} ({earlier.code})" if earlier.line is not None else ""
        seconds = self.exercise.function(self.name).time_limit
        return Failure(
            Kind.LIMIT, f"not run: {self.name} took longer than {seconds:g} s in an earlier check{where}; "
            "fix that loop first", function=self.name, call=self.name, file=earlier.file, line=earlier.line,
            code=earlier.code,
        )

    def _run(self, function: Callable, args: Sequence[Any], kwargs: Mapping[str, Any]) -> CallOutcome:
        try:
            return run_local(function, args, kwargs) if self.observe else CallOutcome(function(*args, **kwargs))
        except NotImplementedError as error:
            if self.override is None and _line_in(error, self.loaded.path) is not None:
                raise NotStarted(
                    f"{self.name} is not started: {self.loaded.shown} still raises NotImplementedError "
                    f"(line {_line_in(error, self.loaded.path)}). Replace the TODO with your code",
                    function=self.name,
                ) from None
            raise self._crash(error, args, kwargs) from None
        except MemoryError as error:
            exhausted.append(self.name)  # the heap it grew may stay grown: the run loop starts afresh
            crash = self._crash(error, args, kwargs)
            error.__traceback__ = None  # its frames hold what filled the memory: let it go now
            crash.failure.notes.append("it asked for more memory than one check may use: is a list or tensor "
                                       "growing without end, or far larger than its inputs?")
            raise crash from None
        except Exception as error:  # noqa: BLE001 - the learner's bug, reported in their terms
            raise self._crash(error, args, kwargs) from None
        except SystemExit as error:  # sys.exit() or exit() in the learner's code ends this check, not pytest
            crash = self._crash(error, args, kwargs)
            crash.failure.notes.append("sys.exit() and exit() end the whole program: a function returns its answer")
            raise crash from None

    def _crash(self, error: BaseException, args, kwargs) -> Mismatch:
        return Mismatch(crash_failure(self.name, error, self.loaded.path, self.loaded.shown,
                                      describe_arguments(self._function(), args, kwargs)))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.call(args, kwargs).result

    def __repr__(self) -> str:
        return f"<submitted {self.name} from {self.loaded.shown}>"


class Submission(Binding):
    """The module under test. ``submission.to_nchw`` is a ``SubmittedFunction``."""

    def __init__(self, exercise: Exercise, path: Path, *, overrides: Mapping[str, Callable] | None = None,
                 guarded: bool = False):
        self.exercise = exercise
        self.loaded = LoadedModule(path, "submission")
        self.overrides = dict(overrides or {})
        self.guarded = guarded

    @property
    def path(self) -> Path:
        return self.loaded.path

    def _bind(self, name: str) -> SubmittedFunction:
        return SubmittedFunction(name, self.exercise, self.loaded, self.overrides.get(name), guarded=self.guarded)

    def _other(self, name: str) -> Any:
        if self.loaded.module is not None and hasattr(self.loaded.module, name):
            return getattr(self.loaded.module, name)  # a constant the stub provides
        return super()._other(name)

    def __repr__(self) -> str:
        return f"<your {self.loaded.shown}>"


class ReferenceFunction:
    """A solution function, with the known mistakes for it attached."""

    def __init__(self, name: str, function: Callable, mistakes: Sequence[Mistake]):
        self.name = name
        self.function = function
        self.mistakes = tuple(mistakes)
        self.__signature__ = inspect.signature(function)
        self.__name__ = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.function(*args, **kwargs)


class Reference(Binding):
    """The solution module. ``reference.to_nchw`` is a ``ReferenceFunction``."""

    def __init__(self, exercise: Exercise, solution: Path, mistakes: Path):
        self.exercise = exercise
        self.loaded = LoadedModule(solution, "reference")
        if self.loaded.problem:
            raise RuntimeError(f"the reference solution is broken: {self.loaded.problem}")
        self.mistakes = load_mistakes(mistakes, f"tensorlings_mistakes_{next(_counter)}_{exercise.id}")

    def _bind(self, name: str) -> Any:
        value = getattr(self.loaded.module, name)
        return ReferenceFunction(name, value, self.mistakes.get(name, ())) if callable(value) else value

    def _other(self, name: str) -> Any:
        return getattr(self.loaded.module, name)

    def __repr__(self) -> str:
        return "<the reference solution>"
