"""Plausible wrong answers for exercise 04 (broadcasting), each named and explained."""

import torch

from grader.mistakes import mistake

# broadcast_shape ------------------------------------------------------------


@mistake("broadcast_shape", "aligned from the left",
         "Broadcasting lines shapes up from the right: (3,) meets the last axis of "
         "(5, 3), so the missing axes are added in front, never at the end.")
def broadcast_shape_left_aligned(a, b):
    rank = max(len(a), len(b))
    padded_a = tuple(a) + (1,) * (rank - len(a))
    padded_b = tuple(b) + (1,) * (rank - len(b))
    result = []
    for x, y in zip(padded_a, padded_b):
        if x != y and 1 not in (x, y):
            raise ValueError(f"cannot broadcast {tuple(a)} with {tuple(b)}")
        result.append(y if x == 1 else x)
    return tuple(result)


@mistake("broadcast_shape", "padded the caller's shape in place",
         "a.insert(0, 1) pads the list you were given, so the caller's shape grows "
         "behind its back (and a tuple has no insert at all). Pad copies instead: "
         "(1,) * (rank - len(a)) + tuple(a).")
def broadcast_shape_pads_in_place(a, b):
    while len(a) < len(b):
        a.insert(0, 1)
    while len(b) < len(a):
        b.insert(0, 1)
    return tuple(x if y == 1 else y for x, y in zip(a, b))


@mistake("broadcast_shape", "larger size wins",
         "Taking the larger size accepts shapes that do not broadcast, such as 2 "
         "with 3, and gets 1 with 0 wrong: the size-1 axis stretches to 0. Two sizes "
         "are compatible only when they are equal or one of them is 1.")
def broadcast_shape_max(a, b):
    rank = max(len(a), len(b))
    padded_a = (1,) * (rank - len(a)) + tuple(a)
    padded_b = (1,) * (rank - len(b)) + tuple(b)
    return tuple(max(x, y) for x, y in zip(padded_a, padded_b))


@mistake("broadcast_shape", "longer shape wins",
         "Checking that the shapes fit is only half the job: a size-1 axis of the "
         "longer shape stretches too, so (1, 5) with (6, 5) gives (6, 5), and (3, 1) "
         "with (4,) gives (3, 4). Build the result axis by axis.")
def broadcast_shape_longer(a, b):
    rank = max(len(a), len(b))
    padded_a = (1,) * (rank - len(a)) + tuple(a)
    padded_b = (1,) * (rank - len(b)) + tuple(b)
    for x, y in zip(padded_a, padded_b):
        if x != y and 1 not in (x, y):
            raise ValueError(f"cannot broadcast {tuple(a)} with {tuple(b)}")
    return tuple(a) if len(a) >= len(b) else tuple(b)


@mistake("broadcast_shape", "leading axes dropped",
         "Pairing the axes with zip stops at the shorter shape, so the extra leading "
         "axes of the longer one are lost; they belong in the result unchanged "
         "(the shorter shape counts as having size 1 there).")
def broadcast_shape_truncated(a, b):
    result = []
    for x, y in zip(reversed(tuple(a)), reversed(tuple(b))):
        if x != y and 1 not in (x, y):
            raise ValueError(f"cannot broadcast {tuple(a)} with {tuple(b)}")
        result.append(y if x == 1 else x)
    return tuple(reversed(result))


# scale_channels -------------------------------------------------------------


@mistake("scale_channels", "scaled the caller's image in place",
         "images *= factors overwrites the image you were given; the caller may still "
         "need the original. Return a new tensor (images * factors).")
def scale_channels_in_place(images, factors):
    images *= factors
    return images


@mistake("scale_channels", "kept the image dtype",
         "Casting the product back to uint8 throws away the fractions (and wraps "
         "values above 255). Let type promotion choose: uint8 times float32 is float32.")
def scale_channels_keep_dtype(images, factors):
    return (images * factors).to(images.dtype)


@mistake("scale_channels", "moved channels first and never back",
         "The image is channels-last, so a (C,) tensor already lines up with its "
         "last axis. Moving the channels to the front (for a (C, 1, 1) factor) "
         "changes the layout of the result, which must stay (..., H, W, C).")
def scale_channels_moved(images, factors):
    return images.movedim(-1, -3) * factors[:, None, None]


@mistake("scale_channels", "einsum summed the channels",
         "In '...c,c->...' the letter c is missing from the output, so einsum adds "
         "the scaled channels together. Scaling keeps every channel: plain * does it.")
def scale_channels_einsum(images, factors):
    return torch.einsum("...c,c->...", images.to(factors.dtype), factors)


