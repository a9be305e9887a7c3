"""Plausible wrong answers for exercise 09 (MNIST distance), each named and explained."""

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from grader.mistakes import mistake


def _read(path):
    return torch.from_numpy(np.array(Image.open(path)))


def _sorted_pngs(folder):
    return sorted(Path(folder).glob("*.png"))


# load_digits ----------------------------------------------------------------


@mistake("load_digits", "kept uint8 pixels",
         "PNG pixels arrive as uint8 integers 0..255. Averages and distances need "
         "floats, and the lesson's scale is 0..1: convert with .float() and divide by 255.")
def load_digits_uint8(folder):
    return torch.stack([_read(path) for path in _sorted_pngs(folder)])


@mistake("load_digits", "not scaled to 0..1",
         "Converting to float keeps the values 0..255; divide by 255 so a white pixel "
         "is 1.0, as the lesson does with .float() / 255.")
def load_digits_unscaled(folder):
    return torch.stack([_read(path) for path in _sorted_pngs(folder)]).float()


@mistake("load_digits", "files in directory order",
         "Path.iterdir() and glob() list files in whatever order the file system keeps "
         "them, which is not alphabetical and can differ between machines. Sort the "
         "paths so image k is always the k-th file name.")
def load_digits_unsorted(folder):
    return torch.stack([_read(path) for path in Path(folder).glob("*.png")]).float() / 255


@mistake("load_digits", "sorted by number",
         "The contract orders files by name as text, the way sorted() orders strings "
         "(so '10.png' comes before '9.png', as in the lesson's listing '10002.png', "
         "'1001.png'). Sorting by the number in the name gives a different order.")
def load_digits_numeric_order(folder):
    paths = sorted(Path(folder).glob("*.png"), key=lambda path: int(path.stem))
    return torch.stack([_read(path) for path in paths]).float() / 255


@mistake("load_digits", "float64 from NumPy",
         "Dividing a NumPy uint8 array by 255 gives float64, NumPy's default float, "
         "and torch.from_numpy keeps that dtype. The stack must be float32, PyTorch's "
         "default: convert in PyTorch with .float() / 255.")
def load_digits_float64(folder):
    arrays = [np.array(Image.open(path)) / 255 for path in _sorted_pngs(folder)]
    return torch.from_numpy(np.stack(arrays))


# mean_image -------------------------------------------------------------------


@mistake("mean_image", "mean over the last axis",
         "dim=-1 averages along each row of every image, giving shape (N, H). The "
         "images are counted by dim 0: average over that one.")
def mean_image_last_axis(stack):
    return stack.mean(dim=-1)


@mistake("mean_image", "summed the images",
         "Adding N images gives values up to N instead of 0..1; the ideal digit is "
         "their average, so divide by N (or use mean).")
def mean_image_sum(stack):
    return stack.sum(dim=0)


@mistake("mean_image", "mean of everything",
         "stack.mean() with no dim averages all pixels of all images into a single "
         "number. Keep the rows and columns: reduce dim 0 only.")
def mean_image_all(stack):
    return stack.mean()


@mistake("mean_image", "mean brightness per image",
         "mean(dim=(1, 2)) averages the pixels of each image, one number per image "
         "(shape (N,)). The ideal digit averages each pixel position over the images: dim 0.")
def mean_image_per_image(stack):
    return stack.mean(dim=(1, 2))


# l1_distance ------------------------------------------------------------------


@mistake("l1_distance", "no absolute value",
         "Without abs, pixels where a is brighter cancel pixels where b is brighter, "
         "so two very different images can have distance 0. Take .abs() before the mean.")
def l1_no_abs(a, b):
    return (a - b).mean(dim=(-2, -1))


@mistake("l1_distance", "one L1 for the whole stack",
         "mean() with no dim (or F.l1_loss) averages over all images at once and "
         "returns one number. Reduce only the last two axes, so a stack gives one "
         "distance per image.")
