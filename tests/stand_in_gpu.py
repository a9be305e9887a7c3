"""A stand-in GPU for machines without one: CPU tensors that say they live on ``cuda:0``.

``StandInCuda`` wraps a CPU tensor and reports ``cuda:0`` as its device; operations run on
the wrapped tensor and give stand-ins back, except ``.cpu()`` / ``.to("cpu")``, which hand
back the plain CPU tensor, as a real GPU does. ``use_stand_in_gpu`` makes the codec and the
replay put tensors on it where they would put them on a real ``cuda``.
"""

from __future__ import annotations

import torch
from torch.utils._pytree import tree_map

from grader import codec


class StandInCuda(torch.Tensor):
    @staticmethod
    def __new__(cls, inner: torch.Tensor):
        made = torch.Tensor._make_wrapper_subclass(cls, inner.shape, strides=inner.stride(), dtype=inner.dtype,
                                                   device="cuda:0", requires_grad=inner.requires_grad)
        made.inner = inner
        return made

    def __repr__(self) -> str:
        return f"StandInCuda({self.inner!r})"

    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        to_cpu = func is torch.ops.aten._to_copy.default and str(kwargs.get("device", "cuda")) == "cpu"
        plain_kwargs = {key: value for key, value in kwargs.items() if key != "device"}
        out = func(*tree_map(_inner, args), **tree_map(_inner, plain_kwargs))
        if to_cpu:
            return out
        return tree_map(lambda value: cls(value) if isinstance(value, torch.Tensor) else value, out)


def _inner(value):
    return value.inner if isinstance(value, StandInCuda) else value


def on_stand_in(tensor: torch.Tensor) -> StandInCuda:
    return StandInCuda(tensor.detach().cpu())


def use_stand_in_gpu(monkeypatch) -> None:
    """``cuda`` exists here, as the stand-in, for the codec and for replay."""
    real_here = codec.device_here
    monkeypatch.setattr(codec, "device_here", lambda name: name.startswith("cuda") or real_here(name))
    real_place = codec._place
    monkeypatch.setattr(codec, "_place",
                        lambda tensor, device: on_stand_in(tensor) if str(device).startswith("cuda")
                        else real_place(tensor, device))
