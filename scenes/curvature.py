"""Pathological curvature and Newton's method: the Hessian used, not ignored.

    manim render scenes/curvature.py             # or: optiroll render curvature -ql

Article 001 (learning-deep-learning optimization: ill-conditioned curvature, the
Hessian, Newton, momentum). Three parts:

1. On the ravine x²/16 + 9y² (a quadratic: its model is itself) Newton's method
   lands on the minimum in one step; at its iterate the local quadratic model is
   drawn: the model's level set through the ball, centred where the full Newton
   step lands, and the Hessian's eigen-directions.
2. On Rosenbrock, damped Newton (lr 0.5) with its model at every iterate: the
   ellipse turns and stretches with the banana valley.
3. The race on Rosenbrock: gradient descent crawls along the valley, momentum does
   better, damped Newton gets there in a handful of steps; the plot replays the
   Hessian's condition number λmax/λmin along each path.

Every number on screen is computed.
"""

from __future__ import annotations

import numpy as np
from optiroll import dynamics as dyn
from optiroll.scenes.lesson import LessonSpec, PacingSpec, PlotSpec, RunSpec, ShowSpec
from optiroll.scenes.lesson.prepare import Part, first_below
from optiroll.scenes.lesson.scene import Lesson
from optiroll.scenes.text import format_value, point_string, power_of_ten

#: the loss the race counts steps to
TARGET = 1e-6
START = (-1.2, 1.0)


def condition(surface: dyn.Surface, run: dyn.Rollout) -> np.ndarray:
    """λmax/λmin of the Hessian at each iterate (NaN where it is not positive definite)."""
    lam = np.linalg.eigvalsh(surface.hessian(run.positions))
    with np.errstate(all="ignore"):
        return np.where(lam[:, 0] > 0, lam[:, 1] / lam[:, 0], np.nan)


class Ravine(Part):
    """Newton on a quadratic: one step."""

    @classmethod
    def make_spec(cls) -> LessonSpec:
        return LessonSpec(
            title="Newton's method uses the curvature", surface="ravine", start=(-2.4, 0.2),
            steps=3, runs=[RunSpec(optimizer="newton", lr=1.0, label="Newton")],
            show=ShowSpec(model=True, readout="position", closing=False),
            pacing=PacingSpec(race_speed=0.5, hold=1.0))

    @staticmethod
    def facts(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        (run,) = runs
        lam = np.linalg.eigvalsh(spec.surface_object.hessian(run.positions[0]))
        return [f"Hessian eigenvalues {lam[0]:g} and {lam[1]:g}: condition number "
                f"{lam[1] / lam[0]:g}",
                f"step 1 lands at {point_string(*run.positions[1], decimals=3)}, loss "
                f"{format_value(float(run.loss[1]))}: the model is the surface"]


class Banana(Part):
    """Damped Newton on Rosenbrock, its model at each iterate."""

    @classmethod
    def make_spec(cls) -> LessonSpec:
        return LessonSpec(
            title="On a curved valley: the model turns with it", surface="rosenbrock",
            start=START, steps=12,
            runs=[RunSpec(optimizer="newton", lr=0.5, label="damped Newton")],
            show=ShowSpec(model=True, readout="position", closing=False, rules=False),
            pacing=PacingSpec(race_speed=1.5, hold=1.0))

    @staticmethod
    def facts(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        kappa = condition(spec.surface_object, runs[0])
        return [f"condition number {format_value(float(kappa[0]))} at the start, "
                f"{format_value(float(kappa[-1]))} after {spec.steps} steps"]


class Race(Part):
    """GD, momentum and damped Newton on Rosenbrock."""

    STEPS = 1500

    @classmethod
    def make_spec(cls) -> LessonSpec:
        return LessonSpec(
            title="Gradient descent, momentum, Newton", surface="rosenbrock", start=START,
            steps=cls.STEPS,
            runs=[RunSpec(optimizer="gd", lr=0.002, label="GD"),
                  RunSpec(optimizer="momentum", lr=0.001, beta=0.9, label="momentum"),
                  RunSpec(optimizer="newton", lr=0.5, label="damped Newton")],
            show=ShowSpec(rules=False, plots=[
                PlotSpec(series="loss"),
                PlotSpec(series="condition", log=True, label="condition number λmax/λmin")]),
            pacing=PacingSpec(race_speed=150.0, replay_speed=250.0, hold=1.5))

    @staticmethod
    def series(spec: LessonSpec, runs: list[dyn.Rollout]) -> dict[str, list[np.ndarray | None]]:
        return {"condition": [condition(spec.surface_object, r) for r in runs]}

    @staticmethod
    def conclusions(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        lines = []
        for label, run in zip(labels, runs, strict=True):
            k = first_below(run, TARGET)
            target = power_of_ten(round(np.log10(TARGET)))  # 10⁻⁶, not 1.00×10⁻⁶
            lines.append(f"{label}: loss below {target} at step {k}" if k is not None
                         else f"{label}: loss {format_value(float(run.final_loss))} after "
                         f"{spec.steps} steps, not below {target}")
        return lines


class Curvature(Lesson):
    """Pathological curvature and Newton's method: the Hessian used, not ignored."""

    parts = (Ravine, Banana, Race)
