"""Many balls at once: a swarm of dots on a frame, each taking its minimum's colour.

A :class:`Swarm` draws every ball of a many-start rollout as a small dot, driven
by the timeline. A ball is drawn in the neutral colour while it rolls and in its
minimum's colour from the step it settles there for good (``arrivals`` from
:func:`optiroll.dynamics.basins.arrivals`). The dots of one colour are one
VMobject whose outline is rebuilt as one array each frame (a few hundred balls
cost a few array operations, not a few hundred mobjects).

A :class:`BasinLayer` lays a basin map (labels per pixel) over a frame's box as
an image, beneath the frame's contour lines.
"""

from __future__ import annotations

import numpy as np
from manim import ImageMobject, VGroup, VMobject

from . import theme
from .frame import PlotFrame
from .timeline import Timeline


def _unit_circle(n: int = 8) -> np.ndarray:
    """A unit circle as ``n`` cubic Bézier arcs, Manim's 4 points each: an arc of angle
    θ has handles 4/3 tan(θ/4) long along its end tangents."""
    a = np.linspace(0, 2 * np.pi, n + 1)
    h = 4 / 3 * np.tan(np.pi / (2 * n))
    p0, p3 = np.column_stack([np.cos(a[:-1]), np.sin(a[:-1])]), np.column_stack(
        [np.cos(a[1:]), np.sin(a[1:])])
    t0, t3 = np.column_stack([-p0[:, 1], p0[:, 0]]), np.column_stack([-p3[:, 1], p3[:, 0]])
    out = np.zeros((n, 4, 3))
    out[:, 0, :2], out[:, 1, :2], out[:, 2, :2], out[:, 3, :2] = p0, p0 + h * t0, p3 - h * t3, p3
    return out.reshape(-1, 3)


CIRCLE = _unit_circle()


class Swarm(VGroup):
    """Every ball of ``positions`` ``(n, steps + 1, 2)`` as a dot at the timeline's
    (fractional) iteration; ball ``i`` turns ``colors[labels[i]]`` (cycling through
    ``colors``) from step ``arrivals[i]`` on (never when it is -1). Balls off the frame
    are not drawn; the dots keep their size relative to the frame."""

    def __init__(self, frame: PlotFrame, positions: np.ndarray, labels: np.ndarray,
                 arrivals: np.ndarray, colors: list[str], timeline: Timeline,
                 radius: float = 0.045, neutral: str = theme.FOREGROUND) -> None:
        self.frame, self.timeline, self.radius = frame, timeline, radius
        self.box_width = frame.box.width  # dots shrink and grow with their frame
        self.positions = np.asarray(positions, float)
        self.labels, self.arrivals = np.asarray(labels), np.asarray(arrivals)
        self.groups = [VMobject(fill_color=c, fill_opacity=1.0, stroke_width=0)
                       for c in [neutral, *colors]]
        super().__init__(*self.groups)
        self.add_updater(lambda m: m.follow())
        self.follow()

    def points_at(self, iteration: float) -> np.ndarray:
        """Every ball's position at ``iteration`` ``(n, 2)`` (linear between steps)."""
        steps = self.positions.shape[1] - 1
        k = int(np.clip(np.floor(iteration), 0, steps))
        if k == steps:
            return self.positions[:, k]
        f = iteration - k
        return self.positions[:, k] * (1 - f) + self.positions[:, k + 1] * f

    def colour_index(self, iteration: float) -> np.ndarray:
        """0 (neutral) for a ball still rolling, else 1 + its minimum's index."""
        settled = (self.arrivals >= 0) & (self.arrivals <= iteration) & (self.labels >= 0)
        return np.where(settled, self.labels % (len(self.groups) - 1) + 1, 0)

    def follow(self) -> None:
        it = self.timeline.iteration
        xy = self.points_at(it)
        shown = np.all(np.isfinite(xy), axis=1)
        shown[shown] = self.frame.inside(xy[shown])
        centres = self.frame.c2p_array(np.where(shown[:, None], xy, 0.0))
        which = self.colour_index(it)
        r = self.radius * self.frame.box.width / self.box_width
        for g, group in enumerate(self.groups):
            mine = centres[shown & (which == g)]
            pts = (mine[:, None, :] + r * CIRCLE[None]).reshape(-1, 3)
            group.points = pts if len(pts) else np.zeros((0, 3))


class BasinLayer(ImageMobject):
    """A basin map's picture (RGB rows top to bottom) stretched over ``frame``'s box."""

    def __init__(self, frame: PlotFrame, rgb: np.ndarray, opacity: float = 1.0) -> None:
        rgba = np.concatenate([rgb, np.full(rgb.shape[:2] + (1,), 255, np.uint8)], axis=2)
        super().__init__(rgba, scale_to_resolution=rgb.shape[0])
        self.set_resampling_algorithm(0)  # nearest: each start keeps its own pixel
        box = frame.box
        self.stretch_to_fit_width(box.width).stretch_to_fit_height(box.height)
        self.move_to(box.get_center())
        self.set_opacity(opacity)
