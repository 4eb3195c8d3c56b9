"""Why Adam corrects its bias: the same Adam with and without the correction.

    manim render scenes/adam.py                  # or: optiroll render adam -ql

Articles 003 (bias correction) and 001 (Adam). Adam's moving averages start at
zero, so m_t = (1 - β₁) Σ β₁^(t-i) g_i is a (1 - β₁ᵗ) fraction of the gradient's
recent mean, and v_t a (1 - β₂ᵗ) fraction of the squared gradient's.
Dividing by those fractions (m̂_t = m_t / (1 - β₁ᵗ), v̂_t = v_t / (1 - β₂ᵗ))
makes the first step lr · g / |g| = lr per coordinate. Without it the step is
lr (1 - β₁ᵗ) / √(1 - β₂ᵗ) per coordinate in a steady gradient: 3.16 lr at the
first step and more for the next dozen, since v lags further behind than m.
On the three wells from (2.5, 2.5) at lr 0.3 the corrected run settles in the
deepest well; the uncorrected one is thrown out of its basin by those first
steps and settles in the shallowest. The plots replay m, m̂, v and v̂
(x coordinate) for the first steps; every number on screen is computed.
"""

from __future__ import annotations

import numpy as np
from optiroll import dynamics as dyn
from optiroll.dynamics.basins import Basins, default_tol
from optiroll.scenes.lesson import LessonSpec, PacingSpec, PlotSpec, RunSpec, ShowSpec
from optiroll.scenes.lesson.prepare import Part, first_below
from optiroll.scenes.lesson.scene import Lesson
from optiroll.scenes.text import format_value, point_string, power_of_ten

START, LR, STEPS = (2.5, 2.5), 0.3, 60
#: the first part replays this many steps: where the averages' bias matters
FIRST_STEPS = 12
#: "reached the well": within this of the deepest minimum's loss
REACHED = 1e-3


def corrected(run: dyn.Rollout, name: str, beta: float) -> np.ndarray:
    """``state[name]_t / (1 - beta^t)`` (the bias-corrected average; NaN at t = 0)."""
    t = np.arange(run.steps + 1, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(t > 0, 1.0 / (1.0 - beta ** t), np.nan)
    return run.state[name] * scale[:, None]


def runs() -> list[RunSpec]:
    return [RunSpec(optimizer="adam", lr=LR, label="Adam"),
            RunSpec(optimizer="adam", lr=LR, bias_correction=False,
                    label="Adam without bias correction")]


def betas(spec: LessonSpec) -> tuple[float, float]:
    return spec.runs[0].built_optimizer.hyperparams["betas"]


class FirstSteps(Part):
    """The first steps, with the moving averages replayed."""

    @classmethod
    def make_spec(cls) -> LessonSpec:
        return LessonSpec(
            title="Why Adam corrects its bias", surface="wells", start=START,
            steps=FIRST_STEPS, runs=runs(),
            show=ShowSpec(readout="loss", closing=False, plots=[
                PlotSpec(series="exp_avg.x", label="m (x)", log=False),
                PlotSpec(series="m_hat.x", label="m̂ = m / (1 − β₁ᵗ) (x)", log=False),
                PlotSpec(series="exp_avg_sq.x", label="v (x)", log=False),
                PlotSpec(series="v_hat.x", label="v̂ = v / (1 − β₂ᵗ) (x)", log=False)]),
            pacing=PacingSpec(race_speed=2.0, replay_speed=2.0, hold=2.0))

    @staticmethod
    def series(spec: LessonSpec, runs: list[dyn.Rollout]) -> dict[str, list[np.ndarray | None]]:
        """m̂ and v̂ of each run: what the corrected run steps with, and what the
        uncorrected one would have had."""
        b1, b2 = betas(spec)
        return {"m_hat": [corrected(r, "exp_avg", b1) for r in runs],
                "v_hat": [corrected(r, "exp_avg_sq", b2) for r in runs]}

    @staticmethod
    def captions(spec: LessonSpec, runs: list[dyn.Rollout],
                 labels: list[str]) -> list[str | None]:
        b1, b2 = betas(spec)
        g1 = float(runs[0].gradient[0, 0])
        m1, v1 = (float(runs[0].state[k][1, 0]) for k in ("exp_avg", "exp_avg_sq"))
        return [f"m₁ = {format_value(m1)} = (1 − β₁) g₁",
                f"m̂₁ = {format_value(m1 / (1 - b1))} " + (  # g₁, checked: said once
                    "= g₁" if np.isclose(m1 / (1 - b1), g1, rtol=1e-9)
                    else f"≠ g₁ = {format_value(g1)}"),
                f"v₁ = {format_value(v1)} = (1 − β₂) g₁²",
                f"v̂₁ = {format_value(v1 / (1 - b2))} = g₁²"]

    @staticmethod
    def facts(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        lrs = [r.built_optimizer.hyperparams["lr"] for r in spec.runs]
        with_, without = (np.abs(r.update[1]) / lr for r, lr in zip(runs, lrs, strict=True))
        worst = np.max(np.abs(runs[1].update[1:]) / lrs[1])
        return [f"first step per coordinate: {format_value(float(with_.max()))} lr with the "
                f"correction, {format_value(float(without.max()))} lr without",
                f"without it, steps up to {format_value(float(worst))} lr in the first "
                f"{spec.steps} steps"]

    @staticmethod
    def conclusions(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        return []


class WhereTheyEnd(Part):
    """The same two runs to the end: which well each settles in."""

    @classmethod
    def make_spec(cls) -> LessonSpec:
        return LessonSpec(
            title="Where the first steps lead", surface="wells", start=START, steps=STEPS,
            runs=runs(), show=ShowSpec(readout="loss", rules=False),
            pacing=PacingSpec(race_speed=6.0, hold=2.0))

    @staticmethod
    def conclusions(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        s = spec.surface_object
        depth = [float(s.value(np.array(m))) for m in s.minima]
        order = list(np.argsort(depth))  # deepest first
        names = {int(order[0]): "the deepest well", int(order[-1]): "the shallowest well"}
        tol = default_tol(s, np.asarray(s.minima))
        lines = []
        for label, run in zip(labels, runs, strict=True):
            end = run.final_position
            where = int(Basins(s.minima, tol)(run)[0])
            well = (f"ends in {names.get(where, f'well {order.index(where) + 1} by depth')} "
                    f"at {point_string(*end, decimals=2)}" if where >= 0 else
                    f"has not settled in a well by step {spec.steps}")
            step = first_below(run, min(depth) + REACHED)
            near = power_of_ten(round(np.log10(REACHED)))  # 10⁻³, not 1.00×10⁻³
            reached = (f"within {near} of the deepest loss at step {step}"
                       if step is not None else f"never within {near} of "
                       f"the deepest loss in {spec.steps} steps")
            lines.append(f"{label}: {well}, loss {format_value(float(run.final_loss))}; "
                         f"{reached}")
        return lines


class AdamBias(Lesson):
    """Why Adam corrects its bias: the same Adam with and without the correction."""

    parts = (FirstSteps, WhereTheyEnd)
