"""Moving groups whose contents change while they move (live readouts)."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from manim import Animation, Mobject, Rectangle, Star, VGroup

from . import theme
from .frame import PlotFrame


class Glide(Animation):
    """Move and scale ``mobject`` onto the box of ``target`` (any mobject).

    Unlike ``mobject.animate``, nothing is interpolated point by point, so it
    works on groups whose children are rebuilt while they move (LiveText).
    """

    def __init__(self, mobject: Mobject, target: Mobject, **kwargs: object) -> None:
        self.target_center = target.get_center()
        self.target_width = target.width
        super().__init__(mobject, suspend_mobject_updating=False, **kwargs)

    def begin(self) -> None:
        self.start_center = self.mobject.get_center()
        self.start_width = self.mobject.width
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        a = self.rate_func(alpha)
        width = self.start_width + (self.target_width - self.start_width) * a
        self.mobject.scale(width / self.mobject.width)
        self.mobject.move_to(self.start_center + (self.target_center - self.start_center) * a)


class MinimaMarkers(VGroup):
    """Stars at a surface's known minima, kept on the map as it moves."""

    def __init__(self, frame: PlotFrame, minima: tuple[tuple[float, float], ...],
                 radius: float = 0.1) -> None:
        super().__init__(*[Star(n=5, outer_radius=radius, color=theme.FOREGROUND,
                                fill_opacity=1, stroke_width=1) for _ in minima])
        self.frame, self.minima = frame, np.array(minima, float).reshape(-1, 2)
        self.add_updater(lambda m: m.follow())
        self.follow()

    def follow(self) -> None:
        for star, p in zip(self.submobjects, self.minima, strict=True):
            star.move_to(self.frame.c2p(*p))


class Bounds(Protocol):
    """A box in scene units (``optiroll.scenes.lesson.layout.Box`` is one)."""

    left: float
    right: float
    bottom: float
    top: float


def fit_target(m: Mobject, box: Bounds, align: str = "top-left", max_scale: float = 1.0,
               natural_width: float | None = None) -> Rectangle:
    """Where ``m`` goes in ``box``: scaled to fit (never beyond ``max_scale`` of its
    natural width), placed at ``align`` ("top-left", "top", "center").

    Use it with :func:`place` to put a panel of your own inside the frame, or as the
    target of a :class:`Glide`.
    """
    natural = natural_width or m.width
    s = min(max_scale * natural / m.width, (box.right - box.left) / m.width,
            (box.top - box.bottom) / m.height)
    w, h = m.width * s, m.height * s
    x = box.left + w / 2 if "left" in align else (box.left + box.right) / 2
    y = box.top - h / 2 if "top" in align else (box.bottom + box.top) / 2
    return Rectangle(width=w, height=h).move_to([x, y, 0])


def place(m: Mobject, target: Mobject) -> None:
    """Scale and move ``m`` onto ``target``'s box at once."""
    m.scale(target.width / m.width)
    m.move_to(target.get_center())
