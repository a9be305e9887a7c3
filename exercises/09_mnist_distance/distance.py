"""Exercise 09: telling 3s from 7s by their distance to an average digit.

The baseline from chapter 4 of fastai's book (Deep Learning for Coders):
average every training 3 into one "ideal" 3, do the same for the 7s, then
call an image a 3 when it is closer to the ideal 3. Read README.md in this
folder first.

The data lives in the MNIST_SAMPLE folder layout::

    root/train/3/*.png   root/train/7/*.png
    root/valid/3/*.png   root/valid/7/*.png

A small set of real MNIST digits in this layout ships with the course in
data/mnist_sample/.
"""

from pathlib import Path

import torch  # noqa: F401 (you will need it)
from torch import Tensor


def load_digits(folder: str | Path) -> Tensor:
    """Read every PNG image in ``folder`` into one stack.

    Args:
        folder: a folder (``str`` or ``Path``) holding at least one ``.png``
            file. Every PNG is a single-channel 8-bit image (PIL mode ``"L"``)
            and all of them have the same size H x W (28 x 28 for MNIST).
            Files whose names do not end in ``.png`` are ignored.

    Returns:
        A float32 tensor of shape ``(N, H, W)`` on the CPU, one image per
        PNG, in the order of their file names as ``sorted`` orders strings
        (so ``"10.png"`` comes before ``"9.png"``). Pixel values are scaled
        from 0..255 to 0..1: a pixel of 255 becomes 1.0, a pixel of 51
        becomes 0.2.
    """
    # TODO: sort the PNG paths, open each with PIL, stack, then convert to float and scale.
    raise NotImplementedError


def mean_image(stack: Tensor) -> Tensor:
    """The pixel-wise average of a stack of images: the "ideal" digit.

    Args:
        stack: a float32 or float64 tensor of shape ``(N, H, W)`` with
            ``N >= 1``, on any device. It must not be modified.

    Returns:
        A tensor of shape ``(H, W)`` with the dtype and device of ``stack``:
        element ``[h, w]`` is the average of ``stack[:, h, w]`` over all N
        images.
    """
    # TODO: average over the axis that counts the images.
    raise NotImplementedError


def l1_distance(a: Tensor, b: Tensor) -> Tensor:
    """Mean absolute difference between images (the L1 distance of README.md).

    Args:
        a, b: float32 or float64 tensors of the same dtype and device whose
            last two axes are the rows and columns of an image. Their shapes
            broadcast: a stack ``(N, H, W)`` against one image ``(H, W)``
            gives one distance per image in the stack. Neither is modified.

    Returns:
        A tensor whose shape is the broadcast shape of ``a`` and ``b``
        without its last two axes (a 0-dim tensor for two single images):
        the mean of ``|a - b|`` over the rows and columns of each image.
        Same dtype and device as the inputs. No Python loops.
    """
    # TODO: subtract, take the absolute value, average over the last two axes only.
    raise NotImplementedError


def rmse_distance(a: Tensor, b: Tensor) -> Tensor:
    """Root mean squared difference between images.

    Same arguments, broadcasting and result shape as ``l1_distance``; each
    value is the square root of the mean of ``(a - b) ** 2`` over the rows
    and columns of each image. No Python loops.
    """
    # TODO: square the difference, average over the last two axes, then take the square root.
    raise NotImplementedError


def is_three(images: Tensor, mean3: Tensor, mean7: Tensor) -> Tensor:
    """Classify images as 3 (True) or not (False) with the L1 distance.

    An image is a 3 when its L1 distance (``l1_distance``) to ``mean3`` is
    strictly smaller than its L1 distance to ``mean7``. A tie is not a 3.

    Args:
        images: a float tensor of shape ``(..., H, W)``: one image, a stack,
            or any number of leading batch axes.
        mean3, mean7: float tensors of shape ``(H, W)``, the ideal 3 and 7,
            with the dtype and device of ``images``. Nothing is modified.

    Returns:
        A ``torch.bool`` tensor of shape ``images.shape[:-2]`` (0-dim for a
        single image) on the device of ``images``. No Python loops.
    """
    # TODO: compare two broadcast distances.
    raise NotImplementedError


def baseline_accuracy(root: str | Path) -> dict[str, float]:
    """Accuracy of the ideal-digit baseline on the validation set.

    Builds ``mean3`` and ``mean7`` from the images in ``root/train/3`` and
    ``root/train/7`` (with ``load_digits`` and ``mean_image``), then
    classifies the images in ``root/valid/3`` and ``root/valid/7`` with
    ``is_three``.

    Returns:
        A dict of Python floats with three keys: ``"3"`` is the fraction of
        validation 3s classified as 3, ``"7"`` the fraction of validation 7s
        classified as *not* 3, and ``"mean"`` the average of those two
        numbers, ``(acc3 + acc7) / 2``, as in README.md.
    """
    # TODO: four load_digits calls, two means, then two accuracies and their average.
    raise NotImplementedError
