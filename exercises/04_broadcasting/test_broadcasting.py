"""Checks for exercise 04 (broadcasting). Run: pytest exercises/04_broadcasting"""

import torch
from hypothesis import strategies as st

from grader import agree, check, expect, same
from grader import strategies as tst

NCHW_DTYPES = (torch.float32, torch.uint8, torch.float64)


@st.composite
def compatible_shapes(draw):
    """Two shapes that broadcast: suffixes of one result shape with some sizes set to 1."""
    result = draw(tst.shapes(min_rank=0, max_rank=4, min_side=0, max_side=5))

    def operand():
        rank = draw(st.integers(0, len(result)))
        kept = result[len(result) - rank:]
        ones = draw(st.lists(st.booleans(), min_size=rank, max_size=rank))
        return tuple(1 if one else side for side, one in zip(kept, ones))

    return operand(), operand()


@st.composite
def incompatible_shapes(draw):
    """Two shapes with one aligned pair of different sizes, neither of them 1."""
    a, b = draw(compatible_shapes())
    x, y = draw(st.lists(st.sampled_from((0, 2, 3, 4, 5)), min_size=2, max_size=2, unique=True))
    offset = draw(st.integers(1, max(len(a), len(b), 1)))
    rank = max(len(a), len(b), offset)
    a = (1,) * (rank - len(a)) + a
    b = (1,) * (rank - len(b)) + b
    a = a[:rank - offset] + (x,) + a[rank - offset + 1:]
    b = b[:rank - offset] + (y,) + b[rank - offset + 1:]
    # Give one of them fewer leading axes when those are all 1, so ranks differ too.
    trim = draw(st.integers(0, rank - offset))
    if all(side == 1 for side in b[:trim]):
        b = b[trim:]
    return a, b


@st.composite
def hwc_images_and_factors(draw):
    """Channels-last images (..., H, W, C) with H, W, C distinct, and float32 factors (C,)."""
    lead = draw(tst.leading_dims())
    height, width, channels = draw(tst.distinct_sizes(3, min_size=1, max_size=5))
    dtype = draw(tst.dtypes((torch.float32, torch.uint8, torch.float64)))
    low, high = (0, 255) if dtype == torch.uint8 else (0.0, 1.0)
    images = draw(tst.tensors(lead + (height, width, channels), dtype=dtype,
                              min_value=low, max_value=high))
    factors = draw(tst.tensors((channels,), dtype=torch.float32, min_value=0.0, max_value=2.0))
    return images, factors


def nchw(dtypes=NCHW_DTYPES):
    return tst.image_batches(layout="NCHW", dtypes=dtypes, max_side=5)


def by_builtin(a, b):
    return tuple(torch.broadcast_shapes(tuple(a), tuple(b)))


# broadcast_shape ------------------------------------------------------------


@check("broadcast_shape", shapes=tst.as_lists_or_tuples(compatible_shapes()))
def test_broadcast_shape_matches_reference(submission, reference, shapes):
    agree(submission.broadcast_shape, reference.broadcast_shape, *shapes,
          why="align from the right, missing axes count as 1, a 1 takes the other size")


@check("broadcast_shape", shapes=compatible_shapes())
def test_broadcast_shape_matches_torch(submission, shapes):
    agree(submission.broadcast_shape, by_builtin, *shapes,
          why="it must agree with torch.broadcast_shapes")


@check("broadcast_shape", shapes=compatible_shapes())
def test_broadcast_shape_is_symmetric(submission, shapes):
    a, b = shapes
    same(submission.broadcast_shape(b, a), by_builtin(a, b),
         what=f"broadcast_shape({b}, {a})",
         why="x + y and y + x have the same shape: the order of the arguments does not matter")


@check("broadcast_shape", shapes=incompatible_shapes())
def test_broadcast_shape_rejects_incompatible_shapes(submission, shapes):
    a, b = shapes
    # The framework reports an exception from the learner's code as a failed
    # check whose message says what was raised; here raising is the goal.
    try:
        result = submission.broadcast_shape(a, b)
    except AssertionError as crash:
        expect("raised ValueError" in str(crash),
               f"broadcast_shape({a}, {b}) must raise ValueError for shapes that do not "
               f"broadcast, but: {crash}")
        return
    expect(False, f"broadcast_shape({a}, {b}) returned {result!r}, but these shapes do not "
                  "broadcast: some aligned sizes differ and neither is 1, so it must raise "
                  "ValueError")


@check("broadcast_shape")
def test_broadcast_shape_both_sides_stretch(submission, reference):
    agree(submission.broadcast_shape, reference.broadcast_shape, (3, 1), (4,),
          why="(4,) counts as (1, 4): the 1s of both shapes stretch, giving (3, 4)")
    agree(submission.broadcast_shape, reference.broadcast_shape, (1, 5), (6, 5),
          why="the first shape's size-1 axis stretches to 6")


