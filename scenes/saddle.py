"""Stuck on a saddle: gradient descent on x² - y², and what gets it out.

    manim render scenes/saddle.py                # or: optiroll render saddle -ql

Articles 002 and 001. From (10, 0) gradient descent slides to the saddle point
and stays there: the gradient has no y component on that line, so y is exactly
0 at every step (the legend shows it to six decimals). From (10, 0.01) it
escapes; from (10, 0) with a little seeded gradient noise it escapes too; with
momentum it escapes sooner. The Hessian's eigenvalues at the saddle (2 and -2,
computed) say why: up along one axis, down along the other. Then the saddle in
3-D with the balls riding it. Every number and sentence is computed.
"""

from __future__ import annotations

import numpy as np
from optiroll import dynamics as dyn
from optiroll.scenes.lesson import CameraKey, CameraSpec, LessonSpec, PacingSpec, RunSpec, ShowSpec
from optiroll.scenes.lesson.scene import Lesson
from optiroll.scenes.text import format_value

ESCAPED = 1.0  #: |y| beyond which a ball has left the saddle's neighbourhood


def first_step_beyond(run: dyn.Rollout, limit: float) -> int | None:
    far = np.abs(run.positions[:, 1]) > limit
    return int(np.argmax(far)) if far.any() else None


class Saddle(Lesson):
    """Stuck on a saddle: gradient descent on x² - y², and what gets it out."""

    LR, STEPS, NOISE = 0.05, 60, 0.1

    @classmethod
    def make_spec(cls) -> LessonSpec:
        gd = {"optimizer": "gd", "lr": cls.LR}
        return LessonSpec(
            title="Stuck on a saddle", surface="saddle", view=((-11, 11), (-6, 6)),
            steps=cls.STEPS, start=(10, 0),
            runs=[RunSpec(**gd, label="GD from (10, 0)"),
                  RunSpec(**gd, start=(10, 0.01), label="GD from (10, 0.01)"),
                  RunSpec(**gd, noise=cls.NOISE, seed=3, label="GD from (10, 0) + noise"),
                  RunSpec(optimizer="momentum", lr=cls.LR, beta=0.8, start=(10, 0.01),
                          label="momentum from (10, 0.01)")],
            show=ShowSpec(readout="position", surface3d=True, minima=False),
            pacing=PacingSpec(race_speed=5.0, fly_speed=6.0, hold=2.5),
            camera=CameraSpec(height=0.35, path=[CameraKey(azimuth=-120, elevation=36),
                                                 CameraKey(azimuth=-160, elevation=40)]))

    @staticmethod
    def facts(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        lo, hi = np.linalg.eigvalsh(spec.surface_object.hessian(np.zeros(2)))
        return [f"Hessian at the saddle (0, 0): eigenvalues {hi:g} and {lo:g}".replace("-", "−"),
                "up along one axis, down along the other"
                if lo < 0 < hi else "no saddle here"]

    @staticmethod
    def conclusions(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        lines = []
        stuck, nudged, noisy, heavy = runs
        if np.all(stuck.positions[:, 1] == 0):
            lines.append(f"{labels[0]}: the gradient has no y part on y = 0, so y stays "
                         f"exactly 0; it ends at the saddle, loss "
                         f"{format_value(float(stuck.final_loss))}")
        escapes = {label: first_step_beyond(r, ESCAPED)
                   for label, r in zip(labels[1:], (nudged, noisy, heavy), strict=True)}
        for label, step in escapes.items():
            lines.append(f"{label}: past |y| = {ESCAPED:g} at step {step}" if step is not None
                         else f"{label}: still within |y| < {ESCAPED:g}")
        return lines
