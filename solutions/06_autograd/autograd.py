"""Reference solution for exercise 06 (autograd)."""

import torch
from torch import Tensor


def abs_error_and_grad(w: Tensor, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    weight = w.detach().clone().requires_grad_(True)
    loss = (weight * x - y).abs().sum()
    (grad,) = torch.autograd.grad(loss, weight)
    return loss.detach(), grad


def abs_error_grad_by_hand(w: Tensor, x: Tensor, y: Tensor) -> Tensor:
    residual = w * x - y
    per_element = torch.sign(residual) * x
    return per_element.sum_to_size(w.shape)


def cube_sum_grad(x: Tensor) -> Tensor:
    leaf = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(leaf.pow(3).sum(), leaf)
    return grad
