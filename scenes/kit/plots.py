"""Per-iteration plots (loss, velocity) drawn up to the current iteration, and static
plots of a function (a rate against a hyperparameter)."""

from __future__ import annotations

import math

import numpy as np
from manim import DL, DOWN, LEFT, RIGHT, UP, Circle, Dot, Star, Text, VGroup, VMobject

from . import theme
from .frame import PlotFrame, clip_parameters, straight_curves
from .stepping import updates_from_state
from .timeline import Timeline, at, reached

#: on a log axis, the least room left below the lowest value and above the highest, as
#: a share of the decades between them
LOG_ROOM = 0.04
#: on a log axis, the floor below the largest value under which values are rounding noise
ROUNDING = 1e-16


def log_floor(series: list[np.ndarray]) -> list[np.ndarray]:
    """``series`` with every finite value in [0, ``ROUNDING x`` the largest finite value of
    any of them) raised to that floor (negative values are left, to be dropped), except
    the zeros a series starts with: nothing has happened yet there (an adaptive
    method's step size before its first step), so they are dropped too, not drawn at
    the floor, where they would stretch the axis over sixteen decades."""
    series = [np.asarray(s, float) for s in series]
    top = max((float(np.max(s[np.isfinite(s)])) for s in series if np.isfinite(s).any()),
              default=np.nan)
    if not top > 0:
        return series
    floor = top * ROUNDING
    out = []
    for s in series:
        started = np.flatnonzero(s != 0)  # NaN counts as started: it is dropped anyway
        lead = started[0] if len(started) else len(s)
        s = np.where(np.isfinite(s) & (s >= 0) & (s < floor), floor, s)
        s[:lead] = np.nan
        out.append(s)
    return out


