"""The grader's side of a worker: what ``submission`` is bound to when grading.

``RemoteSubmission`` offers what ``grader.impl.Submission`` offers (an
attribute per function, each with ``name``, ``call`` and a signature), but
every call goes to a sandboxed worker as plain data. Whether the inputs were
changed and whether the result is a view are worked out here, from the data
that came back, never taken from the worker's word. A call that runs past
its time, or a worker that dies, fails that check, is recorded as a limit
hit, and the worker is replaced for the next call.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import signal
import socket
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from grader import codec, replay
from grader.binding import Binding
from grader.compare import CallOutcome, _grad_changed, changed_arguments, shares_storage
from grader.constraints import rule_breaks
from grader.grading import wire
from grader.grading.worker import Limits
from grader.manifest import Exercise
from grader.outcomes import Broken, Forbidden, Mismatch, NotStarted, Verdict
from grader.results import Failure, Kind, Status

SLOW_SECONDS = 0.5  # a batched call slower than this ends batching for its function
# Calls answered from a batch and calls sent one at a time, in this process (tests and profiling read it).
stats = {"batched": 0, "single": 0}
# Seconds spent, in this process, starting workers (fork and the student's import), waiting on their calls
# and stopping them (killing what their uid left running).
timings = {"worker start": 0.0, "worker calls": 0.0, "worker stop": 0.0}


class LimitExceeded(Verdict):
    """A call ran past a limit or killed its worker: the check fails at once, without shrinking."""

    status = Status.WRONG
    kind = Kind.LIMIT


@dataclass(frozen=True)
class Stop:
    """Why a call was stopped: the limit hit (for the instructor) and the verdict of its check."""

    limit: str
    verdict: str


@dataclass
class StudentContext:
    """What every exercise of one student shares while being graded."""

    student: str
    home: Path                  # the student's private copy: home/<exercise id>/<module>
    server: Path                # the fork server's socket
    uid: int                    # the unprivileged uid of this grading slot's workers
    limits: Limits
    limits_hit: list[str] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)
    shared_roots: tuple[Path, ...] = ()   # temp folders whose paths may be passed to student code
    exercises: tuple[Exercise, ...] = ()  # what the student's worker serves (each module imported when first used)
    worker: _Worker | None = None         # the student's one worker, for all their exercises

    def hit(self, text: str) -> None:
        if text not in self.limits_hit:
            self.limits_hit.append(text)

    def shared_worker(self, exercise: Exercise) -> _Worker:
        """The student's worker (started when none is running), serving ``exercise`` among the others."""
        if self.worker is None:
            served = self.exercises if any(e.id == exercise.id for e in self.exercises) else (exercise,)
            files = {}
            for one in served:
                key = f"{one.id}/{one.module}"
                with contextlib.suppress(OSError):
                    files[key] = (self.home / key).read_bytes()
            started = time.perf_counter()
            self.worker = _Worker(self, served, files)
            timings["worker start"] += time.perf_counter() - started
        return self.worker

    def stop_worker(self) -> None:
        """Kill the student's worker: a call hung or killed it, or the student is done."""
        if self.worker is not None:
            started = time.perf_counter()
            self.worker.close()
            self.worker = None
            timings["worker stop"] += time.perf_counter() - started


def _answer_key(function: str, args: tuple, kwargs: dict) -> str:
    """Which call this is: the function and its arguments, layout and autograd state included."""
    return f"{function}:{replay.fingerprint(args, kwargs, layout=True)}"


@dataclass(frozen=True)
class PlannedCall:
    function: str
    key: str          # _answer_key of what is sent
    request: dict     # what a single call sends: its name, and (args, kwargs) as one codec frame


