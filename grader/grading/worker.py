"""The worker side: where student code runs, and the fork server that makes workers.

The fork server is forked once from a process that has imported torch,
NumPy and PIL but not computed anything (so no thread pools to break), and
forks one child per connection. A child either becomes a worker for one
student's exercise or, asked to ``reap``, kills every process of a worker
uid (what a fork bomb leaves behind) and exits.

A worker hides the course, the submissions, the reports and every other
student's copy (a private mount namespace with empty tmpfs mounted over
them, the Python installation and the course data bound back read-only),
writes its student's module into its own tmpfs, drops to an unprivileged
uid, sets resource limits and then imports the student module and serves
calls. It sends back plain data only (see ``wire``); the verdicts are
computed elsewhere.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import gc
import os
import resource
import signal
import socket
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from grader import codec
from grader.grading import wire
from grader.grading.limit_policy import (
    LimitPlan,
    Machine,
    describe_machine,
    enter_cgroup,
    plan_limits,
    remove_cgroups,
)

CLONE_NEWNS = 0x00020000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36
SYS_LANDLOCK_CREATE_RULESET = 444

_libc = ctypes.CDLL(None, use_errno=True)


@dataclass
class Limits:
    call_seconds: float = 10.0       # wall time of one call (enforced by the grader)
    exercise_seconds: float = 120.0  # wall time of all calls of one exercise (grader)
    cpu_seconds: int = 120           # RLIMIT_CPU of one worker (one exercise)
    memory_bytes: int = 2 << 30      # memory above what the worker starts with (see limit_policy)
    processes: int = 64              # RLIMIT_NPROC of the worker uid (threads count)
    open_files: int = 256            # RLIMIT_NOFILE
    file_bytes: int = 64 << 20       # RLIMIT_FSIZE: the largest file it may write
    output_bytes: int = 64 << 10     # what is kept of its printed output
    scratch_bytes: int = 256 << 20   # all it may write: one tmpfs behind /tmp, /var/tmp, /dev/shm, ...


@dataclass
class Sandbox:
    """What a worker hides and exposes; filled in by the engine."""

    hide: list[str] = field(default_factory=list)      # empty tmpfs over each
    expose: list[str] = field(default_factory=list)    # bound back read-only (under a hidden path)


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def _mount(source, target, fstype, flags, data=None) -> None:
    _check(_libc.mount(source and source.encode(), target.encode(), fstype and fstype.encode(),
                       ctypes.c_ulong(flags), data and data.encode()), f"mount {target}")


def probe() -> dict[str, bool]:
    """Which sandbox features this machine gives a worker (checked in a throwaway child)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        features = 0
        try:
            _check(_libc.unshare(CLONE_NEWNS), "unshare")
            _mount(None, "/", None, MS_REC | MS_PRIVATE)
            _mount("tmpfs", "/mnt", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m")
            features |= 1
        except OSError:
            pass
        if os.geteuid() == 0:
            features |= 2
        abi = _libc.syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
        if abi > 0:
            features |= 4
        os.write(write, bytes([features]))
        os._exit(0)
    os.close(write)
    data = os.read(read, 1)
    os.close(read)
    os.waitpid(pid, 0)
    bits = data[0] if data else 0
    return {"mount namespace": bool(bits & 1), "unprivileged uid": bool(bits & 2), "landlock": bool(bits & 4)}


# ---------------------------------------------------------------- the fork server


class ForkServer:
    """Forked once; forks a worker (or a reaper) per connection on a Unix socket."""

    def __init__(self, socket_path: Path, sandbox: Sandbox, limits: Limits) -> None:
        self.socket_path = socket_path
        self.sandbox = sandbox
        self.limits = limits
        self.machine = describe_machine()
        self.pid: int | None = None

    def start(self) -> None:
        refuse_started_cuda()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(self.socket_path))
        os.chmod(self.socket_path, 0o600)
        listener.listen(64)
        pid = os.fork()
        if pid:
            listener.close()
            self.pid = pid
            return
        try:
            # Every object here (torch's, the framework's) outlives every worker: frozen, the garbage
            # collector never walks them in a worker. A worker that inherited a collector due for a full
            # collection walked them all: about 100 ms of CPU per worker, and a copy of every page touched.
            gc.freeze()
            signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children reap themselves
            _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # and orphans (a fork bomb's) come here to be reaped
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            while True:
                try:
                    conn, _ = listener.accept()
                except InterruptedError:
                    continue
                # Who the worker is comes from here, the process that forks it, never from the
                # worker: the child waits on ``gate`` until its pid is on the socket, so the first
                # frame the grader reads is this one, whatever the student's code later sends.
                gate, release = os.pipe()
                refuse_started_cuda()
                child = os.fork()
                if child == 0:
                    listener.close()
                    os.close(release)
                    os.read(gate, 1)
                    os.close(gate)
                    code = 0
                    try:
                        _serve(conn, self.sandbox, self.limits, self.machine)
                    except BaseException:  # noqa: BLE001 - a worker never returns to the server loop
                        if os.environ.get("TENSORLINGS_DEBUG_WORKER"):
                            traceback.print_exc()
                        code = 1
                    os._exit(code)
                os.close(gate)
                with contextlib.suppress(OSError):
                    wire.send(conn, {"forked": child})
                os.write(release, b"1")
                os.close(release)
                conn.close()
        finally:
            os._exit(0)

    def stop(self) -> None:
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = None
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        if self.machine.cgroup2 is not None:
            remove_cgroups(self.machine.cgroup2)


