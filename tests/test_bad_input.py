"""Input checks, mini-batch consistency of the step oracle, formula limits and loading."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from optiroll import dynamics as dyn
from optiroll.dynamics.catalog import CATALOG
from optiroll.dynamics.data_surfaces import (
    DataSurface,
    LeastSquaresSurface,
    SigmoidSquaredLossSurface,
)
from optiroll.dynamics.formula import MAX_LENGTH

DATA = Path(__file__).parent / "data"


# -- 1. integers ------------------------------------------------------------
@pytest.mark.parametrize("steps", [np.int64(5), np.int32(5), np.uint8(5), np.array(5), 5.0])
def test_numpy_integers_are_integers(steps: object) -> None:
    run = dyn.rollout(dyn.surface("bowl"), dyn.optimizer("gd", lr=0.1), (1.0, 1.0), steps,
                      seed=np.int64(3))
    assert run.steps == 5 and type(run.metadata["steps"]) is int
    json.dumps(run.metadata)  # plain ints, so the run can be saved
    sched = dyn.schedule("step", step_size=np.int16(2))
    assert sched.step_size == 2 and type(sched.step_size) is int


@pytest.mark.parametrize("steps", [5.5, "5", True, np.bool_(True), float("nan"), float("inf"),
                                   np.array([5]), None])
def test_non_integers_are_refused(steps: object) -> None:
    with pytest.raises(dyn.OptirollError, match="steps must be an integer >= 1, got"):
        dyn.rollout(dyn.surface("bowl"), dyn.optimizer("gd"), (1.0, 1.0), steps)


# -- 2. numbers -------------------------------------------------------------
@pytest.mark.parametrize(("lr", "shown"), [
    ("0.1", "'0.1'"), (True, "True"), (np.bool_(False), "np.False_"), (0.1j, "0.1j"),
    (np.array([0.1]), "array([0.1])"),
])
def test_only_real_numbers_are_numbers(lr: object, shown: str) -> None:
    with pytest.raises(dyn.OptirollError) as err:
        dyn.optimizer("sgd", lr=lr)
    assert str(err.value) == f"lr must be a number, got {shown}"


@pytest.mark.parametrize("lr", [0.1, 1, np.float32(0.5), np.float64(0.1), np.int64(1),
                                np.array(0.25)])
def test_real_numbers_are_accepted(lr: object) -> None:
    opt = dyn.optimizer("sgd", lr=lr)
    assert opt.lr == float(lr) and type(opt.lr) is float


# -- 3. schedules -------------------------------------------------------------
def test_schedule_kind_is_checked_when_built_directly() -> None:
    with pytest.raises(dyn.UnknownNameError) as err:
        dyn.Schedule(kind="foo")
    assert "unknown schedule 'foo'" in str(err.value)
    assert "cosine, exponential, inverse_time, step, warmup" in str(err.value)
    with pytest.raises(dyn.UnknownNameError, match="Did you mean 'cosine'"):
        dyn.Schedule(kind="cosin")
    assert dyn.Schedule(kind="warmup").factor(5) == 1.0


def test_schedule_factor_has_no_default_kind() -> None:
    s = dyn.Schedule(kind="step")
    object.__setattr__(s, "kind", "foo")  # a kind changed behind the check's back
    with pytest.raises(dyn.UnknownNameError, match="unknown schedule 'foo'"):
        s.factor(3)


# -- 4. the step oracle uses the step's mini-batch ------------------------------
def _batches(s: dyn.Surface, seed: int, batch_size: int, steps: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [s.draw_sample(rng, batch_size, 0.0) for _ in range(steps)]


def test_line_search_armijo_holds_for_the_batch_loss() -> None:
    s = dyn.surface("linear_regression")
    opt = dyn.optimizer("line_search", lr=1.0)
    seed, steps = 4, 30
    run = dyn.rollout(s, opt, (1.0, 1.0), steps, seed=seed, batch_size=1)
    assert not run.diverged
    batches = _batches(s, seed, 1, steps)
    for t, idx in enumerate(batches, start=1):
        w, w_new = run.positions[t - 1], run.positions[t]
        g = run.gradient[t - 1]
        np.testing.assert_array_equal(g, s.gradient(w, idx))  # the step's batch
        step = run.state["step_size"][t, 0]
        np.testing.assert_allclose(w_new, w - step * g, rtol=1e-15)
        f0, f1 = s.value(w, idx), s.value(w_new, idx)
        assert f1 <= f0 - opt.c * step * (g @ g), f"step {t}: Armijo fails for the batch loss"
        assert step == 1.0 or step < 1.0 and s.value(w - step / opt.shrink * g, idx) > (
            f0 - opt.c * step / opt.shrink * (g @ g)), f"step {t}: not the first step accepted"
    # recorded loss stays the full-data loss
    np.testing.assert_allclose(run.loss, s.value(run.positions), rtol=1e-14)


def test_newton_uses_the_batch_hessian() -> None:
    s = dyn.surface("sigmoid_regression", xs=[0.5, 1.5, 2.5], ys=[0.2, 0.5, 0.9])
    opt = dyn.optimizer("newton", lr=0.5, damping=0.5)
    run = dyn.rollout(s, opt, (0.5, -0.5), 5, seed=1, batch_size=2)
    for t, idx in enumerate(_batches(s, 1, 2, 5), start=1):
        w = run.positions[t - 1]
        H = s.hessian(w, idx) + 0.5 * np.eye(2)
        np.testing.assert_allclose(run.positions[t], w - 0.5 * np.linalg.solve(H, s.gradient(
            w, idx)), rtol=1e-12)


def test_full_batch_runs_are_unchanged() -> None:
    """Full-batch runs of line search and Newton are bit for bit those of commit 4e167bb,
    before the oracle passed the mini-batch to value and hessian (positions saved then);
    on linear regression to the last bits only: its sums are now taken element by
    element (a batch of starts equals its single runs), not by BLAS in another order."""
    saved = np.load(DATA / "full_batch_positions.npz")
    cases = {
        "rosenbrock.line_search": (dyn.surface("rosenbrock"), dyn.optimizer("line_search"),
                                   (-1.5, 2.0)),
        "linear_regression.line_search": (dyn.surface("linear_regression"),
                                          dyn.optimizer("line_search"), (1.0, 1.0)),
        "linear_regression.newton": (dyn.surface("linear_regression"),
                                     dyn.optimizer("newton", lr=0.5), (1.0, 1.0)),
        "sigmoid_regression.line_search": (dyn.surface("sigmoid_regression"),
                                           dyn.optimizer("line_search"), (1.0, 1.0)),
        "sigmoid_regression.newton": (dyn.surface("sigmoid_regression"),
                                      dyn.optimizer("newton", lr=0.5, damping=0.1), (1.0, 1.0)),
    }
    assert sorted(cases) == sorted(saved.files)
    for name, (s, opt, start) in cases.items():
        positions = dyn.rollout(s, opt, start, 40).positions
        if name.startswith("linear_regression"):
            np.testing.assert_allclose(positions, saved[name], rtol=1e-14, err_msg=name)
        else:
            np.testing.assert_array_equal(positions, saved[name], err_msg=name)


@pytest.mark.parametrize("name", ["linear_regression", "two_weight_linear",
                                  "sigmoid_regression"])
def test_a_batch_of_starts_on_a_data_surface_equals_its_single_runs(name: str) -> None:
    """Bit for bit, as on the analytic surfaces: NAdam at lr 1 on two_weight_linear grew a
    last-bit difference of the batched gradient (a BLAS matrix product) into a ball that
    ended at loss 62.6 in a batch and 17.8 alone."""
    s = dyn.surface(name)
    (x0, x1), (y0, y1) = s.view
    rng = np.random.default_rng(0)
    starts = np.c_[rng.uniform(x0, x1, 200), rng.uniform(y0, y1, 200)]
    opt = dyn.optimizer("nadam", lr=1.0)
    many = dyn.rollout(s, opt, starts, 60)
    for i in range(0, 200, 10):
        np.testing.assert_array_equal(dyn.rollout(s, opt, tuple(starts[i]), 60).positions,
                                      many.positions[i])


@pytest.mark.parametrize("name", ["linear_regression", "two_weight_linear", "sigmoid_regression"])
def test_batch_loss_and_hessian_are_the_batch_restriction(name: str) -> None:
    s = dyn.surface(name)
    idx = np.array([1, 0]) if name == "sigmoid_regression" else np.array([3, 0, 7])
    p = np.array([[0.3, -0.4], [1.2, 0.7]])
    if isinstance(s, LeastSquaresSurface):
        A, y = s.A[idx], s.targets[idx]
        c = 1.0 / len(idx) if s.reduction == "mean" else 0.5
        r = p @ A.T - y
        np.testing.assert_allclose(s.value(p, idx), c * np.sum(r * r, -1), rtol=1e-14)
        np.testing.assert_allclose(s.hessian(p, idx)[0], 2 * c * A.T @ A, rtol=1e-14)
    else:
        assert isinstance(s, SigmoidSquaredLossSurface)
        f = 1 / (1 + np.exp(-(p[:, :1] * s.xs[idx] + p[:, 1:])))
        np.testing.assert_allclose(s.value(p, idx), 0.5 * np.sum((f - s.targets[idx]) ** 2, -1),
                                   rtol=1e-13)
    # the batch gradient is the derivative of the batch loss; the Hessian that of the gradient
    h = 1e-6
    e = np.eye(2) * h
    num_g = np.stack([(s.value(p + e[i], idx) - s.value(p - e[i], idx)) / (2 * h)
                      for i in range(2)], -1)
    np.testing.assert_allclose(s.gradient(p, idx), num_g, rtol=1e-6, atol=1e-8)
    num_h = np.stack([(s.gradient(p + e[i], idx) - s.gradient(p - e[i], idx)) / (2 * h)
                      for i in range(2)], -2)
    np.testing.assert_allclose(s.hessian(p, idx), num_h, rtol=1e-5, atol=1e-7)
    # no sample: the full loss
    np.testing.assert_array_equal(s.value(p, None), s.value(p))


def test_analytic_surfaces_ignore_the_noise_sample_in_loss_and_hessian() -> None:
    s = dyn.surface("rosenbrock")
    p, noise = np.array([0.3, 0.2]), np.array([0.5, -1.0])
    assert s.value(p, noise) == s.value(p)
    np.testing.assert_array_equal(s.hessian(p, noise), s.hessian(p))
    np.testing.assert_array_equal(s.gradient(p, noise), s.gradient(p) + noise)


# -- 5. one data-surface base -------------------------------------------------
def test_data_surfaces_share_one_sampler() -> None:
    for name in ("linear_regression", "two_weight_linear", "sigmoid_regression"):
        s = dyn.surface(name)
        assert isinstance(s, DataSurface) and s.has_data
        assert type(s).draw_sample is DataSurface.draw_sample
        assert s.n_points == len(s.data.y)
        assert s.draw_sample(np.random.default_rng(0), None, 0.0) is None
        assert s.draw_sample(np.random.default_rng(0), s.n_points, 0.0) is None
        b = s.n_points - 1
        got = s.draw_sample(np.random.default_rng(7), b, 0.0)
        np.testing.assert_array_equal(
            got, np.random.default_rng(7).choice(s.n_points, size=b, replace=False))
        with pytest.raises(dyn.OptirollError, match="batch_size must be between 1 and"):
            s.draw_sample(np.random.default_rng(0), s.n_points + 1, 0.0)


# -- 6., 7. formulas ----------------------------------------------------------
def test_huge_formula_is_a_formula_error() -> None:
    with pytest.raises(dyn.FormulaError) as err:
        dyn.surface("+".join(["x"] * 200_000))
    msg = str(err.value)
    assert f"limit is {MAX_LENGTH:,}" in msg and "399,999 characters" in msg
    assert "Simplify the formula" in msg and len(msg) < 300


@pytest.mark.parametrize("text", ["-" * 1500 + "x", "exp(exp(exp(" * 60 + "x" + ")))" * 60])
def test_deep_formula_is_a_formula_error(text: str) -> None:
    assert len(text) <= MAX_LENGTH
    with pytest.raises(dyn.FormulaError, match="Simplify the formula"):
        dyn.surface(text)


def test_catalog_formulas_are_well_under_the_length_limit() -> None:
    longest = max(len(e.formula) for e in CATALOG.values())
    assert 5 * longest < MAX_LENGTH


@pytest.mark.parametrize("text", ["x**2 +", "x**2 +  ", "x^2 *", "sin(", "x**"])
def test_formula_ending_in_an_operator_points_at_it(text: str) -> None:
    with pytest.raises(dyn.FormulaError) as err:
        dyn.surface(text)
    first, shown, caret = str(err.value).splitlines()[:3]
    end = len(text.rstrip())
    assert f"position {end}:" in first and "ends too early" in first
    assert caret.index("^") - shown.index(text[0]) == end - 1


@pytest.mark.parametrize("text", ["x - y", "-x", "x-y", "-(x**2) + y**2"])
def test_formulas_with_minus_signs_are_formulas(text: str) -> None:
    s = dyn.surface(text)
    assert s.name == "formula"
    assert s.value(np.array([1.0, 2.0])) == pytest.approx(
        eval(text, {"x": 1.0, "y": 2.0}))  # noqa: S307 (a test's own constant strings)


def test_mistyped_names_are_still_unknown_names() -> None:
    for name in ("rosenbrok", "six-hump", "xy"):
        with pytest.raises(dyn.UnknownNameError):
            dyn.surface(name)


# -- 8. loading ---------------------------------------------------------------
def _saved(tmp_path: Path) -> Path:
    run = dyn.rollout(dyn.surface("bowl"), dyn.optimizer("adam", lr=0.1), (1.0, 1.0), 20)
    return run.save(tmp_path / "run.npz")


def test_truncated_rollout_file(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(dyn.OptirollError) as err:
        dyn.Rollout.load(path)
    msg = str(err.value)
    assert "is not a rollout file" in msg and "save one with run.save(path)" in msg
    assert str(path) in msg


def test_unreadable_rollout_files(tmp_path: Path) -> None:
    cases = {}
    (tmp_path / "text.npz").write_text("hello")
    cases["text.npz"] = "unreadable"
    np.save(tmp_path / "array.npy", np.zeros(3))
    cases["array.npy"] = "a single array"
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    cases["other.npz"] = "missing positions, diverged_at, metadata"
    np.savez(tmp_path / "meta.npz", positions=np.zeros((2, 2)), diverged_at=np.array(-1),
             metadata=np.array("{not json"))
    cases["meta.npz"] = "bad metadata"
    cases["absent.npz"] = "no such file"
    for name, why in cases.items():
        with pytest.raises(dyn.OptirollError) as err:
            dyn.Rollout.load(tmp_path / name)
        assert f"is not a rollout file ({why}" in str(err.value), name
        assert str(err.value).endswith("save one with run.save(path)")
    run = dyn.Rollout.load(_saved(tmp_path))
    assert run.steps == 20


# -- 9. data-set parameters ------------------------------------------------------
@pytest.mark.parametrize("name", ["linear_regression", "two_weight_linear"])
@pytest.mark.parametrize(("params", "message"), [
    ({"n": 0}, "n must be an integer >= 2, got 0"),
    ({"n": 1}, "n must be an integer >= 2, got 1"),
    ({"n": -3}, "n must be an integer >= 2, got -3"),
    ({"n": 2.5}, "n must be an integer >= 2, got 2.5"),
    ({"n": "10"}, "n must be an integer >= 2, got '10'"),
    ({"noise_std": -0.1}, "noise_std must be in [0, inf), got -0.1"),
    ({"noise_std": float("nan")}, "noise_std must be finite"),
    ({"seed": 1.5}, "seed must be an integer >= 0, got 1.5"),
    ({"seed": -1}, "seed must be an integer >= 0, got -1"),
])
def test_data_set_parameters_are_checked(name: str, params: dict, message: str) -> None:
    with pytest.raises(dyn.OptirollError) as err:
        dyn.surface(name, **params)
    assert message in str(err.value)


def test_data_set_pairs_are_checked() -> None:
    with pytest.raises(dyn.OptirollError, match=r"theta must be a pair of numbers"):
        dyn.surface("linear_regression", theta=(1.0, 2.0, 3.0))
    with pytest.raises(dyn.OptirollError, match=r"w\[1\] must be a number, got 'a'"):
        dyn.surface("two_weight_linear", w=(1.0, "a"))
    with pytest.raises(dyn.OptirollError, match="lists of numbers"):
        dyn.surface("sigmoid_regression", xs=["a", "b"], ys=[0.2, 0.3])


def test_smallest_data_sets_and_numpy_parameters_work(tmp_path: Path) -> None:
    s = dyn.surface("linear_regression", n=np.int64(2), seed=np.int32(1))
    assert s.n_points == 2 and s.spec["n"] == 2 and type(s.spec["n"]) is int
    run = dyn.rollout(s, dyn.optimizer("gd", lr=0.01), (5.0, 2.0), 3)
    again = dyn.Rollout.load(run.save(tmp_path / "small.npz")).redo()
    np.testing.assert_array_equal(again.positions, run.positions)
    assert dyn.surface("two_weight_linear", n=2).n_points == 2


@pytest.mark.parametrize(("text", "message"), [
    ("x/0", "infinite or undefined everywhere"),
    ("log(0) + x**2", "infinite or undefined everywhere"),
    ("sqrt(-1)*y + x**2", "has imaginary values"),
])
def test_formulas_with_no_real_finite_values_are_formula_errors(text: str, message: str) -> None:
    """They raised sympy's KeyError 'ComplexInfinity', or dropped an imaginary part with a
    ComplexWarning."""
    with pytest.raises(dyn.FormulaError, match=message):
        dyn.surface(text)


def test_complex_values_of_a_formula_are_an_error_not_a_warning() -> None:
    s = dyn.surface("(-1)**x + y**2")
    with pytest.raises(dyn.OptirollError, match="complex values"):
        dyn.rollout(s, dyn.optimizer("gd", lr=0.1), (1.0, 1.0), 5)


def test_newton_on_a_kink_has_a_hessian() -> None:
    """abs(x)'s second derivative is a Dirac delta, which numpy cannot evaluate (NameError
    'DiracDelta'): it is zero wherever it is defined."""
    s = dyn.surface("abs(x) + y**2")
    np.testing.assert_array_equal(s.hessian(np.array([0.5, 1.0])), [[0.0, 0.0], [0.0, 2.0]])
    run = dyn.rollout(s, dyn.optimizer("newton", lr=0.5), (1.0, 1.0), 5)
    assert run.diverged  # a singular Hessian: Newton's step is undefined, the ball stops


@pytest.mark.parametrize(("make", "guess"), [
    (lambda: dyn.optimizer("adam", weight_decy=0.1), "weight_decay"),
    (lambda: dyn.optimizer("rmsprop", alpah=0.9), "alpha"),
    (lambda: dyn.schedule("cosine", Tmax=5), "T_max"),
])
def test_a_misspelt_hyperparameter_gets_a_suggestion(make, guess: str) -> None:
    with pytest.raises(dyn.OptirollError, match=f"Did you mean '{guess}'\\? Valid: "):
        make()


@pytest.mark.parametrize(("call", "message"), [
    (lambda: dyn.surface("bowl", view=((-np.inf, np.inf), (-1, 1))), "view needs finite bounds"),
    (lambda: dyn.surface("bowl", view=((0, 1e308), (0, 1))), "view is wider than"),
    (lambda: dyn.surface("x**2 + y**2", view=[]), "view must be ((xmin, xmax), (ymin, ymax))"),
    (lambda: dyn.rollout(dyn.surface("bowl"), dyn.optimizer("gd"), (1, 1), 3, record=None),
     "record must be a tuple of names"),
    (lambda: dyn.rollout(dyn.surface("bowl"), dyn.optimizer("gd"), (1, 1), 3, record="loss"),
     "record must be a tuple of names"),
    (lambda: dyn.rollout(dyn.surface("bowl"), dyn.optimizer("gd"), (1, 1), 10**12),
     "steps must be at most 10,000,000"),
])
def test_more_bad_arguments_are_one_message(call, message: str) -> None:
    """They ran on (every ball 'diverged at step 1' in an infinite view), printed an
    overflow warning, raised numpy's ambiguous-truth or MemoryError, or recorded letters."""
    with pytest.raises(dyn.OptirollError, match=re.escape(message)):
        call()


