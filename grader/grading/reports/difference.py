"""The data of a failing check's picture: expected, actual and difference, reduced to small grids.

Drawing them is ``pictures``'s job; this only decides whether a result is image-like
and scales it down to at most 32 x 32 values in [0, 1], never copying more than that grid.
"""

from __future__ import annotations

import math

from grader.grading.model import Picture

GRID = 32            # the largest side of a picture, in values
MAX_CHANNELS = 64    # channels-last values averaged per pixel (more is not an image)


def difference_picture(expected, actual) -> Picture | None:
    """Expected, actual and their difference as small unit-scaled images, when both are image-like
    (2-D, or 3-D with a channel axis) and of one shape; None otherwise."""
    import torch

    def plane(value):
        if not isinstance(value, torch.Tensor) or value.layout != torch.strided or value.device.type == "meta":
            return None
        if value.dim() not in (2, 3) or value.is_complex():
            return None
        # Subsample the view first and only then copy: a student's result may be a broadcast view
        # of 10^12 elements over a few bytes, and only the 32 x 32 grid is ever read.
        value = value.detach()
        channels = value.dim() == 3 and value.shape[0] in (1, 3, 4)
        rows, cols = (value.shape[1], value.shape[2]) if channels else (value.shape[0], value.shape[1])
        step_h, step_w = max(1, math.ceil(rows / GRID)), max(1, math.ceil(cols / GRID))
        if value.dim() == 3:
            value = value[:, ::step_h, ::step_w] if channels else value[::step_h, ::step_w, :MAX_CHANNELS]
            value = value.cpu().float().mean(dim=0 if channels else -1)
        else:
            value = value[::step_h, ::step_w].cpu()
        if min(rows, cols) < 2:
            return None
        return value.double()

    if not (isinstance(expected, torch.Tensor) and isinstance(actual, torch.Tensor)) or expected.shape != actual.shape:
        return None
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
