"""Reference solution for exercise 10 (storage and interop)."""

import io
from pathlib import Path

import numpy as np
import torch
from torch import Tensor


def as_float32_tensor(array: np.ndarray) -> Tensor:
    return torch.from_numpy(array).to(torch.float32)


def edited_row(points: Tensor, i: int, j: int, value: float) -> Tensor:
    row = points[i].clone()
    row[j] = value
    return row


def normalize_(x: Tensor) -> Tensor:
    low, high = x.min(), x.max()
    if low == high:
        return x.zero_()
    return x.sub_(low).div_(high - low)


def roundtrip(t: Tensor) -> Tensor:
    buffer = io.BytesIO()
    torch.save(t.clone(), buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


def read_rows(path: str | Path, dataset: str, start: int, stop: int | None) -> Tensor:
    import h5py

    with h5py.File(path, "r") as file:
        rows = file[dataset][start:stop]
    return torch.from_numpy(rows)
