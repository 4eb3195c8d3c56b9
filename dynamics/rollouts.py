"""Rollouts: run an optimizer from many starts at once and record every step.

Indexing: every recorded array has one entry per iteration ``k = 0..steps``.

- ``positions[k]``: the point after ``k`` steps (``positions[0]`` is the start).
- ``loss[k]``: the full loss at ``positions[k]``.
- ``gradient[k]``: the gradient used to leave ``positions[k]`` (the step's
  mini-batch or noisy gradient; the exact gradient at the last point).
- ``update[k] = positions[k] - positions[k-1]``: the applied step that led to
  ``positions[k]``, the velocity the scenes draw (``update[0] = 0``).
- ``state[name][k]``: the optimizer's named state after ``k`` steps.

A ball diverges when a value turns non-finite or it leaves the surface's
bound (far outside the view). It stops there: ``diverged_at`` holds the step,
the escaping point is kept when finite, and later entries are NaN. The other
balls go on; no exception or warning is raised.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from .errors import OptirollError, check_int, check_range
from .optimizers.base import Optimizer, Oracle
from .schedules import schedule_from_dict
from .surfaces import Surface, surface_from_spec

RECORDABLE = ("loss", "gradient", "update", "state")
#: the most steps a rollout takes (each step of each ball keeps at least 16 bytes)
MAX_STEPS = 10_000_000


@dataclass
class Rollout:
    """The arrays of one rollout plus the metadata needed to redo it."""

    positions: np.ndarray
    loss: np.ndarray | None
    gradient: np.ndarray | None
    update: np.ndarray | None
    state: dict[str, np.ndarray]
    diverged_at: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)

    # -- conveniences -------------------------------------------------------
    @property
    def steps(self) -> int:
        return self.positions.shape[-2] - 1

    @property
    def diverged(self) -> np.ndarray:
        """True for each ball that diverged (a bool, or an array for many starts)."""
        return self.diverged_at >= 0

    @property
    def final_position(self) -> np.ndarray:
        """The last finite position of each ball."""
        return _last_finite(self.positions)

    @property
    def final_loss(self) -> np.ndarray | float:
        if self.loss is None:
            raise OptirollError("loss was not recorded; pass record=(..., 'loss', ...)")
        last = _last_finite(self.loss[..., None])[..., 0]
        return float(last) if np.ndim(last) == 0 else last

    def ball(self, i: int) -> Rollout:
        """The rollout of the ``i``-th start alone (from a batched rollout)."""
        if self.positions.ndim != 3:
            raise OptirollError("ball(i) needs a rollout over several starts")
        n = len(self.positions)
        i = check_int("i", i, -n)
        if not -n <= i < n:
            raise OptirollError(f"ball({i}): this rollout has {n} balls, 0 to {n - 1}")

        def pick(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[i]

        meta = dict(self.metadata)
        starts = meta.get("start")
        if isinstance(starts, list) and len(starts) == n and np.ndim(starts) == 2:
            meta["start"] = starts[i]  # its own start: redo() runs that ball alone

        return Rollout(
            positions=self.positions[i],
            loss=pick(self.loss),
            gradient=pick(self.gradient),
            update=pick(self.update),
            state={k: v[i] for k, v in self.state.items()},
            diverged_at=self.diverged_at[i],
            metadata=meta,
        )

    # -- persistence --------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write an ``.npz`` with every array and the run's metadata.

        The file appears atomically: a failed write leaves nothing at ``path``.
        """
        if not isinstance(path, str | os.PathLike) or not str(path).strip():
            raise OptirollError(f"save needs a file name such as 'run.npz', got {path!r}")
        path = Path(path)
        if path.is_dir():
            raise OptirollError(f"cannot save rollout: {str(path)!r} is a folder; give a file "
                                f"name in it, e.g. {str(path / 'run.npz')!r}")
        if path.suffix != ".npz":
            path = path.with_suffix(path.suffix + ".npz") if path.suffix else path.with_suffix(
                ".npz")
        if path.is_dir():
            raise OptirollError(f"cannot save rollout: {str(path)!r} is a folder")
        folder = path.parent
        if not folder.is_dir():
            raise OptirollError(
                f"cannot save rollout: folder {str(folder)!r} does not exist; create it first "
                f"(mkdir -p {folder})"
            )
        arrays = {"positions": self.positions, "diverged_at": self.diverged_at}
        for name in ("loss", "gradient", "update"):
            if getattr(self, name) is not None:
                arrays[name] = getattr(self, name)
        for name, value in self.state.items():
            arrays[f"state.{name}"] = value
        arrays["metadata"] = np.array(json.dumps(self.metadata))
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Rollout:
        """Read a rollout written by :meth:`save`.

        Raises :class:`OptirollError` when ``path`` is missing or is not a whole
        rollout file (truncated, not an ``.npz``, or lacking a rollout's arrays).
        """
        if not isinstance(path, str | os.PathLike):
            raise OptirollError(f"load needs a file name, got {path!r}")
        path = Path(path)

        def not_a_rollout(why: str) -> OptirollError:
            return OptirollError(
                f"{str(path)!r} is not a rollout file ({why}): save one with run.save(path)"
            )

        if not path.is_file():
            raise not_a_rollout("no such file")
        unreadable = (OSError, ValueError, EOFError, zipfile.BadZipFile)
        try:
            data = np.load(path, allow_pickle=False)
        except unreadable as err:
            raise not_a_rollout(f"unreadable: {type(err).__name__}: {err}") from None
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise not_a_rollout("a single array, not an .npz archive")
        try:
            with data:
                arrays = {k: data[k] for k in data.files}
        except unreadable as err:
            raise not_a_rollout(f"unreadable: {type(err).__name__}: {err}") from None
        missing = [k for k in ("positions", "diverged_at", "metadata") if k not in arrays]
        if missing:
            raise not_a_rollout(f"missing {', '.join(missing)}")
        try:
            meta = json.loads(str(arrays.pop("metadata")))
        except ValueError as err:
            raise not_a_rollout(f"bad metadata: {err}") from None
        if not isinstance(meta, dict):
            raise not_a_rollout("bad metadata: not a JSON object")
        lacking = [k for k in ("surface", "optimizer", "start", "steps", "seed", "noise",
                               "record") if k not in meta]
        if lacking:
            raise not_a_rollout(f"metadata lacks {', '.join(lacking)}")
        positions = arrays["positions"]
        if positions.dtype.kind != "f" or positions.ndim not in (2, 3) or positions.shape[-1] != 2:
            raise not_a_rollout(f"positions of shape {positions.shape} and type {positions.dtype}")
        state = {k[6:]: arrays.pop(k) for k in list(arrays) if k.startswith("state.")}
        return cls(
            positions=arrays["positions"],
            loss=arrays.get("loss"),
            gradient=arrays.get("gradient"),
            update=arrays.get("update"),
            state=state,
            diverged_at=arrays["diverged_at"],
            metadata=meta,
        )

    def redo(self) -> Rollout:
        """Run again from the recorded metadata (same surface, optimizer, seed)."""
        from . import optimizer  # late: the facade imports us

        m = self.metadata
        opt_kwargs = dict(m["optimizer"]["hyperparams"])
        if "schedule" in m["optimizer"]:
            opt_kwargs["schedule"] = schedule_from_dict(m["optimizer"]["schedule"])
        for k, v in opt_kwargs.items():
            if isinstance(v, list):
                opt_kwargs[k] = tuple(v)
        return rollout(
            surface_from_spec(m["surface"]),
            optimizer(m["optimizer"]["name"], **opt_kwargs),
            start=np.array(m["start"]),
            steps=m["steps"],
            seed=m["seed"],
            batch_size=m["batch_size"],
            noise=m["noise"],
            record=tuple(m["record"]),
        )


