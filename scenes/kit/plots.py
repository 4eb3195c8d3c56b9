"""Per-iteration plots (loss, velocity) drawn up to the current iteration."""

from __future__ import annotations

import math

import numpy as np
from manim import DL, RIGHT, UP, Text, VGroup, VMobject

from . import theme
from .frame import PlotFrame, straight_curves
from .timeline import Timeline, at, reached


class IterationPlot(PlotFrame):
    """Curves ``values[k]`` against iteration ``k``, revealed by the timeline.

    Parameters
    ----------
    series : one array per curve, one entry per iteration.
    colors : one colour per curve.
    log_y : log scale (for losses); non-positive values are dropped.
    dashed : per curve, draw it dashed (e.g. the y coordinate beside x).
    references : ``(value, label, colour or None)``: horizontal dashed lines across
        the plot, labelled at their right end (a computed limit, say).
    """

    def __init__(self, series: list[np.ndarray], colors: list[str], timeline: Timeline,
                 width: float, height: float, *, y_label: str | None, x_label: str = "iteration",
                 log_y: bool = False, font_size: float = theme.SMALL_SIZE,
                 stroke_width: float = 3.0, dashed: list[bool] | None = None,
                 references: list[tuple[float, str, str | None]] | None = None) -> None:
        steps = max(len(s) for s in series) - 1
        references = references or []
        finite = np.concatenate([s[np.isfinite(s)] for s in series]
                                + [np.array([v for v, _, _ in references], float)])
        if log_y:
            pos = finite[finite > 0]
            # whole decades, with room: a curve never runs along the frame
            lo = 10 ** math.floor(math.log10(pos.min()) - 0.05)
            hi = 10 ** math.ceil(math.log10(pos.max()) + 0.05)
            y_range = (lo, hi)
        else:
            lo, hi = float(finite.min()), float(finite.max())
            pad = 0.08 * (hi - lo or 1.0)
            y_range = (lo - pad, hi + pad)
        super().__init__((0, steps), y_range, width, height, x_label=x_label, y_label=y_label,
                         log_y=log_y, font_size=font_size, zero_line=not log_y,
                         x_integer=True)
        self.series, self.timeline = [np.asarray(s, float) for s in series], timeline
        self.dashed = list(dashed) if dashed is not None else [False] * len(series)
        #: dash and gap lengths in scene units, for dashed curves
        self.dash = (0.12, 0.08)
        self.references = VGroup()
        for value, label, color in references:
            a, b = self.c2p(0, value), self.c2p(steps, value)
            line = VMobject(stroke_color=color or theme.MUTED, stroke_width=2,
                            stroke_opacity=0.8)
            line.set_points(dashed_path(np.array([a, b]), *self.dash))
            text = Text(label, font=theme.FONT, font_size=font_size * 0.85,
                        color=color or theme.MUTED)
            text.next_to(b, UP, buff=0.06).align_to(b, RIGHT)
            self.references.add(VGroup(line, text))
        self.curves = VGroup(*[VMobject(stroke_color=c, stroke_width=stroke_width)
                               for c in colors])
        self.add(self.references, self.curves)
        self.curves.add_updater(lambda m: self.redraw())
        self.redraw()

    def points_until(self, values: np.ndarray, iteration: float) -> np.ndarray:
        """Data points ``(k, values[k])`` up to ``iteration`` (head interpolated)."""
        ok = np.isfinite(values) & ((values > 0) if self.log_y else True)
        last = min(reached(iteration), len(values) - 1)
        ks = [k for k in range(0, last + 1) if ok[k]]
        pts = [[k, values[k]] for k in ks]
        if iteration > last and last + 1 < len(values) and ok[last + 1] and ok[last]:
            pts.append([iteration, float(at(values, iteration))])
        return np.array(pts).reshape(-1, 2)

    def redraw(self) -> None:
        it = self.timeline.iteration
        for curve, values, dashed in zip(self.curves, self.series, self.dashed, strict=True):
            pts = self.points_until(values, it)
            curve.clear_points()
            if len(pts) >= 2:
                scene_pts = self.c2p_array(pts)
                if not dashed:
                    curve.set_points_as_corners(scene_pts)
                    continue
                curve.set_points(dashed_path(scene_pts, *self.dash))
            else:  # nothing to draw yet: a zero-length path keeps the family's shape fixed
                p = self.c2p_array(pts)[0] if len(pts) else self.box.get_corner(DL)
                curve.set_points_as_corners([p, p])


def dash_ends(points: np.ndarray, dash: float, gap: float) -> tuple[np.ndarray, np.ndarray]:
    """Start and end points ``(n, d)`` of the straight dashes along the polyline
    ``points`` (scene units), starting with a dash.

    Corners inside a dash are cut short, which is invisible at dash lengths
    of a tenth of a unit.
    """
    points = np.asarray(points, float)
    seg = np.diff(points, axis=0)
    cum = np.concatenate([[0.0], np.cumsum(np.linalg.norm(seg, axis=1))])
    total = cum[-1]
    starts = np.arange(0.0, total, dash + gap)
    return _along(points, cum, starts), _along(points, cum, np.minimum(starts + dash, total))


def dashed_path(points: np.ndarray, dash: float, gap: float) -> np.ndarray:
    """A VMobject's points for the dashes along ``points``: each dash one straight cubic
    curve (its ends and the points at a third and two thirds, as ``add_line_to`` makes
    it), the dashes apart, so each is its own subpath."""
    return straight_curves(*dash_ends(points, dash, gap))


def _along(points: np.ndarray, cum: np.ndarray, s: np.ndarray) -> np.ndarray:
    """The points at arc lengths ``s`` along the polyline (vectorized over ``s``)."""
    i = np.clip(np.searchsorted(cum, s, side="right") - 1, 0, len(points) - 2)
    span = cum[i + 1] - cum[i]
    f = np.divide(s - cum[i], span, out=np.zeros_like(span, dtype=float), where=span != 0)
    return points[i] + (points[i + 1] - points[i]) * f[:, None]
