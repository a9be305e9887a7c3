"""Exercise 07: put tensors and models on a device, and bring results back.

Read README.md in this folder first. Run the checks with

    pytest exercises/07_devices

and time your own machine with

    python exercises/07_devices/matmul_timing.py
"""

import numpy as np
import torch
from torch import Tensor, nn  # noqa: F401 - your code will need them


def best_device() -> torch.device:
    """The fastest device this machine offers, as a ``torch.device``.

    ``torch.device("cuda")`` when an NVIDIA GPU is usable
    (``torch.cuda.is_available()``), otherwise ``torch.device("mps")`` when an
    Apple GPU is (``torch.backends.mps.is_available()``), otherwise
    ``torch.device("cpu")``. No device index: ``cuda``, not ``cuda:0``.
    """
    # TODO: ask torch.cuda first, then torch.backends.mps, and fall back to the CPU.
    raise NotImplementedError


def move(x: Tensor, device: str | torch.device, dtype: torch.dtype | None = None) -> Tensor:
    """``x`` on ``device``, converted to ``dtype`` when one is given, in a single step.

    ``device`` is anything ``torch.device`` accepts (``"cpu"``, ``"cuda"``,
    ``"cuda:1"``, ``"mps"``, ``"meta"``, or a ``torch.device``). With
    ``dtype=None`` the dtype stays as it is. Like ``Tensor.to``, when ``x``
    already has that device and dtype, ``x`` itself comes back (no copy);
    otherwise the result is a new tensor and ``x`` is not modified.
    """
    # TODO: one call to Tensor.to can change the device and the dtype together.
    raise NotImplementedError


def linear_scores(weight: Tensor, bias: Tensor, images: Tensor, device: str | torch.device) -> Tensor:
    """The 10 logits of a single linear layer for each 28x28 image, computed on ``device``.

    ``weight`` has shape ``(10, 784)`` and ``bias`` shape ``(10,)``, both
    float32, on any device: they are the parameters of an
    ``nn.Linear(28 * 28, 10)``. ``images`` is float32, shape
    ``(N, 1, 28, 28)`` or ``(N, 28, 28)``, on any device, in any memory
    layout (it may be non-contiguous).

    Build the layer on ``device`` with these parameters, flatten each image
    to 784 values, run the layer there, and return the ``(N, 10)`` float32
    logits on the CPU, with no autograd history (``requires_grad`` False).
    ``logits[n, k] = sum_i weight[k, i] * pixel_i of image n + bias[k]``.
    Nothing passed in is modified.
    """
    # TODO: create nn.Linear(28 * 28, 10) on the device, copy the parameters
    # into it under torch.no_grad(), flatten the images, run, bring back.
    raise NotImplementedError


def to_numpy(x: Tensor) -> np.ndarray:
    """A NumPy array with the values, shape and dtype of ``x``.

    Works for a tensor on any device (a GPU tensor is first copied to the
    CPU) and for one that requires grad. For a CPU tensor no copy is made:
    the array shares memory with ``x``, as ``Tensor.numpy`` does.
    """
    # TODO: NumPy knows nothing of autograd or GPUs: leave the graph, then the GPU.
    raise NotImplementedError
