"""Reference solution for exercise 01 (tensors)."""

import torch
from torch import Tensor


def points_tensor() -> Tensor:
    return torch.tensor([[4.0, 1.0], [5.0, 3.0], [2.0, 1.0]], dtype=torch.float32)


def rank_and_shape(t: Tensor) -> tuple[int, tuple[int, ...]]:
    return t.dim(), tuple(t.shape)


def crop_center(images: Tensor, size: tuple[int, int]) -> Tensor:
    h, w = size
    top = (images.shape[-2] - h) // 2
    left = (images.shape[-1] - w) // 2
    return images[..., top:top + h, left:left + w]


def promoted_dtype(a: torch.dtype, b: torch.dtype) -> torch.dtype:
    return torch.promote_types(a, b)


def to_dtype_like(x: Tensor, other: Tensor) -> Tensor:
    return x.to(other.dtype)
