"""Why momentum really works: the error per eigenvector, the rate against β, tuned from κ.

    manim render scenes/why_momentum.py          # or: optiroll render why_momentum -ql

Article 001's closing section, after Goh's "Why Momentum Really Works" (Distill
2017). On the quadratic ravine x²/16 + 9y² the Hessian's eigenvectors are the axes
(eigenvalues 0.125 and 18, condition number κ = 144), so the error splits into two
parts that evolve on their own (dynamics/quadratic_rates.py):

1. At lr 0.1, gradient descent shrinks the slow part by |1 − αλ| = 0.988 a step
   and flips the fast one ×(−0.8); momentum (β 0.9) turns both parts into ripples
   whose envelope shrinks by √β = 0.949 a step.
2. At lr 0.1, the rate (the slower part's) against β: computed on a grid, the best β
   (0.789, rate 0.888, where the fast part's factor meets the slow part's) starred,
   with four runs at their β.
3. From κ alone: α* = (2 / (√λmin + √λmax))², β* = ((√κ − 1) / (√κ + 1))², rate
   (√κ − 1) / (√κ + 1); gradient descent at its best lr 2 / (λmin + λmax) has rate
   (κ − 1) / (κ + 1). The tuned ball reaches loss 10⁻⁶ first.

The start is (−2.4, 0.1), not the flagship's (−2.4, 0.2): the tuned run's first
step multiplies the swing across the valley by 1 − α*λmax = −2.41 (α*λmax is above
2), and its repeated root −√β* keeps it growing as (1 + 1.85 k) 0.846ᵏ until step 5,
4.4 times its start; from 0.2 that leaves the map. The last part counts the step from
which each loss stays below 10⁻⁶ (momentum's dips below and comes back). Every number
on screen is computed.
"""

from __future__ import annotations

import numpy as np
from optiroll import dynamics as dyn
from optiroll.dynamics import quadratic_rates as qr
from optiroll.scenes.kit import theme
from optiroll.scenes.lesson import LessonSpec, PacingSpec, PlotSpec, RunSpec, ShowSpec
from optiroll.scenes.lesson.prepare import ChartData, Curve, Mark, Part, settles_below
from optiroll.scenes.lesson.scene import Lesson
from optiroll.scenes.text import format_value, power_of_ten

SURFACE, START = "ravine", (-2.4, 0.1)
#: the learning rate of the first two parts (the library's ravine lessons use it)
LR = 0.1
#: momentum's β in the first part, and the βs the second part races
BETA = 0.9
RACE_BETAS = (0.0, 0.5, 0.95)
#: the loss the last part's conclusions count the steps to
TARGET = 1e-6


def eigen() -> tuple[np.ndarray, np.ndarray]:
    """The ravine's Hessian eigenvalues (ascending) and eigenvectors (columns)."""
    return qr.eigen(dyn.surface(SURFACE))


def direction(q: np.ndarray) -> str:
    """An eigenvector in words: "x" or "y" for an axis, else its coordinates."""
    for axis, name in enumerate("xy"):
        if abs(abs(q[axis]) - 1.0) < 1e-12:
            return name
    return f"({q[0]:.2f}, {q[1]:.2f})"


def beta_of(run_spec: RunSpec) -> float:
    """A run's β (0 for gradient descent); the rates here are for torch's momentum."""
    params = run_spec.built_optimizer.hyperparams
    if params.get("ema"):
        raise ValueError("the rates in quadratic_rates are for torch's momentum, not ema")
    return float(params.get("beta", 0.0))


def run_rate(run_spec: RunSpec) -> float:
    """The run's rate on the ravine: its slower part's factor per step."""
    return float(qr.rate(eigen()[0], run_spec.effective_lr, beta_of(run_spec)))