@dataclass
class Batch:
    """The calls the checks of one exercise will make, known in advance from the recording.

    Grading replays recorded cases, so the arguments every student's functions receive are
    the ones the solution received while recording. They go to a student's worker in one
    request; the worker answers each in turn, and each check then finds its answer here.
    """

    calls: list[PlannedCall]
    _frames: dict[tuple, bytes] = field(default_factory=dict)

    def frame(self, exercise: str, calls: list[PlannedCall], slow: float) -> bytes:
        """The request for ``calls`` of ``exercise``, encoded once per grader process for the whole batch."""
        key = (exercise, len(calls), calls[0].key if calls else "", slow)
        if len(calls) != len(self.calls) or key not in self._frames:
            data = codec.dumps({"exercise": exercise, "batch": [c.request for c in calls], "slow": slow})
            if len(calls) != len(self.calls):
                return data
            self._frames[key] = data
        return self._frames[key]

    @classmethod
    def from_recording(cls, exercise: Exercise, recording: Path) -> Batch:
        try:
            functions = replay.read(str(recording), recording.stat().st_mtime)["functions"]
        except (OSError, RuntimeError, ValueError, KeyError):
            return cls([])
        calls: list[PlannedCall] = []
        for function in exercise.functions:
            planned, seen = [], set()
            for encoded in (functions.get(function.name) or {}).get("batch", []):
                # The recorded frame goes to the worker as it is; it is decoded here only for its key.
                try:
                    args, kwargs = codec.loads(encoded)
                    key = _answer_key(function.name, tuple(args), dict(kwargs))
                except (codec.CodecError, TypeError, ValueError, RuntimeError):
                    continue
                request = {"name": function.name, "call": encoded}
                if key not in seen:
                    seen.add(key)
                    planned.append((replay.case_size(encoded), len(planned), PlannedCall(function.name, key, request)))
            calls += [call for _, _, call in sorted(planned, key=lambda p: (p[0], p[1]))]
        return cls(calls)


class _Worker:
    """A sandboxed process serving one student's modules: each is imported the first time it is used."""

    def __init__(self, context: StudentContext, exercises: Sequence[Exercise], files: dict[str, bytes]) -> None:
        self.context = context
        settle(context)
        self.problems: dict[str, str | None] = {}   # exercise id -> why its module cannot be used (None: it can)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(str(context.server))
        modules = {e.id: {"module": str(context.home / e.id / e.module), "exercise": e.model_dump(mode="json")}
                   for e in exercises}
        wire.send(self.sock, {"op": "worker", "uid": context.uid, "home": str(context.home), "files": files,
                              "modules": modules})
        self.sock.settimeout(max(30.0, context.limits.call_seconds))
        self.pid = None
        self.pidfd: int | None = None
        self.alive = False
        try:
            # The first frame is the fork server's, written before the worker may run: the pid it
            # forked. What the worker later says about itself is never used to decide what to kill.
            self.pid = forked_pid(wire.receive(self.sock, limit=1 << 10))
            self.pidfd = _pidfd(self.pid)
            hello = wire.receive(self.sock, limit=1 << 20)
            if not isinstance(hello, dict):
                raise wire.WireError("a malformed hello")
        except (wire.WireError, OSError):
            return  # never started: every module it was to serve says so (see ``load``)
        self.alive = True
        context.missing.update(m[:_TEXT_LIMIT] for m in hello.get("missing") or () if isinstance(m, str))

    def load(self, exercise: Exercise) -> str | None:
        """Import ``exercise``'s module in the worker, once; why it cannot be used, or None."""
        if exercise.id in self.problems:
            return self.problems[exercise.id]
        problem = None
        try:
            if not self.alive:
                raise wire.WireError("the worker did not start")
            self.sock.settimeout(max(30.0, self.context.limits.call_seconds))
            wire.send(self.sock, {"load": exercise.id})
            reply = wire.receive(self.sock, limit=1 << 20)
            if not isinstance(reply, dict):
                raise wire.WireError("a malformed reply")
            said = reply.get("problem")
            problem = said[:_TEXT_LIMIT] if isinstance(said, str) else None
        except (wire.WireError, OSError):
            problem = (f"{exercise.id}/{exercise.module}: importing it ended or hung the process "
                       "(os._exit, a crash or a limit at import time), so none of its functions can be checked")
            self.context.hit(f"{exercise.id}: the module ended its process while being imported")
            self.alive = False
        self.problems[exercise.id] = problem
        return problem

    def close(self) -> None:
        wire.close_quietly(self.sock)
        if self.pid:
            # The pidfd names exactly the process the server forked, even if it has exited and
            # its pid been reused; its process group is its own (it called setsid).
            if self.pidfd is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
                    signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.pid, signal.SIGKILL)
            # Not waited for here: a killed worker takes ~20 ms to give its memory back, and the grader
            # has a student's comparisons to do meanwhile. The next worker of this uid first makes sure
            # it is gone (``settle``; without a pidfd it cannot tell, and calls the reaper).
            _unsettled.setdefault(self.context.uid, []).append((self.pidfd, self.pid))
            self.pid = self.pidfd = None


