"""Live text: the iteration counter, each ball's loss, the legend."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from manim import DOWN, LEFT, ORIGIN, RIGHT, UP, Dot, Text, VGroup, VMobject

from ..text import format_value, loss_string

__all__ = ["Legend", "LiveText", "format_value", "iteration_readout", "loss_string",
           "loss_text", "sequence_text"]
from . import theme
from .glyphs import text_points
from .timeline import Timeline


class LiveText(VMobject):
    """Text that follows ``make()``, rebuilt only when the string changes.

    The glyphs are merged into this one VMobject, so the mobject family never
    changes while the text does (Manim draws a snapshot of the family taken
    when an animation starts; replacing children would leave stale glyphs).
    A new string is composed from the process-wide glyph cache
    (:mod:`.glyphs`): the same outlines as :class:`~manim.Text`, without
    typesetting it again.
    """

    def __init__(self, make: Callable[[], str], font_size: float = theme.BODY_SIZE,
                 color: str = theme.FOREGROUND, align: np.ndarray = LEFT,
                 widest: str | None = None) -> None:
        super().__init__(fill_color=color, fill_opacity=1.0, stroke_width=0)
        self.make, self.font_size, self.align = make, font_size, align
        self.current: str | None = None
        self._natural_height = 0.0
        self.refresh()
        #: the width of the widest string it will show (``widest``), for layouts
        self.natural_width = self.width if widest is None else max(
            self.width, _width(text_points(widest, theme.FONT, font_size)))
        self.add_updater(lambda m: m.refresh())

    def refresh(self) -> None:
        """The new string's glyphs at the old one's scale (the group's, e.g. from a
        Glide) and top corner (``UP + align``).

        The same arithmetic as ``scale(height / natural height)`` about the centre and
        ``move_to(corner, aligned_edge=UP + align)``, in the same order, on the points
        array alone (:func:`_box_point` for Manim's bounding box): the same floats, at
        ~0.1 ms instead of ~0.5 ms a change (Manim's box reads every anchor through
        Python iterators, several times a change)."""
        s = self.make()
        if s == self.current:
            return
        points = text_points(s, theme.FONT, self.font_size)
        old = self.points
        placed = self.current is not None and len(old) > 0 and self._natural_height > 0
        if placed:
            factor = _height(old) / self._natural_height
            anchor = _box_point(old, UP + self.align)
        self._natural_height = _height(points)
        new = np.array(points, dtype=float)
        if placed and len(new):  # a blank string has no points to place
            centre = _box_point(new, ORIGIN)
            new -= centre
            new = factor * new
            new += centre
            new += anchor - _box_point(new, UP + self.align)
        self.points = new
        self.current = s


def _box_point(points: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Manim's ``get_critical_point(direction)`` of a cubic VMobject with ``points`` and
    no submobjects: per axis the anchors' min (direction < 0), max (> 0) or the mean of
    the two (0); the anchors are each curve's first and last points (a lone point is
    its own anchor)."""
    anchors = np.concatenate([points[0::4], points[3::4]]) if len(points) > 1 else points
    lo, hi = anchors.min(axis=0), anchors.max(axis=0)
    return np.where(direction < 0, lo, np.where(direction > 0, hi, (lo + hi) / 2))


def _width(points: np.ndarray) -> float:
    return float(np.ptp(points[:, 0])) if len(points) else 0.0


def _height(points: np.ndarray) -> float:
    return float(np.ptp(points[:, 1])) if len(points) else 0.0


def iteration_readout(timeline: Timeline, font_size: float = theme.BODY_SIZE) -> LiveText:
    return LiveText(lambda: f"iteration {timeline.reached} / "
                            f"{timeline.steps}", font_size=font_size,
                    widest=f"iteration {timeline.steps} / {timeline.steps}")


def loss_text(loss: np.ndarray, diverged_at: int, timeline: Timeline) -> Callable[[], str]:
    """The loss shown at the current iteration (the iterate reached so far)."""
    return sequence_text([loss_string(loss, diverged_at, k) for k in range(len(loss))],
                         timeline)


def sequence_text(strings: Sequence[str], timeline: Timeline) -> Callable[[], str]:
    """``strings[k]`` at the current iteration ``k`` (one string per iteration)."""
    def make() -> str:
        k = timeline.reached
        return strings[min(max(k, 0), len(strings) - 1)]
    return make


class Legend(VGroup):
    """Rows of colour dot, label and live loss, one per ball."""

    def __init__(self, labels: list[str], colors: list[str], losses: list[np.ndarray],
                 diverged_at: list[int], timeline: Timeline,
                 font_size: float = theme.BODY_SIZE) -> None:
        super().__init__()
        self.rows = VGroup()
        for label, color, loss, div in zip(labels, colors, losses, diverged_at, strict=True):
            dot = Dot(radius=0.09, color=color, stroke_color=theme.FOREGROUND, stroke_width=2)
            name = Text(label, font=theme.FONT, font_size=font_size, color=theme.FOREGROUND)
            name.next_to(dot, RIGHT, buff=0.15)
            value = LiveText(loss_text(loss, div, timeline),
                             font_size=font_size * theme.READOUT_SCALE, color=theme.MUTED)
            value.next_to(name, DOWN, aligned_edge=LEFT, buff=0.08)
            row = VGroup(dot, name, value)
            self.rows.add(row)
        self.rows.arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        self.add(self.rows)
