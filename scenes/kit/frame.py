"""A boxed coordinate frame with ticks and labels (no LaTeX: ticks are Text).

The mapping from data to scene coordinates is read from the box's current
corners, so it stays right after the frame is moved or scaled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from manim import DOWN, LEFT, DashedLine, Line, MathTypst, Rectangle, Text, VGroup

from ..text import power_of_ten
from . import theme
from .glyphs import GlyphText
from .panel import fitted_caption


def nice_ticks(lo: float, hi: float, target: int = 5, integer: bool = False) -> np.ndarray:
    """Round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) in [lo, hi].

    ``integer=True`` (iterations, integer data) keeps to whole steps of 1, 2 or 5
    times a power of ten: 0, 2, 4 rather than 0.0, 2.5, 5.0.
    """
    raw = (hi - lo) / max(target, 1)
    if integer:
        raw = max(raw, 1.0)
    mag = 10 ** math.floor(math.log10(raw))
    # whole steps skip 2.5, so they may be a little finer than asked
    steps, slack = ((1, 2, 5, 10), 0.8) if integer else ((1, 2, 2.5, 5, 10), 0.999)
    step = next(m * mag for m in steps if m * mag >= raw * slack)
    start = math.ceil(lo / step - 1e-9) * step
    ticks = np.arange(start, hi + step * 1e-6, step)
    return np.round(ticks, 12)


def format_tick(v: float, ticks: np.ndarray) -> str:
    """``v`` with as many decimals as the ticks need to be read exactly (a lone tick: as
    ``v`` needs, so a lone 0.5 reads 0.5, not 0)."""
    if len(ticks) < 2:  # nice ticks are round: their shortest form is exact
        return np.format_float_positional(float(v), trim="-").replace("-", "−")
    # as many decimals as the ticks need to read exactly (2.5 steps need one more than
    # their step's power of ten; every other tick of 0.5 steps, -0.5 and 0.5, needs one
    # although they are 1 apart), the same for every tick
    decimals = next((d for d in range(13) if all(
        abs(t * 10**d - round(t * 10**d)) < 1e-6 * max(1.0, abs(t) * 10**d) for t in ticks)),
        12)
    text = f"{v:.{decimals}f}"
    if float(text) == 0:
        text = f"{0:.{decimals}f}"
    return text.replace("-", "−")


def straight_curves(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """VMobject points for straight segments ``start[i] -> end[i]``: one cubic curve each,
    its handles at a third and two thirds, exactly as ``add_line_to`` makes them (Manim's
    ``interpolate``), so a path built in one array draws as one built call by call."""
    t = np.array([0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0])[None, :, None]
    start, end = np.asarray(start, float), np.asarray(end, float)
    curves = (1 - t) * start[:, None, :] + t * end[:, None, :]
    return curves.reshape(-1, start.shape[-1])


def clip_parameters(a: np.ndarray, b: np.ndarray, box: tuple[float, float, float, float]
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Liang-Barsky for many 2-D segments ``a[i] -> b[i]`` against the box ``(left, right,
    bottom, top)``, vectorized: which segments meet it, and the parameters ``t0 <= t1``
    in [0, 1] of the part inside (``a + t (b - a)``)."""
    x0, x1, y0, y1 = box
    a, b = np.asarray(a, float).reshape(-1, 2), np.asarray(b, float).reshape(-1, 2)
    d = b - a
    t0, t1 = np.zeros(len(a)), np.ones(len(a))
    keep = np.ones(len(a), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for pp, q in ((-d[:, 0], a[:, 0] - x0), (d[:, 0], x1 - a[:, 0]),
                      (-d[:, 1], a[:, 1] - y0), (d[:, 1], y1 - a[:, 1])):
            keep &= ~((pp == 0) & (q < 0))
            r = q / pp
            t0 = np.where(pp < 0, np.maximum(t0, r), t0)
            t1 = np.where(pp > 0, np.minimum(t1, r), t1)
    return keep & ~(t0 > t1), t0, t1


class PlotFrame(VGroup):
    """A rectangle mapping ``x_range`` x ``y_range`` to ``width`` x ``height`` units.

    ``log_y=True`` maps ``log10(y)`` and ticks the powers of ten.
    """

    def __init__(
        self,
        x_range: tuple[float, float],
        y_range: tuple[float, float],
        width: float,
        height: float,
        *,
        x_label: str | None = None,
        y_label: str | None = None,
        log_y: bool = False,
        x_ticks: np.ndarray | None = None,
        x_integer: bool = False,
        y_ticks: np.ndarray | None = None,
        font_size: float = theme.SMALL_SIZE,
        zero_line: bool = False,
    ) -> None:
        super().__init__()
        self.x_range = tuple(map(float, x_range))
        self.log_y = log_y
        self.y_range = tuple(math.log10(v) for v in y_range) if log_y else tuple(
            map(float, y_range))
        self.box = Rectangle(width=width, height=height, stroke_color=theme.FRAME,
                             stroke_width=2)
        self.add(self.box)
        tick_len = 0.08
        labels = VGroup()
        # no more ticks than their labels have room for (a label is ~0.3 units tall at 20 pt)
        unit = font_size / theme.SMALL_SIZE
        max_x = max(2, int(width / (0.9 * unit)) + 1)
        gap = 0.42 * unit  # the least distance between y tick labels
        max_y = max(2, int(height / gap) + 1)
        xt = nice_ticks(*self.x_range, target=min(5, max_x - 1), integer=x_integer) \
            if x_ticks is None else np.asarray(x_ticks)
        #: the x axis's tick labels, left first
        self.x_tick_labels = VGroup()
        for v in xt:
            p = self.c2p(v, self.y_range[0] if not log_y else 10 ** self.y_range[0])
            self.add(Line(p, p + [0, tick_len, 0], stroke_color=theme.FRAME, stroke_width=2))
            self.x_tick_labels.add(GlyphText(format_tick(v, xt), font_size, theme.MUTED)
                                   .next_to(p, DOWN, buff=0.1))
        labels.add(*self.x_tick_labels)
        if log_y:
            lo, hi = math.ceil(self.y_range[0] - 1e-9), math.floor(self.y_range[1] + 1e-9)
            yt_raw = [10.0**e for e in range(lo, hi + 1)]
            # every k-th decade down from the top: seven at most, as many as are ``gap``
            # apart (a short plot had kept only its top decade: no scale)
            decade = height / max(self.y_range[1] - self.y_range[0], 1e-12)
            stride = max(1, math.ceil(0.999 * gap / decade),
                         math.ceil((len(yt_raw) - 1) / 6))
            yt_raw = yt_raw[::-1][::stride][::-1]
            y_labels = [power_of_ten(round(math.log10(v))) for v in yt_raw]
        else:
            if y_ticks is None:
                target = min(4, max_y - 1)
                yt_raw = nice_ticks(*self.y_range, target=target)
                span = self.y_range[1] - self.y_range[0]
                while len(yt_raw) < 2 and target < 8:  # a lone tick gives no scale
                    target += 1
                    finer = nice_ticks(*self.y_range, target=target)
                    # but no closer than the labels have room for (as max_y allows; the
                    # steps only get finer): on a short plot one tick, not overlapping ones
                    if len(finer) >= 2 and np.min(np.diff(finer)) * height / span < 0.999 * gap:
                        # every k-th of them is as far apart as the labels need: two or
                        # more of those (through 0 where one can be) still give a scale
                        room = np.min(np.diff(finer)) * height / span
                        k = math.ceil(0.999 * gap / room)
                        spaced = sorted((finer[o::k] for o in range(k)),
                                        key=lambda t: (len(t) < 2, not np.any(t == 0)))[0]
                        if len(spaced) >= 2:
                            yt_raw = spaced
                        elif len(yt_raw) == 0:
                            yt_raw = finer[len(finer) // 2:len(finer) // 2 + 1]
                        break
                    yt_raw = finer
            else:
                yt_raw = np.asarray(y_ticks)
            y_labels = [format_tick(v, np.asarray(yt_raw)) for v in yt_raw]
        #: the y axis's tick labels, bottom first
        self.y_tick_labels = VGroup()
        for v, text in zip(yt_raw, y_labels, strict=True):
            p = self.c2p(self.x_range[0], v)
            self.add(Line(p, p + [tick_len, 0, 0], stroke_color=theme.FRAME, stroke_width=2))
            self.y_tick_labels.add(GlyphText(text, font_size, theme.MUTED)
                                   .next_to(p, LEFT, buff=0.1))
        self._clear_corner(labels, 0.08 * unit)
        labels.add(*self.y_tick_labels)
        self.add(labels)
        if zero_line and not log_y and self.y_range[0] < 0 < self.y_range[1]:
            self.add(DashedLine(self.c2p(self.x_range[0], 0), self.c2p(self.x_range[1], 0),
                                stroke_color=theme.FRAME, stroke_width=1.5))
        self.x_label = self.y_label = None
        if x_label:
            self.x_label = axis_label(x_label, font_size * 1.15).next_to(labels, DOWN, buff=0.12)
            self.x_label.set_x(self.box.get_center()[0])
            self.add(self.x_label)
        if y_label:
            left = min(m.get_left()[0] for m in labels) if len(labels) else self.box.get_left()[0]
            self.y_label = axis_label(y_label, font_size * 1.15)
            self.y_label.move_to([left - 0.2 - self.y_label.width / 2,
                                  self.box.get_center()[1], 0])
            self.add(self.y_label)

    def _clear_corner(self, labels: VGroup, gap: float) -> None:
        """Where the lowest y tick label and the leftmost x tick label meet at the
        bottom-left corner (closer than ``gap``), leave one out: the y label when the y
        axis keeps two or more, else the x label when the x axis does ("10⁻²" had
        touched the "0" below it, "−1" sat on "−2")."""
        if not len(self.x_tick_labels) or not len(self.y_tick_labels):
            return
        x0 = min(self.x_tick_labels, key=lambda m: m.get_center()[0])
        y0 = min(self.y_tick_labels, key=lambda m: m.get_center()[1])
        apart = max(x0.get_left()[0] - y0.get_right()[0], y0.get_bottom()[1] - x0.get_top()[1])
        if apart >= gap:
            return
        if len(self.y_tick_labels) > 2:
            self.y_tick_labels.remove(y0)
        elif len(self.x_tick_labels) > 2:
            self.x_tick_labels.remove(x0)
            labels.remove(x0)

    # -- mapping ---------------------------------------------------------------
    def _corners(self) -> tuple[np.ndarray, np.ndarray]:
        pts = np.asarray(self.box.points)
        return pts.min(axis=0), pts.max(axis=0)

    def c2p_array(self, xy: np.ndarray) -> np.ndarray:
        """Scene points ``(n, 3)`` for data points ``(n, 2)``."""
        xy = np.asarray(xy, float).reshape(-1, 2)
        lo, hi = self._corners()
        y = np.log10(xy[:, 1]) if self.log_y else xy[:, 1]
        fx = (xy[:, 0] - self.x_range[0]) / (self.x_range[1] - self.x_range[0])
        fy = (y - self.y_range[0]) / (self.y_range[1] - self.y_range[0])
        out = np.zeros((len(xy), 3))
        out[:, 0] = lo[0] + fx * (hi[0] - lo[0])
        out[:, 1] = lo[1] + fy * (hi[1] - lo[1])
        return out

    def c2p(self, x: float, y: float) -> np.ndarray:
        return self.c2p_array(np.array([[x, y]]))[0]

    def inside(self, xy: np.ndarray) -> np.ndarray:
        """Which data points lie within the frame."""
        xy = np.asarray(xy, float).reshape(-1, 2)
        y = np.log10(np.maximum(xy[:, 1], 1e-300)) if self.log_y else xy[:, 1]
        return ((xy[:, 0] >= self.x_range[0]) & (xy[:, 0] <= self.x_range[1])
                & (y >= self.y_range[0]) & (y <= self.y_range[1]))

    def clip_segments(self, a: np.ndarray, b: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`clip_segment` for many segments ``a[i] -> b[i]`` at once: which are
        kept (partly inside the frame), and their clipped ends."""
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        a, b = np.asarray(a, float).reshape(-1, 2), np.asarray(b, float).reshape(-1, 2)
        keep, t0, t1 = clip_parameters(a, b, (x0, x1, y0, y1))
        d = b - a
        return keep, a + t0[:, None] * d, a + t1[:, None] * d

    def polyline_points(self, pts: np.ndarray) -> np.ndarray | None:
        """VMobject points of the polyline through data points ``pts`` ``(n, 2)``: one
        straight cubic curve per segment clipped to the frame, continuing the path where
        a segment starts at the previous one's end (within ``np.allclose``) and starting
        a new one where it does not, as ``start_new_path`` and ``add_line_to`` would
        build it call by call, in one array; None where no segment shows."""
        pts = np.asarray(pts, float).reshape(-1, 2)
        if len(pts) < 2:
            return None
        keep, a, b = self.clip_segments(pts[:-1], pts[1:])
        if not keep.any():
            return None
        p0, p1 = self.c2p_array(a[keep]), self.c2p_array(b[keep])
        start = p0.copy()
        if len(p0) > 1:  # within np.allclose of the previous end: the path goes on from it
            prev = p1[:-1]
            joined = np.all(np.abs(prev - p0[1:]) <= 1e-8 + 1e-5 * np.abs(p0[1:]), axis=1)
            start[1:][joined] = prev[joined]
        return straight_curves(start, p1)

    def clip_segment(self, a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
        """The part of data segment ``a -> b`` inside the frame (Liang-Barsky), or None."""
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        d = b - a
        t0, t1 = 0.0, 1.0
        for p, q in ((-d[0], a[0] - x0), (d[0], x1 - a[0]), (-d[1], a[1] - y0),
                     (d[1], y1 - a[1])):
            if p == 0:
                if q < 0:
                    return None
                continue
            r = q / p
            if p < 0:
                t0 = max(t0, r)
            else:
                t1 = min(t1, r)
            if t0 > t1:
                return None
        return np.array([a + t0 * d, a + t1 * d])


def axis_label(text: str, size: float) -> MathTypst | Text:
    """Math labels through Typst; plain words as Text."""
    if text.startswith("$") and text.endswith("$"):
        return MathTypst(text[1:-1], font_size=size * theme.MATH_SCALE, color=theme.FOREGROUND)
    return Text(text, font=theme.FONT, font_size=size, color=theme.FOREGROUND)


@dataclass
class Heading:
    """What goes above a plot's axes, built once: its caption on top (balanced lines,
    :func:`~scenes.kit.panel.fitted_caption`), then its y label (left) and key (right,
    beside the label when both fit over the axes, else on a line above)."""

    label: VGroup
    key: Text | None
    caption: VGroup | None
    key_beside: bool

    @property
    def above(self) -> float:
        """The height the heading takes above the axes."""
        key = self.key
        lines = [self.caption.height if self.caption else 0.0,
                 key.height if key is not None and not self.key_beside else 0.0]
        return sum(x + 0.12 for x in lines if x) + max(
            self.label.height, key.height if self.key_beside and key is not None else 0.0
        ) + 0.12

    @property
    def caption_scale(self) -> float:
        """The caption's size over a small text's (1 without a caption)."""
        return self.caption[0].font_size / theme.SMALL_SIZE if self.caption else 1.0

    def scale_caption(self, scale: float) -> None:
        """Set the caption to ``scale`` of a small text's size (its lines as they are)."""
        if self.caption:
            self.caption.scale(scale / self.caption_scale)


def plot_heading(y_label: str, width: float, key: str | None = None,
                 caption: str | None = None) -> Heading:
    """The heading of a plot ``width`` wide (its caption wrapped to that width)."""
    small = theme.SMALL_SIZE
    caption_text = fitted_caption(caption, width) if caption else None
    label = axis_label(y_label, small * 1.15)
    key_text = Text(key, font=theme.FONT, font_size=small * 0.85, color=theme.MUTED) \
        if key else None
    # a label or key wider than the plot shrinks alone (shrinking the whole plot to fit
    # would set it apart from its neighbours in a row)
    for text in (label, key_text):
        if text is not None and text.width > width:
            text.scale_to_fit_width(width)
    key_beside = key_text is not None and label.width + key_text.width + 0.3 <= width - 1.2
    return Heading(label, key_text, caption_text, key_beside)
