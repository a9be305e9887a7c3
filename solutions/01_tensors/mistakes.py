"""Plausible wrong answers for exercise 01 (tensors), each named and explained."""

import torch

from grader.mistakes import mistake

# points_tensor --------------------------------------------------------------


@mistake("points_tensor", "integer literals",
         "torch.tensor([[4, 1], ...]) infers int64 from Python ints; write 4.0 or "
         "pass dtype=torch.float32 to get floating-point coordinates.")
def points_tensor_int():
    return torch.tensor([[4, 1], [5, 3], [2, 1]])


@mistake("points_tensor", "float64 points",
         "float64 (double) is NumPy's default, not PyTorch's: deep-learning code "
         "works in float32, which halves the memory and is what models expect.")
def points_tensor_double():
    return torch.tensor([[4.0, 1.0], [5.0, 3.0], [2.0, 1.0]], dtype=torch.float64)


@mistake("points_tensor", "points as columns",
         "Each point is one row: three points with an x and a y make shape (3, 2), "
         "not (2, 3). Listing the x values, then the y values, transposes it.")
def points_tensor_columns():
    return torch.tensor([[4.0, 5.0, 2.0], [1.0, 3.0, 1.0]])


# rank_and_shape -------------------------------------------------------------


@mistake("rank_and_shape", "len(t) as the rank",
         "len(t) is the size of the first axis (and fails on a scalar), not the "
         "number of axes; use t.dim() (or t.ndim).")
def rank_and_shape_len(t):
    return len(t), tuple(t.shape)


@mistake("rank_and_shape", "numel as the rank",
         "t.numel() counts the elements (the product of the sizes); the rank counts "
         "the axes.")
def rank_and_shape_numel(t):
    return t.numel(), tuple(t.shape)


@mistake("rank_and_shape", "size-1 axes dropped",
         "An axis of size 1 is still an axis: a (1, 3) row has rank 2, and a batch "
         "of one image keeps its batch axis. Do not squeeze them away.")
def rank_and_shape_squeezed(t):
    shape = tuple(side for side in t.shape if side != 1)
    return len(shape), shape


# crop_center ----------------------------------------------------------------


@mistake("crop_center", "sliced the first two axes",
         "images[top:top + h, left:left + w] slices the first two axes, which are "
         "batch axes as soon as there are leading dims. Put ... first so the slices "
         "apply to the last two axes.")
def crop_center_first_axes(images, size):
    h, w = size
    top = (images.shape[-2] - h) // 2
    left = (images.shape[-1] - w) // 2
    return images[top:top + h, left:left + w]


@mistake("crop_center", "slice end is the size",
         "A slice a:b stops before b, so it holds b - a items; to take h rows "
         "starting at top the end must be top + h, not h.")
def crop_center_end_is_size(images, size):
    h, w = size
    top = (images.shape[-2] - h) // 2
    left = (images.shape[-1] - w) // 2
    return images[..., top:h, left:w]


@mistake("crop_center", "margin rounded up",
         "When H - h is odd the margins cannot be equal; the contract puts the "
         "smaller margin on top (floor division), so the window starts at "
         "(H - h) // 2, not one row lower.")
def crop_center_rounded_up(images, size):
    h, w = size
    top = (images.shape[-2] - h + 1) // 2
    left = (images.shape[-1] - w + 1) // 2
    return images[..., top:top + h, left:left + w]


@mistake("crop_center", "copy instead of a view",
         "Basic slicing already returns a view that shares memory with the image; "
         ".clone() (or .contiguous()) copies every pixel for nothing.")
def crop_center_copy(images, size):
    h, w = size
    top = (images.shape[-2] - h) // 2
    left = (images.shape[-1] - w) // 2
    return images[..., top:top + h, left:left + w].clone()


# promoted_dtype -------------------------------------------------------------


@mistake("promoted_dtype", "first operand wins",
         "The result dtype does not depend on the order: float32 * int64 and "
         "int64 * float32 are both float32. PyTorch picks a dtype that can hold "
         "both kinds of value.")
def promoted_dtype_first(a, b):
    return a


@mistake("promoted_dtype", "wider dtype wins",
         "Kind beats width: any floating dtype wins over any integer dtype, so "
         "int64 with float32 gives float32, not int64. Width only decides "
         "between two dtypes of the same kind.")
def promoted_dtype_widest(a, b):
    return a if a.itemsize >= b.itemsize else b


@mistake("promoted_dtype", "floats always float32",
         "Mixing in a float does not reset the precision to float32: float64 with "
         "int16 stays float64 (and float16 with an integer stays float16).")
def promoted_dtype_float32(a, b):
    if a.is_floating_point or b.is_floating_point:
        return torch.float32
    return a if a.itemsize >= b.itemsize else b


# to_dtype_like --------------------------------------------------------------


@mistake("to_dtype_like", "promoted instead of converted",
         "torch.promote_types gives the dtype an operation between the two would "
         "produce; here the result must take other's dtype exactly, even when that "
         "loses precision.")
def to_dtype_like_promoted(x, other):
    return x.to(torch.promote_types(x.dtype, other.dtype))


@mistake("to_dtype_like", "went through float32",
         "x.float().to(other.dtype) converts twice, and float32 keeps only about 7 digits: "
         "int64 values beyond 2**24 (16777217, ...) and float64 values with more digits "
         "come back changed even when x and other are both int64 or both float64. "
         "Convert once, straight to the target: x.to(other.dtype).")
def to_dtype_like_via_float32(x, other):
    return x.float().to(other.dtype)


@mistake("to_dtype_like", "rounded instead of truncated",
         "Converting floats to integers drops the fractional part (2.7 becomes 2, "
         "-2.7 becomes -2); rounding first gives 3 and -3.")
def to_dtype_like_rounded(x, other):
    if x.is_floating_point() and not other.is_floating_point():
        x = x.round()
    return x.to(other.dtype)


@mistake("to_dtype_like", "floor instead of truncation",
         "Integer conversion truncates towards zero, which equals floor only for "
         "positive numbers: -2.7 becomes -2, while floor gives -3.")
def to_dtype_like_floor(x, other):
    if x.is_floating_point() and not other.is_floating_point():
        x = x.floor()
    return x.to(other.dtype)


@mistake("to_dtype_like", "converted the wrong tensor",
         "x.to(other.dtype) changes x; other.to(x.dtype) returns other's values, "
         "which are not what was asked for.")
def to_dtype_like_swapped(x, other):
    return other.to(x.dtype)
