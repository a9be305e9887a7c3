"""Exercise 01: tensors, their shapes, slices and dtypes.

Read README.md in this folder first, then replace each ``raise
NotImplementedError`` with your code.
"""

import torch
from torch import Tensor


def points_tensor() -> Tensor:
    """Three 2-D points as a fresh tensor.

    Returns:
        A new float32 tensor of shape ``(3, 2)`` on the CPU, one point per
        row, holding ``(4, 1)``, ``(5, 3)`` and ``(2, 1)`` in that order.
    """
    # TODO: build it from a nested Python list, and mind the dtype.
    raise NotImplementedError


def rank_and_shape(t: Tensor) -> tuple[int, tuple[int, ...]]:
    """The rank (number of axes) of ``t`` and its shape.

    Args:
        t: any tensor, of any rank from 0 (a scalar) upwards, any dtype,
            any device. It must not be modified.

    Returns:
        ``(rank, shape)`` where ``rank`` is a Python ``int`` and ``shape`` is a
        plain Python ``tuple`` of ``int`` with one entry per axis. A scalar
        tensor has rank 0 and shape ``()``; size-1 axes count like any other.
    """
    # TODO: a tensor knows how many axes it has; turn its shape into a tuple.
    raise NotImplementedError


def crop_center(images: Tensor, size: tuple[int, int]) -> Tensor:
    """The central ``size`` window of the last two axes, as a view.

    Args:
        images: a tensor of shape ``(..., H, W)``: any number of leading dims
            (none for one image), any dtype, any device, any memory layout.
            It must not be modified.
        size: ``(h, w)`` with ``1 <= h <= H`` and ``1 <= w <= W``.

    Returns:
        A view of ``images`` (it shares storage, nothing is copied) of shape
        ``(..., h, w)``. The window starts at row ``(H - h) // 2`` and column
        ``(W - w) // 2``: when a margin cannot be split evenly, the extra row
        or column is left out at the bottom or right.
    """
    # TODO: compute the first row and column, then slice only the last two axes.
    raise NotImplementedError


def promoted_dtype(a: torch.dtype, b: torch.dtype) -> torch.dtype:
    """The dtype PyTorch gives the result of an operation on two tensors.

    Args:
        a, b: the dtypes of two tensors of the same rank, for example the
            operands of ``x * y``. Any of bool, uint8, int8, int16, int32,
            int64, float16, float32, float64.

    Returns:
        The dtype of ``x * y`` for tensors ``x`` of dtype ``a`` and ``y`` of
        dtype ``b`` (both with at least one axis). The order of the arguments
        does not matter.
    """
    # TODO: let PyTorch tell you: there is a function for this, or try a tiny operation.
    raise NotImplementedError


def to_dtype_like(x: Tensor, other: Tensor) -> Tensor:
    """The values of ``x`` converted to the dtype of ``other``.

    Args:
        x: any tensor (integer or floating point) on any device. It must not
            be modified.
        other: a tensor whose dtype is wanted; its values and shape do not
            matter.

    Returns:
        A tensor with the shape and device of ``x`` and the dtype of
        ``other`` (not the promoted dtype of the two). Converting floats to
        an integer dtype truncates towards zero, as PyTorch's own conversion
        does: ``-2.7`` becomes ``-2``. When ``x`` already has that dtype,
        ``x`` itself may be returned.
    """
    # TODO: one conversion call; only the dtype of other is needed.
    raise NotImplementedError
