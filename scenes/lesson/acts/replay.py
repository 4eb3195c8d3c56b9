"""Replay act: the map shrinks, plots of recorded series appear beside it, and the
race replays with the plots drawn by the same timeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from manim import DOWN, LEFT, RIGHT, UP, Mobject, Text, VGroup

from ...kit import theme
from ...kit.frame import PlotFrame, axis_label
from ...kit.motion import fade_in, fade_out, fit_target, place
from ...kit.plots import IterationPlot
from ..layout import Box
from ..stage import box_of

if TYPE_CHECKING:
    from ..prepare import PlotData
    from ..scene import Lesson

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
        return MOVE + SHOW + tl.seconds_for(tl.steps, spec.pacing.replay(spec.steps)) \
            + spec.pacing.hold + LEAVE

    def play(self, lesson: Lesson) -> None:
        lesson.begin_act(self.name)
        p, stage, tl = lesson.prepared, lesson.stage, lesson.timeline
        boxes = stage.layout["replay"]
        tl.set(0)  # first: the plots are built (and fade in) showing iteration 0
        plots = VGroup(*[build_plot(d, tl, boxes[f"plot{i}"]) for i, d in enumerate(p.plots)])
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


def build_plot(d: PlotData, tl, box: Box) -> VGroup:
    """An iteration plot of ``d`` sized to fill ``box`` (see :func:`fit_plot`)."""
    return fit_plot(lambda w, h: IterationPlot(
        d.series, d.colors, tl, w, h, y_label=None, log_y=d.log, dashed=d.dashed,
        references=d.references), d.label, box, key=d.key, caption=d.caption)


def fit_plot(make: Callable[[float, float], PlotFrame], y_label: str, box: Box, *,
             key: str | None = None, caption: str | None = None) -> VGroup:
    """A plot sized to fill ``box``: its caption on top, then its y label (left) and
    key (right) above the axes, so the axes get the whole width. ``make(w, h)`` builds
    the plot with axes of that size (and no y label of its own)."""
    small = theme.SMALL_SIZE
    caption_text = Text(caption, font=theme.FONT, font_size=small, color=theme.MUTED) \
        if caption else None
    label = axis_label(y_label, small * 1.15)
    key_text = Text(key, font=theme.FONT, font_size=small * 0.85, color=theme.MUTED) \
        if key else None
    # the key goes beside the y label when both fit over the axes, else on a line above
    key_beside = key_text is not None and label.width + key_text.width + 0.3 <= box.width - 1.2
    lines = [caption_text.height if caption_text else 0.0,
             key_text.height if key_text is not None and not key_beside else 0.0]
    above = sum(x + 0.12 for x in lines if x) + max(
        label.height, key_text.height if key_beside and key_text is not None else 0.0) + 0.12

    probe = make(max(box.width - 1.0, 1.0), max(box.height - above - 0.8, 0.6))
    full, inner = box_of(probe), box_of(probe.box)
    left = inner.left - full.left + 0.02
    right = full.right - inner.right + 0.02
    bottom = inner.bottom - full.bottom + 0.02
    w = max(box.width - left - right, 0.5)
    h = max(box.height - bottom - above, 0.4)
    plot = make(w, h)
    plot.shift([box.left + left + w / 2 - plot.box.get_center()[0],
                box.top - above - h / 2 - plot.box.get_center()[1], 0])
    label.next_to(plot.box, UP, buff=0.12).align_to(plot.box, LEFT)
    group = VGroup(plot, label)
    group.plot = plot
    top: Mobject = label
    if key_text is not None:
        if key_beside:
            key_text.next_to(plot.box, UP, buff=0.12).align_to(plot.box, RIGHT)
            key_text.align_to(label, DOWN)
        else:
            key_text.next_to(label, UP, buff=0.12).align_to(plot.box, RIGHT)
            top = key_text
        group.add(key_text)
    if caption_text is not None:
        caption_text.next_to(top, UP, buff=0.12)
        caption_text.set_x(plot.box.get_center()[0])
        if caption_text.width > box.width:
            caption_text.scale_to_fit_width(box.width)
        group.add(caption_text)
    if not box_of(group).inside(box):  # a label wider than its plot: shrink to fit
        place(group, fit_target(group, box))
    return group
