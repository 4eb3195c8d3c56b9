"""Closing act: sentences computed from the runs, on a card below the picture (beside
a swarm's maps when they keep their size there and the card's text stays at least
80 % of body size: :func:`.swarm.closing_boxes`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from manim import UP, Animation, ValueTracker

from ...kit.motion import fade_in, fit_target, place

if TYPE_CHECKING:
    from ..scene import Lesson

MOVE = 1.2
SHOW = 1.2


def moves(lesson: Lesson) -> bool:
    """Whether the picture makes room for the card: a 2-D view always; after the 3-D
    ride, where the view or the side panel took the card's room during it."""
    if not lesson.prepared.spec.show.surface3d:
        return True
    stages = lesson.stage.layout.stages
    return any(stages["closing"][k] != stages["surface3d"][k] for k in ("view3d", "side"))


def settle_view(lesson: Lesson) -> list[Animation]:
    """The 3-D view's camera settling into the view's closing box (above the card),
    where the ride had the card's room too: its zoom and screen position, and, where
    the flight's last pose hides a ball that ended on the map behind a hill or a rim,
    its elevation, rising until every such ball shows (:meth:`CameraPath.revealing_elevation`)."""
    stage = lesson.stage
    view, path = getattr(stage, "view3d", None), getattr(stage, "path", None)
    boxes = stage.layout.stages
    if view is None or path is None or boxes["closing"]["view3d"] == boxes["surface3d"]["view3d"]:
        return []
    b = boxes["closing"]["view3d"]
    region = (b.left, b.right, b.bottom, b.top)
    elevation = path.revealing_elevation(resting_balls(view), region)
    f = ValueTracker(0.0)
    view.camera_fn = lambda: path.settle(f.get_value(), region, elevation)
    return [f.animate.set_value(1.0)]


def resting_balls(view) -> np.ndarray:
    """Data points of the balls the 3-D view draws at the end
    (:meth:`SurfaceRenderer.ball_point` at the last iteration)."""
    points = [view.renderer3d.ball_point(ball, float(view.timeline.steps))
              for ball in view.balls3d]
    return np.array([p for p in points if p is not None], float).reshape(-1, 2)


class Closing:
    name = "closing"

    def seconds(self, lesson: Lesson) -> float:
        return (MOVE if moves(lesson) else 0.0) + SHOW + lesson.prepared.spec.pacing.hold + 1.0

    def play(self, lesson: Lesson) -> None:
        lesson.begin_act(self.name)
        stage = lesson.stage
        if getattr(stage, "columns", None) is not None:  # a swarm's maps side by side
            from .swarm import closing_boxes, make_room

            plan = closing_boxes(lesson)
            stage.card = plan.card  # beside the columns: wrapped to its own column
            place(stage.card, fit_target(stage.card, plan.card_box,
                                         align="center" if plan.beside else "top-left"))
            lesson.play(make_room(lesson, plan), run_time=MOVE)
        else:
            place(stage.card, fit_target(stage.card, stage.layout["closing"]["card"]))
            if moves(lesson):  # the 2-D view, or the 3-D view and its panel, make room
                lesson.play(*stage.arrange("closing"), *settle_view(lesson), run_time=MOVE)
        card = stage.card
        lesson.play(fade_in(card, shift=0.2 * UP), run_time=SHOW)
        stage.on_screen["card"] = card
        lesson.mark("closing")
        lesson.wait(lesson.prepared.spec.pacing.hold + 1.0)
