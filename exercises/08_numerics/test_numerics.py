"""Checks for exercise 08 (numerics). Run: pytest exercises/08_numerics"""

import math

import torch
from hypothesis import strategies as st

from grader import agree, check, same
from grader import strategies as tst


@st.composite
def logits_and_dim(draw, *, low=-1e4, high=1e4):
    """Float logits anywhere in [low, high], of rank 1 to 3, and an axis to work along."""
    rank = draw(st.integers(1, 3))
    shape = draw(tst.distinct_sizes(rank, min_size=1, max_size=5))
    x = draw(tst.tensors(shape, dtype=tst.dtypes(tst.FLOAT_DTYPES), min_value=low, max_value=high))
    dim = draw(st.integers(-rank, rank - 1))
    return x, dim


def rows_of_different_scale(dtype=torch.float32):
    """Two rows of logits, one near +1e4 and one near -1e4, as in a batch of very unequal scores."""
    return torch.tensor([[1e4, 1e4 - 1.0, 1e4 - 2.0], [-1e4, -1e4 + 1.0, -1e4 + 2.0]], dtype=dtype)


# scale_to_unit --------------------------------------------------------------


@st.composite
def pixel_tensors(draw):
    rank = draw(st.integers(0, 4))
    shape = draw(tst.distinct_sizes(rank, min_size=1, max_size=5))
    return draw(tst.tensors(shape, dtype=torch.uint8))


@check("scale_to_unit", x=pixel_tensors())
def test_scale_matches_reference(submission, reference, x):
    agree(submission.scale_to_unit, reference.scale_to_unit, x,
          why="every pixel is divided by 255, the largest uint8 value, and stored as float32")


@check("scale_to_unit", x=pixel_tensors())
def test_scale_keeps_0_and_255_fixed(submission, x):
    result = submission.scale_to_unit(x)
    same(result, (x.double() / 255).to(torch.float32), what="scale_to_unit(x)",
         why="0 maps to 0.0 and 255 to 1.0 for every image, whatever its own brightest pixel")


@check("scale_to_unit")
def test_scale_the_pixel_from_the_lesson(submission):
    pixel = torch.tensor([255, 204, 170], dtype=torch.uint8)
    scaled = submission.scale_to_unit(pixel)
    same(scaled, torch.tensor([1.0, 0.8, 2 / 3]), what="scale_to_unit([255, 204, 170])",
         why="255/255 = 1, 204/255 = 0.8, 170/255 = 0.6667")
    same(torch.exp(scaled), torch.tensor([2.7183, 2.2255, 1.9477]), atol=1e-4, rtol=0,
         what="torch.exp(scale_to_unit([255, 204, 170]))",
         why="after scaling, exp stays small; exp(255.) would be inf in float32")


# stable_softmax -------------------------------------------------------------


@check("stable_softmax", problem=logits_and_dim())
def test_softmax_matches_reference(submission, reference, device, problem):
    x, dim = problem
    x = x.to(device)
    agree(submission.stable_softmax, reference.stable_softmax, x, dim,
          why="each slice along dim is shifted by its own maximum, exponentiated and divided by its sum")


@check("stable_softmax", problem=logits_and_dim())
def test_softmax_matches_torch_in_float64(submission, problem):
    x, dim = problem
    same(submission.stable_softmax(x, dim), torch.softmax(x.double(), dim).to(x.dtype),
         what=f"stable_softmax(x, dim={dim})",
         why="finite, between 0 and 1, summing to 1 along dim, as accurate as the dtype allows")


@check("stable_softmax", dtype=tst.dtypes(tst.FLOAT_DTYPES))
def test_softmax_of_rows_of_different_scale(submission, dtype):
    x = rows_of_different_scale(dtype)
    row = torch.tensor([0.6652, 0.2447, 0.0900], dtype=dtype)
    same(submission.stable_softmax(x), torch.stack([row, row.flip(0)]), atol=1e-4, rtol=0,
         what="stable_softmax([[1e4, 1e4-1, 1e4-2], [-1e4, -1e4+1, -1e4+2]])",
         why="only differences within a row matter: both rows are softmax([0, -1, -2]) in some order")
    same(submission.stable_softmax(x.T, dim=0), torch.stack([row, row.flip(0)]).T, atol=1e-4, rtol=0,
         what="stable_softmax(the same logits transposed, dim=0)",
         why="with dim=0 each column is a slice, shifted by its own maximum")


@check("stable_softmax")
def test_softmax_of_a_scalar(submission, reference):
    agree(submission.stable_softmax, reference.stable_softmax, torch.tensor(1e4), -1,
          why="a 0-dim tensor is one slice of one logit along dim -1: its softmax is 1.0, 0-dim")


@check("stable_softmax")
def test_softmax_of_logits_spread_over_a_wide_range(submission, reference):
    x = torch.tensor([[-100.0, 0.0, -50.0]])
    result = agree(submission.stable_softmax, reference.stable_softmax, x,
                   why="the largest logit, 0, takes nearly all the weight; shifting by the maximum "
                       "keeps every exponent at or below 0")
    same(result, torch.tensor([[0.0, 1.0, 0.0]]), atol=1e-6, rtol=0,
         what="stable_softmax([[-100., 0., -50.]])", why="e^-100 and e^-50 are negligible next to e^0")


# stable_logsumexp -----------------------------------------------------------


@check("stable_logsumexp", problem=logits_and_dim())
def test_logsumexp_matches_reference(submission, reference, device, problem):
    x, dim = problem
    x = x.to(device)
    agree(submission.stable_logsumexp, reference.stable_logsumexp, x, dim,
          why="m + log(sum(exp(x - m))) with m each slice's maximum along dim, and dim removed")


@check("stable_logsumexp", problem=logits_and_dim())
def test_logsumexp_matches_torch_in_float64(submission, problem):
    x, dim = problem
    same(submission.stable_logsumexp(x, dim), torch.logsumexp(x.double(), dim).to(x.dtype),
         what=f"stable_logsumexp(x, dim={dim})",
         why="finite and as accurate as the dtype allows, even for logits of size 1e4")


@check("stable_logsumexp")
def test_logsumexp_of_a_scalar(submission, reference):
    agree(submission.stable_logsumexp, reference.stable_logsumexp, torch.tensor(1e4, dtype=torch.float64), 0,
          why="a 0-dim tensor is a single logit: log(e^x) = x = 1e4, still 0-dim")


@check("stable_logsumexp", dtype=tst.dtypes(tst.FLOAT_DTYPES))
def test_logsumexp_of_huge_and_tiny_logits(submission, dtype):
    pair = torch.tensor([[1e4, 1e4], [-1e4, -1e4]], dtype=dtype)
    same(submission.stable_logsumexp(pair), torch.tensor([1e4 + math.log(2), -1e4 + math.log(2)], dtype=dtype),
         what="stable_logsumexp([[1e4, 1e4], [-1e4, -1e4]])",
         why="log(e^a + e^a) = a + log 2, even where e^a itself is inf or 0 in floating point")
    x = rows_of_different_scale(dtype)
    offset = math.log(1 + math.exp(-1) + math.exp(-2))
    same(submission.stable_logsumexp(x.T, dim=0), torch.tensor([1e4 + offset, -1e4 + 2 + offset], dtype=dtype),
         what="stable_logsumexp(columns near +1e4 and near -1e4, dim=0)",
         why="each slice along dim is shifted by its own maximum")
