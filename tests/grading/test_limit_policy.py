"""The limit policy, decided from a machine description: both kinds of machine are tested here."""

from __future__ import annotations

import pytest
import torch

from grader.grading import limit_policy
from grader.grading.limit_policy import (
    CGROUP_BASE_BYTES,
    CUDA_THREAD_ROOM,
    LimitPlan,
    Machine,
    describe_machine,
    enter_cgroup,
    plan_limits,
)
from grader.grading.worker import Sandbox, _hidden_roots

GiB = 1 << 30


def test_a_cgroup_v2_machine_bounds_memory_with_memory_max_even_with_cuda(tmp_path):
    for cuda in (False, True):
        plan = plan_limits(Machine(cgroup2=tmp_path, cuda_possible=cuda, root=True), 2 * GiB, 64, "uid-64000")
        assert plan.memory == "cgroup"
        assert plan.memory_bytes == 2 * GiB + CGROUP_BASE_BYTES
        assert plan.cgroup == tmp_path / "tensorlings" / "uid-64000"
        assert plan.processes == 64 + (CUDA_THREAD_ROOM if cuda else 0)
        assert plan.fallback == ("data" if cuda else "address space")  # never RLIMIT_AS with CUDA


def test_a_cuda_machine_without_cgroups_never_gets_an_address_space_limit():
    plan = plan_limits(Machine(cgroup2=None, cuda_possible=True, root=True), 2 * GiB, 64, "uid-64000")
    assert plan.memory == "data"
    assert plan.processes == 64 + CUDA_THREAD_ROOM  # room for CUDA's own threads
    assert "RLIMIT_AS" in plan.notes[0]


def test_a_cpu_machine_without_cgroups_keeps_the_address_space_limit():
    plan = plan_limits(Machine(cgroup2=None, cuda_possible=False, root=True), 2 * GiB, 64, "uid-64000")
    assert plan == LimitPlan("address space", 2 * GiB, 64)


def test_cgroups_need_root_to_be_created(tmp_path):
    plan = plan_limits(Machine(cgroup2=tmp_path, cuda_possible=True, root=False), GiB, 64, "uid-1")
    assert plan.memory == "data"


def test_describe_machine_reads_cgroup_controllers_and_device_files_without_starting_cuda(tmp_path, monkeypatch):
    cgroups, dev = tmp_path / "cgroup", tmp_path / "dev"
    cgroups.mkdir()
    dev.mkdir()
    (cgroups / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    monkeypatch.setattr(torch.version, "cuda", "12.8")
    assert describe_machine(cgroups, dev).cgroup2 == cgroups
    assert describe_machine(cgroups, dev).cuda_possible is False  # no device file
    for name in ("nvidiactl", "nvidia-uvm", "nvidia0"):
        (dev / name).touch()
    assert describe_machine(cgroups, dev).cuda_possible is True
    assert [p.name for p in limit_policy.nvidia_device_files(dev)] == ["nvidia-uvm", "nvidia0", "nvidiactl"]
    monkeypatch.setattr(torch.version, "cuda", None)  # a CPU build of torch
    assert describe_machine(cgroups, dev).cuda_possible is False
    (cgroups / "cgroup.controllers").write_text("cpu io\n")  # v2, but no memory controller delegated
    assert describe_machine(cgroups, dev).cgroup2 is None
    assert not torch.cuda.is_initialized()


def test_a_cgroup_v1_machine_is_not_taken_for_v2(tmp_path):
    (tmp_path / "memory").mkdir()  # v1: one folder per controller, no cgroup.controllers
    assert describe_machine(tmp_path, tmp_path).cgroup2 is None


def test_entering_a_cgroup_writes_its_bounds_and_the_pid(tmp_path):
    for folder in (tmp_path, tmp_path / "tensorlings"):
        folder.mkdir(exist_ok=True)
        (folder / "cgroup.subtree_control").write_text("")
    plan = plan_limits(Machine(cgroup2=tmp_path, cuda_possible=True, root=True), GiB, 64, "uid-64003")
    enter_cgroup(plan, 4242)
    slot = tmp_path / "tensorlings" / "uid-64003"
    assert (slot / "memory.max").read_text() == str(GiB + CGROUP_BASE_BYTES)
    assert (slot / "pids.max").read_text() == str(64 + CUDA_THREAD_ROOM)
    assert (slot / "memory.swap.max").read_text() == "0"
    assert (slot / "cgroup.procs").read_text() == "4242"
    assert (tmp_path / "cgroup.subtree_control").read_text() == "+memory +pids"


def test_entering_a_cgroup_the_machine_refuses_raises_oserror(tmp_path):
    plan = LimitPlan("cgroup", GiB, 64, cgroup=tmp_path / "missing-root" / "tensorlings" / "uid-1")
    with pytest.raises(OSError):
        enter_cgroup(plan, 1)


def test_the_gpu_device_files_stay_visible_whatever_the_course_hides():
    sandbox = Sandbox(hide=["/dev", "/tmp", "/usr/share"])
    assert _hidden_roots(sandbox) == ["/usr/share"]  # /tmp is the worker's private space instead


def test_empty_slot_cgroups_are_removed(tmp_path):
    for name in ("uid-64000", "uid-64001"):
        (tmp_path / "tensorlings" / name).mkdir(parents=True)
    (tmp_path / "tensorlings" / "uid-64001" / "cgroup.procs").write_text("")  # a stand-in for a busy one
    limit_policy.remove_cgroups(tmp_path)
    assert [p.name for p in (tmp_path / "tensorlings").iterdir()] == ["uid-64001"]
