"""Checks for exercise 11: sparse COO tensors and int8 quantization."""

import inspect
import math
import warnings
from types import SimpleNamespace

import torch
from hypothesis import strategies as st

from grader import agree, check, expect, same
from grader import strategies as tst

# The lesson's sparse example: three values in a 3x3 matrix.
SEED_INDICES = [[0, 1, 1], [2, 0, 2]]
SEED_VALUES = [3, 4, 5]
SEED_DENSE = [[0, 0, 3], [4, 0, 5], [0, 0, 0]]


def _quiet(function, *args, **kwargs):
    """Call a PyTorch oracle without its deprecation and sparse-invariant warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return function(*args, **kwargs)


# --- scenarios -----------------------------------------------------------------
#
# Whether a sparse tensor is coalesced and how many values it stores cannot be
# seen by comparing it as a dense tensor. The scenario returns those facts next
# to the result, so agree compares them and names the matching known mistake.


class _Scenario:
    def __init__(self, function, run, mistakes=()):
        self._function, self._run = function, run
        self.name = self.__name__ = getattr(function, "name", None) or function.__name__
        self.__signature__ = inspect.Signature(list(inspect.signature(run).parameters.values())[1:])
        self.mistakes = tuple(
            SimpleNamespace(name=m.name, explanation=m.explanation, function=_Scenario(m.function, run))
            for m in mistakes
        )

    def __call__(self, *parts):
        return self._run(self._function, *parts)


def scenario(run, submitted, reference):
    """The learner's function and the reference (with its mistakes), both run through ``run``."""
    return _Scenario(submitted, run), _Scenario(reference, run, reference.mistakes)


def _sparse_facts(function, dense, device):
    out = function(dense.to(device))
    is_coo = isinstance(out, torch.Tensor) and out.layout == torch.sparse_coo
    return {
        "tensor": out,
        "is_coalesced()": out.is_coalesced() if is_coo else None,
        "stored values (nnz)": out._nnz() if is_coo else None,
    }


@st.composite
def mostly_zero(draw, *, min_rank=1, dtypes=(torch.float32, torch.int64, torch.float64, torch.bool)):
    """A dense tensor in which roughly half the elements are zero."""
    rank = draw(st.integers(min_rank, 3))
    shape = draw(tst.distinct_sizes(rank, min_size=1, max_size=4))
    dtype = draw(tst.dtypes(dtypes))
    values = draw(tst.tensors(shape, dtype=dtype, min_value=-9 if dtype != torch.bool else None,
                              max_value=9 if dtype != torch.bool else None))
    keep = draw(tst.tensors(shape, dtype=torch.bool, contiguous=True))
    return values * keep if dtype != torch.bool else values & keep


# --- to_sparse_coo -------------------------------------------------------------


@check("to_sparse_coo", dense=mostly_zero())
def test_to_sparse_coo_stores_only_the_non_zeros(submission, reference, device, dense):
    learner, oracle = scenario(_sparse_facts, submission.to_sparse_coo, reference.to_sparse_coo)
    out = agree(learner, oracle, dense, device,
                why="a coalesced sparse COO tensor that stores exactly the non-zero elements of dense")
    same(out["tensor"].to_dense(), dense.to(device), what="to_sparse_coo(dense).to_dense()",
         why="turning the sparse tensor back into a dense one must give dense again")


@check("to_sparse_coo")
def test_to_sparse_coo_of_the_lesson_matrix(submission, reference):
    learner, oracle = scenario(_sparse_facts, submission.to_sparse_coo, reference.to_sparse_coo)
    out = agree(learner, oracle, torch.tensor(SEED_DENSE), "cpu",
                why="the matrix [[0, 0, 3], [4, 0, 5], [0, 0, 0]] has three non-zero values")
    same(out["tensor"].indices(), torch.tensor(SEED_INDICES), what="to_sparse_coo(matrix).indices()",
         why="the non-zeros sit at (0, 2), (1, 0) and (1, 2): row indices [0, 1, 1], column indices [2, 0, 2]")
    same(out["tensor"].values(), torch.tensor(SEED_VALUES), what="to_sparse_coo(matrix).values()")


# --- from_coo ------------------------------------------------------------------


@st.composite
def coo_parts(draw):
    """indices (rank, nnz), values (nnz,) and a shape; small shapes make repeated positions common."""
    rank = draw(st.integers(1, 3))
    shape = draw(tst.distinct_sizes(rank, min_size=1, max_size=4))
    nnz = draw(st.integers(0, 8))
    rows = [draw(tst.tensors((nnz,), dtype=torch.int64, min_value=0, max_value=side - 1, contiguous=True))
            for side in shape]
    indices = torch.stack(rows) if rows else torch.zeros(0, nnz, dtype=torch.int64)
    values = draw(tst.tensors((nnz,), dtype=tst.dtypes((torch.int64, torch.float32, torch.float64)),
                              min_value=-9, max_value=9))
    return indices, values, tuple(shape)


