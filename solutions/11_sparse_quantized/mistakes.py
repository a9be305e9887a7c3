"""Plausible wrong answers for exercise 11 (sparse and quantized tensors), each named and explained."""

import math

import torch

from grader.mistakes import mistake

# to_sparse_coo ----------------------------------------------------------------


@mistake("to_sparse_coo", "not coalesced",
         "torch.sparse_coo_tensor(indices, values, size) does not check its indices, so it "
         "marks the result as uncoalesced even when they are sorted and unique. Call "
         ".coalesce() on it, or use dense.to_sparse(), which gives a coalesced tensor.")
def to_sparse_uncoalesced(dense):
    indices = dense.nonzero().T
    return torch.sparse_coo_tensor(indices, dense[tuple(indices)], dense.shape, check_invariants=True)


@mistake("to_sparse_coo", "stored the zeros too",
         "Listing every position stores the zeros as explicit values, and coalesce() keeps "
         "them, so nothing is saved. Keep only the positions where dense != 0.")
def to_sparse_with_zeros(dense):
    indices = torch.ones_like(dense, dtype=torch.bool).nonzero().T
    return torch.sparse_coo_tensor(indices, dense.reshape(-1), dense.shape, check_invariants=True).coalesce()


@mistake("to_sparse_coo", "CSR instead of COO",
         "to_sparse_csr() gives the compressed sparse row layout, another sparse format with "
         "different indices (crow_indices, col_indices). This function asks for the COO layout: "
         "to_sparse().")
def to_sparse_csr(dense):
    return dense.to_sparse_csr()


# from_coo ---------------------------------------------------------------------


@mistake("from_coo", "duplicates overwritten",
         "dense[tuple(indices)] = values writes the values one after another, so for a "
         "position listed twice only one value survives. COO adds duplicates together: build "
         "the sparse tensor and call to_dense(), or use index_put_ with accumulate=True.")
def from_coo_assign(indices, values, shape):
    dense = torch.zeros(shape, dtype=values.dtype, device=values.device)
    dense[tuple(indices)] = values
    return dense


@mistake("from_coo", "float32 zeros",
         "torch.zeros(shape) is float32 by default, so integer or float64 values change dtype. "
         "Give the zeros values.dtype (or let sparse_coo_tensor take it from values).")
def from_coo_float32(indices, values, shape):
    dense = torch.zeros(shape, device=values.device)
    return dense.index_put_(tuple(indices), values.to(dense.dtype), accumulate=True)


@mistake("from_coo", "size guessed from the indices",
         "Without a size, sparse_coo_tensor makes each axis just long enough for the largest "
         "index, which can be smaller than the shape asked for. Pass shape as the size.")
def from_coo_inferred_size(indices, values, shape):
    if indices.shape[1] == 0:
        return torch.zeros(shape, dtype=values.dtype, device=values.device)
    return torch.sparse_coo_tensor(indices, values, check_invariants=True).to_dense()


# sparsity ---------------------------------------------------------------------


@mistake("sparsity", "counted the non-zeros",
         "count_nonzero counts the elements that are NOT zero: that fraction is the density. "
         "Sparsity is the other part, 1 - density.")
def sparsity_density(x):
    return x.count_nonzero().item() / x.numel()


@mistake("sparsity", "returned a tensor",
         "(x == 0).float().mean() is still a 0-dim tensor; the contract asks for a Python "
         "float: call .item() on it.")
def sparsity_tensor(x):
    return (x == 0).float().mean()


@mistake("sparsity", "divided by len(x)",
         "len(x) is the size of the first axis only. Divide by the number of elements, "
         "x.numel().")
def sparsity_len(x):
    return (x == 0).sum().item() / len(x)


@mistake("sparsity", "integer division",
         "// rounds down to a whole number, so any fraction below 1 becomes 0. Use / for a "
         "float.")
