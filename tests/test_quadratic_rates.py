"""dynamics.quadratic_rates: the rates of gradient descent and momentum on a quadratic,
checked against the iteration matrix, brute force, and rollouts."""

from __future__ import annotations

import numpy as np
import pytest
from optiroll import dynamics as dyn
from optiroll.dynamics import quadratic_rates as qr

RAVINE = np.array([0.125, 18.0])


def test_the_ravines_eigenvectors_are_the_axes() -> None:
    lam, vec = qr.eigen(dyn.surface("ravine"))
    np.testing.assert_allclose(lam, RAVINE)
    np.testing.assert_allclose(vec, np.eye(2))


def test_eigenvectors_of_a_rotated_quadratic_have_a_fixed_sign() -> None:
    """A quadratic turned by 30°: eigenvectors (cos 30°, sin 30°) and (−sin 30°, cos 30°),
    each turned so that its largest entry is positive."""
    c, s_ = np.cos(np.pi / 6), np.sin(np.pi / 6)
    s = dyn.surface(f"0.5*({c}*x + {s_}*y)**2 + 4*(-{s_}*x + {c}*y)**2")
    lam, vec = qr.eigen(s, at=(0.0, 0.0))
    np.testing.assert_allclose(lam, [1.0, 8.0])
    np.testing.assert_allclose(vec[:, 0], [c, s_], atol=1e-12)
    np.testing.assert_allclose(vec[:, 1], [s_, -c] if c < s_ else [-s_, c], atol=1e-12)
    assert all(q[np.argmax(np.abs(q))] > 0 for q in vec.T)


def test_momentum_rate_is_the_iteration_matrixs_spectral_radius() -> None:
    rng = np.random.default_rng(0)
    lam, lr, beta = rng.uniform(0, 20, 200), rng.uniform(0, 0.3, 200), rng.uniform(0, 1, 200)
    expected = [max(abs(np.linalg.eigvals(np.array([[1 + b - a * x, -b], [1.0, 0.0]]))))
                for x, a, b in zip(lam, lr, beta, strict=True)]
    np.testing.assert_allclose(qr.momentum_rate(lam, lr, beta), expected, rtol=1e-6)
    np.testing.assert_allclose(qr.momentum_rate(lam, lr, 0.0), qr.gd_rate(lam, lr))


def test_the_optimal_parameters_beat_a_brute_force_search() -> None:
    lr, beta, rate = qr.optimal_momentum(RAVINE)
    np.testing.assert_allclose([lr, beta, rate], [(2 / (np.sqrt(0.125) + np.sqrt(18))) ** 2,
                                                  (11 / 13) ** 2, 11 / 13])
    a, b = np.meshgrid(np.linspace(0.01, 0.3, 300), np.linspace(0, 0.99, 300))
    assert qr.rate(RAVINE, a, b).min() >= rate - 1e-6
    assert abs(qr.rate(RAVINE, lr, beta) - rate) < 1e-6
    best, best_rate = qr.best_beta(RAVINE, lr)  # the grid search finds β* at α*
    assert abs(best - beta) < 1e-6 and abs(best_rate - rate) < 1e-6
    gd_lr, gd_rate = qr.optimal_gd(RAVINE)
    assert gd_lr == pytest.approx(2 / 18.125) and gd_rate == pytest.approx(143 / 145)
    assert qr.rate(RAVINE, np.linspace(0.001, 0.12, 1000)).min() >= gd_rate - 1e-9


def test_best_beta_at_lr_0_1_is_where_the_slow_part_is_critically_damped() -> None:
    best, rate = qr.best_beta(RAVINE, 0.1)
    assert best == pytest.approx((1 - np.sqrt(0.1 * 0.125)) ** 2, abs=1e-9)
    assert rate == pytest.approx(np.sqrt(best), abs=1e-9)


def test_indefinite_hessians_have_no_condition_number() -> None:
    with pytest.raises(ValueError, match="not positive definite"):
        qr.condition_number(np.array([-1.0, 2.0]))


@pytest.mark.parametrize("lr,beta", [(0.1, 0.0), (0.1, 0.9), (0.1, 0.5), (0.189, 0.716)])
def test_a_rollouts_error_parts_follow_the_model(lr: float, beta: float) -> None:
    """Each part obeys x_{k+1} = (1 + β − αλ) x_k − β x_{k−1} (the first step:
    x_1 = (1 − αλ) x_0), and its envelope shrinks at the computed rate."""
    s = dyn.surface("ravine")
    opt = dyn.optimizer("momentum", lr=lr, beta=beta)
    run = dyn.rollout(s, opt, (-2.4, 0.1), 400)
    lam, vec = qr.eigen(s)
    x = qr.components(run.positions, s.minima[0], vec)
    for i, value in enumerate(lam):
        xi = x[:, i]
        assert xi[1] == pytest.approx((1 - lr * value) * xi[0], rel=1e-12)
        np.testing.assert_allclose(xi[2:], (1 + beta - lr * value) * xi[1:-1] - beta * xi[:-2],
                                   atol=1e-12 * abs(xi[0]))
    # the slower part's envelope over 100 steps, late in the run
    env = np.maximum.accumulate(np.abs(x[::-1]), axis=0)[::-1].max(axis=1)
    measured = (env[300] / env[200]) ** (1 / 100)
    assert measured == pytest.approx(float(qr.rate(lam, lr, beta)), rel=0.02)
