"""Checks for exercise 02: image layouts."""

import numpy as np
import torch
from hypothesis import strategies as st

from grader import agree, check, expect, same
from grader import strategies as tst

SMALL = {"max_side": 5}

# NumPy images as learners meet them: channels last, several dtypes, and
# arrays that are views with unusual strides (from non-contiguous tensors).
hwc_arrays = tst.images(layout="HWC", **SMALL).map(lambda t: t.numpy())
gray_arrays = tst.images(layout="HW", **SMALL).map(lambda t: t.numpy())
# PIL images are built inside the tests (PIL is imported lazily there) from
# uint8 arrays: (H, W, 3) for mode RGB, (H, W) for mode L.
rgb_uint8 = tst.images(layout="HWC", channels=3, dtypes=(torch.uint8,), **SMALL).map(lambda t: t.numpy())
gray_uint8 = tst.images(layout="HW", dtypes=(torch.uint8,), **SMALL).map(lambda t: t.numpy())


def _pil(array):
    from PIL import Image

    return Image.fromarray(np.ascontiguousarray(array))


def _to_image(image):
    from torchvision.transforms import v2

    return v2.ToImage()(image).as_subclass(torch.Tensor)


def _to_float_image(image):
    from torchvision.transforms import v2

    convert = v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])
    return convert(image).as_subclass(torch.Tensor)


# --- to_nchw -------------------------------------------------------------------


@check("to_nchw", batch=tst.image_batches(layout="NHWC", **SMALL))
def test_to_nchw_moves_the_channel_axis(submission, reference, batch):
    out = agree(submission.to_nchw, reference.to_nchw, batch, view_of=batch,
                why="the channel axis must move to position 1")
    same(out, batch.movedim(3, 1),
         what=f"to_nchw(batch of shape {tuple(batch.shape)})",
         why="out[n, c, h, w] must be batch[n, h, w, c], as torch.movedim(batch, 3, 1) gives")


@check("to_nchw")
def test_to_nchw_on_a_batch_of_two_rgb_images(submission, reference):
    batch = torch.arange(2 * 5 * 7 * 3, dtype=torch.uint8).reshape(2, 5, 7, 3)
    out = agree(submission.to_nchw, reference.to_nchw, batch, view_of=batch,
                why="the channel axis must move to position 1")
    same(tuple(out.shape), (2, 3, 5, 7), what="to_nchw(batch).shape")


# --- to_nhwc -------------------------------------------------------------------


@check("to_nhwc", batch=tst.image_batches(layout="NCHW", **SMALL))
def test_to_nhwc_moves_the_channel_axis_last(submission, reference, batch):
    out = agree(submission.to_nhwc, reference.to_nhwc, batch, view_of=batch,
                why="the channel axis must move from position 1 to the end, with height and "
                    "width keeping their order")
    same(out, batch.movedim(1, 3),
         what=f"to_nhwc(batch of shape {tuple(batch.shape)})",
         why="out[n, h, w, c] must be batch[n, c, h, w], as torch.movedim(batch, 1, 3) gives")


@check("to_nhwc")
def test_to_nhwc_on_a_batch_of_two_rgb_images(submission, reference):
    batch = torch.arange(2 * 3 * 5 * 7, dtype=torch.uint8).reshape(2, 3, 5, 7)
    out = agree(submission.to_nhwc, reference.to_nhwc, batch, view_of=batch,
                why="the channel axis must move from position 1 to the end")
    same(tuple(out.shape), (2, 5, 7, 3), what="to_nhwc(batch).shape")


# --- image_to_tensor -------------------------------------------------------------


@check("image_to_tensor", array=hwc_arrays)
def test_image_to_tensor_on_arrays(submission, reference, array):
    out = agree(submission.image_to_tensor, reference.image_to_tensor, array,
                why="an (H, W, C) array becomes a (C, H, W) tensor with the same dtype and values")
    same(out, _to_image(array), what="image_to_tensor(array)",
         why="it must match torchvision's ToImage")
    expect(out.is_contiguous(),
           f"image_to_tensor returned a non-contiguous tensor with strides {out.stride()} "
           f"for an array of shape {array.shape}: like ToImage, finish with .contiguous() "
           "so the channels are stored one after another")


@check("image_to_tensor", array=gray_arrays)
def test_image_to_tensor_on_grayscale_arrays(submission, reference, array):
    out = agree(submission.image_to_tensor, reference.image_to_tensor, array,
                why="an (H, W) array is a grayscale image with one channel: it becomes (1, H, W)")
    same(out, _to_image(array), what="image_to_tensor(array)",
         why="it must match torchvision's ToImage")


@check("image_to_tensor", array=st.one_of(rgb_uint8, gray_uint8))
def test_image_to_tensor_on_pil_images(submission, reference, array):
    image = _pil(array)
    out = agree(submission.image_to_tensor, reference.image_to_tensor, image,
                why="a PIL image (mode RGB or L) becomes a uint8 (C, H, W) tensor")
    same(out, _to_image(image), what="image_to_tensor(image)",
         why="it must match torchvision's ToImage")


@check("image_to_tensor")
def test_image_to_tensor_on_a_small_grayscale_array(submission, reference):
    gray = np.arange(6, dtype=np.uint8).reshape(2, 3)
    agree(submission.image_to_tensor, reference.image_to_tensor, gray,
          why="an (H, W) array has no channel axis; as an image it has one channel: (1, 2, 3)")


