"""Chunked rollouts (optiroll.dynamics.distributed) equal one rollout bit for bit, here,
in a process pool and on a Dask LocalCluster of two worker processes."""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from optiroll import dynamics as dyn
from optiroll.dynamics import distributed
from optiroll.dynamics.basins import DIVERGED, UNSETTLED, Basins, basin_map
from optiroll.dynamics.distributed import Grid, final_positions


def _same(a: dyn.Rollout, b: dyn.Rollout) -> None:
    for name in ("positions", "loss", "gradient", "update", "diverged_at"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), name
        if x is not None:
            assert x.shape == y.shape and x.dtype == y.dtype, name
            assert np.array_equal(x, y, equal_nan=True), name
    assert sorted(a.state) == sorted(b.state)
    for k in a.state:
        assert np.array_equal(a.state[k], b.state[k], equal_nan=True), k
    assert a.metadata == b.metadata


def _starts(n: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-3.4, 3.4, size=(n, 2))


@pytest.mark.parametrize("name", dyn.optimizer_names())
def test_every_optimizer_chunked_equals_whole(name: str) -> None:
    s = dyn.surface("wells")
    opt = dyn.optimizer(name)
    starts = _starts(101)
    _same(distributed.rollout(s, opt, starts, 30, chunk=17), dyn.rollout(s, opt, starts, 30))


def test_diverging_balls_and_uneven_chunks() -> None:
    s = dyn.surface("x**4 + y**4", view=((-4, 4), (-4, 4)))
    opt = dyn.optimizer("sgd", lr=0.05)  # x - 0.2 x^3 flies off from |x| > sqrt(10)
    starts = _starts(64)
    whole = dyn.rollout(s, opt, starts, 40)
    assert whole.diverged.any() and not whole.diverged.all()
    for chunk in (1, 7, 63, 64, 1000):
        _same(distributed.rollout(s, opt, starts, 40, chunk=chunk), whole)


def test_shared_noise_and_minibatches_stay_in_step() -> None:
    """A step's sample is shared by every ball: chunks draw the same seeded stream."""
    s = dyn.surface("wells")
    opt = dyn.optimizer("sgd", lr=0.05)
    starts = _starts(30)
    _same(distributed.rollout(s, opt, starts, 25, chunk=8, noise=0.3, seed=4),
          dyn.rollout(s, opt, starts, 25, noise=0.3, seed=4))
    data = dyn.surface("linear_regression", n=12, seed=2)
    starts = np.random.default_rng(3).uniform(0, 4, size=(20, 2))
    _same(distributed.rollout(data, opt, starts, 25, chunk=6, batch_size=3, seed=9),
          dyn.rollout(data, opt, starts, 25, batch_size=3, seed=9))


def test_reduce_and_grid() -> None:
    s = dyn.surface("himmelblau")
    opt = dyn.optimizer("adam", lr=0.1)
    grid = Grid(((-5.0, 5.0), (-5.0, 5.0)), 9, 7)
    pts = grid.starts()
    assert pts.shape == (63, 2)
    assert np.allclose(pts[0], (-5 + 10 / 18, 5 - 10 / 14))  # top-left pixel's centre
    assert np.allclose(pts[8], (5 - 10 / 18, 5 - 10 / 14))  # end of the first row
    assert np.array_equal(grid.starts(10, 20), pts[10:20])
    finals = distributed.rollout(s, opt, grid, 60, chunk=10, reduce=final_positions)
    assert np.array_equal(finals, dyn.rollout(s, opt, pts, 60).final_position)


def test_basins_label_minima_unsettled_and_diverged() -> None:
    s = dyn.surface("wells")
    labels = Basins(s.minima, 0.2)(dyn.rollout(s, dyn.optimizer("sgd", lr=0.1),
                                               np.array(s.minima), 5))
    assert labels.tolist() == [0, 1, 2]
    far = dyn.rollout(s, dyn.optimizer("sgd", lr=1e-4), np.array([[3.0, -3.0]]), 3)
    assert Basins(s.minima, 0.2)(far).tolist() == [UNSETTLED]
    boom = dyn.rollout(dyn.surface("ravine"), dyn.optimizer("sgd", lr=5.0),
                       np.array([[2.0, 1.0]]), 50)
    assert boom.diverged.all()
    assert Basins(((0.0, 0.0),), 0.2)(boom).tolist() == [DIVERGED]