def refuse_started_cuda() -> None:
    """Stop before forking from a process that started CUDA: no forked child could use the GPU."""
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_initialized():
        raise RuntimeError("the grader started CUDA before forking its workers, so they could not use the GPU: "
                           "nothing in the grading process may touch CUDA before the fork server starts")


def _serve(conn: socket.socket, sandbox: Sandbox, limits: Limits, machine: Machine) -> None:
    request = wire.receive(conn)
    if request["op"] == "reap":
        uid = int(request["uid"])
        if os.geteuid() == 0 and uid > 0:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            # Every process of this uid but this one; again until none is left, since a fork
            # bomb may fork while the first sweep runs.
            # A killed process still takes the signal while it exits, so the sweeps alone would run all
            # 1000 times (~150 ms) after every worker: stop as soon as no process of the uid is left.
            for sweep in range(1000):
                try:
                    os.kill(-1, signal.SIGKILL)
                except ProcessLookupError:
                    break
                if sweep % 8 == 7 and not _uid_processes(uid):
                    break
            # Killed is not gone: until each has exited (and been reaped), it still counts against
            # the uid's RLIMIT_NPROC, and the next worker of this uid could not start a thread.
            deadline = time.monotonic() + 5.0
            while _uid_processes(uid) and time.monotonic() < deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(-1, signal.SIGKILL)
                time.sleep(0.002)
        wire.send(conn, {"reaped": True})
        return
    _worker(conn, request, sandbox, limits, plan_limits(machine, limits.memory_bytes, limits.processes,
                                                         f"uid-{int(request['uid'])}"))


def _uid_processes(uid: int) -> list[int]:
    """Processes (zombies included) of ``uid`` other than this one."""
    found = []
    me = os.getpid()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and int(entry.name) != me:
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid:
                    found.append(int(entry.name))
    return found


# ---------------------------------------------------------------- a worker


class _Discard:
    """Where a student's prints go: the first few KiB are kept, the rest dropped."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.text: list[str] = []
        self.size = 0
        self.encoding = "utf-8"

    def write(self, text) -> int:
        if self.size < self.keep:
            self.text.append(str(text)[: self.keep - self.size])
        self.size += len(text) if isinstance(text, str) else 0
        return len(text) if isinstance(text, str) else 0

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


# Where programs write: each is a folder of the worker's one private tmpfs, so nothing one
# student writes is seen by another, all of it is gone when the worker ends, and one size
# bounds everything a worker can write.
PRIVATE_WRITABLE = {"/var/tmp": "var-tmp", "/dev/shm": "shm", "/run/lock": "lock"}
HIDDEN_TMPFS_BYTES = 4 << 20   # a hidden folder's tmpfs holds only mount points (and is root's)


def _private_space(home: Path, size: int) -> None:
    """One tmpfs on /tmp behind /tmp, /var/tmp, /dev/shm, /run/lock and the worker's home."""
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=1777")
    private = Path("/tmp/.private")
    private.mkdir(mode=0o755)
    for target, name in [*PRIVATE_WRITABLE.items(), (str(home), "home")]:
        folder = private / name
        folder.mkdir(mode=0o1777 if name != "home" else 0o755)
        os.chmod(folder, 0o1777 if name != "home" else 0o755)
        if name != "home" and not os.path.isdir(target):
            continue
        os.makedirs(target, exist_ok=True)
        _mount(str(folder), target, None, MS_BIND)


