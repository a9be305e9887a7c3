"""Checks for exercise 03: strides and storage offsets."""

import torch
from hypothesis import strategies as st

from grader import agree, check, same
from grader import strategies as tst

# The 3 x 2 points tensor of the lesson and its flat storage.
POINTS_STORAGE = torch.tensor([4.0, 1.0, 5.0, 3.0, 2.0, 1.0])
POINTS = POINTS_STORAGE.view(3, 2)


@st.composite
def _shapes_with_an_empty_axis(draw):
    """A shape with a size-0 axis that is not the first one, e.g. (3, 0, 2)."""
    shape = list(draw(tst.shapes(min_rank=1, max_rank=3, min_side=1)))
    shape.insert(draw(st.integers(1, len(shape))), 0)
    return tuple(shape)


@st.composite
def _element_positions(draw):
    """A shape, its strides, an offset and the index of one element."""
    shape, strides = draw(tst.shapes_and_strides(min_side=1))
    return shape, strides, draw(st.integers(0, 20)), draw(tst.indices_into(shape))


@st.composite
def _transposes(draw):
    """A shape, its strides and two axes, each possibly negative."""
    shape, strides = draw(tst.shapes_and_strides(min_rank=1))
    rank = len(shape)
    dims = st.integers(-rank, rank - 1)
    return shape, strides, draw(dims), draw(dims)


@st.composite
def _size_one_axes(draw):
    """Row-major strides, except that the strides of size-1 axes are arbitrary."""
    shape = list(draw(tst.shapes(min_rank=2, max_rank=4, min_side=2)))
    for axis in draw(st.sets(st.integers(0, len(shape) - 1), min_size=1)):
        shape[axis] = 1
    strides = list(torch.empty(shape).stride())
    for axis, size in enumerate(shape):
        if size == 1:
            strides[axis] = draw(st.integers(0, 40).filter(lambda s, a=axis: s != strides[a]))
    return tuple(shape), tuple(strides)


@st.composite
def _empty_layouts(draw):
    """A shape with no elements and arbitrary strides."""
    shape = draw(_shapes_with_an_empty_axis())
    strides = draw(st.lists(st.integers(0, 40), min_size=len(shape), max_size=len(shape)))
    return shape, tuple(strides)


@st.composite
def _views_on_storage(draw):
    """A numbered 1-D storage and a shape, strides and offset that fit inside it."""
    shape, strides = draw(tst.shapes_and_strides(max_rank=3, max_side=4, max_stride=12))
    offset = draw(st.integers(0, 6))
    numel = 1
    for size in shape:
        numel *= size
    last = offset + sum((size - 1) * stride for size, stride in zip(shape, strides)) if numel else offset
    length = max(last + 1, offset + numel) + draw(st.integers(0, 3))
    # The storage holds 0, 1, 2, ...: every value names its own position, so a
    # wrong answer shows at once which position was read instead.
    storage = torch.arange(length).to(draw(tst.dtypes()))
    return storage, shape, strides, offset


# --- contiguous_strides ------------------------------------------------------------


@check("contiguous_strides", shape=tst.as_lists_or_tuples(tst.shapes()))
def test_contiguous_strides_match_a_fresh_tensor(submission, reference, shape):
    agree(submission.contiguous_strides, reference.contiguous_strides, shape,
          why="a fresh tensor has stride 1 on its last axis, and each earlier axis "
              "skips one block of all the axes after it")
    same(submission.contiguous_strides(shape), torch.empty(shape).stride(),
         what=f"contiguous_strides({shape})", why="it must equal torch.empty(shape).stride()")


@check("contiguous_strides", shape=_shapes_with_an_empty_axis())
def test_contiguous_strides_with_an_empty_axis(submission, reference, shape):
    agree(submission.contiguous_strides, reference.contiguous_strides, shape,
          why="PyTorch counts a size-0 axis as size 1 when it multiplies out strides, "
              "so torch.empty(3, 0, 2).stride() is (2, 2, 1)")


