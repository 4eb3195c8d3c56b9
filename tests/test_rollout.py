"""Rollouts: shapes, divergence, recording, persistence, stochastic gradients."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from optiroll import dynamics as dyn

STARTS = np.array([[-1.5, 2.0], [0.5, -0.5], [1.2, 1.5]])


def test_single_and_batched_shapes() -> None:
    s, opt = dyn.surface("rosenbrock"), dyn.optimizer("adam", lr=0.01)
    one = dyn.rollout(s, opt, (-1.5, 2.0), 10)
    assert one.positions.shape == (11, 2) and one.loss.shape == (11,)
    assert one.gradient.shape == (11, 2) and one.update.shape == (11, 2)
    assert one.state["exp_avg"].shape == (11, 2) and one.diverged_at == -1
    many = dyn.rollout(s, opt, STARTS, 10)
    assert many.positions.shape == (3, 11, 2) and many.loss.shape == (3, 11)
    assert many.diverged.shape == (3,)
    np.testing.assert_array_equal(many.ball(0).positions, one.positions)


def test_recorded_arrays_are_consistent() -> None:
    s = dyn.surface("himmelblau")
    run = dyn.rollout(s, dyn.optimizer("sgd", lr=0.01, momentum=0.5), (0.0, 0.0), 30)
    np.testing.assert_allclose(run.loss, s.value(run.positions), rtol=1e-14)
    np.testing.assert_allclose(run.gradient, s.gradient(run.positions), rtol=1e-14)
    np.testing.assert_allclose(run.update[1:], np.diff(run.positions, axis=0), rtol=1e-14)
    assert np.all(run.update[0] == 0)


def test_divergence_stops_only_that_ball() -> None:
    s = dyn.surface("ravine")
    starts = np.array([[-2.4, 0.2], [-2.4, 0.0]])  # the second never moves in y
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NaN/overflow warnings either
        run = dyn.rollout(s, dyn.optimizer("gd", lr=0.25), starts, 200)
    assert run.diverged.tolist() == [True, False]
    k = run.diverged_at[0]
    assert 0 < k < 200
    assert np.all(np.isfinite(run.positions[0, :k])) and np.all(np.isfinite(run.loss[0, :k]))
    # the escaping point is kept so a scene can show it flying off ...
    assert np.all(np.isfinite(run.positions[0, k])) and not s.contains(run.positions[0, k])
    # ... and everything after it is NaN
    assert np.all(np.isnan(run.positions[0, k + 1:])) and np.all(np.isnan(run.loss[0, k:]))
    assert np.all(np.isfinite(run.positions[1]))
    np.testing.assert_allclose(run.final_position[1], run.positions[1, -1])


def test_non_finite_values_count_as_divergence() -> None:
    s = dyn.surface("exp(x**2) + y**2", view=((-30, 30), (-1, 1)))
    run = dyn.rollout(s, dyn.optimizer("gd", lr=1.0), (2.0, 0.5), 10)
    assert run.diverged and np.isnan(run.positions[-1]).all()


def test_record_only_what_is_needed() -> None:
    run = dyn.rollout(dyn.surface("rosenbrock"), dyn.optimizer("adam"), STARTS, 5,
                      record=("loss",))
    assert run.loss is not None and run.gradient is None and run.update is None
    assert run.state == {}
    with pytest.raises(dyn.OptirollError, match="cannot record 'velocity'"):
        dyn.rollout(dyn.surface("bowl"), dyn.optimizer("gd"), (1, 1), 5, record=("velocity",))


def test_save_load_roundtrip_and_redo(tmp_path: Path) -> None:
    opt = dyn.optimizer("adam", lr=0.02, amsgrad=True, schedule=dyn.schedule("cosine", T_max=20))
    run = dyn.rollout(dyn.surface("linear_regression", seed=4), opt, [[0.0, 0.0], [9.0, 3.5]],
                      40, seed=7, batch_size=3)
    path = run.save(tmp_path / "run.npz")
    back = dyn.Rollout.load(path)
    for name in ("positions", "loss", "gradient", "update", "diverged_at"):
        np.testing.assert_array_equal(getattr(back, name), getattr(run, name))
    np.testing.assert_array_equal(back.state["exp_avg_sq"], run.state["exp_avg_sq"])
    meta = back.metadata
    assert meta["optimizer"]["name"] == "adam" and meta["seed"] == 7 and meta["batch_size"] == 3
    assert meta["surface"] == {"name": "linear_regression", "n": 10, "theta": [5.0, 2.0],
                               "noise_std": 0.2, "seed": 4}
    assert {"numpy", "sympy", "python", "optiroll"} <= set(meta["versions"])
    np.testing.assert_array_equal(back.redo().positions, run.positions)
    assert [p.name for p in tmp_path.iterdir()] == ["run.npz"]  # no temp files left


def test_save_into_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    run = dyn.rollout(dyn.surface("bowl"), dyn.optimizer("gd"), (1, 1), 3)
    with pytest.raises(dyn.OptirollError, match="does not exist; create it first"):
        run.save(tmp_path / "nope" / "run.npz")
    assert not (tmp_path / "nope").exists()


def test_failed_save_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = dyn.rollout(dyn.surface("bowl"), dyn.optimizer("gd"), (1, 1), 3)

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(OSError, match="disk full"):
        run.save(tmp_path / "run.npz")
    assert list(tmp_path.iterdir()) == []


def test_mini_batches_are_seeded_and_real() -> None:
    s = dyn.surface("two_weight_linear")
    opt = dyn.optimizer("sgd", lr=0.01)
    a = dyn.rollout(s, opt, (-10.0, 10.0), 50, batch_size=1, seed=1)
    b = dyn.rollout(s, opt, (-10.0, 10.0), 50, batch_size=1, seed=1)
    c = dyn.rollout(s, opt, (-10.0, 10.0), 50, batch_size=1, seed=2)
    full = dyn.rollout(s, opt, (-10.0, 10.0), 50)
    np.testing.assert_array_equal(a.positions, b.positions)
    assert not np.allclose(a.positions, c.positions)
    assert not np.allclose(a.positions, full.positions)
    # each stochastic gradient is the gradient of one real data point
    g = a.gradient[0]
    p = a.positions[0]
    per_point = (s.A @ p - s.targets)[:, None] * s.A
    assert np.min(np.linalg.norm(per_point - g, axis=1)) < 1e-12


def test_gradient_noise_on_analytic_surfaces() -> None:
    s, opt = dyn.surface("bowl"), dyn.optimizer("gd", lr=0.1)
    noisy = dyn.rollout(s, opt, (1.0, 1.0), 20, noise=0.5, seed=3)
    again = dyn.rollout(s, opt, (1.0, 1.0), 20, noise=0.5, seed=3)
    clean = dyn.rollout(s, opt, (1.0, 1.0), 20)
    np.testing.assert_array_equal(noisy.positions, again.positions)
    assert not np.allclose(noisy.positions, clean.positions)
    np.testing.assert_allclose(noisy.loss, s.value(noisy.positions))  # loss stays exact


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"start": (1, 2, 3)}, "start must be a point (x, y) or an array of shape (n, 2)"),
        ({"start": "here"}, "start must be a point"),
        ({"start": (1e6, 0)}, "start (1e+06, 0) is outside the domain of surface 'bowl'"),
        ({"start": (float("nan"), 0)}, "start must contain finite numbers"),
        ({"steps": 0}, "steps must be an integer >= 1"),
        ({"steps": 2.5}, "steps must be an integer >= 1"),
        ({"noise": -1}, "noise must be in [0, inf)"),
        ({"batch_size": 4}, "batch_size needs a data surface"),
    ],
)
def test_bad_rollout_input(kwargs: dict, fragment: str) -> None:
    args = {"start": (1.0, 1.0), "steps": 5} | kwargs
    with pytest.raises(ValueError) as err:
        dyn.rollout(dyn.surface("bowl"), dyn.optimizer("gd"), **args)
    assert fragment in str(err.value)


def test_batch_size_larger_than_the_data() -> None:
    with pytest.raises(dyn.OptirollError, match="between 1 and the number of data points"):
        dyn.rollout(dyn.surface("linear_regression"), dyn.optimizer("gd"), (0, 0), 5,
                    batch_size=11)


def test_non_finite_start_loss_is_rejected() -> None:
    with pytest.raises(dyn.OptirollError, match="not finite at the start"):
        dyn.rollout(dyn.surface("log(x) + y**2"), dyn.optimizer("gd"), (-1.0, 0.0), 5)


def test_dynamics_never_imports_manim() -> None:
    code = (
        "import sys; from optiroll import dynamics as d; "
        "d.rollout(d.surface('bowl'), d.optimizer('adam'), (1, 1), 3); "
        "assert not any(m.split('.')[0] == 'manim' for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    src = Path(__file__).resolve().parents[1] / "dynamics"
    for f in src.rglob("*.py"):
        assert "import manim" not in f.read_text() and "from manim" not in f.read_text(), f
