"""Exercise 11: sparse COO tensors and 8-bit quantization.

Two ways to store a tensor in less memory than a dense float32 grid: keep
only the elements that are not zero (sparse COO), or keep every element in
one byte on an evenly spaced scale (int8 quantization). Read README.md in
this folder first.
"""

import torch  # noqa: F401 (you will need it)
from torch import Tensor


def to_sparse_coo(dense: Tensor) -> Tensor:
    """The sparse COO form of a dense tensor.

    Args:
        dense: a strided tensor of any shape with at least one axis, any
            dtype, on any device. Not modified.

    Returns:
        A tensor with layout ``torch.sparse_coo``, the shape, dtype and
        device of ``dense``, and ``to_dense()`` equal to ``dense``. It stores
        one value per non-zero element and nothing for the zeros, and it is
        coalesced (``is_coalesced()`` is True: indices sorted, no duplicates).
    """
    # TODO: find the non-zero positions and their values, or let PyTorch do it.
    raise NotImplementedError


def from_coo(indices: Tensor, values: Tensor, shape: tuple[int, ...]) -> Tensor:
    """The dense tensor described by COO indices and values.

    Args:
        indices: an int64 tensor of shape ``(len(shape), nnz)``: column ``k``
            is the position of value ``k``. A position may appear more than
            once.
        values: a tensor of shape ``(nnz,)``; its dtype is the result's.
        shape: the shape of the result (it may be larger than the largest
            index needs).

    Returns:
        A dense (strided) tensor of ``shape`` with the dtype and device of
        ``values``: zero everywhere except at the listed positions, which hold
        their value. When a position is listed several times its values are
        ADDED, as PyTorch does when it coalesces a sparse tensor.
    """
    # TODO: build a sparse COO tensor with the given size, then make it dense.
    raise NotImplementedError


def sparsity(x: Tensor) -> float:
    """The fraction of the elements of ``x`` that are zero.

    Args:
        x: a dense tensor with at least one element, any shape, dtype and
            device. Not modified.

    Returns:
        A Python float in [0, 1]: the number of elements equal to zero
        divided by the number of elements. ``False`` counts as zero.
    """
    # TODO: count the zeros (or the non-zeros) and divide by the element count.
    raise NotImplementedError


def quantize_int8(x: Tensor) -> tuple[Tensor, float, int]:
    """Affine per-tensor quantization of ``x`` to int8.

    Use this recipe, in this order:

    1. ``low = min(x.min(), 0)`` and ``high = max(x.max(), 0)``, as Python
       floats: the range always includes 0, so that 0 is stored exactly.
    2. ``scale = (high - low) / 255``: 256 int8 levels span the range. When
       ``high == low`` (x is all zeros) use ``scale = 1.0``.
    3. ``zero_point = -128 - round(low / scale)``, a Python int: the int8
       level that stands for 0.0. (``low`` maps to level -128.)
    4. ``q = round(x / scale) + zero_point``, clamped to ``[-128, 127]``, as
       an int8 tensor. Round half to even, like ``torch.round`` and Python's
       ``round``.

    Args:
        x: a float32 tensor with at least one element, any shape and memory
            layout, on the CPU. Not modified.

    Returns:
        The tuple ``(q, scale, zero_point)``: ``q`` has x's shape and dtype
        ``torch.int8`` (a plain integer tensor, not a ``torch.qint8`` one),
        ``scale`` is a Python float and ``zero_point`` a Python int.
        ``torch.quantize_per_tensor(x, scale, zero_point, torch.qint8).int_repr()``
        gives the same ``q``.
    """
    # TODO: follow the four steps; keep scale and zero_point as Python numbers.
    raise NotImplementedError


def dequantize(q: Tensor, scale: float, zero_point: int) -> Tensor:
    """The float32 values that int8 levels stand for.

    Args:
        q: an int8 tensor of any shape, on any device. Not modified.
        scale: the step between two neighbouring levels (a positive float).
        zero_point: the level that stands for 0.0 (an int in [-128, 127]).

    Returns:
        A float32 tensor of q's shape and device: ``(q - zero_point) * scale``
        element by element, computed so that ``q - zero_point`` cannot wrap
        around (it ranges over -255..255, which int8 cannot hold).
    """
    # TODO: convert to float32 before subtracting the zero point.
    raise NotImplementedError
