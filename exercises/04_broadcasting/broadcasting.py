"""Exercise 04: broadcasting and reductions over image axes.

Read README.md in this folder first, then replace each ``raise
NotImplementedError`` with your code. Apart from ``broadcast_shape``, write
every function without Python loops: let broadcasting and reductions do the
work.
"""

from collections.abc import Sequence

import torch  # noqa: F401 - your code will need it
from torch import Tensor


def broadcast_shape(a: Sequence[int], b: Sequence[int]) -> tuple[int, ...]:
    """The shape of ``x + y`` for tensors ``x`` of shape ``a`` and ``y`` of shape ``b``.

    Work it out from the numbers alone, by the broadcasting rules: line the
    shapes up from the right, treat missing leading axes as size 1, and for
    each aligned pair keep the common size, or the other size when one of
    them is 1 (so 1 with 0 gives 0).

    Args:
        a, b: shapes, as sequences of non-negative ints (possibly empty).
            They must not be modified.

    Returns:
        The broadcast shape as a tuple of ints.

    Raises:
        ValueError: when some aligned pair of sizes differs and neither is 1.
    """
    # TODO: pad the shorter shape with leading 1s, then compare the sizes pair by pair.
    raise NotImplementedError


def scale_channels(images: Tensor, factors: Tensor) -> Tensor:
    """Multiply every channel of channels-last images by its own factor.

    Args:
        images: a tensor of shape ``(..., H, W, C)``: any number of leading
            dims, any dtype (uint8 included), any device. It must not be
            modified.
        factors: a float tensor of shape ``(C,)`` on the same device.

    Returns:
        A new tensor of the same shape as ``images`` where channel ``c`` of
        every pixel is multiplied by ``factors[c]``. Its dtype is whatever
        PyTorch's type promotion gives for ``images * factors`` (float32 for
        uint8 images with float32 factors).
    """
    # TODO: check how the shapes line up from the right; no reshaping is needed.
    raise NotImplementedError


def batch_mean(images: Tensor, keepdim: bool = False) -> Tensor:
    """The average image of a batch, pixel by pixel and channel by channel.

    Args:
        images: a tensor of shape ``(N, C, H, W)`` with ``N >= 1``, of dtype
            uint8, float32 or float64, on any device. It must not be modified.
        keepdim: keep the batch axis as size 1.

    Returns:
        A new tensor of shape ``(C, H, W)``, or ``(1, C, H, W)`` when
        ``keepdim`` is true: element ``[c, h, w]`` is the mean of
        ``images[:, c, h, w]``. Float inputs keep their dtype; uint8 inputs
        (for which PyTorch defines no mean) give a float32 mean.
    """
    # TODO: reduce over the batch axis; make uint8 floating first.
    raise NotImplementedError


def channel_mean(images: Tensor, keepdim: bool = False) -> Tensor:
    """The average over the channels of every pixel of every image.

    Args:
        images: a tensor of shape ``(N, C, H, W)`` with ``C >= 1``, of dtype
            uint8, float32 or float64, on any device. It must not be modified.
        keepdim: keep the channel axis as size 1.

    Returns:
        A new tensor of shape ``(N, H, W)``, or ``(N, 1, H, W)`` when
        ``keepdim`` is true: element ``[n, h, w]`` is the mean of
        ``images[n, :, h, w]``. Float inputs keep their dtype; uint8 inputs
        give a float32 mean.
    """
    # TODO: the same as batch_mean, over the channel axis of NCHW.
    raise NotImplementedError


def class_map(scores: Tensor) -> tuple[Tensor, Tensor]:
    """The best class of every pixel, and its score.

    Args:
        scores: a tensor of shape ``(N, K, H, W)`` with ``K >= 1``: for every
            image and pixel, one score per class. Any real dtype, any device.
            It must not be modified.

    Returns:
        A tuple ``(values, indices)`` of two tensors of shape ``(N, H, W)``:
        ``values[n, h, w]`` is the largest of ``scores[n, :, h, w]`` (same
        dtype as ``scores``) and ``indices[n, h, w]`` is the class where it
        occurs, as int64. When several classes tie, the smallest index wins.
    """
    # TODO: one reduction returns both the maxima and where they are.
    raise NotImplementedError
