"""Recording: the cases a check draws and the solution's (and each mistake's) answers."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader import codec
from grader.binding import Binding
from grader.replay import placement
from grader.replay.fingerprint import fingerprint, has_path
from grader.replay.private_files import PrivateFiles
from grader.replay.store import FILENAME, FOLDER, FORMAT, case_size, save, test_key


def recorded_test(test: Callable, argument_names: tuple[str, ...], recorder: Recorder) -> Callable:
    """``test`` wrapped to keep, in ``recorder``, the inputs of every example it passes."""
    exercise_id = Path(test.__code__.co_filename).resolve().parent.name
    key = test_key(test)

    @functools.wraps(test)
    def recording_test(*args: Any, **kwargs: Any) -> None:
        drawn = codec.dumps({name: kwargs[name] for name in argument_names})
        try:
            test(*args, **kwargs)
        finally:
            recorder.finish_pending()
        recorder.add_case(exercise_id, key, drawn)

    return recording_test


class Recorder:
    """Collects cases and reference outcomes while the checks run against the solution."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.exercises: dict[str, dict] = {}
        self._mistakes: dict[str, dict] = {}
        self._batched: dict[tuple[str, str], set[str]] = {}
        self._pending: list[tuple] = []
        self._files = PrivateFiles()

    def _exercise(self, exercise_id: str) -> dict:
        return self.exercises.setdefault(exercise_id, {"format": FORMAT, "exercise": exercise_id,
                                                       "tests": {}, "functions": {}})

    def add_case(self, exercise_id: str, key: str, drawn: bytes) -> None:
        self._exercise(exercise_id)["tests"].setdefault(key, []).append(drawn)

    def mistakes_for(self, tree, exercise) -> dict:
        if exercise.id not in self._mistakes:
            from grader.mistakes import load_mistakes

            self._mistakes[exercise.id] = load_mistakes(tree.mistakes_path(exercise), f"tensorlings_rec_{exercise.id}")
        return self._mistakes[exercise.id]

    def record(self, tree, exercise, name: str, function: Callable, args: tuple, kwargs: dict, outcome,
               *, key: str | None = None, call: tuple[str, Any] | None = None) -> None:
        """Keep ``outcome`` (the solution's) for these arguments, and each mistake's outcome on them.

        ``args`` and ``kwargs`` are the arguments as they were before the call (a copy).
        ``key`` is the arguments' fingerprint taken before the call (a function that writes
        the file it is given changes what its path names). ``call`` is ``(layout key,
        encoded (args, kwargs))`` as the function received them: grading sends every
        distinct one to a student's worker in one batch.
        """
        functions = self._exercise(exercise.id)["functions"]
        mistakes = self.mistakes_for(tree, exercise).get(name, [])
        table = functions.get(name)
        if table is None:
            table = functions[name] = {
                "signature": _describe_signature(function),
                "mistakes": [{"name": m.name, "explanation": m.explanation} for m in mistakes],
                "calls": {},
                "batch": [],
            }
        if call is not None and len(table["batch"]) < MAX_BATCH:
            seen = self._batched.setdefault((exercise.id, name), set())
            if call[0] not in seen:
                seen.add(call[0])
                table["batch"].append(call[1])
        key = key or fingerprint(args, kwargs)
        if key in table["calls"]:
            return
        after_args, after_kwargs = outcome.after() if hasattr(outcome, "after") else (args, kwargs)
        entry = {"solution": _encode_outcome(outcome, after_args, after_kwargs, []), "mistakes": {}}
        table["calls"][key] = entry
        if not (has_path(args) or has_path(kwargs)):
            # now, in the state the check set up for this call (a patched torch.cuda.is_available)
            _finish([(entry, function, args, kwargs, outcome.result, mistakes)])
            return
        # A call given files: its known mistakes (and the stand-in runs that say where outputs go) run
        # when the check's test returns, on private copies of the files. A check may be watching what
        # the call does with them (the reads an HDF5 reader makes), and only the call itself must be seen.
        args, kwargs = self._files.private((args, kwargs))
        self._pending.append((entry, function, args, kwargs, outcome.result, mistakes))

    def finish_pending(self) -> None:
        """Run the known mistakes (and the placement probes) of the calls given files, then drop the copies."""
        pending, self._pending = self._pending, []
        try:
            _finish(pending)
        finally:
            self._files.clear()

    def save(self) -> list[Path]:
        self.finish_pending()
        written = []
        for exercise_id, data in self.exercises.items():
            for cases in data["tests"].values():
                cases.sort(key=case_size)
            folder = self.out / exercise_id / FOLDER
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / FILENAME
            save(data, path)
            written.append(path)
        return written


