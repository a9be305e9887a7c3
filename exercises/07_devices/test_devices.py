"""Checks for exercise 07 (devices). Run: pytest exercises/07_devices

Checks marked ``gpu`` need a CUDA or MPS GPU and are skipped without one; the
others run everywhere. The ``meta`` device (shapes and dtypes, no memory, no
values) stands in for a second device on a CPU-only machine.
"""

import numpy as np
import pytest
import torch
from hypothesis import strategies as st

from grader import agree, check, expect, same
from grader import strategies as tst

TARGET_DTYPES = (None, torch.float32, torch.float64, torch.float16, torch.uint8)


def gpu_name() -> str:
    return "cuda" if torch.cuda.is_available() else "mps"


@st.composite
def any_tensors(draw, dtypes=tst.IMAGE_DTYPES):
    rank = draw(st.integers(0, 3))
    shape = draw(tst.distinct_sizes(rank, min_size=1, max_size=5))
    return draw(tst.tensors(shape, dtype=tst.dtypes(dtypes)))


@st.composite
def linear_problems(draw):
    """Parameters of nn.Linear(784, 10) and a small batch of 28x28 images.

    A layer has 7,850 numbers, too many to draw one by one, so they come
    from a drawn seed; the images come in every memory layout.
    """
    count = draw(st.integers(1, 4))
    with_channel = draw(st.booleans())
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**31 - 1)))
    weight = torch.randn(10, 28 * 28, generator=generator) / 28
    bias = torch.randn(10, generator=generator)
    shape = (count, 1, 28, 28) if with_channel else (count, 28, 28)
    images = torch.rand(shape, generator=generator)
    return weight, bias, tst.relayout(images, draw(st.sampled_from(tst.LAYOUTS)))


def linear_oracle(weight, bias, images):
    return torch.nn.functional.linear(images.reshape(images.shape[0], -1), weight, bias)


# best_device ----------------------------------------------------------------


@pytest.mark.in_process
@check("best_device")
def test_best_device_prefers_cuda_then_mps_then_cpu(submission, reference, monkeypatch):
    for cuda, mps in [(False, False), (False, True), (True, False), (True, True)]:
        monkeypatch.setattr(torch.cuda, "is_available", lambda cuda=cuda: cuda)
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda mps=mps: mps)
        machine = f"CUDA {'available' if cuda else 'missing'}, MPS {'available' if mps else 'missing'}"
        agree(submission.best_device, reference.best_device,
              why=f"with {machine}: CUDA first, then MPS, then the CPU, as a torch.device")


@check("best_device")
def test_best_device_on_this_machine(submission):
    result = submission.best_device()
    expect(isinstance(result, torch.device),
           f"best_device() returned {result!r}; expected a torch.device such as torch.device('cpu')")
    on_this_machine = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    same(result.type, on_this_machine, what="best_device().type")


# move -----------------------------------------------------------------------


@check("move", x=any_tensors(), dtype=st.sampled_from(TARGET_DTYPES))
def test_move_to_the_meta_device(submission, reference, x, dtype):
    result = agree(submission.move, reference.move, x, "meta", dtype,
                   why="the result lives on the requested device, with the requested dtype "
                       "(or x's own dtype when dtype is None)")
    expect(result.device.type == "meta", "move(x, 'meta') must give a tensor on the meta device")


@check("move", x=any_tensors(), dtype=st.sampled_from(TARGET_DTYPES))
def test_move_on_each_device(submission, reference, device, x, dtype):
    unchanged = torch.device(device).type == "cpu" and dtype in (None, x.dtype)
    agree(submission.move, reference.move, x, device, dtype,
          view_of=x if unchanged else None,
          why="x.to(device=..., dtype=...) converts the values and moves them in one step; "
              "when nothing needs to change it hands back x itself")


@check("move")
def test_move_an_image_to_float64_on_the_cpu(submission):
    image = torch.tensor([[255, 204, 170]], dtype=torch.uint8)
    same(submission.move(image, torch.device("cpu"), torch.float64),
         torch.tensor([[255.0, 204.0, 170.0]], dtype=torch.float64),
         what="move(uint8 pixels, cpu, float64)",
         why="converting the dtype keeps the values, it does not rescale them")


@pytest.mark.gpu
@check("move", x=any_tensors(), dtype=st.sampled_from(TARGET_DTYPES[:3]))
def test_move_to_the_gpu_and_back(submission, x, dtype):
    there = submission.move(x, gpu_name(), dtype)
    same(there.device.type, gpu_name(), what="move(x, gpu).device.type")
    back = submission.move(there, "cpu")
    same(back, x if dtype is None else x.to(dtype), what="move(move(x, gpu, dtype), 'cpu')",
         why="a round trip through the GPU keeps every value")