def _last_finite(a: np.ndarray) -> np.ndarray:
    """Last row along axis -2 whose entries are all finite, per leading index."""
    ok = np.all(np.isfinite(a), axis=-1)
    n = ok.shape[-1]
    last = n - 1 - np.argmax(ok[..., ::-1], axis=-1)
    return np.take_along_axis(a, last[..., None, None], axis=-2)[..., 0, :]


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "numpy": np.__version__}
    for dist in ("optiroll", "sympy"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "unknown"
    return out


def _check_start(surface: Surface, start: Any) -> np.ndarray:
    try:
        p = np.array(start, dtype=float)
    except (TypeError, ValueError):
        raise OptirollError(
            f"start must be a point (x, y) or an array of shape (n, 2), got {start!r}"
        ) from None
    if p.ndim == 0 or p.shape[-1] != 2 or p.ndim > 2 or p.size == 0:
        raise OptirollError(
            f"start must be a point (x, y) or an array of shape (n, 2), got shape {p.shape}"
        )
    if not np.all(np.isfinite(p)):
        raise OptirollError("start must contain finite numbers only")
    centre, half = surface.bound
    outside = np.any(np.abs(p - centre) > half, axis=-1)
    if np.any(outside):
        bad = p.reshape(-1, 2)[np.atleast_1d(outside)][0]
        (x0, x1), (y0, y1) = surface.view
        raise OptirollError(
            f"start ({bad[0]:g}, {bad[1]:g}) is outside the domain of surface {surface.name!r}: "
            f"a start must lie within {half[0]:g} of x = {centre[0]:g} and {half[1]:g} of "
            f"y = {centre[1]:g} (the view is x in [{x0:g}, {x1:g}], y in [{y0:g}, {y1:g}])"
        )
    return p


def rollout(
    surface: Surface,
    opt: Optimizer,
    start: Any,
    steps: int,
    *,
    seed: int = 0,
    batch_size: int | None = None,
    noise: float = 0.0,
    record: Iterable[str] = RECORDABLE,
) -> Rollout:
    """Run ``opt`` on ``surface`` from ``start`` for ``steps`` steps.

    Parameters
    ----------
    surface : from :func:`optiroll.dynamics.surface`.
    opt : from :func:`optiroll.dynamics.optimizer`.
    start : ``(x, y)``, or an ``(n, 2)`` array of starts run together.
    steps : number of optimizer steps (>= 1).
    seed : seeds mini-batch sampling and gradient noise.
    batch_size : mini-batch size on a data surface (default: full batch).
    noise : standard deviation of Gaussian gradient noise on an analytic surface.
    record : which of ``"loss", "gradient", "update", "state"`` to keep
        (positions are always kept); record less to fit huge runs in memory.

    Step ``t = 1..steps``: draw the step's sample (mini-batch or noise), take
    the gradient ``g_t`` at ``w_{t-1}`` with it, then
    ``w_t, state_t = opt.step(w_{t-1}, g_t, state_{t-1}, t, lr_t, oracle)``.
    Every ball at step ``t`` sees the same mini-batch or noise sample, so a
    batched run equals the loop of its single runs.
    """
    steps, seed, batch_size, noise, record = _checked_options(
        surface, opt, steps, seed, batch_size, noise, record)
    p0 = _check_start(surface, start)
    p = p0.reshape(-1, 2).copy()
    state = opt.init(p)
    rec = _Recorder(steps, p, state, record)
    div = _Divergence(surface, len(p))
    rng = np.random.default_rng(seed)
    with np.errstate(all="ignore"):
        p = _roll(surface, opt, p, state, steps, rng, batch_size, noise, rec, div)
        f, g = surface.value_and_gradient(p, None)
    rec.evaluated(steps, f, g)
    if div.any_dead:
        rec.blank_from(div.diverged_at)
    meta = {
        "surface": surface.spec,
        "optimizer": opt.to_dict(),
        "start": p0.tolist(),
        "steps": steps,
        "seed": seed,
        "batch_size": batch_size,
        "noise": noise,
        "record": list(record),
        "versions": _versions(),
    }
    return rec.rollout(p0.ndim == 1, div.diverged_at, meta)


def _checked_options(
    surface: Surface,
    opt: Optimizer,
    steps: object,
    seed: object,
    batch_size: object,
    noise: object,
    record: Iterable[str],
) -> tuple[int, int, int | None, float, tuple[str, ...]]:
    """Check :func:`rollout`'s arguments but ``start``; return the cleaned
    ``(steps, seed, batch_size, noise, record)``."""
    if not isinstance(surface, Surface):
        raise OptirollError("surface must come from optiroll.dynamics.surface(...)")
    if not isinstance(opt, Optimizer):
        raise OptirollError("opt must come from optiroll.dynamics.optimizer(...)")
    steps = check_int("steps", steps, 1)
    if steps > MAX_STEPS:
        raise OptirollError(f"steps must be at most {MAX_STEPS:,}, got {steps:,}")
    seed = check_int("seed", seed, 0)
    noise = check_range("noise", noise, 0.0)
    if isinstance(record, str) or not isinstance(record, Iterable):
        raise OptirollError(f"record must be a tuple of names, e.g. ('loss', 'gradient'); got "
                            f"{record!r}")
    record = tuple(record)
    unknown = set(record) - set(RECORDABLE)
    if unknown:
        raise OptirollError(
            f"cannot record {sorted(unknown)[0]!r}; choose from {', '.join(RECORDABLE)}"
        )
    if batch_size is not None:
        if not surface.has_data:
            raise OptirollError(
                f"batch_size needs a data surface (linear_regression, two_weight_linear, "
                f"sigmoid_regression); {surface.name!r} is analytic: use noise=... instead"
            )
        batch_size = check_int("batch_size", batch_size, 1)
    if noise and surface.has_data:
        raise OptirollError(
            f"{surface.name!r} is a data surface: use batch_size=... for stochastic gradients"
        )
    return steps, seed, batch_size, noise, record


def _roll(
    surface: Surface,
    opt: Optimizer,
    p: np.ndarray,
    state: dict[str, np.ndarray],
    steps: int,
    rng: np.random.Generator,
    batch_size: int | None,
    noise: float,
    rec: _Recorder,
    div: _Divergence,
) -> np.ndarray:
    """The loop: take ``steps`` steps from ``p``, recording each; return the last point.

    Step ``t`` evaluates the loss and the step's gradient at ``w_{t-1}``
    (recorded at index ``t - 1``), asks the optimizer for ``w_t`` and records
    it at index ``t``; balls that leave the bound stay where they were.
    """
    for t in range(1, steps + 1):
        sample = surface.draw_sample(rng, batch_size, noise)
        f, g = surface.value_and_gradient(p, sample)
        if t == 1:
            _check_finite_start(surface, p, f, g)
        elif not (np.isfinite(f).all() and np.isfinite(g).all()):
            div.undefined(t, f, g)
        rec.evaluated(t - 1, f, g)
        new_p, new_state = opt.step(p, g, state, t, opt.lr_at(t), Oracle(surface, sample))
        out = div.escaped(new_p)
        if out is None and not div.any_dead:
            rec.moved(t, p, new_p)
        else:
            shown, new_p, new_state = div.stop(t, out, p, state, new_p, new_state)
            rec.moved(t, p, shown)
        rec.stepped(t, new_state)
        p, state = new_p, new_state
    return p


def _check_finite_start(surface: Surface, p: np.ndarray, f: np.ndarray, g: np.ndarray) -> None:
    """Refuse a start where the loss ``f`` or gradient ``g`` is not finite."""
    bad = ~(np.isfinite(f) & np.all(np.isfinite(g), axis=-1))
    if np.any(bad):
        q = p[bad][0]
        raise OptirollError(
            f"the loss or gradient of {surface.display_name} is not finite at the start "
            f"({q[0]:g}, {q[1]:g}); choose another start"
        )


class _Recorder:
    """The recorded arrays of a rollout of ``n`` balls, filled step by step.

    Buffers are step-major ``(steps + 1, n, ...)`` so each step writes one
    contiguous block; :meth:`rollout` hands out ``(n, steps + 1, ...)`` views.
    Every entry is written (NaN for stopped balls), so ``np.empty`` is safe.
    Arrays not in ``record`` are None (``states`` empty) and cost nothing.
    """

    def __init__(
        self, steps: int, p: np.ndarray, state: dict[str, np.ndarray], record: tuple[str, ...]
    ) -> None:
        n = len(p)
        self.positions = np.empty((steps + 1, n, 2))
        self.loss = np.empty((steps + 1, n)) if "loss" in record else None
        self.grads = np.empty((steps + 1, n, 2)) if "gradient" in record else None
        self.update = np.empty((steps + 1, n, 2)) if "update" in record else None
        self.states = ({k: np.empty((steps + 1,) + v.shape) for k, v in state.items()}
                       if "state" in record else {})
        self.positions[0] = p
        if self.update is not None:
            self.update[0] = 0.0
        self.stepped(0, state)

    def evaluated(self, k: int, f: np.ndarray, g: np.ndarray) -> None:
        """Record the loss ``f`` and gradient ``g`` at ``positions[k]``."""
        if self.loss is not None:
            self.loss[k] = f
        if self.grads is not None:
            self.grads[k] = g

    def moved(self, t: int, p: np.ndarray, shown: np.ndarray) -> None:
        """Record ``positions[t] = shown`` and ``update[t] = shown - p``."""
        self.positions[t] = shown
        if self.update is not None:
            self.update[t] = shown - p

    def stepped(self, t: int, state: dict[str, np.ndarray]) -> None:
        """Record the optimizer state after ``t`` steps."""
        for k, v in self.states.items():
            v[t] = state[k]

    def blank_from(self, diverged_at: np.ndarray) -> None:
        """NaN out loss, gradient and state from each ball's step of divergence on."""
        steps = len(self.positions) - 1
        dead = np.arange(steps + 1)[:, None] >= np.where(diverged_at >= 0, diverged_at,
                                                          steps + 1)[None, :]
        for a in (self.loss, self.grads, *self.states.values()):
            if a is not None:
                a[dead] = np.nan

    def rollout(self, single: bool, diverged_at: np.ndarray, meta: dict[str, Any]) -> Rollout:
        """The :class:`Rollout` of these buffers (one ball's arrays when ``single``)."""

        def out(a: np.ndarray | None) -> np.ndarray | None:
            if a is None:
                return None
            return a[:, 0] if single else np.swapaxes(a, 0, 1)

        return Rollout(
            positions=out(self.positions),
            loss=out(self.loss),
            gradient=out(self.grads),
            update=out(self.update),
            state={k: out(v) for k, v in self.states.items()},
            diverged_at=diverged_at[0] if single else diverged_at,
            metadata=meta,
        )


class _Divergence:
    """Which of ``n`` balls still roll; stops a ball that leaves ``surface.bound``.

    A ball diverges at step ``t`` when its new point is non-finite or outside
    the box ``[centre - half, centre + half]``, or the loss or gradient at it is
    not finite (found when the next step evaluates them). From then on it stays at its
    last point inside, shown as NaN (the escaping point itself is shown once
    when finite), with its state frozen.
    """

    def __init__(self, surface: Surface, n: int) -> None:
        centre, half = surface.bound
        self.lo, self.hi = centre - half, centre + half
        # Quick test on whole-array min/max (fast, unlike per-column reductions):
        # every value within [max(lo), min(hi)] means every ball is inside the box.
        self.inner_lo, self.inner_hi = float(self.lo.max()), float(self.hi.min())
        self.n = n
        self.alive = np.ones(n, dtype=bool)
        self.any_dead = False
        self.diverged_at = np.full(n, -1, dtype=np.int64)

    def undefined(self, t: int, f: np.ndarray, g: np.ndarray) -> None:
        """Stop the rolling balls whose loss ``f`` or gradient ``g`` is not finite where
        they are (a point outside the surface's domain, such as log(x) at x < 0): they
        diverged at step ``t - 1``, when they got there (that point stays shown)."""
        bad = self.alive & ~(np.isfinite(f) & np.all(np.isfinite(g), axis=-1))
        if bad.any():
            self.diverged_at[bad] = t - 1
            self.alive &= ~bad
            self.any_dead = True

    def escaped(self, new_p: np.ndarray) -> np.ndarray | None:
        """None when every new point is inside the bound, else the mask of those outside."""
        # min/max propagate NaN, and NaN compares False: one test for both
        if new_p.min() >= self.inner_lo and new_p.max() <= self.inner_hi:
            return None
        ok = np.all((new_p >= self.lo) & (new_p <= self.hi), axis=-1)
        return None if ok.all() else ~ok

    def stop(
        self,
        t: int,
        out: np.ndarray | None,
        p: np.ndarray,
        state: dict[str, np.ndarray],
        new_p: np.ndarray,
        new_state: dict[str, np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Mark live balls in ``out`` as diverged at step ``t`` and keep every
        stopped ball at ``p``/``state``.

        Returns ``(shown, new_p, new_state)``: ``shown`` is what ``positions[t]``
        records (live balls, and the escaping point of a ball that just left
        when finite; NaN otherwise), ``new_p``/``new_state`` what the next step
        starts from.
        """
        alive = self.alive
        newly = alive & out if out is not None else np.zeros(self.n, dtype=bool)
        if newly.any():
            self.diverged_at[newly] = t
            self.any_dead = True
        shown = np.where(((alive | newly)[:, None]) & np.isfinite(new_p), new_p, np.nan)
        alive &= ~newly
        new_p = np.where(self._mask(new_p), new_p, p)
        new_state = {k: np.where(self._mask(v), v, state[k]) for k, v in new_state.items()}
        return shown, new_p, new_state

    def _mask(self, a: np.ndarray) -> np.ndarray:
        """``alive`` shaped to broadcast against a per-ball array ``a``."""
        return self.alive.reshape((self.n,) + (1,) * (a.ndim - 1))
