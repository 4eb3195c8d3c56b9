"""Title act: the title, the surface's formula, the update rules; the map is drawn in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from manim import DOWN, Create, VGroup, Write

from ...kit.motion import fade_in, fade_out

if TYPE_CHECKING:
    from ..scene import Lesson

WRITE = 1.2
RULES = 1.2
READ = 1.6  #: time to read update rules shown on their own card
DRAW = 2.0


class Title:
    name = "title"

    def seconds(self, lesson: Lesson) -> float:
        stage = lesson.stage
        on_card = len(stage.rules) and not stage.rules_in_header
        return WRITE + RULES + (READ + 0.8 if on_card else 0.0) + DRAW

    def play(self, lesson: Lesson) -> None:
        lesson.begin_act(self.name)
        stage = lesson.stage
        header = stage.header
        lesson.play(Write(header.title), run_time=WRITE)
        rest = [fade_in(m) for m in header.lines[1:]]
        if len(stage.rules):
            rest.append(fade_in(stage.rules, shift=0.2 * DOWN))
        if rest:
            lesson.play(*rest, run_time=RULES)
        else:
            lesson.wait(RULES)
        if len(stage.rules) and not stage.rules_in_header:
            lesson.wait(READ)
            lesson.play(fade_out(stage.rules), run_time=0.8)
        m = stage.map
        others = VGroup(*[x for x in m if x not in (m.lines, m.box)])
        lesson.play(Create(m.lines, lag_ratio=0.05), fade_in(m.box), fade_in(others),
                    fade_in(stage.minima), run_time=DRAW)
