"""pytest's run loop in a forked child, so a hard crash of learner code ends only that function's checks.

A segfault, ``os._exit`` or an out-of-memory kill inside a learner's function
would otherwise end ``pytest exercises/NN`` at once, with no verdict and no
table. After collection (torch and the framework already imported), this
plugin forks a child that runs the checks and sends each check's reports and
records back through a pipe, as JSON lines; the parent logs them with the
usual hooks, so the terminal, ``-x``, ``--lf`` and the end-of-run table work
as in a plain run. If the child dies during a check, the parent writes a
verdict for that check and the function's remaining checks, then forks a
fresh child for the rest. A call that the timer inside the child cannot
interrupt (``grader.guard``: stuck in C code, or its signal blocked) is
ended from here, ``STUCK_GRACE`` seconds past its limit.

Registered by ``grader.plugin`` as ``tensorlings-fork``; off where it cannot
or need not work: anywhere but Linux (Windows has no ``fork``, and macOS
cannot fork safely once Apple's frameworks are loaded), ``--pdb`` and
``--trace`` (a debugger wants this process), grading (its workers sandbox student code already),
validate and release recording (they keep state in this process), and any run
with a test that is not a course check (the framework's own tests).
``-p no:tensorlings-fork`` turns it off by hand.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import select
import signal
import sys
import tempfile
import time
from pathlib import Path

import pytest

from grader.isolated import end_with_parent, ended_because
from grader.records import result_from_json, result_to_json
from grader.results import CheckResult, Failure, Kind, Status

PLUGIN_NAME = "tensorlings-fork"


def memory_ceiling(config: pytest.Config) -> int:
    """Bytes of heap a child may add to what it starts with (``--memory-limit``, by default half the
    machine's memory), so a runaway list fails with MemoryError before the machine swaps or the kernel
    kills the run (RLIMIT_DATA, not RLIMIT_AS: CUDA reserves address space it never uses, see
    grader/grading/limit_policy.py)."""
    chosen = config.getoption("memory_limit", None)
    if chosen is not None:
        return int(chosen * 2**30)
    return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2


def applies(session: pytest.Session) -> bool:
    config = session.config
    from grader.checks import MARKER
    from grader.plugin import _factory_key

    return bool(
        sys.platform.startswith("linux")  # macOS forks unsafely once frameworks have started threads
        and session.items
        and not config.option.collectonly
        and not (session.testsfailed and not config.option.continue_on_collection_errors)
        and not config.getoption("usepdb", False) and not config.getoption("trace", False)
        and not config.getoption("tensorlings_record") and not config.getoption("tensorlings_variants")
        and config.stash.get(_factory_key, None) is None
        and not hasattr(config, "workerinput")  # a pytest-xdist worker
        and all(item.get_closest_marker(MARKER) is not None for item in session.items)
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> bool | None:
    if not applies(session):
        return None  # pytest's own loop
    remaining = list(range(len(session.items)))
    while remaining:
        remaining = _run_in_child(session, remaining)
        if session.shouldfail:
            raise session.Failed(session.shouldfail)
        if session.shouldstop:
            raise session.Interrupted(session.shouldstop)
    return True


# ---------------------------------------------------------------- the parent


# Seconds past its limit a call may run before its process is ended: the timer inside should have
# stopped it long before (grader.guard), unless the call is stuck in C code or blocks the timer's signal.
STUCK_GRACE = 2.0


def _run_in_child(session: pytest.Session, indexes: list[int]) -> list[int]:
    """Run ``indexes`` (of ``session.items``) in one child; the items still to run if it died."""
    from grader import guard

    crash_log = tempfile.TemporaryFile()
    clock = guard.CallClock()
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        guard.call_clock = clock
        _child(session, indexes, write_end, crash_log.fileno())
    os.close(write_end)
    follow = _Follower(session, indexes)
    stuck: float | None = None
    try:
        pending = b""
        while not follow.done and not follow.stop:
            ready, _, _ = select.select([read_end], [], [], 0.25)
            if not ready:
                stuck = clock.overdue(STUCK_GRACE)
                if stuck is not None:
                    break
                continue
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                if not follow.take(line):
                    break
        if follow.stop:
            return []
        if stuck is not None:
            _end_stuck_child(pid)
        status = _reap(pid)
        pid = None
        left = [index for index in indexes if index not in follow.finished]
        if follow.done or not left or session.shouldfail or session.shouldstop:
            return []
        if follow.afresh:
            return left
        crash_log.seek(0)
        return _after_a_crash(session, left, follow.started, status, crash_log.read().decode(errors="replace"),
                              stuck)
    finally:
        if pid is not None:  # Ctrl-C, -x or a failure here: never leave the child running
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            _reap(pid)
        os.close(read_end)
        crash_log.close()
        clock.memory.close()


def _end_stuck_child(pid: int) -> None:
    """SIGABRT first: faulthandler then writes where the call was stuck (the learner's line) before the end."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGABRT)
        for _ in range(20):
            if os.waitpid(pid, os.WNOHANG) != (0, 0):
                return
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)


class _Follower:
    """The parent's side of the pipe: each message from the child, logged with pytest's own hooks."""

    def __init__(self, session: pytest.Session, indexes: list[int]) -> None:
        self.session = session
        self.started: int | None = None
        self.finished: set[int] = set()
        self.done = False  # the child said it ran all it was given (an exit code of 0 alone may be os._exit(0))
        self.stop = False  # -x or --sw asked to stop
        self.afresh = False  # the child asked for a fresh one to run the rest (a call ran out of memory)

    def take(self, line: bytes) -> bool:
        """Log one message; False when nothing more should be read."""
        try:
            message = json.loads(line)
        except ValueError:
            return False  # a line cut short: the child died while writing it
        kind, index = message["kind"], message.get("index")
        if kind == "done":
            self.done = True
            return False
        if kind == "afresh":
            self.afresh = True
            return False
        item = self.session.items[index]
        if kind == "start":
            self.started = index
            item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
        elif kind == "report":
            _log_report(self.session, item, message)
        elif kind == "warning":
            _log_warning(item, message)
        elif kind == "finish":
            self.finished.add(index)
            item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
            if self.session.shouldfail or self.session.shouldstop:
                self.stop = True
                return False
        return True


def _reap(pid: int) -> int | None:
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return None


def _log_report(session: pytest.Session, item: pytest.Item, message: dict) -> None:
    from grader.plugin import _results_key, failure_repr

    data = message["report"]
    # JSON has no tuples: pytest wants its (file, line, text) ones back as they were
    data["location"] = tuple(data["location"])
    if isinstance(data.get("longrepr"), list):
        data["longrepr"] = tuple(data["longrepr"])
    data["sections"] = [tuple(section) for section in data.get("sections", [])]
    data["user_properties"] = [tuple(prop) for prop in data.get("user_properties", [])]
    report = session.config.hook.pytest_report_from_serializable(config=session.config, data=data)
    for name, value in report.user_properties:  # the record's text, with its first line for the short summary
        if name == "tensorlings" and isinstance(value, dict) and value.get("failure") and report.failed:
            report.longrepr = failure_repr(item, Failure.from_json(value["failure"]))
    session.config.stash[_results_key].extend(result_from_json(record) for record in message["records"])
    item.ihook.pytest_runtest_logreport(report=report)


def _log_warning(item: pytest.Item, message: dict) -> None:
    import warnings

    category = next((c for c in (DeprecationWarning, FutureWarning, RuntimeWarning, UserWarning)
                     if c.__name__ == message["category"]), UserWarning)
    record = warnings.WarningMessage(category(message["message"]), category, message["filename"], message["lineno"])
    item.ihook.pytest_warning_recorded.call_historic(
        kwargs={"warning_message": record, "when": "runtest", "nodeid": item.nodeid, "location": None})


def _after_a_crash(session: pytest.Session, left: list[int], started: int | None, status: int | None,
                   crash_log: str, stuck: float | None = None) -> list[int]:
    """Verdicts for the check the child died in and its function's other checks; the items still to run."""
    items = session.items
    crashed = started if started in left else left[0]
    item = items[crashed]
    function = _function_of(item)
    same_function = [i for i in left if i != crashed and _function_of(items[i]) == function
                     and items[i].path == item.path]
    if stuck is not None:
        why = f"took longer than {stuck:g} s and could not be interrupted (a long call into C code?)"
    elif status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == _OUT_OF_MEMORY:
        why = f"used more than the {memory_ceiling(session.config) / 2**30:.1f} GiB of memory a run of the checks may add"
    else:
        why = ended_because(status) if status is not None else "ended without a verdict"
    where = _learner_line(item, crash_log)
    others = f" Its other {len(same_function)} check(s) were not run." if same_function else ""
    advice = " The process running the checks was ended: is there a loop that never ends?" if stuck else _advice(status)
    summary = f"{function} {why}{where}, while running {item.name}.{advice}{others}"
    failure = Failure(Kind.LIMIT, summary, function=function, call=function)
    if crashed != started:
        item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    _log_verdict(session, item, failure)
    for index in same_function:
        if session.shouldfail or session.shouldstop:
            return []
        other = items[index]
        other.ihook.pytest_runtest_logstart(nodeid=other.nodeid, location=other.location)
        _log_verdict(session, other, Failure(
            Kind.LIMIT, f"not run: the process running the checks ended in an earlier check of {function} ({item.name})",
            function=function, call=function))
    return [i for i in left if i != crashed and i not in same_function]


def _advice(status: int | None) -> str:
    if status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) != _OUT_OF_MEMORY:
        return " A function must return its answer: remove the call that ends the program."
    if status is not None and (os.WIFEXITED(status) or os.WTERMSIG(status) == signal.SIGKILL):
        return " Is a list or tensor growing without end?"
    return ""


