"""Hypothesis strategies shared by every exercise.

Import as ``from grader import strategies as tst``. Everything here shrinks
towards small, contiguous, low-valued examples, so a failing case shown to a
learner is as readable as it can be.

Design rules that the checks rely on:

* Different axes always get different sizes (``distinct_sizes``), so a
  function that permutes the wrong axes cannot pass by symmetry.
* Tensors come in several layouts: contiguous, permuted storage, strided
  slices of a larger buffer, and a non-zero storage offset. Values are the
  same in every layout; only the memory arrangement differs.
* Values are drawn through NumPy arrays, so Hypothesis can shrink them too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

IMAGE_DTYPES = (torch.uint8, torch.float32, torch.float64)
FLOAT_DTYPES = (torch.float32, torch.float64)
LAYOUTS = ("contiguous", "permuted", "sliced", "offset")

_NUMPY_DTYPE = {
    torch.uint8: np.uint8,
    torch.int8: np.int8,
    torch.int16: np.int16,
    torch.int32: np.int32,
    torch.int64: np.int64,
    torch.float16: np.float16,
    torch.float32: np.float32,
    torch.float64: np.float64,
    torch.bool: np.bool_,
}


def _check_bounds(name_min: str, low: int, name_max: str, high: int) -> None:
    if low < 0:
        raise ValueError(f"{name_min}={low} must be at least 0")
    if high < low:
        raise ValueError(f"{name_max}={high} must be at least {name_min}={low}")


def distinct_sizes(count: int, *, min_size: int = 1, max_size: int = 6) -> st.SearchStrategy[tuple[int, ...]]:
    """``count`` different axis sizes in ``[min_size, max_size]``, shrinking towards small ones."""
    _check_bounds("min_size", min_size, "max_size", max_size)
    if max_size - min_size + 1 < count:
        raise ValueError(
            f"cannot draw {count} distinct sizes from [{min_size}, {max_size}]: widen the range"
        )
    return st.lists(
        st.integers(min_size, max_size), min_size=count, max_size=count, unique=True
    ).map(tuple)


def dtypes(allowed: Sequence[torch.dtype] = IMAGE_DTYPES) -> st.SearchStrategy[torch.dtype]:
    """One of ``allowed``, shrinking towards the first."""
    return st.sampled_from(tuple(allowed))


def _elements(dtype: torch.dtype, min_value: float | None, max_value: float | None):
    if dtype == torch.bool:
        return st.booleans()
    if dtype.is_floating_point:
        low = -10.0 if min_value is None else min_value
        high = 10.0 if max_value is None else max_value
        width = {torch.float16: 16, torch.float32: 32}.get(dtype, 64)
        return st.floats(low, high, width=width, allow_nan=False, allow_infinity=False)
    return st.integers(*_integer_range(dtype, min_value, max_value))


def _integer_range(dtype: torch.dtype, min_value, max_value) -> tuple[int, int]:
    info = torch.iinfo(dtype)
    low = info.min if min_value is None else int(min_value)
    high = info.max if max_value is None else int(max_value)
    return low, high


def relayout(tensor: torch.Tensor, layout: str) -> torch.Tensor:
    """The same values as ``tensor`` in another memory arrangement.

    ``permuted`` stores the axes in reverse order, ``sliced`` takes every
    other element of a buffer twice as wide, ``offset`` starts three elements
    into its storage. ``contiguous`` returns a contiguous copy.
    """
    if layout == "contiguous" or tensor.dim() == 0:
        return tensor.contiguous()
    if layout == "permuted":
        order = tuple(reversed(range(tensor.dim())))
        return tensor.permute(order).contiguous().permute(order)
    if layout == "sliced":
        wide = torch.zeros(*tensor.shape[:-1], 2 * tensor.shape[-1], dtype=tensor.dtype)
        wide[..., ::2] = tensor
        return wide[..., ::2]
    if layout == "offset":
        buffer = torch.zeros(tensor.numel() + 3, dtype=tensor.dtype)
        buffer[3:] = tensor.reshape(-1)
        return buffer[3:].view(tensor.shape)
    raise ValueError(f"unknown layout {layout!r}; choose one of {LAYOUTS}")


@st.composite
def tensors(
    draw,
    shape: Sequence[int] | st.SearchStrategy[Sequence[int]],
    *,
    dtype: torch.dtype | st.SearchStrategy[torch.dtype] = torch.float32,
    min_value: float | None = None,
    max_value: float | None = None,
    contiguous: bool = False,
    unique: bool = False,
) -> torch.Tensor:
    """A CPU tensor of ``shape`` and ``dtype`` (either may be a strategy).

    Floats default to ``[-10, 10]``, integers to their dtype's full range.
    Unless ``contiguous`` is true the layout is drawn from ``LAYOUTS``.
    ``unique`` asks for all-different values where the range allows it, so
    that shrinking cannot make a wrong rearrangement of values look right.
    """
    if isinstance(shape, st.SearchStrategy):
        shape = draw(shape)
    if isinstance(dtype, st.SearchStrategy):
        dtype = draw(dtype)
    elements = _elements(dtype, min_value, max_value)
    if unique and not dtype.is_floating_point and dtype != torch.bool:
        low, high = _integer_range(dtype, min_value, max_value)
        unique = math.prod(shape) <= high - low + 1
    array = draw(hnp.arrays(_NUMPY_DTYPE[dtype], tuple(shape), elements=elements, unique=unique and dtype != torch.bool))
    tensor = torch.from_numpy(np.ascontiguousarray(array)).clone()
    layout = "contiguous" if contiguous else draw(st.sampled_from(LAYOUTS))
    return relayout(tensor, layout)


def image_batches(
    *,
    layout: str = "NCHW",
    dtypes: Sequence[torch.dtype] = IMAGE_DTYPES,
    min_side: int = 1,
    max_side: int = 6,
    channels: int | Sequence[int] | None = None,
    contiguous: bool = False,
    unique: bool = True,
) -> st.SearchStrategy[torch.Tensor]:
    """Image tensors whose axes are named by ``layout`` (letters from N, C, H, W).

    Every axis gets a different size, so ``(N, H, W, C)`` can never be
    mistaken for ``(N, W, H, C)``. ``channels`` pins the channel axis to a
    size (or a choice of sizes) and is then allowed to equal another axis.
    Floats lie in ``[0, 1]``, ``uint8`` covers ``[0, 255]``. Pixel values
    are all different where the dtype allows (``unique``), so every pixel
    can be told apart, also in a shrunk example.
    """
    letters = layout.upper()
    if sorted(set(letters)) != sorted(letters) or not set(letters) <= set("NCHW"):
        raise ValueError(f"layout={layout!r} must use each of N, C, H, W at most once")
    free_axes = [letter for letter in letters if not (letter == "C" and channels is not None)]

    @st.composite
    def build(draw) -> torch.Tensor:
        sizes = dict(zip(free_axes, draw(distinct_sizes(len(free_axes), min_size=min_side, max_size=max_side))))
        if channels is not None:
            options = (channels,) if isinstance(channels, int) else tuple(channels)
            sizes["C"] = draw(st.sampled_from(options))
        dtype = draw(st.sampled_from(tuple(dtypes)))
        high = None if dtype == torch.uint8 else 1.0
        low = None if dtype == torch.uint8 else 0.0
        return draw(
            tensors(
                tuple(sizes[letter] for letter in letters),
                dtype=dtype,
                min_value=low,
                max_value=high,
                contiguous=contiguous,
                unique=unique,
            )
        )

    return build()


def images(*, layout: str = "CHW", **options) -> st.SearchStrategy[torch.Tensor]:
    """A single image: ``image_batches`` with a layout that has no N."""
    if "N" in layout.upper():
        raise ValueError(f"layout={layout!r} is a batch: use image_batches for it")
    return image_batches(layout=layout, **options)


def shapes(*, min_rank: int = 0, max_rank: int = 4, min_side: int = 0, max_side: int = 5) -> st.SearchStrategy[tuple[int, ...]]:
    """Shapes of any rank in ``[min_rank, max_rank]``, size-0 and size-1 axes included by default."""
    _check_bounds("min_rank", min_rank, "max_rank", max_rank)
    _check_bounds("min_side", min_side, "max_side", max_side)
    return st.lists(st.integers(min_side, max_side), min_size=min_rank, max_size=max_rank).map(tuple)


def leading_dims(*, max_dims: int = 2, max_side: int = 3) -> st.SearchStrategy[tuple[int, ...]]:
    """Extra batch dimensions to put in front of a shape: ``()``, ``(2,)``, ``(3, 1)``, ..."""
    return shapes(min_rank=0, max_rank=max_dims, min_side=1, max_side=max_side)


@st.composite
def shapes_and_strides(
    draw,
    *,
    min_rank: int = 0,
    max_rank: int = 4,
    min_side: int = 0,
    max_side: int = 5,
    max_stride: int = 40,
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A shape and a stride tuple of the same rank; strides are in ``[0, max_stride]``.

    Half the time the strides are those of a real tensor (contiguous, then
    permuted or sliced), so contiguous and nearly contiguous cases come up
    often; otherwise they are arbitrary.
    """
    shape = draw(shapes(min_rank=min_rank, max_rank=max_rank, min_side=min_side, max_side=max_side))
    if draw(st.booleans()):
        strides = tuple(draw(st.lists(st.integers(0, max_stride), min_size=len(shape), max_size=len(shape))))
    else:
        layout = draw(st.sampled_from(LAYOUTS))
        strides = relayout(torch.empty(shape, dtype=torch.uint8), layout).stride()
    return tuple(shape), tuple(strides)