def test_a_formula_takes_a_numpy_view() -> None:
    s = dyn.surface("x**2 + y**2", view=np.array([[-1, 1], [-1, 1]]))
    assert s.view == ((-1.0, 1.0), (-1.0, 1.0))


def test_one_ball_of_a_batch_redoes_alone_and_saves_as_a_file(tmp_path: Path) -> None:
    """ball(i).redo() re-ran every start (its metadata kept them all); a folder or an empty
    name as the file to save was a bare OSError or ValueError."""
    runs = dyn.rollout(dyn.surface("bowl"), dyn.optimizer("gd", lr=0.1),
                       [(1, 1), (0.5, 0.2), (-1, 1)], 5)
    one = runs.ball(1)
    np.testing.assert_array_equal(one.redo().positions, runs.positions[1])
    np.testing.assert_array_equal(dyn.Rollout.load(one.save(tmp_path / "one.npz")).redo()
                                  .positions, runs.positions[1])
    with pytest.raises(dyn.OptirollError, match=r"ball\(5\): this rollout has 3 balls"):
        runs.ball(5)
    (tmp_path / "taken.npz").mkdir()
    for bad in (tmp_path, tmp_path / "taken.npz", "", None):
        with pytest.raises(dyn.OptirollError):
            runs.save(bad)
    with pytest.raises(dyn.OptirollError, match="load needs a file name"):
        dyn.Rollout.load(None)


