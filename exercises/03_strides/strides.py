"""Exercise 03: strides and storage offsets.

A tensor is a window onto a flat, one-dimensional storage. Three pieces of
metadata describe the window: the shape, the storage offset (where element
(0, 0, ...) lives) and the strides (how many storage elements to skip to
move one step along each axis). Here you compute them yourself.

Run the checks with ``pytest exercises/03_strides``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch  # noqa: F401  (you will need it)
from torch import Tensor


def contiguous_strides(shape: Sequence[int]) -> tuple[int, ...]:
    """The strides of a freshly allocated (row-major) tensor of ``shape``.

    The same tuple as ``torch.empty(shape).stride()``: the last axis has
    stride 1 and each other axis skips over one full block of the axes after
    it. An axis of size 0 counts as size 1 when the blocks are multiplied
    out, so ``contiguous_strides((3, 0, 2))`` is ``(2, 2, 1)``. A 0-d shape
    ``()`` has strides ``()``. Returns a tuple of Python ints.
    """
    # TODO: walk the shape from the last axis to the first.
    raise NotImplementedError


def storage_index(index: Sequence[int], strides: Sequence[int], offset: int = 0) -> int:
    """The position in storage of the element at ``index``.

    ``index`` and ``strides`` have the same length (one entry per axis) and
    ``offset`` is the tensor's storage offset. Returns a Python int, the
    same number at which ``tensor[index]`` is found in
    ``tensor.untyped_storage()`` (counted in elements, not bytes).
    """
    # TODO: start at the offset and take index[k] steps of strides[k] along every axis.
    raise NotImplementedError


def transpose_strides(strides: Sequence[int], dim0: int, dim1: int) -> tuple[int, ...]:
    """The strides of ``tensor.transpose(dim0, dim1)`` for a tensor with ``strides``.

    ``dim0`` and ``dim1`` may be negative, counting from the end as in
    PyTorch (-1 is the last axis); both lie in ``[-len(strides),
    len(strides) - 1]``. Returns a tuple of Python ints. ``strides`` must not
    be modified.
    """
    # TODO: transposing copies nothing; it only changes the metadata.
    raise NotImplementedError


def is_contiguous(shape: Sequence[int], strides: Sequence[int]) -> bool:
    """Whether a tensor with ``shape`` and ``strides`` is contiguous, by PyTorch's rule.

    The answer ``torch.empty_strided(shape, strides).is_contiguous()``
    gives: the elements, visited in row-major order, sit one after another
    in storage. Two special cases follow from that: the stride of an axis of
    size 1 does not matter (you never step along it), and a tensor with no
    elements at all is always contiguous. Returns a Python bool.
    """
    # TODO: compare each stride with what a fresh tensor would have,
    # skipping axes where the stride makes no difference.
    raise NotImplementedError


def strided_view(storage: Tensor, shape: Sequence[int], strides: Sequence[int], offset: int = 0) -> Tensor:
    """The tensor that ``shape``, ``strides`` and ``offset`` describe on ``storage``.

    ``storage`` is a contiguous 1-D tensor standing for the flat storage.
    Element ``out[i0, i1, ...]`` is
    ``storage[offset + i0 * strides[0] + i1 * strides[1] + ...]``, so the
    result equals ``storage.as_strided(shape, strides, offset)``, with the
    same dtype and device as ``storage``. Every position needed lies inside
    ``storage``. Strides may be 0 (an axis that repeats the same values) and
    the same position may be used several times.

    Build it yourself: ``as_strided`` is not allowed. The result is a new
    tensor holding copies of the values (it is not a view), and ``storage``
    must not be modified.
    """
    # TODO: build a tensor of storage positions with the requested shape,
    # then read the storage at those positions.
    raise NotImplementedError
