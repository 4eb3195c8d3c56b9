"""Closing act: sentences computed from the runs, on a card below the picture."""

from __future__ import annotations

from typing import TYPE_CHECKING

from manim import UP

from ...kit.motion import fade_in, fit_target, place

if TYPE_CHECKING:
    from ..scene import Lesson

MOVE = 1.2
SHOW = 1.2


class Closing:
    name = "closing"

    def seconds(self, lesson: Lesson) -> float:
        moves = not lesson.prepared.spec.show.surface3d
        return (MOVE if moves else 0.0) + SHOW + lesson.prepared.spec.pacing.hold + 1.0

    def play(self, lesson: Lesson) -> None:
        lesson.begin_act(self.name)
        stage = lesson.stage
        card = stage.card
        box = stage.layout["closing"]["card"]
        place(card, fit_target(card, box))
        if getattr(stage, "columns", None) is not None:  # a swarm's maps side by side
            from .swarm import make_room

            lesson.play(make_room(lesson, box), run_time=MOVE)
        elif not lesson.prepared.spec.show.surface3d:  # the 2-D view makes room for the card
            lesson.play(*stage.arrange("closing"), run_time=MOVE)
        lesson.play(fade_in(card, shift=0.2 * UP), run_time=SHOW)
        stage.on_screen["card"] = card
        lesson.mark("closing")
        lesson.wait(lesson.prepared.spec.pacing.hold + 1.0)
