"""The look shared by every scene: colours, fonts, sizes.

Series colours are the Okabe-Ito palette (safe for the common colour-vision
deficiencies); the loss colour map is cividis (designed for the same), run from
dark navy (high loss) to yellow (low loss) so the valley floor glows on the dark
background.
"""

from __future__ import annotations

import numpy as np
from manim import ManimColor

BACKGROUND = "#0E1217"
FOREGROUND = "#E6E8EB"
MUTED = "#8A94A3"
FRAME = "#59626E"
FONT = "DejaVu Sans"

# Okabe & Ito (2008), "Color Universal Design"
VERMILLION = "#D55E00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
ORANGE = "#E69F00"
REDDISH_PURPLE = "#CC79A7"
YELLOW = "#F0E442"
BLUE = "#0072B2"
PALETTE = (VERMILLION, SKY_BLUE, BLUISH_GREEN, ORANGE, REDDISH_PURPLE, YELLOW, BLUE)

#: one colour per optimizer, the same in every scene
OPTIMIZER_COLORS = {
    "gd": VERMILLION, "sgd": VERMILLION, "momentum": SKY_BLUE, "nesterov": BLUISH_GREEN,
    "adagrad": ORANGE, "rmsprop": REDDISH_PURPLE, "adadelta": BLUE, "adam": YELLOW,
    "adamw": YELLOW, "nadam": BLUISH_GREEN, "radam": ORANGE, "adamax": REDDISH_PURPLE,
    "newton": FOREGROUND, "line_search": MUTED,
}

# cividis, sampled at 9 stops (Nunez et al., 2018)
_CIVIDIS = np.array([
    [0.000, 0.135, 0.305], [0.139, 0.212, 0.431], [0.266, 0.292, 0.427],
    [0.376, 0.375, 0.433], [0.486, 0.463, 0.471], [0.600, 0.554, 0.467],
    [0.718, 0.650, 0.437], [0.846, 0.751, 0.371], [0.996, 0.910, 0.220],
])

TITLE_SIZE = 40
BODY_SIZE = 26
SMALL_SIZE = 20


def colormap(t: np.ndarray | float) -> np.ndarray:
    """RGB in [0, 1] for ``t`` in [0, 1], where 0 is the lowest loss (bright)."""
    t = np.clip(1.0 - np.asarray(t, float), 0.0, 1.0) * (len(_CIVIDIS) - 1)
    i = np.minimum(t.astype(int), len(_CIVIDIS) - 2)
    f = (t - i)[..., None]
    return _CIVIDIS[i] * (1 - f) + _CIVIDIS[i + 1] * f


def colormap_hex(t: float) -> ManimColor:
    return ManimColor.from_rgb(tuple(colormap(t)))


def series_colors(names: list[str]) -> list[str]:
    """A distinct colour per series: the optimizer's own colour when free, else the next."""
    used: list[str] = []
    for name in names:
        own = OPTIMIZER_COLORS.get(name)
        if own and own not in used:
            used.append(own)
        else:
            used.append(next(c for c in PALETTE if c not in used))
    return used