# linear_scores --------------------------------------------------------------


@check("linear_scores", problem=linear_problems())
def test_linear_scores_match_reference(submission, reference, device, problem):
    weight, bias, images = problem
    # Summing 784 products in another order changes the last bits; a GPU may also use TF32.
    tolerance = 1e-5 if device == "cpu" else 2e-3
    result = agree(submission.linear_scores, reference.linear_scores, weight, bias, images, device,
                   rtol=tolerance, atol=tolerance,
                   why="flatten each image to 784 values, apply the layer, return (N, 10) logits on the CPU")
    same(result, linear_oracle(weight, bias, images), what="linear_scores", rtol=tolerance, atol=tolerance,
         why="logits = pixels @ weight.T + bias, as torch.nn.functional.linear computes them")
    expect(not result.requires_grad,
           "linear_scores returned logits that still require grad: compute them under torch.no_grad()")


@check("linear_scores")
def test_linear_scores_of_a_blank_image_are_the_bias(submission, reference):
    weight = torch.ones(10, 28 * 28)
    bias = torch.arange(10.0)
    blank = torch.zeros(2, 1, 28, 28)
    result = agree(submission.linear_scores, reference.linear_scores, weight, bias, blank, "cpu",
                   why="two (1, 28, 28) images give two rows of 10 logits, shape (2, 10)")
    same(result, torch.arange(10.0).expand(2, 10),
         what="linear_scores(weight, bias, two black images, 'cpu')",
         why="with every pixel 0 only the bias is left, one row of 10 logits per image")


@check("linear_scores")
def test_linear_scores_of_a_batch_of_transposed_images(submission, reference):
    weight = torch.linspace(-1.0, 1.0, 10 * 28 * 28).reshape(10, 28 * 28)
    bias = torch.zeros(10)
    images = torch.linspace(0.0, 1.0, 3 * 28 * 28).reshape(3, 28, 28).transpose(1, 2)  # not contiguous
    agree(submission.linear_scores, reference.linear_scores, weight, bias, images, "cpu", rtol=1e-5, atol=1e-5,
          why="each image of this (3, 28, 28) batch is transposed in memory, so view() cannot re-cut "
              "it into rows of 784; flatten(1) or reshape copies when it must")


@pytest.mark.gpu
@check("linear_scores", problem=linear_problems())
def test_linear_scores_on_the_gpu_come_back_to_the_cpu(submission, problem):
    weight, bias, images = problem
    result = submission.linear_scores(weight, bias, images, gpu_name())
    same(result.device.type, "cpu", what="linear_scores(..., device=gpu).device.type",
         why="the logits are computed on the GPU but handed back on the CPU")
    same(result, linear_oracle(weight, bias, images), what="linear_scores on the GPU", rtol=2e-3, atol=2e-3,
         why="the GPU computes the same logits, up to TF32 rounding")


# to_numpy -------------------------------------------------------------------


@check("to_numpy", x=any_tensors(), tracked=st.booleans())
def test_to_numpy_matches_reference(submission, reference, x, tracked):
    if tracked and x.is_floating_point():
        x.requires_grad_(True)
    result = agree(submission.to_numpy, reference.to_numpy, x, view_of=x,
                   why="the array has x's values, shape and dtype, and for a CPU tensor shares its memory")
    expect(isinstance(result, np.ndarray), f"to_numpy returned {type(result).__name__}; expected a NumPy array")


@check("to_numpy")
def test_to_numpy_of_scores_that_require_grad(submission):
    weight = torch.tensor([[1.0, -2.0]], requires_grad=True)
    scores = weight * 3
    same(submission.to_numpy(scores), np.array([[3.0, -6.0]], dtype=np.float32),
         what="to_numpy(scores computed from a weight that requires grad)",
         why="detach() leaves the graph, then .numpy() sees plain numbers")


@pytest.mark.gpu
@check("to_numpy", x=any_tensors(), tracked=st.booleans())
def test_to_numpy_of_a_gpu_tensor(submission, x, tracked):
    there = x.to(gpu_name())
    if tracked and there.is_floating_point():
        there.requires_grad_(True)
    same(submission.to_numpy(there), x.numpy(), what="to_numpy(tensor on the GPU)",
         why="a GPU tensor is copied to the CPU (.cpu()) before NumPy can see it")
