"""Static charts in lessons: the ``charts`` hook, the kit's FunctionPlot (clipped curves,
marks whose labels stay clear), the chart act's layout, and the why-momentum lesson's
chart of the rate against β."""

from __future__ import annotations

import numpy as np
import pytest
from manim import tempconfig
from optiroll import dynamics as dyn
from optiroll.dynamics import quadratic_rates as qr
from optiroll.scenes.kit.plots import FunctionPlot
from optiroll.scenes.lesson import LessonSpec, RunSpec, ShowSpec
from optiroll.scenes.lesson.loading import SpecError
from optiroll.scenes.lesson.prepare import ChartData, Curve, Mark, Part
from optiroll.scenes.lesson.scene import Lesson
from test_lesson_layout import assert_clean, snapshots


def small_spec(data: bool = False) -> LessonSpec:
    if data:
        return LessonSpec(title="Chart probe", surface="linear_regression", start=(0.0, 0.0),
                          steps=8, runs=[RunSpec(optimizer="sgd", lr=0.01, batch_size=2)],
                          show=ShowSpec(plots=["loss"]))
    return LessonSpec(title="Chart probe", surface="ravine", start=(-2.4, 0.1), steps=8,
                      runs=[RunSpec(optimizer="gd", lr=0.1),
                            RunSpec(optimizer="momentum", lr=0.1, beta=0.9)],
                      show=ShowSpec(plots=["loss"]))


def rate_chart(runs: int = 2) -> ChartData:
    beta = np.linspace(0, 0.999, 500)
    return ChartData("β", "rate", [Curve(beta, qr.rate([0.125, 18.0], 0.1, beta))],
                     marks=[Mark(0.9, float(qr.rate([0.125, 18.0], 0.1, 0.9)), run=runs - 1,
                                 label="a long label for the mark")])


def probe(n_charts: int, data: bool = False) -> type[Lesson]:
    class Probe(Lesson):
        spec = small_spec(data)

        @staticmethod
        def charts(spec, runs, labels):
            return [rate_chart(len(runs)) for _ in range(n_charts)]

    return Probe


def test_a_chart_gets_its_run_colours_and_its_act() -> None:
    from optiroll.scenes.lesson.acts import ChartAct, acts_for

    chart = rate_chart()
    chart.references = [(0.95, "a limit", 0)]
    lesson = probe(1)
    lesson.charts = staticmethod(lambda spec, runs, labels: [chart])
    p = lesson.prepare()
    assert p.charts[0].marks[0].color == p.colors[1]
    assert p.charts[0].curves[0].color is None  # the foreground
    assert p.charts[0].reference_colors == [(0.95, "a limit", p.colors[0])]
    assert chart.marks[0].color is None  # the hook's own chart is left as it was

    class Stub:
        prepared = p

    acts = acts_for(Stub())
    assert [a.name for a in acts] == p.act_names()
    assert type(acts[-1 - p.has_closing]) is ChartAct  # after the race, before the card


