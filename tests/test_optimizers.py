"""Optimizers: the articles' published figures, textbook forms, validation."""

from __future__ import annotations

import numpy as np
import pytest
from optiroll import dynamics as dyn


# -- the momentum article (seed 000) ---------------------------------------------
def momentum_run(beta: float) -> dyn.Rollout:
    opt = dyn.optimizer("momentum", lr=0.1, beta=beta)
    return dyn.rollout(dyn.surface("ravine"), opt, (-2.4, 0.2), 50)


def test_momentum_article_figures() -> None:
    gd, m8, m9 = (momentum_run(b).final_loss for b in (0.0, 0.8, 0.9))
    assert gd == pytest.approx(0.1, rel=0.05)  # "about 0.1"
    assert m8 == pytest.approx(2.8e-5, rel=0.05)  # "2.8e-5"
    assert m9 > m8  # beta = 0.9 overshoots and ends higher


def test_momentum_article_velocity_story() -> None:
    run = momentum_run(0.8)
    v = run.state["velocity"]
    # x: the gradient keeps its sign, so velocity accumulates beyond one gradient
    assert np.all(v[1:10, 0] < 0) and abs(v[5, 0]) > abs(run.gradient[4, 0])
    # y: the gradient flips sign, so the y velocity changes sign too
    assert np.any(np.diff(np.sign(momentum_run(0.0).state["velocity"][1:20, 1])) != 0)


def test_heavy_ball_equals_torch_sgd_momentum() -> None:
    s = dyn.surface("ravine")
    a = dyn.rollout(s, dyn.optimizer("momentum", lr=0.1, beta=0.8), (-2.4, 0.2), 50)
    b = dyn.rollout(s, dyn.optimizer("sgd", lr=0.1, momentum=0.8), (-2.4, 0.2), 50)
    np.testing.assert_allclose(a.positions, b.positions, rtol=1e-12, atol=1e-15)


def test_ema_momentum_form() -> None:
    s = dyn.surface("ravine")
    run = dyn.rollout(s, dyn.optimizer("momentum", lr=0.1, beta=0.5, ema=True), (-2.4, 0.2), 3)
    g0 = s.gradient(np.array([-2.4, 0.2]))
    np.testing.assert_allclose(run.state["velocity"][1], 0.5 * g0)
    np.testing.assert_allclose(run.positions[1], np.array([-2.4, 0.2]) - 0.1 * 0.5 * g0)


# -- the AdaGrad article (seed 004) ----------------------------------------------
@pytest.mark.parametrize(
    ("lr", "expected"), [(0.4, (-2.382563, -0.158591)), (2.0, (-0.002295, -0.000000))]
)
def test_adagrad_article_figures(lr: float, expected: tuple[float, float]) -> None:
    opt = dyn.optimizer("adagrad", lr=lr, eps=1e-6, eps_inside_sqrt=True)
    run = dyn.rollout(dyn.surface("0.1*x**2 + 2*y**2"), opt, (-5, -2), 20)
    np.testing.assert_allclose(run.positions[-1], expected, atol=5e-7)


# -- our own optimizers ----------------------------------------------------------
def test_nesterov_takes_the_gradient_at_the_look_ahead_point() -> None:
    s = dyn.surface("rosenbrock")
    run = dyn.rollout(s, dyn.optimizer("nesterov", lr=1e-3, beta=0.9), (-1.0, 1.0), 2)
    p0, p1 = run.positions[0], run.positions[1]
    v1 = s.gradient(p0)
    np.testing.assert_allclose(p1, p0 - 1e-3 * v1)
    v2 = 0.9 * v1 + s.gradient(p1 - 1e-3 * 0.9 * v1)
    np.testing.assert_allclose(run.positions[2], p1 - 1e-3 * v2, rtol=1e-14)


def test_newton_solves_a_quadratic_in_one_step() -> None:
    run = dyn.rollout(dyn.surface("booth"), dyn.optimizer("newton"), (-7.0, 8.0), 1)
    np.testing.assert_allclose(run.positions[-1], (1.0, 3.0), atol=1e-12)
    # ... and walks onto the saddle point of a saddle
    run = dyn.rollout(dyn.surface("saddle"), dyn.optimizer("newton"), (1.0, 1.0), 1)
    np.testing.assert_allclose(run.positions[-1], (0.0, 0.0), atol=1e-15)


def test_damped_newton_on_a_singular_hessian_diverges_cleanly() -> None:
    run = dyn.rollout(dyn.surface("monkey_saddle"), dyn.optimizer("newton"), (0.0, 0.0), 5)
    assert run.diverged and run.diverged_at == 1


def test_line_search_satisfies_armijo_and_descends() -> None:
    s = dyn.surface("rosenbrock")
    run = dyn.rollout(s, dyn.optimizer("line_search", lr=1.0), (-1.5, 2.0), 200)
    assert np.all(np.diff(run.loss) <= 0)
    g, step = run.gradient[:-1], run.state["step_size"][1:, 0]
    bound = run.loss[:-1] - 1e-4 * step * np.sum(g * g, -1)
    assert np.all(run.loss[1:] <= bound + 1e-12)
    assert run.final_loss < run.loss[0] / 10  # GD is slow on Rosenbrock, but it descends


