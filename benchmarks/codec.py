"""Benchmark the plain-data codec against the torch.save / torch.load path it replaced.

Each message is a worker's reply to one call (result, the arguments as the function left them,
NumPy view positions). Both paths run in the same process on the same messages: the old one
is ``torch.save`` into a buffer and ``torch.load(..., weights_only=True)`` (a zip per reply),
the new one ``codec.dumps`` and ``codec.loads``. Prints microseconds per encode+decode and the
ratio old / new for each size.

    .venv/bin/python benchmarks/codec.py [--repeat 300]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader import codec  # noqa: E402


def replies() -> dict[str, dict]:
    image = torch.rand(3, 32, 48)
    large = torch.rand(8, 3, 128, 128)
    return {
        "scalar (a float and a small tuple)": {"ok": {"result": 0.25, "args": ((3, 4), 2), "kwargs": {},
                                                      "numpy_views": []}},
        "image 3x32x48 + its channels-last view": {"ok": {"result": image.permute(1, 2, 0), "args": (image,),
                                                          "kwargs": {"dim": 0}, "numpy_views": []}},
        "batch 8x3x128x128 float32 (1.5 MiB)": {"ok": {"result": large.mean(1), "args": (large,), "kwargs": {},
                                                       "numpy_views": []}},
    }


def old_path(message) -> object:
    buffer = io.BytesIO()
    torch.save(message, buffer)
    return torch.load(io.BytesIO(buffer.getvalue()), weights_only=True)


def new_path(message) -> object:
    return codec.loads(codec.dumps(message))


def seconds_per_call(function, message, repeat: int) -> float:
    function(message)  # warm up
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(repeat):
            function(message)
        best = min(best, (time.perf_counter() - started) / repeat)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    options = parser.parse_args()
    print(f"{'reply':42} {'torch.save+load':>16} {'codec':>10} {'ratio':>7}  frame bytes")
    for name, message in replies().items():
        old = seconds_per_call(old_path, message, options.repeat)
        new = seconds_per_call(new_path, message, options.repeat)
        size = len(codec.dumps(message))
        print(f"{name:42} {old * 1e6:>13.0f} us {new * 1e6:>7.0f} us {old / new:>6.1f}x  {size}")


if __name__ == "__main__":
    main()
