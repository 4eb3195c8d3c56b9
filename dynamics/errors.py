"""Error types and small validators shared by the dynamics package.

Every message names the offending parameter, the value it got and what is
allowed, so a user can fix the call without reading our source.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Iterable

import numpy as np


class OptirollError(ValueError):
    """Base class of optiroll's input errors (a ``ValueError``)."""


class UnknownNameError(OptirollError):
    """An unknown surface, optimizer or schedule name."""


class FormulaError(OptirollError):
    """A surface formula that does not parse or uses something not allowed."""


def _edits(a: str, b: str) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions and
    swaps of neighbours each cost 1 (so 'adma' is 1 from 'adam')."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def closest(name: str, valid: Iterable[str]) -> str | None:
    """The valid name a typo most likely meant, or None when nothing is close."""
    valid = list(valid)
    close = difflib.get_close_matches(name, valid, n=5, cutoff=0.6)
    if not close:
        return None
    return min(close, key=lambda v: (_edits(name, v), close.index(v)))


def unknown_name(kind: str, name: str, valid: Iterable[str], hint: str = "") -> UnknownNameError:
    """Build the error for an unknown ``kind`` called ``name``, listing ``valid``."""
    valid = sorted(valid)
    close = closest(name.lower(), valid)
    guess = f" Did you mean {close!r}?" if close else ""
    return UnknownNameError(
        f"unknown {kind} {name!r}.{guess} Valid {kind} names: {', '.join(valid)}.{hint}"
    )


def _real(value: object) -> float | None:
    """``value`` as a float when it is a real number, else None.

    Real numbers are Python ints and floats, numpy integer and floating scalars,
    other :class:`numbers.Real` (e.g. ``Fraction``) and 0-d numpy arrays of an
    integer or floating dtype. Not numbers: ``bool``/``np.bool_`` (a flag, not a
    value), strings (``"0.1"``) and complex numbers, as in torch.optim.
    """
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, np.ndarray):
        if value.ndim != 0 or value.dtype.kind not in "iuf":
            return None
        return float(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return None


def check_number(name: str, value: object) -> float:
    """Return the real number ``value`` as a finite float or raise naming ``name``."""
    v = _real(value)
    if v is None:
        raise OptirollError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(v):
        raise OptirollError(f"{name} must be finite, got {value!r}")
    return v


def check_range(
    name: str,
    value: object,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Check ``low <= value <= high`` (``<`` where open) and return it as a float."""
    v = check_number(name, value)
    lo_ok = low is None or (v > low if low_open else v >= low)
    hi_ok = high is None or (v < high if high_open else v <= high)
    if not (lo_ok and hi_ok):
        left = "(" if low_open else "["
        right = ")" if high_open or high is None else "]"
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise OptirollError(f"{name} must be in {left}{lo}, {hi}{right}, got {v!r}")
    return v


def check_int(name: str, value: object, low: int = 0) -> int:
    """Check that ``value`` is an integer ``>= low`` and return it as an ``int``.

    Integers are ``int``, numpy integer scalars (any :class:`numbers.Integral`)
    and 0-d integer arrays, plus floats with an integral value (``5.0``). Not
    integers: ``bool``/``np.bool_``, ``5.5``, NaN, infinities and strings.
    """
    problem = OptirollError(f"{name} must be an integer >= {low}, got {value!r}")
    if isinstance(value, bool | np.bool_):
        raise problem
    if isinstance(value, numbers.Integral):
        out = int(value)
    else:
        v = _real(value)
        if v is None or not v.is_integer():  # also NaN and inf
            raise problem
        out = int(v)
    if out < low:
        raise problem
    return out