def test_adaptive_step_size_is_recorded() -> None:
    run = dyn.rollout(dyn.surface("elongated_bowl"), dyn.optimizer("adagrad", lr=0.4),
                      (-5, -2), 20)
    ss = run.state["step_size"]
    assert ss.shape == (21, 2) and np.all(np.diff(ss[1:], axis=0) <= 0)  # AdaGrad only shrinks
    assert ss[5, 0] > ss[5, 1]  # the flat x direction keeps a larger step


# -- schedules -------------------------------------------------------------------
def test_schedule_factors() -> None:
    assert [dyn.schedule("step", step_size=2, gamma=0.5).factor(k) for k in range(5)] == [
        1, 1, 0.5, 0.5, 0.25]
    assert dyn.schedule("exponential", gamma=0.9).factor(3) == pytest.approx(0.729)
    assert dyn.schedule("inverse_time", decay=0.5).factor(4) == pytest.approx(1 / 3)
    cos = dyn.schedule("cosine", T_max=10, min_factor=0.1)
    assert cos.factor(0) == 1 and cos.factor(10) == pytest.approx(0.1)
    warm = dyn.schedule("warmup", start_factor=0.25, total_iters=4)
    assert [warm.factor(k) for k in (0, 2, 4, 9)] == [0.25, 0.625, 1.0, 1.0]


def test_schedule_scales_gd_steps() -> None:
    sched = dyn.schedule("step", step_size=1, gamma=0.5)
    opt = dyn.optimizer("gd", lr=0.1, schedule=sched)
    run = dyn.rollout(dyn.surface("bowl"), opt, (1.0, 0.0), 3)
    # x_{t} = x_{t-1} (1 - 2 lr_t), lr_t = 0.1 * 0.5^(t-1)
    np.testing.assert_allclose(run.positions[:, 0], [1, 0.8, 0.72, 0.684])


# -- bad input --------------------------------------------------------------------
def test_unknown_optimizer_lists_names() -> None:
    with pytest.raises(dyn.UnknownNameError) as err:
        dyn.optimizer("adamm")
    msg = str(err.value)
    assert "'adam'" in msg and "rmsprop" in msg and "nesterov" in msg


def test_names_are_case_insensitive() -> None:
    assert dyn.optimizer("AdamW").name == "adamw"
    assert dyn.optimizer("RMSprop", lr=0.1) == dyn.optimizer("rmsprop", lr=0.1)


@pytest.mark.parametrize(
    ("name", "kwargs", "fragment"),
    [
        ("adam", {"lr": -0.1}, "lr must be in [0, inf), got -0.1"),
        ("adam", {"betas": (0.9, 1.0)}, "betas[1] must be in [0, 1)"),
        ("adam", {"betas": 0.9}, "betas must be a pair"),
        ("adam", {"eps": 0.0}, "eps must be in (0, inf)"),
        ("sgd", {"momentum": -1}, "momentum must be in [0, inf)"),
        ("sgd", {"nesterov": True}, "nesterov=True needs momentum > 0"),
        ("rmsprop", {"alpha": 1.5}, "alpha must be in [0, 1]"),
        ("adam", {"beta1": 0.9}, "unknown hyperparameter 'beta1' for optimizer 'adam'"),
        ("gd", {"lr": "fast"}, "lr must be a number"),
        ("gd", {"lr": float("nan")}, "lr must be finite"),
        ("adam", {"amsgrad": 1}, "amsgrad must be True or False"),
    ],
)
def test_invalid_hyperparameters(name: str, kwargs: dict, fragment: str) -> None:
    with pytest.raises(ValueError) as err:
        dyn.optimizer(name, **kwargs)
    assert fragment in str(err.value)


def test_invalid_schedules() -> None:
    with pytest.raises(dyn.UnknownNameError, match="cosine"):
        dyn.schedule("cosin")
    with pytest.raises(ValueError, match="T_max must be an integer >= 1"):
        dyn.schedule("cosine", T_max=0)
    with pytest.raises(ValueError, match="unknown parameter 'gama'"):
        dyn.schedule("step", gama=0.5)


def test_spec_is_data() -> None:
    opt = dyn.optimizer("adam", lr=0.01, amsgrad=True,
                        schedule=dyn.schedule("cosine", T_max=10))
    d = opt.to_dict()
    assert d["name"] == "adam" and d["hyperparams"]["amsgrad"] is True
    assert d["hyperparams"]["betas"] == [0.9, 0.999] and d["schedule"]["kind"] == "cosine"
    with pytest.raises(TypeError):
        opt.hyperparams["lr"] = 1.0  # immutable


def test_none_is_not_a_hyperparameter() -> None:
    with pytest.raises(ValueError, match="lr must be a number, got None"):
        dyn.optimizer("adam", lr=None)