@check("broadcast_shape")
def test_broadcast_shape_of_lists_of_different_lengths(submission, reference):
    agree(submission.broadcast_shape, reference.broadcast_shape, [4], [2, 3, 1],
          why="shapes may come as lists; [4] counts as [1, 1, 4], and neither list may be "
              "changed: pad a copy, not the caller's list")


@check("broadcast_shape")
def test_broadcast_shape_pads_on_the_left(submission, reference):
    agree(submission.broadcast_shape, reference.broadcast_shape, (2, 1), (2,),
          why="(2,) lines up with the last axis of (2, 1): it counts as (1, 2), so the "
              "result is (2, 2)")


@check("broadcast_shape")
def test_broadcast_shape_with_an_empty_axis(submission, reference):
    agree(submission.broadcast_shape, reference.broadcast_shape, (2, 1), (1, 0),
          why="a size-1 axis stretches to any size, 0 included: the result is (2, 0), "
              "not the larger size on each axis")


@check("broadcast_shape")
def test_broadcast_shape_examples_from_the_lesson(submission):
    same(submission.broadcast_shape((6, 5), (1, 5)), (6, 5),
         what="broadcast_shape((6, 5), (1, 5))", why="the single row is repeated 6 times")
    same(submission.broadcast_shape((256, 256, 3), (3,)), (256, 256, 3),
         what="broadcast_shape((256, 256, 3), (3,))",
         why="one factor per channel of a channels-last image")
    same(submission.broadcast_shape((2, 3, 5, 5), (3, 1, 1)), (2, 3, 5, 5),
         what="broadcast_shape((2, 3, 5, 5), (3, 1, 1))",
         why="one weight per channel of a channels-first batch")
    same(submission.broadcast_shape((5, 1, 4), (3, 1)), (5, 3, 4),
         what="broadcast_shape((5, 1, 4), (3, 1))", why="both operands stretch")
    same(submission.broadcast_shape((), (2, 0)), (2, 0),
         what="broadcast_shape((), (2, 0))", why="a scalar broadcasts with anything")


# scale_channels -------------------------------------------------------------


@check("scale_channels", case=hwc_images_and_factors())
def test_scale_channels_matches_reference(submission, reference, device, case):
    images, factors = (t.to(device) for t in case)
    agree(submission.scale_channels, reference.scale_channels, images, factors,
          why="channel c of every pixel times factors[c]; same shape, the promoted dtype, "
              "and the input left as it was")


@check("scale_channels")
def test_scale_channels_leaves_the_image_alone(submission, reference):
    image = torch.linspace(0, 1, 4 * 5 * 3).reshape(4, 5, 3)
    agree(submission.scale_channels, reference.scale_channels, image, torch.tensor([0.5, 1.5, 1.0]),
          why="the result is a new tensor; the caller's image keeps its values")


@check("scale_channels")
def test_scale_channels_example_from_the_lesson(submission):
    image = torch.full((4, 5, 3), 2.0)
    expected = torch.stack([torch.full((4, 5), 1.0), torch.full((4, 5), 3.0),
                            torch.full((4, 5), 2.0)], dim=-1)
    same(submission.scale_channels(image, torch.tensor([0.5, 1.5, 1.0])), expected,
         what="scale_channels(a (4, 5, 3) image of 2s, factors [0.5, 1.5, 1])",
         why="red is halved to 1, green grows to 3, blue stays 2")


@check("scale_channels")
def test_scale_channels_of_uint8_is_float(submission):
    image = torch.full((2, 2, 3), 255, dtype=torch.uint8)
    same(submission.scale_channels(image, torch.tensor([0.5, 1.5, 1.0])),
         torch.tensor([127.5, 382.5, 255.0]).expand(2, 2, 3),
         what="scale_channels(a uint8 image of 255s, factors [0.5, 1.5, 1])",
         why="uint8 times float32 promotes to float32, so 127.5 and 382.5 survive")


# batch_mean -----------------------------------------------------------------


@check("batch_mean", images=nchw(), keepdim=st.booleans())
def test_batch_mean_matches_reference(submission, reference, device, images, keepdim):
    images = images.to(device)
    agree(submission.batch_mean, reference.batch_mean, images, kwargs={"keepdim": keepdim},
          why="average over axis 0 (the images of the batch); uint8 is averaged as float32")


@check("batch_mean", images=nchw(tst.FLOAT_DTYPES))
def test_batch_mean_matches_torch_mean(submission, device, images):
    images = images.to(device)
    agree(submission.batch_mean, lambda x: torch.mean(x, 0), images,
          why="for float images it is torch.mean over axis 0")


