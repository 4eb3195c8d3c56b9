"""A Newton run's local quadratic model on a frame: an ellipse and its axes per iterate.

At iterate ``k`` the model ``m(d) = f + gᵀd + ½ dᵀHd`` has its minimum where the
full Newton step lands; :class:`ModelEllipse` draws the model's level set through the
iterate (centre and semi-axis vectors from ``ModelData``) and its two axes, the
Hessian's eigen-directions, for the iterate the timeline has reached, cut at the
frame's edge. Nothing is drawn where the model has no minimum (``valid`` False).
"""

from __future__ import annotations

import numpy as np
from manim import VGroup, VMobject

from .frame import PlotFrame, straight_curves
from .timeline import Timeline, reached

_T = np.linspace(0.0, 2.0 * np.pi, 97)


class ModelEllipse(VGroup):
    def __init__(self, frame: PlotFrame, centres: np.ndarray, axes: np.ndarray,
                 valid: np.ndarray, timeline: Timeline, color: str,
                 stroke_width: float = 2.5) -> None:
        self.frame, self.timeline = frame, timeline
        self.centres, self.axes, self.valid = (np.asarray(centres), np.asarray(axes),
                                               np.asarray(valid))
        self.ellipse = VMobject(stroke_color=color, stroke_width=stroke_width,
                                stroke_opacity=0.9, fill_opacity=0.0)
        self.eigen = VMobject(stroke_color=color, stroke_width=stroke_width * 0.6,
                              stroke_opacity=0.7, fill_opacity=0.0)
        super().__init__(self.ellipse, self.eigen)
        self.add_updater(lambda m: m.follow())
        self.follow()

    def follow(self) -> None:
        k = min(reached(self.timeline.iteration), len(self.centres) - 1)
        if not self.valid[k]:
            self.ellipse.points = np.zeros((0, 3))
            self.eigen.points = np.zeros((0, 3))
            return
        c, (a1, a2) = self.centres[k], self.axes[k]
        ring = c + np.cos(_T)[:, None] * a1 + np.sin(_T)[:, None] * a2
        self.ellipse.points = self._clipped(ring[:-1], ring[1:])
        self.eigen.points = self._clipped(np.array([c - a1, c - a2]), np.array([c + a1, c + a2]))

    def _clipped(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Points for the segments ``a[i] -> b[i]`` (data), cut at the frame's edge."""
        keep, a, b = self.frame.clip_segments(a, b)
        if not keep.any():
            return np.zeros((0, 3))
        return straight_curves(self.frame.c2p_array(a[keep]), self.frame.c2p_array(b[keep]))
