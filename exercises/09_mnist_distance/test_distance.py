"""Checks for exercise 09: the ideal-digit baseline for 3s and 7s."""

import tempfile
from pathlib import Path

import numpy as np
import torch
from hypothesis import strategies as st

from grader import agree, check, expect, same
from grader import strategies as tst

# The small real digit set that ships with the course (see data/README.md).
DATA = Path(__file__).resolve().parents[2] / "data" / "mnist_sample"

# The 6x6 corner of a handwritten MNIST 3 (the lesson's worked example), as uint8 pixels.
SEED_PATCH = [
    [0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 29],
    [0, 0, 0, 48, 166, 224],
    [0, 93, 244, 249, 253, 187],
    [0, 107, 253, 253, 230, 48],
    [0, 3, 20, 20, 15, 0],
]


def _pixels(shape, dtype=torch.float32):
    """Pixel values in [0, 1], in any memory layout."""
    return tst.tensors(shape, dtype=dtype, min_value=0.0, max_value=1.0)


@st.composite
def stacks(draw):
    """A float stack (N, H, W) of images; N, H and W all differ."""
    n, h, w = draw(tst.distinct_sizes(3, min_size=2, max_size=5))
    return draw(_pixels((n, h, w), draw(tst.dtypes(tst.FLOAT_DTYPES))))


@st.composite
def image_pairs(draw):
    """Two arguments for a distance: a stack and an image, either way round,
    two single images, or a batch of stacks against one image."""
    n, h, w = draw(tst.distinct_sizes(3, min_size=2, max_size=5))
    dtype = draw(tst.dtypes(tst.FLOAT_DTYPES))
    kind = draw(st.sampled_from(["stack-image", "image-stack", "image-image", "batch-image"]))
    image = draw(_pixels((h, w), dtype))
    if kind == "image-image":
        return draw(_pixels((h, w), dtype)), image
    leading = draw(tst.leading_dims(max_dims=2)) if kind == "batch-image" else ()
    stack = draw(_pixels((*leading, n, h, w), dtype))
    return (image, stack) if kind == "image-stack" else (stack, image)


@st.composite
def classification_cases(draw):
    """Images (..., H, W) and two candidate means (H, W) of the same dtype.

    One time in four the two means are equal, so every image is a tie."""
    h, w = draw(tst.distinct_sizes(2, min_size=2, max_size=5))
    dtype = draw(tst.dtypes(tst.FLOAT_DTYPES))
    leading = draw(tst.leading_dims(max_dims=2, max_side=3))
    images = draw(_pixels((*leading, h, w), dtype))
    mean3 = draw(_pixels((h, w), dtype))
    tie = draw(st.integers(0, 3)) == 0
    return images, mean3, (mean3.clone() if tie else draw(_pixels((h, w), dtype)))


# PNG folders are written inside each test (function-scoped fixtures such as
# tmp_path would be shared by every Hypothesis example).
uint8_images = st.integers(1, 4).flatmap(
    lambda n: tst.distinct_sizes(2, min_size=2, max_size=5).flatmap(
        lambda hw: tst.tensors((n, *hw), dtype=torch.uint8, contiguous=True)
    )
)
# File names are numbers without padding, so sorting them as text ("10" < "9")
# and as numbers gives different orders.
file_numbers = st.lists(st.integers(0, 150), min_size=4, max_size=4, unique=True)


