"""One exercise's checks in a forked child of this (warm) process, so nothing a learner writes can
hang or kill the caller.

The parent imports torch, pytest and the framework once; each run forks, and
the child runs the checks with ``grader.runner.run_checks`` and sends the
``CheckResult`` records back as JSON through a pipe. A crash inside a check
is already a verdict for that check's function (``grader.runloop`` forks
once more); a child that crashes outside the checks, blows its memory limit
or runs past its time bound becomes a clear verdict for that exercise: one
ERROR record per function.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import select
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.records import result_from_json, result_to_json
from grader.results import CheckResult, Failure, Kind, Status

MEMORY_HEADROOM = 4 * 2**30  # bytes of address space a child may add to what the warm parent holds


# The child names its plugins instead of scanning every installed package's entry points for them.
CHILD_OPTIONS = ("-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:unraisableexception",
                 "-p", "_hypothesis_pytestplugin", "-p", "grader.plugin", "--import-mode=importlib")


def warm_up() -> None:
    """Import what every run needs, once, in the parent: a forked child then starts with it loaded.

    An empty collection imports pytest's own plugins without running anything of the learner's;
    ``gc.freeze`` then keeps those objects out of every collection a child makes.
    """
    import gc
    import tempfile

    # Forking after CUDA has been initialised breaks CUDA in the child: if anything here asks whether a
    # GPU exists, let it ask NVML, which initialises nothing.
    os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")

    import pytest
    import torch  # noqa: F401

    import grader.compare  # noqa: F401
    import grader.impl  # noqa: F401
    import grader.plugin  # noqa: F401
    import grader.strategies  # noqa: F401

    with tempfile.TemporaryDirectory() as empty, contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        pytest.main(["--collect-only", "-q", empty, "-p", "no:cacheprovider", "-p", "no:terminal"])
    gc.freeze()


@dataclass
class Run:
    """A child running one exercise's checks; ``wait`` turns whatever happens to it into results."""

    pid: int
    fd: int
    exercise: str
    functions: list[str]
    deadline: float
    started: float
    received: list[bytes] = field(default_factory=list)
    finished: bool = False  # True when the child sent its results; False for a crash or a time-out verdict

    def wait(self, timeout: float | None = None) -> list[CheckResult] | None:
        """The results, or None if ``timeout`` seconds passed first (the child keeps running)."""
        try:
            return self._wait(timeout)
        except BaseException:  # Ctrl-C or any failure of the caller: never leave the child running
            self.kill()
            raise

    def _wait(self, timeout: float | None) -> list[CheckResult] | None:
        limit = self.deadline if timeout is None else min(self.deadline, time.monotonic() + timeout)
        while True:
            ready, _, _ = select.select([self.fd], [], [], max(0.0, limit - time.monotonic()))
            if ready:
                chunk = os.read(self.fd, 1 << 16)
                if not chunk:
                    return self._finish(b"".join(self.received))
                self.received.append(chunk)
                continue
            if time.monotonic() >= self.deadline:
                self.kill()
                return self._verdict(f"took longer than {self.deadline - self.started:.0f} s in all and was stopped: "
                                     "is there a loop that never ends, or a very slow call?")
            if time.monotonic() >= limit:
                return None

    def kill(self) -> None:
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._reap()

    def _reap(self) -> int | None:
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return None
        finally:
            try:
                os.close(self.fd)
            except OSError:
                pass
        return status

    def _finish(self, data: bytes) -> list[CheckResult]:
        status = self._reap()
        if data:
            try:
                payload = json.loads(data)
                if "error" in payload:
                    return self._verdict(payload["error"])
                results = [result_from_json(item) for item in payload["results"]]
                self.finished = True
                return results
            except (ValueError, KeyError, TypeError):
                pass
        why = ended_because(status) if status is not None else "ended without a verdict"
        return self._verdict(why)

    def _verdict(self, why: str) -> list[CheckResult]:
        summary = f"the checks of {self.exercise} did not finish: running your code {why}"
        return [CheckResult(self.exercise, name, f"{self.exercise}::{name}", Status.ERROR,
                            Failure(Kind.LIMIT, summary, function=name)) for name in self.functions]