def sparsity_floor_division(x):
    return float((x == 0).sum().item() // x.numel())


# quantize_int8 ----------------------------------------------------------------


def _finish(x, low, high, scale):
    zero_point = -128 - round(low / scale)
    q = (torch.round(x / scale) + zero_point).clamp(-128, 127).to(torch.int8)
    return q, scale, zero_point


@mistake("quantize_int8", "range without zero",
         "Using x.min() and x.max() as they are leaves 0 outside the range when all values "
         "have the same sign, so 0.0 has no exact level. The range is min(x.min(), 0) to "
         "max(x.max(), 0).")
def quantize_no_zero(x):
    low, high = x.min().item(), x.max().item()
    scale = (high - low) / 255 if high > low else 1.0
    return _finish(x, low, high, scale)


@mistake("quantize_int8", "256 steps",
         "256 levels have 255 gaps between them, so the step is (high - low) / 255. Dividing "
         "by 256 leaves the highest value one step short of level 127.")
def quantize_256(x):
    low, high = min(x.min().item(), 0.0), max(x.max().item(), 0.0)
    scale = (high - low) / 256 if high > low else 1.0
    return _finish(x, low, high, scale)


@mistake("quantize_int8", "truncated instead of rounded",
         "Converting x / scale to an integer dtype cuts off the fraction (towards zero), so "
         "4.7 becomes 4. Round to the nearest level first with torch.round.")
def quantize_truncated(x):
    low, high = min(x.min().item(), 0.0), max(x.max().item(), 0.0)
    scale = (high - low) / 255 if high > low else 1.0
    zero_point = -128 - round(low / scale)
    q = ((x / scale).to(torch.int32) + zero_point).clamp(-128, 127).to(torch.int8)
    return q, scale, zero_point


@mistake("quantize_int8", "rounded halves up",
         "floor(v + 0.5) sends every exact half upwards (0.5 to 1, 2.5 to 3), so the "
         "levels drift up on values that sit halfway between two levels. The recipe "
         "rounds half to even, as torch.round and Python's round do (0.5 to 0, 1.5 to 2).")
def quantize_half_up(x):
    low, high = min(x.min().item(), 0.0), max(x.max().item(), 0.0)
    scale = (high - low) / 255 if high > low else 1.0
    zero_point = -128 - math.floor(low / scale + 0.5)
    q = (torch.floor(x / scale + 0.5) + zero_point).clamp(-128, 127).to(torch.int8)
    return q, scale, zero_point


@mistake("quantize_int8", "not clamped",
         "round(x / scale) + zero_point can come out one level past 127 (or below -128) "
         "when the rounding of zero_point and of the value both go up; .to(torch.int8) "
         "then wraps 128 around to -128, the far end of the range. Clamp to [-128, 127] "
         "before converting.")
def quantize_unclamped(x):
    low, high = min(x.min().item(), 0.0), max(x.max().item(), 0.0)
    scale = (high - low) / 255 if high > low else 1.0
    zero_point = -128 - round(low / scale)
    q = (torch.round(x / scale) + zero_point).to(torch.int8)
    return q, scale, zero_point


@mistake("quantize_int8", "zero point sign flipped",
         "low must land on level -128: round(low / scale) + zero_point = -128, so "
         "zero_point = -128 - round(low / scale), not -128 + round(low / scale).")
def quantize_zero_point_sign(x):
    low, high = min(x.min().item(), 0.0), max(x.max().item(), 0.0)
    scale = (high - low) / 255 if high > low else 1.0
    zero_point = -128 + round(low / scale)
    q = (torch.round(x / scale) + zero_point).clamp(-128, 127).to(torch.int8)
    return q, scale, zero_point


@mistake("quantize_int8", "symmetric scale",
         "scale = max|x| / 127 with zero_point 0 is symmetric quantization, another common "
         "scheme, but it wastes levels when the values are not centred on 0. This function "
         "asks for the affine scheme: the range low..high over all 256 levels.")
def quantize_symmetric(x):
    peak = x.abs().max().item()
    scale = peak / 127 if peak > 0 else 1.0
    q = torch.round(x / scale).clamp(-128, 127).to(torch.int8)
    return q, scale, 0


@mistake("quantize_int8", "scale and zero point as tensors",
         "x.min() and x.max() are 0-dim tensors, so arithmetic on them gives tensors too. "
         "Return scale as a Python float and zero_point as a Python int (.item(), round()).")
def quantize_tensors(x):
    low, high = x.min().clamp(max=0.0), x.max().clamp(min=0.0)
    scale = (high - low) / 255 if high > low else torch.tensor(1.0)
    zero_point = -128 - torch.round(low / scale)
    q = (torch.round(x / scale) + zero_point).clamp(-128, 127).to(torch.int8)
    return q, scale, zero_point


# dequantize -------------------------------------------------------------------


@mistake("dequantize", "int8 wrap-around",
         "q - zero_point computed in int8 wraps around: 127 - (-128) is 255, which int8 "
         "cannot hold, so it comes out as -1. Convert q to float32 first, then subtract.")
def dequantize_int8_arithmetic(q, scale, zero_point):
    return (q - zero_point).float() * scale


@mistake("dequantize", "forgot the zero point",
         "Level zero_point stands for 0.0, not level 0: subtract zero_point before scaling.")
def dequantize_no_zero_point(q, scale, zero_point):
    return q.float() * scale


@mistake("dequantize", "added the zero point",
         "Quantizing ADDED zero_point to round(x / scale); undoing it subtracts: "
         "(q - zero_point) * scale.")
def dequantize_plus_zero_point(q, scale, zero_point):
    return (q.float() + zero_point) * scale


@mistake("dequantize", "zero point not scaled",
         "q * scale - zero_point subtracts the zero point after scaling, but zero_point counts "
         "levels, not values. Subtract it first: (q - zero_point) * scale.")
def dequantize_unscaled_zero_point(q, scale, zero_point):
    return q.float() * scale - zero_point


@mistake("dequantize", "float64 result",
         "q.double() (or a NumPy detour) gives float64; the contract asks for float32, "
         "PyTorch's default float.")
def dequantize_float64(q, scale, zero_point):
    return (q.double() - zero_point) * scale
