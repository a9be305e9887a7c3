"""Checks for exercise 01 (tensors). Run: pytest exercises/01_tensors"""

import torch
from hypothesis import strategies as st

from grader import agree, check, same
from grader import strategies as tst

POINTS = [[4.0, 1.0], [5.0, 3.0], [2.0, 1.0]]

ALL_DTYPES = (
    torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64,
    torch.float16, torch.float32, torch.float64,
)
SOURCE_DTYPES = (torch.float32, torch.float64, torch.int16, torch.int32, torch.int64)
TARGET_DTYPES = (torch.float32, torch.int32, torch.float64, torch.int16, torch.int64, torch.float16)


@st.composite
def any_rank_tensors(draw):
    """Tensors of rank 0 to 4, size-0 and size-1 axes included."""
    shape = draw(tst.shapes(min_rank=0, max_rank=4, min_side=0, max_side=4))
    return draw(tst.tensors(shape, dtype=tst.dtypes(tst.IMAGE_DTYPES)))


@st.composite
def images_and_crop_sizes(draw):
    """A (..., H, W) tensor with H != W and a window size (h, w) that fits in it."""
    lead = draw(tst.leading_dims())
    height, width = draw(tst.distinct_sizes(2, min_size=1, max_size=6))
    images = draw(tst.tensors(lead + (height, width), dtype=tst.dtypes(tst.IMAGE_DTYPES)))
    size = (draw(st.integers(1, height)), draw(st.integers(1, width)))
    return images, size


@st.composite
def values_and_targets(draw):
    """Values in [-100, 100] (floats or integers) and a tensor whose dtype is the target."""
    shape = draw(tst.shapes(min_rank=0, max_rank=3, min_side=1, max_side=4))
    x = draw(tst.tensors(shape, dtype=tst.dtypes(SOURCE_DTYPES), min_value=-100, max_value=100))
    other_shape = draw(tst.shapes(min_rank=1, max_rank=2, min_side=1, max_side=3))
    other = draw(tst.tensors(other_shape, dtype=tst.dtypes(TARGET_DTYPES), min_value=0, max_value=1))
    return x, other


@st.composite
def wide_pairs(draw):
    """x and other both int64 or both float64, x holding values float32 cannot keep."""
    dtype = draw(tst.dtypes((torch.int64, torch.float64)))
    shape = draw(tst.shapes(min_rank=0, max_rank=2, min_side=1, max_side=3))
    return draw(tst.wide_tensors(shape, dtype)), torch.zeros(2, dtype=dtype)


# points_tensor --------------------------------------------------------------


@check("points_tensor")
def test_points_tensor_holds_the_three_points(submission, reference):
    agree(submission.points_tensor, reference.points_tensor,
          why="one point per row: shape (3, 2), float32, rows (4, 1), (5, 3), (2, 1)")


@check("points_tensor")
def test_points_tensor_is_fresh_each_time(submission):
    first = submission.points_tensor()
    first.zero_()
    same(submission.points_tensor(), torch.tensor(POINTS, dtype=torch.float32),
         what="points_tensor() after an earlier result was zeroed in place",
         why="each call must build a new tensor, not hand out one shared object")


# rank_and_shape -------------------------------------------------------------


@check("rank_and_shape", t=any_rank_tensors())
def test_rank_and_shape_matches_reference(submission, reference, t):
    agree(submission.rank_and_shape, reference.rank_and_shape, t,
          why="the rank counts axes (size-1 and size-0 axes too); the shape lists their sizes")


@check("rank_and_shape", t=any_rank_tensors())
def test_rank_and_shape_matches_torch(submission, t):
    agree(submission.rank_and_shape, lambda u: (u.ndim, tuple(u.size())), t,
          why="t.ndim is the number of axes, t.size() their sizes")


@check("rank_and_shape")
def test_rank_and_shape_of_a_scalar(submission, reference):
    agree(submission.rank_and_shape, reference.rank_and_shape, torch.tensor(7.5),
          why="a 0-dim tensor (a scalar) has no axes: rank 0 and the empty shape ()")


@check("rank_and_shape")
def test_rank_and_shape_of_an_image_batch(submission, reference):
    agree(submission.rank_and_shape, reference.rank_and_shape, torch.zeros(2, 3, 4, 5),
          why="a batch (N, C, H, W) = (2, 3, 4, 5) has 4 axes, whatever their sizes")


@check("rank_and_shape")
def test_rank_and_shape_examples_from_the_lesson(submission):
    same(submission.rank_and_shape(torch.tensor(5)), (0, ()),
         what="rank_and_shape(torch.tensor(5))", why="a scalar has no axes")
    same(submission.rank_and_shape(torch.tensor([1, 2, 3])), (1, (3,)),
         what="rank_and_shape(torch.tensor([1, 2, 3]))")
    same(submission.rank_and_shape(torch.tensor(POINTS)), (2, (3, 2)),
         what="rank_and_shape(points)", why="three rows of two coordinates")
    same(submission.rank_and_shape(torch.zeros(1, 3)), (2, (1, 3)),
         what="rank_and_shape(torch.zeros(1, 3))", why="a size-1 axis is still an axis")


# crop_center ----------------------------------------------------------------


@check("crop_center", case=images_and_crop_sizes())
def test_crop_center_matches_reference(submission, reference, device, case):
    images, size = case
    images = images.to(device)
    agree(submission.crop_center, reference.crop_center, images, size, view_of=images,
          why="rows (H - h) // 2 up to but not including (H - h) // 2 + h of the last "
              "two axes only, likewise for columns, as a view")