@mistake("scale_channels", "factors shaped for channels-first images",
         "factors[:, None, None] has shape (C, 1, 1), which lines up with a (C, H, W) "
         "image. These images are channels-last, (..., H, W, C): broadcasting pairs "
         "shapes from the right, so (C, 1, 1) meets (H, W, C) and either fails or "
         "scales whole rows. A plain (C,) tensor already matches the last axis: "
         "images * factors.")
def scale_channels_chw_factors(images, factors):
    return images * factors[:, None, None]


# batch_mean -----------------------------------------------------------------


@mistake("batch_mean", "averaged over the channels",
         "In (N, C, H, W) the batch is axis 0; axis 1 holds the channels.")
def batch_mean_channels(images, keepdim=False):
    floating = images if images.is_floating_point() else images.float()
    return floating.mean(dim=1, keepdim=keepdim)


@mistake("batch_mean", "sum instead of mean",
         "The sum over the batch grows with N; divide by the number of images "
         "(or use mean) to get the average image.")
def batch_mean_sum(images, keepdim=False):
    floating = images if images.is_floating_point() else images.float()
    return floating.sum(dim=0, keepdim=keepdim)


@mistake("batch_mean", "ignored keepdim",
         "keepdim=True must leave a batch axis of size 1, shape (1, C, H, W), so the "
         "result still broadcasts against the batch; pass keepdim on to the reduction.")
def batch_mean_no_keepdim(images, keepdim=False):
    floating = images if images.is_floating_point() else images.float()
    return floating.mean(dim=0)


@mistake("batch_mean", "integer division for uint8",
         "Floor division // rounds every mean down and leaves an integer tensor; "
         "convert to float32 first so 0.5 stays 0.5.")
def batch_mean_floor(images, keepdim=False):
    if images.is_floating_point():
        return images.mean(dim=0, keepdim=keepdim)
    return images.sum(dim=0, keepdim=keepdim) // images.shape[0]


# channel_mean ---------------------------------------------------------------


@mistake("channel_mean", "mean over the last axis",
         "dim=-1 is the channel axis of channels-last (N, H, W, C) images; these are "
         "channels-first (N, C, H, W), where it is the width.")
def channel_mean_last_axis(images, keepdim=False):
    floating = images if images.is_floating_point() else images.float()
    return floating.mean(dim=-1, keepdim=keepdim)


@mistake("channel_mean", "averaged over the batch",
         "Axis 0 of (N, C, H, W) is the batch; averaging it mixes images together. "
         "The channels are axis 1.")
def channel_mean_batch(images, keepdim=False):
    floating = images if images.is_floating_point() else images.float()
    return floating.mean(dim=0, keepdim=keepdim)


@mistake("channel_mean", "channel axis dropped despite keepdim",
         "keepdim=True must leave a channel axis of size 1, shape (N, 1, H, W); pass "
         "keepdim on to the reduction.")
def channel_mean_no_keepdim(images, keepdim=False):
    floating = images if images.is_floating_point() else images.float()
    return floating.mean(dim=1)


@mistake("channel_mean", "summed the channels",
         "Adding the channels gives values up to C times too large; divide by the "
         "number of channels, or use mean.")
def channel_mean_sum(images, keepdim=False):
    floating = images if images.is_floating_point() else images.float()
    return floating.sum(dim=1, keepdim=keepdim)


# class_map ------------------------------------------------------------------


@mistake("class_map", "maximum over the last axis",
         "The classes are axis 1 of (N, K, H, W); dim=-1 picks the best column of "
         "each row instead of the best class of each pixel.")
def class_map_last_axis(scores):
    values, indices = scores.max(dim=-1)
    return values, indices


@mistake("class_map", "maximum over the batch",
         "Axis 0 is the batch: the maximum over it compares different images. "
         "Reduce the class axis, 1.")
def class_map_batch(scores):
    values, indices = scores.max(dim=0)
    return values, indices


@mistake("class_map", "kept the class axis",
         "keepdim=True returns shape (N, 1, H, W); a class map has one entry per "
         "pixel, shape (N, H, W).")
def class_map_keepdim(scores):
    values, indices = scores.max(dim=1, keepdim=True)
    return values, indices


@mistake("class_map", "last tied class wins",
         "Searching the classes from the end (or flipping them) gives the largest of the "
         "tied classes. The contract, like argmax, wants the first: on a tie the smallest "
         "class index wins, scores.max(dim=1) does exactly that.")
def class_map_last_of_ties(scores):
    flipped = scores.flip(1)
    values, indices = flipped.max(dim=1)
    return values, scores.shape[1] - 1 - indices


@mistake("class_map", "values and indices swapped",
         "max(dim) returns the values first and the indices second; the tuple asked "
         "for has the same order.")
def class_map_swapped(scores):
    values, indices = scores.max(dim=1)
    return indices, values
