"""Reference solution for exercise 11 (sparse COO tensors and int8 quantization)."""

import torch
from torch import Tensor


def to_sparse_coo(dense: Tensor) -> Tensor:
    return dense.to_sparse()


def from_coo(indices: Tensor, values: Tensor, shape: tuple[int, ...]) -> Tensor:
    return torch.sparse_coo_tensor(indices, values, shape, check_invariants=True).to_dense()


def sparsity(x: Tensor) -> float:
    return (x.numel() - x.count_nonzero().item()) / x.numel()


def quantize_int8(x: Tensor) -> tuple[Tensor, float, int]:
    low = min(x.min().item(), 0.0)
    high = max(x.max().item(), 0.0)
    scale = (high - low) / 255 if high > low else 1.0
    zero_point = -128 - round(low / scale)
    q = (torch.round(x / scale) + zero_point).clamp(-128, 127).to(torch.int8)
    return q, scale, zero_point


def dequantize(q: Tensor, scale: float, zero_point: int) -> Tensor:
    return (q.float() - zero_point) * scale
