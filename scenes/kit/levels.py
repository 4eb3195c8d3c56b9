"""Contour levels and the loss-to-colour scale shared by the 2-D and 3-D views."""

from __future__ import annotations

import numpy as np


class LevelScale:
    """Contour levels over a sampled surface, and a map from loss to [0, 1].

    Level spacing is chosen per surface: geometric when the values above the
    minimum span a ratio of more than ``log_threshold`` (30, about 1.5 decades)
    between their 97th and 0.2th percentiles (a ravine, Rosenbrock) and the lowest
    value of a grid ``Z`` lies inside the view (a basin the dense levels reveal),
    linear otherwise: where the surface falls away out of the view (a plane, a
    saddle), geometric levels had bunched into a bright bar along the lowest edge.
    ``fraction(z)`` uses the same spacing, so colours agree between the contour map
    and the surface. A grid flat at its 97th percentile (a narrow spike on a plateau)
    is scaled to its highest value instead; a flat grid, or one with no finite value,
    has no levels and maps every value to 0 (a lesson refuses such a surface first).
    """

    def __init__(self, Z: np.ndarray, n_levels: int = 14, log: bool | None = None,
                 log_threshold: float = 30.0) -> None:
        Z = np.asarray(Z, float)
        finite = Z[np.isfinite(Z)]
        self.offset = float(finite.min()) if finite.size else 0.0
        r = finite - self.offset
        self.hi = float(np.quantile(r, 0.97)) if finite.size else 0.0
        if self.hi <= 0 and finite.size:  # flat but for a few samples (a narrow spike)
            self.hi = float(r.max())
        if self.hi <= 0:  # flat, or nowhere finite: no level to draw, every value at 0
            self.log, self.lo, self.levels = False, 0.0, np.zeros(0)
            return
        self.lo = max(float(np.quantile(r, 0.002)), self.hi * 1e-5)
        if log is None:
            log = self.hi / max(self.lo, 1e-300) > log_threshold and not _lowest_on_edge(Z)
        self.log = log
        if self.log:
            rel = np.geomspace(self.lo, self.hi, n_levels)
        else:
            rel = np.linspace(self.hi / n_levels, self.hi, n_levels)
        self.levels = self.offset + rel

    def fraction(self, z: np.ndarray | float) -> np.ndarray:
        """0 at (or below) the lowest level, 1 at (or above) the highest."""
        r = np.maximum(np.asarray(z, float) - self.offset, 0.0)
        if self.hi <= 0:
            return np.zeros_like(r)
        if self.log:
            with np.errstate(divide="ignore"):
                f = (np.log(np.maximum(r, self.lo * 1e-3)) - np.log(self.lo)) / (
                    np.log(self.hi) - np.log(self.lo))
        else:
            f = r / self.hi
        return np.clip(f, 0.0, 1.0)


def _lowest_on_edge(Z: np.ndarray) -> bool:
    """Whether a grid's lowest finite value lies on its border (False for a grid that is
    not 2-D)."""
    if Z.ndim != 2 or min(Z.shape) < 3 or not np.isfinite(Z).any():
        return False
    row, col = np.unravel_index(np.nanargmin(np.where(np.isfinite(Z), Z, np.nan)), Z.shape)
    return row in (0, Z.shape[0] - 1) or col in (0, Z.shape[1] - 1)
