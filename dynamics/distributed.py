"""Chunked rollouts: one rollout over very many starts, in pieces, on any executor.

:func:`rollout` cuts the starts into chunks of ``chunk`` balls, runs each chunk
with :func:`optiroll.dynamics.rollout` (on a Dask cluster's workers, in a
process pool, or here one after another) and joins the pieces. Every ball's
arithmetic is its own (a step's mini-batch or noise sample is shared by all
balls and drawn from the same seeded stream whatever the chunk), so the joined
arrays are bit for bit those of one call over every start; the tests assert it.

Memory: a worker holds one chunk's rollout at a time. Give ``reduce`` to keep
only what you need of each chunk (for example :func:`final_positions`, or a
:class:`optiroll.dynamics.basins.Basins` labelling), and a map of millions of
starts never holds a trajectory longer than a chunk's.

>>> import numpy as np
>>> from optiroll import dynamics as dyn
>>> from optiroll.dynamics import distributed
>>> s, opt = dyn.surface("wells"), dyn.optimizer("momentum", lr=0.05, beta=0.9)
>>> starts = np.random.default_rng(0).uniform(-3, 3, size=(1000, 2))
>>> whole = dyn.rollout(s, opt, starts, 50)
>>> pieces = distributed.rollout(s, opt, starts, 50, chunk=300)  # client=None: here
>>> bool(np.array_equal(whole.positions, pieces.positions))
True

With Dask: ``distributed.rollout(..., client=Client("tcp://host:8786"))``; any
``concurrent.futures`` executor works too. This module never imports Dask.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from .errors import OptirollError, check_int
from .optimizers.base import Optimizer
from .rollouts import RECORDABLE, Rollout, _check_start, _checked_options
from .rollouts import rollout as _rollout
from .surfaces import Surface

#: 4,096 balls a task: a step's arrays ((4096, 2) float64: 64 KiB) stay below glibc's
#: 128 KiB mmap threshold. Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536,
#: which freezes that threshold, so larger arrays are mapped and unmapped at every
#: operation: chunks of 65,536 ran 3x slower per worker than in a plain process
#: (benchmarks/bench_basins.py). Recording positions only for 300 steps, a chunk
#: holds about 20 MB.
DEFAULT_CHUNK = 4_096
#: a Grid's whole rollout (no reduce) is refused past this many start-steps (~4 GB of
#: positions alone): a grid is usually a map, which wants a reduce
WHOLE_GRID_LIMIT = 250_000_000


class Executor(Protocol):
    """What :func:`rollout` needs of a client: ``submit(fn, *args) -> future``
    (a ``dask.distributed.Client`` or a ``concurrent.futures`` executor)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class Grid:
    """Starts on a ``width x height`` pixel grid over ``view``, row by row from the top.

    Pixel ``(row, col)`` is start ``row * width + col`` at the pixel's centre, so
    the labels of a map reshape to an image with ``labels.reshape(height, width)``.
    A chunk of a grid is made where it is run: a task carries four numbers, not
    millions of starts.
    """

    view: tuple[tuple[float, float], tuple[float, float]]
    width: int
    height: int

    def __len__(self) -> int:
        return self.width * self.height

    def starts(self, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """Starts ``lo..hi`` (all by default), shape ``(hi - lo, 2)``."""
        hi = len(self) if hi is None else hi
        (x0, x1), (y0, y1) = self.view
        i = np.arange(lo, hi)
        row, col = np.divmod(i, self.width)
        x = x0 + (col + 0.5) * ((x1 - x0) / self.width)
        y = y1 - (row + 0.5) * ((y1 - y0) / self.height)
        return np.stack([x, y], axis=-1)


def final_positions(run: Rollout) -> np.ndarray:
    """A ``reduce`` that keeps each ball's last finite position ``(n, 2)``."""
    return run.final_position


def rollout(
    surface: Surface,
    opt: Optimizer,
    starts: np.ndarray | Grid,
    steps: int,
    *,
    client: Executor | None = None,
    chunk: int = DEFAULT_CHUNK,
    reduce: Callable[[Rollout], np.ndarray] | None = None,
    seed: int = 0,
    batch_size: int | None = None,
    noise: float = 0.0,
    record: tuple[str, ...] = RECORDABLE,
) -> Rollout | np.ndarray:
    """:func:`optiroll.dynamics.rollout` over ``starts`` in chunks of ``chunk`` balls.

    Parameters
    ----------
    starts : an ``(n, 2)`` array, or a :class:`Grid` (made chunk by chunk where run).
    client : where chunks run: a Dask ``Client``, a ``concurrent.futures``
        executor, or None to run them here one after another.
    chunk : balls per task; a worker's memory is that of one chunk's rollout.
    reduce : applied to each chunk's :class:`Rollout` where it ran (it must
        pickle: a module-level function or class); its ``(chunk, ...)`` arrays are
        joined along the first axis and returned instead of a Rollout.
    seed, batch_size, noise, record : as for :func:`optiroll.dynamics.rollout`.

    Returns the joined :class:`Rollout` (bit for bit that of one call, metadata
    included) or, with ``reduce``, the joined reduced array.
    """
    steps, seed, batch_size, noise, record = _checked_options(
        surface, opt, steps, seed, batch_size, noise, record)
    chunk = check_int("chunk", chunk, 1)
    grid = starts if isinstance(starts, Grid) else None
    single = False
    if grid is None:
        p0 = _check_start(surface, starts)
        single = p0.ndim == 1
        starts = p0.reshape(-1, 2)
        n = len(starts)
    else:
        n = len(grid)
        if n == 0:
            raise OptirollError("the grid has no pixels; give a width and height of at least 1")
        _check_start(surface, grid.starts(0, 1))
        _check_start(surface, grid.starts(n - 1, n))
    if reduce is None and grid is not None and n * (steps + 1) > WHOLE_GRID_LIMIT:
        raise OptirollError(f"a {grid.width}x{grid.height} grid's whole {steps}-step rollout "
                            "would not fit in memory; pass reduce=... (e.g. final_positions)")
    options = (steps, seed, batch_size, noise, record, reduce)
    parts = [_submit(client, surface, opt, grid if grid is not None else starts[lo:hi],
                     lo, hi, options) for lo, hi in _ranges(n, chunk)]
    results = _results(parts) if client is not None else parts
    if reduce is not None:
        return np.concatenate(results, axis=0)
    whole = _join(results)
    every = grid.starts() if grid is not None else starts
    whole.metadata = {**results[0].metadata,
                      "start": (every[0] if single else every).tolist()}
    return whole.ball(0) if single else whole


def _results(futures: list[Any]) -> list[Any]:
    """Every future's result, in order; the rest are cancelled when one fails (or on
    Ctrl-C), so a cluster does not go on with a map nobody will read."""
    try:
        return [f.result() for f in futures]
    except BaseException:
        for f in futures:
            f.cancel()
        raise


def _ranges(n: int, chunk: int) -> Iterator[tuple[int, int]]:
    for lo in range(0, n, chunk):
        yield lo, min(lo + chunk, n)


def _submit(client: Executor | None, surface: Surface, opt: Optimizer,
            starts: np.ndarray | Grid, lo: int, hi: int, options: tuple) -> Any:
    if client is None:
        return run_chunk(surface, opt, starts, lo, hi, options)
    return client.submit(run_chunk, surface, opt, starts, lo, hi, options)


def run_chunk(surface: Surface, opt: Optimizer, starts: np.ndarray | Grid, lo: int, hi: int,
              options: tuple) -> Rollout | np.ndarray:
    """One task: the rollout of starts ``lo..hi`` (reduced when a ``reduce`` is given)."""
    steps, seed, batch_size, noise, record, reduce = options
    p = starts.starts(lo, hi) if isinstance(starts, Grid) else starts
    run = _rollout(surface, opt, p, steps, seed=seed, batch_size=batch_size, noise=noise,
                   record=record)
    return run if reduce is None else np.asarray(reduce(run))


def _join(parts: list[Rollout]) -> Rollout:
    """One Rollout from chunk rollouts, joined along the ball axis."""

    def cat(arrays: list[np.ndarray | None]) -> np.ndarray | None:
        return None if arrays[0] is None else np.concatenate(arrays, axis=0)

    first = parts[0]
    return Rollout(
        positions=cat([p.positions for p in parts]),
        loss=cat([p.loss for p in parts]),
        gradient=cat([p.gradient for p in parts]),
        update=cat([p.update for p in parts]),
        state={k: cat([p.state[k] for p in parts]) for k in first.state},
        diverged_at=np.concatenate([p.diverged_at for p in parts]),
        metadata=dict(first.metadata),
    )
