"""Reference solution for exercise 04 (broadcasting)."""

from collections.abc import Sequence

import torch
from torch import Tensor


def broadcast_shape(a: Sequence[int], b: Sequence[int]) -> tuple[int, ...]:
    rank = max(len(a), len(b))
    padded_a = (1,) * (rank - len(a)) + tuple(a)
    padded_b = (1,) * (rank - len(b)) + tuple(b)
    result = []
    for axis, (x, y) in enumerate(zip(padded_a, padded_b)):
        if x == y or y == 1:
            result.append(x)
        elif x == 1:
            result.append(y)
        else:
            raise ValueError(
                f"shapes {tuple(a)} and {tuple(b)} do not broadcast: sizes {x} and {y} "
                f"at axis {axis - rank} differ and neither is 1"
            )
    return tuple(result)


def scale_channels(images: Tensor, factors: Tensor) -> Tensor:
    return images * factors


def _floating(images: Tensor) -> Tensor:
    return images if images.is_floating_point() else images.to(torch.float32)


def batch_mean(images: Tensor, keepdim: bool = False) -> Tensor:
    return _floating(images).mean(dim=0, keepdim=keepdim)


def channel_mean(images: Tensor, keepdim: bool = False) -> Tensor:
    return _floating(images).mean(dim=1, keepdim=keepdim)


def class_map(scores: Tensor) -> tuple[Tensor, Tensor]:
    values, indices = scores.max(dim=1)
    return values, indices