@pytest.mark.parametrize("charts,problem", [
    (lambda: [rate_chart()] * 3, "at most 2"),
    (lambda: [rate_chart(runs=5)], "names run 4, but the part has 2 runs"),
    (lambda: [ChartData("x", "y", [Curve(np.arange(3.0), np.full(3, np.nan))])],
     "no two neighbouring finite points"),
    (lambda: [ChartData("x", "y", [Curve(np.arange(3.0), np.array([1.0, np.nan, 2.0]))])],
     "no two neighbouring finite points"),
    (lambda: [ChartData("x", "y", [])], "has no curve"),
    (lambda: [ChartData("x", "y", [Curve([0.0, 1.0], [1.0, 2.0, 3.0])])],
     "1-D arrays of one length"),
    (lambda: [ChartData("x", "y", [Curve([1.0, 1.0], [1.0, 2.0])])], "give x_range"),
    (lambda: [ChartData("x", "y", [Curve([0.0, 1.0], [1.0, 2.0])],
                        marks=[Mark(0.5, float("nan"))])], "not a finite point"),
    (lambda: [ChartData("x", "y", [Curve([0.0, 1.0], [1.0, 2.0])], x_range=(0.0, 1.0),
                        marks=[Mark(1.5, 1.0)])], "outside x_range"),
    (lambda: [ChartData("x", "y", [Curve([0.0, 1.0], [1.0, 2.0])], y_range=(2.0, 1.0))],
     "not an interval"),
    (lambda: [ChartData("x", "y", [Curve([0.0, 1.0], [1.0, 2.0])],
                        references=[(float("nan"), "a limit", None)])],
     r"reference 0 \('a limit'\): y = nan is not a finite number"),
    (lambda: [ChartData("x", "y", [Curve([0.0, 1.0], [1.0, 2.0])],
                        references=[(float("inf"), "a limit", None)])],
     r"reference 0 \('a limit'\): y = inf is not a finite number"),
    (lambda: [ChartData("x", "y", [Curve([0.0, 1.0], [1.0, 2.0])], y_range=(0.0, 3.0),
                        references=[(5.0, "a limit", None)])],
     r"reference 0 \('a limit'\): y = 5 is outside y_range \(0.0, 3.0\); widen"),
    (lambda: [ChartData("x", "y", [Curve([0.0, 1.0], [1.0, 2.0])],
                        references=[(1.0, "a limit")])],
     r"reference 0: \(1.0, 'a limit'\) is not a \(value, label, run or None\)"),
    (lambda: [ChartData("x", "y", [Curve([0.0, 1.0], [1.0, 2.0])],
                        references=[(1.0, "a limit", "GD")])],
     r"names run 'GD', which is not a run index; give an int from 0 to 1, or None"),
    (lambda: [ChartData("x", "y", [Curve([0.0, 1.0], [1.0, 2.0])], x_range=(0.0,))],
     r"x_range \(0.0,\) is not an interval"),
    (lambda: [ChartData("x", "y", [Curve([0.0, 1.0], [1.0, 2.0])], y_range=(0.0, 1.0, 2.0))],
     r"y_range \(0.0, 1.0, 2.0\) is not an interval"),
    (lambda: [ChartData("x", "y", [Curve([0.0, 1.0], [1.0, 2.0])], y_range=("low", 1.0))],
     r"y_range \('low', 1.0\) is not an interval"),
    (lambda: [ChartData("x", "y", [Curve([0.0, 1.0], [1.0, 2.0])], x_range=(0.0, 1.0),
                        y_range=0.0)],
     r"y_range 0.0 is not an interval"),
    (lambda: [ChartData("x", "y", [Curve([0.0, 1.0], [1.0, 2.0])],
                        marks=[Mark(None, 1.0)])],
     r"mark 0: x = None is not a number; give the mark's x"),
    (lambda: [ChartData("x", "y", [Curve([0.0, 1.0], [1.0, 2.0])],
                        marks=[Mark(0.5, "high")])],
     r"mark 0: y = 'high' is not a number; give the mark's y"),
])
def test_charts_that_cannot_be_drawn_are_refused_by_name(charts, problem: str) -> None:
    class Bad(Part):
        spec = small_spec()

    Bad.charts = staticmethod(lambda spec, runs, labels: charts())
    with pytest.raises(SpecError, match=problem) as err:
        Bad.prepare()
    where = "Bad.charts: " if problem == "at most 2" else "Bad.charts: chart 0: "
    assert where in str(err.value)  # names the hook and the chart


