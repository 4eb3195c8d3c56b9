"""Methods that look beyond the gradient: damped Newton and Armijo line search."""

from __future__ import annotations

import numpy as np

from .base import Array, Optimizer, Oracle, State, count, nonneg, positive, register, unit_open


@register
class Newton(Optimizer):
    r"""Damped Newton's method with the exact Hessian.

    .. code-block:: text

        w_t = w_{t-1} - lr * (H(w_{t-1}) + damping * I)^{-1} grad L(w_{t-1})

    ``lr = 1, damping = 0`` is the pure Newton step; on a quadratic it lands on
    the stationary point in one step (a saddle's too). A singular system gives
    a non-finite step, which the rollout records as divergence.
    Reference: Nocedal & Wright, Numerical Optimization, ch. 3.
    """

    name = "newton"
    params = {"lr": (1.0, nonneg), "damping": (0.0, nonneg)}

    def step(self, params: Array, grad: Array, state: State, t: int, lr: float,
             oracle: Oracle) -> tuple[Array, State]:
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

    Vectorised: each ball backtracks independently. The accepted step ``s``
    is recorded as ``step_size``. Reference: Armijo, 1966; Nocedal & Wright,
    Algorithm 3.1.
    """

    name = "line_search"
    params = {
        "lr": (1.0, nonneg),
        "shrink": (0.5, unit_open),
        "c": (1e-4, positive),
        "max_backtracks": (50, count),
    }

    def step(self, params: Array, grad: Array, state: State, t: int, lr: float,
             oracle: Oracle) -> tuple[Array, State]:
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
