"""The lecture library: five lessons after momentum, each a scene file with one Scene that
renders with no prompt, telling the articles' story with computed numbers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from conftest import installed_env
from manim import tempconfig
from optiroll.scenes.kit import Ball, ContourMap, Timeline, theme
from optiroll.scenes.kit.data_panel import DataPanel
from optiroll.scenes.lesson.prepare import left_map_at
from optiroll.scenes.library import LIBRARY

REPO = Path(__file__).resolve().parents[1]
LESSONS = ["learning_rate", "local_minima", "nesterov", "adaptive", "adam", "saddle",
           "stochastic", "sigmoid", "curvature", "why_momentum"]


def test_the_library_lists_the_lessons_in_teaching_order() -> None:
    assert list(LIBRARY) == ["learning_rate", "momentum", *LESSONS[1:]]


def test_local_minima_numbers_and_maps() -> None:
    """300 seeded starts per optimizer and a 400x400 basin map each: the shares on
    screen are the swarms' and the maps' own."""
    from optiroll.scenes.local_minima import LocalMinima

    (p,) = LocalMinima.prepare_parts()
    assert [len(sw.labels) for sw in p.swarms] == [300, 300]
    assert [b.labels.shape for b in p.basin_maps] == [(400, 400), (400, 400)]
    gd, heavy = (float(sw.shares[-1]) for sw in p.swarms)
    assert p.conclusions[0] == (f"gradient descent: {round(100 * gd)} % of 300 random starts "
                                "settle in the deepest well (loss −1.84)")
    assert heavy > gd  # momentum's overshoots carry more balls into the deepest well
    assert all(np.all(sw.labels >= 0) for sw in p.swarms)  # every ball settles in 200 steps
    maps = [b.labels for b in p.basin_maps]
    # gradient descent's basins are the wells' catchments: few label changes along a row;
    # momentum's borders intertwine
    changes = [int(np.sum(m[:, 1:] != m[:, :-1])) for m in maps]
    assert changes[1] > 3 * changes[0]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    """Every library lesson at a tiny size, two at a time, through `optiroll render`."""
    tmp = tmp_path_factory.mktemp("library")
    env = installed_env()
    r = subprocess.run([sys.executable, "-m", "optiroll.scenes.cli", "render", *LESSONS, "-r",
                        "160,90", "--fps", "4", "--jobs", "2", "-o", "."], cwd=tmp, env=env,
                       capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=1500)
    assert r.returncode == 0, r.stderr[-3000:]
    return tmp


@pytest.mark.parametrize("name", LESSONS)
def test_each_lesson_lasts_30_to_75_seconds(rendered: Path, name: str) -> None:
    with av.open(str(rendered / f"{name}_90p4.mp4")) as c:
        stream = c.streams.video[0]
        seconds = sum(1 for _ in c.decode(stream)) / float(stream.average_rate)
    assert 30 <= seconds <= 75, seconds


@pytest.mark.parametrize("name", LESSONS)
def test_one_scene_per_file_no_prompt(name: str) -> None:
    from optiroll.scenes.jobs import scene_classes

    (cls,) = scene_classes(REPO / "scenes" / f"{name}.py")
    assert cls.prepare_parts()  # every part validates and runs


# -- the numbers on screen ---------------------------------------------------------------------
def test_learning_rate_numbers() -> None:
    from optiroll.scenes.learning_rate import LearningRate

    steps, momentum = LearningRate.prepare_parts()
    assert steps.facts == ["Hessian eigenvalues 0.125 and 18",
                           "stable only for lr < 2/λmax = 0.111"]
    fourth = steps.runs[3]
    left = left_map_at(fourth.positions, steps.surface.view)
    assert left == 7 and f"off the map at step {left}" in steps.conclusions[3]
    assert steps.readouts[3][7] == "left the map at step 7"
    assert "never zig-zags" in steps.conclusions[0] and "×0.98" in steps.conclusions[2]
    beta9 = momentum.plots[0].series[2]
    assert beta9[1] == pytest.approx(1.0) and 9.5 < beta9[-1] < 10.0  # towards 1/(1-β) = 10
    assert [r[0] for r in momentum.plots[0].references] == pytest.approx([2.0, 10.0])


def test_the_fourth_ball_leaves_the_map_at_the_computed_step() -> None:
    """Pixel-level: the ball is drawn at step 6 and hidden from step 7 (it left the box)."""
    from optiroll.scenes.learning_rate import StepSizes

    p = StepSizes.prepare()
    run = p.runs[3]
    with tempconfig({"pixel_width": 320, "pixel_height": 180}):
        m = ContourMap(p.surface, 9.0, 4.3, n_levels=4, resolution=60)
        tl = Timeline(p.spec.steps)
        ball = Ball(m, run.positions, tl, theme.ORANGE)
        for k, shown in ((6, 1.0), (7, 0.0), (20, 0.0)):
            tl.set(k)
            ball.follow()
            assert ball.get_fill_opacity() == shown, k


def test_nesterov_numbers() -> None:
    from optiroll.scenes.nesterov import Nesterov

    look, coda = Nesterov.prepare_parts()
    # below 10^-3 for good (Nesterov dips under at step 26 and climbs back to 3.5x10^-3)
    assert look.conclusions[1] == ("loss below 10⁻³ for good: Nesterov from step 54, heavy "
                                   "ball from step 59 (1.1× later)")
    nesterov = look.runs[1]
    assert nesterov.loss[26] < 1e-3 < nesterov.loss[41] and (nesterov.loss[54:] < 1e-3).all()
    assert "heavy ball still swings 0.135" in look.conclusions[0]
    assert "= 0.2" in coda.facts[1] and "= 0.0769" in coda.facts[2]
    heavy, ahead = coda.runs
    assert not heavy.diverged and ahead.diverged  # lr 0.1, β 0.8
    kinds = sorted({a.kind for a in look.arrows})
    assert kinds == ["gradient", "lookahead"]


def test_adaptive_numbers_match_the_book() -> None:
    from optiroll.scenes.adaptive import Adaptive

    three, larger = Adaptive.prepare_parts()
    assert three.conclusions[0] == "AdaGrad ends at (−2.382563, −0.158591)"
    assert three.conclusions[1] == "RMSProp ends at (−0.010599, 0.000000)"
    assert larger.conclusions[1] == "AdaGrad, lr 2 ends at (−0.002295, 0.000000)"
    assert three.readouts[0][20] == "at (−2.382563, −0.158591)"  # six decimals in the legend
    step = three.runs[0].state["step_size"][1:]
    assert np.all(np.diff(step, axis=0) <= 0)  # AdaGrad's step only shrinks ...
    assert three.plots[1].caption.startswith("AdaGrad's step only shrinks")


def test_adam_numbers_bias_correction() -> None:
    """The correction's first step is lr per coordinate; without it (1 - b1)/sqrt(1 - b2)
    lr, and those first steps carry the ball out of the deepest well's basin."""
    from optiroll.scenes.adam import AdamBias

    first, end = AdamBias.prepare_parts()
    b1, b2 = 0.9, 0.999
    lr = first.spec.runs[0].built_optimizer.hyperparams["lr"]
    np.testing.assert_allclose(np.abs(first.runs[0].update[1]), lr, rtol=1e-6)
    np.testing.assert_allclose(np.abs(first.runs[1].update[1]),
                               lr * (1 - b1) / np.sqrt(1 - b2), rtol=1e-6)
    assert "1.00 lr with the correction, 3.16 lr without" in first.facts[0]
    g1 = first.runs[0].gradient[0, 0]
    m1 = first.runs[0].state["exp_avg"][1, 0]
    assert m1 == pytest.approx((1 - b1) * g1)
    m_hat = next(p for p in first.plots if p.spec.series == "m_hat.x").series[0]
    assert m_hat[1] == pytest.approx(g1)  # lifted to the gradient from the first step
    s = end.surface
    values = [float(s.value(np.array(m))) for m in s.minima]
    wells = [int(np.argmin(np.linalg.norm(np.asarray(s.minima) - r.final_position, axis=1)))
             for r in end.runs]
    assert wells == [int(np.argmin(values)), int(np.argmax(values))]
    assert "ends in the deepest well" in end.conclusions[0]
    assert "ends in the shallowest well" in end.conclusions[1]