# -- one meaning of step_size ----------------------------------------------------------------
def _direction(name: str, opt, run, k: int) -> np.ndarray:
    """The direction d_k that step k multiplies by step_size (see optimizers/base.py)."""
    g, st = run.gradient[k - 1], {key: v[k] for key, v in run.state.items()}
    b1 = opt.hyperparams.get("betas", (0.9, 0.999))[0]
    if name in ("gd", "adagrad", "adadelta", "line_search") or (
            name == "rmsprop" and not opt.hyperparams["momentum"]):
        return g
    if name == "sgd":
        return st["momentum_buffer"]
    if name in ("momentum", "nesterov"):
        return st["velocity"]
    if name == "rmsprop":
        return st["momentum_buffer"]
    if name == "adam" and not opt.hyperparams["bias_correction"]:
        return st["exp_avg"]  # m-hat is m itself
    if name in ("adam", "adamw", "radam", "adamax"):
        return st["exp_avg"] / (1 - b1**k)
    if name == "nadam":
        md = opt.hyperparams["momentum_decay"]
        mus = [b1 * (1 - 0.5 * 0.96 ** (t * md)) for t in range(1, k + 2)]
        product = np.prod(mus[:k])
        return ((1 - mus[k - 1]) / (1 - product) * g
                + mus[k] / (1 - product * mus[k]) * st["exp_avg"])
    if name == "newton":
        return np.linalg.solve(dyn.surface("elongated_bowl").hessian(run.positions[k - 1]), g)
    raise AssertionError(name)


@pytest.mark.parametrize(("name", "kwargs"), [
    ("gd", {"lr": 0.1}), ("sgd", {"lr": 0.05, "momentum": 0.8}), ("momentum", {"lr": 0.1}),
    ("nesterov", {"lr": 0.05}), ("adagrad", {"lr": 0.4}), ("rmsprop", {"lr": 0.1}),
    ("rmsprop", {"lr": 0.05, "momentum": 0.5}), ("adadelta", {"lr": 1.0}),
    ("adam", {"lr": 0.4}), ("adam", {"lr": 0.4, "amsgrad": True}),
    ("adam", {"lr": 0.4, "bias_correction": False}),
    ("adamw", {"lr": 0.4, "weight_decay": 0}),
    ("nadam", {"lr": 0.4}), ("radam", {"lr": 0.4}), ("adamax", {"lr": 0.4}),
    ("newton", {"lr": 0.5}), ("line_search", {"lr": 1.0}),
])
def test_step_size_times_the_direction_is_the_update(name: str, kwargs: dict) -> None:
    opt = dyn.optimizer(name, **kwargs)
    run = dyn.rollout(dyn.surface("elongated_bowl"), opt, (-5, -2), 12)
    for k in range(1, 13):
        np.testing.assert_allclose(run.update[k], -run.state["step_size"][k]
                                   * _direction(name, opt, run, k), rtol=1e-9, atol=1e-12)


def test_step_size_compares_like_with_like_on_the_first_step() -> None:
    """The issue's case: on 0.1x^2 + 2y^2 from (-5, -2), lr 0.4, step 1."""
    s = dyn.surface("elongated_bowl")
    for name in ("adagrad", "adam", "adamax"):
        run = dyn.rollout(s, dyn.optimizer(name, lr=0.4), (-5, -2), 1)
        np.testing.assert_allclose(run.state["step_size"][1], [0.4, 0.05], rtol=1e-6)


# -- Adam without bias correction --------------------------------------------------------
def test_adam_without_bias_correction_steps_on_the_raw_averages() -> None:
    """w_t = w_{t-1} - lr m_t / (sqrt(v_t) + eps), written out here; with it, torch's."""
    s, lr, (b1, b2), eps = dyn.surface("elongated_bowl"), 0.1, (0.9, 0.999), 1e-8
    run = dyn.rollout(s, dyn.optimizer("adam", lr=lr, bias_correction=False), (-5, -2), 30)
    w, m, v = np.array([-5.0, -2.0]), np.zeros(2), np.zeros(2)
    for t in range(1, 31):
        g = s.gradient(w)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr * m / (np.sqrt(v) + eps)
        np.testing.assert_allclose(run.positions[t], w, rtol=1e-12)
    # the first step: lr (1 - b1) / sqrt(1 - b2) per coordinate uncorrected, lr corrected
    np.testing.assert_allclose(np.abs(run.update[1]), lr * (1 - b1) / np.sqrt(1 - b2),
                               rtol=1e-6)
    corrected = dyn.rollout(s, dyn.optimizer("adam", lr=lr), (-5, -2), 1)
    np.testing.assert_allclose(np.abs(corrected.update[1]), lr, rtol=1e-6)
    assert dyn.optimizer("adam").bias_correction is True  # torch's default


def test_bias_correction_is_a_flag() -> None:
    with pytest.raises(dyn.OptirollError, match="bias_correction must be True or False"):
        dyn.optimizer("adam", bias_correction=1)