def test_a_rollout_file_without_its_metadata_is_refused(tmp_path: Path) -> None:
    run = dyn.rollout(dyn.surface("bowl"), dyn.optimizer("gd", lr=0.1), (1, 1), 3)
    path = tmp_path / "bare.npz"
    np.savez(path, positions=run.positions, diverged_at=run.diverged_at,
             metadata=np.array(json.dumps({"steps": 3})))
    with pytest.raises(dyn.OptirollError, match="metadata lacks surface, optimizer, start"):
        dyn.Rollout.load(path)
    np.savez(path, positions=np.array(["a", "b"]), diverged_at=run.diverged_at,
             metadata=np.array(json.dumps(run.metadata)))
    with pytest.raises(dyn.OptirollError, match="positions of shape"):
        dyn.Rollout.load(path)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"kind": "cosine", "T_max": 0}, "T_max must be an integer >= 1"),
    ({"kind": "step", "step_size": 0}, "step_size must be an integer >= 1"),
    ({"kind": "exponential", "gamma": 10.0}, "gamma must be in (0, 1]"),
    ({"kind": "exponential", "gamma": -2.0}, "gamma must be in (0, 1]"),
])
def test_a_schedule_built_directly_is_checked_too(kwargs: dict, message: str) -> None:
    """dyn.Schedule(...) checked only its kind: T_max=0 was a ZeroDivisionError in a run,
    gamma=10 an OverflowError, gamma=-2 silently negative learning rates."""
    with pytest.raises(dyn.OptirollError, match=re.escape(message)):
        dyn.Schedule(**kwargs)
