"""Momentum in a ravine: the flagship clip.

    manim render scenes/momentum.py            # 1080p60 MP4 (see the README for more)

Retells the momentum article (shared/seeds/000): on L(x, y) = x^2/16 + 9y^2
from (-2.4, 0.2), lr 0.1, 50 iterations of heavy-ball momentum for
beta in {0, 0.8, 0.9}. Plain gradient descent zig-zags across the valley,
beta = 0.8 glides along it, beta = 0.9 overshoots; velocity builds up along x
and cancels along y; then the map rises into the surface and the camera flies
along the valley. Every number on screen comes from ``dynamics``.

Change the lesson by editing the class attributes below, or subclass
``MomentumRavine`` in your own file and override them.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    UR,
    Create,
    FadeIn,
    FadeOut,
    MathTypst,
    Scene,
    Text,
    VGroup,
    Write,
    config,
    smooth,
)

import dynamics as dyn
from scenes.kit import (
    Ball,
    Ball3D,
    ContourMap,
    IterationPlot,
    LayerCamera,
    Legend,
    SurfaceView,
    Timeline,
    Trail,
    format_value,
    iteration_readout,
    theme,
)
from scenes.kit.motion import Glide, MinimaMarkers, fit_box, ghost


class MomentumRavine(Scene):
    """The momentum lesson: 2-D race, velocity plots, 3-D fly-through."""

    SURFACE = "ravine"
    START = (-2.4, 0.2)
    LR = 0.1
    STEPS = 50
    BETAS = (0.0, 0.8, 0.9)
    #: playback speeds (iterations per second) of the race, the replay and the 3-D part
    RACE_SPEED = 5.0
    REPLAY_SPEED = 8.0
    FLY_SPEED = 5.0
    HOLD = 2.0  # seconds to let a result sink in
    SHOW_PLOTS = True
    SHOW_3D = True
    #: 3-D wall height in scene units; with the elevations below no face is seen from behind
    SURFACE_HEIGHT = 1.2

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("camera_class", LayerCamera)  # fast 3-D layer compositing
        super().__init__(**kwargs)
        #: scene time (s) at the end of each part, for stills (see scenes/gallery.py)
        self.marks: dict[str, float] = {}

    def mark(self, name: str) -> None:
        self.marks[name] = float(self.renderer.time)

    # -- the numbers ------------------------------------------------------------
    def compute(self) -> None:
        self.surface = dyn.surface(self.SURFACE)
        self.runs = [
            dyn.rollout(self.surface, dyn.optimizer("momentum", lr=self.LR, beta=b),
                        self.START, self.STEPS)
            for b in self.BETAS
        ]
        self.labels = [f"β = {b:g}" + (" (plain GD)" if b == 0 else "") for b in self.BETAS]
        names = ["gd" if b == 0 else "momentum" for b in self.BETAS]
        self.colors = theme.series_colors(names)

    # -- the clip ----------------------------------------------------------------
    def construct(self) -> None:
        self.compute()
        self.timeline = Timeline(self.STEPS, self.RACE_SPEED)
        self.intro()
        self.race()
        if self.SHOW_PLOTS:
            self.velocity_plots()
        if self.SHOW_3D:
            self.fly_through()
        self.closing()

    def intro(self) -> None:
        title = Text("Momentum in a ravine", font=theme.FONT, font_size=theme.TITLE_SIZE,
                     color=theme.FOREGROUND, weight="BOLD").to_corner(UL, buff=0.4)
        rule = MathTypst("v arrow.l beta v + nabla L(w) #h(1.2em) w arrow.l w - eta v",
                         font_size=34, color=theme.FOREGROUND).to_corner(UR, buff=0.45)
        rule.align_to(title, UP).shift(0.05 * DOWN)
        self.map = ContourMap(self.surface, width=9.0, height=4.3)
        self.map.to_edge(LEFT, buff=0.35).shift(0.45 * DOWN)
        formula = MathTypst(f"L(x, y) = {self.surface.typst}", font_size=28,
                            color=theme.MUTED).next_to(title, DOWN, aligned_edge=LEFT, buff=0.2)
        self.minima = MinimaMarkers(self.map, self.surface.minima)
        self.title, self.rule, self.formula = title, rule, formula
        self.play(Write(title), run_time=1.2)
        self.play(FadeIn(rule, shift=0.2 * DOWN), FadeIn(formula), run_time=1.2)
        self.play(Create(self.map.lines, lag_ratio=0.05), FadeIn(self.map.box),
                  FadeIn(VGroup(*[m for m in self.map if m not in (self.map.lines,
                                                                     self.map.box)])),
                  FadeIn(self.minima), run_time=2.0)

    def race(self) -> None:
        tl = self.timeline
        self.trails = VGroup(*[Trail(self.map, r.positions, tl, c)
                               for r, c in zip(self.runs, self.colors, strict=True)])
        self.balls = VGroup(*[Ball(self.map, r.positions, tl, c)
                              for r, c in zip(self.runs, self.colors, strict=True)])
        counter = iteration_readout(tl)
        settings = Text(f"lr {self.LR:g} · start ({self.START[0]:g}, {self.START[1]:g})",
                        font=theme.FONT, font_size=theme.SMALL_SIZE, color=theme.MUTED)
        self.legend = Legend(self.labels, self.colors, [r.loss for r in self.runs],
                             [int(r.diverged_at) for r in self.runs], tl)
        panel = VGroup(counter, settings, self.legend).arrange(DOWN, aligned_edge=LEFT,
                                                               buff=0.35)
        panel.next_to(self.map.box, RIGHT, buff=0.45).align_to(self.map.box, UP)
        right = config.frame_width / 2 - 0.3
        if panel.get_right()[0] > right:  # long labels: shrink to fit the frame
            panel.scale((right - panel.get_left()[0]) / panel.width, about_edge=LEFT + UP)
        self.panel, self.counter = panel, counter
        self.play(FadeIn(panel), FadeIn(self.balls), run_time=1.0)
        self.add(self.trails, self.balls)
        self.play(tl.play_to())
        self.mark("race")
        self.wait(self.HOLD)

    def velocity_plots(self) -> None:
        tl = self.timeline
        vel = [r.state["velocity"] for r in self.runs]
        w, h = 5.2, 2.05
        px = IterationPlot([v[:, 0] for v in vel], self.colors, tl, w, h, y_label="$v_x$")
        py = IterationPlot([v[:, 1] for v in vel], self.colors, tl, w, h, y_label="$v_y$")
        plots = VGroup(px, py).arrange(RIGHT, buff=1.3).to_edge(DOWN, buff=0.3)
        py.shift((px.box.get_center()[1] - py.box.get_center()[1]) * UP)  # boxes level
        cap_x = Text("along the valley, velocity builds up", font=theme.FONT,
                     font_size=theme.SMALL_SIZE, color=theme.MUTED).next_to(px.box, UP, 0.12)
        cap_y = Text("across it, the zig-zags cancel", font=theme.FONT,
                     font_size=theme.SMALL_SIZE, color=theme.MUTED).next_to(py.box, UP, 0.12)
        self.map.save_state()
        panel_home = ghost(self.panel)
        small_map = ghost(self.map).scale(0.62).to_corner(UL, buff=0.35).shift(0.95 * DOWN)
        # the panel goes right of the small map, above the plots' captions
        panel_target = fit_box(self.panel, small_map.get_right()[0] + 0.5,
                               config.frame_width / 2 - 0.3, cap_y.get_top()[1] + 0.25,
                               small_map.get_top()[1])
        tl.set(0)
        self.play(self.map.animate.scale(0.62).to_corner(UL, buff=0.35).shift(0.95 * DOWN),
                  Glide(self.panel, panel_target), FadeOut(self.formula), run_time=1.5)
        self.play(FadeIn(plots), FadeIn(cap_x), FadeIn(cap_y), run_time=1.0)
        self.play(tl.play_to(iterations_per_second=self.REPLAY_SPEED))
        self.mark("plots")
        self.wait(self.HOLD)
        self.plots = VGroup(plots, cap_x, cap_y)
        self.play(FadeOut(self.plots), self.map.animate.restore(),
                  Glide(self.panel, panel_home), FadeIn(self.formula), run_time=1.5)

    def fly_through(self) -> None:
        tl = self.timeline
        balls3d = [Ball3D(r.positions, c) for r, c in zip(self.runs, self.colors, strict=True)]
        view = SurfaceView(self.map, balls3d, tl, height=self.SURFACE_HEIGHT)
        view.layer_opacity.set_value(0.0)
        # clear the race, rewind, and replay it on the surface
        self.play(FadeOut(self.trails), FadeOut(self.balls), run_time=0.6)
        self.remove(self.trails, self.balls)
        tl.set(0)
        self.add(view)
        self.bring_to_front(self.title, self.rule, self.formula, self.panel)
        # the 3-D layer starts flat and top-down, exactly over the map: cross-fade
        self.play(view.layer_opacity.animate.set_value(1.0),
                  FadeOut(VGroup(self.map, self.minima)), run_time=1.2)
        start_x = (self.START[0] - sum(self.map.x_range) / 2) * view.renderer3d.sx
        panel_target = fit_box(self.panel, 3.5, config.frame_width / 2 - 0.3, 0.4, 2.9)
        # the map rises into the surface while the camera tilts into a 3/4 view
        self.play(view.lift.animate.set_value(1.0), view.elevation.animate.set_value(44),
                  view.azimuth.animate.set_value(-112), view.perspective.animate.set_value(1.0),
                  view.zoom.animate.set_value(1.0), view.target_x.animate.set_value(start_x * 0.4),
                  view.screen_x.animate.set_value(-1.3), view.screen_y.animate.set_value(-0.7),
                  FadeOut(self.formula), Glide(self.panel, panel_target),
                  run_time=3.5, rate_func=smooth)
        # the balls roll down the valley; the camera follows them and turns
        self.mark("rise")
        seconds = tl.seconds_to(iterations_per_second=self.FLY_SPEED)
        self.play(tl.play_to(iterations_per_second=self.FLY_SPEED),
                  view.target_x.animate.set_value(0.0), view.azimuth.animate.set_value(-135),
                  view.elevation.animate.set_value(46), view.zoom.animate.set_value(0.68),
                  view.screen_x.animate.set_value(-0.9), view.screen_y.animate.set_value(0.6),
                  run_time=seconds, rate_func=smooth)
        self.view3d = view

    def closing(self) -> None:
        card = VGroup(*[Text(t, font=theme.FONT, font_size=theme.BODY_SIZE,
                             color=theme.FOREGROUND) for t in self.conclusions()])
        card.arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        if card.width > config.frame_width - 1.0:
            card.scale_to_fit_width(config.frame_width - 1.0)
        card.to_edge(DOWN, buff=0.35)
        self.play(FadeIn(card, shift=0.2 * UP), run_time=1.2)
        self.mark("closing")
        self.wait(self.HOLD + 1.0)

    def conclusions(self) -> list[str]:
        """The closing card's sentences, each built from the computed runs."""
        lines = []
        runs, betas = self.runs, self.BETAS
        settled = [i for i, r in enumerate(runs) if not r.diverged]
        for i, r in enumerate(runs):
            if r.diverged:
                lines.append(f"β = {betas[i]:g}: lr {self.LR:g} is too large here, "
                             f"the ball flies off at step {int(r.diverged_at)}")
        moving = [i for i in settled if betas[i] > 0]
        if 0 in settled and betas[0] == 0 and moving:
            i_best = min(moving, key=lambda i: runs[i].final_loss)
            ratio = runs[0].final_loss / runs[i_best].final_loss
            lines.append(f"{self.STEPS} steps, lr {self.LR:g}: momentum β = {betas[i_best]:g} "
                         f"ends {_round_sig(ratio)}× lower than plain gradient descent")
            over = [i for i in moving if betas[i] > betas[i_best]]
            if over:
                i = over[0]
                lines.append(f"β = {betas[i]:g} builds up too much speed and overshoots: "
                             f"loss {format_value(runs[i].final_loss)}")
        return lines[:3]


def _round_sig(x: float, sig: int = 2) -> str:
    """``3566 -> '3,600'``: a ratio for the closing card."""
    if not np.isfinite(x):
        return "∞"
    digits = sig - 1 - int(np.floor(np.log10(abs(x))))
    v = round(x, digits)
    return f"{v:,.0f}" if v >= 100 else f"{v:.{max(digits, 0)}f}"
