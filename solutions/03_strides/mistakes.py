"""Plausible wrong answers for exercise 03, each named and explained."""

from __future__ import annotations

import torch

from grader.mistakes import mistake

# --- contiguous_strides ------------------------------------------------------------


@mistake("contiguous_strides", "strides built from the front",
         "Multiplying sizes from the first axis onwards gives column-major strides: the "
         "first axis gets stride 1. In a fresh PyTorch tensor the LAST axis has stride 1 "
         "and each earlier axis skips a whole block of the axes after it: (3, 2) has "
         "strides (2, 1).")
def contiguous_strides_from_the_front(shape):
    strides = []
    step = 1
    for size in shape:
        strides.append(step)
        step *= max(size, 1)
    return tuple(strides)


@mistake("contiguous_strides", "includes the axis's own size",
         "The stride of an axis is the product of the sizes AFTER it, not from it: for "
         "(3, 2) that is (2, 1), not (6, 2). The last axis always has stride 1.")
def contiguous_strides_off_by_one_axis(shape):
    strides = []
    step = 1
    for size in reversed(shape):
        step *= max(size, 1)
        strides.append(step)
    return tuple(reversed(strides))


@mistake("contiguous_strides", "size-0 axes zero the strides",
         "With an axis of size 0 the running product becomes 0, but PyTorch counts an "
         "empty axis as size 1 when it computes strides: torch.empty(3, 0, 2).stride() "
         "is (2, 2, 1), not (0, 2, 1).")
def contiguous_strides_zero_sizes(shape):
    strides = []
    step = 1
    for size in reversed(shape):
        strides.append(step)
        step *= size
    return tuple(reversed(strides))


@mistake("contiguous_strides", "returns a list",
         "The strides are returned as a tuple, like tensor.stride(); a list compares "
         "unequal to a tuple and can be changed by accident.")
def contiguous_strides_list(shape):
    strides = []
    step = 1
    for size in reversed(shape):
        strides.insert(0, step)
        step *= max(size, 1)
    return strides


# --- storage_index ---------------------------------------------------------------------


@mistake("storage_index", "forgets the offset",
         "The storage offset is where element (0, 0, ...) lives; every position is counted "
         "from there. A row taken out of a matrix, like points[1], starts at offset 2, "
         "not at 0.")
def storage_index_no_offset(index, strides, offset=0):
    return sum(i * s for i, s in zip(index, strides))


@mistake("storage_index", "strides paired with the wrong axes",
         "Each index is multiplied by the stride of its own axis: index[0] with "
         "strides[0], and so on. Pairing the index with the reversed strides walks along "
         "the wrong axis.")
def storage_index_reversed_strides(index, strides, offset=0):
    return offset + sum(i * s for i, s in zip(index, reversed(tuple(strides))))


@mistake("storage_index", "assumes the last stride is 1",
         "The last axis has stride 1 only in a contiguous tensor; after a transpose or a "
         "step slice it can be anything. Multiply the last index by its stride too.")
def storage_index_unit_last_stride(index, strides, offset=0):
    index, strides = tuple(index), tuple(strides)
    if not index:
        return offset
    return offset + sum(i * s for i, s in zip(index[:-1], strides[:-1])) + index[-1]


# --- transpose_strides ------------------------------------------------------------------


@mistake("transpose_strides", "swapped the caller's strides in place",
         "strides[dim0], strides[dim1] = strides[dim1], strides[dim0] rewrites the list you "
         "were given (and fails outright on a tuple or a torch.Size). Copy first, "
         "swapped = list(strides), swap in the copy and return tuple(swapped).")
def transpose_strides_in_place(strides, dim0, dim1):
    strides[dim0], strides[dim1] = strides[dim1], strides[dim0]
    return tuple(strides)


@mistake("transpose_strides", "strides left unchanged",
         "transpose does not move any data, so the strides cannot stay the same: the "
         "new axis order is described by swapping the two axes' strides. points (strides "
         "(2, 1)) transposed has strides (1, 2).")
def transpose_strides_unchanged(strides, dim0, dim1):
    return tuple(strides)


@mistake("transpose_strides", "reverses every stride",
         "transpose swaps exactly two axes; reversing all of them (like .T or "
         "permute(*reversed(range(n)))) only agrees for 2-D tensors.")