def test_basin_map_matches_labelling_each_start() -> None:
    s = dyn.surface("wells")
    opt = dyn.optimizer("momentum", lr=0.05, beta=0.9)
    labels = basin_map(s, opt, 12, 8, 200, chunk=25)
    run = dyn.rollout(s, opt, Grid(s.view, 12, 8).starts(), 200)
    expected = Basins(s.minima, 0.25 * float(np.min(
        [np.linalg.norm(np.subtract(a, b)) for i, a in enumerate(s.minima)
         for b in s.minima[i + 1:]])))(run)
    assert np.array_equal(labels, expected.reshape(8, 12))
    assert set(np.unique(labels)) <= {0, 1, 2, UNSETTLED, DIVERGED}
    assert len(set(np.unique(labels)) & {0, 1, 2}) == 3  # every well has a basin


def test_one_start_and_a_grid_keep_rollouts_shapes_and_metadata(tmp_path) -> None:
    s, opt = dyn.surface("wells"), dyn.optimizer("adam", lr=0.1)
    _same(distributed.rollout(s, opt, (1.0, -2.0), 20, chunk=3),
          dyn.rollout(s, opt, (1.0, -2.0), 20))
    grid = Grid(s.view, 6, 4)
    run = distributed.rollout(s, opt, grid, 20, chunk=5)
    _same(run, dyn.rollout(s, opt, grid.starts(), 20))
    again = dyn.Rollout.load(run.save(tmp_path / "grid.npz")).redo()
    assert np.array_equal(again.positions, run.positions)


def test_a_failed_chunk_cancels_the_rest() -> None:
    class Pool:
        def __init__(self) -> None:
            self.cancelled = 0

        def submit(self, fn, *args):
            pool = self

            class Future:
                def __init__(self, i: int) -> None:
                    self.i = i

                def result(self):
                    if self.i == 1:
                        raise RuntimeError("worker lost")
                    return fn(*args)

                def cancel(self) -> None:
                    pool.cancelled += 1

            self.n = getattr(self, "n", -1) + 1
            return Future(self.n)

    pool = Pool()
    with pytest.raises(RuntimeError, match="worker lost"):
        distributed.rollout(dyn.surface("wells"), dyn.optimizer("sgd"), _starts(10), 5,
                            chunk=2, client=pool)
    assert pool.cancelled == 5


def test_bad_arguments_say_what_to_do() -> None:
    s, opt = dyn.surface("wells"), dyn.optimizer("sgd")
    with pytest.raises(dyn.OptirollError, match="chunk"):
        distributed.rollout(s, opt, _starts(4), 5, chunk=0)
    with pytest.raises(dyn.OptirollError, match="reduce="):
        distributed.rollout(s, opt, Grid(s.view, 1000, 1000), 300)
    with pytest.raises(dyn.OptirollError, match="no minima"):
        basin_map(dyn.surface("0.1*x**2 + y**2 - x*y*0"), opt, 4, 4, 5)


def test_surfaces_pickle_by_spec() -> None:
    """Compiled formulas do not pickle; a surface travels as its spec and is rebuilt."""
    p = _starts(9)
    for s in (dyn.surface("wells"), dyn.surface("0.3*x**2 + sin(y)"),
              dyn.surface("rosenbrock", view=((-2, 2), (-1, 3))),
              dyn.surface("linear_regression", n=7, seed=3)):
        t = pickle.loads(pickle.dumps(s))
        assert (t.name, t.view, t.minima, t.spec) == (s.name, s.view, s.minima, s.spec)
        assert np.array_equal(t.gradient(p), s.gradient(p))


def test_process_pool_equals_whole() -> None:
    s = dyn.surface("wells")
    opt = dyn.optimizer("rmsprop", lr=0.02)
    starts = _starts(200)
    with ProcessPoolExecutor(2) as pool:
        _same(distributed.rollout(s, opt, starts, 30, chunk=60, client=pool),
              dyn.rollout(s, opt, starts, 30))


def test_dask_local_cluster_equals_whole(dask_client) -> None:
    s = dyn.surface("0.05*(x**2 + y**2) - exp(-(x - 1)**2 - y**2)")
    opt = dyn.optimizer("nesterov", lr=0.1, beta=0.8)
    starts = _starts(300)
    _same(distributed.rollout(s, opt, starts, 30, chunk=70, client=dask_client),
          dyn.rollout(s, opt, starts, 30))
    labels = basin_map(dyn.surface("wells"), opt, 20, 15, 100, client=dask_client, chunk=50)
    assert np.array_equal(labels, basin_map(dyn.surface("wells"), opt, 20, 15, 100))