@check("batch_mean")
def test_batch_mean_example_from_the_lesson(submission):
    batch = torch.arange(20, dtype=torch.float64).reshape(5, 4, 1, 1)
    same(submission.batch_mean(batch),
         torch.tensor([8.0, 9.0, 10.0, 11.0], dtype=torch.float64).reshape(4, 1, 1),
         what="batch_mean(arange(20).reshape(5, 4, 1, 1))",
         why="each channel averages 5 images: (0 + 4 + 8 + 12 + 16) / 5 = 8, then 9, 10, 11")


@check("batch_mean")
def test_batch_mean_of_uint8_keeps_the_batch_axis_on_request(submission, reference):
    batch = torch.tensor([0, 1, 255, 3], dtype=torch.uint8).reshape(2, 2, 1, 1)
    agree(submission.batch_mean, reference.batch_mean, batch, kwargs={"keepdim": True},
          why="(0 + 255) / 2 = 127.5 and (1 + 3) / 2 = 2.0, averaged as float32 (no integer "
              "division), and keepdim=True keeps the batch axis: shape (1, 2, 1, 1)")


# channel_mean ---------------------------------------------------------------


@check("channel_mean", images=nchw(), keepdim=st.booleans())
def test_channel_mean_matches_reference(submission, reference, device, images, keepdim):
    images = images.to(device)
    agree(submission.channel_mean, reference.channel_mean, images, kwargs={"keepdim": keepdim},
          why="average over axis 1 (the channels of NCHW); uint8 is averaged as float32")


@check("channel_mean", images=nchw(tst.FLOAT_DTYPES))
def test_channel_mean_matches_torch_mean(submission, device, images):
    images = images.to(device)
    agree(submission.channel_mean, lambda x: torch.mean(x, 1), images,
          why="for float images it is torch.mean over axis 1")


@check("channel_mean")
def test_channel_mean_of_uint8(submission):
    images = torch.tensor([0, 255, 0], dtype=torch.uint8).reshape(1, 3, 1, 1)
    same(submission.channel_mean(images, keepdim=True), torch.full((1, 1, 1, 1), 85.0),
         what="channel_mean(one pure-green uint8 pixel, keepdim=True)",
         why="(0 + 255 + 0) / 3 = 85.0 as float32, with the channel axis kept as size 1")


# class_map ------------------------------------------------------------------


@check("class_map", scores=tst.image_batches(layout="NCHW", max_side=5))
def test_class_map_matches_reference(submission, reference, device, scores):
    scores = scores.to(device)
    agree(submission.class_map, reference.class_map, scores,
          why="for every pixel, the largest score over axis 1 and the class it belongs to")


@check("class_map", scores=tst.image_batches(layout="NCHW", max_side=5))
def test_class_map_matches_max_and_argmax(submission, device, scores):
    scores = scores.to(device)
    agree(submission.class_map, lambda s: (s.amax(dim=1), s.argmax(dim=1)), scores,
          why="values are amax over the class axis, indices argmax over it")


@st.composite
def tied_scores(draw):
    """(N, K, H, W) scores with four to seven classes and few distinct values, so ties abound."""
    n, h, w = draw(tst.distinct_sizes(3, min_size=1, max_size=4))
    classes = draw(st.integers(4, 7))
    dtype = draw(tst.dtypes((torch.float32, torch.uint8, torch.float64)))
    return draw(tst.tensors((n, classes, h, w), dtype=dtype, min_value=0, max_value=2))


@check("class_map", scores=tied_scores())
def test_class_map_breaks_ties_towards_the_smallest_class(submission, reference, device, scores):
    scores = scores.to(device)
    agree(submission.class_map, reference.class_map, scores,
          why="where several classes share the best score, the smallest of those classes wins")


@check("class_map")
def test_class_map_with_a_four_way_tie(submission, reference):
    scores = torch.tensor([[1.0, 3.0, 3.0, 0.0, 3.0, 3.0], [2.0, 2.0, 2.0, 2.0, 1.0, 0.0]])
    scores = scores.reshape(1, 2, 6).permute(0, 2, 1).reshape(1, 6, 2, 1)
    agree(submission.class_map, reference.class_map, scores,
          why="pixel 0 has 3.0 at classes 1, 2, 4 and 5, pixel 1 has 2.0 at classes 0 to 3: "
              "the smallest tied class wins, 1 and 0")


@check("class_map")
def test_class_map_example_from_the_lesson(submission):
    scores = torch.tensor([0.5, 1.0, 3.4]).reshape(1, 3, 1, 1)
    same(submission.class_map(scores),
         (torch.tensor([[[3.4]]]), torch.tensor([[[2]]])),
         what="class_map(scores [0.5, 1.0, 3.4] for one pixel)",
         why="3.4 is the largest score and belongs to class 2")