@check("from_coo", parts=coo_parts())
def test_from_coo_adds_repeated_positions(submission, reference, device, parts):
    indices, values, shape = parts
    indices, values = indices.to(device), values.to(device)
    out = agree(submission.from_coo, reference.from_coo, indices, values, shape,
                why="zeros of the given shape and values' dtype, with each value added at its "
                    "position (a position listed twice gets the sum of its values)")
    expected = torch.zeros(shape, dtype=values.dtype, device=device).index_put_(
        tuple(indices), values, accumulate=True)
    same(out, expected, what="from_coo(indices, values, shape)",
         why="index_put_(..., accumulate=True) on zeros gives the same tensor")


@check("from_coo")
def test_from_coo_of_the_lesson_example(submission, reference):
    agree(submission.from_coo, reference.from_coo, torch.tensor(SEED_INDICES), torch.tensor(SEED_VALUES), (3, 3),
          why="values 3, 4, 5 at (0, 2), (1, 0), (1, 2) give [[0, 0, 3], [4, 0, 5], [0, 0, 0]] (int64)")


@check("from_coo")
def test_from_coo_with_a_repeated_position(submission, reference):
    indices = torch.tensor([[0, 1, 1], [2, 0, 0]])
    out = agree(submission.from_coo, reference.from_coo, indices, torch.tensor([3, 4, 5]), (2, 4),
                why="(1, 0) is listed twice, with 4 and 5: the dense tensor holds 4 + 5 = 9 there")
    same(out, torch.tensor([[0, 0, 3, 0], [9, 0, 0, 0]]), what="from_coo(indices, [3, 4, 5], (2, 4))")


# --- sparsity ------------------------------------------------------------------


@check("sparsity", x=mostly_zero())
def test_sparsity_counts_zeros(submission, reference, device, x):
    x = x.to(device)
    agree(submission.sparsity, reference.sparsity, x,
          why="a Python float: the number of zero elements divided by x.numel()")
    same(submission.sparsity(x), float((x == 0).sum().item()) / x.numel(), what="sparsity(x)",
         why="(x == 0).sum() / x.numel() counts the same thing")


@check("sparsity")
def test_sparsity_of_scalars(submission, reference):
    for value in (0.0, 3.0):
        agree(submission.sparsity, reference.sparsity, torch.tensor(value),
              why="a 0-dim tensor has one element: sparsity 1.0 when it is 0, else 0.0")


@check("sparsity")
def test_sparsity_of_the_lesson_matrix(submission, reference):
    agree(submission.sparsity, reference.sparsity, torch.tensor(SEED_DENSE),
          why="6 of the 9 elements are zero: 6 / 9 = 0.667")


# --- quantize_int8 -------------------------------------------------------------


@st.composite
def quantizable(draw):
    """float32 tensors whose values sit at least 0.1 of a step away from a rounding tie.

    Values are built as ``(code - below) * step``: integer codes 0..255 plus an
    offset of at most 0.4, ``below`` codes under zero. The extremes are pinned so
    that the recipe's scale comes out as ``step`` and ``low / scale`` as
    ``-below``. So every correct way of computing the recipe rounds the same way.
    ``below`` is 0 (all values >= 0) or 255 (all <= 0) a third of the time each.
    """
    rank = draw(st.integers(1, 3))
    shape = draw(tst.distinct_sizes(rank, min_size=2, max_size=4))
    count = math.prod(shape)
    step = draw(st.sampled_from([0.001, 0.01, 0.02, 0.1, 0.25, 1.0, 3.0]))
    below = draw(st.one_of(st.just(0), st.just(255), st.integers(1, 254)))
    whole = draw(tst.tensors((count,), dtype=torch.int64, min_value=0, max_value=255, contiguous=True))
    offset = draw(tst.tensors((count,), dtype=torch.float64, min_value=-0.4, max_value=0.4, contiguous=True))
    codes = (whole + offset).clamp(0, 255)
    if below > 0:
        codes[0] = 0.0
    if below < 255:
        codes[-1] = 255.0
    values = ((codes - below) * step).to(torch.float32).reshape(shape)
    return tst.relayout(values, draw(st.sampled_from(tst.LAYOUTS)))


@check("quantize_int8", x=quantizable())
def test_quantize_int8_follows_the_recipe(submission, reference, x):
    q, scale, zero_point = agree(submission.quantize_int8, reference.quantize_int8, x,
                                 why="range min(x.min(), 0)..max(x.max(), 0) over 255 steps; zero_point "
                                     "= -128 - round(low / scale); q = round(x / scale) + zero_point, "
                                     "clamped to [-128, 127], as int8")
    if hasattr(torch, "quantize_per_tensor"):
        oracle = _quiet(torch.quantize_per_tensor, x, scale, zero_point, torch.qint8).int_repr()
        same(q, oracle, what="quantize_int8(x)[0]",
             why="torch.quantize_per_tensor(x, scale, zero_point, torch.qint8).int_repr() gives "
                 "the same levels")
    error = ((q.float() - zero_point) * scale - x).abs().max().item()
    expect(error <= scale / 2 * (1 + 1e-4),
           f"quantize_int8(x) is off by {error:.6g} somewhere, more than scale / 2 = {scale / 2:.6g}: "
           "every value within the range must land on its nearest level")