def _hidden_roots(sandbox: Sandbox) -> list[str]:
    """The folders to cover, without those inside another (and /tmp, which gets the private space)."""
    hidden: list[str] = []
    for path in sorted({p for p in [*sandbox.hide, "/tmp"] if os.path.isdir(p)}, key=len):
        if not any(Path(path).is_relative_to(h) for h in hidden):
            hidden.append(path)
    # /dev stays: the GPU's device files (/dev/nvidia*) must be seen by a CUDA worker.
    return [h for h in hidden if h != "/tmp" and not Path("/dev").is_relative_to(h)]


def _enter_sandbox(request: dict, sandbox: Sandbox, limits: Limits, plan: LimitPlan) -> list[str]:
    """Hide, copy in, drop privileges, limit. Returns what could not be enforced."""
    missing = []
    home = Path(request["home"])
    os.setsid()
    isolated = False
    try:
        _check(_libc.unshare(CLONE_NEWNS), "unshare")
        _mount(None, "/", None, MS_REC | MS_PRIVATE)
        handles = []
        for path in sandbox.expose:
            with contextlib.suppress(OSError):
                handles.append((path, os.open(path, os.O_PATH)))
        for path in _hidden_roots(sandbox):
            _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={HIDDEN_TMPFS_BYTES},mode=0755")
        _private_space(home, limits.scratch_bytes)
        for path, handle in handles:
            os.makedirs(path, exist_ok=True)
            _mount(f"/proc/self/fd/{handle}", path, None, MS_BIND | MS_REC)
            _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
            os.close(handle)
        isolated = True
    except OSError as error:
        missing.append(f"mount namespace ({error.strerror})")
    for relative, text in request["files"].items():
        target = home / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isolated or not target.exists():
            target.write_bytes(text)
    uid = int(request["uid"])
    for folder in [home, *[home / r for r in {str(Path(r).parent) for r in request["files"]}]]:
        with contextlib.suppress(OSError):
            os.chown(folder, uid, uid)
            os.chmod(folder, 0o755)
    os.chdir(home)
    os.environ.update(HOME=str(home), TMPDIR="/tmp")
    missing += _limit(plan, limits, uid, len(request.get("modules") or ()))
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an over-long write fails instead of killing
    return missing


def _limit(plan: LimitPlan, limits: Limits, uid: int, modules: int = 1) -> list[str]:
    """Apply the plan's bounds (see ``limit_policy`` for why each), then drop to ``uid``."""
    missing = []

    def limit(which, value):
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(which, (value, value))

    limit(resource.RLIMIT_CPU, limits.cpu_seconds * max(1, modules))  # the limit is each exercise's
    limit(resource.RLIMIT_NOFILE, limits.open_files)
    limit(resource.RLIMIT_FSIZE, limits.file_bytes)
    limit(resource.RLIMIT_CORE, 0)
    memory = plan.memory
    if memory == "cgroup":
        try:
            enter_cgroup(plan, os.getpid())
        except OSError as error:  # a cgroup the machine refuses: the rlimit the plan falls back to
            missing.append(f"cgroup memory limit ({error.strerror or error})")
            memory = plan.fallback
    if memory != "cgroup":
        with open("/proc/self/statm") as statm:
            pages = statm.read().split()
        page = os.sysconf("SC_PAGE_SIZE")
        if memory == "data":  # CUDA reserves address space it never uses: bound the data segment
            limit(resource.RLIMIT_DATA, int(pages[5]) * page + plan.memory_bytes)
        else:
            limit(resource.RLIMIT_AS, int(pages[0]) * page + plan.memory_bytes)
    if os.geteuid() == 0 and uid > 0:
        limit(resource.RLIMIT_NPROC, plan.processes)
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    else:
        missing.append("unprivileged uid (the grader does not run as root)")
    return missing


