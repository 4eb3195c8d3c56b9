"""Scenes timed by bench_render.py: the flagship's 2-D race and its 3-D ride, alone."""

from __future__ import annotations

from manim import Scene

import dynamics as dyn
from scenes.kit import Ball, Ball3D, ContourMap, LayerCamera, SurfaceView, Timeline, Trail, theme

STEPS, SPEED = 50, 5.0  # 10 s, as in the flagship


def lesson() -> tuple[dyn.Surface, list[dyn.Rollout], list[str]]:
    s = dyn.surface("ravine")
    runs = [dyn.rollout(s, dyn.optimizer("momentum", lr=0.1, beta=b), (-2.4, 0.2), STEPS)
            for b in (0.0, 0.8, 0.9)]
    return s, runs, theme.series_colors(["gd", "momentum", "momentum"])


class Race2D(Scene):
    def construct(self) -> None:
        s, runs, colors = lesson()
        tl = Timeline(STEPS, SPEED)
        m = ContourMap(s, 12.0, 5.7)
        self.add(m, *[Trail(m, r.positions, tl, c) for r, c in zip(runs, colors, strict=True)],
                 *[Ball(m, r.positions, tl, c) for r, c in zip(runs, colors, strict=True)])
        self.play(tl.play_to())


class Ride3D(Scene):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(camera_class=LayerCamera, **kwargs)

    def construct(self) -> None:
        s, runs, colors = lesson()
        tl = Timeline(STEPS, SPEED)
        m = ContourMap(s, 9.0, 4.3)
        view = SurfaceView(m, [Ball3D(r.positions, c) for r, c in zip(runs, colors, strict=True)],
                           tl, height=1.2)
        for tracker, value in ((view.lift, 1.0), (view.elevation, 44), (view.azimuth, -112),
                               (view.perspective, 1.0)):
            tracker.set_value(value)
        self.add(view)
        self.play(tl.play_to(), view.azimuth.animate.set_value(-135),
                  view.zoom.animate.set_value(0.8), run_time=STEPS / SPEED)