def _write_pngs(folder: Path, images: torch.Tensor, numbers, *, extra_file: bool = True) -> list[str]:
    """Save each image as <number>.png in a shuffled order; return the names."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    names = [f"{number}.png" for number in numbers[: len(images)]]
    for k in reversed(range(len(names))):
        Image.fromarray(images[k].numpy()).save(folder / names[k])
    if extra_file:
        (folder / "notes.txt").write_text("not an image\n")
    return names


def _expected_stack(images: torch.Tensor, names: list[str]) -> torch.Tensor:
    order = sorted(range(len(names)), key=lambda k: names[k])
    return images[order].float() / 255


# --- load_digits -----------------------------------------------------------------


@check("load_digits", images=uint8_images, numbers=file_numbers, as_path=st.booleans())
def test_load_digits_reads_a_folder_of_pngs(submission, reference, images, numbers, as_path):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "digits"
        names = _write_pngs(folder, images, numbers)
        argument = folder if as_path else str(folder)
        out = agree(submission.load_digits, reference.load_digits, argument,
                    why="every .png in the folder, in file-name order, stacked into "
                        "(N, H, W) float32 with pixels divided by 255")
        same(out, _expected_stack(images, names), what="load_digits(folder)",
             why=f"the files are {sorted(names)} in sorted order; image k is the k-th "
                 "of them, scaled from 0..255 to 0..1")


@check("load_digits")
def test_load_digits_scales_pixels_to_0_1(submission):
    images = torch.tensor([[[0, 51], [255, 102]]], dtype=torch.uint8)
    with tempfile.TemporaryDirectory() as tmp:
        _write_pngs(Path(tmp), images, [7], extra_file=False)
        same(submission.load_digits(tmp), torch.tensor([[[0.0, 0.2], [1.0, 0.4]]]),
             what="load_digits(folder with one 2x2 image)",
             why="pixels 0, 51, 255, 102 become 0.0, 0.2, 1.0, 0.4 (divided by 255)")


@check("load_digits")
def test_load_digits_sorts_names_as_text(submission, reference):
    images = torch.tensor([[[10]], [[90]], [[200]]], dtype=torch.uint8)
    with tempfile.TemporaryDirectory() as tmp:
        _write_pngs(Path(tmp), images, [9, 10, 100], extra_file=False)
        agree(submission.load_digits, reference.load_digits, Path(tmp),
              why="sorted by file name as text, '10.png' < '100.png' < '9.png': the pixels come "
                  "out as 90, 200 and 10, each divided by 255")


@check("load_digits")
def test_load_digits_on_the_shipped_threes(submission, reference):
    folder = DATA / "train" / "3"
    count = len(list(folder.glob("*.png")))
    out = agree(submission.load_digits, reference.load_digits, folder,
                why="the shipped training 3s, 28x28 grayscale PNGs")
    same(tuple(out.shape), (count, 28, 28), what="load_digits(data/mnist_sample/train/3).shape",
         why=f"the folder holds {count} PNG images of 28x28 pixels")
    expect(0.0 <= float(out.min()) and float(out.max()) <= 1.0,
           "load_digits(data/mnist_sample/train/3) has pixels outside [0, 1]")


# --- mean_image -----------------------------------------------------------------


@check("mean_image", stack=stacks())
def test_mean_image_averages_over_the_images(submission, reference, device, stack):
    stack = stack.to(device)
    agree(submission.mean_image, reference.mean_image, stack,
          why="element [h, w] of the ideal digit is the average of stack[:, h, w] over the N images")
    same(submission.mean_image(stack), torch.mean(stack, dim=0), what="mean_image(stack)",
         why="torch.mean(stack, dim=0) is the oracle")


@check("mean_image")
def test_mean_image_of_two_tiny_images(submission):
    stack = torch.tensor([[[0.0, 1.0, 0.5], [0.2, 0.4, 0.0]],
                          [[1.0, 1.0, 0.5], [0.6, 0.0, 0.0]]])
    same(submission.mean_image(stack), torch.tensor([[0.5, 1.0, 0.5], [0.4, 0.2, 0.0]]),
         what="mean_image(two 2x3 images)", why="each pixel is the average of the two images' pixels")


# --- l1_distance -----------------------------------------------------------------


@check("l1_distance", pair=image_pairs())
def test_l1_distance_per_image(submission, reference, device, pair):
    import torch.nn.functional as F

    a, b = (x.to(device) for x in pair)
    out = agree(submission.l1_distance, reference.l1_distance, a, b,
                why="mean of |a - b| over the last two axes only, broadcasting a stack against an image")
    oracle = F.l1_loss(*torch.broadcast_tensors(a, b), reduction="none").mean(dim=(-2, -1))
    same(out, oracle, what="l1_distance(a, b)",
         why="F.l1_loss without reduction, averaged over each image's rows and columns")


@check("l1_distance")
def test_l1_distance_where_differences_have_both_signs(submission, reference):
    a = torch.tensor([[0.0, 1.0], [0.5, 0.25]])
    b = torch.tensor([[1.0, 0.0], [0.25, 0.5]])
    agree(submission.l1_distance, reference.l1_distance, a, b,
          why="the differences -1, 1, 0.25 and -0.25 would cancel to 0; their absolute values "
              "average to (1 + 1 + 0.25 + 0.25) / 4 = 0.625")


@check("l1_distance")
def test_l1_distance_of_the_lesson_patch_to_a_blank_image(submission):
    patch = torch.tensor(SEED_PATCH, dtype=torch.float32) / 255
    same(submission.l1_distance(patch, torch.zeros(6, 6)), torch.tensor(2442 / (36 * 255)),
         what="l1_distance(patch, blank)",
         why="the patch's pixels add up to 2442, so the mean absolute difference to a blank "
             "6x6 image is 2442 / 36 / 255 = 0.2660")


# --- rmse_distance ---------------------------------------------------------------


@check("rmse_distance", pair=image_pairs())
def test_rmse_distance_per_image(submission, reference, device, pair):
    import torch.nn.functional as F

    a, b = (x.to(device) for x in pair)
    out = agree(submission.rmse_distance, reference.rmse_distance, a, b,
                why="square root of the mean of (a - b) ** 2 over the last two axes only")
    oracle = F.mse_loss(*torch.broadcast_tensors(a, b), reduction="none").mean(dim=(-2, -1)).sqrt()
    same(out, oracle, what="rmse_distance(a, b)",
         why="F.mse_loss without reduction, averaged over each image, then square-rooted")


@check("rmse_distance")
def test_rmse_distance_of_the_lesson_patch_to_a_blank_image(submission):
    patch = torch.tensor(SEED_PATCH, dtype=torch.float32) / 255
    expected = torch.tensor(float(np.sqrt(np.mean(np.square(np.array(SEED_PATCH) / 255)))))
    same(submission.rmse_distance(patch, torch.zeros(6, 6)), expected,
         what="rmse_distance(patch, blank)",
         why="sqrt(mean(patch ** 2)) = 0.4648: larger than the L1 distance 0.2660, since "
             "squaring weighs the bright pixels more")


# --- is_three --------------------------------------------------------------------


@check("is_three", case=classification_cases())
def test_is_three_compares_l1_distances(submission, reference, device, case):
    images, mean3, mean7 = (x.to(device) for x in case)
    agree(submission.is_three, reference.is_three, images, mean3, mean7,
          why="one bool per image: True when its L1 distance to mean3 is strictly smaller "
              "than its L1 distance to mean7 (when mean3 equals mean7 every image is a tie, "
              "and a tie is not a 3)")


@check("is_three")
def test_is_three_uses_the_l1_distance(submission, reference):
    mean3 = torch.tensor([[1.0, 0.0], [0.0, 0.0]])
    mean7 = torch.full((2, 2), 0.4)
    images = torch.stack([torch.zeros(2, 2), torch.full((2, 2), 0.4)])
    out = agree(submission.is_three, reference.is_three, images, mean3, mean7,
                why="a blank image is 0.25 from mean3 and 0.40 from mean7 by L1 (a 3), though "
                    "RMSE would say 0.50 and 0.40; the second image equals mean7 (not a 3)")
    same(out, torch.tensor([True, False]), what="is_three(images, mean3, mean7)")


# --- baseline_accuracy -----------------------------------------------------------


@st.composite
def digit_sets(draw):
    """uint8 images (H x W) for train/3, train/7, valid/3 and valid/7.

    Every image is a noisy copy of one of two opposite black-and-white
    patterns, the "3" pattern or the "7" pattern. The training folders hold
    only copies of their own pattern; each validation folder holds 3 or 4
    images (a different count for each digit) of which some, but not half,
    are copies of the other digit's pattern. So the baseline's accuracies are
    known fractions such as 2/3 or 3/4, never 0, 1/2 or 1.
    """
    h, w = draw(tst.distinct_sizes(2, min_size=2, max_size=4))
    pattern3 = draw(tst.tensors((h, w), dtype=torch.bool, contiguous=True)).to(torch.uint8) * 255
    pattern7 = 255 - pattern3
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**16)))

    def copies(pattern, count):
        noise = torch.randint(-30, 31, (count, h, w), generator=generator)
        return (pattern.int() + noise).clamp(0, 255).to(torch.uint8)

    n3, n7 = draw(st.permutations([3, 4]))
    odd3 = draw(st.sampled_from([1, 2] if n3 == 3 else [1, 3]))
    odd7 = draw(st.sampled_from([1, 2] if n7 == 3 else [1, 3]))
    train3 = copies(pattern3, draw(st.integers(1, 3)))
    train7 = copies(pattern7, draw(st.integers(1, 3)))
    valid3 = torch.cat([copies(pattern3, n3 - odd3), copies(pattern7, odd3)])
    valid7 = torch.cat([copies(pattern7, n7 - odd7), copies(pattern3, odd7)])
    return train3, train7, valid3, valid7


@check("baseline_accuracy", sets=digit_sets())
def test_baseline_accuracy_on_a_tiny_dataset(submission, reference, sets):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for (split, digit), images in zip([("train", 3), ("train", 7), ("valid", 3), ("valid", 7)], sets):
            _write_pngs(root / split / str(digit), images, list(range(10, 10 + len(images))))
        agree(submission.baseline_accuracy, reference.baseline_accuracy, str(root),
              why="means from train/3 and train/7; '3' = share of valid/3 called a 3, "
                  "'7' = share of valid/7 NOT called a 3, 'mean' = (acc3 + acc7) / 2")


@check("baseline_accuracy")
def test_baseline_accuracy_on_the_shipped_digits(submission):
    out = submission.baseline_accuracy(DATA)
    expected = {"3": 93 / 100, "7": 1.0, "mean": (93 / 100 + 1.0) / 2}
    same(out, expected, what="baseline_accuracy(data/mnist_sample)",
         why="on the shipped MNIST digits 93 of the 100 validation 3s and all 100 validation 7s "
             "are classified correctly", rtol=1e-5)
