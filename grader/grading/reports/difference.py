"""The data of a failing check's picture: expected, actual and difference, reduced to small grids.

Drawing them is ``pictures``'s job; this only decides whether a result is image-like
and scales it down to at most 32 x 32 values in [0, 1].
"""

from __future__ import annotations

import math

from grader.grading.model import Picture


def difference_picture(expected, actual) -> Picture | None:
    """Expected, actual and their difference as small unit-scaled images, when both are image-like
    (2-D, or 3-D with a channel axis) and of one shape; None otherwise."""
    import torch

    def plane(value):
        if not isinstance(value, torch.Tensor) or value.layout != torch.strided or value.device.type == "meta":
            return None
        value = value.detach().cpu()
        if value.dim() == 3:
            value = value.float().mean(dim=0 if value.shape[0] in (1, 3, 4) else -1)
        if value.dim() != 2 or min(value.shape) < 2 or value.is_complex():
            return None
        value = value.double()
        step_h, step_w = max(1, math.ceil(value.shape[0] / 32)), max(1, math.ceil(value.shape[1] / 32))
        return value[::step_h, ::step_w]

    want, got = plane(expected), plane(actual)
    if want is None or got is None or want.shape != got.shape:
        return None

    def unit(value):
        value = torch.nan_to_num(value, nan=0.0, posinf=0.0, neginf=0.0)
        low, high = float(value.min()), float(value.max())
        span = high - low if high > low else 1.0
        return ((value - low) / span).clamp(0, 1)

    diff = (want - got).abs()
    rows = lambda t: [[round(float(v), 3) for v in row] for row in t.tolist()]  # noqa: E731
    return Picture(rows(unit(want)), rows(unit(got)), rows(unit(diff)))
