"""Rebuild data/mnist_sample/ from scikit-learn's bundled 8x8 digits.

The result has the folder layout of fastai's MNIST_SAMPLE::

    mnist_sample/train/3/*.png   mnist_sample/train/7/*.png
    mnist_sample/valid/3/*.png   mnist_sample/valid/7/*.png

Each image is an 8x8 scan with values 0..16 from the UCI "Optical
Recognition of Handwritten Digits" set (the copy that ships inside
scikit-learn, so nothing is downloaded). It is stretched to 0..255, enlarged
to 20x20 with bilinear interpolation and centred on a 28x28 black canvas,
the way MNIST centres its 20x20 digits. Within each digit the first 70% of
the images (in dataset order) go to train/, the rest to valid/. File names
are the image's index in the dataset, zero-padded to four digits, so the
build is deterministic.

Run from the repository root::

    python data/build_digits.py            # writes data/mnist_sample/
    python data/build_digits.py --out DIR  # somewhere else
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np
from PIL import Image

DIGITS = (3, 7)
TRAIN_FRACTION = 0.7
SIDE = 28    # MNIST image side
DIGIT_SIDE = 20  # MNIST fits each digit in a 20x20 box


def to_mnist_like(scan: np.ndarray) -> Image.Image:
    """One 8x8 scan with values 0..16 as a 28x28 grayscale PIL image."""
    levels = np.rint(scan * (255 / 16)).astype(np.uint8)
    digit = Image.fromarray(levels).resize((DIGIT_SIDE, DIGIT_SIDE), Image.Resampling.BILINEAR)
    canvas = Image.new("L", (SIDE, SIDE), color=0)
    margin = (SIDE - DIGIT_SIDE) // 2
    canvas.paste(digit, (margin, margin))
    return canvas


def build(out: Path) -> dict[str, int]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    counts = {}
    for split in ("train", "valid"):
        for digit in DIGITS:
            folder = out / split / str(digit)
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
    for digit in DIGITS:
        indices = np.flatnonzero(digits.target == digit)
        cut = round(len(indices) * TRAIN_FRACTION)
        for split, chosen in (("train", indices[:cut]), ("valid", indices[cut:])):
            for index in chosen:
                to_mnist_like(digits.images[index]).save(out / split / str(digit) / f"{index:04d}.png")
            counts[f"{split}/{digit}"] = len(chosen)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "mnist_sample")
    args = parser.parse_args()
    for folder, count in build(args.out).items():
        print(f"{folder}: {count} images")


if __name__ == "__main__":
    main()
