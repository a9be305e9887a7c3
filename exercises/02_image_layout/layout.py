"""Exercise 02: image layouts.

PyTorch keeps images channels-first: one image is (C, H, W) and a batch is
(N, C, H, W). NumPy, PIL and matplotlib keep them channels-last: (H, W, C).
Each function below moves between the two conventions.

Run the checks with ``pytest exercises/02_image_layout``.
"""

from __future__ import annotations

import numpy as np
import PIL.Image
import torch  # noqa: F401  (you will need it)
from torch import Tensor


def to_nchw(batch: Tensor) -> Tensor:
    """Turn a channels-last batch (N, H, W, C) into a channels-first one (N, C, H, W).

    ``out[n, c, h, w]`` must equal ``batch[n, h, w, c]`` for every index.
    Dtype and device stay as they are. The result must be a view of
    ``batch`` (it shares its memory; no values are copied), and ``batch``
    itself must not be modified.
    """
    # TODO: move whole axes; do not re-cut the memory with reshape.
    raise NotImplementedError


def to_nhwc(batch: Tensor) -> Tensor:
    """Turn a channels-first batch (N, C, H, W) into a channels-last one (N, H, W, C).

    The inverse of ``to_nchw``: ``out[n, h, w, c]`` must equal
    ``batch[n, c, h, w]``. Dtype and device stay as they are. The result must
    be a view of ``batch`` (no copy), and ``batch`` must not be modified.
    """
    # TODO: say, for each output position, which input axis goes there.
    raise NotImplementedError


def image_to_tensor(image: np.ndarray | PIL.Image.Image) -> Tensor:
    """Convert one image in NumPy or PIL form into a PyTorch (C, H, W) tensor.

    ``image`` is a NumPy array of shape (H, W, C) or (H, W), or a PIL image
    (mode ``"L"`` for grayscale, ``"RGB"`` for colour). A 2-D array or an
    ``"L"`` image has one channel, so the result is (1, H, W).

    The result is a plain ``torch.Tensor`` on the CPU with the same dtype as
    the input (a PIL image gives ``torch.uint8``); values are not scaled.
    It is contiguous, as ``torchvision.transforms.v2.ToImage`` would return
    it. The input must not be modified.
    """
    # TODO: get a NumPy array, give it a channel axis if it has none,
    # then put that axis first.
    raise NotImplementedError


def image_to_float(image: np.ndarray | PIL.Image.Image | Tensor) -> Tensor:
    """Convert an image into a float32 (C, H, W) tensor with values in [0, 1].

    NumPy arrays and PIL images are read as in ``image_to_tensor``; a tensor
    is taken to be (C, H, W) already. Then, as
    ``ToDtype(torch.float32, scale=True)`` does:

    * integer images are divided by the largest value of their dtype
      (255 for ``uint8``), so 255 becomes 1.0 and 0 stays 0.0;
    * floating-point images are assumed to lie in [0, 1] already and are
      only converted to float32, never rescaled.

    The result is on the same device as a tensor input (the CPU otherwise)
    and may share memory with a tensor input that is already float32. The
    input must not be modified.
    """
    # TODO: reuse image_to_tensor for arrays and PIL images, then scale by
    # the dtype's range, not by the values you happen to see.
    raise NotImplementedError


def add_batch_dim(image: Tensor) -> Tensor:
    """Give one (C, H, W) image a batch axis of size 1: (1, C, H, W).

    Values, dtype and device are unchanged. The result must be a view of
    ``image`` (no copy), and ``image`` must not be modified.
    """
    # TODO: one new axis, in front.
    raise NotImplementedError


def for_matplotlib(image: Tensor) -> np.ndarray:
    """Turn a (C, H, W) tensor on any device into an array ``plt.imshow`` accepts.

    The result is a NumPy array (not a tensor) in CPU memory, with the same
    dtype as ``image``. Its shape is (H, W, C), except that a one-channel
    image becomes (H, W): matplotlib wants grayscale pictures without a
    channel axis. ``out[h, w, c]`` equals ``image[c, h, w]``. The result may
    share memory with ``image`` when ``image`` is on the CPU, and ``image``
    must not be modified.
    """
    # TODO: bring the tensor to the CPU, put the channel axis last, and
    # drop it when there is only one channel.
    raise NotImplementedError
