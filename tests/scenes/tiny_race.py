"""A one-second race on the kit, for export-format tests."""

from manim import Scene
from optiroll import dynamics as dyn
from optiroll.scenes.kit import Ball, ContourMap, Timeline, Trail, theme


class TinyRace(Scene):
    def construct(self) -> None:
        s = dyn.surface("ravine")
        run = dyn.rollout(s, dyn.optimizer("momentum", lr=0.1, beta=0.8), (-2.4, 0.2), 10)
        tl = Timeline(10, iterations_per_second=10)
        m = ContourMap(s, 9, 4.3, n_levels=6, resolution=80)
        self.add(m, Trail(m, run.positions, tl, theme.SKY_BLUE),
                 Ball(m, run.positions, tl, theme.SKY_BLUE))
        self.play(tl.play_to())