def test_sigmoid_numbers_reproduce_the_article() -> None:
    """Article 003's observations, computed: line search leaves the plateau sooner than
    momentum and Nesterov while plain GD stays; AdaGrad's step in b shrinks far more than
    RMSProp's; one example a step makes the full loss go up, both examples never."""
    from optiroll.scenes.sigmoid import OFF_PLATEAU, Sigmoid, first_below, shrink

    plateau, adaptive, batches = Sigmoid.prepare_parts()
    gd, heavy, nag, search = (first_below(r, OFF_PLATEAU) for r in plateau.runs)
    assert gd is None and search < min(heavy, nag)
    assert plateau.conclusions[0] == (f"loss below {OFF_PLATEAU:g}: line search at step "
                                      f"{search}, Nesterov at step {nag}, momentum at step "
                                      f"{heavy}")
    assert plateau.data is not None and plateau.spec.show.surface3d  # the curves, the plateaus
    ada, rms, _ = (shrink(r) for r in adaptive.runs)
    assert ada > 10 * rms and "AdaGrad shrinks 440×" in adaptive.facts[0]
    assert adaptive.runs[1].final_loss < adaptive.runs[0].final_loss / 10
    ups = [int(np.sum(np.diff(r.loss) > 0)) for r in batches.runs]
    assert ups[0] >= 10 and ups[1] == 0
    assert batches.conclusions[1].startswith("mini-batch of 2: the full loss never went up in its")