def _worker(conn: socket.socket, request: dict, sandbox: Sandbox, limits: Limits, plan: LimitPlan) -> None:
    import faulthandler

    import torch

    faulthandler.disable()  # a student's crash is reported by the grader, not dumped on its terminal
    from grader.impl import LoadedModule, SubmittedFunction, crash_failure
    from grader.manifest import Exercise
    from grader.outcomes import Mismatch, Verdict
    from grader.results import Failure, Kind, Status

    torch.set_num_threads(1)
    missing = _enter_sandbox(request, sandbox, limits, plan)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.stdout = sys.stderr = _Discard(limits.output_bytes)
    sys.stdin = None

    # One student's modules, each imported the first time the grader asks for it ("load"), so that a
    # module which ends its process while importing takes only its own exercise down.
    modules: dict[str, tuple[Exercise, LoadedModule]] = {}
    wire.send(conn, {"pid": os.getpid(), "missing": missing})
    functions: dict[tuple[str, str], SubmittedFunction] = {}

    def load(exercise_id: str) -> tuple[Exercise, LoadedModule]:
        if exercise_id not in modules:
            described = request["modules"][exercise_id]
            modules[exercise_id] = (Exercise.model_validate(described["exercise"]),
                                    LoadedModule(Path(described["module"]), "submission"))
        return modules[exercise_id]

    def answer(message: dict, exercise_id: str) -> dict:
        name = message["name"]
        exercise, loaded = load(exercise_id)
        if (exercise_id, name) not in functions:
            functions[exercise_id, name] = SubmittedFunction(name, exercise, loaded)
            functions[exercise_id, name]._checked = True  # constraints are checked by the grader, from the source
            functions[exercise_id, name].observe = False  # and changes to the arguments, from what is sent back
        try:
            args, kwargs = codec.loads(message["call"])
            args, kwargs = tuple(args), dict(kwargs)
            result = functions[exercise_id, name].call(args, kwargs).result
            reply = None
        except Verdict as verdict:
            reply = {"verdict": Status(verdict.status).value, "failure": verdict.failure.to_json()}
        except Mismatch as crash:  # the exception's class name lets raises() and crash mistakes match
            reply = {"crash": crash.failure.to_json()}
        except BaseException as error:  # noqa: BLE001 - sys.exit and friends inside the function
            reply = {"crash": crash_failure(name, error, loaded.path, loaded.shown, "the checked inputs").to_json()}
        if reply is None:
            reply, frame = _result_reply(result, args, kwargs, name)
        else:
            frame = codec.dumps(reply)
        try:
            wire.send_frame(conn, frame)
        except OSError as error:
            if error.errno in (errno.EPIPE, errno.ECONNRESET):
                os._exit(0)
            wire.send(conn, {"crash": Failure(Kind.CRASH, f"{name} gave an answer that could not be sent back: {error}",
                                              function=name).to_json()})
        return reply

    while True:
        try:
            message = wire.receive(conn)
        except wire.WireError:
            os._exit(0)
        if "load" in message:
            wire.send(conn, {"problem": load(message["load"])[1].problem})
            continue
        if "batch" not in message:
            answer(message, message["exercise"])
            continue
        # A batch: every call a grading run knows its checks will make, answered in turn, one
        # reply each, so the grader still times each call on its own. A function that is not
        # started, or slow, is left out of the rest of the batch (an empty frame says so): its
        # checks make their calls one at a time, and stop at the first that fails.
        slow = float(message.get("slow", 0.5))
        skipped: set[str] = set()
        for one in message["batch"]:
            if one["name"] in skipped:
                wire.send_frame(conn, b"")
                continue
            started = time.monotonic()
            reply = answer(one, message["exercise"])
            if "verdict" in reply or time.monotonic() - started > slow:
                skipped.add(one["name"])


def _numpy_views(result, args) -> list[int]:
    """Positions of the arguments whose memory the result shares, where a NumPy array is involved.

    Tensor-to-tensor sharing survives the trip to the grader (one storage is saved once), so the
    grader works it out itself. An array made by ``tensor.numpy()`` or a tensor made by
    ``torch.from_numpy`` has storage of its own, so that sharing is only visible here.
    """
    import numpy as np

    from grader.compare import shares_storage

    return [i for i, arg in enumerate(args)
            if (isinstance(arg, np.ndarray) or isinstance(result, np.ndarray)) and shares_storage(result, arg)]


def _result_reply(result, args, kwargs, name: str) -> tuple[dict, bytes]:
    """The reply to a call that returned, and its frame (a crash where the answer cannot travel)."""
    from grader.results import Failure, Kind

    try:
        reply = {"ok": {"result": result, "args": tuple(args), "kwargs": dict(kwargs),
                        "numpy_views": _numpy_views(result, args)}}
        return reply, codec.dumps(reply)
    except codec.Unsupported as error:
        text = (f"{name} returned an unsupported type ({error}): return tensors, NumPy arrays, "
                "numbers, strings, dtypes, devices or tuples, lists and dicts of them")
    except BaseException as error:  # noqa: BLE001 - a hostile object that fails while being read
        text = f"{name} returned a value that could not be read: {type(error).__name__}: {error}"
    reply = {"crash": Failure(Kind.CRASH, text, function=name).to_json()}
    return reply, codec.dumps(reply)
