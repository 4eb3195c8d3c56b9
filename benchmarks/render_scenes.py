"""Scenes timed by bench_render.py: the flagship's 2-D race and its 3-D ride, alone."""

from __future__ import annotations

import numpy as np
from manim import DEGREES, Scene, Surface, ThreeDAxes, ThreeDScene
from optiroll import dynamics as dyn
from optiroll.scenes.kit import (
    Ball,
    Ball3D,
    ContourMap,
    LayerCamera,
    SurfaceView,
    Timeline,
    Trail,
    theme,
)
from optiroll.scenes.kit.surface3d import mesh_shape

STEPS, SPEED = 50, 5.0  # 10 s, as in the flagship
RACE_MAP = (12.0, 5.7)  #: the 2-D race's contour map (scene units)
RIDE_MAP = (9.0, 4.3)  #: the 3-D ride's contour map
#: the faces SurfaceView draws over the ride's map (the kit's own mesh), for the stock Surface
STOCK_MESH = mesh_shape(*RIDE_MAP)


def lesson() -> tuple[dyn.Surface, list[dyn.Rollout], list[str]]:
    s = dyn.surface("ravine")
    runs = [dyn.rollout(s, dyn.optimizer("momentum", lr=0.1, beta=b), (-2.4, 0.2), STEPS)
            for b in (0.0, 0.8, 0.9)]
    return s, runs, theme.series_colors(["gd", "momentum", "momentum"])


class Race2D(Scene):
    #: None: the whole race; else the seconds played (Race2DStart: the start-up alone)
    SECONDS: float | None = None

    def construct(self) -> None:
        s, runs, colors = lesson()
        tl = Timeline(STEPS, SPEED)
        m = ContourMap(s, *RACE_MAP)
        self.add(m, *[Trail(m, r.positions, tl, c) for r, c in zip(runs, colors, strict=True)],
                 *[Ball(m, r.positions, tl, c) for r, c in zip(runs, colors, strict=True)])
        if self.SECONDS is None:
            self.play(tl.play_to())
        else:
            self.play(tl.play_to(1), run_time=self.SECONDS)


class Race2DStart(Race2D):
    """The same scene for a few frames: its time is the start-up (imports, the runs, the
    contour map, the file) that Race2D's per-frame figure should not include."""

    SECONDS = 0.1


class Ride3D(Scene):
    SECONDS: float | None = None  # None: the whole ride

    def __init__(self, **kwargs: object) -> None:
        super().__init__(camera_class=LayerCamera, **kwargs)

    def construct(self) -> None:
        s, runs, colors = lesson()
        tl = Timeline(STEPS, SPEED)
        m = ContourMap(s, *RIDE_MAP)
        view = SurfaceView(m, [Ball3D(r.positions, c) for r, c in zip(runs, colors, strict=True)],
                           tl, height=1.2)
        for tracker, value in ((view.lift, 1.0), (view.elevation, 44), (view.azimuth, -112),
                               (view.perspective, 1.0)):
            tracker.set_value(value)
        self.add(view)
        self.play(tl.play_to(), view.azimuth.animate.set_value(-135),
                  view.zoom.animate.set_value(0.8), run_time=self.SECONDS or STEPS / SPEED)


class Ride3DStart(Ride3D):
    """A few frames of the ride: its start-up, left out of the per-frame figure."""

    SECONDS = 0.1


class StockSurface3D(ThreeDScene):
    """Manim's own Surface at the kit's mesh, with a moving camera, for comparison."""

    SECONDS = 0.25  # a handful of frames: each costs seconds

    def construct(self) -> None:
        s, _, _ = lesson()
        (x0, x1), (y0, y1) = s.view
        nx, ny = STOCK_MESH
        surface = Surface(
            lambda u, v: np.array([u * RIDE_MAP[0] / (x1 - x0), v * RIDE_MAP[1] / (y1 - y0),
                                   float(s.value(np.array([u, v]))) * 0.5]),
            u_range=(x0, x1), v_range=(y0, y1), resolution=(nx, ny),
        )
        surface.set_fill_by_value(axes=ThreeDAxes(), colorscale=[theme.SKY_BLUE, theme.YELLOW],
                                  axis=2)
        self.set_camera_orientation(phi=50 * DEGREES, theta=-110 * DEGREES)
        self.add(surface)
        self.move_camera(theta=-120 * DEGREES, run_time=self.SECONDS)


class StockSurface3DStart(StockSurface3D):
    """One frame of the stock surface: its start-up, left out of the per-frame figure."""

    SECONDS = 1 / 60