@check("quantize_int8")
def test_quantize_int8_small_example(submission, reference):
    x = torch.tensor([-1.0, 0.0, 1.55])
    q, scale, zero_point = agree(
        submission.quantize_int8, reference.quantize_int8, x,
        why="low = -1, high = 1.55: scale = 2.55 / 255 = 0.01, zero_point = -128 - round(-100) = -28, "
            "so -1.0, 0.0, 1.55 land on levels -128, -28 and 127")
    same(q, torch.tensor([-128, -28, 127], dtype=torch.int8), what="quantize_int8(x)[0]")


@check("quantize_int8")
def test_quantize_int8_at_exact_halves_and_the_clamp(submission, reference):
    # Every number here is exact in float32: scale = 63.75 / 255 = 0.25 exactly, so
    # low / scale = -99.5, and 0.125, 0.375 and 38.875 sit at 0.5, 1.5 and 155.5 levels.
    x = torch.tensor([-24.875, 0.125, 0.375, 38.875])
    q, _, _ = agree(
        submission.quantize_int8, reference.quantize_int8, x,
        why="scale = 0.25; zero_point = -128 - round(-99.5) = -28 (round half to even); 0.5 and 1.5 "
            "round to 0 and 2; 38.875 / 0.25 = 155.5 rounds to 156, and 156 - 28 = 128 is clamped to 127")
    same(q, torch.tensor([-128, -28, -26, 127], dtype=torch.int8), what="quantize_int8(x)[0]")


@check("quantize_int8")
def test_quantize_int8_of_positive_values(submission, reference):
    agree(submission.quantize_int8, reference.quantize_int8, torch.tensor([0.517, 1.02, 2.55]),
          why="every value is positive, yet the range still starts at 0: low = 0, scale = 2.55 / 255 "
              "= 0.01, zero_point = -128, and 0.517 / 0.01 = 51.7 rounds to 52, level -76")


@check("quantize_int8")
def test_quantize_int8_of_a_scalar(submission, reference):
    agree(submission.quantize_int8, reference.quantize_int8, torch.tensor(-0.51),
          why="a 0-dim x: low = -0.51, high = 0, scale = 0.51 / 255 = 0.002, zero_point = -128 + 255 "
              "= 127, and x lands on level -128, as a 0-dim int8 tensor")


@check("quantize_int8")
def test_quantize_int8_of_zeros(submission, reference):
    agree(submission.quantize_int8, reference.quantize_int8, torch.zeros(2, 3),
          why="all zeros: high == low, so scale is 1.0, zero_point is -128 and every level is -128")


# --- dequantize ----------------------------------------------------------------


@st.composite
def quantized_parts(draw):
    shape = draw(st.integers(1, 3).flatmap(lambda rank: tst.distinct_sizes(rank, min_size=1, max_size=4)))
    q = draw(tst.tensors(shape, dtype=torch.int8))
    scale = draw(st.floats(1e-3, 10.0, allow_nan=False, allow_infinity=False))
    return q, scale, draw(st.integers(-128, 127))


@check("dequantize", parts=quantized_parts())
def test_dequantize_undoes_the_levels(submission, reference, device, parts):
    q, scale, zero_point = parts
    q = q.to(device)
    out = agree(submission.dequantize, reference.dequantize, q, scale, zero_point,
                why="(q - zero_point) * scale as float32, with the subtraction done in float "
                    "so it cannot wrap around")
    if hasattr(torch, "_make_per_tensor_quantized_tensor") and device == "cpu":
        quantized = _quiet(torch._make_per_tensor_quantized_tensor, q.contiguous(), scale, zero_point)
        same(out, quantized.dequantize(), what="dequantize(q, scale, zero_point)",
             why="PyTorch's own quantized tensor with these levels, scale and zero_point dequantizes to this")


@check("dequantize")
def test_dequantize_the_lesson_scale(submission, reference):
    q = torch.tensor([-12, 0, 5, 127], dtype=torch.int8)
    out = agree(submission.dequantize, reference.dequantize, q, 0.1, 0,
                why="scale 0.1 and zero_point 0, as in the lesson: level k stands for k * 0.1")
    same(out, torch.tensor([-1.2, 0.0, 0.5, 12.7]), what="dequantize(q, 0.1, 0)")


@check("dequantize")
def test_dequantize_a_scalar(submission, reference):
    agree(submission.dequantize, reference.dequantize, torch.tensor(-128, dtype=torch.int8), 0.5, 127,
          why="a 0-dim q: (-128 - 127) * 0.5 = -127.5, computed in float (int8 would wrap), 0-dim float32")


@check("dequantize")
def test_dequantize_the_extreme_levels(submission, reference):
    q = torch.tensor([-128, 127], dtype=torch.int8)
    out = agree(submission.dequantize, reference.dequantize, q, 0.01, -128,
                why="level 127 is 255 levels above zero_point -128: 255 * 0.01 = 2.55")
    same(out, torch.tensor([0.0, 2.55]), what="dequantize([-128, 127], 0.01, -128)")
