"""Numbers as the screen shows them (no manim here, so pure functions can use them).

``format_value`` for losses and coordinates, ``round_sig`` for ratios in
sentences, ``power_of_ten`` for log-axis ticks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_value(v: float, digits: int = 3) -> str:
    """A loss or coordinate for the screen: ``0.102``, ``12.5``, ``2.87×10⁻⁵``.

    Rounded to ``digits`` significant digits first, then written as a plain
    decimal from 0.01 to 1000 and in scientific notation (a real times sign,
    a superscript exponent) outside, so 99.9999 and 100 read the same.
    """
    if not math.isfinite(v):
        return "—"
    if v == 0:
        return "0"
    a = abs(v)
    e = math.floor(math.log10(a))
    r = round(a, digits - 1 - e)
    if r >= 10.0 ** (e + 1):  # rounding carried into the next decade
        e += 1
    if 1e-2 <= r < 1e3:
        text = f"{r:.{max(0, digits - 1 - e)}f}"
    elif 10.0**e == 0:  # below float64's smallest normal power of ten (a subnormal loss)
        mantissa, _, power = f"{a:.{digits - 1}e}".partition("e")
        text = f"{mantissa}×10{str(int(power)).translate(SUPERSCRIPT)}"
    else:
        text = f"{r / 10.0**e:.{digits - 1}f}×10{str(e).translate(SUPERSCRIPT)}"
    return ("−" if v < 0 else "") + text


def round_sig(x: float, sig: int = 2) -> str:
    """``3566 -> '3,600'``, ``12.34 -> '12'``, ``1.234 -> '1.2'``: a ratio for a sentence."""
    if not math.isfinite(x):
        return "∞"
    digits = sig - 1 - int(math.floor(math.log10(abs(x))))
    v = round(x, digits)
    return f"{v:,.0f}" if v >= 100 else f"{v:.{max(digits, 0)}f}"


def short_number(v: float) -> str:
    """A setting as a spec writes it, for a label: ``0.1``, ``2.5``, ``100000``; in
    ``:g``'s exponent form, a power of ten instead: ``10⁶``, ``2.5×10⁻⁸`` (``1e+06`` and
    ``2.5e-08`` read as code on screen)."""
    text = f"{v:g}"
    mantissa, e, power = text.partition("e")
    if not e:
        return text
    if mantissa.lstrip("-") == "1":
        return mantissa[:-1] + power_of_ten(int(power))
    return f"{mantissa}×{power_of_ten(int(power))}"


def power_of_ten(e: int) -> str:
    """``-3 -> '10⁻³'``, ``0 -> '1'``."""
    return "1" if e == 0 else "10" + str(e).translate(SUPERSCRIPT)


def times(ratio: float) -> str:
    """A ratio for a sentence: ``3,600×`` below ten thousand, else in orders of magnitude
    to the nearest (``17 orders of magnitude``; 9.1 million is 7, not 6)."""
    if math.isfinite(ratio) and ratio >= 1e4:
        return f"{round(math.log10(ratio))} orders of magnitude"
    return f"{round_sig(ratio)}×"


def loss_string(loss: Sequence[float], diverged_at: int, k: int,
                floor: Sequence[float] | None = None) -> str:
    """The loss readout after ``k`` iterations: ``loss 0.102`` or ``diverged at step 7``;
    ``loss < 10⁻²⁷`` where the loss is below ``floor[k]`` (what float64's rounding leaves
    undecided, see :func:`optiroll.scenes.lesson.prepare.rounding_floor`): there the
    digits are rounding noise, and a readout showing them flickers from frame to frame."""
    if 0 <= diverged_at <= k:
        return f"diverged at step {diverged_at}"
    return "loss " + loss_value(float(loss[k]), None if floor is None else floor[k])


def loss_value(v: float, floor: float | None = None) -> str:
    """A loss for the screen (:func:`format_value`), or ``< 10⁻²⁷`` where it is below
    ``floor``, the rounding floor at its point."""
    if floor is not None and 0 <= v < floor:
        return "< " + power_of_ten(math.ceil(math.log10(floor)))
    return format_value(v)


def point_string(x: float, y: float, decimals: int = 6) -> str:
    """``(−2.382563, −0.158591)``: a position as the books print it, with real minus signs
    (and none on a coordinate that rounds to zero: ``0.000000``, not ``−0.000000``)."""
    return f"({_fixed(x, decimals)}, {_fixed(y, decimals)})"


def _fixed(v: float, decimals: int) -> str:
    text = f"{v:.{decimals}f}"
    if float(text) == 0:
        text = f"{0.0:.{decimals}f}"
    return text.replace("-", "−")


def join_words(items: Sequence[str]) -> str:
    """``["a", "b", "c"] -> "a, b and c"``."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