def test_function_plot_clips_curves_at_the_frame_and_keeps_labels_clear() -> None:
    from optiroll.scenes.kit.plots import segments_hit_box

    x = np.linspace(0, 1, 400)
    y = 3 * (x - 0.4) ** 2 + 0.15  # leaves a window of height 0.5 at both ends
    plot = FunctionPlot([(x, y, "#FFFFFF", False), (x, 0.4 - 0.3 * x, "#888888", True),
                         (np.array([0.0, 1.0]), np.array([0.02, 0.12]), "#8888FF", False)],
                        8.0, 5.0, x_range=(0, 1), y_range=(0, 0.5),
                        marks=[(0.4, 0.15, "#FF0000", True, "the minimum\nof the curve"),
                               (0.42, 0.16, "#00FF00", False, "a dot nearby"),
                               (0.1, 0.37, "#00FF00", False, "a dot")],
                        references=[(0.45, "a limit", None)],
                        curve_labels=[(0.8, 0.1, "#8888FF", "a straight line")])
    lo, hi = plot._corners()
    for curve in plot.curves:
        pts = np.asarray(curve.points)
        assert len(pts) >= 4
        assert np.all(pts[:, 0] >= lo[0] - 1e-9) and np.all(pts[:, 0] <= hi[0] + 1e-9)
        assert np.all(pts[:, 1] >= lo[1] - 1e-9) and np.all(pts[:, 1] <= hi[1] + 1e-9)
    # the clipped curve ends at the top edge, exactly where y = 0.5 on either side
    pts = np.asarray(plot.curves[0].points)
    at_top = pts[np.abs(pts[:, 1] - hi[1]) < 1e-9, 0]
    for x_edge in (0.4 - np.sqrt(0.35 / 3), 0.4 + np.sqrt(0.35 / 3)):
        assert np.min(np.abs(at_top - plot.c2p(x_edge, 0.5)[0])) < 1e-4  # polyline
    # segments: the curves' straight pieces and the reference line, as drawn
    paths = [np.asarray(m.points)[:, :2] for m in [*plot.curves, plot.references[0][0]]]
    a = np.vstack([p[0::4] for p in paths])
    b = np.vstack([p[3::4] for p in paths])
    labels = [m[-1] for m in plot.marks[:3] if len(m) > 1] + [plot.marks[3]]
    assert len(labels) == 4
    boxes = [(t.get_left()[0], t.get_right()[0], t.get_bottom()[1], t.get_top()[1])
             for t in labels]
    for text, box in zip(labels, boxes, strict=True):
        assert lo[0] <= box[0] and box[1] <= hi[0] and lo[1] <= box[2] and box[3] <= hi[1]
        assert not segments_hit_box(a, b, box).any(), text.text
    shapes = [m[0] for m in plot.marks[:3]] + [plot.references[0][1]]
    for i, (text, box) in enumerate(zip(labels, boxes, strict=True)):
        others = [o for j, o in enumerate(boxes) if j != i] + [
            (s.get_left()[0], s.get_right()[0], s.get_bottom()[1], s.get_top()[1])
            for s in shapes]
        for o in others:
            assert not (box[0] < o[1] and o[0] < box[1] and box[2] < o[3] and o[2] < box[3]) \
                or o == boxes[i], text.text


def test_segments_hit_box_sees_a_sparse_diagonal() -> None:
    from optiroll.scenes.kit.plots import segments_hit_box

    a, b = np.array([[0.0, 0.0], [0.0, 2.0]]), np.array([[2.0, 2.0], [2.0, 3.0]])
    assert segments_hit_box(a, b, (0.9, 1.1, 0.9, 1.1)).tolist() == [True, False]


@pytest.mark.parametrize("data", [False, True])
def test_the_chart_stage_keeps_panels_apart(data: bool) -> None:
    snaps, frame = snapshots(probe(2, data=data))
    assert "chart" in snaps and {"chart0", "chart1"} <= set(snaps["chart"])
    if data:
        assert "data" in snaps["chart"]
    assert_clean(snaps, frame)