@check("contiguous_strides")
def test_contiguous_strides_from_the_lesson(submission, reference):
    for shape, expected in [((3, 2), (2, 1)), ((2, 3), (3, 1)), ((3, 4, 5), (20, 5, 1))]:
        out = agree(submission.contiguous_strides, reference.contiguous_strides, shape,
                    why=f"a fresh tensor of shape {shape} has strides {expected}")
        same(out, expected, what=f"contiguous_strides({shape})")


# --- storage_index -------------------------------------------------------------------


@check("storage_index", case=tst.as_lists_or_tuples(_element_positions()))
def test_storage_index_finds_the_element(submission, reference, case):
    shape, strides, offset, index = case
    out = agree(submission.storage_index, reference.storage_index, index, strides, offset,
                why="the position is offset + index[0] * strides[0] + index[1] * strides[1] + ...")
    numbered = torch.arange(offset + sum((n - 1) * s for n, s in zip(shape, strides)) + 1)
    same(out, int(numbered.as_strided(shape, strides, offset)[tuple(index)]),
         what=f"storage_index({index}, {strides}, {offset})",
         why="a tensor with these strides and offset reads element "
             f"{index} from that storage position")


@check("storage_index")
def test_storage_index_in_the_points_tensor(submission, reference):
    # points has strides (2, 1) and offset 0; its storage is [4, 1, 5, 3, 2, 1].
    cases = [
        (((1, 0), (2, 1)), 2, "row 1 of points starts 2 elements into the storage"),
        (((1, 1), (2, 1)), 3, "points[1, 1] is at 0 + 1*2 + 1*1 = 3, where the 3.0 is stored"),
        (((1,), (1,), 2), 3, "points[1] has offset 2, so its element 1 is at 2 + 1*1 = 3 "
                             "(the offset already skips row 0: do not add the row stride again)"),
        (((1, 0), (1, 2)), 1, "in points.t() (strides (1, 2)), element [1, 0] is at 1"),
        (((1, 2, 3), (1, 5, 20)), 71, "in ones(3, 4, 5).transpose(0, 2) (strides (1, 5, 20)), "
                                      "element [1, 2, 3] is at 1*1 + 2*5 + 3*20 = 71"),
    ]
    for args, expected, why in cases:
        out = agree(submission.storage_index, reference.storage_index, *args, why=why)
        same(out, expected, what=f"storage_index{args}", why=why)


# --- transpose_strides ----------------------------------------------------------------


@check("transpose_strides", case=tst.as_lists_or_tuples(_transposes()))
def test_transpose_strides_match_torch(submission, reference, case):
    shape, strides, dim0, dim1 = case
    out = agree(submission.transpose_strides, reference.transpose_strides, strides, dim0, dim1,
                why="transpose swaps the strides of the two axes and leaves the rest; "
                    "negative dims count from the end")
    same(out, torch.empty_strided(shape, strides).transpose(dim0, dim1).stride(),
         what=f"transpose_strides({strides}, {dim0}, {dim1})",
         why="it must equal tensor.transpose(dim0, dim1).stride()")


@check("transpose_strides")
def test_transpose_strides_leaves_a_list_of_strides_alone(submission, reference):
    agree(submission.transpose_strides, reference.transpose_strides, [20, 5, 1], 0, 2,
          why="strides given as a list come back swapped in a new tuple: the caller's list "
              "still says [20, 5, 1] afterwards")


@check("transpose_strides")
def test_transpose_strides_from_the_lesson(submission, reference):
    cases = [
        (((2, 1), 0, 1), (1, 2), "points.t() has strides (1, 2)"),
        (((20, 5, 1), 0, 2), (1, 5, 20), "ones(3, 4, 5).transpose(0, 2) has strides (1, 5, 20)"),
        (((20, 5, 1), -1, 0), (1, 5, 20), "dim -1 is the last axis, so this is transpose(2, 0)"),
        (((20, 5, 1), 1, -1), (20, 1, 5), "transpose(1, -1) swaps the last two axes"),
    ]
    for args, expected, why in cases:
        out = agree(submission.transpose_strides, reference.transpose_strides, *args, why=why)
        same(out, expected, what=f"transpose_strides{args}", why=why)


