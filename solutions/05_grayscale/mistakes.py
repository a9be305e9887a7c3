"""Plausible wrong answers for exercise 05 (grayscale), each named and explained."""

import torch

from grader.mistakes import mistake

# grayscale_mean -------------------------------------------------------------


@mistake("grayscale_mean", "mean over the first axis",
         "dim=0 is the channel axis only when there are no leading dims; with a "
         "batch it averages different images together. Count the channel axis "
         "from the end instead: it is always dim -3.")
def grayscale_mean_first_axis(images):
    return images.mean(dim=0)


@mistake("grayscale_mean", "mean over axis 1",
         "mean(dim=1) finds the channels only in a 4-D (N, C, H, W) batch. A single "
         "(C, H, W) image has its rows at axis 1, and a batch with two leading dims "
         "has its channels at axis 2. Count from the end instead: the channels are "
         "always dim -3.")
def grayscale_mean_axis_one(images):
    return images.mean(dim=1)


@mistake("grayscale_mean", "mean over the last axis",
         "dim=-1 is the width (columns) of the image, not its colour channels; the "
         "channels sit third from the end, so reduce dim -3.")
def grayscale_mean_last_axis(images):
    return images.mean(dim=-1)


@mistake("grayscale_mean", "sum instead of mean",
         "Adding the three channels gives values up to 3 instead of up to 1: a "
         "white pixel would come out three times too bright. Divide by the number "
         "of channels, or use mean.")
def grayscale_mean_sum(images):
    return images.sum(dim=-3)


@mistake("grayscale_mean", "kept the channel axis",
         "keepdim=True leaves a channel axis of size 1, shape (..., 1, H, W); a "
         "grayscale image here has shape (..., H, W).")
def grayscale_mean_keepdim(images):
    return images.mean(dim=-3, keepdim=True)


# grayscale_weighted ---------------------------------------------------------


@mistake("grayscale_weighted", "mean instead of sum",
         "The weights already add up to 1, so their weighted sum is the average; "
         "taking the mean of the weighted channels divides by 3 a second time.")
def grayscale_weighted_mean(images, weights):
    return (images * weights[:, None, None]).mean(dim=-3)


@mistake("grayscale_weighted", "weights not unsqueezed",
         "Broadcasting lines shapes up from the right, so a (3,) tensor is matched "
         "with the width W, not with the channels. Give the weights the shape "
         "(3, 1, 1) so they line up with (3, H, W).")
def grayscale_weighted_not_unsqueezed(images, weights):
    return (images * weights).sum(dim=-3)


@mistake("grayscale_weighted", "summed over the first axis",
         "dim=0 is the channel axis only for a single image; with leading batch "
         "dims it adds different images together. Sum over dim -3.")
def grayscale_weighted_first_axis(images, weights):
    return (images * weights[:, None, None]).sum(dim=0)


@mistake("grayscale_weighted", "ignored the weights",
         "A plain average treats red, green and blue as equally bright; the point "
         "of the weights is that green looks far brighter than blue to the eye.")
def grayscale_weighted_plain_mean(images, weights):
    return images.mean(dim=-3)


# grayscale_einsum -----------------------------------------------------------


@mistake("grayscale_einsum", "summed over the width",
         "An index that is missing after '->' is summed away. '...chw,c->...ch' "
         "drops w, so it adds up each row; the output must keep h and w and drop c: "
         "'...chw,c->...hw'.")
def grayscale_einsum_sums_width(images, weights):
    return torch.einsum("...chw,c->...ch", images, weights)


@mistake("grayscale_einsum", "output axes swapped",
         "The order of the letters after '->' is the order of the output axes: "
         "'...wh' returns a transposed image of shape (..., W, H).")
def grayscale_einsum_transposed(images, weights):
    return torch.einsum("...chw,c->...wh", images, weights)


@mistake("grayscale_einsum", "channel kept in the output",
         "Keeping c after '->' multiplies each channel by its weight but never adds "
         "the channels together; drop c from the output to sum over it.")
def grayscale_einsum_keeps_channel(images, weights):
    return torch.einsum("...chw,c->...chw", images, weights)


@mistake("grayscale_einsum", "ellipsis missing from the output",
         "'...chw,c->hw' names the leading dims on the input side only, so einsum "
         "sums over them too and a whole batch collapses into one image. Write '...' "
         "after '->' as well: '...chw,c->...hw'.")
def grayscale_einsum_sums_batch(images, weights):
    return torch.einsum("...chw,c->hw", images, weights)
