"""Balls, fading trails and arrows on a 2-D frame, driven by the timeline.

Each piece takes arrays from a Rollout (one row per iteration) and the
Timeline; none computes numerics of its own.
"""

from __future__ import annotations

import numpy as np
from manim import Arrow, Dot, VGroup, VMobject

from . import theme
from .bounds import center
from .frame import PlotFrame
from .stepping import updates_from_state
from .timeline import Timeline, at


def off_frame(frame: PlotFrame, positions: np.ndarray) -> np.ndarray:
    """Per iterate: off the frame, or not finite."""
    bad = ~np.all(np.isfinite(positions), axis=-1)
    return bad | ~frame.inside(np.where(bad[:, None], 0.0, positions))


#: the stroke width of a ball's light outline (at full size)
RIM = 2.5
#: a ball drawn over another at the same point is drawn at this share of that one's size:
#: balls that meet (converged to one minimum, or rolling together) show as rings in
#: rings, each in sight, instead of the last one hiding the others
NEST = 0.6


def nested_scale(centre: np.ndarray, beneath: list[tuple[np.ndarray, float]],
                 reach: float) -> float:
    """The size (a share of its own) of a ball at ``centre`` drawn over the balls
    ``beneath`` (each a ``(centre, size)`` pair): 1 clear of them, shrinking linearly
    as it overlaps one, to :data:`NEST` times that one's size where their centres meet.
    ``reach``: the distance between the centres of two full-size balls that touch."""
    size = 1.0
    for other, other_size in beneath:
        d = float(np.linalg.norm(np.asarray(centre) - np.asarray(other)))
        if d < reach:
            inner = NEST * other_size
            size = min(size, inner + (1.0 - inner) * d / reach)
    return size


def first_off(frame: PlotFrame, positions: np.ndarray) -> float:
    """The first iterate off the frame (or not finite); inf when every one is on it."""
    off = off_frame(frame, positions)
    return float(np.argmax(off)) if off.any() else np.inf


class Ball(Dot):
    """A dot at the rollout's position at the current (fractional) iteration.

    Hidden when the ball is outside the frame or stopped, and for good once it has
    left the frame: a diverging run's zig-zag between two iterates off the map can
    cross the map again (a ball flashing back for a frame after it "left the map").
    Over the balls in :attr:`beneath` (drawn before it: see :func:`nest`) it shrinks
    where it overlaps one (:func:`nested_scale`).
    """

    def __init__(self, frame: PlotFrame, positions: np.ndarray, timeline: Timeline,
                 color: str, radius: float = 0.1) -> None:
        super().__init__(radius=radius, color=color, stroke_color=theme.FOREGROUND,
                         stroke_width=RIM, fill_opacity=1.0)
        self.frame, self.positions, self.timeline = frame, np.asarray(positions), timeline
        #: the first iterate off the frame (inf: none); past it the ball stays hidden
        self.gone_at = first_off(frame, self.positions)
        #: the balls drawn beneath this one (they follow the timeline first)
        self.beneath: list[Ball] = []
        #: the share of its size it is drawn at (below 1 over another ball)
        self.size = 1.0
        self.visible = False
        self.add_updater(lambda m: m.follow())
        self.follow()

    def data_point(self) -> np.ndarray:
        return at(self.positions, self.timeline.iteration)

    def follow(self) -> None:
        p = self.data_point()
        visible = bool(self.timeline.iteration <= self.gone_at and np.all(np.isfinite(p))
                       and self.frame.inside(p)[0])
        if visible:
            self.move_to(self.frame.c2p(*p))
            size = nested_scale(center(self), [(center(b), b.size)
                                               for b in self.beneath if b.visible],
                                2 * self.radius)
            if size != self.size:  # rim and all: a small ball keeps its colour
                self.scale(size / self.size)
                self.set_stroke(width=RIM * size)
                self.size = size
        self.visible = visible
        self.set_fill(opacity=1.0 if visible else 0.0)
        self.set_stroke(opacity=1.0 if visible else 0.0)


def nest(balls: list[Ball]) -> list[Ball]:
    """Let each ball shrink over the ones before it (drawn beneath it) where they
    meet; returns ``balls``."""
    for i, ball in enumerate(balls):
        ball.beneath = list(balls[:i])
        ball.follow()
    return balls


