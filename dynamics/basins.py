"""Basins of attraction: which minimum each start of a grid rolls into.

A start belongs to minimum ``i`` when, after ``steps`` steps, its ball is within
``tol`` of ``surface.minima[i]``; ``UNSETTLED`` (-1) when it is still on its way
or stuck elsewhere, ``DIVERGED`` (-2) when it flew off. The labelling runs
where each chunk ran (:class:`Basins` is a ``reduce`` for
:func:`optiroll.dynamics.distributed.rollout`), so a map of millions of starts
sends back one small integer per start.

>>> from optiroll import dynamics as dyn
>>> from optiroll.dynamics.basins import basin_map
>>> labels = basin_map(dyn.surface("wells"), dyn.optimizer("sgd", lr=0.1), 8, 6, 400)
>>> labels.shape, sorted(set(labels.ravel().tolist())) == [0, 1, 2]
((6, 8), True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .distributed import DEFAULT_CHUNK, Executor, Grid, rollout
from .errors import OptirollError, check_int
from .optimizers.base import Optimizer
from .rollouts import Rollout
from .surfaces import Box, Surface

UNSETTLED = -1
DIVERGED = -2


@dataclass(frozen=True)
class Basins:
    """A ``reduce``: the label of each ball's last position (int16)."""

    minima: tuple[tuple[float, float], ...]
    tol: float

    def __call__(self, run: Rollout) -> np.ndarray:
        final = run.final_position.reshape(-1, 2)
        centres = np.asarray(self.minima, dtype=float)
        dist = np.linalg.norm(final[:, None, :] - centres[None, :, :], axis=-1)
        nearest = np.argmin(dist, axis=1)
        labels = np.where(dist[np.arange(len(final)), nearest] <= self.tol, nearest,
                          UNSETTLED).astype(np.int16)
        labels[np.asarray(run.diverged).reshape(-1)] = DIVERGED
        return labels


def arrivals(run: Rollout, labels: np.ndarray, minima: tuple[tuple[float, float], ...],
             tol: float) -> np.ndarray:
    """The step from which each ball stays within ``tol`` of the minimum it ends in
    (``labels`` from :class:`Basins`); -1 for a ball that never settles."""
    pos = run.positions.reshape(-1, run.steps + 1, 2)
    centres = np.asarray(minima, dtype=float)[np.maximum(labels, 0)]
    near = np.linalg.norm(pos - centres[:, None, :], axis=-1) <= tol
    near[labels < 0] = False
    # stays near from k on: the reversed running "and" of near
    stays = np.flip(np.logical_and.accumulate(np.flip(near, axis=1), axis=1), axis=1)
    first = np.argmax(stays, axis=1)
    return np.where(stays[np.arange(len(first)), first], first, -1)


def deepest_minimum(surface: Surface) -> int | None:
    """The index of the surface's one lowest minimum; None when two or more share the
    lowest loss (to 1e-9 of the loss range: Himmelblau's four are all 0)."""
    if not surface.minima:
        return None
    loss = np.array([float(surface.value(np.array(m, float))) for m in surface.minima])
    low = int(np.argmin(loss))
    tie = 1e-9 * max(1.0, float(np.ptp(loss)), abs(float(loss[low])))
    return low if int(np.sum(loss <= loss[low] + tie)) == 1 else None


def default_tol(surface: Surface, minima: np.ndarray) -> float:
    """A quarter of the closest two minima's distance (2 % of the view for one minimum)."""
    if len(minima) > 1:
        gaps = np.linalg.norm(minima[:, None] - minima[None, :], axis=-1)
        return float(gaps[np.triu_indices(len(minima), 1)].min() / 4)
    (x0, x1), (y0, y1) = surface.view
    return 0.02 * float(np.hypot(x1 - x0, y1 - y0))


def fit_view(view: Box, width: int, height: int) -> Box:
    """``view`` widened about its centre (along one axis) to the pixels' aspect ratio, so
    a pixel covers a square of the plane and the map is not stretched.

    >>> fit_view(((-3.5, 3.5), (-3.5, 3.5)), 1920, 1080)
    ((-6.222222222222222, 6.222222222222222), (-3.5, 3.5))
    """
    (x0, x1), (y0, y1) = view
    cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    if w / h < width / height:
        w = h * width / height
    else:
        h = w * height / width
    return ((cx - w / 2, cx + w / 2), (cy - h / 2, cy + h / 2))


def basin_map(
    surface: Surface,
    opt: Optimizer,
    width: int,
    height: int,
    steps: int,
    *,
    view: Box | None = None,
    tol: float | None = None,
    client: Executor | None = None,
    chunk: int = DEFAULT_CHUNK,
) -> np.ndarray:
    """Labels ``(height, width)``: the minimum each pixel's start reaches (row 0 on top).

    One start per pixel centre over ``view`` (the surface's by default), each run
    for ``steps`` steps of ``opt``; chunks of ``chunk`` starts run on ``client``
    (see :func:`optiroll.dynamics.distributed.rollout`).
    """
    width = check_int("width", width, 1)
    height = check_int("height", height, 1)
    if not surface.minima:
        what = (f"the formula {surface.display_name!r}" if surface.name == "formula"
                else repr(surface.name))
        raise OptirollError(f"{what} lists no minima to colour basins by; choose a surface "
                            "with known minima (e.g. wells, himmelblau)")
    minima = np.asarray(surface.minima, dtype=float)
    tol = default_tol(surface, minima) if tol is None else float(tol)
    if not tol > 0:
        raise OptirollError(f"tol must be > 0, got {tol}")
    grid = Grid(view or surface.view, width, height)
    labels = rollout(surface, opt, grid, steps, client=client, chunk=chunk,
                     reduce=Basins(tuple(map(tuple, minima.tolist())), tol), record=())
    return labels.reshape(height, width)