def forked_pid(message: Any) -> int:
    """The pid in the fork server's first frame (see ``worker.ForkServer``)."""
    if not isinstance(message, dict) or type(message.get("forked")) is not int or message["forked"] <= 1:
        raise wire.WireError("the fork server did not say which process it forked")
    return message["forked"]


def _pidfd(pid: int) -> int | None:
    with contextlib.suppress(OSError, AttributeError):
        return os.pidfd_open(pid)
    return None


# Workers killed by this process and not yet seen gone, by uid: (pidfd or None, pid).
_unsettled: dict[int, list[tuple[int | None, int]]] = {}


def settle(context: StudentContext) -> None:
    """Make sure every worker this process killed under the context's uid is gone, and nothing of that
    uid is left running (what a student forked); only then may the next worker of the uid start.

    The common case costs a look at /proc: each worker exited and left nothing behind. Otherwise the
    fork server's reaper kills every process of the uid and waits until none is left.
    """
    pending = _unsettled.pop(context.uid, [])
    if not pending:
        return
    exited = all(pidfd is not None and _exited(pidfd, 5.0) for pidfd, _ in pending)
    for pidfd, _ in pending:
        if pidfd is not None:
            os.close(pidfd)
    if not exited or _uid_busy(context.uid, {pid for _, pid in pending}):
        reap_uid(context.server, context.uid)


def forget_unsettled() -> None:
    """Drop what this process remembers of killed workers (the run is over: its uids were swept)."""
    for pending in _unsettled.values():
        for pidfd, _ in pending:
            if pidfd is not None:
                with contextlib.suppress(OSError):
                    os.close(pidfd)
    _unsettled.clear()


def _exited(pidfd: int, seconds: float = 1.0) -> bool:
    """Whether the process behind ``pidfd`` has exited (a pidfd reads as ready then)."""
    import select

    with contextlib.suppress(OSError, ValueError):
        return bool(select.select([pidfd], [], [], seconds)[0])
    return False


def _uid_busy(uid: int, dead: set[int]) -> bool:
    """Whether any process of ``uid`` but the exited workers ``dead`` is left (one a student forked).

    Read from /proc after the worker has exited: every process it forked exists by then, so
    when none is found no reaper is needed, which saves a fork and a sweep per worker.
    """
    if os.geteuid() != 0:
        return False  # workers run as the grader's own uid: a sweep would kill the grader
    try:
        entries = list(os.scandir("/proc"))
    except OSError:
        return True
    for entry in entries:
        if entry.name.isdigit() and int(entry.name) not in dead:
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid:
                    return True
    return False


def reap_uid(server: Path, uid: int) -> None:
    """Kill whatever the worker uid left running (a fork bomb's children), and wait until it is done."""
    if os.geteuid() != 0:
        return
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(30)
            sock.connect(str(server))
            wire.send(sock, {"op": "reap", "uid": uid})
            forked_pid(wire.receive(sock, limit=1 << 10))
            wire.receive(sock, limit=1 << 16)
    except (OSError, wire.WireError):
        pass


