"""Basin maps as pictures: each start's pixel coloured by the minimum it rolls into.

The labels come from :func:`optiroll.dynamics.basins.basin_map` (one start per
pixel, row 0 on top). A basin takes its minimum's colour (the theme's basin
palette, in the surface's order of minima), shaded by the loss at the
start so the wells read as relief: the lowest starts at full colour, the highest
at 40 %. Starts still rolling after the last step are grey, those that flew off
are the background; each minimum is a white dot ringed in the background colour.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from optiroll.dynamics import Surface
from optiroll.dynamics.basins import DIVERGED, UNSETTLED
from optiroll.dynamics.distributed import Grid
from optiroll.dynamics.surfaces import Box

from .kit import theme
from .kit.colors import hex_to_rgb

#: darkest shade of a basin's colour (at the highest loss in view)
LOW_SHADE = 0.4


def basin_rgb(labels: np.ndarray, surface: Surface, view: Box | None = None,
              dots: bool = True) -> np.ndarray:
    """An ``(h, w, 3)`` uint8 picture of ``labels`` over ``view`` (with a dot at each
    minimum unless ``dots`` is False: a scene marks them itself)."""
    h, w = labels.shape
    view = view or surface.view
    grid = Grid(view, w, h)
    loss = np.empty(h * w)
    for lo in range(0, h * w, 1 << 20):  # the loss at each start, a million at a time
        hi = min(lo + (1 << 20), h * w)
        loss[lo:hi] = surface.value(grid.starts(lo, hi))
    rank = np.argsort(np.argsort(loss)) / max(h * w - 1, 1)  # 0 lowest .. 1 highest
    shade = (1.0 - (1.0 - LOW_SHADE) * rank).reshape(h, w, 1)
    colours = np.array([hex_to_rgb(c) for c in theme.BASIN_PALETTE])
    flat = labels.reshape(h, w)
    rgb = np.empty((h, w, 3))
    settled = flat >= 0
    rgb[settled] = colours[flat[settled] % len(colours)] * shade[settled]
    rgb[flat == UNSETTLED] = hex_to_rgb(theme.MUTED) * 0.6
    rgb[flat == DIVERGED] = hex_to_rgb(theme.BACKGROUND)
    if dots:
        _dots(rgb, surface.minima, view)
    return np.clip(np.round(rgb * 255), 0, 255).astype(np.uint8)


def _dots(rgb: np.ndarray, minima: tuple[tuple[float, float], ...], view: Box) -> None:
    """A white dot with a dark ring at each minimum inside the view."""
    h, w = rgb.shape[:2]
    (x0, x1), (y0, y1) = view
    r = max(2.0, 0.006 * min(h, w))
    for mx, my in minima:
        if not (x0 <= mx <= x1 and y0 <= my <= y1):
            continue
        cx, cy = (mx - x0) / (x1 - x0) * w - 0.5, (y1 - my) / (y1 - y0) * h - 0.5
        rows = np.arange(max(int(cy - 2 * r), 0), min(int(cy + 2 * r) + 1, h))
        cols = np.arange(max(int(cx - 2 * r), 0), min(int(cx + 2 * r) + 1, w))
        box = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
        d = np.hypot(cols[None, :] - cx, rows[:, None] - cy)
        rgb[box][d <= 1.5 * r] = hex_to_rgb(theme.BACKGROUND)
        rgb[box][d <= r] = hex_to_rgb(theme.WHITE)


def write_png(rgb: np.ndarray, path: Path) -> None:
    """Write ``rgb`` to ``path`` whole (a hidden file beside it, then a rename)."""
    import os

    from PIL import Image

    staging = path.parent / f".{path.name}.optiroll-tmp"
    try:
        Image.fromarray(rgb).save(staging, format="PNG", optimize=False)
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)
