"""Methods that look beyond the gradient: damped Newton and Armijo line search."""

from __future__ import annotations

import numpy as np

from .base import (
    Array,
    Optimizer,
    Oracle,
    Param,
    State,
    count,
    nonneg,
    positive,
    register,
    table,
    unit_open,
)


@register
class Newton(Optimizer):
    r"""Damped Newton's method with the exact Hessian.

    .. code-block:: text

        w_t = w_{t-1} - lr * (H(w_{t-1}) + damping * I)^{-1} grad L(w_{t-1})

    ``lr = 1, damping = 0`` is the pure Newton step; on a quadratic it lands on
    the stationary point in one step (a saddle's too). A singular system gives
    a non-finite step, which the rollout records as divergence. State:
    ``step_size`` = ``lr``, the rate on the Newton direction.
    Reference: Nocedal & Wright, Numerical Optimization, ch. 3.

    Example:
        >>> from optiroll import dynamics as dyn
        >>> run = dyn.rollout(dyn.surface("rosenbrock"), dyn.optimizer("newton"), (-1.5, 2), 10)
        >>> print(*(f"{v:.4f}" for v in run.final_position))
        1.0000 1.0000
    """

    name = "newton"
    params = table(
        lr=1.0,
        damping=Param(0.0, nonneg, "added to the Hessian's diagonal before solving: H + damping I"),
    )

    def step(self, params: Array, grad: Array, state: State, t: int, lr: float,
             oracle: Oracle) -> tuple[Array, State]:
        """``w - lr (H + damping I)^{-1} g``, solved in closed form per ball (2x2).

        ``H`` is the oracle's Hessian: over the step's mini-batch on a data
        surface, so ``g`` and ``H`` describe the same loss.
        """
        H = oracle.hessian(params)
        a = H[..., 0, 0] + self.damping
        b = H[..., 0, 1]
        d = H[..., 1, 1] + self.damping
        det = a * d - b * b
        with np.errstate(divide="ignore", invalid="ignore"):
            dx = (d * grad[..., 0] - b * grad[..., 1]) / det
            dy = (a * grad[..., 1] - b * grad[..., 0]) / det
        direction = np.stack([dx, dy], axis=-1)
        return params - lr * direction, {"step_size": np.full_like(params, lr)}


@register
class LineSearch(Optimizer):
    r"""Gradient descent with backtracking (Armijo) line search.

    .. code-block:: text

        s = lr;  while L(w - s g) > L(w) - c * s * |g|^2  and  tries < max_backtracks:
            s = shrink * s
        w_t = w_{t-1} - s * g

    Vectorised: each ball backtracks independently. State: ``step_size`` =
    the accepted step ``s`` (the same on both coordinates), the rate on
    ``g``. Reference: Armijo, 1966; Nocedal & Wright, Algorithm 3.1.

    Example:
        >>> from optiroll import dynamics as dyn
        >>> run = dyn.rollout(dyn.surface("himmelblau"), dyn.optimizer("line_search"), (0, 0), 10)
        >>> print(*(f"{s:g}" for s in run.state["step_size"][1:4, 0]))  # accepted steps
        0.125 0.0625 0.015625
        >>> print(*(f"{v:.3f}" for v in run.final_position))
        3.001 2.000
    """

    name = "line_search"
    params = table(
        lr=Param(1.0, nonneg, "the first step tried at each iteration; a schedule multiplies it"),
        shrink=Param(0.5, unit_open, "factor applied to the step after each rejected try"),
        c=Param(1e-4, positive, "Armijo constant: the share of the linear decrease required"),
        max_backtracks=Param(
            50, count, "most Armijo tests per step; a ball still failing takes the step "
            "shrunk that many times"
        ),
    )

    def step(self, params: Array, grad: Array, state: State, t: int, lr: float,
             oracle: Oracle) -> tuple[Array, State]:
        """One backtracking search per ball, then ``w - s g``.

        ``L`` is the oracle's loss: over the step's mini-batch on a data surface,
        the batch ``g`` was computed on, so the Armijo test compares like with
        like (against the full-data loss a sound batch step can fail and shrink away).
        """
        f0 = oracle.value(params)
        gg = np.sum(grad * grad, axis=-1)
        s = np.full(params.shape[:-1], lr)
        todo = np.ones(params.shape[:-1], dtype=bool)
        for _ in range(self.max_backtracks):
            trial = oracle.value(params - s[..., None] * grad)
            ok = trial <= f0 - self.c * s * gg
            todo = todo & ~ok
            if not todo.any():
                break
            s = np.where(todo, s * self.shrink, s)
        return params - s[..., None] * grad, {"step_size": np.repeat(s[..., None], 2, -1)}