class RemoteSubmission(Binding):
    """One student's module of one exercise, served by a sandboxed worker."""

    def __init__(self, context: StudentContext, exercise: Exercise, reference_module=None,
                 batch: Batch | None = None) -> None:
        self.context = context
        self.batch = batch
        # layout fingerprint -> ("spooled", offset, size) in ``_spool`` or ("stopped", Stop)
        self.answers: dict[str, tuple] = {}
        self._spool = None   # the batch's replies, on disk: one reply at a time is in memory
        self._batched = False
        self.exercise = exercise
        self.path = context.home / exercise.id / exercise.module
        self.shown = f"{exercise.id}/{exercise.module}"
        self.reference_module = reference_module
        try:
            self.source_bytes = self.path.read_bytes()
        except OSError:
            self.source_bytes = None
        self.problem: str | None = None
        self.spent = 0.0
        self.hung: set[str] = set()

    @property
    def source(self) -> str:
        return (self.source_bytes or b"").decode("utf-8", errors="replace")

    def worker(self) -> _Worker:
        """The student's worker, with this exercise's module imported; ``self.problem`` says if it cannot be."""
        worker = self.context.shared_worker(self.exercise)
        self.problem = worker.load(self.exercise)
        if not worker.alive:
            self.context.stop_worker()  # this module ended it: the next exercise starts a fresh one
        return worker

    def restart(self) -> None:
        """A call hung or ended the worker: kill it, and the next call starts a fresh one."""
        self.context.stop_worker()

    def close(self) -> None:
        """This exercise is done; the student's worker lives on for the next (the session stops it)."""
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    def run_batch(self) -> None:
        """Send every planned call to the worker at once and keep the answers.

        Limits stay per call: each reply is awaited for ``call_seconds``. A call that runs past
        it marks its function hung (as a single call would) and one that ends the worker fails
        that call; either way the worker is replaced, the rest of that function's calls are
        left to be made one at a time if a check asks, and the batch goes on with the next
        function.
        """
        if self._batched:
            return
        self._batched = True
        if self.batch is None or self.source_bytes is None:
            return
        limits = self.context.limits
        pending = [c for c in self.batch.calls if self._worth_batching(c.function)]
        while pending and self.spent <= limits.exercise_seconds:
            worker = self.worker()
            if self.problem:
                return
            try:
                worker.sock.settimeout(max(30.0, limits.call_seconds))
                wire.send_frame(worker.sock, self.batch.frame(self.exercise.id, pending,
                                                                  min(SLOW_SECONDS, limits.call_seconds / 4)))
            except (OSError, wire.WireError):
                self.restart()
                return  # the checks make their calls one at a time
            rest: list[PlannedCall] = []
            waited = time.perf_counter()
            for index, call in enumerate(pending):
                started = time.monotonic()
                try:
                    worker.sock.settimeout(limits.call_seconds)
                    frame = wire.receive_frame(worker.sock)
                except (OSError, wire.WireError) as error:  # TimeoutError is an OSError
                    stop = self._stopped(call.function, started, error)
                    if call.function in self.hung:
                        self.context.hit(stop.limit)  # its checks fail as stopped (see _precheck)
                    else:
                        self.answers[call.key] = ("stopped", stop)
                    rest = [c for c in pending[index + 1:] if c.function != call.function]
                    break
                self.spent += time.monotonic() - started
                if frame:  # empty: the worker left this call out (see worker._worker)
                    self.answers[call.key] = self._keep(frame)
                del frame
                if self.spent > limits.exercise_seconds:
                    self.restart()
                    break
            timings["worker calls"] += time.perf_counter() - waited
            pending = rest

    def _keep(self, frame: bytes) -> tuple:
        """Write a batched reply to the spool file; the check that asks for it reads it back."""
        if self._spool is None:
            self._spool = tempfile.TemporaryFile()  # unlinked: no other process can open it by name
        offset = self._spool.seek(0, os.SEEK_END)
        self._spool.write(frame)
        return ("spooled", offset, len(frame))

    def spooled(self, offset: int, size: int) -> bytes:
        self._spool.seek(offset)
        return self._spool.read(size)

    def _stopped(self, function: str, started: float, error: BaseException) -> Stop:
        """A call that ran past its time or ended its worker: count its time, replace the worker,
        and say what limit it hit and why its check fails. The one place both cases are handled."""
        self.spent += time.monotonic() - started
        self.restart()
        seconds = self.context.limits.call_seconds
        if isinstance(error, TimeoutError):
            self.hung.add(function)
            return Stop(f"{self.exercise.id}: a call of {function} ran past {seconds:g} s",
                        f"{function} did not finish within {seconds:g} s (an endless loop?); it was stopped")
        detail = str(error) if "limit" in str(error) else "it crashed, called os._exit, or went over a limit"
        return Stop(f"{self.exercise.id}: {function} ended its worker process",
                    f"{function} ended the process it ran in ({detail}), so this check fails")

    def _worth_batching(self, name: str) -> bool:
        function = getattr(self, name)
        try:
            function._precheck()
        except Verdict:
            return False
        return True

    def _bind(self, name: str) -> RemoteFunction:
        return RemoteFunction(name, self)

    def _other(self, name: str) -> Any:
        # A constant of the stub (the pristine one: the student's copy is not imported here).
        if self.reference_module is not None and hasattr(self.reference_module, name):
            return getattr(self.reference_module, name)
        return super()._other(name)


