"""Replay act: the map shrinks, plots of recorded series appear beside it, and the
race replays with the plots drawn by the same timeline."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING

from manim import DOWN, LEFT, RIGHT, UP, Mobject, VGroup

from ...kit.frame import Heading, PlotFrame, plot_heading
from ...kit.motion import fade_in, fade_out, fit_target, place
from ...kit.plots import IterationPlot
from ..layout import Box
from ..stage import box_of

if TYPE_CHECKING:
    from ..prepare import PlotData
    from ..scene import Lesson

#: the race runs back to its start before the replay (balls retrace their paths)
REWIND = 0.8
MOVE = 1.5
SHOW = 1.0
LEAVE = 1.2
#: of LEAVE, the plots' fade: they are gone before the map and panel move back through
#: their place (mirroring the entrance: the move, then the plots)
UNSHOW = 0.4
#: between a plot's caption and the label or key under it
CAPTION_BUFF = 0.12


class Replay:
    name = "replay"

    def seconds(self, lesson: Lesson) -> float:
        spec, tl = lesson.prepared.spec, lesson.timeline
        return REWIND + MOVE + SHOW + tl.seconds_for(tl.steps, spec.pacing.replay(spec.steps)) \
            + spec.pacing.hold + LEAVE

    def play(self, lesson: Lesson) -> None:
        lesson.begin_act(self.name)
        p, stage, tl = lesson.prepared, lesson.stage, lesson.timeline
        boxes = stage.layout["replay"]
        lesson.play(tl.rewind(REWIND), run_time=REWIND)  # not a cut back to the start
        tl.set(0)  # the plots are built (and fade in) showing iteration 0
        plots = build_plots(p.plots, tl, boxes)
        stage.plots = plots
        lesson.play(*stage.arrange("replay"), run_time=MOVE)
        lesson.play(fade_in(plots), run_time=SHOW)
        stage.on_screen.update({f"plot{i}": plot for i, plot in enumerate(plots)})
        lesson.play(tl.play_to(iterations_per_second=p.spec.pacing.replay(p.spec.steps)))
        lesson.mark("plots")
        lesson.wait(p.spec.pacing.hold)
        lesson.exit_begins()
        lesson.play(fade_out(plots), run_time=UNSHOW)
        lesson.play(*stage.arrange("race"), run_time=LEAVE - UNSHOW)
        lesson.remove(plots)
        for i in range(len(plots)):
            del stage.on_screen[f"plot{i}"]


def build_plots(data: list[PlotData], tl, boxes: dict[str, Box]) -> VGroup:
    """The replay's plots, each in its box (``plot0``, ``plot1``, ...): see
    :func:`place_plots`."""
    where = [boxes[f"plot{i}"] for i in range(len(data))]
    headings = [plot_heading(d.label, b.width, key=d.key, caption=d.caption)
                for d, b in zip(data, where, strict=True)]
    return place_plots([plot_maker(d, tl) for d in data], headings, where)


def place_plots(makers: list[Callable[[float, float], PlotFrame]], headings: list[Heading],
                where: list[Box]) -> VGroup:
    """Plots made by ``makers`` under their ``headings``, filling the boxes ``where``:
    the axes of plots side by side level (:func:`aligned`), rows one above the other
    re-split so their axes are equally tall (:func:`level_rows`), one margin for the tick
    labels through each row and column, and the captions of a row ending on one line
    (:func:`level_captions`)."""
    aboves = aligned(headings, where)
    margins = shared_margins(makers, where, aboves)
    leveled = level_rows(where, aboves, [m[2] for m in margins])
    if leveled is not where:  # rows re-split: their tick labels measured at the new size
        where, margins = leveled, shared_margins(makers, leveled, aboves)
    groups = [fit_plot(m, h, b, above, margin) for m, h, b, above, margin
              in zip(makers, headings, where, aboves, margins, strict=True)]
    level_captions(groups, where)
    return VGroup(*groups)


def shared_margins(makers: list[Callable[[float, float], PlotFrame]], where: list[Box],
                   aboves: list[float]) -> list[tuple[float, float, float]]:
    """One margin for the tick labels of a row and of a column (plots side by side are as
    high, plots one above the other start at one left edge; plots linked through rows
    and columns, as a grid's, share one)."""
    shared = [plot_margins(m, b, a) for m, b, a in zip(makers, where, aboves, strict=True)]
    for _ in where:
        shared = [tuple(max(m[k] for m, o in zip(shared, where, strict=True)
                            if _row(o) == _row(b) or _column(o) == _column(b))
                        for k in range(3)) for b in where]
    return shared


#: the least height of a plot's axes left by :func:`level_rows` (else the rows stay even)
LEAST_AXES = 0.4


def level_rows(where: list[Box], aboves: list[float], bottoms: list[float]) -> list[Box]:
    """The boxes, with rows of plots one above the other re-split so that every row's axes
    are equally tall: a row whose headings or tick labels take more room (a caption
    wrapped into three lines, a key on a line of its own) is taller by that room, the
    gaps between the rows kept. A lone row, or rows whose axes would come out shorter
    than :data:`LEAST_AXES`, keep their boxes. (An even split had left a plot under a
    long caption a strip with one tick label.)"""
    rows = sorted({_row(b) for b in where}, key=lambda r: -r[0])
    if len(rows) < 2:
        return where
    spans = [(top, top - height) for top, height in rows]
    gaps = [bottom - lower_top for (_, bottom), (lower_top, _) in pairwise(spans)]
    need = [max(a + b for a, b, box in zip(aboves, bottoms, where, strict=True)
                if _row(box) == row) for row in rows]
    axes = (spans[0][0] - spans[-1][1] - sum(gaps) - sum(need)) / len(rows)
    if axes < LEAST_AXES:
        return where
    new, y = {}, spans[0][0]
    for row, room, gap in zip(rows, need, [*gaps, 0.0], strict=True):
        new[row] = (y, room + axes)
        y -= room + axes + gap
    return [Box(b.left, b.right, new[_row(b)][0] - new[_row(b)][1], new[_row(b)][0])
            for b in where]


def level_captions(groups: list[VGroup], where: list[Box]) -> None:
    """The captions of a row of plots end on one line, just above the highest label or
    key under them, so a one-line caption beside one wrapped into three sits on its plot
    (not three lines above it); a caption that would then rise out of its box lowers the
    row's line."""
    for row in {_row(b) for b in where}:
        here = [g for g, b in zip(groups, where, strict=True) if _row(b) == row and g.caption]
        if not here:
            continue
        base = max(g.heading_top.get_top()[1] for g in here) + CAPTION_BUFF
        base = min([base, *(row[0] - g.caption.height for g in here)])
        for g in here:
            g.caption.shift((base - g.caption.get_bottom()[1]) * UP)


def _row(b: Box) -> tuple[float, float]:
    """Which row of plots a box is in: plots side by side share a top and a height."""
    return round(b.top, 6), round(b.height, 6)


def _column(b: Box) -> tuple[float, float]:
    """Which column of plots a box is in: plots one above the other share a left edge and
    a width."""
    return round(b.left, 6), round(b.width, 6)


def plot_maker(d: PlotData, tl) -> Callable[[float, float], PlotFrame]:
    """``make(w, h)``: an iteration plot of ``d`` with axes ``w`` by ``h``."""
    series, colors, dashed = d.in_paint_order()  # a jagged run's curve beneath a smooth one's
    return lambda w, h: IterationPlot(series, colors, tl, w, h, y_label=None, log_y=d.log,
                                      dashed=dashed, references=d.references)


def aligned(headings: list[Heading], boxes: list[Box]) -> list[float]:
    """The room above each plot's axes, so plots side by side (boxes of one top and
    height) have their axes level: the most any of them needs, once their captions
    are set to one size (the smallest of them)."""
    smallest: dict[tuple[float, float], float] = {}
    for h, b in zip(headings, boxes, strict=True):
        if h.caption:
            smallest[_row(b)] = min(smallest.get(_row(b), 1.0), h.caption_scale)
    most: dict[tuple[float, float], float] = {}
    for h, b in zip(headings, boxes, strict=True):
        if h.caption:
            h.scale_caption(smallest[_row(b)])
        most[_row(b)] = max(most.get(_row(b), 0.0), h.above)
    return [most[_row(b)] for b in boxes]


def plot_margins(make: Callable[[float, float], PlotFrame], box: Box, above: float
                 ) -> tuple[float, float, float]:
    """How far a plot's labels reach beyond its axes (left, right, below), measured on
    a probe of about the size it will have in ``box``."""
    probe = make(max(box.width - 1.0, 1.0), max(box.height - above - 0.8, 0.6))
    full, inner = box_of(probe), box_of(probe.box)
    return (inner.left - full.left + 0.02, full.right - inner.right + 0.02,
            inner.bottom - full.bottom + 0.02)


def fit_plot(make: Callable[[float, float], PlotFrame], heading: Heading, box: Box,
             above: float | None = None,
             margins: tuple[float, float, float] | None = None) -> VGroup:
    """A plot sized to fill ``box`` under its ``heading`` (given ``above`` units of room,
    at least its own, and ``margins`` for its tick labels, at least its own), so the
    axes get the whole width. ``make(w, h)`` builds the plot with axes of that size (and
    no y label of its own)."""
    above = max(above or 0.0, heading.above)
    label, key_text, caption_text = heading.label, heading.key, heading.caption
    left, right, bottom = margins or plot_margins(make, box, above)
    w = max(box.width - left - right, 0.5)
    h = max(box.height - bottom - above, 0.4)
    plot = make(w, h)
    plot.shift([box.left + left + w / 2 - plot.box.get_center()[0],
                box.top - above - h / 2 - plot.box.get_center()[1], 0])
    label.next_to(plot.box, UP, buff=0.12).align_to(plot.box, LEFT)
    over = label.get_right()[0] - box.right  # a long label starts left of the axes
    if over > 0:
        label.shift(over * LEFT)
    group = VGroup(plot, label)
    group.plot, group.caption = plot, caption_text
    top: Mobject = label
    if key_text is not None:
        if heading.key_beside:
            key_text.next_to(plot.box, UP, buff=0.12).align_to(plot.box, RIGHT)
            key_text.align_to(label, DOWN)
        else:
            key_text.next_to(label, UP, buff=0.12).align_to(plot.box, RIGHT)
            top = key_text
        group.add(key_text)
    if caption_text is not None:
        if caption_text.width > box.width:
            caption_text.scale_to_fit_width(box.width)
        # just above the label or key (level_captions sets a row's captions level)
        caption_text.next_to(top, UP, buff=CAPTION_BUFF)
        # over the axes' centre, but inside the box (the y tick labels set the axes right)
        x = min(max(plot.box.get_center()[0], box.left + caption_text.width / 2),
                box.right - caption_text.width / 2)
        caption_text.set_x(x)
        group.add(caption_text)
    group.heading_top = top
    if not box_of(group).inside(box):  # a label wider than its plot: shrink to fit
        place(group, fit_target(group, box))
    return group
