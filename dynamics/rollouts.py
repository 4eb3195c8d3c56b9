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
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from .errors import OptirollError, check_int, check_range
from .optimizers.base import Optimizer, Oracle
from .schedules import schedule_from_dict
from .surfaces import Surface

RECORDABLE = ("loss", "gradient", "update", "state")


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

        def pick(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[i]

        return Rollout(
            positions=self.positions[i],
            loss=pick(self.loss),
            gradient=pick(self.gradient),
            update=pick(self.update),
            state={k: v[i] for k, v in self.state.items()},
            diverged_at=self.diverged_at[i],
            metadata=dict(self.metadata),
        )

    # -- persistence --------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write an ``.npz`` with every array and the run's metadata.

        The file appears atomically: a failed write leaves nothing at ``path``.
        """
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_suffix(path.suffix + ".npz") if path.suffix else path.with_suffix(
                ".npz")
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
        """Read a rollout written by :meth:`save`."""
        path = Path(path)
        if not path.is_file():
            raise OptirollError(f"no rollout file at {str(path)!r}")
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        meta = json.loads(str(arrays.pop("metadata")))
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
        from . import optimizer, surface  # late: the facade imports us

        m = self.metadata
        opt_kwargs = dict(m["optimizer"]["hyperparams"])
        if "schedule" in m["optimizer"]:
            opt_kwargs["schedule"] = schedule_from_dict(m["optimizer"]["schedule"])
        for k, v in opt_kwargs.items():
            if isinstance(v, list):
                opt_kwargs[k] = tuple(v)
        spec = dict(m["surface"])
        s = surface(spec.pop("name"), **spec)
        return rollout(
            s,
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

    Every ball at step ``t`` sees the same mini-batch or noise sample, so a
    batched run equals the loop of its single runs.
    """
    if not isinstance(surface, Surface):
        raise OptirollError("surface must come from optiroll.dynamics.surface(...)")
    if not isinstance(opt, Optimizer):
        raise OptirollError("opt must come from optiroll.dynamics.optimizer(...)")
    steps = check_int("steps", steps, 1)
    seed = check_int("seed", seed, 0)
    noise = check_range("noise", noise, 0.0)
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
    p0 = _check_start(surface, start)
    single = p0.ndim == 1
    p = p0.reshape(-1, 2).copy()
    n = len(p)
    rng = np.random.default_rng(seed)
    centre, half = surface.bound

    # Buffers are step-major (steps+1, n, ...) so each step writes one contiguous
    # block; the Rollout gets (n, steps+1, ...) views of them.
    # Every entry is written below (NaN for stopped balls), so np.empty is safe.
    positions = np.empty((steps + 1, n, 2))
    loss = np.empty((steps + 1, n)) if "loss" in record else None
    grads = np.empty((steps + 1, n, 2)) if "gradient" in record else None
    update = np.empty((steps + 1, n, 2)) if "update" in record else None
    state = opt.init(p)
    keep_state = "state" in record
    states = {k: np.empty((steps + 1,) + v.shape) for k, v in state.items()} \
        if keep_state else {}
    lo, hi = centre - half, centre + half
    # Quick test on whole-array min/max (fast, unlike per-column reductions): every
    # value within [max(lo), min(hi)] means every ball is inside the box.
    inner_lo, inner_hi = float(lo.max()), float(hi.min())

    alive = np.ones(n, dtype=bool)
    any_dead = False
    diverged_at = np.full(n, -1, dtype=np.int64)
    positions[0] = p
    if update is not None:
        update[0] = 0.0
    for k, v in states.items():
        v[0] = state[k]

    def mask(a: np.ndarray) -> np.ndarray:
        """``alive`` shaped to broadcast against a per-ball array ``a``."""
        return alive.reshape((n,) + (1,) * (a.ndim - 1))

    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            sample = surface.draw_sample(rng, batch_size, noise)
            f, g = surface.value_and_gradient(p, sample)
            if t == 1:
                bad = ~(np.isfinite(f) & np.all(np.isfinite(g), axis=-1))
                if np.any(bad):
                    q = p[bad][0]
                    raise OptirollError(
                        f"the loss or gradient of {surface.name!r} is not finite at the start "
                        f"({q[0]:g}, {q[1]:g}); choose another start"
                    )
            if loss is not None:
                loss[t - 1] = f
            if grads is not None:
                grads[t - 1] = g
            new_p, new_state = opt.step(p, g, state, t, opt.lr_at(t), Oracle(surface, sample))
            # min/max propagate NaN, and NaN compares False: one test for both
            if new_p.min() >= inner_lo and new_p.max() <= inner_hi:
                ok = None  # every ball is inside
            else:
                ok = np.all((new_p >= lo) & (new_p <= hi), axis=-1)
            if (ok is not None and not ok.all()) or any_dead:
                newly = alive & ~ok if ok is not None else np.zeros(n, dtype=bool)
                if newly.any():
                    diverged_at[newly] = t
                    any_dead = True
                # shown: live balls, and the escaping point of a ball that just left
                shown = np.where(((alive | newly)[:, None]) & np.isfinite(new_p), new_p, np.nan)
                alive &= ~newly
                positions[t] = shown
                if update is not None:
                    update[t] = shown - p
                new_p = np.where(mask(new_p), new_p, p)
                new_state = {k: np.where(mask(v), v, state[k]) for k, v in new_state.items()}
            else:
                positions[t] = new_p
                if update is not None:
                    update[t] = new_p - p
            for k, v in states.items():
                v[t] = new_state[k]
            p, state = new_p, new_state
        f, g = surface.value_and_gradient(p, None)
    if loss is not None:
        loss[steps] = f
    if grads is not None:
        grads[steps] = g
    if any_dead:  # from the step of divergence on, loss, gradient and state are NaN
        dead = np.arange(steps + 1)[:, None] >= np.where(diverged_at >= 0, diverged_at,
                                                          steps + 1)[None, :]
        for a in (loss, grads, *states.values()):
            if a is not None:
                a[dead] = np.nan

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

    def out(a: np.ndarray | None) -> np.ndarray | None:
        if a is None:
            return None
        return a[:, 0] if single else np.swapaxes(a, 0, 1)

    return Rollout(
        positions=out(positions),
        loss=out(loss),
        gradient=out(grads),
        update=out(update),
        state={k: out(v) for k, v in states.items()},
        diverged_at=diverged_at[0] if single else diverged_at,
        metadata=meta,
    )
