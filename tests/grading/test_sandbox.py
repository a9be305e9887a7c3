"""The sandbox trusts nothing a worker says and holds nothing unbounded.

Each test starts a real fork server and serves one student's 03_strides module (the reference
solution with one function replaced) to ``RemoteSubmission``, as grading does, without the
rest of a grading run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from grader import codec
from grader.course import load_course
from grader.grading import worker as worker_module
from grader.grading.pool import free_uid_base
from grader.grading.remote import Batch, PlannedCall, RemoteSubmission, StudentContext, _answer_key
from grader.grading.worker import ForkServer, Limits, Sandbox
from grader.outcomes import Mismatch

ROOT = Path(__file__).resolve().parents[2]
EXERCISE = "03_strides"
SOLUTION = (ROOT / "solutions" / EXERCISE / "strides.py").read_text()

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform != "linux", reason="workers need fork (Linux)")


def _replace(body: str, prelude: str = "") -> str:
    """The solution with ``contiguous_strides`` replaced (a later def wins) and ``prelude`` run at import."""
    indented = "\n".join("    " + line for line in body.strip("\n").splitlines())
    return f"{SOLUTION}\n{prelude}\n\ndef contiguous_strides(shape):\n{indented}\n"


@pytest.fixture(scope="module")
def exercise():
    return load_course(ROOT).manifest.exercise(EXERCISE)


@pytest.fixture
def server(tmp_path):
    limits = Limits(call_seconds=20.0, scratch_bytes=32 << 20)
    fork_server = ForkServer(tmp_path / "server.sock", Sandbox(), limits)
    fork_server.start()
    yield fork_server
    fork_server.stop()


def _student(tmp_path: Path, server: ForkServer, exercise, name: str, source: str, uid: int) -> RemoteSubmission:
    home = tmp_path / "students" / name
    (home / EXERCISE).mkdir(parents=True)
    (home / EXERCISE / "strides.py").write_text(source)
    context = StudentContext(name, home, server.socket_path, uid, server.limits)
    return RemoteSubmission(context, exercise)


def _mount_namespace() -> bool:
    return worker_module.probe()["mount namespace"]


# ---------------------------------------------------------------- who a worker is


def test_a_worker_that_lies_about_its_pid_cannot_make_the_grader_kill_another_process(tmp_path, server, exercise):
    victim = subprocess.Popen(["sleep", "60"])
    try:
        # At import, before the real hello, the student writes a hello of its own on the socket
        # naming the victim: the grader used to take the pid from the first frame and SIGKILL it.
        lie = (f"import os, stat, struct\nfrom grader import codec\n"
               f"frame = codec.dumps({{'pid': {victim.pid}, 'problem': None, 'missing': []}})\n"
               "for fd in range(3, 64):\n"
               "    try:\n"
               "        if stat.S_ISSOCK(os.fstat(fd).st_mode):\n"
               "            os.write(fd, struct.pack('!Q', len(frame)) + frame)\n"
               "    except OSError:\n"
               "        pass\n")
        student = _student(tmp_path, server, exercise, "liar", _replace("return (1,)", lie), free_uid_base(1))
        worker = student.worker()
        assert worker.pid != victim.pid
        assert open(f"/proc/{worker.pid}/stat").read().split()[3] == str(server.pid)  # forked by the server
        student.context.stop_worker()
        time.sleep(0.2)
        assert victim.poll() is None, "the grader killed the process the worker named"
    finally:
        victim.kill()
        victim.wait()


def test_closing_a_worker_kills_the_process_the_server_forked(tmp_path, server, exercise):
    student = _student(tmp_path, server, exercise, "honest", SOLUTION, free_uid_base(1))
    pid = student.worker().pid
    assert student.contiguous_strides((2, 3)) == (3, 1)
    student.context.stop_worker()
    deadline = time.monotonic() + 5
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not os.path.exists(f"/proc/{pid}")


# ---------------------------------------------------------------- what a worker returns


def test_a_broadcast_result_of_a_trillion_elements_is_a_wrong_answer_not_a_crash(tmp_path, server, exercise):
    source = _replace("import torch\nreturn torch.zeros(1).expand(10**6, 10**6)")
    student = _student(tmp_path, server, exercise, "huge", source, free_uid_base(1))
    with pytest.raises(Mismatch, match=r"returned a tensor of 1,000,000,000,000 elements") as raised:
        student.contiguous_strides((2, 3))
    assert raised.value.failure.kind == "shape"
    student.context.stop_worker()


def test_batched_replies_are_spooled_one_at_a_time_not_kept_in_memory(tmp_path, server, exercise):
    source = _replace("import torch\nreturn torch.zeros(1 << 20)")  # 4 MiB a reply
    student = _student(tmp_path, server, exercise, "big", source, free_uid_base(1))
    shapes = [(n, 2) for n in range(1, 9)]
    calls = []
    for shape in shapes:
        call = codec.dumps(((shape,), {}))
        calls.append(PlannedCall("contiguous_strides", _answer_key("contiguous_strides", (shape,), {}),
                                 {"name": "contiguous_strides", "call": call}))
    student.batch = Batch(calls)
    student.run_batch()
    kept = list(student.answers.values())
    assert len(kept) == len(shapes)
    assert all(answer[0] == "spooled" and isinstance(answer[1], int) for answer in kept)
    assert sum(answer[2] for answer in kept) > 8 * (4 << 20)  # the replies are on disk, not here
    result = student.contiguous_strides(shapes[3])
    assert isinstance(result, torch.Tensor) and result.numel() == 1 << 20
    student.context.stop_worker()


# ---------------------------------------------------------------- private writable space


PLACES = ["/dev/shm", "/var/tmp", "/run/lock", "/tmp"]


@pytest.mark.skipif(os.geteuid() != 0, reason="private mounts need root (grading runs as root)")
def test_what_one_student_writes_is_gone_for_the_next_student_in_the_slot(tmp_path, server, exercise):
    if not _mount_namespace():
        pytest.skip("this machine gives no mount namespace")
    uid = free_uid_base(1)
    places = [p for p in PLACES if os.path.isdir(p)]
    writer = _replace(
        "import os\nwritten = []\n"
        f"for place in {places!r} + [os.environ['HOME']]:\n"
        "    try:\n"
        "        with open(os.path.join(place, 'tensorlings-secret'), 'w') as f:\n"
        "            f.write('answer key')\n"
        "        written.append(place)\n"
        "    except OSError as error:\n"
        "        written.append(str(error))\n"
        "return tuple(written)")
    reader = _replace(
        "import os\nfound = []\n"
        f"for place in {places!r} + [os.environ['HOME']]:\n"
        "    if os.path.exists(os.path.join(place, 'tensorlings-secret')):\n"
        "        found.append(place)\n"
        "return tuple(found)")
    a = _student(tmp_path, server, exercise, "a", writer, uid)
    written = a.contiguous_strides((2,))
    assert len(written) == len(places) + 1 and all(w.startswith("/") and " " not in w for w in written), written
    a.context.stop_worker()
    b = _student(tmp_path, server, exercise, "b", reader, uid)
    assert b.contiguous_strides((2,)) == ()
    b.context.stop_worker()
    for place in places:  # nor did anything reach the machine's own folders
        assert not os.path.exists(os.path.join(place, "tensorlings-secret"))


@pytest.mark.skipif(os.geteuid() != 0, reason="private mounts need root (grading runs as root)")
def test_a_workers_writes_are_bounded_in_total(tmp_path, server, exercise):
    if not _mount_namespace():
        pytest.skip("this machine gives no mount namespace")
    hog = _replace(
        "import os\ntotal = 0\nchunk = b'x' * (1 << 20)\n"
        "for place in ['/var/tmp', '/dev/shm', '/tmp']:\n"
        "    for i in range(64):\n"
        "        try:\n"
        "            with open(os.path.join(place, f'hog{i}'), 'wb') as f:\n"
        "                f.write(chunk * 4)\n"
        "            total += 4 << 20\n"
        "        except OSError:\n"
        "            break\n"
        "return (total,)")
    student = _student(tmp_path, server, exercise, "hog", hog, free_uid_base(1))
    (total,) = student.contiguous_strides((2,))
    assert 0 < total <= server.limits.scratch_bytes
    student.context.stop_worker()


# ---------------------------------------------------------------- CUDA and the fork


def test_the_fork_server_refuses_to_start_after_cuda_was_started(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: True)  # a stand-in for a started GPU
    fork_server = ForkServer(tmp_path / "s.sock", Sandbox(), Limits())
    with pytest.raises(RuntimeError, match="started CUDA before forking"):
        fork_server.start()
    assert fork_server.pid is None


def test_cuda_is_not_started_in_the_fork_server_before_it_forks_a_worker(tmp_path, monkeypatch, exercise):
    seen = tmp_path / "asked"
    real = torch.cuda.is_initialized

    def asked() -> bool:  # the fork server is a forked copy: it reports through a file
        with open(seen, "a") as f:
            f.write(f"{os.getpid()} {real()}\n")
        return real()

    monkeypatch.setattr(torch.cuda, "is_initialized", asked)
    fork_server = ForkServer(tmp_path / "s.sock", Sandbox(), Limits(call_seconds=20.0))
    fork_server.start()
    server_pid = fork_server.pid
    try:
        student = _student(tmp_path, fork_server, exercise, "one", SOLUTION, free_uid_base(1))
        assert student.contiguous_strides((2, 3)) == (3, 1)
        student.context.stop_worker()
    finally:
        fork_server.stop()
    answers = [line.split() for line in seen.read_text().splitlines()]
    in_server = [value for pid, value in answers if int(pid) == server_pid]
    assert in_server and set(in_server) == {"False"}
    assert not torch.cuda.is_initialized()


def test_a_worker_inherits_the_fork_servers_objects_frozen(tmp_path, exercise):
    """The garbage collector of a worker never walks what the fork server loaded (torch, the framework):
    a worker that inherited a collector due for a full collection spent ~100 ms of CPU walking them."""
    import gc

    gc.unfreeze()  # as a grading run's process is when it starts its fork server (this test process froze)
    try:
        fork_server = ForkServer(tmp_path / "server.sock", Sandbox(), Limits(call_seconds=20.0, scratch_bytes=32 << 20))
        fork_server.start()
    finally:
        gc.freeze()
    try:
        source = _replace("import gc\nreturn (gc.get_freeze_count(),)")
        student = _student(tmp_path, fork_server, exercise, "frozen", source, free_uid_base(1))
        (frozen,) = student.contiguous_strides((2, 3))
        student.context.stop_worker()
    finally:
        fork_server.stop()
    assert frozen > 10_000   # torch alone brings hundreds of thousands of objects
