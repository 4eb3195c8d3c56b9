"""The data panel of a data surface: its points and each run's current model.

For one input feature (``linear_regression``, ``sigmoid_regression``) the
panel plots the data points and, per run, the model's curve over the inputs
(the line ``theta_0 + theta_1 x``, the sigmoid ``sigma(w x + b)``). For several
features (``two_weight_linear``) it plots each point's prediction against its
target, with the diagonal where a perfect model would put them. The curves
are precomputed per iteration by the lesson (``model[k]``); the panel only
interpolates between iterations.
"""

from __future__ import annotations

import numpy as np
from manim import DL, Dot, Line, VGroup, VMobject

from . import theme
from .frame import PlotFrame, straight_curves
from .stepping import updates_from_state
from .timeline import Timeline, at


class DataPanel(PlotFrame):
    """Data points plus one model curve (or point cloud) per run, driven by the timeline.

    Parameters
    ----------
    points : ``(m, 2)`` data points to scatter, in the panel's coordinates.
    x_model : ``(q,)`` abscissae of the model curves (curve mode), or None for
        prediction-vs-target mode, where ``models`` hold predictions at the
        data points and the abscissae are ``points[:, 0]``.
    models : per run, ``(steps + 1, q)`` model values at each iteration.
    """

    def __init__(self, points: np.ndarray, x_model: np.ndarray | None,
                 models: list[np.ndarray], colors: list[str], timeline: Timeline,
                 width: float, height: float, *, x_range: tuple[float, float],
                 y_range: tuple[float, float], x_label: str, y_label: str,
                 font_size: float = theme.SMALL_SIZE) -> None:
        xs = np.asarray(points, float)[:, 0]
        super().__init__(x_range, y_range, width, height, x_label=x_label, y_label=y_label,
                         font_size=font_size,
                         x_integer=bool(np.all(xs == np.round(xs)) and np.ptp(xs) >= 2))
        self.data_xy = np.asarray(points, float)
        self.x_model = None if x_model is None else np.asarray(x_model, float)
        self.models = [np.asarray(m, float) for m in models]
        self.timeline = timeline
        if self.x_model is None:  # a perfect model puts every point on the diagonal
            lo, hi = max(x_range[0], y_range[0]), min(x_range[1], y_range[1])
            self.add(Line(self.c2p(lo, lo), self.c2p(hi, hi), stroke_color=theme.FRAME,
                          stroke_width=2))
        self.dots = VGroup(*[Dot(self.c2p(*p), radius=0.055, color=theme.FOREGROUND)
                             for p in self.data_xy]) if self.x_model is not None else VGroup()
        self.curves = VGroup(*[VMobject(stroke_color=c, stroke_width=3.5) for c in colors])
        self.add(self.curves, self.dots)
        self.curves.add_updater(lambda m: self.redraw())
        updates_from_state(self.curves)  # (redrawn from the timeline and the frame alone)
        self.redraw()

    def model_at(self, i: int, iteration: float) -> np.ndarray:
        """Run ``i``'s model values at a fractional iteration (the last finite one after
        the run stopped)."""
        return at(self.models[i], iteration)

    def redraw(self) -> None:
        it = self.timeline.iteration
        r = 0.05 * (self.box.width / 4.0)
        for i, curve in enumerate(self.curves):
            values = self.model_at(i, it)
            curve.clear_points()
            if not np.all(np.isfinite(values)):
                continue
            if self.x_model is not None:
                points = self.polyline_points(np.stack([self.x_model, values], -1))
                if points is not None:
                    curve.set_points(points)
            else:  # a small cross per data point at (target, prediction): two strokes
                pts = np.stack([self.data_xy[:, 0], values], -1)
                p = self.c2p_array(pts[self.inside(pts)])
                if len(p):
                    d1, d2 = np.array([r, r, 0.0]), np.array([r, -r, 0.0])
                    starts = np.stack([p - d1, p - d2], 1).reshape(-1, 3)
                    ends = np.stack([p + d1, p + d2], 1).reshape(-1, 3)
                    curve.set_points(straight_curves(starts, ends))
        for curve in self.curves:  # a zero-length path keeps the family's shape fixed
            if curve.has_no_points():
                corner = self.box.get_corner(DL)
                curve.set_points_as_corners([corner, corner])
