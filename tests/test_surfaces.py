"""Surfaces: exact derivatives, catalog facts, safe formulas, data surfaces."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from optiroll import dynamics as dyn
from optiroll.dynamics.catalog import CATALOG


def fd_gradient(s: dyn.Surface, p: np.ndarray, h: float = 1e-6) -> np.ndarray:
    e = np.eye(2) * h
    return np.stack([(s.value(p + e[i]) - s.value(p - e[i])) / (2 * h) for i in range(2)], -1)


def fd_hessian(s: dyn.Surface, p: np.ndarray, h: float = 1e-5) -> np.ndarray:
    e = np.eye(2) * h
    cols = [(s.gradient(p + e[i]) - s.gradient(p - e[i])) / (2 * h) for i in range(2)]
    return np.stack(cols, -1)


def sample_points(s: dyn.Surface, n: int = 25, seed: int = 0) -> np.ndarray:
    (x0, x1), (y0, y1) = s.view
    rng = np.random.default_rng(seed)
    return np.stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)], -1)


ALL = dyn.surface_names()


def test_catalog_has_the_issue_surfaces() -> None:
    required = {"ravine", "elongated_bowl", "bowl", "saddle", "monkey_saddle", "rosenbrock",
                "beale", "himmelblau", "booth", "matyas", "three_hump_camel", "six_hump_camel",
                "rastrigin", "ackley", "styblinski_tang", "goldstein_price", "wells", "plateau",
                "linear_regression", "two_weight_linear", "sigmoid_regression"}
    assert required <= set(ALL)


@pytest.mark.parametrize("name", ALL)
def test_gradient_and_hessian_match_finite_differences(name: str) -> None:
    s = dyn.surface(name)
    p = sample_points(s)
    g = s.gradient(p)
    scale = 1 + np.abs(g)
    np.testing.assert_allclose(g / scale, fd_gradient(s, p) / scale, atol=1e-5)
    H = s.hessian(p)
    np.testing.assert_allclose(H, np.swapaxes(H, -1, -2), atol=1e-9)  # symmetric
    hs = 1 + np.abs(H)
    np.testing.assert_allclose(H / hs, fd_hessian(s, p) / hs, atol=1e-4)


@pytest.mark.parametrize("name", ALL)
def test_shapes_broadcast_over_leading_dims(name: str) -> None:
    s = dyn.surface(name)
    p = sample_points(s, 12).reshape(3, 4, 2)
    assert s.value(p).shape == (3, 4)
    assert s.gradient(p).shape == (3, 4, 2)
    assert s.hessian(p).shape == (3, 4, 2, 2)
    f, g = s.value_and_gradient(p)
    np.testing.assert_allclose(f, s.value(p), rtol=1e-14)
    np.testing.assert_allclose(g, s.gradient(p), rtol=1e-14)
    assert np.ndim(s.value(np.array([0.1, 0.2]))) == 0


@pytest.mark.parametrize("name", [n for n in ALL if n != "ackley"])
def test_known_minima_are_stationary_minima(name: str) -> None:
    s = dyn.surface(name)
    for m in s.minima:
        m = np.array(m)
        assert np.linalg.norm(s.gradient(m)) < 1e-6, (name, m)
        assert np.all(np.linalg.eigvalsh(s.hessian(m)) > 0), (name, m)
        (x0, x1), (y0, y1) = s.view
        assert x0 <= m[0] <= x1 and y0 <= m[1] <= y1


def test_wells_have_three_minima_of_different_depths() -> None:
    s = dyn.surface("wells")
    depths = [float(s.value(np.array(m))) for m in s.minima]
    assert len(depths) == 3 and depths == sorted(depths) and len(set(np.round(depths, 3))) == 3


def test_saddles_have_indefinite_hessians() -> None:
    eig = np.linalg.eigvalsh(dyn.surface("saddle").hessian(np.zeros(2)))
    assert eig[0] < 0 < eig[1]
    assert np.allclose(dyn.surface("monkey_saddle").hessian(np.zeros(2)), 0)


def test_plateau_gradient_vanishes_far_away() -> None:
    s = dyn.surface("plateau")
    assert np.linalg.norm(s.gradient(np.array([4.5, 3.5]))) < 1e-3
    assert np.linalg.norm(s.gradient(np.array([1.0, 0.5]))) > 0.1


def test_catalog_entries_have_labels() -> None:
    for name in CATALOG:
        s = dyn.surface(name)
        assert s.display_name and s.typst and s.spec == {"name": name}


# -- formulas ------------------------------------------------------------------
def test_formula_is_differentiated_exactly() -> None:
    s = dyn.surface("0.1*x**2 + 2*y**2")
    p = np.array([[1.5, -2.0], [0.0, 3.0]])
    np.testing.assert_array_equal(s.gradient(p), np.stack([0.2 * p[:, 0], 4 * p[:, 1]], -1))
    np.testing.assert_array_equal(s.hessian(p[0]), [[0.2, 0], [0, 4]])
    assert s.typst == "0.1 x^2 + 2 y^2"


def test_caret_means_power_and_functions_work() -> None:
    s = dyn.surface("sin(x)^2 + exp(y/2)")
    p = np.array([0.3, 0.4])
    assert s.value(p) == pytest.approx(np.sin(0.3) ** 2 + np.exp(0.2), rel=1e-15)
    np.testing.assert_allclose(s.gradient(p), [np.sin(0.6), 0.5 * np.exp(0.2)], rtol=1e-14)


def test_constant_gradient_components_broadcast() -> None:
    s = dyn.surface("x + 3")
    g = s.gradient(np.zeros((4, 2)))
    assert g.shape == (4, 2) and np.all(g == [1.0, 0.0])


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('touch {marker}')",
        "().__class__.__base__.__subclasses__()",
        "open('{marker}', 'w')",
        "(lambda: 1)()",
        "x.__class__",
        "[x for x in y]",
    ],
)
def test_formula_is_data_not_code(text: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    with pytest.raises(dyn.FormulaError):
        dyn.surface(text.format(marker=marker))
    assert not marker.exists()


def test_formula_error_points_at_the_position() -> None:
    with pytest.raises(dyn.FormulaError) as err:
        dyn.surface("x**2 + * y")
    msg = str(err.value)
    assert "position" in msg and "x**2 + * y" in msg and "^" in msg
    with pytest.raises(dyn.FormulaError) as err:
        dyn.surface("x^2 + foo(y)")
    lines = str(err.value).splitlines()
    assert "'foo'" in lines[0]
    assert lines[2].index("^") - lines[1].index("x") == 6  # under the 'f' of foo


def test_formula_rejects_unknown_names_and_huge_exponents() -> None:
    with pytest.raises(dyn.FormulaError, match="unknown name 'z'"):
        dyn.surface("x + z")
    with pytest.raises(dyn.FormulaError, match="exponent"):
        dyn.surface("9**9**9**9")


def test_unknown_surface_lists_names() -> None:
    with pytest.raises(dyn.UnknownNameError) as err:
        dyn.surface("rosenbrok")
    msg = str(err.value)
    assert "rosenbrock" in msg and "Did you mean 'rosenbrock'" in msg and "himmelblau" in msg


def test_view_override_and_validation() -> None:
    s = dyn.surface("bowl", view=((-1, 1), (-3, 3)))
    assert s.view == ((-1.0, 1.0), (-3.0, 3.0)) and s.spec["view"] == [[-1.0, 1.0], [-3.0, 3.0]]
    assert dyn.surface("bowl").view == ((-2.0, 2.0), (-2.0, 2.0))  # catalog untouched
    with pytest.raises(dyn.OptirollError, match="view"):
        dyn.surface("bowl", view=((1, -1), (0, 1)))


# -- data surfaces ---------------------------------------------------------------
def test_linear_regression_is_seeded_mse() -> None:
    s = dyn.surface("linear_regression", seed=3)
    assert s.minima[0] == pytest.approx((5.0, 2.0), abs=0.3)
    again = dyn.surface("linear_regression", seed=3)
    np.testing.assert_array_equal(s.targets, again.targets)
    p = np.array([4.0, 1.0])
    r = p[0] + p[1] * s.A[:, 1] - s.targets
    assert s.value(p) == pytest.approx(np.mean(r**2), rel=1e-14)


def test_mini_batch_gradient_uses_only_the_batch() -> None:
    s = dyn.surface("two_weight_linear")
    p = np.array([1.0, -1.0])
    idx = np.array([3, 7, 11])
    r = s.A[idx] @ p - s.targets[idx]
    np.testing.assert_allclose(s.gradient(p, idx), r @ s.A[idx], rtol=1e-14)
    rng = np.random.default_rng(0)
    batch = s.draw_sample(rng, 5, 0.0)
    assert len(set(batch.tolist())) == 5
    assert s.draw_sample(rng, None, 0.0) is None


def test_sigmoid_regression_minimum_fits_both_points() -> None:
    s = dyn.surface("sigmoid_regression")
    assert s.value(np.array(s.minima[0])) < 1e-25
    with pytest.raises(dyn.OptirollError, match="batch_size"):
        s.draw_sample(np.random.default_rng(0), 5, 0.0)


def test_data_surfaces_expose_their_data_and_model() -> None:
    reg = dyn.surface("linear_regression", n=10, seed=0)
    np.testing.assert_array_equal(reg.data.x, np.arange(1.0, 11.0))
    assert reg.data.y.shape == (10,) and reg.data.model == "theta_0 + theta_1 x"
    theta = np.array([[5.0, 2.0], [1.0, 0.0]])
    np.testing.assert_allclose(reg.predict(theta, reg.data.x)[0], 5 + 2 * reg.data.x)
    # the loss is the mean squared error of that model on that data
    np.testing.assert_allclose(reg.value(theta[0]),
                               np.mean((reg.predict(theta[0], reg.data.x) - reg.data.y) ** 2))
    two = dyn.surface("two_weight_linear", n=20)
    assert two.data.x.shape == (20, 2)
    np.testing.assert_allclose(two.predict(np.array([3.0, -5.0]), two.data.x),
                               two.data.x @ [3.0, -5.0])
    sig = dyn.surface("sigmoid_regression")
    np.testing.assert_allclose(sig.predict(np.array(sig.minima[0]), sig.data.x), sig.data.y)
    assert dyn.surface("bowl").data is None
    with pytest.raises(NotImplementedError, match="not a loss over data"):
        dyn.surface("bowl").predict(np.zeros(2), np.zeros(3))


def test_a_data_surfaces_grid_is_its_loss_a_few_rows_at_a_time() -> None:
    """A grid over a big dataset held a value per grid point and data point at once (10^8
    points had asked for 10 TiB); it is summed a few rows at a time, every value the
    same, and a dataset is at most MAX_POINTS points."""
    import optiroll.dynamics.surfaces as surfaces
    from optiroll.dynamics.data_surfaces import MAX_POINTS

    s = dyn.surface("linear_regression", n=MAX_POINTS)
    whole = type(s).value
    shapes = []

    def value(self, p, sample=None):
        shapes.append(np.shape(p))
        return whole(self, p, sample)

    type(s).value = value
    try:
        xs, ys, Z = s.grid(60, 45)
    finally:
        type(s).value = whole
    rows = surfaces.GRID_CHUNK // (60 * MAX_POINTS)  # 6 rows of 60 points at a time
    assert shapes == [(min(rows, 45 - j), 60, 2) for j in range(0, 45, rows)]
    np.testing.assert_array_equal(Z, s.value(np.stack(np.meshgrid(xs, ys), axis=-1)))
    with pytest.raises(dyn.OptirollError, match=r"n must be at most 10,000 data points, "
                                                r"got 100,000,000"):
        dyn.surface("linear_regression", n=10**8)
    with pytest.raises(dyn.OptirollError, match="at most 10,000 data points"):
        dyn.surface("sigmoid_regression", xs=[0.5] * 10_001, ys=[0.5] * 10_001)


@pytest.mark.parametrize(("text", "typst"), [
    ("(x^2 - 1)^2 + 0.5*y^2 + 0.3*x", "(x^2 - 1)^2 + 0.5 y^2 + 0.3 x"),  # as written
    ("-x^2 - 3*y + 2", "-x^2 - 3 y + 2"),
    ("x + x + y", "2 x + y"),  # merged terms: sympy's order
    ("x - (y - 2)", "x - y + 2"),
])
def test_a_formula_is_shown_with_its_terms_in_the_written_order(text: str, typst: str) -> None:
    """sympy sorts a sum's terms: a lecturer's (x²−1)² + 0.5y² + 0.3x was shown as
    0.3x + 0.5y² + (x²−1)²."""
    assert dyn.surface(text).typst == typst


def _exponents(typst: str) -> list[str]:
    """The parenthesised exponents ``^(...)`` of a Typst formula."""
    out = []
    for start in [i for i in range(len(typst)) if typst.startswith("^(", i)]:
        depth, i = 0, start + 1
        while i < len(typst):
            depth += {"(": 1, ")": -1}.get(typst[i], 0)
            if depth == 0:
                out.append(typst[start + 2:i])
                break
            i += 1
    return out


def test_a_fraction_in_an_exponent_is_set_inline() -> None:
    """Stacked in an exponent, a fraction's digits are a third of the text's size: the wells
    formula's "/ 0.8" was unreadable in local_minima's header. Catalog formulas and the
    printer of user formulas set it inline, as ``\\/``."""
    import re

    from optiroll.dynamics.formula import parse_formula, to_typst

    stacked = re.compile(r"(?<!\\)/")
    for name in dyn.surface_names():
        typst = dyn.surface(name).typst
        assert not any(stacked.search(e) for e in _exponents(typst)), (name, typst)
    assert to_typst(parse_formula("2^(x/3)")) == "2^(x\\/3)"
    assert to_typst(parse_formula("2^(x^(y/3))")) == "2^(x^(y\\/3))"  # escaped once
    assert _exponents("e^(-(x^2 + y^2) \\/ 4)") == ["-(x^2 + y^2) \\/ 4"]
