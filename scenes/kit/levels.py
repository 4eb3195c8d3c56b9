"""Contour levels and the loss-to-colour scale shared by the 2-D and 3-D views."""

from __future__ import annotations

import numpy as np


class LevelScale:
    """Contour levels over a sampled surface, and a map from loss to [0, 1].

    Level spacing is chosen per surface: geometric when the values above the
    minimum span a ratio of more than ``log_threshold`` (30, about 1.5 decades)
    between their 97th and 0.2th percentiles (a ravine, Rosenbrock), linear
    otherwise. ``fraction(z)`` uses the same spacing, so
    colours agree between the contour map and the surface.
    """

    def __init__(self, Z: np.ndarray, n_levels: int = 14, log: bool | None = None,
                 log_threshold: float = 30.0) -> None:
        Z = np.asarray(Z, float)
        finite = Z[np.isfinite(Z)]
        self.offset = float(finite.min())
        r = finite - self.offset
        self.hi = float(np.quantile(r, 0.97))
        self.lo = max(float(np.quantile(r, 0.002)), self.hi * 1e-5)
        self.log = (self.hi / max(self.lo, 1e-300) > log_threshold) if log is None else log
        if self.log:
            rel = np.geomspace(self.lo, self.hi, n_levels)
        else:
            rel = np.linspace(self.hi / n_levels, self.hi, n_levels)
        self.levels = self.offset + rel

    def fraction(self, z: np.ndarray | float) -> np.ndarray:
        """0 at (or below) the lowest level, 1 at (or above) the highest."""
        r = np.maximum(np.asarray(z, float) - self.offset, 0.0)
        if self.log:
            with np.errstate(divide="ignore"):
                f = (np.log(np.maximum(r, self.lo * 1e-3)) - np.log(self.lo)) / (
                    np.log(self.hi) - np.log(self.lo))
        else:
            f = r / self.hi
        return np.clip(f, 0.0, 1.0)