def l1_mean_all(a, b):
    return (a - b).abs().mean()


@mistake("l1_distance", "summed the pixel differences",
         "Summing over the pixels gives a number that grows with the image size; the "
         "L1 distance of the lesson is the mean absolute difference.")
def l1_sum(a, b):
    return (a - b).abs().sum(dim=(-2, -1))


@mistake("l1_distance", "squared instead of absolute",
         "Squaring the difference gives the mean squared error, the square of what "
         "rmse_distance returns. L1 uses the absolute value.")
def l1_squared(a, b):
    return ((a - b) ** 2).mean(dim=(-2, -1))


@mistake("l1_distance", "mean over the first two axes",
         "mean((0, 1)) averages over the stack axis and the rows; the image's rows "
         "and columns are the LAST two axes, (-2, -1), whatever comes before them.")
def l1_first_axes(a, b):
    return (a - b).abs().mean(dim=(0, 1))


# rmse_distance ----------------------------------------------------------------


@mistake("rmse_distance", "no square root",
         "The mean of the squared differences is the MSE; the root mean squared error "
         "takes its square root, which brings the value back to the pixel scale.")
def rmse_no_sqrt(a, b):
    return ((a - b) ** 2).mean(dim=(-2, -1))


@mistake("rmse_distance", "square root of the sum",
         "sqrt of the SUM of squares is the Euclidean norm, which grows with the "
         "number of pixels. RMSE averages first: sqrt(mean((a - b) ** 2)).")
def rmse_sqrt_of_sum(a, b):
    return ((a - b) ** 2).sum(dim=(-2, -1)).sqrt()


@mistake("rmse_distance", "root taken before the mean",
         "sqrt((a - b) ** 2) is just |a - b|, so taking the root per pixel and then "
         "the mean gives the L1 distance. Average the squares first, then take one "
         "square root per image.")
def rmse_root_first(a, b):
    return ((a - b) ** 2).sqrt().mean(dim=(-2, -1))


@mistake("rmse_distance", "one RMSE for the whole stack",
         "F.mse_loss(a, b).sqrt() and mean() with no dim pool every image into one "
         "number. Reduce only the last two axes, so a stack gives one distance per image.")
def rmse_mean_all(a, b):
    return ((a - b) ** 2).mean().sqrt()


# is_three ---------------------------------------------------------------------


def _l1(a, b):
    return (a - b).abs().mean(dim=(-2, -1))


@mistake("is_three", "comparison flipped",
         "An image is a 3 when it is CLOSER to the ideal 3: its distance to mean3 "
         "must be the smaller one (<), not the larger.")
def is_three_flipped(images, mean3, mean7):
    return _l1(images, mean3) > _l1(images, mean7)


@mistake("is_three", "a tie counts as a 3",
         "<= calls an image that is exactly as far from both means a 3. The contract "
         "asks for strictly closer (<): a tie is not a 3.")
def is_three_ties(images, mean3, mean7):
    return _l1(images, mean3) <= _l1(images, mean7)


@mistake("is_three", "RMSE instead of L1",
         "The baseline measures closeness with the L1 distance (mean absolute "
         "difference). RMSE punishes a few big differences more, so it can rank the "
         "two means the other way.")
def is_three_rmse(images, mean3, mean7):
    def rmse(a, b):
        return ((a - b) ** 2).mean(dim=(-2, -1)).sqrt()

    return rmse(images, mean3) < rmse(images, mean7)


@mistake("is_three", "one answer for the whole stack",
         "Averaging the difference over every axis compares the whole stack at once and "
         "gives a single True or False. Average over the last two axes so each image "
         "gets its own answer.")
def is_three_pooled(images, mean3, mean7):
    return (images - mean3).abs().mean() < (images - mean7).abs().mean()


@mistake("is_three", "returned the distance difference",
         "The difference of the two distances is a float; the contract asks for a bool "
         "per image. Compare the two distances with < instead of subtracting them.")