class Trail(VGroup):
    """The polyline through every iterate so far, ending at the ball.

    Segments older than ``fade_after`` iterations are drawn dimmer; a segment
    that leaves the frame is clipped at its edge.
    """

    def __init__(self, frame: PlotFrame, positions: np.ndarray, timeline: Timeline,
                 color: str, width: float = 3.0, fade_after: float = 10.0,
                 old_opacity: float = 0.35) -> None:
        super().__init__()
        self.frame, self.positions, self.timeline = frame, np.asarray(positions), timeline
        self.fade_after = fade_after
        self.old = VMobject(stroke_color=color, stroke_width=width, stroke_opacity=old_opacity)
        self.recent = VMobject(stroke_color=color, stroke_width=width, stroke_opacity=0.95)
        self.add(self.old, self.recent)
        off = first_off(frame, self.positions)
        #: the (fractional) iteration where the trail ends: the first iterate off the
        #: frame (its segment is clipped at the edge), or the last finite one
        self.exit = off if np.isfinite(off) else float(len(positions) - 1)
        if np.isfinite(off) and not np.all(np.isfinite(self.positions[int(off)])):
            self.exit = max(off - 1 + 0.999999, 0.0)
        self.add_updater(lambda m: m.redraw())
        updates_from_state(self)  # (redrawn from the timeline and its frame alone)
        self.redraw()

    def data_points(self, start: float, stop: float) -> np.ndarray:
        """Iterates between two fractional iterations, with both ends interpolated; a
        trail ends where its ball first leaves the frame (or stops)."""
        stop_ = min(stop, self.exit)
        stop_ = max(stop_, start)
        ks = np.arange(np.ceil(start), np.floor(stop_) + 1, dtype=int)
        pts = [at(self.positions, start)] + [self.positions[k] for k in ks] + [
            at(self.positions, stop_)]
        return np.array(pts)

    def _set(self, mob: VMobject, pts: np.ndarray) -> None:
        """``mob``'s points: one straight cubic curve per segment clipped to the frame,
        continuing the path where a segment starts at the previous one's end and
        starting a new one where it does not (as ``start_new_path`` and
        ``add_line_to`` would build it, in one array)."""
        points = self.frame.polyline_points(pts)
        if points is None:
            mob.clear_points()
        else:
            mob.set_points(points)

    def redraw(self) -> None:
        it = self.timeline.iteration
        split = max(0.0, it - self.fade_after)
        self._set(self.old, self.data_points(0.0, split) if split > 0 else np.zeros((0, 2)))
        self._set(self.recent, self.data_points(split, it))

    def vertices(self) -> np.ndarray:
        """Scene points of every drawn vertex (for tests)."""
        return np.concatenate([m.points for m in (self.old, self.recent) if len(m.points)])


class VectorArrow(Arrow):
    """An arrow at the ball along a per-iteration vector (gradient or update), cut where
    it leaves the frame (its tip at the frame's edge).

    ``scale`` multiplies the vector (in data units) before drawing; ``sign=-1``
    draws the descent direction of a gradient.
    """

    def __init__(self, frame: PlotFrame, positions: np.ndarray, vectors: np.ndarray,
                 timeline: Timeline, color: str, scale: float = 1.0, sign: float = 1.0,
                 stroke_width: float = 4.0) -> None:
        self.style = dict(buff=0, color=color, stroke_width=stroke_width, tip_length=0.2,
                          max_tip_length_to_length_ratio=0.3)
        super().__init__(frame.c2p(0, 0), frame.c2p(0, 0) + [0.01, 0, 0], **self.style)
        self.frame, self.positions, self.vectors = frame, positions, vectors
        self.timeline, self.k = timeline, scale * sign
        self.add_updater(lambda m: m.follow())
        self.follow()

    def follow(self) -> None:
        p = at(self.positions, self.timeline.iteration)
        v = self.vectors[min(int(round(self.timeline.iteration)), len(self.vectors) - 1)]
        if not (np.all(np.isfinite(p)) and np.all(np.isfinite(v)) and self.frame.inside(p)[0]):
            self.set_opacity(0)
            return
        # cut where it leaves the map, as trails are (a long look-ahead gradient had run
        # up through the formula above the map)
        inside = self.frame.clip_segment(np.asarray(p, float), p + self.k * v)
        a = self.frame.c2p(*p)
        b = a if inside is None else self.frame.c2p(*inside[1])
        if np.linalg.norm(b - a) < 1e-3:
            self.set_opacity(0)
            return
        # an arrow made afresh for its length: Manim's Arrow keeps its tip's size when
        # moved or scaled, and this one was made 0.01 long (its tip had been 0.003 long,
        # invisible); become() keeps the same submobjects, so nothing stale is drawn
        self.become(Arrow(a, b, **self.style))
        self.set_opacity(1)