class RemoteFunction:
    def __init__(self, name: str, owner: RemoteSubmission) -> None:
        self.name = name
        self.__name__ = name
        self.owner = owner
        self._checked = False

    def source_text(self) -> str | None:
        """The student's module source, read by the grader (nothing runs): names a mistake only where it fits."""
        return self.owner.source if self.owner.source_bytes is not None else None

    @property
    def __signature__(self) -> inspect.Signature | None:
        reference = getattr(self.owner.reference_module, self.name, None)
        try:
            return inspect.signature(reference) if reference is not None else None
        except (TypeError, ValueError):
            return None

    def _precheck(self) -> None:
        owner = self.owner
        if owner.source_bytes is None:
            raise Broken(f"{owner.shown} is missing from the submission, so {self.name} cannot be checked",
                         function=self.name)
        if not self._checked:
            broken = rule_breaks(owner.source, self.name, owner.exercise.function(self.name), owner.shown)
            if broken:
                raise Forbidden(broken, function=self.name)  # read from the source: safe, nothing runs
            self._checked = True
        if self.name in owner.hung:
            raise LimitExceeded(
                f"{self.name} was stopped: an earlier call ran past {owner.context.limits.call_seconds:g} s "
                "(an endless loop?), so its remaining checks fail", function=self.name)
        if owner.spent > owner.context.limits.exercise_seconds:
            raise LimitExceeded(
                f"{owner.exercise.id} used up its {owner.context.limits.exercise_seconds:g} s of running time, "
                "so its remaining checks fail", function=self.name)

    def call(self, args: Sequence[Any], kwargs: Mapping[str, Any]) -> CallOutcome:
        self._precheck()
        owner = self.owner
        owner.run_batch()
        self._precheck()  # the batch may have found this function hung
        worker = owner.worker()
        if owner.problem:
            raise Broken(owner.problem, function=self.name)
        args, kwargs = tuple(args), dict(kwargs)
        if owner.answers:
            answer = owner.answers.get(_answer_key(self.name, args, kwargs))
            if answer is not None:
                stats["batched"] += 1
                return self._answered(answer, args, kwargs)
        stats["single"] += 1
        return self._call_worker(worker, args, kwargs)

    def _answered(self, answer: tuple, args: tuple, kwargs: dict) -> CallOutcome:
        """The outcome of a call the batch already made, for the check's own arguments."""
        if answer[0] == "stopped":
            stop = answer[1]
            self.owner.context.hit(stop.limit)
            raise LimitExceeded(stop.verdict, function=self.name)
        reply = self._read_reply(self.owner.spooled(answer[1], answer[2]))
        return self._outcome(reply, args, kwargs)

    def _call_worker(self, worker: _Worker, args: tuple, kwargs: dict) -> CallOutcome:
        owner, context = self.owner, self.owner.context
        self._share_paths(args, kwargs)
        try:
            request = {"exercise": owner.exercise.id, "name": self.name,
                       "call": codec.dumps((tuple(args), dict(kwargs)))}
        except codec.Unsupported as error:
            raise RuntimeError(f"grading cannot send an argument of type {error} to a worker") from None
        started = time.monotonic()
        try:
            worker.sock.settimeout(context.limits.call_seconds)
            wire.send(worker.sock, request)
            frame = wire.receive_frame(worker.sock)
        except (OSError, wire.WireError) as error:  # TimeoutError is an OSError
            stop = owner._stopped(self.name, started, error)
            context.hit(stop.limit)
            raise LimitExceeded(stop.verdict, function=self.name) from None
        finally:
            timings["worker calls"] += time.monotonic() - started
        owner.spent += time.monotonic() - started
        reply = self._read_reply(frame)
        del frame
        return self._outcome(reply, args, kwargs)

    def _read_reply(self, frame: bytes) -> Any:
        """A reply, judged by what it declares before anything is allocated for it."""
        try:
            return wire.loads(frame)
        except wire.TooLarge as error:
            raise Mismatch(f"{self.name} returned a tensor of {error.elements:,} elements (shape {error.shape}), "
                           f"more than grading reads ({codec.MAX_BYTES:,} bytes); expected a result the size "
                           "of the reference's", kind=Kind.SHAPE, function=self.name) from None
        except wire.WireError as error:
            raise Mismatch(f"{self.name} gave back something that is not plain data ({error})",
                           kind="crash", function=self.name) from None

    def _outcome(self, reply: dict, args: tuple, kwargs: dict) -> CallOutcome:
        """Turn a worker's reply into the check's ``CallOutcome``; changes and views are judged here.

        The call ran in the worker, so ``args`` and ``kwargs`` are still as they were before it: what
        came back is compared with them, and only then written back into them."""
        if not isinstance(reply, dict):
            raise Mismatch(f"{self.name} gave back a malformed reply", kind="crash", function=self.name)
        if "verdict" in reply:
            failure = untrusted_failure(reply.get("failure"), self.name)
            if reply["verdict"] == Status.NOT_STARTED and failure.kind == Kind.NOT_STARTED:
                raise NotStarted(failure)
            raise Broken(replace(failure, kind=Kind.BROKEN))
        if "crash" in reply:
            raise Mismatch(replace(untrusted_failure(reply["crash"], self.name), kind=Kind.CRASH))
        try:
            data = reply["ok"]
            result = data["result"]
            after_args = tuple(data["args"])
            after_kwargs = dict(data["kwargs"])
        except (KeyError, TypeError, ValueError) as error:
            raise Mismatch(f"{self.name} gave back something that is not plain data ({error})",
                           kind="crash", function=self.name) from None
        if len(after_args) != len(args) or set(after_kwargs) != set(kwargs):
            raise Mismatch(f"{self.name} gave back a malformed reply", kind="crash", function=self.name)
        mutated = changed_arguments(args, kwargs, after_args, after_kwargs)
        views = {i for i, arg in enumerate(after_args) if shares_storage(result, arg)}
        # Sharing between a NumPy array and a tensor does not survive the trip; the worker reports it.
        # Only such pairs are taken from it (values are still compared here).
        views |= {i for i in data.get("numpy_views", ()) if isinstance(i, int) and 0 <= i < len(after_args)
                  and (isinstance(after_args[i], np.ndarray) or isinstance(result, np.ndarray))}
        for mine, theirs in zip(args, after_args):
            _write_back(mine, theirs)
        for key in kwargs:
            _write_back(kwargs[key], after_kwargs[key])
        return CallOutcome(result, mutated, views)

    def _share_paths(self, args, kwargs) -> None:
        """Let the worker read temporary folders the checks made and pass by path."""
        for value in (*args, *kwargs.values()):
            if isinstance(value, (str, os.PathLike)):
                with contextlib.suppress(OSError, ValueError, TypeError):
                    path = Path(value).resolve()
                    for root in self.owner.context.shared_roots:
                        if path.is_relative_to(root) and path != root and path.exists():
                            _open_up(root, path)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.call(args, kwargs).result

    def __repr__(self) -> str:
        return f"<graded {self.name} of {self.owner.context.student}>"