def ended_because(status: int) -> str:
    """How a child process ended, from its ``waitpid`` status, in a learner's words (after "running your code")."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
        if number == signal.SIGKILL:
            return "was killed (SIGKILL), most likely for using too much memory"
        if number == signal.SIGSEGV:
            return "crashed with a segmentation fault (SIGSEGV), as a C extension does on a bad pointer or index"
        return f"was ended by signal {name}"
    if os.WIFEXITED(status):
        return f"ended the process with exit code {os.WEXITSTATUS(status)} (os._exit or sys.exit in your code?)"
    return "ended without a verdict"


def start(test_path: Path, exercise: str, functions: list[str], *, seconds: float,
          impl: str | None = None, options: tuple[str, ...] = ()) -> Run:
    """Fork a child that runs the checks in ``test_path``; at most ``seconds`` before it is killed."""
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(write_end, test_path, impl, options)
    os.close(write_end)
    now = time.monotonic()
    return Run(pid, read_end, exercise, functions, now + seconds, now)


def _child(fd: int, test_path: Path, impl: str | None, options: tuple[str, ...]) -> None:
    code = 0
    try:
        os.setpgid(0, 0)  # its own group: a terminal's Ctrl-C reaches the parent, which decides
        end_with_parent()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDWR)
        for target in (0, 1, 2):  # prints at C level or os.write(1) must not draw over the parent's screen
            os.dup2(devnull, target)
        _limit_memory()
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        try:
            results = _run_checks(test_path, impl, options)
            payload = {"results": [result_to_json(r) for r in results]}
        except Exception as error:  # noqa: BLE001 - a usage error still becomes a verdict, not silence
            payload = {"error": f"stopped before any check ran: {error}"}
        data = json.dumps(payload).encode()
        while data:
            written = os.write(fd, data)
            data = data[written:]
    except BaseException:  # noqa: BLE001 - the parent reports a child that sends nothing
        code = 3
    finally:
        os._exit(code)


def _run_checks(test_path: Path, impl: str | None, options: tuple[str, ...]) -> list[CheckResult]:
    """pytest on one test file in this (child) process; its check records, as the plugin collected them."""
    import pytest

    from grader.plugin import collected_results

    class Collector:
        results: list[CheckResult] = []

        def pytest_sessionfinish(self, session) -> None:
            Collector.results = list(collected_results(session.config))

    args = [str(test_path), *CHILD_OPTIONS, *options] + (["--impl", str(impl)] if impl is not None else [])
    said = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(said):
        code = pytest.main(args, plugins=[Collector()])
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR) and not Collector.results:
        raise RuntimeError(said.getvalue().strip()[-2000:] or f"pytest stopped with {code!r}")
    return Collector.results


def end_with_parent() -> None:
    """Linux: the kernel ends this child when its parent dies (a closed terminal, a killed watch), since
    being in its own process group it would not get the terminal's hang-up."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _limit_memory() -> None:
    """Cap the child's address space a little above the warm parent's, so a runaway allocation fails
    (MemoryError, a crash verdict) instead of swapping the machine.

    Not on a machine with an NVIDIA driver: CUDA reserves far more address space than it uses, so
    a cap would break the GPU checks; there the time bound and the kernel's OOM killer remain.
    """
    if os.path.exists("/dev/nvidiactl"):
        return
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[0])
        size = pages * os.sysconf("SC_PAGE_SIZE") + MEMORY_HEADROOM
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or size < hard:
            resource.setrlimit(resource.RLIMIT_AS, (size, hard))
    except (OSError, ValueError):
        pass  # no /proc (macOS): the time bound still holds


def run(test_path: Path, exercise: str, functions: list[str], *, seconds: float, impl: str | None = None,
        options: tuple[str, ...] = ()) -> list[CheckResult]:
    """``start`` and wait for the verdict."""
    return start(test_path, exercise, functions, seconds=seconds, impl=impl, options=options).wait()


def hard_bound(exercise) -> float:
    """Seconds one exercise's checks may take in all before the child is stopped: generous beside the
    per-call limits (an endless loop fails its call after ``time_limit``; Hypothesis then stops that check)."""
    return 60.0 + 4 * sum(function.time_limit for function in exercise.functions)
