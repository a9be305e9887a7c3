"""Reference solution for exercise 09 (MNIST distance baseline)."""

from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import Tensor


def load_digits(folder: str | Path) -> Tensor:
    paths = sorted(Path(folder).glob("*.png"), key=lambda path: path.name)
    pixels = torch.stack([torch.from_numpy(np.array(Image.open(path))) for path in paths])
    return pixels.float() / 255


def mean_image(stack: Tensor) -> Tensor:
    return stack.mean(dim=0)


def l1_distance(a: Tensor, b: Tensor) -> Tensor:
    return (a - b).abs().mean(dim=(-2, -1))


def rmse_distance(a: Tensor, b: Tensor) -> Tensor:
    return ((a - b) ** 2).mean(dim=(-2, -1)).sqrt()


def is_three(images: Tensor, mean3: Tensor, mean7: Tensor) -> Tensor:
    return l1_distance(images, mean3) < l1_distance(images, mean7)


def baseline_accuracy(root: str | Path) -> dict[str, float]:
    root = Path(root)
    mean3 = mean_image(load_digits(root / "train" / "3"))
    mean7 = mean_image(load_digits(root / "train" / "7"))
    accuracy3 = is_three(load_digits(root / "valid" / "3"), mean3, mean7).float().mean().item()
    accuracy7 = 1 - is_three(load_digits(root / "valid" / "7"), mean3, mean7).float().mean().item()
    return {"3": accuracy3, "7": accuracy7, "mean": (accuracy3 + accuracy7) / 2}
