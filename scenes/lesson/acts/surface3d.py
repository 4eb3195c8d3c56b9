"""3-D act: the map rises into the surface, the balls ride it, the camera flies a path
fitted to the 3-D panel (the surface never leaves it or slides under the legend)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from manim import ValueTracker, VGroup, linear, smooth

from ...kit.motion import fade_out
from ...kit.surface3d import Ball3D, CameraPath, SurfaceView
from ...kit.timeline import at
from ..layout import Box
from .replay import REWIND

if TYPE_CHECKING:
    from ..scene import Lesson

CROSSFADE = 1.2
RISE = 3.5


class Surface3D:
    name = "surface3d"

    def seconds(self, lesson: Lesson) -> float:
        spec, tl = lesson.prepared.spec, lesson.timeline
        return REWIND + CROSSFADE + RISE + tl.seconds_for(
            tl.steps, spec.pacing.fly(spec.steps))

    def play(self, lesson: Lesson) -> None:
        lesson.begin_act(self.name)
        p, stage, tl = lesson.prepared, lesson.stage, lesson.timeline
        spec = p.spec
        gone = VGroup(stage.trails, stage.balls, stage.arrows)
        # the race runs back to its start (balls, trails, legend, data panel), where the
        # 3-D ride begins
        lesson.play(tl.rewind(REWIND), run_time=REWIND)
        tl.set(0)
        height = spec.camera.height * stage.map.box.height
        view = SurfaceView(stage.map, [Ball3D(r.positions, c) for r, c in
                                       zip(p.runs, p.colors, strict=True)], tl, height=height,
                           minima=spec.show.minima)
        view.layer_opacity.set_value(0.0)
        region = stage.layout["surface3d"]["view3d"]
        path = CameraPath(view.renderer3d, [(k.azimuth, k.elevation, k.zoom)
                                            for k in spec.camera.path],
                          (region.left, region.right, region.bottom, region.top),
                          targets=follow_targets(lesson, view) if spec.camera.follow else None,
                          perspective=spec.camera.perspective)
        flat = view.camera()  # top-down and flat: exactly over the 2-D map
        lesson.add(view)
        lesson.bring_to_front(stage.header, stage.panel, *([stage.rules]
                                                            if stage.rules_in_header else []))
        leaving = [stage.map, stage.minima, *stage.header.lines[1:]]
        leaving += [stage.data] if stage.data is not None else []
        # the layer, drawn over the 2-D balls, lines up with the map pixel for pixel: each
        # ball dissolves into its 3-D twin (never below three quarters of its strength)
        lesson.play(view.layer_opacity.animate.set_value(1.0), fade_out(VGroup(*leaving)),
                    fade_out(gone), run_time=CROSSFADE)
        lesson.remove(gone)
        stage.header.remove(*stage.header.lines[1:])  # the title alone from here on
        for name in ("map", "data"):
            stage.on_screen.pop(name, None)
        stage.on_screen["view3d"] = lambda: Box(*view.renderer3d.extent(
            view.camera(), view.lift.get_value()))
        rise, ride = ValueTracker(0.0), ValueTracker(0.0)
        view.camera_fn = lambda: path.rise(rise.get_value(), flat) if ride.get_value() == 0 \
            else path.at(ride.get_value())
        lesson.play(rise.animate.set_value(1.0), view.lift.animate.set_value(1.0),
                    *stage.arrange("surface3d", rate_func=smooth), run_time=RISE,
                    rate_func=smooth)
        lesson.mark("rise")
        seconds = tl.seconds_for(tl.steps, spec.pacing.fly(spec.steps))
        lesson.play(tl.play_to(iterations_per_second=spec.pacing.fly(spec.steps),
                               rate_func=linear),
                    ride.animate(rate_func=smooth).set_value(1.0), run_time=seconds)
        stage.view3d = view
        stage.path = path
        lesson.mark("ride")


def follow_targets(lesson: Lesson, view: SurfaceView, samples: int = 21) -> np.ndarray:
    """Where the camera looks during the ride: halfway from the map's centre to the mean
    of the balls still on the map, smoothed over time."""
    r3d = view.renderer3d
    tl = lesson.timeline
    out = []
    for u in np.linspace(0.0, 1.0, samples):
        pts = np.array([at(r.positions, u * tl.steps) for r in lesson.prepared.runs])
        ok = np.all(np.isfinite(pts), axis=1) & lesson.stage.map.inside(
            np.nan_to_num(pts, nan=np.inf))
        if not ok.any():
            out.append(out[-1] if out else np.zeros(3))
            continue
        mean = pts[ok].mean(axis=0)
        w = r3d.world(mean[None], r3d.surface.value(mean[None]), 1.0)[0]
        out.append(0.5 * w)
    out = np.array(out)
    kernel = np.ones(5) / 5
    padded = np.pad(out, ((2, 2), (0, 0)), mode="edge")
    return np.stack([np.convolve(padded[:, j], kernel, mode="valid") for j in range(3)], -1)



