"""One learning rate per coordinate: AdaGrad, RMSProp and Adam on 0.1x² + 2y².

    manim render scenes/adaptive.py              # or: optiroll render adaptive -ql

Articles 004 (the Dive-into-Deep-Learning AdaGrad section), 001 and 003. On
0.1x^2 + 2y^2 from (-5, -2), 20 steps at lr 0.4 in the book's convention
(ε = 1e-6 inside the square root): AdaGrad ends at (-2.382563, -0.158591) and
RMSProp (α = 0.9) at (-0.010599, 0.000000), as the book prints them; Adam at
the same lr for comparison. The step-size panel shows why: AdaGrad's
per-coordinate step only ever shrinks, RMSProp's levels off. Then AdaGrad at
lr 2 reaches (-0.002295, -0.000000). Positions appear with six decimals.
"""

from __future__ import annotations

import numpy as np
from optiroll import dynamics as dyn
from optiroll.scenes.lesson import LessonSpec, PacingSpec, RunSpec, ShowSpec
from optiroll.scenes.lesson.prepare import Part
from optiroll.scenes.lesson.scene import Lesson
from optiroll.scenes.text import point_string

SURFACE, VIEW, START, STEPS = "elongated_bowl", ((-6, 6), (-3, 3)), (-5, -2), 20
BOOK = {"eps": 1e-6, "eps_inside_sqrt": True}  # the book's AdaGrad and RMSProp


def final_positions(labels: list[str], runs: list[dyn.Rollout]) -> list[str]:
    return [f"{label} ends at {point_string(*r.final_position)}"
            for label, r in zip(labels, runs, strict=True)]


class ThreeMethods(Part):
    LR = 0.4

    @classmethod
    def make_spec(cls) -> LessonSpec:
        return LessonSpec(
            title="One learning rate per coordinate", surface=SURFACE, view=VIEW,
            start=START, steps=STEPS,
            runs=[RunSpec(optimizer="adagrad", lr=cls.LR, label="AdaGrad", **BOOK),
                  RunSpec(optimizer="rmsprop", lr=cls.LR, alpha=0.9, label="RMSProp", **BOOK),
                  RunSpec(optimizer="adam", lr=cls.LR, label="Adam")],
            show=ShowSpec(plots=["loss", "step_size"], readout="position"),
            pacing=PacingSpec(race_speed=2.0, replay_speed=3.0, hold=2.5))

    @staticmethod
    def captions(spec: LessonSpec, runs: list[dyn.Rollout],
                 labels: list[str]) -> list[str | None]:
        """The step-size plot's caption, from what each method's step size did."""
        said = []
        for label, run in zip(labels[:2], runs[:2], strict=True):
            ss = run.state["step_size"][1:]
            if np.all(np.diff(ss, axis=0) <= 0):
                said.append(f"{label}'s step only shrinks")
            elif np.all(np.abs(ss[-1] / ss[-5] - 1) < 0.1):
                said.append(f"{label}'s levels off")
            else:
                said.append(f"{label}'s grows back as its gradient fades")
        return [None, "; ".join(said)]

    @staticmethod
    def facts(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        return ["AdaGrad and RMSProp: ε = 10⁻⁶ inside the square root, as in the book"]

    @staticmethod
    def conclusions(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        return final_positions(labels, runs)


class LargerStep(Part):
    LRS = (0.4, 2.0)

    @classmethod
    def make_spec(cls) -> LessonSpec:
        return LessonSpec(
            title="AdaGrad with a larger learning rate", surface=SURFACE, view=VIEW,
            start=START, steps=STEPS,
            runs=[RunSpec(optimizer="adagrad", lr=lr, **BOOK) for lr in cls.LRS],
            show=ShowSpec(readout="position", rules=False),
            pacing=PacingSpec(race_speed=2.0, hold=2.5))

    @staticmethod
    def conclusions(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        return final_positions(labels, runs)


class Adaptive(Lesson):
    """One learning rate per coordinate: AdaGrad, RMSProp and Adam, then AdaGrad at lr 2."""

    parts = (ThreeMethods, LargerStep)