class Components(Part):
    """The error along each eigenvector, for gradient descent and momentum."""

    @classmethod
    def make_spec(cls) -> LessonSpec:
        lam, vec = eigen()
        plots = [PlotSpec(series=f"along_q{i + 1}", log=False,
                          label=f"error along q{'₁₂'[i]} ({direction(vec[:, i])})")
                 for i in range(2)]
        return LessonSpec(
            title="Why momentum really works", surface=SURFACE, start=START, steps=100,
            runs=[RunSpec(optimizer="gd", lr=LR, label="gradient descent"),
                  RunSpec(optimizer="momentum", lr=LR, beta=BETA, label=f"momentum β {BETA:g}")],
            show=ShowSpec(plots=plots, closing=False),
            pacing=PacingSpec(race_speed=25.0, replay_speed=25.0, hold=1.5))

    @staticmethod
    def series(spec: LessonSpec, runs: list[dyn.Rollout]) -> dict[str, list[np.ndarray | None]]:
        """Each run's error ``w − w*`` along each Hessian eigenvector."""
        _, vec = eigen()
        s = spec.surface_object
        parts = [qr.components(r.positions, s.minima[0], vec) for r in runs]
        return {f"along_q{i + 1}": [p[:, i] for p in parts] for i in range(2)}

    @staticmethod
    def captions(spec: LessonSpec, runs: list[dyn.Rollout],
                 labels: list[str]) -> list[str | None]:
        """Per eigenvector, its eigenvalue and each run's factor along it per step."""
        lam, _ = eigen()
        out: list[str | None] = []
        for value in lam:
            factors = [float(qr.momentum_rate(value, r.effective_lr, beta_of(r)))
                       for r in spec.runs]
            out.append(f"λ = {value:g}, in the long run: " + ", ".join(
                f"{'GD' if beta_of(r) == 0 else 'momentum'} ×{f:.3f}"
                for r, f in zip(spec.runs, factors, strict=True)) + " a step")
        return out

    @staticmethod
    def facts(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        lam, vec = eigen()
        return [f"Hessian eigenvalues {lam[0]:g} (along {direction(vec[:, 0])}) and "
                f"{lam[1]:g} (along {direction(vec[:, 1])})",
                "each part of the error moves on its own"]

    @staticmethod
    def conclusions(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        return []


class RateAgainstBeta(Part):
    """At a fixed lr, the rate against β, with the best β marked and raced."""

    @classmethod
    def best(cls) -> tuple[float, float]:
        """The best β at :data:`LR` and its rate (computed on a grid, refined)."""
        return qr.best_beta(eigen()[0], LR)

    @classmethod
    def make_spec(cls) -> LessonSpec:
        best, _ = cls.best()
        betas = sorted([*RACE_BETAS, best])
        runs = [RunSpec(optimizer="momentum", lr=LR, beta=b,
                        label=f"β {b:.3g}" + (" (best)" if b == best else
                                              " (GD)" if b == 0 else ""))
                for b in betas]
        return LessonSpec(
            title="The rate against β", surface=SURFACE, start=START, steps=80, runs=runs,
            show=ShowSpec(closing=False, rules=False),
            pacing=PacingSpec(race_speed=20.0, hold=1.0))

    @staticmethod
    def charts(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[ChartData]:
        """The rate for β over [0, 1) at the runs' lr: the slower part's factor (solid),
        the fast part's (dashed, named), the raced βs as dots and the best β starred."""
        lam, vec = eigen()
        (lr,) = {r.effective_lr for r in spec.runs}  # one lr for the whole chart
        beta = np.linspace(0.0, 0.999, 1000)
        best, best_rate = qr.best_beta(lam, lr)
        fast = Curve(beta, qr.momentum_rate(lam[-1], lr, beta), color=theme.MUTED,
                     dashed=True, label=f"along {direction(vec[:, -1])} alone "
                     f"(λ = {lam[-1]:g})")
        is_best = [bool(np.isclose(beta_of(r), best, rtol=0, atol=1e-12)) for r in spec.runs]
        marks = [Mark(beta_of(r), run_rate(r), run=i)
                 for i, (r, b) in enumerate(zip(spec.runs, is_best, strict=True)) if not b]
        marks.append(Mark(best, best_rate, label=f"best β {best:.3f}:\n×{best_rate:.3f} a step",
                          run=is_best.index(True), star=True))
        return [ChartData(
            x_label="β", y_label="rate (factor per step)",
            curves=[fast, Curve(beta, qr.rate(lam, lr, beta))], marks=marks,
            x_range=(0.0, 1.0),
            caption=f"lr {lr:g}: the rate is the slower part's, along "
                    f"{direction(vec[:, 0])} (λ = {lam[0]:g}) up to the star")]

    @staticmethod
    def conclusions(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        return []


class Tuned(Part):
    """α* and β* from the condition number, raced against gradient descent at its best lr
    and momentum's usual β 0.9."""

    @classmethod
    def make_spec(cls) -> LessonSpec:
        lam, _ = eigen()
        gd_lr, _ = qr.optimal_gd(lam)
        lr, beta, _ = qr.optimal_momentum(lam)
        runs = [RunSpec(optimizer="gd", lr=gd_lr, label=f"GD, best lr {gd_lr:.3f}"),
                RunSpec(optimizer="momentum", lr=LR, beta=BETA,
                        label=f"momentum lr {LR:g}, β {BETA:g}"),
                RunSpec(optimizer="momentum", lr=lr, beta=beta,
                        label=f"α* {lr:.3f}, β* {beta:.3f}")]
        runs = [r.model_copy(update={"label": f"{r.label}\nrate {run_rate(r):.3f} a step"})
                for r in runs]
        return LessonSpec(
            title="Tuned from the condition number", surface=SURFACE, start=START, steps=130,
            runs=runs, show=ShowSpec(plots=["loss"], rules=False),
            pacing=PacingSpec(race_speed=25.0, replay_speed=25.0, hold=1.5))

    @staticmethod
    def facts(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        lam, _ = eigen()
        kappa = qr.condition_number(lam)
        lr, beta, rate = qr.optimal_momentum(lam)
        _, gd_rate = qr.optimal_gd(lam)
        return [f"κ = λmax / λmin = {kappa:g}",
                f"α* = (2 / (√λmin + √λmax))² = {lr:.3f}",
                f"β* = ((√κ − 1) / (√κ + 1))² = {beta:.3f}",
                f"rate (√κ − 1) / (√κ + 1) = {rate:.3f}",
                f"GD's best: (κ − 1) / (κ + 1) = {gd_rate:.3f}"]

    @staticmethod
    def conclusions(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        """Per run, the step from which its loss stays below 10⁻⁶ (or its loss at the
        end)."""
        lines = []
        for label, run in zip(labels, runs, strict=True):
            name = label.split("\n")[0]
            step = settles_below(run, TARGET)
            lines.append(f"{name}: loss below {power_of_ten(round(np.log10(TARGET)))} "
                         f"from step {step} on"
                         if step is not None else
                         f"{name}: loss {format_value(float(run.final_loss))} after "
                         f"{spec.steps} steps")
        return lines


class WhyMomentum(Lesson):
    """Why momentum really works: eigenvector by eigenvector, the rate against β, and
    the tuned parameters."""

    parts = (Components, RateAgainstBeta, Tuned)