@check("image_to_tensor")
def test_image_to_tensor_on_a_photo_sized_array(submission, reference):
    photo = np.zeros((1200, 1800, 3), dtype=np.uint8)
    photo[0, 1, 2] = 7  # one marked value, so a wrong axis order cannot pass
    out = agree(submission.image_to_tensor, reference.image_to_tensor, photo,
                why="a 1200 x 1800 RGB photo, (1200, 1800, 3) in NumPy, is (3, 1200, 1800) in PyTorch")
    same(tuple(out.shape), (3, 1200, 1800), what="image_to_tensor(photo).shape")


# --- image_to_float ----------------------------------------------------------------


@check("image_to_float", array=st.one_of(hwc_arrays, gray_arrays))
def test_image_to_float_on_arrays(submission, reference, array):
    out = agree(submission.image_to_float, reference.image_to_float, array,
                why="the result is float32 (C, H, W); uint8 values are divided by 255, "
                    "float values are kept as they are")
    same(out, _to_float_image(array), what="image_to_float(array)",
         why="it must match ToImage followed by ToDtype(torch.float32, scale=True)")


@check("image_to_float", array=st.one_of(rgb_uint8, gray_uint8))
def test_image_to_float_on_pil_images(submission, reference, array):
    image = _pil(array)
    out = agree(submission.image_to_float, reference.image_to_float, image,
                why="a PIL image holds uint8 values, so they are divided by 255 into [0, 1]")
    same(out, _to_float_image(image), what="image_to_float(image)",
         why="it must match ToImage followed by ToDtype(torch.float32, scale=True)")


@check("image_to_float", image=tst.images(layout="CHW", **SMALL))
def test_image_to_float_on_tensors(submission, reference, image):
    out = agree(submission.image_to_float, reference.image_to_float, image,
                why="a tensor is already (C, H, W): only its dtype and scale change")
    same(out, _to_float_image(image), what="image_to_float(image)",
         why="it must match ToImage followed by ToDtype(torch.float32, scale=True)")


@check("image_to_float")
def test_image_to_float_on_a_dim_float64_tensor(submission, reference):
    image = torch.linspace(0.0, 0.5, 24, dtype=torch.float64).reshape(2, 3, 4)
    agree(submission.image_to_float, reference.image_to_float, image,
          why="a float tensor is already (C, H, W) in [0, 1]: it only becomes float32, with the same "
              "values (no division, no stretching of its maximum 0.5 to 1) and the same shape")


@check("image_to_float")
def test_image_to_float_on_one_pixel(submission, reference):
    pixel = np.array([[[255, 204, 170]]], dtype=np.uint8)
    out = agree(submission.image_to_float, reference.image_to_float, pixel,
                why="the RGB pixel (255, 204, 170) scales to (1.0, 0.8, 0.6667)")
    same(out.reshape(-1), torch.tensor([1.0, 0.8, 170 / 255]), what="image_to_float(pixel)",
         why="each channel is divided by 255")


# --- add_batch_dim -------------------------------------------------------------------


@check("add_batch_dim", image=tst.images(layout="CHW", **SMALL))
def test_add_batch_dim(submission, reference, image):
    agree(submission.add_batch_dim, reference.add_batch_dim, image, view_of=image,
          why="a (C, H, W) image becomes a batch of one, (1, C, H, W), as a view")


@check("add_batch_dim")
def test_add_batch_dim_on_an_rgb_image(submission, reference):
    image = torch.arange(3 * 4 * 5, dtype=torch.uint8).reshape(3, 4, 5)
    agree(submission.add_batch_dim, reference.add_batch_dim, image, view_of=image,
          why="(3, 4, 5) becomes (1, 3, 4, 5): the new axis goes in front of the channels")


@check("add_batch_dim")
def test_add_batch_dim_on_a_digit(submission, reference):
    digit = torch.zeros(1, 28, 28)
    out = agree(submission.add_batch_dim, reference.add_batch_dim, digit, view_of=digit,
                why="a 28 x 28 grayscale digit (1, 28, 28) becomes (1, 1, 28, 28)")
    same(tuple(out.shape), (1, 1, 28, 28), what="add_batch_dim(digit).shape")


# --- for_matplotlib ---------------------------------------------------------------------


@check("for_matplotlib", image=tst.images(layout="CHW", **SMALL))
def test_for_matplotlib(submission, reference, image, device):
    image = image.to(device)
    agree(submission.for_matplotlib, reference.for_matplotlib, image,
          why="a (C, H, W) tensor becomes an (H, W, C) NumPy array on the CPU "
              "((H, W) when there is one channel)")


@check("for_matplotlib", image=tst.images(layout="CHW", channels=1, **SMALL))
def test_for_matplotlib_on_grayscale(submission, reference, image, device):
    image = image.to(device)
    agree(submission.for_matplotlib, reference.for_matplotlib, image,
          why="a one-channel image becomes an (H, W) array: matplotlib draws that "
              "as a grayscale picture")


@check("for_matplotlib")
def test_for_matplotlib_on_a_grayscale_image(submission, reference):
    gray = torch.arange(6, dtype=torch.float32).reshape(1, 2, 3).div(6)
    agree(submission.for_matplotlib, reference.for_matplotlib, gray,
          why="a one-channel (1, 2, 3) image is shown as a plain (2, 3) array, without the channel axis")


@check("for_matplotlib")
def test_for_matplotlib_on_a_one_pixel_high_strip(submission, reference, device):
    strip = torch.arange(3 * 1 * 4, dtype=torch.float32).reshape(3, 1, 4).div(12).to(device)
    out = agree(submission.for_matplotlib, reference.for_matplotlib, strip,
                why="an RGB image 1 pixel high and 4 wide, (3, 1, 4), becomes (1, 4, 3): "
                    "only a single channel axis may be dropped, never height or width")
    same(out.shape, (1, 4, 3), what="for_matplotlib(strip).shape")
