"""Plausible wrong answers for exercise 02, each named and explained."""

from __future__ import annotations

import numpy as np
import PIL.Image
import torch
from torch import Tensor

from grader.mistakes import mistake


def _as_array(image):
    array = np.array(image) if isinstance(image, PIL.Image.Image) else image
    if array.ndim == 2:
        array = array[:, :, np.newaxis]
    return array


# --- to_nchw ---------------------------------------------------------------


@mistake("to_nchw", "reshape instead of permute",
         "reshape keeps the elements in memory order and only re-cuts them into a new "
         "shape, so the numbers of one pixel's channels end up spread over rows; "
         "permute moves whole axes and keeps every pixel's channels together.")
def to_nchw_by_reshape(batch):
    n, h, w, c = batch.shape
    return batch.reshape(n, c, h, w)


@mistake("to_nchw", "height and width swapped",
         "permute(0, 3, 2, 1) moves the channels to position 1 but also swaps height "
         "and width, so the image comes out transposed (W before H). The output's "
         "axis k is the input's axis order[k]: for (N, C, H, W) you need (0, 3, 1, 2).")
def to_nchw_swaps_height_and_width(batch):
    return batch.permute(0, 3, 2, 1)


@mistake("to_nchw", "inverse permutation",
         "permute(0, 2, 3, 1) is the way back (NCHW to NHWC). permute's argument lists, "
         "for each output axis, which input axis it comes from: the channels are input "
         "axis 3 and must land at output position 1, so the order is (0, 3, 1, 2).")
def to_nchw_inverse(batch):
    return batch.permute(0, 2, 3, 1)


@mistake("to_nchw", "copies instead of returning a view",
         "The values are right, but .contiguous() (or clone) copies the whole batch. "
         "permute alone returns a view that shares memory with the input, which is "
         "free; the copy can wait until an operation really needs contiguous memory.")
def to_nchw_copies(batch):
    return batch.permute(0, 3, 1, 2).contiguous()


# --- to_nhwc ---------------------------------------------------------------


@mistake("to_nhwc", "reshape back instead of permute",
         "reshape re-cuts the memory in its current order, which mixes values of "
         "different channels into one pixel; permute moves whole axes.")
def to_nhwc_by_reshape(batch):
    n, c, h, w = batch.shape
    return batch.reshape(n, h, w, c)


@mistake("to_nhwc", "reused the to_nchw order",
         "permute(0, 3, 1, 2) is the NHWC-to-NCHW order; applied to an NCHW batch it "
         "gives (N, W, C, H). The inverse of a permutation is a different permutation: "
         "output (N, H, W, C) takes input axes (0, 2, 3, 1).")
def to_nhwc_forward_order(batch):
    return batch.permute(0, 3, 1, 2)


@mistake("to_nhwc", "height and width swapped going back",
         "permute(0, 3, 2, 1) puts the channels last but also swaps height and width, "
         "so every image is transposed.")
def to_nhwc_swaps_height_and_width(batch):
    return batch.permute(0, 3, 2, 1)


@mistake("to_nhwc", "copies the NHWC batch",
         "The values are right, but .contiguous() copies the batch; a permuted view "
         "shares memory with the input and costs nothing.")
def to_nhwc_copies(batch):
    return batch.permute(0, 2, 3, 1).contiguous()


# --- image_to_tensor ---------------------------------------------------------


@mistake("image_to_tensor", "C, W, H order",
         "permute(2, 1, 0) puts the channels first but also swaps height and width, "
         "so the picture is transposed. The PyTorch order is (C, H, W): "
         "permute(2, 0, 1).")
def image_to_tensor_cwh(image):
    return torch.from_numpy(_as_array(image)).permute(2, 1, 0).contiguous()


@mistake("image_to_tensor", "reshape into channels",
         "reshape(C, H, W) keeps the interleaved RGBRGB... memory order and just cuts "
         "it into C blocks, so each 'channel' holds a mix of red, green and blue values. "
         "Moving the channel axis needs permute.")
def image_to_tensor_by_reshape(image):
    array = _as_array(image)
    h, w, c = array.shape
    return torch.from_numpy(array).reshape(c, h, w).contiguous()


@mistake("image_to_tensor", "no channel axis for grayscale",
         "A grayscale image still has one channel in PyTorch: (1, H, W), not (H, W). "
         "Give a 2-D array a channel axis before moving it to the front.")
def image_to_tensor_no_gray_channel(image):
    array = np.array(image) if isinstance(image, PIL.Image.Image) else image
    if array.ndim == 2:
        return torch.from_numpy(array).clone()
    return torch.from_numpy(array).permute(2, 0, 1).contiguous()


@mistake("image_to_tensor", "converts to float",
         "ToImage only changes the layout: a uint8 image stays uint8 with values 0 to "
         "255. Changing the dtype (and scaling) is a separate step, image_to_float.")
def image_to_tensor_float(image):
    return torch.from_numpy(_as_array(image)).permute(2, 0, 1).float().contiguous()


@mistake("image_to_tensor", "channels left last",
         "torch.from_numpy keeps NumPy's (H, W, C) order; PyTorch models expect the "
         "channel axis first, so it still has to be moved.")
def image_to_tensor_channels_last(image):
    return torch.from_numpy(_as_array(image)).clone()


# --- image_to_float ------------------------------------------------------------


@mistake("image_to_float", "no scaling",
         "Converting a uint8 image to float keeps the values 0 to 255; to get [0, 1] "
         "they also have to be divided by 255, the largest uint8 value.")
