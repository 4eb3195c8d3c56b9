"""Race act: balls with fading trails race on the map; the legend shows live losses
and "diverged at step k"; optional arrows (gradient step, step taken, look-ahead
gradient) ride along, slowly, for the first steps; Newton runs can carry their local
quadratic model (``show.model``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from manim import Circle, VGroup

from ...kit import theme
from ...kit.balls import Ball, Trail, VectorArrow, nest
from ...kit.motion import fade_in, fade_out
from ...kit.quadratic import ModelEllipse
from ..stage import ARROW_STYLE, box_of

if TYPE_CHECKING:
    from ..prepare import ArrowData
    from ..scene import Lesson

ENTER = 1.0
ARROWS_OUT = 0.6
#: between two runs' turns with arrows (``show.arrows_in_turn``): the steps run back to
#: the start while the last run's arrows fade, then the next run's arrows fade in
TURN_REWIND = 0.8
TURN_ENTER = 0.4


def arrow_steps(lesson: Lesson) -> int:
    """How many steps play slowly with arrows (0: no arrows)."""
    show = lesson.prepared.spec.show
    if not show.arrows or not lesson.prepared.arrows:
        return 0
    return min(show.arrow_steps or lesson.timeline.steps, lesson.timeline.steps)


class Race:
    name = "race"

    def lead_in(self, lesson: Lesson) -> float:
        """The seconds played before the act's section begins (the legend and balls
        coming in, and the header and map without a title act): see :meth:`play`."""
        return ENTER + (0.0 if lesson.prepared.spec.show.title else ENTER)

    def seconds(self, lesson: Lesson) -> float:
        spec, tl = lesson.prepared.spec, lesson.timeline
        k = arrow_steps(lesson)
        t = self.lead_in(lesson)
        if k:
            turns = arrow_turns(lesson)
            t += len(turns) * max(k / spec.pacing.arrow_speed, 1e-3)
            t += (len(turns) - 1) * (TURN_REWIND + TURN_ENTER)
            t += ARROWS_OUT if k < tl.steps else 0.0
        if k < tl.steps:
            t += tl.seconds_for(tl.steps - k, spec.pacing.race(spec.steps))
        return t + spec.pacing.hold

    def play(self, lesson: Lesson) -> None:
        p, stage, tl = lesson.prepared, lesson.stage, lesson.timeline
        spec = p.spec
        if not spec.show.title:  # no title act: bring the header and map in now
            lesson.play(fade_in(stage.header), fade_in(stage.map), fade_in(stage.minima),
                        *([fade_in(stage.rules)] if stage.rules_in_header else []),
                        run_time=ENTER)
        tl.set(0)
        stage.trails = VGroup(*[  # jagged beneath smooth (prepare.paint_order)
            Trail(stage.map, p.runs[i].positions, tl, p.colors[i], fade_after=spec.show.trail_fade)
            for i in p.paint_order]) if spec.show.trails else VGroup()
        stage.balls = VGroup(*nest([Ball(stage.map, r.positions, tl, c)
                                    for r, c in zip(p.runs, p.colors, strict=True)]))
        made = [(a.run, make_arrow(stage.map, a, p.colors[a.run], tl)) for a in p.arrows]
        turns = [VGroup(*[arrow for run, arrow in made if run in group])
                 for group in arrow_turns(lesson)]
        arrows = turns[0] if turns else VGroup()  # the first turn's: all, unless in turn
        models = VGroup(*[ModelEllipse(stage.map, m.centres, m.axes, m.valid, tl,
                                       p.colors[m.run]) for m in p.models])
        enter = [fade_in(stage.panel), fade_in(stage.balls)]
        if stage.data is not None:
            enter.append(fade_in(stage.data))
        if len(arrows):
            enter.append(fade_in(arrows))
        if len(models):
            enter.append(fade_in(models))
        lesson.play(*enter, run_time=ENTER)
        lesson.add(stage.trails, models, arrows, stage.balls)
        stage.on_screen.update(map=stage.map, side=_Visible(stage.panel))
        if stage.data is not None:
            stage.on_screen["data"] = stage.data
        # the race's slide starts here, after the legend came in, so it can loop
        lesson.begin_act(self.name, loop=spec.slides.loop_race)
        lesson.mark("race-start")
        k = arrow_steps(lesson)
        if k:
            lesson.play(tl.play_to(k, iterations_per_second=spec.pacing.arrow_speed))
            lesson.mark("arrows-1")  # (the end of each turn: arrows-2, ... in turn)
            for n, turn in enumerate(turns[1:], 2):  # the steps again, the next run's arrows
                lesson.play(tl.rewind(TURN_REWIND), fade_out(arrows), run_time=TURN_REWIND)
                lesson.remove(arrows)
                arrows = turn
                lesson.add(arrows)  # beneath the balls while they fade in, as after
                lesson.bring_to_front(stage.balls)
                lesson.play(fade_in(arrows), run_time=TURN_ENTER)
                lesson.play(tl.play_to(k, iterations_per_second=spec.pacing.arrow_speed))
                lesson.mark(f"arrows-{n}")
            if k < tl.steps:  # the arrows go, and their key lines with them
                stage.panel.retire(stage.arrow_keys)
                lesson.play(fade_out(arrows), *stage.panel.glide(stage.flow("race")),
                            run_time=ARROWS_OUT)
                lesson.remove(arrows)
        stage.arrows = arrows if k >= tl.steps else VGroup()
        if k < tl.steps:
            lesson.play(tl.play_to(iterations_per_second=spec.pacing.race(spec.steps)))
        lesson.mark("race")
        lesson.wait(spec.pacing.hold)


def arrow_turns(lesson: Lesson) -> list[set[int]]:
    """The runs whose arrows show together, turn by turn: every run with arrows in one
    turn, or with ``show.arrows_in_turn`` one run a turn (in the runs' order)."""
    runs = sorted({a.run for a in lesson.prepared.arrows})
    if not runs:
        return []
    return [{r} for r in runs] if lesson.prepared.spec.show.arrows_in_turn else [set(runs)]


def make_arrow(frame, a: ArrowData, color: str, tl) -> VGroup:
    """An arrow of kind ``a.kind`` in its style; the look-ahead one with a ring at the
    look-ahead point."""
    style = ARROW_STYLE[a.kind]
    arrow = VectorArrow(frame, a.positions, a.vectors, tl, style["color"] or color,
                        stroke_width=style["stroke_width"])
    if a.kind != "lookahead":
        return VGroup(arrow)
    ring = Circle(radius=0.07, color=theme.YELLOW, stroke_width=2.5)
    ring.add_updater(lambda m: _follow_point(m, frame, arrow))
    _follow_point(ring, frame, arrow)  # in place now: a fade-in pauses updaters
    return VGroup(arrow, ring)


def _follow_point(ring, frame, arrow: VectorArrow) -> None:
    ring.move_to(arrow.get_start())
    ring.set_stroke(opacity=arrow.get_stroke_opacity())


class _Visible:
    """The box of a side panel's visible parts (a compact flow hides some)."""

    def __init__(self, panel) -> None:
        self.panel = panel

    def __call__(self):
        from ..layout import Box

        boxes = [box_of(p) for p in self.panel.visible_parts()]
        return Box(min(b.left for b in boxes), max(b.right for b in boxes),
                   min(b.bottom for b in boxes), max(b.top for b in boxes))
