"""Where you start decides where you land: hundreds of starts, three wells, two optimizers.

    manim render scenes/local_minima.py          # or: optiroll render local_minima -ql

Article 001 (local minima). On the three wells, 300 seeded random starts roll at
once under gradient descent and under momentum, on maps side by side; each ball
turns the colour of the well it settles in, and the share of balls settled in
the deepest well is counted live. Then the basin maps: every pixel of a 400x400
grid over the view is a start, coloured by the well it reaches (one vectorized
rollout per optimizer). Gradient descent's basins are the wells' catchment
areas; momentum's borders intertwine where its balls overshoot. Every number on
screen is computed.
"""

from __future__ import annotations

import numpy as np
from optiroll import dynamics as dyn
from optiroll.dynamics.basins import deepest_minimum
from optiroll.scenes.lesson import LessonSpec, PacingSpec, RunSpec, ShowSpec
from optiroll.scenes.lesson.scene import Lesson
from optiroll.scenes.text import point_string

LR, BETA, STEPS, STARTS, PIXELS = 0.3, 0.95, 200, 300, 400


class LocalMinima(Lesson):
    """Where you start decides where you land: hundreds of starts, three wells."""

    @classmethod
    def make_spec(cls) -> LessonSpec:
        s = dyn.surface("wells")
        deepest = s.minima[deepest_minimum(s)]
        loss = f"{float(s.value(np.array(deepest))):.2f}".replace("-", "−")
        key = ("white: still rolling · coloured: settled in that well (★) · the deepest "
               f"well: {point_string(*deepest, decimals=2)}, loss {loss}")
        return LessonSpec(
            title="Where you start decides where you land", subtitle=key, surface="wells",
            steps=STEPS,  # no start: every run's balls start all over the view (the swarm)
            runs=[RunSpec(optimizer="gd", lr=LR, label="gradient descent"),
                  RunSpec(optimizer="momentum", lr=LR, beta=BETA,
                          label=f"momentum, β {BETA:g}")],
            show=ShowSpec(swarm=STARTS, swarm_seed=0, basins=PIXELS, rules=False,
                          settings=False),
            pacing=PacingSpec(race_speed=12.0, hold=2.5))
