"""Reference solution for exercise 07 (devices)."""

import numpy as np
import torch
from torch import Tensor, nn


def best_device() -> torch.device:
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def move(x: Tensor, device: str | torch.device, dtype: torch.dtype | None = None) -> Tensor:
    return x.to(device=device, dtype=dtype)


def linear_scores(weight: Tensor, bias: Tensor, images: Tensor, device: str | torch.device) -> Tensor:
    model = nn.Linear(28 * 28, 10).to(device)
    with torch.no_grad():
        model.weight.copy_(weight)
        model.bias.copy_(bias)
        logits = model(images.to(device).reshape(images.shape[0], 28 * 28))
    return logits.cpu()


def to_numpy(x: Tensor) -> np.ndarray:
    return x.detach().cpu().numpy()
