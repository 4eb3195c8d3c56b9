"""Boxes on their way: whether two boxes gliding at once pass over each other.

Pure geometry (no manim): the layout asks it of panels, the side panel of its rows.
A box is ``(left, right, bottom, top)`` in scene units; each glides in a straight
line from its first box to its second, edge by edge, at the same pace as the other.
"""

from __future__ import annotations

from collections.abc import Sequence

#: moments a glide is checked at (fractions of its progress, ends included)
SAMPLES = 32

Edges = Sequence[float]


def toward(a: Edges, b: Edges, t: float) -> tuple[float, float, float, float]:
    """The box ``t`` of the way from ``a`` to ``b`` (each edge in a line)."""
    left, right, bottom, top = (u + (v - u) * t for u, v in zip(a, b, strict=True))
    return left, right, bottom, top


def overlap(a: Edges, b: Edges, tol: float = 1e-6) -> bool:
    return a[0] < b[1] - tol and b[0] < a[1] - tol and a[2] < b[3] - tol and b[2] < a[3] - tol


def ways_cross(a: tuple[Edges, Edges], b: tuple[Edges, Edges], ends: bool = True) -> bool:
    """Whether boxes gliding from ``a[0]`` to ``a[1]`` and from ``b[0]`` to ``b[1]``
    overlap on the way (at their ends too, unless ``ends`` is False)."""
    first, last = (0, SAMPLES) if ends else (1, SAMPLES - 1)
    return any(overlap(toward(*a, k / SAMPLES), toward(*b, k / SAMPLES))
               for k in range(first, last + 1))
