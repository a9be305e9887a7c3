"""Print the baseline's accuracy table, computed with your distance.py.

    python exercises/09_mnist_distance/baseline.py               # your functions, shipped digits
    python exercises/09_mnist_distance/baseline.py --solution    # the reference solution
    python exercises/09_mnist_distance/baseline.py --root PATH   # e.g. fastai's MNIST_SAMPLE

The module is imported from its file path, so this works from any folder.
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
# What chapter 4 of fastai's book reports on the full MNIST_SAMPLE validation set.
BOOK = {"3": 0.9168, "7": 0.9854, "mean": 0.9511}


def _import(path: Path):
    spec = importlib.util.spec_from_file_location("distance_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description="Accuracy of the ideal-digit baseline on root/valid.")
    parser.add_argument("--root", type=Path, default=REPO / "data" / "mnist_sample",
                        help="a folder with train/3, train/7, valid/3 and valid/7 (default: the shipped digits)")
    parser.add_argument("--solution", action="store_true", help="use the reference solution instead of your file")
    args = parser.parse_args()

    source = REPO / "solutions" / HERE.name / "distance.py" if args.solution else HERE / "distance.py"
    accuracy = _import(source).baseline_accuracy(args.root)
    print(f"validation accuracy under {args.root}")
    print(f"{'digit':>6}  {'here':>7}  {'book (MNIST_SAMPLE)':>19}")
    for key in ("3", "7", "mean"):
        print(f"{key:>6}  {accuracy[key]:>7.4f}  {BOOK[key]:>19.4f}")


if __name__ == "__main__":
    main()
