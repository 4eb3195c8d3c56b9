"""A mobject's bounding box in one pass of numpy over its points: Manim's numbers, faster.

Manim measures anew for each question, and slowly for a big family:
``get_center``, ``get_corner`` and ``get_left`` gather every member's anchors into
a tuple of rows (a Python loop over every anchor) and take their extremes;
``width`` and ``height`` walk the family with Python's built-in ``max`` and ``min``
over each member's points. A contour map (thousands of anchors) asked both every
frame of a glide, and a side panel's rows every frame of a reflow: about a second
of the flagship's preview.

Here the extremes are numpy's, over the same points: the anchors Manim reads (for
a vector mobject, each member's first and last point of every curve, or its one
point; for any other mobject, every point of the family) for the corners and the
centre, every point for the width and height. A minimum and a maximum are exact,
so each number equals Manim's (``tests/test_bounds.py`` compares them; only the sign
of a zero can differ, where a box's edge is at 0 and the reduction meets 0.0 and -0.0
in another order). Points are finite (a NaN would spoil Manim's box too); a mobject
that defines its own width (Manim's ``VectorizedPoint``) is asked for it.
"""

from __future__ import annotations

import numpy as np
from manim import Mobject, VMobject


def _anchors(m: Mobject) -> list[np.ndarray]:
    """The points Manim's ``get_points_defining_boundary`` returns for ``m``, in pieces."""
    if not isinstance(m, VMobject):
        return [x.points for x in m.get_family() if len(x.points)]
    out = []
    for x in m.get_family():
        pts = x.points
        if len(pts) == 1:
            out.append(pts)
        elif len(pts):
            n = x.n_points_per_cubic_curve
            out += [pts[::n], pts[n - 1::n]]
    return out


def anchor_box(m: Mobject) -> tuple[np.ndarray, np.ndarray] | None:
    """The lowest and highest corner ``(3,)`` of the box of ``m``'s anchors (None: no
    points), the box ``get_corner``, ``get_center`` and ``get_left`` read."""
    parts = _anchors(m)
    if not parts:
        return None
    points = _joined(parts)
    return points.min(axis=0), points.max(axis=0)


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    """The arrays ``parts`` as one (one reduction over it beats one a part)."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def critical_point(m: Mobject, direction: np.ndarray) -> np.ndarray:
    """``m.get_critical_point(direction)``: per axis, the anchors' least value where the
    direction is negative, their middle where it is 0, their greatest where positive."""
    box = anchor_box(m)
    if box is None:
        return np.zeros(3)
    lo, hi = box
    d = np.asarray(direction)
    return np.where(d < 0, lo, np.where(d > 0, hi, (lo + hi) / 2))


def center(m: Mobject) -> np.ndarray:
    """``m.get_center()``."""
    box = anchor_box(m)
    return np.zeros(3) if box is None else (box[0] + box[1]) / 2


def spans(m: Mobject) -> np.ndarray:
    """``(m.width, m.height, m.depth)``: the extent of every point of the family."""
    if type(m).width is not Mobject.width:  # its own (VectorizedPoint's artificial size)
        return np.array([m.width, m.height, m.depth])
    pts = [x.points for x in m.get_family() if len(x.points)]
    if not pts:
        return np.zeros(3)
    points = _joined(pts)
    return points.max(axis=0) - points.min(axis=0)
