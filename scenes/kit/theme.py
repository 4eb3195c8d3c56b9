"""The look shared by every scene: colours, fonts, sizes.

Run colours and the loss colour map are chosen together (see
``tests/test_theme.py`` and :mod:`optiroll.scenes.kit.colors`):

- Run colours are the Okabe-Ito hues (Okabe & Ito, 2008, "Color Universal
  Design"), lightened where needed for a dark background (vermillion, bluish
  green, reddish purple), plus white and a pale mint for the seventh and
  eighth run (the mint replaced a light blue that protanopes and deuteranopes
  could not tell from sky blue: 4 units apart, the mint is 14 or more from
  every run colour for every vision). Each is at least 20 CIEDE2000 units away from every colour of
  the loss map, for normal vision and for simulated protanopia, deuteranopia
  and tritanopia, so no ball or trail disappears into the map.
- The loss map ("ink") runs from slate (high loss, CIELAB L* 20) to a steel
  blue (the valley floor, L* 44): darker and less saturated than every run
  colour (L* 64 to 92), so the balls stay the brightest things on screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from manim import ManimColor

BACKGROUND = "#0E1217"
FOREGROUND = "#E6E8EB"
MUTED = "#8A94A3"
FRAME = "#59626E"
FONT = "DejaVu Sans"

# Okabe & Ito (2008), "Color Universal Design", adapted to a dark background
VERMILLION = "#F2763F"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#2EC28E"
ORANGE = "#E69F00"
REDDISH_PURPLE = "#EE9AC4"
YELLOW = "#F0E442"
WHITE = "#E6E8EB"
#: the eighth run colour (line search's, AdaDelta's): the only hue left at least 19 units
#: from all the others for normal vision and 14 for each dichromacy
MINT = "#C8F8B8"
PALETTE = (VERMILLION, SKY_BLUE, BLUISH_GREEN, ORANGE, REDDISH_PURPLE, YELLOW, WHITE,
           MINT)
#: one colour per minimum in basin maps and swarms (no white: white is "still rolling")
BASIN_PALETTE = tuple(c for c in PALETTE if c != WHITE)

#: one colour per optimizer, the same in every scene
OPTIMIZER_COLORS = {
    "gd": VERMILLION, "sgd": VERMILLION, "momentum": SKY_BLUE, "nesterov": BLUISH_GREEN,
    "adagrad": ORANGE, "rmsprop": REDDISH_PURPLE, "adadelta": MINT, "adam": YELLOW,
    "adamw": YELLOW, "nadam": BLUISH_GREEN, "radam": ORANGE, "adamax": REDDISH_PURPLE,
    "newton": WHITE, "line_search": MINT,
}

#: the loss map's stops, from the highest loss to the lowest
_INK = np.array([
    [0x2A, 0x2F, 0x45], [0x2F, 0x3D, 0x60], [0x35, 0x55, 0x7E], [0x3C, 0x6E, 0x8E],
]) / 255.0

TITLE_SIZE = 40
BODY_SIZE = 26
SMALL_SIZE = 20
#: a live value's size as a share of its label's (the panels' readouts)
READOUT_SCALE = 0.85
#: Typst math at this multiple of a Text's font size has the Text's cap height
#: (measured: "H" is 0.263 units in DejaVu Sans at 26, 0.185 in Typst's math font)
MATH_SCALE = 1.42


def colormap(t: np.ndarray | float) -> np.ndarray:
    """RGB in [0, 1] for ``t`` in [0, 1], where 0 is the lowest loss (the brightest)."""
    t = np.clip(1.0 - np.asarray(t, float), 0.0, 1.0) * (len(_INK) - 1)
    i = np.minimum(t.astype(int), len(_INK) - 2)
    f = (t - i)[..., None]
    return _INK[i] * (1 - f) + _INK[i + 1] * f


def colormap_hex(t: float) -> ManimColor:
    from manim import ManimColor

    return ManimColor.from_rgb(tuple(colormap(t)))


def series_colors(names: list[str], fixed: list[str | None] | None = None) -> list[str]:
    """A distinct colour per series: ``fixed[i]`` where given, else the optimizer's own
    colour for its first series (while still free), else the next free colour of the
    palette. Own colours are handed out first, so a second momentum run listed before
    gradient descent does not take gradient descent's vermillion."""
    fixed = fixed or [None] * len(names)
    out: list[str | None] = list(fixed)
    used = {c.upper() for c in fixed if c}
    for i, name in enumerate(names):
        own = OPTIMIZER_COLORS.get(name)
        if out[i] is None and own and own.upper() not in used:
            out[i] = own
            used.add(own.upper())
    for i in range(len(names)):
        if out[i] is None:
            out[i] = next((c for c in PALETTE if c.upper() not in used),
                          PALETTE[i % len(PALETTE)])
            used.add(out[i].upper())
    return [c for c in out if c is not None]