@st.composite
def indices_into(draw, shape: Sequence[int]) -> tuple[int, ...]:
    """A valid index tuple for a tensor of ``shape`` (every side must be at least 1)."""
    if any(side < 1 for side in shape):
        raise ValueError(f"shape {tuple(shape)} has an empty axis: no index exists")
    return tuple(draw(st.integers(0, side - 1)) for side in shape)


def as_lists_or_tuples(values: st.SearchStrategy) -> st.SearchStrategy:
    """``values``' tuples of ints as Python lists or as tuples, lists drawn first.

    Functions that take a shape or strides as ``Sequence[int]`` must accept
    both and must not change a list they are given. Every tuple of ints in
    the drawn value is converted, also inside a tuple of mixed items (a
    shape, its strides and an offset become two lists and an int); a list
    is the simplest choice, so the first case Hypothesis tries always holds
    one and a function that edits its argument in place cannot slip through.
    """

    def convert(value, kind):
        if isinstance(value, tuple) and all(isinstance(item, int) for item in value):
            return kind(value)
        if isinstance(value, tuple):
            return tuple(convert(item, kind) for item in value)
        return value

    return st.tuples(values, st.sampled_from((list, tuple))).map(lambda pair: convert(*pair))


def changed_by_float32(dtype: torch.dtype) -> st.SearchStrategy:
    """Single int64 or float64 values that a round trip through float32 changes.

    int64 values lie beyond 2**24 (float32 holds every integer only up to
    there), some beyond 2**53 (float64's limit); float64 values have more
    digits than float32 keeps. A function that detours through a narrower
    dtype, even when both its arguments are wide, gives itself away on them.
    """
    if dtype == torch.int64:
        values = st.one_of(st.integers(2**24 + 1, 2**31), st.integers(2**53 + 1, 2**62))
        return values.filter(lambda v: int(np.float32(v)) != v)
    if dtype == torch.float64:
        values = st.floats(-1e6, 1e6, width=64, allow_nan=False, allow_infinity=False)
        return values.filter(lambda v: float(np.float32(v)) != v)
    raise ValueError(f"dtype={dtype} has no narrower float32 detour to expose: use torch.int64 or torch.float64")


@st.composite
def wide_tensors(draw, shape: Sequence[int] | st.SearchStrategy[Sequence[int]], dtype: torch.dtype) -> torch.Tensor:
    """A CPU tensor of ``shape`` whose every value ``changed_by_float32(dtype)`` would draw."""
    if isinstance(shape, st.SearchStrategy):
        shape = draw(shape)
    values = draw(st.lists(changed_by_float32(dtype), min_size=math.prod(shape), max_size=math.prod(shape)))
    return torch.tensor(values, dtype=dtype).reshape(tuple(shape))