def is_three_difference(images, mean3, mean7):
    return _l1(images, mean7) - _l1(images, mean3)


# baseline_accuracy ------------------------------------------------------------


def _load(folder):
    paths = sorted(Path(folder).glob("*.png"))
    return torch.stack([_read(path) for path in paths]).float() / 255


def _is_three(images, mean3, mean7):
    return _l1(images, mean3) < _l1(images, mean7)


@mistake("baseline_accuracy", "measured on the training set",
         "The means were built from the training images, so scoring those same images "
         "says little about new ones. Measure on root/valid/3 and root/valid/7.")
def baseline_on_train(root):
    root = Path(root)
    mean3, mean7 = _load(root / "train" / "3").mean(0), _load(root / "train" / "7").mean(0)
    acc3 = _is_three(_load(root / "train" / "3"), mean3, mean7).float().mean().item()
    acc7 = 1 - _is_three(_load(root / "train" / "7"), mean3, mean7).float().mean().item()
    return {"3": acc3, "7": acc7, "mean": (acc3 + acc7) / 2}


@mistake("baseline_accuracy", "7s scored as 3s",
         "For the 7s, is_three is True when the baseline is WRONG. Their accuracy is "
         "the fraction NOT classified as 3: 1 - is_three(...).float().mean().")
def baseline_sevens_as_threes(root):
    root = Path(root)
    mean3, mean7 = _load(root / "train" / "3").mean(0), _load(root / "train" / "7").mean(0)
    acc3 = _is_three(_load(root / "valid" / "3"), mean3, mean7).float().mean().item()
    acc7 = _is_three(_load(root / "valid" / "7"), mean3, mean7).float().mean().item()
    return {"3": acc3, "7": acc7, "mean": (acc3 + acc7) / 2}


@mistake("baseline_accuracy", "pooled instead of averaged",
         "Counting correct answers over all validation images weighs the larger class "
         "more. The lesson's 'mean' is the plain average of the two accuracies, "
         "(acc3 + acc7) / 2.")
def baseline_pooled(root):
    root = Path(root)
    mean3, mean7 = _load(root / "train" / "3").mean(0), _load(root / "train" / "7").mean(0)
    right3 = _is_three(_load(root / "valid" / "3"), mean3, mean7)
    right7 = ~_is_three(_load(root / "valid" / "7"), mean3, mean7)
    acc3, acc7 = right3.float().mean().item(), right7.float().mean().item()
    pooled = torch.cat([right3, right7]).float().mean().item()
    return {"3": acc3, "7": acc7, "mean": pooled}


@mistake("baseline_accuracy", "means swapped",
         "is_three takes the ideal 3 first and the ideal 7 second; passing them the "
         "other way round answers 'is it a 7?' instead.")
def baseline_swapped_means(root):
    root = Path(root)
    mean3, mean7 = _load(root / "train" / "3").mean(0), _load(root / "train" / "7").mean(0)
    acc3 = _is_three(_load(root / "valid" / "3"), mean7, mean3).float().mean().item()
    acc7 = 1 - _is_three(_load(root / "valid" / "7"), mean7, mean3).float().mean().item()
    return {"3": acc3, "7": acc7, "mean": (acc3 + acc7) / 2}


@mistake("baseline_accuracy", "tensors instead of floats",
         "A mean over a tensor is still a 0-dim tensor. The result holds plain Python "
         "floats: call .item() on each accuracy.")
def baseline_tensors(root):
    root = Path(root)
    mean3, mean7 = _load(root / "train" / "3").mean(0), _load(root / "train" / "7").mean(0)
    acc3 = _is_three(_load(root / "valid" / "3"), mean3, mean7).float().mean()
    acc7 = 1 - _is_three(_load(root / "valid" / "7"), mean3, mean7).float().mean()
    return {"3": acc3, "7": acc7, "mean": (acc3 + acc7) / 2}
