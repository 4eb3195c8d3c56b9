"""Replay act: the map shrinks, plots of recorded series appear beside it, and the
race replays with the plots drawn by the same timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from manim import RIGHT, UP, FadeIn, FadeOut, Text, VGroup

from ...kit import theme
from ...kit.frame import PlotFrame
from ...kit.plots import IterationPlot
from ..layout import Box
from ..stage import box_of, fit_target, place

if TYPE_CHECKING:
    from ..prepare import PlotData
    from ..scene import Lesson

MOVE = 1.5
SHOW = 1.0
LEAVE = 1.2


class Replay:
    name = "replay"

    def seconds(self, lesson: Lesson) -> float:
        spec, tl = lesson.prepared.spec, lesson.timeline
        return MOVE + SHOW + tl.seconds_for(tl.steps, spec.pacing.replay(spec.steps)) \
            + spec.pacing.hold + LEAVE

    def play(self, lesson: Lesson) -> None:
        p, stage, tl = lesson.prepared, lesson.stage, lesson.timeline
        boxes = stage.layout["replay"]
        plots = VGroup(*[build_plot(d, tl, boxes[f"plot{i}"]) for i, d in enumerate(p.plots)])
        stage.plots = plots
        tl.set(0)
        lesson.play(*stage.arrange("replay"), run_time=MOVE)
        lesson.play(FadeIn(plots), run_time=SHOW)
        lesson.play(tl.play_to(iterations_per_second=p.spec.pacing.replay(p.spec.steps)))
        lesson.mark("plots")
        lesson.wait(p.spec.pacing.hold)
        lesson.play(FadeOut(plots), *stage.arrange("race"), run_time=LEAVE)
        lesson.remove(plots)


def build_plot(d: PlotData, tl, box: Box) -> VGroup:
    """A plot with its caption above and its key, sized to fill ``box``."""
    caption = Text(d.caption, font=theme.FONT, font_size=theme.SMALL_SIZE,
                   color=theme.MUTED) if d.caption else None
    key = Text(d.key, font=theme.FONT, font_size=theme.SMALL_SIZE * 0.85,
               color=theme.MUTED) if d.key else None
    top_h = max(caption.height if caption else 0.0, key.height if key else 0.0)
    top_h = top_h + 0.12 if top_h else 0.0
    probe = PlotFrame((0, 10), (0, 1), 4.0, 2.0, x_label="iteration", y_label=d.label,
                      log_y=False)
    full, inner = box_of(probe), box_of(probe.box)
    left, right = inner.left - full.left + 0.25, full.right - inner.right + 0.05
    bottom = inner.bottom - full.bottom + 0.05
    w = max(box.width - left - right, 0.5)
    h = max(box.height - bottom - top_h - 0.05, 0.4)
    plot = IterationPlot(d.series, d.colors, tl, w, h, y_label=d.label, log_y=d.log,
                         dashed=d.dashed)
    plot.shift([box.left + left + w / 2 - plot.box.get_center()[0],
                box.top - top_h - h / 2 - plot.box.get_center()[1], 0])
    group = VGroup(plot)
    if caption is not None:
        caption.next_to(plot.box, UP, buff=0.12)
        if caption.width > box.width:
            caption.scale_to_fit_width(box.width)
        group.add(caption)
    if key is not None:
        key.next_to(plot.box, UP, buff=0.12).align_to(plot.box, RIGHT)
        if caption is not None:  # both above the plot: caption left, key right
            caption.align_to(plot.box, np.array([-1.0, 0, 0]))
            room = key.get_left()[0] - 0.25 - caption.get_left()[0]
            if caption.width > room:
                caption.scale(room / caption.width, about_edge=np.array([-1.0, -1.0, 0]))
        group.add(key)
    if not box_of(group).inside(box):  # labels longer than the probe's: shrink to fit
        place(group, fit_target(group, box))
    return group