_TEXT_LIMIT = 4000  # characters of any one field a worker reports; a student controls these


def untrusted_failure(data: Any, function: str) -> Failure:
    """A failure record a worker sent: only known fields of plain types, each bounded; anything else is malformed."""
    if not isinstance(data, dict):
        return Failure(Kind.CRASH, f"{function} gave back a malformed reply", function=function)
    text = {name: value[:_TEXT_LIMIT] for name, value in data.items()
            if name in _TEXT_FIELDS and isinstance(value, str)}
    line = data.get("line") if isinstance(data.get("line"), int) and not isinstance(data.get("line"), bool) else None
    kind = data.get("kind") if data.get("kind") in set(Kind) else Kind.CRASH
    notes = [note[:_TEXT_LIMIT] for note in data.get("notes") or [] if isinstance(note, str)][:5]
    return Failure(Kind(kind), text.pop("summary", f"{function} failed"), **{**text, "function": function},
                   line=line, notes=notes)


_TEXT_FIELDS = {"summary", "call", "inputs", "actual", "expected", "detail", "why", "example", "error_type",
                "error_message", "file", "code"}


def _open_up(root: Path, path: Path) -> None:
    top = root / path.relative_to(root).parts[0]
    os.chmod(top, 0o755)
    for folder, dirs, files in os.walk(top):
        for name in dirs:
            os.chmod(os.path.join(folder, name), 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)


