"""Replay act: the map shrinks, plots of recorded series appear beside it, and the
race replays with the plots drawn by the same timeline."""

from __future__ import annotations

from collections.abc import Callable
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
        lesson.play(fade_out(plots), run_time=UNSHOW)
        lesson.play(*stage.arrange("race"), run_time=LEAVE - UNSHOW)
        lesson.remove(plots)
        for i in range(len(plots)):
            del stage.on_screen[f"plot{i}"]


def build_plots(data: list[PlotData], tl, boxes: dict[str, Box]) -> VGroup:
    """The replay's plots, each in its box (``plot0``, ``plot1``, ...), with the axes of
    plots side by side level (:func:`aligned`)."""
    where = [boxes[f"plot{i}"] for i in range(len(data))]
    headings = [plot_heading(d.label, b.width, key=d.key, caption=d.caption)
                for d, b in zip(data, where, strict=True)]
    aboves = aligned(headings, where)
    makers = [plot_maker(d, tl) for d in data]
    # one margin for the tick labels of a row and of a column, so plots side by side are
    # as high and plots one above the other start at one left edge
    # (plots linked through rows and columns, as a grid's, share one)
    shared = [plot_margins(m, b, a) for m, b, a in zip(makers, where, aboves, strict=True)]
    for _ in where:
        shared = [tuple(max(m[k] for m, o in zip(shared, where, strict=True)
                            if _row(o) == _row(b) or _column(o) == _column(b))
                        for k in range(3)) for b in where]
    return VGroup(*[fit_plot(m, h, b, above, margins) for m, h, b, above, margins
                    in zip(makers, headings, where, aboves, shared, strict=True)])


def _row(b: Box) -> tuple[float, float]:
    """Which row of plots a box is in: plots side by side share a top and a height."""
    return round(b.top, 6), round(b.height, 6)


def _column(b: Box) -> tuple[float, float]:
    """Which column of plots a box is in: plots one above the other share a left edge and
    a width."""
    return round(b.left, 6), round(b.width, 6)


def plot_maker(d: PlotData, tl) -> Callable[[float, float], PlotFrame]:
    """``make(w, h)``: an iteration plot of ``d`` with axes ``w`` by ``h``."""
    return lambda w, h: IterationPlot(d.series, d.colors, tl, w, h, y_label=None, log_y=d.log,
                                      dashed=d.dashed, references=d.references)


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
    group.plot = plot
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
        caption_text.next_to(top, UP, buff=0.12)
        # at the top of the room above the axes: the captions of a row start on one line
        # whatever the labels under them (v_x and v_y had set them 4 px apart)
        caption_text.shift((box.top - caption_text.get_top()[1]) * UP)
        # over the axes' centre, but inside the box (the y tick labels set the axes right)
        x = min(max(plot.box.get_center()[0], box.left + caption_text.width / 2),
                box.right - caption_text.width / 2)
        caption_text.set_x(x)
        group.add(caption_text)
    if not box_of(group).inside(box):  # a label wider than its plot: shrink to fit
        place(group, fit_target(group, box))
    return group
