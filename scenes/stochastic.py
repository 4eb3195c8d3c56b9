"""Batch, stochastic, mini-batch: gradient descent on real data, one example or four at a time.

    manim render scenes/stochastic.py            # or: optiroll render stochastic -ql

Articles 001 (BGD, SGD, MBGD), 002 and 003. The loss is the mean squared error
of the line θ0 + θ1·x on the articles' data (x = 1..10, y = 5 + 2x + noise,
seeded). Full-batch gradient descent, SGD (one example per step) and mini-batch
(four) take the same number of steps at the same lr, sampling real seeded
batches; the data panel shows each run's current line. The Hessian's condition
number (about 187) explains the slow, curved path along the valley; SGD's path
wanders most, the mini-batch's less. Then near the least-squares solution, SGD
with a decaying learning rate (annealing) settles where constant-lr SGD keeps
jumping. Every number and sentence is computed.
"""

from __future__ import annotations

import numpy as np
from optiroll import dynamics as dyn
from optiroll.scenes.lesson import LessonSpec, PacingSpec, RunSpec, ShowSpec
from optiroll.scenes.lesson.prepare import Part
from optiroll.scenes.lesson.scene import Lesson
from optiroll.scenes.text import format_value

SURFACE = "linear_regression"


class ThreeBatches(Part):
    LR, STEPS, BATCHES = 0.01, 600, (None, 1, 4)

    @classmethod
    def make_spec(cls) -> LessonSpec:
        return LessonSpec(
            title="Batch, stochastic, mini-batch", surface=SURFACE, start=(0, 0),
            steps=cls.STEPS, seed=1,
            runs=[RunSpec(optimizer="sgd", lr=cls.LR, batch_size=b,
                          label="full batch" if b is None else
                          "SGD (1 example)" if b == 1 else f"mini-batch ({b})")
                  for b in cls.BATCHES],
            show=ShowSpec(plots=["loss"]),
            pacing=PacingSpec(race_speed=60.0, replay_speed=80.0, hold=2.0))

    @staticmethod
    def facts(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        s = spec.surface_object
        lo, hi = np.linalg.eigvalsh(s.hessian(np.array(s.minima[0])))
        m = len(s.data.x)
        seen = [f"{label} {spec.steps * (r.batch_size or m):,}"
                for label, r in zip(labels, spec.runs, strict=True)]
        return [f"condition number λmax/λmin = {hi / lo:.0f}: a long, flat valley",
                f"same {spec.steps} steps; examples used: " + ", ".join(seen)]

    @staticmethod
    def conclusions(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        ls = np.array(spec.surface_object.minima[0])
        full = runs[0]
        lines = [f"after {spec.steps} steps all are still "
                 f"{min(np.linalg.norm(r.final_position - ls) for r in runs):.2f}–"
                 f"{max(np.linalg.norm(r.final_position - ls) for r in runs):.2f} from the "
                 "least-squares line: the valley floor is nearly flat"]
        wander = [float(np.mean(np.linalg.norm(r.positions - full.positions, axis=1)))
                  for r in runs[1:]]
        parts = [f"{label} {w:.3f}" for label, w in zip(labels[1:], wander, strict=True)]
        lines.append("mean distance from the full-batch path: " + ", ".join(parts))
        return lines


class Annealing(Part):
    LR, STEPS, DECAY, START = 0.01, 300, 0.05, (5.0, 2.0)

    @classmethod
    def make_spec(cls) -> LessonSpec:
        sgd = {"optimizer": "sgd", "lr": cls.LR, "batch_size": 1}
        return LessonSpec(
            title="Annealing: a decaying step settles", surface=SURFACE, start=cls.START,
            steps=cls.STEPS, seed=2,
            runs=[RunSpec(**sgd, label="SGD, constant lr"),
                  RunSpec(**sgd, label=f"SGD, lr/(1 + {cls.DECAY:g}t)",
                          schedule={"kind": "inverse_time", "decay": cls.DECAY})],
            show=ShowSpec(plots=["loss"], rules=False),
            pacing=PacingSpec(race_speed=30.0, replay_speed=60.0, hold=2.0))

    @staticmethod
    def conclusions(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        s = spec.surface_object
        best = float(s.value(np.array(s.minima[0])))
        tail = [float(np.mean(np.linalg.norm(r.update[-50:], axis=1))) for r in runs]
        # a semicolon between the runs: their labels hold commas ("SGD, constant lr")
        return [f"last 50 steps: {labels[0]} still jumps {tail[0]:.4f} a step; "
                f"{labels[1]}, {tail[1]:.4f}",
                f"loss {format_value(float(runs[0].final_loss))} against "
                f"{format_value(float(runs[1].final_loss))} (least squares: "
                f"{format_value(best)})"]


class Stochastic(Lesson):
    """Batch, stochastic, mini-batch; then annealing."""

    parts = (ThreeBatches, Annealing)
