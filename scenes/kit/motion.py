"""Moving groups whose contents change while they move (live readouts)."""

from __future__ import annotations

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


def ghost(mobject: Mobject) -> Rectangle:
    """An invisible box with ``mobject``'s bounds, to compute a Glide target."""
    return Rectangle(width=mobject.width, height=mobject.height).move_to(mobject)


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


def fit_box(mobject: Mobject, left: float, right: float, bottom: float, top: float) -> Rectangle:
    """A Glide target: ``mobject``'s box scaled down (never up) to fit the region,
    centred vertically at the region's top and horizontally at its left."""
    box = ghost(mobject)
    factor = min(1.0, (right - left) / box.width, (top - bottom) / box.height)
    box.scale(factor)
    box.move_to([left + box.width / 2, top - box.height / 2, 0])
    return box