@check("crop_center")
def test_crop_center_middle_point(submission):
    points = torch.tensor(POINTS)
    same(submission.crop_center(points, (1, 2)), torch.tensor([[5.0, 3.0]]),
         what="crop_center(points, (1, 2))", why="the middle row of the three points")


@check("crop_center")
def test_crop_center_of_a_batch(submission):
    batch = torch.arange(2 * 4 * 5).reshape(2, 4, 5)
    same(submission.crop_center(batch, (2, 3)), batch[:, 1:3, 1:4],
         what="crop_center(batch of shape (2, 4, 5), (2, 3))",
         why="margins (4 - 2) // 2 = 1 row and (5 - 3) // 2 = 1 column, for each image")


@check("crop_center")
def test_crop_center_with_odd_margins_is_a_view(submission, reference):
    image = torch.arange(5 * 6.0).reshape(5, 6)
    agree(submission.crop_center, reference.crop_center, image, (2, 3), view_of=image,
          why="5 - 2 = 3 spare rows and 6 - 3 = 3 spare columns: the top and left margins are "
              "3 // 2 = 1 (rounded down), and slicing gives a view of the image")


# promoted_dtype -------------------------------------------------------------


@check("promoted_dtype", a=tst.dtypes(ALL_DTYPES), b=tst.dtypes(ALL_DTYPES))
def test_promoted_dtype_matches_reference(submission, reference, a, b):
    agree(submission.promoted_dtype, reference.promoted_dtype, a, b,
          why="floating beats integer beats bool; within a kind the wider dtype wins")


@check("promoted_dtype", a=tst.dtypes(ALL_DTYPES), b=tst.dtypes(ALL_DTYPES))
def test_promoted_dtype_is_what_multiplication_gives(submission, a, b):
    def by_multiplying(a, b):
        return (torch.ones(2, dtype=a) * torch.ones(2, dtype=b)).dtype

    agree(submission.promoted_dtype, by_multiplying, a, b,
          why="it must be the dtype PyTorch really gives x * y")


@check("promoted_dtype")
def test_promoted_dtype_float_beats_a_wider_integer(submission, reference):
    agree(submission.promoted_dtype, reference.promoted_dtype, torch.float32, torch.int64,
          why="float32 with int64 is float32: any floating dtype beats any integer dtype, "
              "even one with more bytes")


@check("promoted_dtype")
def test_promoted_dtype_keeps_double_precision(submission, reference):
    agree(submission.promoted_dtype, reference.promoted_dtype, torch.float16, torch.float64,
          why="float16 with float64 is float64: between two floats the wider one wins")


@check("promoted_dtype")
def test_promoted_dtype_examples_from_the_lesson(submission):
    same(submission.promoted_dtype(torch.float64, torch.int16), torch.float64,
         what="promoted_dtype(float64, int16)", why="a float64 times an int16 stays float64")
    same(submission.promoted_dtype(torch.int64, torch.float32), torch.float32,
         what="promoted_dtype(int64, float32)",
         why="a floating dtype beats any integer dtype, however wide")
    same(submission.promoted_dtype(torch.uint8, torch.int8), torch.int16,
         what="promoted_dtype(uint8, int8)",
         why="only int16 can hold both 0..255 and -128..127")


# to_dtype_like --------------------------------------------------------------


@check("to_dtype_like", case=values_and_targets())
def test_to_dtype_like_matches_reference(submission, reference, device, case):
    x, other = (t.to(device) for t in case)
    agree(submission.to_dtype_like, reference.to_dtype_like, x, other,
          why="x's values and shape in other's dtype; floats become integers by "
              "dropping the fraction")


@check("to_dtype_like", case=wide_pairs())
def test_to_dtype_like_keeps_wide_values_exactly(submission, reference, device, case):
    x, other = (t.to(device) for t in case)
    agree(submission.to_dtype_like, reference.to_dtype_like, x, other,
          why="x already has other's dtype, so every value must come back unchanged; a detour "
              "through float32 rounds int64 values beyond 2**24 and float64 values with many digits")


@check("to_dtype_like")
def test_to_dtype_like_of_large_int64_values(submission, reference):
    x = torch.tensor([2**24 + 1, 2**53 + 1, -(2**40) - 3])
    agree(submission.to_dtype_like, reference.to_dtype_like, x, torch.zeros(1, dtype=torch.int64),
          why="int64 to int64 changes nothing: 2**24 + 1 = 16777217 has no float32 of its own, "
              "and 2**53 + 1 none in float64, so no float may be used on the way")


@check("to_dtype_like")
def test_to_dtype_like_truncates_towards_zero(submission, reference):
    x = torch.tensor([2.7, -2.3, 0.5, -0.5], dtype=torch.float64)
    agree(submission.to_dtype_like, reference.to_dtype_like, x, torch.zeros(1, dtype=torch.int16),
          why="integer conversion drops the fractional part: [2.7, -2.3, 0.5, -0.5] "
              "becomes [2, -2, 0, 0]")


@check("to_dtype_like")
def test_to_dtype_like_down_to_float32(submission):
    x = torch.rand(5, dtype=torch.float64)
    same(submission.to_dtype_like(x, torch.ones(3, 2)), x.to(torch.float32),
         what="to_dtype_like(float64 values, a float32 tensor)",
         why="the result takes other's dtype, even when that is narrower")