def _log_verdict(session: pytest.Session, item: pytest.Item, failure: Failure) -> None:
    """A check the child could not finish, reported as the plugin reports one (a WRONG verdict)."""
    from grader.plugin import _exercise_of, _results_key, failure_repr

    _, exercise = _exercise_of(item)
    report = pytest.TestReport(
        item.nodeid, item.location, {name: 1 for name in item.keywords}, "failed", failure_repr(item, failure), "call",
        user_properties=[("tensorlings", {"function": failure.function, "status": Status.WRONG.value,
                                          "failure": failure.to_json()})],
    )
    report.tensorlings_status = Status.WRONG.value
    session.config.stash[_results_key].append(
        CheckResult(exercise.id, failure.function or "", item.nodeid, Status.WRONG, failure))
    item.ihook.pytest_runtest_logreport(report=report)
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)


def _function_of(item: pytest.Item) -> str | None:
    from grader.checks import MARKER

    marker = item.get_closest_marker(MARKER)
    return marker.args[0] if marker else None


_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')


def _learner_line(item: pytest.Item, crash_log: str) -> str:
    """", at exercises/01_scale/scale.py line 5 (code)" from faulthandler's dump, when it names the learner's
    module (the innermost such frame comes first)."""
    from grader.plugin import _exercise_of, impl_root

    try:
        tree, exercise = _exercise_of(item)
        module = (impl_root(item.config, tree) / exercise.id / exercise.module).resolve()
    except (pytest.UsageError, OSError):
        return ""
    for found in _FRAME.finditer(crash_log):
        path = Path(found["file"])
        if path.is_absolute() and path.resolve() == module:
            line = int(found["line"])
            import linecache

            code = linecache.getline(str(module), line).strip()
            shown = os.path.relpath(module, item.config.invocation_params.dir)
            return f", at {shown} line {line}" + (f" ({code})" if code else "")
    return ""


