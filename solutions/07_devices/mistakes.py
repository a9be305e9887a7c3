"""Plausible wrong answers for exercise 07 (devices), each named and explained."""

import numpy as np
import torch
from torch import nn

from grader.mistakes import mistake

# best_device ----------------------------------------------------------------


@mistake("best_device", "ignored Apple GPUs",
         "On a Mac with Apple silicon the GPU is reached through 'mps'. Falling "
         "straight back to the CPU leaves it idle: check torch.backends.mps.is_available() "
         "before giving up.")
def best_device_no_mps():
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@mistake("best_device", "asked MPS before CUDA",
         "The order of the questions matters: an NVIDIA GPU comes first, then MPS, "
         "then the CPU.")
def best_device_mps_first():
    if torch.backends.mps.is_available():
        return torch.device("mps")
    if torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


@mistake("best_device", "returned a string",
         "'cuda' is a name, not a device; the contract asks for a torch.device object, "
         "torch.device('cuda'), which code can inspect (.type, .index).")
def best_device_string():
    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"


@mistake("best_device", "is_built instead of is_available",
         "torch.backends.cuda.is_built() only says this PyTorch was compiled with "
         "CUDA support; torch.cuda.is_available() says this machine has a GPU it "
         "can use right now.")
def best_device_cuda_built():
    if torch.backends.cuda.is_built():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


# move -----------------------------------------------------------------------


@mistake("move", "ignored the dtype",
         "x.to(device) moves the tensor but keeps its dtype; pass dtype as well, "
         "x.to(device=device, dtype=dtype), to do both in one step.")
def move_ignores_dtype(x, device, dtype=None):
    return x.to(device)


@mistake("move", "ignored the device",
         "Changing the dtype alone leaves the tensor where it was; the device "
         "argument must go to .to as well.")
def move_ignores_device(x, device, dtype=None):
    return x if dtype is None else x.to(dtype=dtype)


@mistake("move", "None taken as float32",
         "dtype=None means 'keep the dtype', so a uint8 image stays uint8; only "
         "convert when a dtype is given.")
def move_default_float32(x, device, dtype=None):
    return x.to(device=device, dtype=dtype or torch.float32)


@mistake("move", "cloned first",
         "Tensor.to already returns x itself when nothing changes and a new tensor "
         "otherwise; cloning first copies memory for nothing.")
def move_clones(x, device, dtype=None):
    return x.clone().to(device=device, dtype=dtype)


@mistake("move", "called .cuda() instead of .to(device)",
         "x.cuda() always goes to an NVIDIA GPU, whatever device was asked for, and "
         "on a machine without CUDA it fails (for example 'Torch not compiled with "
         "CUDA enabled'). Use x.to(device=device, dtype=dtype): it goes where device "
         "says (cpu, cuda, mps or meta) and changes the dtype in the same step.")
def move_with_cuda(x, device, dtype=None):
    return x.cuda() if dtype is None else x.cuda().to(dtype)


# linear_scores --------------------------------------------------------------


@mistake("linear_scores", "forgot the bias",
         "A linear layer is weight @ pixels + bias; without the bias every logit "
         "is off by bias[k].")
def linear_scores_no_bias(weight, bias, images, device):
    model = nn.Linear(28 * 28, 10, bias=False).to(device)
    with torch.no_grad():
        model.weight.copy_(weight)
        return model(images.to(device).reshape(images.shape[0], -1)).cpu()


@mistake("linear_scores", "flattened with view",
         "view needs memory it can re-cut without copying; a non-contiguous image "
         "batch (sliced or permuted) cannot be viewed as (N, 784). reshape or "
         "flatten(1) copy when they must.")
def linear_scores_view(weight, bias, images, device):
    model = nn.Linear(28 * 28, 10).to(device)
    with torch.no_grad():
        model.weight.copy_(weight)
        model.bias.copy_(bias)
        return model(images.to(device).view(images.shape[0], 28 * 28)).cpu()


@mistake("linear_scores", "flattened the batch axis too",
         "flatten() with no arguments joins every axis, the batch included; keep "
         "the batch axis with flatten(1) or reshape(N, 784).")
def linear_scores_flatten_all(weight, bias, images, device):
    model = nn.Linear(28 * 28, 10).to(device)
    with torch.no_grad():
        model.weight.copy_(weight)
        model.bias.copy_(bias)
        return model(images.to(device).flatten()).cpu()


@mistake("linear_scores", "kept the channel axis",
         "flatten(2) only joins height and width: a (N, 1, 28, 28) batch becomes "
         "(N, 1, 784) and the logits come out (N, 1, 10). Flatten everything after "
         "the batch axis.")
def linear_scores_keep_channel(weight, bias, images, device):
    model = nn.Linear(28 * 28, 10).to(device)
    with torch.no_grad():
        model.weight.copy_(weight)
        model.bias.copy_(bias)
        return model(images.to(device).flatten(2)).cpu()


@mistake("linear_scores", "logits transposed",
         "weight @ pixels.T gives one column per image, shape (10, N); the logits "
         "are one row per image, (N, 10): pixels @ weight.T + bias.")
def linear_scores_transposed(weight, bias, images, device):
    flat = images.to(device).reshape(images.shape[0], -1)
    return (weight.to(device) @ flat.T + bias.to(device)[:, None]).cpu()


@mistake("linear_scores", "kept the autograd graph",
         "nn.Linear's parameters require grad, so its output drags a graph along. "
         "Scores for inspection are computed under torch.no_grad().")
def linear_scores_with_graph(weight, bias, images, device):
    model = nn.Linear(28 * 28, 10).to(device)
    with torch.no_grad():
        model.weight.copy_(weight)
        model.bias.copy_(bias)
    return model(images.to(device).reshape(images.shape[0], -1)).cpu()


# to_numpy -------------------------------------------------------------------


@mistake("to_numpy", "numpy() straight away",
         "NumPy cannot hold autograd history or GPU memory: a tensor that requires "
         "grad must be detached, and a GPU tensor brought to the CPU, before .numpy().")
def to_numpy_direct(x):
    return x.numpy()


@mistake("to_numpy", "forgot detach",
         ".cpu() moves the data but keeps the tensor in the autograd graph, and "
         ".numpy() refuses such a tensor; call .detach() first.")
def to_numpy_no_detach(x):
    return x.cpu().numpy()


@mistake("to_numpy", "went through a Python list",
         "tolist() turns every value into a Python float or int, and NumPy makes "
         "those float64 or int64: the dtype changes and the memory is copied.")
def to_numpy_via_list(x):
    return np.array(x.detach().cpu().tolist())


@mistake("to_numpy", "copied needlessly",
         "For a CPU tensor .numpy() shares memory with it, no copy; cloning first "
         "doubles the memory for nothing.")
def to_numpy_clone(x):
    return x.detach().clone().cpu().numpy()


@mistake("to_numpy", "converted to float32",
         "The array keeps the tensor's dtype: a uint8 image stays uint8 and "
         "float64 stays float64.")
def to_numpy_float(x):
    return x.detach().cpu().float().numpy()
