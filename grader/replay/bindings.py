"""What ``reference`` and ``submission`` are bound to when a check replays."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from grader.binding import Binding
from grader.replay import modes
from grader.replay.replayer import RecordedTable, tables
from grader.replay.store import RecordingMissing


class RecordedFunction:
    """The reference function, answered from the recording; its ``mistakes`` are recorded too.

    With ``live`` (grading, where the solution is at hand), a call the recording
    does not hold is answered by the solution itself instead of failing.
    ``recorded`` tells a check that watches what a call does (the reads it makes)
    that this one does nothing: it hands back what the function gave.
    """

    recorded = True

    def __init__(self, table: RecordedTable, live: Callable[[], Any] | None = None) -> None:
        from grader.mistakes import Mistake

        self.name = self.__name__ = table.name
        self.table = table
        self._live = live
        if table.signature is not None:
            self.__signature__ = table.signature
        self.mistakes = tuple(
            Mistake(table.name, name, explanation, _mistake_function(table, name, live))
            for name, explanation in table.mistake_info
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self.table.outcome(args, kwargs).result
        except RecordingMissing:
            if self._live is None:
                raise
            live_calls[0] += 1
            return getattr(self._live(), self.name)(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<recorded reference {self.name}>"


# How many reference answers were computed live because the recording lacked them.
live_calls = [0]


def _mistake_function(table: RecordedTable, name: str, live: Callable[[], Any] | None = None) -> Callable:
    def recorded_mistake(*args: Any, **kwargs: Any) -> Any:
        try:
            return table.outcome(args, kwargs, name, apply_mutation=True).result
        except RecordingMissing:
            if live is None:
                raise
            live_calls[0] += 1
            found = next((m for m in getattr(live(), table.name).mistakes if m.name == name), None)
            if found is None:
                raise
            return found.function(*args, **kwargs)

    recorded_mistake.__name__ = f"{table.name}_{name.replace(' ', '_')}"
    recorded_mistake.recorded = True
    return recorded_mistake


class RecordedReference(Binding):
    """What ``reference`` is in a learner release (and while grading replays recorded cases)."""

    def __init__(self, exercise, test_folder: Path, live: Callable[[], Any] | None = None,
                 mode: modes.Mode | None = None) -> None:
        self.exercise = exercise
        self._tables = tables(test_folder, mode)
        self._live = live

    def _function_names(self) -> Collection[str]:
        return self._tables

    def _bind(self, name: str) -> RecordedFunction:
        return RecordedFunction(self._tables[name], self._live)

    def _other(self, name: str) -> Any:
        if self._live is not None:
            return getattr(self._live(), name)
        raise AttributeError(
            f"the recorded reference of {self.exercise.id} has no function {name!r}: a release records "
            "only the functions course.yml lists"
        )

    @property
    def mistakes(self) -> dict:
        return {name: list(RecordedFunction(table).mistakes) for name, table in self._tables.items()}


class RecordedSubmittedFunction:
    """A submission function answered from the recording: the solution's outcome, or a mistake's."""

    recorded = True

    def __init__(self, table: RecordedTable, mistake: str | None) -> None:
        self.name = table.name
        self.table = table
        self.mistake = mistake
        self.__signature__ = table.signature

    def call(self, args, kwargs):
        from grader.compare import describe_arguments
        from grader.impl import crash_failure
        from grader.outcomes import Mismatch

        try:
            # In-place functions (normalize_) must leave their recorded changes on the caller's arguments.
            return self.table.outcome(tuple(args), dict(kwargs), self.mistake, apply_mutation=True)
        except RecordingMissing:
            raise
        except Exception as error:  # noqa: BLE001 - what the recorded function raised: it crashed, as a learner's would
            inputs = describe_arguments(self, tuple(args), dict(kwargs))
            raise Mismatch(crash_failure(self.name, error, Path("<recorded>"), "the recording", inputs)) from None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.call(args, kwargs).result


class RecordedSubmission(Binding):
    """``submission`` for ``validate`` in a release: recorded answers stand in for the solution."""

    def __init__(self, exercise, test_folder: Path, *, mistake: tuple[str, str] | None = None,
                 mode: modes.Mode | None = None) -> None:
        self.exercise = exercise
        self._tables = tables(test_folder, mode)
        self._mistake = mistake  # (function, mistake name)

    def _function_names(self) -> Collection[str]:
        return self._tables

    def _bind(self, name: str) -> RecordedSubmittedFunction:
        chosen = self._mistake[1] if self._mistake and self._mistake[0] == name else None
        return RecordedSubmittedFunction(self._tables[name], chosen)

    def _other(self, name: str) -> Any:
        raise AttributeError(name)


def recorded_reference(tree, exercise, mode: modes.Mode) -> RecordedReference:
    """The recorded reference; where the run was told to replay a course that has its solution
    (grading), calls the recording lacks are answered by the solution."""
    folder = tree.exercise_dir(exercise)
    live = None
    if Path(folder).resolve() in mode.recordings and tree.solution_path(exercise).is_file():
        live = functools.cache(lambda: _live_reference(tree, exercise))
    return RecordedReference(exercise, folder, live, mode)


def _live_reference(tree, exercise):
    from grader.impl import Reference

    return Reference(exercise, tree.solution_path(exercise), tree.mistakes_path(exercise))


def recorded_submission(tree, exercise, mistake_name: str | None = None,
                        mode: modes.Mode | None = None) -> RecordedSubmission:
    """``mistake_name`` is ``function/name`` (validate's variant) or a bare mistake name."""
    chosen = None
    if mistake_name is not None:
        recorded = tables(tree.exercise_dir(exercise), mode)
        function, _, name = mistake_name.partition("/")
        if name and function in recorded and name in {n for n, _ in recorded[function].mistake_info}:
            chosen = (function, name)
        for function, table in recorded.items():
            if chosen is None and mistake_name in {n for n, _ in table.mistake_info}:
                chosen = (function, mistake_name)
    return RecordedSubmission(exercise, tree.exercise_dir(exercise), mistake=chosen, mode=mode)


def known_mistakes(tree, exercise, mode: modes.Mode | None = None) -> dict:
    """The known mistakes by function: from mistakes.py, or from the recording in a release."""
    if modes.replays(tree, exercise, mode):
        return RecordedReference(exercise, tree.exercise_dir(exercise), mode=mode).mistakes
    from grader.mistakes import load_mistakes

    return load_mistakes(tree.mistakes_path(exercise), f"tensorlings_known_{exercise.id}")
