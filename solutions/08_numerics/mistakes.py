"""Plausible wrong answers for exercise 08 (numerics), each named and explained."""

import torch

from grader.mistakes import mistake

# scale_to_unit --------------------------------------------------------------


@mistake("scale_to_unit", "divided by 256",
         "A uint8 has 256 possible values, but the largest is 255: dividing by 256 "
         "maps white to 0.996 instead of 1.0.")
def scale_to_unit_256(x):
    return x.to(torch.float32) / 256


@mistake("scale_to_unit", "divided by the image's maximum",
         "Dividing by x.max() stretches each image by its own brightest pixel: a "
         "dark image becomes bright, and an all-black one divides 0 by 0. The scale "
         "is fixed: 255 always maps to 1.0.")
def scale_to_unit_by_max(x):
    return x.to(torch.float32) / x.max()


@mistake("scale_to_unit", "integer division",
         "// keeps integers: every pixel below 255 becomes 0. Convert to float32 "
         "before dividing.")
def scale_to_unit_floor(x):
    return x // 255


@mistake("scale_to_unit", "float64 instead of float32",
         "double() gives float64, twice the memory and not what models expect; "
         "images for a network are float32.")
def scale_to_unit_double(x):
    return x.double() / 255


# stable_softmax -------------------------------------------------------------


@mistake("stable_softmax", "naive exp",
         "exp(x) overflows to inf once x passes about 88 in float32 (709 in "
         "float64), and inf / inf is nan. Subtract each slice's maximum first: the "
         "largest exponent is then exp(0) = 1.")
def stable_softmax_naive(x, dim=-1):
    weights = x.exp()
    return weights / weights.sum(dim=dim, keepdim=True)


@mistake("stable_softmax", "one maximum for the whole tensor",
         "Subtracting the maximum of the whole tensor protects only the slice that "
         "holds it. A slice whose values all sit far below it underflows to all "
         "zeros, and 0 / 0 is nan. Take the maximum along dim, with keepdim=True.")
def stable_softmax_global_max(x, dim=-1):
    weights = (x - x.max()).exp()
    return weights / weights.sum(dim=dim, keepdim=True)


@mistake("stable_softmax", "subtracted the minimum",
         "Shifting by the minimum makes every exponent zero or positive, so a slice "
         "with a wide range still overflows. It is the maximum that must become 0.")
def stable_softmax_min(x, dim=-1):
    weights = (x - x.amin(dim=dim, keepdim=True)).exp()
    return weights / weights.sum(dim=dim, keepdim=True)


@mistake("stable_softmax", "normalised along the last axis",
         "Every step must use the same dim: the maximum, the sum and the division. "
         "Summing along the last axis normalises the wrong slices whenever dim is "
         "another axis.")
def stable_softmax_sum_last(x, dim=-1):
    weights = (x - x.amax(dim=dim, keepdim=True)).exp()
    return weights / weights.sum(dim=-1, keepdim=True)


@mistake("stable_softmax", "returned float64",
         "Computing in float64 is fine, but the answer must come back in x's dtype; "
         "the max shift already makes float32 safe.")
def stable_softmax_double(x, dim=-1):
    wide = x.double()
    weights = (wide - wide.amax(dim=dim, keepdim=True)).exp()
    return weights / weights.sum(dim=dim, keepdim=True)


@mistake("stable_softmax", "forgot keepdim on the maximum",
         "x.amax(dim) drops the reduced axis, so x - x.amax(dim) lines the maxima up "
         "with the wrong axis: the shapes clash ('The size of tensor a must match...') "
         "or each element is shifted by another slice's maximum. Keep the axis so it "
         "broadcasts along dim: x - x.amax(dim=dim, keepdim=True).")
def stable_softmax_no_keepdim(x, dim=-1):
    weights = (x - x.amax(dim=dim)).exp()
    return weights / weights.sum(dim=dim, keepdim=True)


@mistake("stable_softmax", "subtracted the (values, indices) pair",
         "x.max(dim) returns a named tuple (values, indices), not a tensor, so "
         "x - x.max(dim) fails with 'unsupported operand type(s) for -'. Take its "
         ".values (x.max(dim=dim, keepdim=True).values), or use x.amax(dim=dim, "
         "keepdim=True), which returns the maxima alone.")
def stable_softmax_minus_named_tuple(x, dim=-1):
    weights = (x - x.max(dim=dim, keepdim=True)).exp()
    return weights / weights.sum(dim=dim, keepdim=True)


# stable_logsumexp -----------------------------------------------------------


@mistake("stable_logsumexp", "naive log-sum-exp",
         "log(sum(exp(x))) overflows to inf for large x and underflows to "
         "log(0) = -inf for very negative x. Take the maximum out first.")
def stable_logsumexp_naive(x, dim=-1):
    return x.exp().sum(dim=dim).log()


@mistake("stable_logsumexp", "forgot to add the maximum back",
         "log(sum(exp(x - m))) is log-sum-exp of the shifted values; the answer for "
         "x is m plus that.")
def stable_logsumexp_no_max(x, dim=-1):
    peak = x.amax(dim=dim, keepdim=True)
    return (x - peak).exp().sum(dim=dim).log()


@mistake("stable_logsumexp", "shifted by the global maximum",
         "The maximum of the whole tensor is too large a shift for slices far below "
         "it: their exponentials all underflow to 0 and log(0) = -inf. Shift each "
         "slice by its own maximum along dim.")
def stable_logsumexp_global_max(x, dim=-1):
    peak = x.max()
    return peak + (x - peak).exp().sum(dim=dim).log()


@mistake("stable_logsumexp", "kept the reduced axis",
         "The result has one number per slice, so dim disappears, as it does for "
         "x.sum(dim); a leftover axis of size 1 changes the shape.")
def stable_logsumexp_keepdim(x, dim=-1):
    peak = x.amax(dim=dim, keepdim=True)
    return peak + (x - peak).exp().sum(dim=dim, keepdim=True).log()


@mistake("stable_logsumexp", "answer in float64",
         "The answer must come back in x's dtype; with the maximum taken out, "
         "float32 is accurate enough.")
def stable_logsumexp_double(x, dim=-1):
    wide = x.double()
    peak = wide.amax(dim=dim, keepdim=True)
    return (peak + (wide - peak).exp().sum(dim=dim, keepdim=True).log()).squeeze(dim)
