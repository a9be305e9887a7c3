"""Exercise 05: turning colour images into grayscale.

Every function takes images laid out as ``(..., 3, H, W)``: any number of
leading batch dimensions (none for a single image, one for a batch, more for
a batch of batches), then the red, green and blue channels, then the rows and
columns. Read README.md in this folder first.
"""

import torch  # noqa: F401 - your code will need it
from torch import Tensor

# How bright red, green and blue light look to a human eye (ITU-R BT.709).
# They add up to 1, so a white pixel stays white.
LUMA_WEIGHTS = (0.2126, 0.7152, 0.0722)


def grayscale_mean(images: Tensor) -> Tensor:
    """Average the three colour channels of every pixel.

    Args:
        images: a floating-point tensor of shape ``(..., 3, H, W)`` (float32
            or float64) on any device. It must not be modified.

    Returns:
        A new tensor of shape ``(..., H, W)`` with the dtype and device of
        ``images``: element ``[..., h, w]`` is the plain average of
        ``images[..., 0, h, w]``, ``images[..., 1, h, w]`` and
        ``images[..., 2, h, w]``. Works for any number of leading dims.
    """
    # TODO: reduce over the channel axis, counted from the end.
    raise NotImplementedError


def grayscale_weighted(images: Tensor, weights: Tensor) -> Tensor:
    """Weighted sum of the colour channels, written with broadcasting.

    Args:
        images: a floating-point tensor of shape ``(..., 3, H, W)`` (float32
            or float64) on any device. It must not be modified.
        weights: a tensor of shape ``(3,)`` with the same dtype and device as
            ``images``, one weight per channel (for example
            ``torch.tensor(LUMA_WEIGHTS)``). It must not be modified.

    Returns:
        A new tensor of shape ``(..., H, W)`` with the dtype and device of
        ``images``: element ``[..., h, w]`` is
        ``weights[0] * R + weights[1] * G + weights[2] * B`` for that pixel.
        Works for any number of leading dims.
    """
    # TODO: give weights the shape (3, 1, 1), multiply, then sum the channels away.
    raise NotImplementedError


def grayscale_einsum(images: Tensor, weights: Tensor) -> Tensor:
    """The same weighted sum as ``grayscale_weighted``, in one ``torch.einsum`` call.

    Same arguments, same result and the same rules as ``grayscale_weighted``;
    no Python loops, no explicit reshaping: let the subscripts say which
    axis is summed away and let ``...`` stand for the leading dims.
    """
    # TODO: one torch.einsum call; name the axes c, h, w and keep the leading dims with "...".
    raise NotImplementedError