def test_why_momentum_numbers() -> None:
    """Every number the lesson shows comes from dynamics; the tuned ball wins the race."""
    from optiroll.scenes.why_momentum import WhyMomentum

    parts = WhyMomentum.prepare_parts()
    first, second, third = parts
    # part 1: the error along each eigenvector, its factors per step in the captions
    assert first.facts[0] == "Hessian eigenvalues 0.125 (along x) and 18 (along y)"
    assert [p.caption for p in first.plots] == [
        "λ = 0.125, in the long run: GD ×0.988, momentum ×0.949 a step",
        "λ = 18, in the long run: GD ×0.800, momentum ×0.949 a step"]
    gd_x = first.plots[0].series[0]
    np.testing.assert_allclose(gd_x[1:] / gd_x[:-1], 1 - 0.1 * 0.125)
    # part 2: the best β at lr 0.1, raced, and starred on the chart at the curve's minimum
    (chart,) = second.charts
    solid = next(c for c in chart.curves if not c.dashed)
    star = next(m for m in chart.marks if m.star)
    best = (1 - np.sqrt(0.1 * 0.125)) ** 2  # the slow part critically damped
    assert star.x == pytest.approx(best, abs=1e-9)
    assert star.y == pytest.approx(np.sqrt(best), abs=1e-9)
    assert star.y <= solid.y.min() + 1e-12
    assert star.label == "best β 0.789:\n×0.888 a step"
    assert second.labels == ["β 0 (GD)", "β 0.5", "β 0.789 (best)", "β 0.95"]
    winner = second.runs[2]
    assert all(winner.final_loss < r.final_loss for r in second.runs if r is not winner)
    # part 3: α*, β* from κ; the tuned ball settles below 1e-6 first
    assert third.facts == ["κ = λmax / λmin = 144", "α* = (2 / (√λmin + √λmax))² = 0.189",
                           "β* = ((√κ − 1) / (√κ + 1))² = 0.716",
                           "rate (√κ − 1) / (√κ + 1) = 0.846",
                           "GD's best: (κ − 1) / (κ + 1) = 0.986"]
    assert third.labels == ["GD, best lr 0.110\nrate 0.986 a step",
                            "momentum lr 0.1, β 0.9\nrate 0.949 a step",
                            "α* 0.189, β* 0.716\nrate 0.846 a step"]
    assert third.conclusions == ["GD, best lr 0.110: loss 0.0122 after 130 steps",
                                 "momentum lr 0.1, β 0.9: loss below 10⁻⁶ from step 125 on",
                                 "α* 0.189, β* 0.716: loss below 10⁻⁶ from step 63 on"]
    loss = third.runs[1].loss  # momentum dips below 1e-6 at 108 and comes back: not "108"
    assert loss[108] < 1e-6 and loss[120] > 1e-6 and np.all(loss[125:] < 1e-6)
    # the tuned run's swing across the valley grows to 4.4 times its start ...
    y = third.runs[2].positions[:, 1]
    assert np.max(np.abs(y)) / abs(y[0]) == pytest.approx(4.44, abs=0.01)
    s = dyn.surface("ravine")
    (x0, x1), (y0, y1) = s.view
    assert 0.2 * 4.44 > y1  # ... so from the flagship's start (y 0.2) it would leave the map
    for p in parts:  # every ball stays on the map
        for r in p.runs:
            assert np.all((r.positions[:, 1] >= y0) & (r.positions[:, 1] <= y1))
            assert np.all((r.positions[:, 0] >= x0) & (r.positions[:, 0] <= x1))


def test_a_chart_renders_its_curve_and_star(tmp_path) -> None:
    """Pixels of the rendered clip, during the chart's hold: the best run's colour at the
    star (the best β on the curve) and the curve's white where the curve is."""
    import av
    from manim import config
    from optiroll.scenes.lesson.acts.chart import build_chart
    from optiroll.scenes.why_momentum import RateAgainstBeta

    class ChartOnly(Lesson):
        parts = (RateAgainstBeta,)

    with tempconfig({"pixel_width": 640, "pixel_height": 360, "frame_rate": 5,
                     "media_dir": str(tmp_path), "disable_caching": True,
                     "verbosity": "ERROR", "progress_bar": "none"}):
        scene = ChartOnly()
        scene.render()
        video = scene.renderer.file_writer.movie_file_path
        fw, fh = config.frame_width, config.frame_height
    p = scene.chapters[0].prepared
    chart = build_chart(p.charts[0], scene.stage.layout["chart"]["plot0"])
    with av.open(str(video)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    image = frames[round((scene.marks["chart"] + 1.0) * 5)]

    def pixel(point: np.ndarray) -> np.ndarray:
        col = int((point[0] + fw / 2) / fw * 640)
        row = int((fh / 2 - point[1]) / fh * 360)
        return image[row - 1:row + 2, col - 1:col + 2].reshape(-1, 3).astype(int)

    star = next(m for m in p.charts[0].marks if m.star)
    best = int(star.color.lstrip("#"), 16)
    want = np.array([best >> 16, (best >> 8) & 255, best & 255])
    centre = chart.plot.c2p(star.x, star.y)
    assert np.min(np.abs(pixel(centre) - want).sum(axis=1)) < 60
    solid = next(c for c in p.charts[0].curves if not c.dashed)
    on_curve = chart.plot.c2p(0.3, float(np.interp(0.3, solid.x, solid.y)))
    assert pixel(on_curve).min(axis=1).max() > 180  # white: every channel bright
