"""Momentum in a ravine: the flagship clip.

    manim render scenes/momentum.py            # 1080p60 MP4 (see the README for more)

Retells the article "用python中的Momentum 可视化梯度下降" ("Visualizing gradient
descent with momentum in Python", one of the project's source articles, kept
outside this repository): on L(x, y) = x^2/16 + 9y^2 from
(-2.4, 0.2), lr 0.1, 50 iterations of heavy-ball momentum for beta in
{0, 0.8, 0.9}. Plain gradient descent zig-zags across the valley, beta = 0.8
glides along it, beta = 0.9 overshoots; velocity builds up along x and cancels
along y; then the map rises into the surface and the camera flies along the
valley. Every number and every sentence on screen is computed from the runs.

Change the lesson through the class attributes below, or subclass
``MomentumRavine`` in your own file and override them.
"""

from __future__ import annotations

import numpy as np
from optiroll import dynamics as dyn
from optiroll.scenes.lesson import CameraSpec, LessonSpec, PacingSpec, RunSpec, ShowSpec
from optiroll.scenes.lesson.prepare import MAX_CONCLUSIONS
from optiroll.scenes.lesson.scene import Lesson
from optiroll.scenes.text import format_value, join_words, times


class MomentumRavine(Lesson):
    """The momentum lesson: 2-D race, velocity plots, 3-D fly-through."""

    SURFACE = "ravine"
    VIEW = None  # ((xmin, xmax), (ymin, ymax)); None: the surface's own view
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
    #: 3-D wall height, as a fraction of the map's height
    SURFACE_HEIGHT = 0.28

    @classmethod
    def make_spec(cls) -> LessonSpec:
        runs = [RunSpec(optimizer="momentum", lr=cls.LR, beta=b,
                        label=f"β = {b:g}" + (" (plain GD)" if b == 0 else ""))
                for b in cls.BETAS]
        return LessonSpec(
            title="Momentum in a ravine", surface=cls.SURFACE, view=cls.VIEW, start=cls.START,
            steps=cls.STEPS, runs=runs,
            show=ShowSpec(plots=["velocity.x", "velocity.y"] if cls.SHOW_PLOTS else [],
                          surface3d=cls.SHOW_3D),
            pacing=PacingSpec(race_speed=cls.RACE_SPEED, replay_speed=cls.REPLAY_SPEED,
                              fly_speed=cls.FLY_SPEED, hold=cls.HOLD),
            camera=CameraSpec(height=cls.SURFACE_HEIGHT))

    @staticmethod
    def captions(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        """Each velocity plot's caption, chosen by what the runs did."""
        betas = [r.built_optimizer.hyperparams["beta"] for r in spec.runs]
        v = [r.state["velocity"] for r in runs]
        peak = [float(np.nanmax(np.abs(x[:, 0]))) for x in v]
        slowest = int(np.argmin(betas))
        builds = max(peak) >= 1.5 * peak[slowest]
        along = "along the valley, velocity " + ("builds up" if builds else "stays small")
        # across the valley: does each run's swing die down (last 10 steps vs first 10)?
        swinging = [labels[i] for i, (x, r) in enumerate(zip(v, runs, strict=True))
                    if not r.diverged and np.nanmax(np.abs(x[-10:, 1]))
                    > 0.15 * np.nanmax(np.abs(x[1:11, 1]))]
        across = ("across it, the zig-zags cancel" if not swinging
                  else f"across it, {swinging[-1].split(' (')[0]} keeps zig-zagging")
        return [along, across][:len(spec.show.plots)]

    @staticmethod
    def conclusions(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        """The closing card's sentences, each built from the computed runs.

        Nothing depends on the order of ``BETAS``. The yardstick is plain gradient
        descent (β = 0) wherever it is in the list, else the smallest β that settles;
        the best β above it is compared with it, and every larger β that overshoots
        is named in one sentence. Runs that fly off get a sentence each while the card
        has room (:data:`~optiroll.scenes.lesson.prepare.MAX_CONCLUSIONS`), else
        share one.
        """
        betas = [r.built_optimizer.hyperparams["beta"] for r in spec.runs]
        lr = spec.runs[0].built_optimizer.hyperparams["lr"]
        lines = []
        settled = sorted((i for i, r in enumerate(runs) if not r.diverged),
                         key=lambda i: betas[i])
        if settled:
            base = settled[0]
            name = "plain gradient descent" if betas[base] == 0 else f"β = {betas[base]:g}"
            moving = [i for i in settled if betas[i] > betas[base]]
            if not moving:
                lines.append(f"{spec.steps} steps, lr {lr:g}: {name} ends at loss "
                             f"{format_value(runs[base].final_loss)}")
            else:
                best = min(moving, key=lambda i: (runs[i].final_loss, betas[i]))
                ratio = runs[base].final_loss / runs[best].final_loss
                how = f"{times(ratio)} lower" if ratio >= 1 else f"{times(1 / ratio)} higher"
                lines.append(f"{spec.steps} steps, lr {lr:g}: momentum β = {betas[best]:g} "
                             f"ends {how} than {name}")
                over = [i for i in moving if betas[i] > betas[best]]
                if len(over) == 1:
                    lines.append(f"β = {betas[over[0]]:g} builds up too much speed and "
                                 f"overshoots: loss {format_value(runs[over[0]].final_loss)}")
                elif over:
                    lines.append(
                        f"β = {join_words([f'{betas[i]:g}' for i in over])} build up too much "
                        "speed and overshoot: losses "
                        + join_words([format_value(runs[i].final_loss) for i in over]))
        gone = sorted((i for i, r in enumerate(runs) if r.diverged), key=lambda i: betas[i])
        if len(gone) + len(lines) <= MAX_CONCLUSIONS:
            away = [f"β = {betas[i]:g}: lr {lr:g} is too large here, the ball flies off at step "
                    f"{int(runs[i].diverged_at)}" for i in gone]
        else:
            away = [f"β = {join_words([f'{betas[i]:g}' for i in gone])}: lr {lr:g} is too large "
                    "here, the balls fly off at steps "
                    + join_words([str(int(runs[i].diverged_at)) for i in gone])]
        return away + lines
