"""Checks for exercise 05 (grayscale). Run: pytest exercises/05_grayscale"""

import torch
from hypothesis import strategies as st

from grader import agree, check, same
from grader import strategies as tst

LUMA = (0.2126, 0.7152, 0.0722)


@st.composite
def rgb_images(draw):
    """Float images of shape (..., 3, H, W) with H != W, values in [0, 1]."""
    lead = draw(tst.leading_dims())
    height, width = draw(tst.distinct_sizes(2, min_size=1, max_size=5))
    dtype = draw(tst.dtypes(tst.FLOAT_DTYPES))
    return draw(tst.tensors(lead + (3, height, width), dtype=dtype, min_value=0.0, max_value=1.0))


@st.composite
def rgb_images_and_weights(draw):
    """An image stack as above and three channel weights of the same dtype."""
    images = draw(rgb_images())
    weights = draw(tst.tensors((3,), dtype=images.dtype, min_value=0.0, max_value=1.0))
    return images, weights


def luma_like(images):
    return torch.tensor(LUMA, dtype=images.dtype, device=images.device)


def by_matmul(images, weights):
    """Built-in oracle: move the channels last and take a dot product with the weights."""
    return images.movedim(-3, -1) @ weights


def green_pixel(dtype=torch.float32):
    """A 1x1 RGB image that is pure green, as shape (3, 1, 1)."""
    return torch.tensor([0.0, 1.0, 0.0], dtype=dtype).reshape(3, 1, 1)


# grayscale_mean -------------------------------------------------------------


@check("grayscale_mean", images=rgb_images())
def test_mean_matches_reference(submission, reference, device, images):
    images = images.to(device)
    agree(submission.grayscale_mean, reference.grayscale_mean, images,
          why="each output pixel is the average of its three channels (dim -3), "
              "for any number of leading dims")


@check("grayscale_mean")
def test_mean_of_a_pure_green_pixel_is_one_third(submission):
    same(submission.grayscale_mean(green_pixel()), torch.full((1, 1), 1 / 3),
         what="grayscale_mean of a pure-green pixel",
         why="(0 + 1 + 0) / 3 = 1/3: the plain mean makes pure green look dark")


@check("grayscale_mean")
def test_mean_shapes_from_the_lesson(submission):
    single = torch.rand(3, 5, 5)
    batch = torch.rand(2, 3, 5, 5)
    same(tuple(submission.grayscale_mean(single).shape), (5, 5),
         what="grayscale_mean(image of shape (3, 5, 5)).shape")
    same(tuple(submission.grayscale_mean(batch).shape), (2, 5, 5),
         what="grayscale_mean(batch of shape (2, 3, 5, 5)).shape",
         why="the batch axis stays, only the channel axis goes")


# grayscale_weighted ---------------------------------------------------------


@check("grayscale_weighted", pair=rgb_images_and_weights())
def test_weighted_matches_reference(submission, reference, device, pair):
    images, weights = (t.to(device) for t in pair)
    agree(submission.grayscale_weighted, reference.grayscale_weighted, images, weights,
          why="output[..., h, w] = sum over c of weights[c] * images[..., c, h, w]")


@check("grayscale_weighted", images=rgb_images())
def test_weighted_matches_a_dot_product(submission, device, images):
    images = images.to(device)
    agree(submission.grayscale_weighted, by_matmul, images, luma_like(images),
          why="with the luminance weights every pixel becomes "
              "0.2126 R + 0.7152 G + 0.0722 B")


@check("grayscale_weighted")
def test_weighted_on_images_three_pixels_wide(submission, reference):
    images = torch.rand(2, 3, 4, 3, generator=torch.Generator().manual_seed(5))
    agree(submission.grayscale_weighted, reference.grayscale_weighted, images, torch.tensor(LUMA),
          why="with W = 3 a (3,) weight tensor broadcasts against the width without any error, "
              "so only the (3, 1, 1) shape puts the weights on the channels")


@check("grayscale_weighted")
def test_weighted_pure_green_pixel_is_bright(submission):
    gray = submission.grayscale_weighted(green_pixel(), torch.tensor(LUMA))
    same(gray, torch.full((1, 1), 0.7152),
         what="grayscale_weighted of a pure-green pixel with the luminance weights",
         why="green carries most of the perceived brightness: 0.7152, against 1/3 "
             "for the plain mean")


@check("grayscale_weighted")
def test_weighted_keeps_white_white(submission):
    white = torch.ones(2, 3, 4, 5, dtype=torch.float64)
    same(submission.grayscale_weighted(white, torch.tensor(LUMA, dtype=torch.float64)),
         torch.ones(2, 4, 5, dtype=torch.float64),
         what="grayscale_weighted of a batch of white (2, 3, 4, 5) images",
         why="the luminance weights add up to 1, so white stays exactly 1")


# grayscale_einsum -----------------------------------------------------------


@check("grayscale_einsum", pair=rgb_images_and_weights())
def test_einsum_matches_reference(submission, reference, device, pair):
    images, weights = (t.to(device) for t in pair)
    agree(submission.grayscale_einsum, reference.grayscale_einsum, images, weights,
          why="'...chw,c->...hw': c is summed away, the leading dims, h and w stay in order")


@check("grayscale_einsum", images=rgb_images())
def test_einsum_matches_a_dot_product(submission, device, images):
    images = images.to(device)
    agree(submission.grayscale_einsum, by_matmul, images, luma_like(images),
          why="with the luminance weights every pixel becomes "
              "0.2126 R + 0.7152 G + 0.0722 B")


@check("grayscale_einsum")
def test_einsum_pure_green_pixel_in_a_batch(submission):
    batch = green_pixel().expand(2, 3, 1, 1)
    same(submission.grayscale_einsum(batch, torch.tensor(LUMA)), torch.full((2, 1, 1), 0.7152),
         what="grayscale_einsum of a batch of two pure-green pixels",
         why="each image in the batch gets 0.7152, and the batch axis stays")
