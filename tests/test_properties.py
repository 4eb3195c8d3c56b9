"""Property tests (hypothesis): shapes, finiteness, batches equal their singles."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from optiroll import dynamics as dyn

SURFACES = ["ravine", "rosenbrock", "himmelblau", "bowl", "saddle", "beale", "wells",
            "linear_regression", "sigmoid_regression"]
OPTIMIZERS = {
    "gd": {"lr": 0.01}, "momentum": {"lr": 0.01, "beta": 0.9}, "nesterov": {"lr": 0.01},
    "sgd": {"lr": 0.01, "momentum": 0.9, "nesterov": True}, "adagrad": {"lr": 0.1},
    "rmsprop": {"lr": 0.01, "centered": True}, "adadelta": {}, "adam": {"lr": 0.05},
    "adamw": {"lr": 0.05}, "nadam": {"lr": 0.05}, "radam": {"lr": 0.05}, "adamax": {"lr": 0.05},
    "newton": {"damping": 1.0}, "line_search": {},
}

surface_names = st.sampled_from(SURFACES)
optimizer_names = st.sampled_from(sorted(OPTIMIZERS))


def starts_in(s: dyn.Surface, draw, n: int) -> np.ndarray:
    (x0, x1), (y0, y1) = s.view
    xs = draw(st.lists(st.floats(x0, x1), min_size=n, max_size=n))
    ys = draw(st.lists(st.floats(y0, y1), min_size=n, max_size=n))
    return np.stack([xs, ys], -1)


@settings(max_examples=40, deadline=None)
@given(st.data(), surface_names, optimizer_names, st.integers(1, 30), st.integers(1, 4))
def test_shapes_and_finiteness(data, sname, oname, steps, n) -> None:
    s = dyn.surface(sname)
    starts = starts_in(s, data.draw, n)
    run = dyn.rollout(s, dyn.optimizer(oname, **OPTIMIZERS[oname]), starts, steps)
    assert run.positions.shape == (n, steps + 1, 2)
    assert run.loss.shape == (n, steps + 1)
    for i in range(n):
        k = run.diverged_at[i]
        live = slice(None) if k < 0 else slice(0, k)
        assert np.all(np.isfinite(run.positions[i, live]))
        assert np.all(np.isfinite(run.loss[i, live]))
        for v in run.state.values():
            assert np.all(np.isfinite(v[i, live]))


@settings(max_examples=30, deadline=None)
@given(st.data(), surface_names, optimizer_names, st.integers(1, 20))
def test_a_batch_equals_the_loop_of_its_singles(data, sname, oname, steps) -> None:
    s = dyn.surface(sname)
    opt = dyn.optimizer(oname, **OPTIMIZERS[oname])
    starts = starts_in(s, data.draw, 3)
    stochastic = {"batch_size": 1} if s.has_data else {"noise": 0.1}
    batch = dyn.rollout(s, opt, starts, steps, seed=5, **stochastic)
    for i, p in enumerate(starts):
        single = dyn.rollout(s, opt, p, steps, seed=5, **stochastic)
        np.testing.assert_allclose(batch.positions[i], single.positions, rtol=1e-12, atol=1e-12)
        assert batch.diverged_at[i] == single.diverged_at