def _write_back(mine: Any, theirs: Any) -> None:
    """Make the caller's argument look as the function left it (values, requires_grad, .grad)."""
    if isinstance(mine, np.ndarray) and isinstance(theirs, np.ndarray):
        if mine.shape == theirs.shape and not np.array_equal(mine, theirs, equal_nan=mine.dtype.kind == "f"):
            with contextlib.suppress(ValueError, TypeError):
                np.copyto(mine, theirs)
        return
    if not (isinstance(mine, torch.Tensor) and isinstance(theirs, torch.Tensor)):
        return
    with contextlib.suppress(RuntimeError, TypeError, ValueError):
        if mine.shape == theirs.shape and mine.dtype == theirs.dtype and mine.layout == torch.strided \
                and "meta" not in (mine.device.type, theirs.device.type) \
                and not torch.equal(mine.detach().cpu(), theirs.detach().cpu()):
            with torch.no_grad():
                mine.copy_(theirs)  # across devices too: the caller's tensor stays where it was
        if mine.is_leaf and mine.requires_grad != theirs.requires_grad:
            mine.requires_grad_(theirs.requires_grad)
        old, new = mine.grad if mine.is_leaf else None, theirs.grad
        if mine.is_leaf and (old is None) != (new is None) or (
                old is not None and new is not None and (old.shape != new.shape or _grad_changed(old, new))):
            mine.grad = new.to(mine.device) if new is not None else None
