"""How a worker's memory and processes are bounded on this machine, decided from a description of it.

The decision is a pure function of a ``Machine`` (is there a cgroup v2 hierarchy with the
``memory`` and ``pids`` controllers? may CUDA be used?), so both cases are tested on any
machine. Why each choice:

- **cgroup v2 ``memory.max``** where the machine offers one: the kernel counts what a worker
  really uses (resident pages, page cache, tmpfs writes) and kills it past the bound. Virtual
  address space is not counted, so CUDA, which reserves terabytes of address space it never
  touches, starts normally. ``pids.max`` bounds processes and threads in the same place.
- **``RLIMIT_DATA``** where there is no usable cgroup but CUDA may be used: it counts private
  writable mappings (the heap, anonymous memory), not the address space CUDA reserves with
  ``PROT_NONE``, so CUDA still initialises. It does not count shared memory, which the tmpfs
  size bounds instead.
- **``RLIMIT_AS``** only where CUDA cannot be used: the tightest bound an unprivileged process
  can get, but ``cudaGetDeviceCount`` fails with "out of memory" under it.

Threads: ``RLIMIT_NPROC`` counts threads of the worker uid. CUDA starts a few threads of its
own (and the driver more per device), so a worker that may use CUDA gets room for them on top
of the students' allowance.

Nothing here initialises CUDA: whether CUDA *may* be used is read from the torch build and
the device files, never by asking the driver (a forked child cannot use CUDA a parent started).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
# The worker's own Python, torch and NumPy pages it touches after the fork, on top of the
# student's allowance: a cgroup counts them, an rlimit set relative to the start does not.
CGROUP_BASE_BYTES = 512 << 20
# Threads CUDA and its driver start in a process (a handful per device, with margin).
CUDA_THREAD_ROOM = 64
# The device files a CUDA worker needs; they stay visible inside the mount namespace.
NVIDIA_DEVICE_GLOB = "nvidia*"


@dataclass(frozen=True)
class Machine:
    """What the limits depend on."""

    cgroup2: Path | None       # the cgroup v2 mount, when it offers the memory and pids controllers
    cuda_possible: bool        # torch is built with CUDA and a device file exists
    root: bool                 # may create cgroups and set uid limits


@dataclass(frozen=True)
class LimitPlan:
    """The limits one worker gets: which memory bound, and the values."""

    memory: str                                  # "cgroup", "data" or "address space"
    memory_bytes: int                            # the bound (for rlimits: headroom above the start)
    processes: int                               # RLIMIT_NPROC (threads count), and pids.max
    cgroup: Path | None = None                   # the cgroup the workers of a slot go into
    fallback: str = "address space"              # the rlimit used where the cgroup is refused
    notes: list[str] = field(default_factory=list)  # why, for the instructor


def describe_machine(cgroup_root: Path = CGROUP_ROOT, dev: Path = Path("/dev")) -> Machine:
    """This machine, read without starting CUDA."""
    return Machine(cgroup2=cgroup_root if _cgroup2_usable(cgroup_root) else None,
                   cuda_possible=cuda_possible(dev), root=os.geteuid() == 0)


def cuda_possible(dev: Path = Path("/dev")) -> bool:
    """Whether a worker may use CUDA: torch built with it and a GPU device file present.

    ``torch.cuda.is_available()`` is not asked: it starts the driver in this process.
    """
    try:
        import torch

        built = torch.version.cuda is not None
    except ImportError:
        return False
    return built and any(p.name[len("nvidia"):].isdigit() for p in dev.glob(NVIDIA_DEVICE_GLOB))


def nvidia_device_files(dev: Path = Path("/dev")) -> list[Path]:
    """The NVIDIA device files (``nvidia0``, ``nvidiactl``, ``nvidia-uvm``, ...) a worker must see."""
    return sorted(dev.glob(NVIDIA_DEVICE_GLOB))


def _cgroup2_usable(root: Path) -> bool:
    controllers = root / "cgroup.controllers"
    with contextlib.suppress(OSError):
        return {"memory", "pids"} <= set(controllers.read_text().split())
    return False


def plan_limits(machine: Machine, memory_bytes: int, processes: int, slot: str) -> LimitPlan:
    """The limits of a worker of grading slot ``slot`` on ``machine``."""
    threads = processes + (CUDA_THREAD_ROOM if machine.cuda_possible else 0)
    if machine.cgroup2 is not None and machine.root:
        return LimitPlan("cgroup", memory_bytes + CGROUP_BASE_BYTES, threads,
                         cgroup=machine.cgroup2 / "tensorlings" / slot,
                         fallback="data" if machine.cuda_possible else "address space",
                         notes=["memory bounded by a cgroup v2 memory.max (real use, not address space)"])
    if machine.cuda_possible:
        return LimitPlan("data", memory_bytes, threads,
                         notes=["memory bounded by RLIMIT_DATA: CUDA cannot start under RLIMIT_AS, "
                                "and this machine offers no cgroup v2 memory controller"])
    return LimitPlan("address space", memory_bytes, threads)


def enter_cgroup(plan: LimitPlan, pid: int) -> None:
    """Put process ``pid`` into its slot's cgroup, creating it with the plan's bounds.

    The cgroup hangs under the hierarchy's root, which (alone) may hold processes and enable
    controllers for its children at once. Raises OSError where that is refused.
    """
    assert plan.cgroup is not None
    parent = plan.cgroup.parent
    for folder in (parent, plan.cgroup):
        folder.mkdir(exist_ok=True)
    _enable_controllers(parent.parent)
    _enable_controllers(parent)
    (plan.cgroup / "memory.max").write_text(str(plan.memory_bytes))
    with contextlib.suppress(OSError):  # absent where swap accounting is off
        (plan.cgroup / "memory.swap.max").write_text("0")
    (plan.cgroup / "pids.max").write_text(str(plan.processes))
    (plan.cgroup / "cgroup.procs").write_text(str(pid))


def remove_cgroups(root: Path = CGROUP_ROOT) -> None:
    """Remove the slots' cgroups that no process is in (the kernel refuses the others)."""
    for folder in (root / "tensorlings").glob("uid-*"):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _enable_controllers(folder: Path) -> None:
    control = folder / "cgroup.subtree_control"
    with contextlib.suppress(OSError):
        if {"memory", "pids"} <= set(control.read_text().replace("+", "").split()):
            return
    control.write_text("+memory +pids")
