"""Time a square matrix multiplication on the CPU and, when there is one, on the GPU.

    python exercises/07_devices/matmul_timing.py            # 32x32 and 2048x2048
    python exercises/07_devices/matmul_timing.py --large    # adds 8192x8192 (slow on a CPU)
    python exercises/07_devices/matmul_timing.py --repeats 10

Each size is multiplied ``--repeats`` times after one untimed warm-up run;
the table shows the mean and standard deviation of those runs in seconds and
how many times faster the GPU was. GPU work is queued and runs
asynchronously, so the clock is only read after ``synchronize()``: without it
you would time how long it takes to *queue* the work, not to do it.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch


def gpu_device() -> torch.device | None:
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return None


def wait_for(device: torch.device) -> None:
    """Block until every queued operation on ``device`` has finished."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def time_matmul(size: int, device: torch.device, repeats: int) -> list[float]:
    """Seconds taken by each of ``repeats`` products of two random size x size matrices."""
    a = torch.randn(size, size, device=device)
    b = torch.randn(size, size, device=device)
    a @ b  # warm-up: the first call pays for kernel selection and memory pools
    wait_for(device)
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        wait_for(device)
        seconds.append(time.perf_counter() - start)
    return seconds


def summary(seconds: list[float]) -> str:
    spread = statistics.stdev(seconds) if len(seconds) > 1 else 0.0
    return f"{statistics.mean(seconds):.4f} ± {spread:.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also time 8192x8192 (takes a while on a CPU)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per size (default 5)")
    args = parser.parse_args()
    sizes = [32, 2048] + ([8192] if args.large else [])
    repeats = max(1, args.repeats)

    cpu = torch.device("cpu")
    gpu = gpu_device()
    if gpu is None:
        where = "no GPU found: only the CPU is timed"
    elif gpu.type == "cuda":
        where = f"GPU: {torch.cuda.get_device_name(gpu)}"
    else:
        where = "GPU: Apple silicon (MPS)"
    print(f"CPU threads: {torch.get_num_threads()}; {where}; float32; {repeats} runs per size")

    rows = []
    for size in sizes:
        cpu_seconds = time_matmul(size, cpu, repeats)
        if gpu is None:
            gpu_text, speedup = "no GPU", "-"
        else:
            gpu_seconds = time_matmul(size, gpu, repeats)
            gpu_text = summary(gpu_seconds)
            speedup = f"{statistics.mean(cpu_seconds) / statistics.mean(gpu_seconds):.1f}x"
        rows.append((f"{size}x{size}", summary(cpu_seconds), gpu_text, speedup))

    headers = ("Matrix size", "CPU time (s)", "GPU time (s)", "Speed-up")
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
        for line in (headers, *rows):
            print("  ".join(cell.ljust(width) for cell, width in zip(line, widths)))
        return
    table = Table(title="Matrix multiplication, CPU vs GPU")
    for header in headers:
        table.add_column(header, justify="right")
    for row in rows:
        table.add_row(*row)
    Console().print(table)


if __name__ == "__main__":
    main()
