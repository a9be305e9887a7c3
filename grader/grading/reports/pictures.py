"""Small inline PNG pictures: the expected, actual and difference panels of a failing check.

Everything is drawn with matplotlib's object-oriented API on the Agg
canvas (no pyplot, no global backend, no display), imported only when a
picture is drawn, and returned as a ``data:image/png;base64,...`` URI so the
HTML pages need no other files.
"""

from __future__ import annotations

import base64
import io

import numpy as np

from grader.grading.model import Picture

_PANEL_INCHES = 1.9
_DPI = 100


def _data_uri(figure) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def as_image(rows) -> np.ndarray | None:
    """A finite 2-D float array from lists of rows, or None when the rows do not make one."""
    try:
        array = np.asarray(rows, dtype=np.float64)
    except (TypeError, ValueError):  # ragged rows
        return None
    if array.ndim != 2 or array.size == 0:
        return None
    return np.nan_to_num(array, nan=0.0, posinf=1.0, neginf=0.0)


def picture_uri(picture: Picture) -> str | None:
    """Three panels side by side: expected and actual in grey, their difference in a diverging map.

    The difference is drawn centred on zero with symmetric limits, so it reads
    the same whether it is signed (actual - expected) or absolute.
    """
    expected, actual, difference = (as_image(rows) for rows in (picture.expected, picture.actual, picture.difference))
    if expected is None and actual is None:
        return None
    from matplotlib.figure import Figure

    aspect = max(image.shape[0] / image.shape[1] for image in (expected, actual) if image is not None)
    width, height = (_PANEL_INCHES, _PANEL_INCHES * aspect) if aspect <= 1 else (_PANEL_INCHES / aspect, _PANEL_INCHES)
    height = max(height, 0.6)
    figure = Figure(figsize=(3 * max(width, 0.9) + 0.7, height + 0.45), layout="constrained")
    axes = figure.subplots(1, 3)
    for ax, title, image in ((axes[0], "expected", expected), (axes[1], "your answer", actual)):
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        if image is None:
            ax.text(0.5, 0.5, "not an image", ha="center", va="center", fontsize=8, transform=ax.transAxes)
            continue
        ax.imshow(np.clip(image, 0.0, 1.0), cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax = axes[2]
    ax.set_title("difference", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    if difference is None:
        shapes = " vs ".join(str(image.shape) if image is not None else "?" for image in (expected, actual))
        ax.text(0.5, 0.5, f"shapes differ\n{shapes}", ha="center", va="center", fontsize=8, transform=ax.transAxes)
    else:
        limit = float(np.abs(difference).max()) or 1.0
        shown = ax.imshow(difference, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
        colorbar = figure.colorbar(shown, ax=ax, shrink=0.85, pad=0.02)
        colorbar.ax.tick_params(labelsize=7)
    return _data_uri(figure)