def image_to_float_unscaled(image):
    tensor = image if isinstance(image, Tensor) else torch.from_numpy(_as_array(image)).permute(2, 0, 1)
    return tensor.to(torch.float32)


@mistake("image_to_float", "integer division by 255",
         "// is floor division: on a uint8 image it keeps integers, so every pixel "
         "below 255 becomes 0 and only pure white stays 1. Convert to float32 first, "
         "then divide with /: tensor.to(torch.float32) / 255.")
def image_to_float_floor_division(image):
    tensor = image if isinstance(image, Tensor) else torch.from_numpy(_as_array(image)).permute(2, 0, 1)
    if tensor.is_floating_point():
        return tensor.to(torch.float32)
    return (tensor // 255).to(torch.float32)


@mistake("image_to_float", "divides float images by 255 too",
         "A floating-point image is taken to lie in [0, 1] already; dividing it by 255 "
         "again squeezes it into [0, 0.004]. Scale by the range of the input dtype: "
         "only integer images need dividing.")
def image_to_float_always_divides(image):
    tensor = image if isinstance(image, Tensor) else torch.from_numpy(_as_array(image)).permute(2, 0, 1)
    return tensor.to(torch.float32) / 255


@mistake("image_to_float", "keeps float64",
         "The result must be float32 whatever came in; a float64 image has to be "
         "converted too (float32 is what PyTorch models use).")
def image_to_float_keeps_float64(image):
    tensor = image if isinstance(image, Tensor) else torch.from_numpy(_as_array(image)).permute(2, 0, 1)
    if tensor.is_floating_point():
        return tensor.clone()
    return tensor.to(torch.float32) / 255


@mistake("image_to_float", "divides by the image's own maximum",
         "Dividing by image.max() stretches every image to reach 1.0, so a dark picture "
         "becomes bright and the same pixel value means different things in different "
         "images. Scale by the dtype's fixed range (255 for uint8) instead.")
def image_to_float_by_max(image):
    tensor = image if isinstance(image, Tensor) else torch.from_numpy(_as_array(image)).permute(2, 0, 1)
    tensor = tensor.to(torch.float32)
    return tensor / tensor.max().clamp(min=1e-12)


@mistake("image_to_float", "treats tensors as (H, W, C)",
         "A tensor input is already channels-first (C, H, W); only NumPy arrays and PIL "
         "images need their channel axis moved.")
def image_to_float_permutes_tensors(image):
    array = image if isinstance(image, Tensor) else torch.from_numpy(_as_array(image))
    tensor = array.permute(2, 0, 1)
    if tensor.is_floating_point():
        return tensor.to(torch.float32)
    return tensor.to(torch.float32) / 255


# --- add_batch_dim -------------------------------------------------------------


@mistake("add_batch_dim", "new axis at the end",
         "unsqueeze(-1) adds the size-1 axis last, giving (C, H, W, 1). The batch axis "
         "comes first in PyTorch: unsqueeze(0).")
def add_batch_dim_last(image):
    return image.unsqueeze(-1)


@mistake("add_batch_dim", "new axis after the channels",
         "unsqueeze(1) gives (C, 1, H, W): the channels end up in the batch position. "
         "The new axis must go in front of everything: unsqueeze(0).")
def add_batch_dim_second(image):
    return image.unsqueeze(1)


@mistake("add_batch_dim", "copies the image",
         "torch.stack (or clone) builds a new tensor and copies every value; "
         "unsqueeze(0) (or image[None]) returns a view with the extra axis for free.")
def add_batch_dim_stack(image):
    return torch.stack([image])


# --- for_matplotlib --------------------------------------------------------------


@mistake("for_matplotlib", "W, H, C order",
         "permute(2, 1, 0) puts the channels last but swaps height and width, so the "
         "picture is shown transposed. (C, H, W) to (H, W, C) is permute(1, 2, 0).")
def for_matplotlib_whc(image):
    image = image.cpu().permute(2, 1, 0)
    return image[..., 0].numpy() if image.shape[-1] == 1 else image.numpy()


@mistake("for_matplotlib", "reshape to (H, W, C)",
         "reshape(H, W, C) keeps the channel-by-channel memory order and re-cuts it, "
         "so neighbouring values of one channel are read as the colours of one pixel; "
         "permute(1, 2, 0) moves the channel axis instead.")
def for_matplotlib_by_reshape(image):
    c, h, w = image.shape
    image = image.cpu().reshape(h, w, c)
    return image[..., 0].numpy() if c == 1 else image.numpy()


@mistake("for_matplotlib", "keeps the single channel",
         "A grayscale image comes out as (H, W, 1); matplotlib wants (H, W) for a "
         "one-channel picture, so drop the channel axis when there is only one.")
def for_matplotlib_keeps_gray_axis(image):
    return image.cpu().permute(1, 2, 0).numpy()


@mistake("for_matplotlib", "squeeze removes every size-1 axis",
         "squeeze() with no argument drops every axis of size 1, so an image one pixel "
         "high (or wide) loses its height (or width) axis too. Drop only the channel "
         "axis, and only when there is a single channel.")
def for_matplotlib_squeeze_all(image):
    return image.cpu().permute(1, 2, 0).squeeze().numpy()


@mistake("for_matplotlib", "returns a tensor",
         "matplotlib and most plotting code want a NumPy array in CPU memory; "
         "finish with .numpy() after moving the tensor to the CPU.")
def for_matplotlib_tensor(image):
    image = image.cpu().permute(1, 2, 0)
    return image[..., 0] if image.shape[-1] == 1 else image