def test_curvature_newton_one_step_and_the_race() -> None:
    """Newton lands on the ravine's minimum in one step; its model ellipse passes through
    the iterate, centred where the full step lands; on Rosenbrock damped Newton reaches
    1e-6 in a handful of steps, momentum in hundreds, GD not in 1,500."""
    from optiroll.scenes.curvature import TARGET, Curvature, first_below

    ravine, banana, race = Curvature.prepare_parts()
    np.testing.assert_allclose(ravine.runs[0].positions[1], 0.0, atol=1e-12)
    assert "condition number 144" in ravine.facts[0]
    for p in (ravine, banana):
        (m,) = p.models
        run, s = p.runs[0], p.surface
        for k in np.flatnonzero(m.valid)[:5]:
            x, c, (a1, a2) = run.positions[k], m.centres[k], m.axes[k]
            H = s.hessian(x)
            np.testing.assert_allclose(c, x - np.linalg.solve(H, s.gradient(x)), atol=1e-9)
            level = (x - c) @ H @ (x - c)
            for t in np.linspace(0, 6, 7):  # every point of the ellipse is on that level
                q = np.cos(t) * a1 + np.sin(t) * a2
                assert q @ H @ q == pytest.approx(level, rel=1e-9)
            assert abs(a1 @ a2) < 1e-9 * (1 + np.linalg.norm(a1) * np.linalg.norm(a2))
    gd, heavy, newton = (first_below(r, TARGET) for r in race.runs)
    assert gd is None and newton < 50 < heavy
    assert race.conclusions[2] == f"damped Newton: loss below 10⁻⁶ at step {newton}"


def test_saddle_numbers_and_the_stuck_ball_stays_on_one_row() -> None:
    from optiroll.scenes.saddle import Saddle

    p = Saddle.prepare()
    assert p.facts[0] == "Hessian at the saddle (0, 0): eigenvalues 2 and −2"
    stuck = p.runs[0]
    assert np.all(stuck.positions[:, 1] == 0) and "exactly 0" in p.conclusions[0]
    assert all("past |y| = 1 at step" in line for line in p.conclusions[1:])
    with tempconfig({"pixel_width": 320, "pixel_height": 180}):
        m = ContourMap(p.surface, 9.0, 4.9, n_levels=4, resolution=60)
        tl = Timeline(p.spec.steps)
        ball = Ball(m, stuck.positions, tl, theme.VERMILLION)
        rows = set()
        for k in (0, 5, 17, 33, 60):
            tl.set(k)
            ball.follow()
            rows.add(round(float(ball.get_center()[1]), 12))
        assert len(rows) == 1


def test_stochastic_numbers_and_the_panel_draws_the_current_line() -> None:
    from optiroll.scenes.stochastic import Stochastic

    batches, annealing = Stochastic.prepare_parts()
    assert "condition number λmax/λmin = 187" in batches.facts[0]
    assert "full batch 6,000" in batches.facts[1] and "SGD (1 example) 600" in batches.facts[1]
    reg = batches.surface
    ls = np.linalg.lstsq(np.stack([np.ones(10), reg.data.x], 1), reg.data.y, rcond=None)[0]
    np.testing.assert_allclose(reg.minima[0], ls)  # the star marks least squares
    jumps = [float(np.mean(np.linalg.norm(r.update[-50:], axis=1))) for r in annealing.runs]
    assert jumps[1] < jumps[0] / 5 and annealing.runs[1].final_loss < annealing.runs[0].final_loss
    d, run = batches.data, batches.runs[1]
    tl = Timeline(batches.spec.steps)
    tl.set(123)
    with tempconfig({"pixel_width": 320, "pixel_height": 180}):
        panel = DataPanel(d.points, d.x_model, d.models, batches.colors, tl, 4, 4,
                          x_range=d.x_range, y_range=d.y_range, x_label="x", y_label="y")
        theta = run.positions[123]
        want = panel.c2p(6.0, theta[0] + theta[1] * 6.0)
        points = panel.curves[1].points
        assert np.min(np.linalg.norm(points - want, axis=1)) < 0.35
        seg = points.reshape(-1, 4, 3)
        dist = min(np.linalg.norm(np.cross(b[3] - b[0], want - b[0])) / np.linalg.norm(
            b[3] - b[0]) for b in seg if b[0][0] <= want[0] <= b[3][0])
        assert dist < 1e-6  # the drawn line passes through θ0 + θ1·x at the current θ
