"""Chart act: after the race (and the replay), the map and side panel move to the left
and static charts appear on the right (a rate against a hyperparameter, say): the
axes, then the curves drawn left to right, then the marked points and labels."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from manim import Create, VGroup

from ...kit import theme
from ...kit.frame import Heading, plot_heading
from ...kit.motion import fade_in, fade_out
from ...kit.plots import FunctionPlot
from ..layout import Box
from .replay import UNSHOW, fit_plot, place_plots

if TYPE_CHECKING:
    from ..prepare import ChartData, Curve
    from ..scene import Lesson

MOVE = 1.5
SHOW = 0.8
DRAW = 2.0
MARKS = 1.0
LEAVE = 1.2


class ChartAct:
    name = "chart"

    def seconds(self, lesson: Lesson) -> float:
        return MOVE + SHOW + DRAW + MARKS + lesson.prepared.spec.pacing.hold + 1.0 + LEAVE

    def play(self, lesson: Lesson) -> None:
        lesson.begin_act(self.name)
        p, stage = lesson.prepared, lesson.stage
        boxes = stage.layout["chart"]
        where = [boxes[f"plot{i}"] for i in range(len(p.charts))]
        headings = [plot_heading(d.y_label, b.width, key=d.key, caption=d.caption)
                    for d, b in zip(p.charts, where, strict=True)]
        charts = place_plots([chart_maker(d) for d in p.charts], headings, where)
        plots = [c.plot for c in charts]
        lesson.play(*stage.arrange("chart"), run_time=MOVE)
        # the frames first, then the curves drawn, then the marks
        for plot in plots:
            plot.remove(plot.curves, plot.marks)
        lesson.play(fade_in(charts), run_time=SHOW)
        for plot in plots:
            plot.add(plot.curves)
        lesson.play(*[Create(plot.curves, lag_ratio=0.0) for plot in plots], run_time=DRAW)
        for plot in plots:
            plot.add(plot.marks)
        lesson.play(*[fade_in(plot.marks) for plot in plots], run_time=MARKS)
        stage.on_screen.update({f"chart{i}": chart for i, chart in enumerate(charts)})
        lesson.mark("chart")
        lesson.wait(p.spec.pacing.hold + 1.0)
        lesson.exit_begins()
        # the charts are gone before the map and panel move back through their place
        # (as the replay's plots: they had grown back in over the still-visible chart)
        lesson.play(fade_out(charts), run_time=UNSHOW)
        lesson.play(*stage.arrange("race"), run_time=LEAVE - UNSHOW)
        lesson.remove(charts)
        for i in range(len(charts)):
            del stage.on_screen[f"chart{i}"]


def build_chart(d: ChartData, box: Box, heading: Heading | None = None,
                above: float | None = None) -> VGroup:
    """A :class:`FunctionPlot` of ``d`` sized to fill ``box`` (see :func:`fit_plot`)."""
    heading = heading or plot_heading(d.y_label, box.width, key=d.key, caption=d.caption)
    return fit_plot(chart_maker(d), heading, box, above)


def chart_maker(d: ChartData) -> Callable[[float, float], FunctionPlot]:
    """``make(w, h)``: the :class:`FunctionPlot` of ``d`` with axes ``w`` by ``h``."""
    x_range, y_range = chart_window(d)
    curves = [(c.x, c.y, c.color or theme.FOREGROUND, c.dashed) for c in d.curves]
    marks = [(m.x, m.y, m.color or theme.FOREGROUND, m.star, m.label) for m in d.marks]
    named = [label_point(c, x_range, y_range) for c in d.curves if c.label]
    return lambda w, h: FunctionPlot(
        curves, w, h, x_range=x_range, y_range=y_range, x_label=d.x_label, marks=marks,
        references=d.reference_colors, curve_labels=[p for p in named if p is not None])


def label_point(c: Curve, x_range: tuple[float, float], y_range: tuple[float, float]
                ) -> tuple[float, float, str, str] | None:
    """Where a curve's label goes: its point at ``label_at``, else its lowest point in
    the window (None when no point of it is in the window)."""
    inside = (np.isfinite(c.x) & np.isfinite(c.y) & (c.x >= x_range[0]) & (c.x <= x_range[1])
              & (c.y >= y_range[0]) & (c.y <= y_range[1]))
    if not inside.any():
        return None
    if c.label_at is not None:
        i = int(np.argmin(np.where(inside, np.abs(c.x - c.label_at), np.inf)))
    else:
        i = int(np.argmin(np.where(inside, c.y, np.inf)))
    assert c.label is not None
    return float(c.x[i]), float(c.y[i]), c.color or theme.MUTED, c.label


def chart_window(d: ChartData) -> tuple[tuple[float, float], tuple[float, float]]:
    """The chart's window: as given, else the finite extent of its curves, marks and
    reference lines (the y range padded by 8 %)."""
    ok = [np.isfinite(c.x) & np.isfinite(c.y) for c in d.curves]
    mark_x = np.array([m.x for m in d.marks], float)
    xs = np.concatenate([c.x[k] for c, k in zip(d.curves, ok, strict=True)] + [mark_x])
    ys = np.concatenate([c.y[k] for c, k in zip(d.curves, ok, strict=True)]
                        + [np.array([m.y for m in d.marks]
                                    + [v for v, _, _ in d.reference_colors], float)])
    x_range = d.x_range or (float(xs.min()), float(xs.max()))
    if d.y_range is not None:
        return x_range, d.y_range
    lo, hi = float(ys.min()), float(ys.max())
    pad = 0.08 * (hi - lo or 1.0)
    return x_range, (lo - pad, hi + pad)
