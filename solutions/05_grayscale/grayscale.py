"""Reference solution for exercise 05 (grayscale)."""

import torch
from torch import Tensor

LUMA_WEIGHTS = (0.2126, 0.7152, 0.0722)


def grayscale_mean(images: Tensor) -> Tensor:
    return images.mean(dim=-3)


def grayscale_weighted(images: Tensor, weights: Tensor) -> Tensor:
    return (images * weights[:, None, None]).sum(dim=-3)


def grayscale_einsum(images: Tensor, weights: Tensor) -> Tensor:
    return torch.einsum("...chw,c->...hw", images, weights)