# ---------------------------------------------------------------- the child

_DONE = 0  # the child's exit code when it ran every item it was given, or stopped as -x asked
_OUT_OF_MEMORY = 86  # the child's exit code when the checks themselves ran out of memory


def _child(session: pytest.Session, indexes: list[int], fd: int, crash_log: int) -> None:
    code = 1
    try:
        end_with_parent()
        _quiet_terminal(session.config)
        import faulthandler

        faulthandler.enable(file=crash_log)  # a segfault's frames, for the parent to find the learner's line
        _limit_memory(memory_ceiling(session.config))
        sender = _Sender(session, os.fdopen(fd, "w", buffering=1))
        session.config.pluginmanager.register(sender, "tensorlings-fork-sender")
        items = [session.items[i] for i in indexes]
        from grader.impl import exhausted

        for position, item in enumerate(items):
            nextitem = items[position + 1] if position + 1 < len(items) else None
            sender.index = indexes[position]
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
            if session.shouldfail or session.shouldstop:
                break
            if exhausted and nextitem is not None:
                # A learner's call ran out of memory: what it grew may not have gone back to the system,
                # and the next checks would fail for want of it. A fresh child runs the rest.
                sender.send({"kind": "afresh"})
                os._exit(_DONE)
        sender.send({"kind": "done"})
        code = _DONE
    except MemoryError:  # the learner's allocations left none for the checks themselves
        code = _OUT_OF_MEMORY
    except BaseException:  # noqa: BLE001 - Ctrl-C or a broken pipe: the parent decides what to say
        code = 1
    finally:
        os._exit(code)


def _quiet_terminal(config: pytest.Config) -> None:
    """The parent draws the terminal; the child's reporter writes to nowhere."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        from _pytest._io import TerminalWriter

        reporter._tw = TerminalWriter(open(os.devnull, "w"))  # noqa: SIM115 - lives as long as the child


def _limit_memory(ceiling: int) -> None:
    try:
        with open("/proc/self/status") as status:
            data_kib = int(next(line for line in status if line.startswith("VmData:")).split()[1])
        limit = data_kib * 1024 + ceiling
        soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
        if hard == resource.RLIM_INFINITY or limit < hard:
            resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    except (OSError, ValueError, StopIteration):
        pass  # no /proc (macOS): the kernel's own limits remain


def _collected(session: pytest.Session) -> list[CheckResult]:
    from grader.plugin import collected_results

    return collected_results(session.config)


class _Sender:
    """In the child: every report, record and warning goes to the parent instead of the terminal."""

    def __init__(self, session: pytest.Session, pipe) -> None:
        self.session = session
        self.pipe = pipe
        self.index = -1
        self.sent_records = len(_collected(session))  # the parent has those already

    def send(self, message: dict) -> None:
        self.pipe.write(json.dumps(message, default=str) + "\n")

    def pytest_runtest_logstart(self) -> None:
        self.send({"kind": "start", "index": self.index})

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        results = _collected(self.session)
        records = [result_to_json(r) for r in results[self.sent_records:]]
        self.sent_records = len(results)
        data = self.session.config.hook.pytest_report_to_serializable(config=self.session.config, report=report)
        self.send({"kind": "report", "index": self.index, "report": data, "records": records})

    def pytest_warning_recorded(self, warning_message, when, nodeid, location) -> None:
        if when != "runtest":
            return
        self.send({"kind": "warning", "index": self.index, "message": str(warning_message.message),
                   "category": warning_message.category.__name__, "filename": warning_message.filename,
                   "lineno": warning_message.lineno})

    def pytest_runtest_logfinish(self) -> None:
        self.send({"kind": "finish", "index": self.index})