def _finish(pending: list[tuple]) -> None:
    """Fill in each recorded call's placements and its known mistakes' outcomes."""
    from grader.compare import _clone, run_local

    for entry, function, args, kwargs, result, mistakes in pending:
        entry["solution"]["placement"] = placement.describe(function, args, kwargs, result)
        for known in mistakes:
            theirs_args, theirs_kwargs = _clone(tuple(args)), _clone(dict(kwargs))
            try:
                theirs = run_local(known.function, theirs_args, theirs_kwargs)
            except Exception as error:  # noqa: BLE001 - a mistake may crash on some inputs
                entry["mistakes"][known.name] = {"raised": f"{type(error).__name__}: {error}"[:300]}
                continue
            try:
                entry["mistakes"][known.name] = _encode_outcome(
                    theirs, theirs_args, theirs_kwargs, placement.describe(known.function, args, kwargs,
                                                                           theirs.result))
            except codec.Unsupported as error:
                # An answer plain data cannot hold (a sparse CSR tensor): replaying this mistake
                # raises, which every check of it fails, as the answer itself would.
                entry["mistakes"][known.name] = {"raised": f"Unsupported: {error} (not recordable)"[:300]}


def _describe_signature(function: Callable) -> list:
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return []
    return [
        [p.name, int(p.kind), p.default is not inspect.Parameter.empty,
         repr(p.default) if p.default is not inspect.Parameter.empty else ""]
        for p in signature.parameters.values()
    ]


def _encode_outcome(outcome, args, kwargs, placements: list[str] = ()) -> dict:
    """The outcome as plain data; ``placements`` says where each result tensor goes on replay."""
    mutated = {}
    for label in outcome.mutated:
        value = args[int(label.split()[1]) - 1] if label.startswith("argument ") else kwargs[label]
        mutated[label] = codec.dumps(value)
    return {"result": codec.dumps(outcome.result), "placement": list(placements), "mutated": mutated,
            "views": sorted(outcome.views)}


class RecordingFunction:
    """A reference or solution function that records every call it answers."""

    def __init__(self, recorder: Recorder, tree, exercise, inner, function: Callable) -> None:
        self._recorder, self._tree, self._exercise = recorder, tree, exercise
        self._inner = inner
        self._function = function
        self.name = self.__name__ = inner.name if hasattr(inner, "name") else function.__name__
        self.mistakes = getattr(inner, "mistakes", ())
        self.__signature__ = inspect.signature(function)

    def call(self, args, kwargs):
        from grader.compare import _clone, run_local

        key = fingerprint(args, kwargs)
        call = getattr(self._inner, "call", None)
        # Only what the submission receives is worth sending to a student's worker ahead of time.
        batched = _batch_entry(args, kwargs) if call is not None else None
        pristine_args, pristine_kwargs = _clone(tuple(args)), _clone(dict(kwargs))
        outcome = call(args, kwargs) if call is not None else run_local(self._function, args, kwargs)
        self._recorder.record(self._tree, self._exercise, self.name, self._function,
                              pristine_args, pristine_kwargs, _AfterCall(outcome, args, kwargs),
                              key=key, call=batched)
        return outcome

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.call(args, kwargs).result


MAX_BATCH = 4000  # distinct calls kept per function for grading's batches


def _batch_entry(args, kwargs) -> tuple[str, Any] | None:
    """``(layout key, encoded call)``, or None for a call that cannot be replayed elsewhere (a path)."""
    if has_path(args) or has_path(kwargs):
        return None
    try:
        return fingerprint(args, kwargs, layout=True), codec.dumps((tuple(args), dict(kwargs)))
    except (TypeError, ValueError, RuntimeError):
        return None


class _AfterCall:
    """An outcome whose mutated arguments are read from the call's own (changed) arguments."""

    def __init__(self, outcome, args, kwargs) -> None:
        self.result, self.mutated, self.views = outcome.result, outcome.mutated, outcome.views
        self._args, self._kwargs = args, kwargs

    def after(self):
        return self._args, self._kwargs


class Recording(Binding):
    """``reference`` or ``submission`` while recording: the real one, with its calls recorded."""

    def __init__(self, inner, tree, exercise, recorder: Recorder) -> None:
        self._inner, self._tree, self.exercise, self._recorder = inner, tree, exercise, recorder

    def _bind(self, name: str) -> RecordingFunction:
        value = getattr(self._inner, name)
        function = value._function() if hasattr(value, "call") else value.function
        return RecordingFunction(self._recorder, self._tree, self.exercise, value, function)

    def _other(self, name: str) -> Any:
        return getattr(self._inner, name)


def recording_fixture(inner, tree, exercise, recorder: Recorder):
    return Recording(inner, tree, exercise, recorder)