class IterationPlot(PlotFrame):
    """Curves ``values[k]`` against iteration ``k``, revealed by the timeline.

    Parameters
    ----------
    series : one array per curve, one entry per iteration.
    colors : one colour per curve.
    log_y : log scale (for losses). Values below :data:`ROUNDING` times the largest
        value of any curve (double precision's rounding: a loss computed from
        positions accurate to 1e-16 is noise below it), zero included, are drawn at that
        floor: a run that converged to rounding ends in a flat line, not a comb of
        rounding noise. Zeros a curve starts with (a step size before the first step)
        and other non-positive values are dropped.
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
        if log_y:  # below double precision's rounding floor, a curve is drawn at the floor
            series = log_floor(series)
        finite = np.concatenate([s[np.isfinite(s)] for s in series]
                                + [np.array([v for v, _, _ in references], float)])
        if log_y:
            pos = finite[finite > 0]
            # whole decades, with room (LOG_ROOM of the span, or a twentieth of a decade):
            # a curve never runs along the frame, even at the foot of twenty decades
            low, high = math.log10(pos.min()), math.log10(pos.max())
            room = max(0.05, LOG_ROOM * (high - low))
            lo = 10 ** math.floor(low - room)
            hi = 10 ** math.ceil(high + room)
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
        self.references = reference_lines(self, references, (0, steps), font_size)
        self.curves = VGroup(*[VMobject(stroke_color=c, stroke_width=stroke_width)
                               for c in colors])
        self.add(self.references, self.curves)
        self.curves.add_updater(lambda m: self.redraw())
        updates_from_state(self.curves)  # (redrawn from the timeline and the frame alone)
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


def reference_lines(frame: PlotFrame, references: list[tuple[float, str, str | None]],
                    x_range: tuple[float, float], font_size: float) -> VGroup:
    """Horizontal dashed lines across ``frame`` at ``(value, label, colour or None)``, each
    labelled at its right end; each a ``VGroup(line, text)``."""
    out = VGroup()
    for value, label, color in references:
        a, b = frame.c2p(x_range[0], value), frame.c2p(x_range[1], value)
        line = VMobject(stroke_color=color or theme.MUTED, stroke_width=2, stroke_opacity=0.8)
        line.set_points(dashed_path(np.array([a, b]), *frame.dash))
        text = Text(label, font=theme.FONT, font_size=font_size * 0.85,
                    color=color or theme.MUTED)
        # above the line at its right end, inside the frame; where the frame's top is too
        # near, below it at its left end (1/(1−β) = 10 had touched the top and right
        # borders; a curve rising towards its line is far from it at the start)
        inset = b + [-REFERENCE_INSET, 0, 0]
        text.next_to(inset, UP, buff=0.06).align_to(inset, RIGHT)
        if text.get_top()[1] > frame.box.get_top()[1] - REFERENCE_INSET:
            start = a + [REFERENCE_INSET, 0, 0]
            text.next_to(start, DOWN, buff=0.06).align_to(start, LEFT)
        out.add(VGroup(line, text))
    return out


#: how far a reference line's label keeps from the frame's right and top borders
REFERENCE_INSET = 0.06


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


class FunctionPlot(PlotFrame):
    """Static curves ``y(x)`` (a rate against a hyperparameter, say), clipped to the
    frame, with marked points, labelled curves and labelled horizontal reference lines.

    Parameters
    ----------
    curves : ``(x, y, colour, dashed)`` per curve; NaN breaks a curve.
    marks : ``(x, y, colour, star, label)`` per point: a dot, or a star with a ring for
        the point the plot is about; its label goes beside it, inside the frame.
    x_range, y_range : the window (values outside are clipped, not clamped).
    references : ``(value, label, colour or None)`` as for :class:`IterationPlot`.
    curve_labels : ``(x, y, colour, text)``: a curve's name, beside its point ``(x, y)``.

    Every label is placed where it covers no curve, mark, reference or earlier label
    if the frame has such a place (:meth:`_label`). ``self.curves`` and ``self.marks``
    (the marks and every label) are separate groups, so an act can draw the curves
    first and the marks after.
    """

    def __init__(self, curves: list[tuple[np.ndarray, np.ndarray, str, bool]],
                 width: float, height: float, *, x_range: tuple[float, float],
                 y_range: tuple[float, float], x_label: str | None = None,
                 y_label: str | None = None, font_size: float = theme.SMALL_SIZE,
                 stroke_width: float = 3.0,
                 marks: list[tuple[float, float, str, bool, str | None]] | None = None,
                 references: list[tuple[float, str, str | None]] | None = None,
                 curve_labels: list[tuple[float, float, str, str]] | None = None) -> None:
        super().__init__(x_range, y_range, width, height, x_label=x_label, y_label=y_label,
                         font_size=font_size)
        self.dash = (0.12, 0.08)
        self.references = reference_lines(self, references or [], x_range, font_size)
        self.curves = VGroup()
        for x, y, color, dashed in curves:
            curve = VMobject(stroke_color=color, stroke_width=stroke_width)
            curve.set_points(self.clipped_path(np.asarray(x, float), np.asarray(y, float),
                                               dashed))
            self.curves.add(curve)
        # what labels must not cover: curves (as segments), marks, references, labels
        self._segments = self._curve_segments([*self.curves,
                                               *[r[0] for r in self.references]])
        self._taken: list = [r[1] for r in self.references]
        self.marks = VGroup()
        shapes = [self._shape(x, y, color, star) for x, y, color, star, _ in marks or []]
        self._taken += shapes
        for shape, (_, _, color, _, label) in zip(shapes, marks or [], strict=True):
            group = VGroup(shape)
            if label:
                group.add(self._label(shape, label, color, font_size * 0.9))
            self.marks.add(group)
        for x, y, color, text in curve_labels or []:
            anchor = Dot(self.c2p(x, y), radius=0.05).set_opacity(0)
            self.marks.add(self._label(anchor, text, color, font_size * 0.85))
        self.add(self.references, self.curves, self.marks)

    def clipped_path(self, x: np.ndarray, y: np.ndarray, dashed: bool) -> np.ndarray:
        """VMobject points of the polyline through ``(x, y)`` inside the frame: each
        segment clipped at the frame's edge (a curve that leaves the window ends there
        instead of running along the edge), dashed if asked."""
        a = np.column_stack([x[:-1], y[:-1]])
        b = np.column_stack([x[1:], y[1:]])
        ok = np.all(np.isfinite(a) & np.isfinite(b), axis=1)
        keep, ca, cb = self.clip_segments(a[ok], b[ok])
        start, end = self.c2p_array(ca[keep]), self.c2p_array(cb[keep])
        if not len(start):
            p = self.box.get_corner(DL)
            return straight_curves(np.array([p]), np.array([p]))
        if not dashed:
            return straight_curves(start, end)
        # dash each connected run of segments as one polyline, so dashes keep their rhythm
        breaks = np.flatnonzero(np.linalg.norm(start[1:] - end[:-1], axis=1) > 1e-9) + 1
        pieces = [dashed_path(np.vstack([s[:1], e]), *self.dash)
                  for s, e in zip(np.split(start, breaks), np.split(end, breaks), strict=True)]
        return np.vstack(pieces)

    @staticmethod
    def _curve_segments(mobjects: list) -> tuple[np.ndarray, np.ndarray]:
        """The straight pieces of paths built by :func:`straight_curves` (each cubic's
        first and last point), in scene coordinates."""
        pts = [np.asarray(m.points)[:, :2] for m in mobjects if len(m.points)]
        if not pts:
            return np.zeros((0, 2)), np.zeros((0, 2))
        allp = np.vstack(pts)
        return allp[0::4], allp[3::4]

    def _shape(self, x: float, y: float, color: str, star: bool) -> VGroup:
        at_ = self.c2p(x, y)
        if star:
            return VGroup(Star(n=5, outer_radius=0.13, color=color, fill_opacity=1.0,
                               stroke_width=0).move_to(at_),
                          Circle(radius=0.2, color=color, stroke_width=2.5).move_to(at_))
        return VGroup(Dot(at_, radius=0.075, color=color, stroke_width=1.5,
                          stroke_color=theme.BACKGROUND))

    def _label(self, anchor, label: str, color: str, size: float) -> Text:
        """A label beside ``anchor``: below it (a chart marks minima), else above, right,
        left or diagonally (above and below slid sideways into the frame), near it first:
        the first place inside the frame that covers no curve, mark, reference or earlier
        label; without one, the first that covers no mark or label; else above, kept
        inside the frame. The label then counts as taken for later ones."""
        text = Text(label, font=theme.FONT, font_size=size, color=color)
        lo, hi = self._corners()
        pad = 0.06
        a, b = self._segments

        def free(m: Text) -> bool:
            inside = (m.get_left()[0] >= lo[0] + pad and m.get_right()[0] <= hi[0] - pad
                      and m.get_bottom()[1] >= lo[1] + pad and m.get_top()[1] <= hi[1] - pad)
            return inside and not any(_overlap(m, o) for o in self._taken if o is not anchor)

        def clear(m: Text) -> bool:  # no curve crosses it
            box = (m.get_left()[0] - 0.03, m.get_right()[0] + 0.03,
                   m.get_bottom()[1] - 0.03, m.get_top()[1] + 0.03)
            return not np.any(segments_hit_box(a, b, box))

        def slide_in(m: Text) -> Text:  # moved sideways into the frame, if it pokes out
            dx = max(0.0, lo[0] + pad - m.get_left()[0]) - max(
                0.0, m.get_right()[0] - hi[0] + pad)
            return m.shift(dx * RIGHT)

        def place() -> None:
            directions = (DOWN, UP, RIGHT, LEFT, DOWN + RIGHT, DOWN + LEFT, UP + RIGHT,
                          UP + LEFT)
            for test in (lambda m: free(m) and clear(m), free):
                for buff in (0.08, 0.35, 0.7, 1.1):  # near the anchor first
                    for direction in directions:
                        text.next_to(anchor, direction, buff=buff)
                        if direction[1] != 0:
                            slide_in(text)
                        if test(text):
                            return
            slide_in(text.next_to(anchor, UP, buff=0.08))
            text.shift(-max(0.0, text.get_top()[1] - hi[1] + pad) * UP)

        place()
        self._taken.append(text)
        return text


def segments_hit_box(a: np.ndarray, b: np.ndarray,
                     box: tuple[float, float, float, float]) -> np.ndarray:
    """Which segments ``a[i] -> b[i]`` (2-D) meet the box ``(left, right, bottom, top)``."""
    return clip_parameters(a, b, box)[0]


def _overlap(a, b) -> bool:
    return (a.get_left()[0] < b.get_right()[0] and b.get_left()[0] < a.get_right()[0]
            and a.get_bottom()[1] < b.get_top()[1] and b.get_bottom()[1] < a.get_top()[1])