def transpose_strides_reverse_all(strides, dim0, dim1):
    return tuple(reversed(tuple(strides)))


@mistake("transpose_strides", "negative dims not normalised",
         "dim=-1 means the last axis. Comparing enumerate positions (0, 1, 2, ...) with "
         "-1 never matches, so nothing is swapped; turn negative dims into positions "
         "first (dim % ndim).")
def transpose_strides_ignores_negative(strides, dim0, dim1):
    strides = tuple(strides)
    return tuple(
        strides[dim1] if k == dim0 else strides[dim0] if k == dim1 else s
        for k, s in enumerate(strides)
    )


@mistake("transpose_strides", "moves the axis instead of swapping",
         "Taking dim0 out and inserting it at dim1 is movedim, which shifts the axes in "
         "between; transpose swaps the two axes and leaves all others in place.")
def transpose_strides_movedim(strides, dim0, dim1):
    moved = list(strides)
    dim0, dim1 = dim0 % len(moved), dim1 % len(moved)
    moved.insert(dim1, moved.pop(dim0))
    return tuple(moved)


# --- is_contiguous ------------------------------------------------------------------------


def _row_major(shape):
    strides = []
    step = 1
    for size in reversed(shape):
        strides.insert(0, step)
        step *= max(size, 1)
    return tuple(strides)


@mistake("is_contiguous", "demands exactly the row-major strides",
         "Comparing with the strides of a fresh tensor is almost right, but the stride of "
         "a size-1 axis never matters (you never step along it), and a tensor without "
         "elements is always contiguous: PyTorch ignores those strides.")
def is_contiguous_exact(shape, strides):
    return tuple(strides) == _row_major(shape)


@mistake("is_contiguous", "decreasing strides",
         "Strides that decrease from left to right are only row-major ORDER; contiguous "
         "also means no gaps: the last stride must be 1 and each stride must equal the "
         "block size of the axes after it. A step slice like x[:, ::2] has decreasing "
         "strides but skips elements.")
def is_contiguous_decreasing(shape, strides):
    strides = tuple(strides)
    return all(a >= b for a, b in zip(strides, strides[1:]))


@mistake("is_contiguous", "only checks the last stride",
         "A last stride of 1 means each row is packed, but the rows themselves can still "
         "be spread out or overlap; every axis has to be checked.")
def is_contiguous_last_stride(shape, strides):
    return len(strides) == 0 or tuple(strides)[-1] == 1


@mistake("is_contiguous", "empty tensors not special",
         "A tensor with a size-0 axis has no elements at all, so there is no gap to find: "
         "PyTorch calls it contiguous whatever its strides say.")
def is_contiguous_no_empty_rule(shape, strides):
    expected = 1
    for size, stride in zip(reversed(tuple(shape)), reversed(tuple(strides))):
        if size != 1 and stride != expected:
            return False
        expected *= size
    return True


# --- strided_view ------------------------------------------------------------------------------


def _gather(storage, shape, strides, offset):
    positions = torch.tensor(offset, device=storage.device)
    for size, stride in zip(shape, strides):
        positions = positions.unsqueeze(-1) + torch.arange(size, device=storage.device) * stride
    return storage[positions]


@mistake("strided_view", "view without the offset",
         "Element (0, 0, ...) lives at the storage offset, not at position 0: add the "
         "offset to every position.")
def strided_view_no_offset(storage, shape, strides, offset=0):
    return _gather(storage, shape, strides, 0)


@mistake("strided_view", "view with reversed strides",
         "Axis k must step by strides[k]; pairing the axes with the reversed strides "
         "reads the values in the wrong order.")
def strided_view_reversed_strides(storage, shape, strides, offset=0):
    return _gather(storage, shape, tuple(reversed(tuple(strides))), offset)


@mistake("strided_view", "ignores the strides",
         "Cutting numel consecutive values from the offset and reshaping them is only "
         "right for contiguous strides; a transposed or sliced view reads its values "
         "from positions spread over the storage.")
def strided_view_contiguous_slice(storage, shape, strides, offset=0):
    count = 1
    for size in shape:
        count *= size
    return storage[offset:offset + count].reshape(tuple(shape)).clone()
