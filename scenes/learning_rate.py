"""How big a step? Gradient descent at four learning rates in a ravine, then momentum's 1/(1-β).

    manim render scenes/learning_rate.py         # or: optiroll render learning_rate -ql

Articles 001 (the skateboarder in the valley) and 002 (a learning rate too small,
one too large). On x^2/16 + 9y^2 from (-2.4, 0.2), plain gradient descent at lr
0.02 crawls, at 0.1 zig-zags across the valley, at 0.11 zig-zags almost forever
and at 0.12 flies off the map: the Hessian's eigenvalues (0.125 and 18) make every
lr above 2/λmax unstable. Then, on a constant slope, momentum's step grows
towards 1/(1-β) times the plain step. Every number and sentence is computed.
"""

from __future__ import annotations

import numpy as np
from optiroll import dynamics as dyn
from optiroll.scenes.lesson import LessonSpec, PacingSpec, PlotSpec, RunSpec, ShowSpec
from optiroll.scenes.lesson.prepare import Part, left_map_at
from optiroll.scenes.lesson.scene import Lesson
from optiroll.scenes.text import format_value


def eigenvalues(spec: LessonSpec) -> np.ndarray:
    """The exact Hessian's eigenvalues at the surface's minimum (dynamics' Hessian)."""
    s = spec.surface_object
    return np.linalg.eigvalsh(s.hessian(np.array(s.minima[0], float)))


class StepSizes(Part):
    """Gradient descent at four learning rates in the ravine."""

    LRS = (0.02, 0.1, 0.11, 0.12)

    @classmethod
    def make_spec(cls) -> LessonSpec:
        return LessonSpec(
            title="How big a step?", surface="ravine", start=(-2.4, 0.2), steps=50,
            runs=[RunSpec(optimizer="gd", lr=lr, label=f"lr {lr:g}") for lr in cls.LRS],
            show=ShowSpec(plots=["loss"]), pacing=PacingSpec(race_speed=5.0, hold=2.0))

    @staticmethod
    def facts(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        lo, hi = eigenvalues(spec)
        return [f"Hessian eigenvalues {lo:g} and {hi:g}",
                f"stable only for lr < 2/λmax = {2 / hi:.3f}"]

    @staticmethod
    def conclusions(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        """One sentence per learning rate, chosen by what its run did."""
        hi = eigenvalues(spec)[-1]
        lines = []
        for run_spec, run in zip(spec.runs, runs, strict=True):
            lr = run_spec.effective_lr
            across = 1.0 - lr * hi  # what one step does to the swing across the valley
            left = left_map_at(run.positions, spec.surface_object.view)
            if left is not None:
                lines.append(f"lr {lr:g} > 2/λmax: the swing grows ×{abs(across):.2f} a step;"
                             f" off the map at step {left}")
            elif across < 0:
                lines.append(f"lr {lr:g} zig-zags: the swing shrinks only ×{abs(across):.2f} "
                             "a step")
            else:
                lines.append(f"lr {lr:g} never zig-zags, but crawls: loss "
                             f"{format_value(float(run.final_loss))} after {spec.steps} steps")
        return lines


class MomentumStep(Part):
    """On a constant slope, momentum's step grows towards 1/(1-β) times the plain step."""

    BETAS = (0.0, 0.5, 0.9)

    @classmethod
    def make_spec(cls) -> LessonSpec:
        runs = [RunSpec(optimizer="momentum", lr=0.1, beta=b,
                        label="plain GD" if b == 0 else f"momentum β = {b:g}")
                for b in cls.BETAS]
        return LessonSpec(
            title="Momentum lengthens the step", subtitle="a constant slope: the same "
            "gradient at every step", surface="0.5*x", view=((-16, 1), (-1.5, 1.5)),
            start=(0, 0), steps=40, runs=runs,
            show=ShowSpec(minima=False, plots=[PlotSpec(series="step_multiple", log=False,
                                                        label="step ÷ plain step")]),
            pacing=PacingSpec(race_speed=5.0, hold=2.0))

    @staticmethod
    def series(spec: LessonSpec, runs: list[dyn.Rollout]) -> dict[str, list[np.ndarray]]:
        """Each step's length along x over the plain step lr·g of the gradient it left."""
        out = []
        for run_spec, run in zip(spec.runs, runs, strict=True):
            plain = -run_spec.effective_lr * run.gradient[:-1, 0]
            multiple = np.full(run.steps + 1, np.nan)
            multiple[1:] = run.update[1:, 0] / plain
            out.append(multiple)
        return {"step_multiple": out}

    @staticmethod
    def limits(spec: LessonSpec) -> list[float | None]:
        """1/(1-β) for each momentum run (None for plain GD)."""
        betas = [r.built_optimizer.hyperparams["beta"] for r in spec.runs]
        return [1.0 / (1.0 - b) if b > 0 else None for b in betas]

    @staticmethod
    def references(spec: LessonSpec, runs: list[dyn.Rollout],
                   labels: list[str]) -> list[list[tuple[float, str, int | None]]]:
        return [[(v, f"1/(1−β) = {v:g}", i)
                 for i, v in enumerate(MomentumStep.limits(spec)) if v is not None]]

    @staticmethod
    def facts(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        return [f"β = {b:g}: the step tends to 1/(1−β) = {v:g} × the plain step"
                for b, v in zip([r.built_optimizer.hyperparams["beta"] for r in spec.runs],
                                MomentumStep.limits(spec), strict=True) if v is not None]

    @staticmethod
    def conclusions(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        multiples = MomentumStep.series(spec, runs)["step_multiple"]
        lines = []
        for label, m, v in zip(labels, multiples, MomentumStep.limits(spec), strict=True):
            if v is not None:
                lines.append(f"after {spec.steps} steps, {label}'s step is {m[-1]:.2f}× the "
                             f"plain step (limit 1/(1−β) = {v:g})")
        return lines


class LearningRate(Lesson):
    """How big a step? Four learning rates in a ravine, then momentum's 1/(1-β)."""

    parts = (StepSizes, MomentumStep)
