"""Recorded cases: how a learner release checks work without solutions.

A release records, for each check, the inputs the ``grade`` profile draws,
every output of the reference solution on them, and what each known mistake
gives on the same inputs. In a course whose root has no ``solutions/``
folder, ``@check`` replays those cases through the very same test functions
instead of drawing new inputs, and the ``reference`` fixture looks its
answers up in the recording.

Recordings are plain data (tensors, numbers, strings, lists and dicts),
written and read with ``grader.codec``: a release never unpickles code. Each
recorded value is a frame of its own inside the recording, so every replay
decodes fresh tensors from it. An output is keyed by a fingerprint of its
arguments' dtypes, shapes and values (not their memory layout or device), so
the same call made while replaying finds it.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import inspect
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from grader import codec

FORMAT = 2
FOLDER = ".recorded"
FILENAME = "cases.tlc.gz"
ENV = "TENSORLINGS_REPLAY"  # "1" replays wherever recordings exist, "0" never replays

# Folders (holding a test file) whose recordings live somewhere else: notebooks.
_forced: dict[Path, Path] = {}
# At most this many cases per check (the notebooks' quick visible checks); None: all.
_limit: int | None = None
_recorder: Recorder | None = None


class RecordingMissing(AssertionError):
    """A check asked for a reference output that the release did not record."""


# ---------------------------------------------------------------- where recordings live


def cases_path(test_folder: Path) -> Path:
    """The recording for the tests in ``test_folder``."""
    folder = Path(test_folder).resolve()
    return _forced.get(folder) or folder / FOLDER / FILENAME


def _course_root(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if (candidate / "course.yml").is_file():
            return candidate
    return None


def replays_folder(test_folder: Path) -> bool:
    """Whether the checks in ``test_folder`` replay recorded cases."""
    setting = os.environ.get(ENV)
    if setting == "0" or _recorder is not None:
        return False
    folder = Path(test_folder).resolve()
    if folder in _forced:
        return True
    if not cases_path(folder).is_file():
        return False
    if setting == "1":
        return True
    root = _course_root(folder)
    return root is not None and not (root / "solutions").is_dir()


def active(test: Callable | None = None) -> bool:
    """True inside a learner release: recorded cases replace generated ones."""
    if test is None:
        return False
    return replays_folder(Path(test.__code__.co_filename).parent)


def replays(tree, exercise) -> bool:
    """Whether ``exercise`` of this course replays (the fixtures ask this)."""
    return replays_folder(tree.exercise_dir(exercise))


@contextmanager
def forced(test_folder: Path, recording: Path, *, limit: int | None = None) -> Iterator[None]:
    """Replay ``recording`` for the tests in ``test_folder`` (a notebook has no course around it)."""
    global _limit
    folder = Path(test_folder).resolve()
    previous_limit, previous = _limit, _forced.get(folder)
    _forced[folder] = Path(recording).resolve()
    _limit = limit
    try:
        yield
    finally:
        _limit = previous_limit
        if previous is None:
            _forced.pop(folder, None)
        else:
            _forced[folder] = previous


def test_key(test: Callable) -> str:
    return f"{Path(test.__code__.co_filename).name}::{test.__qualname__}"


# ---------------------------------------------------------------- plain data


def _is_pil(value: Any) -> bool:
    return type(value).__module__.startswith("PIL") and hasattr(value, "mode") and hasattr(value, "tobytes")


def _numpy():
    import numpy as np

    return np


def _size(frame: bytes) -> int:
    """How big a recorded value is: replay tries small cases first, so a failure shows a small one."""
    return len(frame)


# ---------------------------------------------------------------- fingerprints


MAX_PATH_FILES = 1000


def _names_path(value: Any) -> bool:
    """A ``PathLike``, or a ``str`` that is an absolute path (a check's temporary file or folder)."""
    if isinstance(value, os.PathLike):
        return True
    return isinstance(value, str) and len(value) < 4096 and "\0" not in value and os.path.isabs(value)


def _feed_path(digest, value: Any) -> None:
    """A path by what it names: a file's bytes, a folder's names and bytes, else its basename.

    Checks pass fresh temporary folders, so the same case has a new path on every run.
    """
    kind = "str" if isinstance(value, str) else "path"
    path = Path(os.fspath(value))
    try:
        if path.is_file():
            digest.update(f"{kind}:file(".encode())
            digest.update(path.read_bytes())
            digest.update(b")")
            return
        if path.is_dir():
            digest.update(f"{kind}:dir(".encode())
            names = sorted(p for p in path.rglob("*"))[:MAX_PATH_FILES]
            for item in names:
                digest.update(f"{item.relative_to(path).as_posix()}{'/' if item.is_dir() else ''};".encode())
                if item.is_file():
                    digest.update(item.read_bytes())
            digest.update(b")")
            return
    except OSError:
        pass
    digest.update(f"{kind}:missing:{path.name};".encode())


def _feed(digest, value: Any, layout: bool = False) -> None:
    import torch

    np = _numpy()
    if isinstance(value, torch.Tensor):
        tensor = value.detach()
        digest.update(f"T{str(tensor.dtype)}{tuple(tensor.shape)}".encode())
        if layout:
            grad = value.grad if value.is_leaf else None
            digest.update(f"L{type(value).__name__}{tensor.device}{tensor.layout}{value.requires_grad}"
                          f"{value.is_leaf}{grad is not None}".encode())
            if tensor.layout == torch.strided:
                digest.update(f"{tensor.stride()}{tensor.storage_offset()}{tensor.untyped_storage().nbytes()}"
                              .encode())
            if grad is not None:
                _feed(digest, grad, layout)
        if tensor.device.type != "meta" and tensor.layout == torch.strided:
            flat = tensor.cpu().contiguous().reshape(-1)
            if flat.dtype in (torch.bfloat16, torch.float16):
                flat = flat.view(torch.int16)
            elif flat.is_complex() or flat.dtype not in _NUMPY_SAFE:
                flat = flat.to(torch.float64) if not flat.is_complex() else torch.view_as_real(flat)
            digest.update(flat.numpy().tobytes())
    elif isinstance(value, np.ndarray):
        digest.update(f"A{value.dtype.str}{value.shape}".encode())
        if layout:
            digest.update(f"L{value.strides}{value.flags.writeable}".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    elif _is_pil(value):
        digest.update(f"P{value.mode}{value.size}".encode())
        digest.update(value.tobytes())
    elif isinstance(value, torch.device):
        digest.update(b"D")  # outputs are recorded on the CPU and follow the inputs' device
    elif isinstance(value, (tuple, list, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        digest.update(f"{type(value).__name__}{len(items)}(".encode())
        for item in items:
            _feed(digest, item, layout)
        digest.update(b")")
    elif isinstance(value, dict):
        digest.update(f"dict{len(value)}(".encode())
        for key, item in value.items():
            _feed(digest, key, layout)
            _feed(digest, item, layout)
        digest.update(b")")
    elif _names_path(value):
        _feed_path(digest, value)
    else:
        digest.update(f"{type(value).__name__}:{value!r};".encode())


def _numpy_safe():
    import torch

    return {torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64,
            torch.float32, torch.float64}


class _LazySet:
    def __contains__(self, item):
        return item in _numpy_safe()


_NUMPY_SAFE = _LazySet()


def fingerprint(args: tuple, kwargs: dict, *, layout: bool = False) -> str:
    """A stable key for a call's arguments: dtypes, shapes and values, not layout or device.

    Paths count by what they name (see ``_feed_path``). With ``layout``, strides, storage
    offset, device and autograd state count too: two calls with the same key then get
    the same answer from any function, however it inspects its inputs.
    """
    digest = hashlib.sha256()
    _feed(digest, tuple(args), layout)
    _feed(digest, dict(sorted(kwargs.items())), layout)
    return digest.hexdigest()[:32]


def has_path(value: Any) -> bool:
    """Whether ``value`` holds a path (which names a temporary file only while its check runs)."""
    if isinstance(value, (tuple, list, set, frozenset)):
        return any(has_path(item) for item in value)
    if isinstance(value, dict):
        return any(has_path(k) or has_path(v) for k, v in value.items())
    return _names_path(value)


# ---------------------------------------------------------------- reading recordings


@functools.lru_cache(maxsize=32)
def _load(path: str, mtime: float) -> dict:
    try:
        with gzip.open(path, "rb") as handle:
            frame = handle.read(codec.MAX_BYTES + 1)
        data = codec.loads(frame)
    except (OSError, EOFError, codec.CodecError) as error:
        raise RuntimeError(f"{path} is not a readable recording ({error}); rebuild the release") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RuntimeError(f"{path}: recorded with another version of tensorlings; rebuild the release")
    return data


def load_cases(test_folder: Path) -> dict:
    path = cases_path(test_folder)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: this release has no recorded cases for these checks. "
            "Restore the file, or rebuild the release with `tensorlings release`"
        )
    return _load(str(path), path.stat().st_mtime)


def _device_of(values: Any) -> Any:
    import torch

    if isinstance(values, torch.Tensor):
        return values.device if values.device.type not in ("cpu", "meta") else None
    if isinstance(values, (list, tuple)):
        for value in values:
            found = _device_of(value)
            if found is not None:
                return found
    if isinstance(values, dict):
        return _device_of(list(values.values()))
    return None


def _to_device(value: Any, device) -> Any:
    import torch

    if device is None:
        return value
    if isinstance(value, torch.Tensor):
        return value.to(device)
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        return type(value)(_to_device(item, device) for item in value)
    if isinstance(value, dict):
        return {key: _to_device(item, device) for key, item in value.items()}
    return value


def _describe_call(name: str, signature, args, kwargs) -> str:
    from grader.compare import describe_arguments

    class _Signed:
        __signature__ = signature

    return f"{name}({describe_arguments(_Signed() if signature else None, args, kwargs)})"


class _Default:
    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _signature(recorded: list) -> inspect.Signature | None:
    try:
        return inspect.Signature([
            inspect.Parameter(name, inspect._ParameterKind(kind),
                              default=_Default(default) if has_default else inspect.Parameter.empty)
            for name, kind, has_default, default in recorded
        ])
    except (TypeError, ValueError):
        return None


class RecordedTable:
    """One function's recorded calls: the reference's outcome and each mistake's, by argument key."""

    def __init__(self, name: str, data: dict) -> None:
        self.name = name
        self.calls: dict[str, dict] = data["calls"]
        self.signature = _signature(data.get("signature", []))
        self.mistake_info = [(m["name"], m["explanation"]) for m in data.get("mistakes", [])]

    def entry(self, args: tuple, kwargs: dict, variant: str | None) -> dict:
        found = self.calls.get(fingerprint(args, kwargs))
        if found is None:
            raise RecordingMissing(
                f"no recorded answer for {_describe_call(self.name, self.signature, args, kwargs)}: this "
                "release recorded the inputs its checks draw, and this call was not among them. If you "
                "changed a test, rebuild the release (`tensorlings release`) where solutions/ is present"
            )
        return found["solution"] if variant is None else found["mistakes"][variant]

    def mistake_matches_solution(self, mistake: str) -> bool:
        """Whether ``mistake``'s recorded outcome equals the solution's on every recorded call."""
        from grader.compare import difference

        for entry in self.calls.values():
            theirs, ours = entry["mistakes"].get(mistake), entry["solution"]
            if theirs is None or "raised" in theirs or "raised" in ours:
                return False
            if set(theirs["mutated"]) != set(ours["mutated"]) or set(theirs["views"]) != set(ours["views"]):
                return False
            if difference(codec.loads(theirs["result"]), codec.loads(ours["result"])) is not None:
                return False
        return bool(self.calls)

    def outcome(self, args: tuple, kwargs: dict, variant: str | None = None, *, apply_mutation: bool = False):
        """The recorded ``CallOutcome`` for these arguments (raises what the function raised)."""
        from grader.compare import CallOutcome

        entry = self.entry(args, kwargs, variant)
        if "raised" in entry:
            raise _recorded_error(entry["raised"])
        device = _device_of((args, kwargs))
        if apply_mutation:
            for label, after in entry["mutated"].items():
                target = args[int(label.split()[1]) - 1] if label.startswith("argument ") else kwargs[label]
                _overwrite(target, codec.loads(after))
        return CallOutcome(_to_device(codec.loads(entry["result"]), device), set(entry["mutated"]), set(entry["views"]))


def _recorded_error(text: str) -> RuntimeError:
    """What a recorded function raised, as a RuntimeError whose type name is the original's."""
    name = text.split(":", 1)[0].strip()
    kind = type(name, (RuntimeError,), {}) if name.isidentifier() else RuntimeError
    return kind(f"(recorded) {text}")


def _overwrite(target: Any, value: Any) -> None:
    import torch

    if isinstance(target, torch.Tensor):
        with torch.no_grad():
            target.copy_(value)
    elif hasattr(target, "shape"):
        target[...] = value


def tables(test_folder: Path) -> dict[str, RecordedTable]:
    data = load_cases(test_folder)
    return {name: RecordedTable(name, table) for name, table in data["functions"].items()}


# ---------------------------------------------------------------- replaying a check


def replaying(test: Callable, function: str, argument_names: tuple[str, ...]) -> Callable:
    """``test`` run once per recorded case, with the recorded inputs as its strategy arguments.

    Fixtures still arrive from pytest: the signature is the test's own minus
    the strategy arguments, as Hypothesis's ``@given`` leaves it. Cases run
    smallest first, so the first failure is a small example.
    """
    folder = Path(test.__code__.co_filename).resolve().parent
    key = test_key(test)
    signature = inspect.signature(test)
    kept = [p for name, p in signature.parameters.items() if name not in argument_names]

    @functools.wraps(test)
    def replayed(*args: Any, **kwargs: Any) -> None:
        cases = load_cases(folder)["tests"].get(key)
        if cases is None:
            raise RecordingMissing(
                f"{key} has no recorded cases: the release was built from other checks. "
                "Rebuild it with `tensorlings release` where solutions/ is present"
            )
        chosen = cases if _limit is None else cases[:_limit]
        for number, case in enumerate(chosen, start=1):
            drawn = codec.loads(case)
            try:
                test(*args, **kwargs, **drawn)
            except Exception as error:
                if argument_names:
                    from grader.compare import describe

                    shown = ", ".join(f"{name}={describe(value)}" for name, value in codec.loads(case).items())
                    error.add_note(f"Falsifying example (recorded case {number} of {len(chosen)}): "
                                   f"{test.__name__}({shown})")
                raise

    del replayed.__wrapped__  # pytest must see the signature below, not the test's
    replayed.__signature__ = signature.replace(parameters=kept)
    replayed.tensorlings_replayed = True
    return replayed


# ---------------------------------------------------------------- what the fixtures are bound to


class RecordedFunction:
    """The reference function, answered from the recording; its ``mistakes`` are recorded too.

    With ``live`` (grading, where the solution is at hand), a call the recording
    does not hold is answered by the solution itself instead of failing.
    """

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
    return recorded_mistake


class RecordedReference:
    """What ``reference`` is in a learner release (and while grading replays recorded cases)."""

    def __init__(self, exercise, test_folder: Path, live: Callable[[], Any] | None = None) -> None:
        self.exercise = exercise
        self._tables = tables(test_folder)
        self._live = live

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._tables:
            return RecordedFunction(self._tables[name], self._live)
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

    def __init__(self, table: RecordedTable, mistake: str | None) -> None:
        self.name = table.name
        self.table = table
        self.mistake = mistake
        self.__signature__ = table.signature

    def call(self, args, kwargs):
        # In-place functions (normalize_) must leave their recorded changes on the caller's arguments.
        return self.table.outcome(tuple(args), dict(kwargs), self.mistake, apply_mutation=True)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.call(args, kwargs).result


class RecordedSubmission:
    """``submission`` for ``validate`` in a release: recorded answers stand in for the solution."""

    def __init__(self, exercise, test_folder: Path, *, mistake: tuple[str, str] | None = None) -> None:
        self.exercise = exercise
        self._tables = tables(test_folder)
        self._mistake = mistake  # (function, mistake name)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self._tables:
            raise AttributeError(name)
        chosen = self._mistake[1] if self._mistake and self._mistake[0] == name else None
        return RecordedSubmittedFunction(self._tables[name], chosen)


def recorded_reference(tree, exercise) -> RecordedReference:
    """The recorded reference; where replay is forced on a course that has its solution
    (grading), calls the recording lacks are answered by the solution."""
    folder = tree.exercise_dir(exercise)
    live = None
    if Path(folder).resolve() in _forced and tree.solution_path(exercise).is_file():
        live = functools.cache(lambda: _live_reference(tree, exercise))
    return RecordedReference(exercise, folder, live)


def _live_reference(tree, exercise):
    from grader.impl import Reference

    return Reference(exercise, tree.solution_path(exercise), tree.mistakes_path(exercise))


def recorded_submission(tree, exercise, mistake_name: str | None = None) -> RecordedSubmission:
    """``mistake_name`` is ``function/name`` (validate's variant) or a bare mistake name."""
    chosen = None
    if mistake_name is not None:
        recorded = tables(tree.exercise_dir(exercise))
        function, _, name = mistake_name.partition("/")
        if name and function in recorded and name in {n for n, _ in recorded[function].mistake_info}:
            chosen = (function, name)
        for function, table in recorded.items():
            if chosen is None and mistake_name in {n for n, _ in table.mistake_info}:
                chosen = (function, mistake_name)
    return RecordedSubmission(exercise, tree.exercise_dir(exercise), mistake=chosen)


def known_mistakes(tree, exercise) -> dict:
    """The known mistakes by function: from mistakes.py, or from the recording in a release."""
    if replays(tree, exercise):
        return RecordedReference(exercise, tree.exercise_dir(exercise)).mistakes
    from grader.mistakes import load_mistakes

    return load_mistakes(tree.mistakes_path(exercise), f"tensorlings_known_{exercise.id}")


def available(tree) -> bool:
    """Whether every exercise of this course can replay (a release)."""
    return all(replays(tree, exercise) for exercise in tree.manifest.exercises)


# ---------------------------------------------------------------- recording


def recording() -> bool:
    return _recorder is not None


def start_recording(out: Path) -> Recorder:
    global _recorder
    _recorder = Recorder(Path(out))
    return _recorder


def stop_recording() -> Recorder | None:
    global _recorder
    recorder, _recorder = _recorder, None
    return recorder


def recorded_test(test: Callable, argument_names: tuple[str, ...]) -> Callable:
    """While recording, ``test`` wrapped to keep the inputs of every example it passes; else ``test``."""
    if _recorder is None:
        return test
    recorder = _recorder
    exercise_id = Path(test.__code__.co_filename).resolve().parent.name
    key = test_key(test)

    @functools.wraps(test)
    def recording_test(*args: Any, **kwargs: Any) -> None:
        drawn = codec.dumps({name: kwargs[name] for name in argument_names})
        test(*args, **kwargs)
        recorder.add_case(exercise_id, key, drawn)

    return recording_test


class Recorder:
    """Collects cases and reference outcomes while the checks run against the solution."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.exercises: dict[str, dict] = {}
        self._mistakes: dict[str, dict] = {}
        self._batched: dict[tuple[str, str], set[str]] = {}

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

        ``key`` is the arguments' fingerprint taken before the call (a function that writes
        the file it is given changes what its path names). ``call`` is ``(layout key,
        encoded (args, kwargs))`` as the function received them: grading sends every
        distinct one to a student's worker in one batch.
        """
        from grader.compare import _clone, run_local

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
        entry = {"solution": _encode_outcome(outcome, after_args, after_kwargs), "mistakes": {}}
        for known in mistakes:
            theirs_args, theirs_kwargs = _clone(tuple(args)), _clone(dict(kwargs))
            try:
                theirs = run_local(known.function, theirs_args, theirs_kwargs)
            except Exception as error:  # noqa: BLE001 - a mistake may crash on some inputs
                entry["mistakes"][known.name] = {"raised": f"{type(error).__name__}: {error}"[:300]}
                continue
            entry["mistakes"][known.name] = _encode_outcome(theirs, theirs_args, theirs_kwargs)
        table["calls"][key] = entry

    def save(self) -> list[Path]:
        written = []
        for exercise_id, data in self.exercises.items():
            for cases in data["tests"].values():
                cases.sort(key=_size)
            folder = self.out / exercise_id / FOLDER
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / FILENAME
            with gzip.open(path, "wb", compresslevel=6) as handle:
                handle.write(codec.dumps(data))
            written.append(path)
        return written


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


def _encode_outcome(outcome, args, kwargs) -> dict:
    mutated = {}
    for label in outcome.mutated:
        value = args[int(label.split()[1]) - 1] if label.startswith("argument ") else kwargs[label]
        mutated[label] = codec.dumps(value)
    return {"result": codec.dumps(outcome.result), "mutated": mutated, "views": sorted(outcome.views)}


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


class Recording:
    """``reference`` or ``submission`` while recording: the real one, with its calls recorded."""

    def __init__(self, inner, tree, exercise) -> None:
        self._inner, self._tree, self._exercise = inner, tree, exercise

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        if name.startswith("_") or name not in {f.name for f in self._exercise.functions}:
            return value
        function = value._function() if hasattr(value, "call") else value.function
        return RecordingFunction(_recorder, self._tree, self._exercise, value, function)


def recording_fixture(inner, tree, exercise):
    return Recording(inner, tree, exercise)
