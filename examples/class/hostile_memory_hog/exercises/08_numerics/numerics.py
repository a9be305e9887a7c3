"""Exercise 08: keep exponentials finite.

Read README.md in this folder first. Run the checks with

    pytest exercises/08_numerics

The built-in softmax, log_softmax and logsumexp are off limits in this
exercise: the point is to build them.
"""

import torch  # noqa: F401 - your code will need it
from torch import Tensor


def scale_to_unit(x: Tensor) -> Tensor:
    """Pixel values in [0, 255] mapped to [0, 1] as float32.

    ``x`` is a uint8 tensor of any shape. Returns a new float32 tensor of the
    same shape with ``x / 255``: 0 becomes 0.0 and 255 becomes exactly 1.0,
    whatever values this particular tensor happens to hold. ``x`` is not
    modified.

    Example: [255, 204, 170] gives [1.0, 0.8, 0.6667].
    """
    # TODO: convert to float32, then divide by the largest value a uint8 can hold.
    raise NotImplementedError


def stable_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """softmax along ``dim``: exp(x_i) / sum_j exp(x_j), computed without overflow.

    ``x`` is float32 or float64, any shape, with finite values that may be as
    large as 1e4 or as small as -1e4. Returns a tensor of the same shape and
    dtype whose slices along ``dim`` are all finite, lie in [0, 1] and sum to
    1, accurate to the dtype's precision. Each slice along ``dim`` is handled
    on its own, so slices of very different scale do not disturb each other.
    ``x`` is not modified.
    """
    # TODO: exp overflows for large x. Shift every slice by its own maximum
    # first; the shift cancels between numerator and denominator.
    raise NotImplementedError


def stable_logsumexp(x: Tensor, dim: int = -1) -> Tensor:
    """log(sum_j exp(x_j)) along ``dim``, computed without overflow or underflow.

    ``x`` is float32 or float64, any shape, with finite values in roughly
    [-1e4, 1e4]. Returns a tensor of ``x``'s dtype with ``dim`` removed
    (like ``x.sum(dim)``), finite and accurate to the dtype's precision.
    ``x`` is not modified.

    Example: for x = [1e4, 1e4] the answer is 1e4 + log(2) = 10000.6931.
    """
    # TODO: take each slice's maximum m out: log(sum exp(x)) = m + log(sum exp(x - m)).
    raise NotImplementedError
