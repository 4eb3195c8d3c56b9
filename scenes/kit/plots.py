"""Per-iteration plots (loss, velocity) drawn up to the current iteration."""

from __future__ import annotations

import math

import numpy as np
from manim import VGroup, VMobject

from . import theme
from .frame import PlotFrame
from .timeline import Timeline, at


class IterationPlot(PlotFrame):
    """Curves ``values[k]`` against iteration ``k``, revealed by the timeline.

    Parameters
    ----------
    series : one array per curve, one entry per iteration.
    colors : one colour per curve.
    log_y : log scale (for losses); non-positive values are dropped.
    """

    def __init__(self, series: list[np.ndarray], colors: list[str], timeline: Timeline,
                 width: float, height: float, *, y_label: str, x_label: str = "iteration",
                 log_y: bool = False, font_size: float = theme.SMALL_SIZE,
                 stroke_width: float = 3.0) -> None:
        steps = max(len(s) for s in series) - 1
        finite = np.concatenate([s[np.isfinite(s)] for s in series])
        if log_y:
            pos = finite[finite > 0]
            lo = 10 ** math.floor(math.log10(pos.min()))
            hi = 10 ** math.ceil(math.log10(pos.max()))
            y_range = (lo, hi)
        else:
            lo, hi = float(finite.min()), float(finite.max())
            pad = 0.08 * (hi - lo or 1.0)
            y_range = (lo - pad, hi + pad)
        super().__init__((0, steps), y_range, width, height, x_label=x_label, y_label=y_label,
                         log_y=log_y, font_size=font_size, zero_line=not log_y)
        self.series, self.timeline = [np.asarray(s, float) for s in series], timeline
        self.curves = VGroup(*[VMobject(stroke_color=c, stroke_width=stroke_width)
                               for c in colors])
        self.add(self.curves)
        self.curves.add_updater(lambda m: self.redraw())
        self.redraw()

    def points_until(self, values: np.ndarray, iteration: float) -> np.ndarray:
        """Data points ``(k, values[k])`` up to ``iteration`` (head interpolated)."""
        ok = np.isfinite(values) & ((values > 0) if self.log_y else True)
        last = int(np.floor(iteration))
        ks = [k for k in range(0, last + 1) if ok[k]]
        pts = [[k, values[k]] for k in ks]
        if iteration > last and last + 1 < len(values) and ok[last + 1] and ok[last]:
            pts.append([iteration, float(at(values, iteration))])
        return np.array(pts).reshape(-1, 2)

    def redraw(self) -> None:
        it = self.timeline.iteration
        for curve, values in zip(self.curves, self.series, strict=True):
            pts = self.points_until(values, it)
            curve.clear_points()
            if len(pts) >= 2:
                curve.set_points_as_corners(self.c2p_array(pts))
            elif len(pts) == 1:
                p = self.c2p_array(pts)[0]
                curve.set_points_as_corners([p, p])
