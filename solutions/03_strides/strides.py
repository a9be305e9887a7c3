"""Reference solution for exercise 03: strides and storage offsets."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor


def contiguous_strides(shape: Sequence[int]) -> tuple[int, ...]:
    """Row-major strides, with size-0 axes counted as size 1."""
    strides = []
    step = 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def storage_index(index: Sequence[int], strides: Sequence[int], offset: int = 0) -> int:
    """offset + sum of index[k] * strides[k]."""
    return offset + sum(i * s for i, s in zip(index, strides))


def transpose_strides(strides: Sequence[int], dim0: int, dim1: int) -> tuple[int, ...]:
    """Swap the strides of two axes."""
    swapped = list(strides)
    dim0, dim1 = dim0 % len(swapped), dim1 % len(swapped)
    swapped[dim0], swapped[dim1] = swapped[dim1], swapped[dim0]
    return tuple(swapped)


def is_contiguous(shape: Sequence[int], strides: Sequence[int]) -> bool:
    """PyTorch's default contiguity rule."""
    if 0 in shape:
        return True
    expected = 1
    for size, stride in zip(reversed(shape), reversed(strides)):
        if size != 1 and stride != expected:
            return False
        expected *= size
    return True


def strided_view(storage: Tensor, shape: Sequence[int], strides: Sequence[int], offset: int = 0) -> Tensor:
    """A copy of the values the strided view would show, gathered by indexing."""
    positions = torch.tensor(offset, device=storage.device)
    for size, stride in zip(shape, strides):
        steps = torch.arange(size, device=storage.device) * stride
        positions = positions.unsqueeze(-1) + steps
    return storage[positions]