# --- is_contiguous -----------------------------------------------------------------------


def _torch_is_contiguous(shape, strides):
    return torch.empty_strided(shape, strides).is_contiguous()


@check("is_contiguous", layout=tst.as_lists_or_tuples(tst.shapes_and_strides()))
def test_is_contiguous_matches_torch(submission, reference, layout):
    shape, strides = layout
    out = agree(submission.is_contiguous, reference.is_contiguous, shape, strides,
                why="contiguous means the elements, read in row-major order, sit one "
                    "after another in storage")
    same(out, _torch_is_contiguous(shape, strides), what=f"is_contiguous({shape}, {strides})",
         why="it must agree with torch.empty_strided(shape, strides).is_contiguous()")


@check("is_contiguous", layout=_size_one_axes())
def test_is_contiguous_ignores_size_one_axes(submission, reference, layout):
    shape, strides = layout
    agree(submission.is_contiguous, reference.is_contiguous, shape, strides,
          why="you never step along an axis of size 1, so its stride does not matter")


@check("is_contiguous", layout=_empty_layouts())
def test_is_contiguous_for_empty_tensors(submission, reference, layout):
    shape, strides = layout
    agree(submission.is_contiguous, reference.is_contiguous, shape, strides,
          why="a tensor with no elements is always contiguous, whatever its strides")


@check("is_contiguous")
def test_is_contiguous_for_points(submission, reference):
    cases = [
        (((3, 2), (2, 1)), True, "points (strides (2, 1)) is contiguous"),
        (((2, 3), (1, 2)), False, "points.t() (strides (1, 2)) is not contiguous"),
        (((2, 3), (3, 1)), True, "points.t().contiguous() has strides (3, 1) and is contiguous"),
        (((3, 2), (0, 1)), False, "points[0].expand(3, 2) repeats one row with stride 0: the last "
                                  "stride is 1, but the rows are not one after another"),
        (((3, 0), (1, 1)), True, "torch.empty(3, 0) has strides (1, 1); with no elements it is contiguous"),
        (((3, 1), (2, 1)), False, "points[:, :1] (strides (2, 1)) skips every other element of the storage"),
        (((1, 3), (7, 1)), True, "one row of 3 packed values is contiguous whatever the stride of "
                                 "its size-1 axis (7 here)"),
    ]
    for args, expected, why in cases:
        out = agree(submission.is_contiguous, reference.is_contiguous, *args, why=why)
        same(out, expected, what=f"is_contiguous{args}", why=why)


# --- strided_view ----------------------------------------------------------------------------


@check("strided_view", case=tst.as_lists_or_tuples(_views_on_storage()))
def test_strided_view_matches_as_strided(submission, reference, case):
    storage, shape, strides, offset = case
    out = agree(submission.strided_view, reference.strided_view, storage, shape, strides, offset,
                why="out[i0, i1, ...] is storage[offset + i0 * strides[0] + i1 * strides[1] + ...]")
    same(out, storage.as_strided(shape, strides, offset),
         what=f"strided_view(storage, {shape}, {strides}, {offset})",
         why="it must hold the values storage.as_strided(shape, strides, offset) shows")


@check("strided_view")
def test_strided_view_rebuilds_points(submission, reference):
    cases = [
        (((3, 2), (2, 1)), POINTS, "shape (3, 2) with strides (2, 1) is points itself"),
        (((2, 3), (1, 2)), POINTS.t(), "strides (1, 2) give the transpose, points.t()"),
        (((2,), (1,), 2), POINTS[1], "offset 2 and stride 1 give row 1, points[1] = [5, 3]"),
        (((3,), (2,), 1), POINTS[:, 1], "offset 1 and stride 2 give column 1, [1, 3, 1]"),
    ]
    for args, expected, why in cases:
        out = agree(submission.strided_view, reference.strided_view, POINTS_STORAGE, *args, why=why)
        same(out, expected, what=f"strided_view(storage, {', '.join(map(str, args))})", why=why)
