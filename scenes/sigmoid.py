"""Gradient descent on a sigmoid neuron: the article's two points, its plateaus, its methods.

    manim render scenes/sigmoid.py               # or: optiroll render sigmoid -ql

Article 003 as a whole. The loss of one sigmoid neuron σ(w·x + b) over (w, b)
on the article's two points (0.5, 0.2) and (2.5, 0.9) is flat almost
everywhere: plateaus where the neuron is saturated. The data panel shows each
run's sigmoid curve through the points as it learns; the 3-D view shows the
plateaus. Three races, grouped as the article groups them:

1. From (−2, −4) on a plateau, at lr 1: plain gradient descent barely moves;
   momentum and Nesterov build up speed and leave it; line search (Armijo
   backtracking from a first try of 8) leaves it sooner still.
2. From (0, −8), the adaptive methods: AdaGrad's step in b shrinks by a large
   factor as its squared gradients pile up and it slows near the minimum;
   RMSProp's moving average forgets old gradients, so its step shrinks far less
   and it gets closer; Adam.
3. Stochastic (one example a step) against mini-batches of 2 (both points): the
   loss of the one-example run goes up at many steps, the batch run's never.

Every number on screen is computed from the runs.
"""

from __future__ import annotations

import numpy as np
from optiroll import dynamics as dyn
from optiroll.scenes.lesson import (
    CameraKey,
    CameraSpec,
    LessonSpec,
    PacingSpec,
    RunSpec,
    ShowSpec,
)
from optiroll.scenes.lesson.prepare import Part, first_below
from optiroll.scenes.lesson.scene import Lesson
from optiroll.scenes.text import format_value, join_words

SURFACE = "sigmoid_regression"
#: "off the plateau": the loss below this (the plateau sits near 0.42)
OFF_PLATEAU = 0.1
#: "converged" for the batch race
CLOSE = 0.01


class Plateau(Part):
    """GD, momentum, Nesterov and line search from a plateau."""

    START, STEPS = (-2.0, -4.0), 80

    @classmethod
    def make_spec(cls) -> LessonSpec:
        return LessonSpec(
            title="A sigmoid neuron's plateaus", surface=SURFACE, start=cls.START,
            steps=cls.STEPS,
            runs=[RunSpec(optimizer="gd", lr=1.0, label="GD"),
                  RunSpec(optimizer="momentum", lr=1.0, beta=0.9, label="momentum"),
                  RunSpec(optimizer="nesterov", lr=1.0, beta=0.9, label="Nesterov"),
                  RunSpec(optimizer="line_search", lr=8.0, label="line search")],
            show=ShowSpec(surface3d=True, rules=False),
            pacing=PacingSpec(race_speed=10.0, fly_speed=20.0, hold=1.0),
            camera=CameraSpec(height=0.6, path=[CameraKey(azimuth=-125, elevation=42),
                                                CameraKey(azimuth=-75, elevation=34)]))

    @staticmethod
    def facts(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        return [f"the plateau: loss {format_value(float(runs[0].loss[0]))} at the start"]

    @staticmethod
    def conclusions(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        off = {label: first_below(r, OFF_PLATEAU) for label, r in zip(labels, runs,
                                                                       strict=True)}
        left = sorted(((k, label) for label, k in off.items() if k is not None))
        lines = [f"loss below {OFF_PLATEAU:g}: " + ", ".join(
            f"{label} at step {k}" for k, label in left)] if left else [
            f"no run gets below loss {OFF_PLATEAU:g} in {spec.steps} steps"]
        stuck = [f"{label} (loss {format_value(float(r.final_loss))})"
                 for label, r in zip(labels, runs, strict=True) if off[label] is None]
        if stuck and left:
            lines.append(f"still above {OFF_PLATEAU:g} after {spec.steps} steps: "
                         f"{join_words(stuck)}")
        return lines


class Adaptive(Part):
    """AdaGrad, RMSProp and Adam from deep in b."""

    START, STEPS = (0.0, -8.0), 150

    @classmethod
    def make_spec(cls) -> LessonSpec:
        return LessonSpec(
            title="One learning rate per coordinate", surface=SURFACE, start=cls.START,
            steps=cls.STEPS, view=((-4, 6), (-9, 1)),
            runs=[RunSpec(optimizer="adagrad", lr=0.5, label="AdaGrad"),
                  RunSpec(optimizer="rmsprop", lr=0.05, alpha=0.9, label="RMSProp"),
                  RunSpec(optimizer="adam", lr=0.1, label="Adam")],
            show=ShowSpec(rules=False, data=False),
            pacing=PacingSpec(race_speed=25.0, hold=1.0))

    @staticmethod
    def facts(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        return ["step size in b, first step to last: " + join_words(
            [f"{label} shrinks {format_value(shrink(r))}×"
             for label, r in zip(labels[:2], runs[:2], strict=True)])]

    @staticmethod
    def conclusions(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        return [f"{label}: step size in b shrinks {format_value(shrink(r))}× in "
                f"{spec.steps} steps; loss {format_value(float(r.final_loss))} at the end"
                for label, r in zip(labels, runs, strict=True)]


def shrink(run: dyn.Rollout) -> float:
    """How many times smaller the step size in b is at the end than after the first step."""
    ss = run.state["step_size"][:, 1]
    return float(ss[1] / ss[-1])


class Batches(Part):
    """One example a step against both."""

    START, STEPS, LR, SEED, BATCHES = (-1.0, -1.0), 60, 2.0, 1, (1, 2)

    @classmethod
    def make_spec(cls) -> LessonSpec:
        return LessonSpec(
            title="Stochastic or mini-batch", surface=SURFACE, start=cls.START,
            steps=cls.STEPS, seed=cls.SEED,
            runs=[RunSpec(optimizer="sgd", lr=cls.LR, batch_size=b, label=batch_label(b))
                  for b in cls.BATCHES],
            show=ShowSpec(rules=False),
            pacing=PacingSpec(race_speed=8.0, hold=1.0))

    @staticmethod
    def conclusions(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        lines = []
        for label, r in zip(labels, runs, strict=True):
            ups = int(np.sum(np.diff(r.loss) > 0))
            k = first_below(r, CLOSE)
            went = (f"went up at {ups} of {spec.steps} steps" if ups else
                    f"never went up in its {spec.steps} steps")
            lines.append(f"{label}: the full loss {went}; "
                         + (f"below {CLOSE:g} at step {k}" if k is not None else
                            f"not below {CLOSE:g} in {spec.steps} steps"))
        return lines


def batch_label(b: int) -> str:
    return "stochastic (1 example)" if b == 1 else f"mini-batch of {b}"


class Sigmoid(Lesson):
    """Gradient descent on a sigmoid neuron: the article's two points and its plateaus."""

    parts = (Plateau, Adaptive, Batches)
