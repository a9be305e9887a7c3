"""Exercise 10: storage, NumPy, in-place operations and files.

A tensor is a view of a storage: one flat block of memory plus a shape,
strides and an offset. Several tensors, and NumPy arrays too, can look
into the same block, so a write through one shows up in the others. These
functions make that sharing deliberate: keep it where it saves a copy,
break it where it would surprise. Read README.md in this folder first.
"""

from pathlib import Path

import numpy as np
import torch  # noqa: F401 (you will need it)
from torch import Tensor


def as_float32_tensor(array: np.ndarray) -> Tensor:
    """A float32 tensor with the values of a NumPy array, without copying when possible.

    Args:
        array: a NumPy array of any shape, with a numeric dtype (float32,
            float64, an integer type, ...) and non-negative strides (it may
            be non-contiguous, e.g. a slice or a transpose). Not modified.

    Returns:
        A CPU tensor of dtype float32 and the array's shape, with the same
        values (integers are converted, not rescaled). When the array is
        already float32, the tensor shares the array's memory: writing into
        one changes the other, and no copy is made, however the array is
        laid out. Otherwise it is a new float32 tensor (a conversion has to
        copy). Remember that NumPy's default float is float64.
    """
    # TODO: wrap the array without copying, then convert the dtype only if needed.
    raise NotImplementedError


def edited_row(points: Tensor, i: int, j: int, value: float) -> Tensor:
    """Row ``i`` of ``points`` as an independent tensor, with element ``j`` set to ``value``.

    Args:
        points: a tensor of shape ``(N, D)`` in any memory layout. It must
            NOT be modified, neither by this call nor by later writes into
            the returned tensor.
        i: a row index, ``0 <= i < N``.
        j: a column index, ``0 <= j < D``.
        value: the new value of element ``j``.

    Returns:
        A new tensor of shape ``(D,)`` with the dtype and device of
        ``points``: ``points[i]`` except that element ``j`` is ``value``.
        It shares no memory with ``points``.
    """
    # TODO: take the row, make it independent of points, then write the value.
    raise NotImplementedError


def normalize_(x: Tensor) -> Tensor:
    """Rescale ``x`` in place so its smallest value becomes 0 and its largest 1.

    The trailing underscore is PyTorch's naming convention for in-place
    operations (``add_``, ``mul_``, ``zero_``): they change the tensor they
    are called on and return that same tensor.

    Args:
        x: a float32 or float64 tensor with at least one element, any shape,
            any memory layout (also non-contiguous), on any device.

    Returns:
        ``x`` itself (the same Python object), after every element ``v`` of
        it has been replaced by ``(v - min) / (max - min)``, where ``min``
        and ``max`` are taken over all of ``x`` before the change. When all
        elements are equal, every element becomes 0. No new tensor of x's
        size is allocated for the result: work on x's own memory.
    """
    # TODO: find min and max first, then change x with in-place operations only.
    raise NotImplementedError


def roundtrip(t: Tensor) -> Tensor:
    """Save ``t`` with ``torch.save`` into memory and load it back.

    Use an ``io.BytesIO`` buffer in place of a file, and load with
    ``torch.load(..., weights_only=True)``, which reads tensors and plain
    containers only and refuses to run arbitrary pickled code.

    Args:
        t: a tensor of any shape, dtype and memory layout, on any device. It
            may be a view into a much larger tensor. Not modified.

    Returns:
        The loaded tensor: same shape, dtype, device and values as ``t``.
        It shares no memory with ``t``, and its storage holds exactly
        ``t.numel()`` elements: only ``t``'s own elements are written, never
        the rest of a larger storage that ``t`` is a view of.
    """
    # TODO: torch.save a copy of t that owns just its elements, seek back to 0, torch.load.
    raise NotImplementedError


def read_rows(path: str | Path, dataset: str, start: int, stop: int | None) -> Tensor:
    """Read rows ``start:stop`` of one dataset in an HDF5 file, and no other rows.

    Args:
        path: an HDF5 file (``str`` or ``Path``); open it read-only.
        dataset: the dataset's name in the file, e.g. ``"coords"`` or
            ``"images/train"`` (a dataset inside a group).
        start, stop: the rows to read, with Python's slice rules along the
            first axis: ``stop`` is excluded, negative numbers count from
            the end, ``None`` for ``stop`` means "to the end", and bounds
            past the end are clipped.

    Returns:
        A CPU tensor with the dataset's dtype holding exactly
        ``dataset[start:stop]``: the first axis is cut, any other axes are
        kept whole. Slice the dataset object itself, so that h5py reads only
        those rows from disk, and copy them out before the file is closed.
    """
    # TODO: open with h5py.File(path, "r"), slice the dataset, turn the NumPy result into a tensor.
    raise NotImplementedError
