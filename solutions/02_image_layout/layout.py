"""Reference solution for exercise 02: image layouts."""

from __future__ import annotations

import numpy as np
import PIL.Image
import torch
from torch import Tensor


def to_nchw(batch: Tensor) -> Tensor:
    """(N, H, W, C) to (N, C, H, W), as a view."""
    return batch.permute(0, 3, 1, 2)


def to_nhwc(batch: Tensor) -> Tensor:
    """(N, C, H, W) to (N, H, W, C), as a view."""
    return batch.permute(0, 2, 3, 1)


def image_to_tensor(image: np.ndarray | PIL.Image.Image) -> Tensor:
    """(H, W, C) or (H, W) array or PIL image to a contiguous (C, H, W) tensor."""
    array = np.array(image) if isinstance(image, PIL.Image.Image) else image
    if array.ndim == 2:
        array = array[:, :, np.newaxis]
    return torch.from_numpy(array).permute(2, 0, 1).contiguous()


def image_to_float(image: np.ndarray | PIL.Image.Image | Tensor) -> Tensor:
    """Any image to a float32 (C, H, W) tensor in [0, 1]."""
    tensor = image if isinstance(image, Tensor) else image_to_tensor(image)
    if tensor.is_floating_point():
        return tensor.to(torch.float32)
    return tensor.to(torch.float32) / torch.iinfo(tensor.dtype).max


def add_batch_dim(image: Tensor) -> Tensor:
    """(C, H, W) to (1, C, H, W), as a view."""
    return image.unsqueeze(0)


def for_matplotlib(image: Tensor) -> np.ndarray:
    """(C, H, W) on any device to an (H, W, C) or (H, W) NumPy array."""
    image = image.cpu()
    if image.shape[0] == 1:
        return image[0].numpy()
    return image.permute(1, 2, 0).numpy()
