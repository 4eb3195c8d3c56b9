"""Linear convergence rates of gradient descent and momentum on a quadratic.

On ``L(w) = ½ (w − w*)ᵀ A (w − w*)`` with ``A = Q diag(λ) Qᵀ`` the error
``e_k = w_k − w*`` splits along the eigenvectors ``q_i`` into independent
components ``x_i = q_iᵀ e``, and each evolves on its own (Goh, "Why Momentum
Really Works", Distill 2017):

- gradient descent ``w ← w − α ∇L``: ``x_i ← (1 − αλ_i) x_i``, rate ``|1 − αλ_i|``;
- momentum as torch.optim.SGD runs it (``b ← βb + ∇L``, ``w ← w − αb``, the same
  iterates as heavy-ball ``w_{k+1} = w_k − α∇L(w_k) + β(w_k − w_{k−1})``):
  ``(x_{k+1}, x_k) = R (x_k, x_{k−1})`` with ``R = [[1 + β − αλ, −β], [1, 0]]``
  and ``x_{−1} = x_0`` (torch's first buffer is the gradient itself, so the first
  step is gradient descent's, ``x_1 = (1 − αλ) x_0``). The eigenvalues of ``R`` are
  the roots of ``z² − (1 + β − αλ) z + β = 0``, and in the long run the component
  is multiplied by the larger root's modulus per step: a ripple of modulus ``√β``
  when the roots are complex; a monotone decay when they are real and positive;
  a sign flip every step when they are real and negative; growth when the modulus
  is above 1. Where the roots coincide ``R`` is defective and the component goes as
  ``(a + b k) zᵏ``, so it can grow for a few steps before it decays.

The run's rate is the largest over the components. Its best values, from the
condition number ``κ = λmax / λmin``:

- gradient descent: ``α = 2 / (λmin + λmax)``, rate ``(κ − 1) / (κ + 1)``;
- momentum: ``α* = (2 / (√λmin + √λmax))²``, ``β* = ((√κ − 1) / (√κ + 1))²``,
  rate ``(√κ − 1) / (√κ + 1)``.

Everything here is numpy and broadcasts over its arguments.
"""

from __future__ import annotations

import numpy as np

from .surfaces import Surface


def eigen(surface: Surface, at: tuple[float, float] | None = None
          ) -> tuple[np.ndarray, np.ndarray]:
    """The exact Hessian's eigenvalues (ascending) and unit eigenvectors (columns) at
    ``at`` (default: the surface's first minimum); each eigenvector's largest entry is
    made positive, so "along q₁" has one meaning."""
    point = np.asarray(at if at is not None else surface.minima[0], float)
    lam, vec = np.linalg.eigh(surface.hessian(point))
    signs = np.sign(vec[np.argmax(np.abs(vec), axis=0), np.arange(vec.shape[1])])
    return lam, vec * signs


def components(positions: np.ndarray, minimum: np.ndarray | tuple[float, float],
               vectors: np.ndarray) -> np.ndarray:
    """The error ``w − w*`` along each eigenvector: ``out[..., i] = q_iᵀ (w − w*)``."""
    return (np.asarray(positions, float) - np.asarray(minimum, float)) @ vectors


def gd_rate(lam: np.ndarray | float, lr: np.ndarray | float) -> np.ndarray:
    """``|1 − αλ|``: the factor gradient descent shrinks the error along an
    eigenvector of eigenvalue ``λ`` by, every step (above 1: it grows)."""
    return np.abs(1.0 - np.asarray(lr, float) * np.asarray(lam, float))


def momentum_rate(lam: np.ndarray | float, lr: np.ndarray | float,
                  beta: np.ndarray | float) -> np.ndarray:
    """The modulus of the larger root of ``z² − (1 + β − αλ) z + β``: the factor momentum
    multiplies the error along an eigenvector of eigenvalue ``λ`` by, per step, in the
    long run (``β = 0`` is gradient descent's ``|1 − αλ|``). For momentum as torch runs
    it without ``dampening`` or ``nesterov``."""
    lam, lr, beta = (np.asarray(v, float) for v in (lam, lr, beta))
    b = 1.0 + beta - lr * lam
    root = np.sqrt((b * b - 4.0 * beta).astype(complex))
    return np.maximum(np.abs((b + root) / 2), np.abs((b - root) / 2))


def rate(lams: np.ndarray, lr: np.ndarray | float, beta: np.ndarray | float = 0.0
         ) -> np.ndarray:
    """The run's rate: the slowest component's (``lams`` along the last axis)."""
    lams = np.asarray(lams, float)
    per = momentum_rate(lams, np.asarray(lr, float)[..., None], np.asarray(beta, float)[..., None])
    return per.max(axis=-1)


def condition_number(lams: np.ndarray) -> float:
    """``κ = λmax / λmin`` (positive-definite Hessians only)."""
    lo, hi = float(np.min(lams)), float(np.max(lams))
    if lo <= 0:
        raise ValueError(f"the Hessian is not positive definite (eigenvalues {lo:g}, {hi:g})")
    return hi / lo


def optimal_gd(lams: np.ndarray) -> tuple[float, float]:
    """Gradient descent's best learning rate ``2 / (λmin + λmax)`` and its rate
    ``(κ − 1) / (κ + 1)``."""
    kappa = condition_number(lams)
    return 2.0 / (float(np.min(lams)) + float(np.max(lams))), (kappa - 1) / (kappa + 1)


def optimal_momentum(lams: np.ndarray) -> tuple[float, float, float]:
    """Momentum's best ``α* = (2 / (√λmin + √λmax))²``, ``β* = ((√κ − 1) / (√κ + 1))²``
    and its rate ``(√κ − 1) / (√κ + 1)`` (Goh 2017, eq. for the optimal parameters)."""
    root = np.sqrt(condition_number(lams))
    lr = (2.0 / (np.sqrt(float(np.min(lams))) + np.sqrt(float(np.max(lams))))) ** 2
    return float(lr), float(((root - 1) / (root + 1)) ** 2), float((root - 1) / (root + 1))


def best_beta(lams: np.ndarray, lr: float, *, rounds: int = 8) -> tuple[float, float]:
    """The β in [0, 1) with the lowest :func:`rate` at learning rate ``lr``, and that
    rate: a grid over [0, 1) refined ``rounds`` times around its best point (the rate is
    piecewise smooth with its minimum at a kink, where a grid search is safe)."""
    lo, hi = 0.0, 1.0
    best = 0.0
    for _ in range(rounds):
        grid = np.linspace(lo, hi, 401)
        grid = grid[grid < 1.0]
        values = rate(lams, lr, grid)
        i = int(np.argmin(values))
        best = float(grid[i])
        step = grid[1] - grid[0]
        lo, hi = max(0.0, best - step), min(1.0, best + step)
    return best, float(rate(lams, lr, best))
