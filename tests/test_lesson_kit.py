"""New kit pieces behind the Lesson layer: the side panel's flow, the data panel, dashed
curves, the fitted 3-D camera path and the look-ahead arrow."""

from __future__ import annotations

import numpy as np
import pytest
from manim import config, tempconfig
from optiroll import dynamics as dyn
from optiroll.scenes.kit import theme
from optiroll.scenes.kit.contour import ContourMap
from optiroll.scenes.kit.data_panel import DataPanel
from optiroll.scenes.kit.panel import SidePanel, wrap
from optiroll.scenes.kit.plots import IterationPlot, dash_ends
from optiroll.scenes.kit.surface3d import Ball3D, CameraPath, SurfaceRenderer
from optiroll.scenes.kit.timeline import Timeline
from optiroll.scenes.lesson import validate
from optiroll.scenes.lesson.prepare import prepare
from optiroll.scenes.text import loss_string

W, H = 320, 180


@pytest.fixture(scope="module")
def runs() -> list[dyn.Rollout]:
    s = dyn.surface("ravine")
    return [dyn.rollout(s, dyn.optimizer("momentum", lr=0.1, beta=b), (-2.4, 0.2), 30)
            for b in (0.0, 0.8, 0.9)]


def panel(runs, labels=None) -> SidePanel:
    labels = labels or ["β = 0", "β = 0.8", "β = 0.9"]
    readouts = [[loss_string(r.loss, int(r.diverged_at), k) for k in range(31)] for r in runs]
    return SidePanel(labels, [theme.VERMILLION, theme.SKY_BLUE, theme.BLUISH_GREEN],
                     readouts, Timeline(30), settings="lr 0.1", facts=["a computed fact"])


def bounds(mobs) -> tuple[float, float, float, float]:
    return (min(m.get_left()[0] for m in mobs), max(m.get_right()[0] for m in mobs),
            min(m.get_bottom()[1] for m in mobs), max(m.get_top()[1] for m in mobs))


@pytest.mark.parametrize("box", [(0.0, 4.0, 3.0, -3.0), (0.0, 9.0, 1.5, -0.2),
                                 (-1.0, 1.5, 3.0, 1.0)])
def test_side_panel_flows_into_any_box(runs, box) -> None:
    p = panel(runs, ["a long label that will need to wrap somewhere", "b", "c"])
    flow = p.flow_to(*box)
    p.place(flow)
    left, right, top, bottom = box
    x0, x1, y0, y1 = bounds(p.visible_parts())
    assert x0 >= left - 1e-6 and x1 <= right + 1e-6 and y0 >= bottom - 1e-6 and y1 <= top + 1e-6
    assert 0 < flow.scale <= 1
    if box == (0.0, 9.0, 1.5, -0.2):  # wide and short: the rows go side by side
        assert flow.columns > 1


def test_compact_flow_hides_readouts_and_settings(runs) -> None:
    p = panel(runs)
    p.place(p.flow_to(0, 6, 3, -3, compact=True))
    assert all(row.value.get_fill_opacity() == 0 for row in p.rows)
    assert p.settings.get_fill_opacity() == 0 and p.counter.get_fill_opacity() == 1
    p.place(p.flow_to(0, 6, 3, -3))
    assert all(row.value.get_fill_opacity() == 1 for row in p.rows)


def test_panel_reserves_room_for_its_widest_readout(runs) -> None:
    p = panel(runs)
    for row in p.rows:
        assert row.natural_width >= row.width - 1e-9
    tl = p.counter  # "iteration 30 / 30" is wider than "iteration 0 / 30"
    assert tl.natural_width > tl.width


def test_wrap_keeps_parentheses_whole() -> None:
    assert wrap("Momentum, from (1.5, 0.01)", 20) == "Momentum, from\n(1.5, 0.01)"
    assert max(len(x) for x in wrap("one two three four five six", 9).split("\n")) <= 9


def test_wrap_balances_its_lines() -> None:
    """As few lines as the width allows, as even as they can be: no lone word on a last
    line; ``balanced=False`` fills each line (a left-aligned card)."""
    text = "heavy ball: the gradient where the ball is"
    assert wrap(text, 40, balanced=False) == "heavy ball: the gradient where the ball\nis"
    assert wrap(text, 40) == "heavy ball: the gradient\nwhere the ball is"
    for width in range(8, 45):
        greedy, even = wrap(text, width, balanced=False), wrap(text, width)
        assert greedy.count("\n") == even.count("\n")  # no more lines
        assert max(map(len, even.split("\n"))) <= max(map(len, greedy.split("\n")))
        assert " ".join(even.split("\n")) == text


def test_wrap_keeps_the_labels_own_line_breaks() -> None:
    label = "GD, best lr 0.110\nrate 0.986 a step"
    assert wrap(label, 22) == label
    assert wrap("a b\nsome longer words here", 10) == "a b\nsome\nlonger\nwords here"


def test_dashes_follow_the_polyline() -> None:
    pts = np.array([[0.0, 0, 0], [1.0, 0, 0], [1.0, 1.0, 0]])
    segs = list(zip(*dash_ends(pts, 0.1, 0.1), strict=True))
    assert len(segs) == 10
    np.testing.assert_allclose(segs[0][0], [0, 0, 0])
    np.testing.assert_allclose(segs[5][0], [1.0, 0.0, 0])  # the corner starts a dash
    for a, b in segs:
        assert np.linalg.norm(b - a) <= 0.1 + 1e-12


def test_data_panel_draws_each_runs_current_line() -> None:
    s = validate({"title": "t", "surface": "linear_regression", "steps": 10, "start": [0, 0],
                  "runs": [{"optimizer": "sgd", "lr": 0.01}]})
    p = prepare(s)
    d = p.data
    tl = Timeline(10)
    tl.set(6.5)
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        view = DataPanel(d.points, d.x_model, d.models, p.colors, tl, 5, 3,
                         x_range=d.x_range, y_range=d.y_range, x_label=d.x_label,
                         y_label=d.y_label)
        theta = p.runs[0].positions[6] * 0.5 + p.runs[0].positions[7] * 0.5
        drawn = view.curves[0].points
        for x in (2.0, 5.0, 9.0):  # the drawn line passes through theta0 + theta1 x
            want = view.c2p(x, theta[0] + theta[1] * x)
            dist = np.min(np.linalg.norm(drawn - want, axis=1))
            seg = view.curves[0].points.reshape(-1, 4, 3)
            on = [np.linalg.norm(np.cross(b[3] - b[0], want - b[0])) / np.linalg.norm(
                b[3] - b[0]) for b in seg if b[0][0] <= want[0] <= b[3][0]]
            assert dist < 0.5 and min(on) < 1e-6
        assert len(view.dots) == 10


def test_camera_path_keeps_the_surface_in_its_panel() -> None:
    """Rendered 3-D layers stay inside the panel all along a flight (a pixel test)."""
    s = dyn.surface("himmelblau")
    run = dyn.rollout(s, dyn.optimizer("adam", lr=0.2), (-0.5, -4.0), 30)
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        m = ContourMap(s, 6.0, 6.0, n_levels=6, resolution=60)
        r3d = SurfaceRenderer(m, mesh=24, height=2.0)
        region = (-6.5, 1.0, -3.5, 2.0)
        path = CameraPath(r3d, [(-110, 40, 1.0), (-160, 30, 1.0)], region,
                          targets=np.array([[1.0, -1.0, 0.5], [-1.0, 1.0, 0.0]]))
        fw, fh = config.frame_width, config.frame_height
        for u in (0.0, 0.3, 0.7, 1.0):
            img = r3d.render(W, H, path.at(u), 1.0, [Ball3D(run.positions, theme.YELLOW)],
                             30.0 * u)
            rows, cols = np.nonzero(img[..., 3] > 0)
            x0 = cols.min() / W * fw - fw / 2
            x1 = (cols.max() + 1) / W * fw - fw / 2
            y1 = fh / 2 - rows.min() / H * fh
            y0 = fh / 2 - (rows.max() + 1) / H * fh
            px = fw / W  # one pixel of antialiasing
            assert x0 >= region[0] - px and x1 <= region[1] + px, u
            assert y0 >= region[2] - px and y1 <= region[3] + px, u
            # and it is not timid: the surface fills the panel's width or height
            assert max((x1 - x0) / (region[1] - region[0]),
                       (y1 - y0) / (region[3] - region[2])) > 0.85, u


def test_camera_settles_into_a_smaller_panel_without_turning() -> None:
    """At a 3-D lesson's closing the view makes room for the card: from the flight's
    last pose (``settle(0)``) to the same pose fitted to the smaller panel
    (``settle(1)``), only the zoom and the screen position change."""
    s = dyn.surface("himmelblau")
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        m = ContourMap(s, 6.0, 6.0, n_levels=6, resolution=60)
        r3d = SurfaceRenderer(m, mesh=24, height=2.0)
        ride, above_card = (-6.5, 1.0, -3.5, 2.0), (-6.5, 1.0, -1.5, 2.0)
        path = CameraPath(r3d, [(-110, 40, 1.0), (-160, 30, 1.0)], ride)
        assert path.settle(0.0, above_card) == path.at(1.0)
        end, settled = path.at(1.0), path.settle(1.0, above_card)
        assert (settled.azimuth, settled.elevation, settled.target) == (
            end.azimuth, end.elevation, end.target)
        assert settled.zoom < end.zoom
        x0, x1, y0, y1 = r3d.extent(settled, 1.0)
        left, right, bottom, top = above_card
        assert left - 1e-9 <= x0 < x1 <= right + 1e-9 and bottom - 1e-9 <= y0 < y1 <= top + 1e-9
        assert max((x1 - x0) / (right - left), (y1 - y0) / (top - bottom)) > 0.9  # filled
        half = path.settle(0.5, above_card)
        assert half.zoom == pytest.approx((end.zoom + settled.zoom) / 2)


def test_lookahead_arrow_starts_at_the_lookahead_point() -> None:
    s = validate({"title": "t", "surface": "ravine", "steps": 6, "start": [-2.4, 0.2],
                  "runs": [{"optimizer": "nesterov", "lr": 0.07, "beta": 0.9}],
                  "show": {"arrows": ["lookahead"]}})
    p = prepare(s)
    a, run = p.arrows[0], p.runs[0]
    for k in range(5):
        ahead = run.positions[k] - 0.07 * 0.9 * run.state["velocity"][k]
        np.testing.assert_allclose(a.positions[k], ahead, atol=1e-12)
        g = dyn.surface("ravine").gradient(ahead)
        np.testing.assert_allclose(a.vectors[k], -0.07 * g, atol=1e-12)
    # its ring stands at the arrow's start when it is made (a fade-in pauses updaters:
    # it had faded in at the frame's centre)
    from optiroll.scenes.kit.timeline import Timeline
    from optiroll.scenes.lesson.acts.race import make_arrow

    with tempconfig({"pixel_width": W, "pixel_height": H}):
        m = ContourMap(dyn.surface("ravine"), 9.0, 4.3, n_levels=4, resolution=40)
        m.shift([2.0, -1.0, 0])  # placed somewhere off the centre before the arrows are made
        arrow, ring = make_arrow(m, a, theme.YELLOW, Timeline(6))
        assert np.allclose(ring.get_center(), arrow.get_start(), atol=1e-9)
        assert np.allclose(arrow.get_start(), m.c2p(*a.positions[0]), atol=1e-9)


def test_a_polyline_in_one_array_is_the_path_built_call_by_call() -> None:
    """``PlotFrame.polyline_points`` (trails, data-panel curves) gives the points that
    ``start_new_path``/``add_line_to`` give segment by segment: clipped at the frame,
    a new path where the line comes back in, joined where a segment starts at the last
    one's end."""
    from manim import VMobject
    from optiroll.scenes.kit.frame import PlotFrame

    with tempconfig({"pixel_width": W, "pixel_height": H}):
        frame = PlotFrame((0, 10), (0, 5), 4.0, 2.0)
        x = np.linspace(-1, 11, 40)
        pts = np.stack([x, 2.5 + 4 * np.sin(x)], -1)  # leaves and re-enters at top and bottom
        built = VMobject()
        for a, b in zip(pts[:-1], pts[1:], strict=True):
            seg = frame.clip_segment(a, b)
            if seg is None:
                continue
            p = frame.c2p_array(seg)
            if built.has_no_points() or not np.allclose(built.points[-1], p[0]):
                built.start_new_path(p[0])
            built.add_line_to(p[1])
        got = frame.polyline_points(pts)
        assert got is not None and got.shape == built.points.shape
        np.testing.assert_array_equal(got, built.points)
        assert len(built.get_subpaths()) > 2  # the case tested: several paths
        assert frame.polyline_points(np.array([[-5.0, -5.0], [-4.0, -6.0]])) is None


def test_the_prediction_panel_draws_a_cross_on_each_point_inside() -> None:
    """For several features the data panel draws each point at (target, prediction) as a
    cross of two strokes centred on it; points outside the window are left out."""
    targets = np.array([1.0, 2.0, 3.0, 9.0])
    preds = np.array([[1.5, 2.0, 2.5, 2.0], [1.0, 2.0, 3.0, 2.0]])  # 9.0 lies outside
    tl = Timeline(1)
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        view = DataPanel(np.stack([targets, targets], -1), None, [preds], [theme.SKY_BLUE],
                         tl, 4, 3, x_range=(0, 4), y_range=(0, 4), x_label="target",
                         y_label="prediction")
        seg = view.curves[0].points.reshape(-1, 4, 3)
        assert len(seg) == 2 * 3
        centres = (seg[:, 0] + seg[:, 3]) / 2
        want = view.c2p_array(np.stack([targets[:3], preds[0, :3]], -1))
        np.testing.assert_allclose(centres[0::2], want, atol=1e-12)
        np.testing.assert_allclose(centres[1::2], want, atol=1e-12)
        d1, d2 = seg[0::2, 3] - seg[0::2, 0], seg[1::2, 3] - seg[1::2, 0]
        assert np.all(d1[:, 0] > 0) and np.all(d1[:, 1] > 0)  # one stroke rises
        assert np.all(d2[:, 0] > 0) and np.all(d2[:, 1] < 0)  # the other falls


def test_wrap_keeps_a_number_with_its_unit_and_a_symbol_with_its_value() -> None:
    text = "the basin covers 42 % of the map under momentum, β 0.95, where λ = 18 holds"
    for width in range(6, 40):
        lines = wrap(text, width).split("\n")
        assert not any(line.startswith("%") for line in lines), width
        assert not any(line.endswith(("β", "λ", "=")) for line in lines), width
        assert " ".join(lines) == text  # nothing lost or reordered
    assert wrap("a (1.5, 0.01) b", 3) == "a\n(1.5, 0.01)\nb"


def test_a_basin_caption_wraps_into_balanced_lines_rather_than_shrinking() -> None:
    from optiroll.scenes.kit.panel import CAPTION_FLOOR, fitted_caption

    caption = "the deepest well's basin: 42 % of the map"
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        one = fitted_caption(caption, 20.0)
        assert len(one) == 1 and one.width < 20.0  # room: one line, its own size
        natural = one.width
        two = fitted_caption(caption, natural * 0.6)
        assert len(two) == 2 and two.width <= natural * 0.6 + 1e-9
        assert two[0].height / one[0].height >= CAPTION_FLOOR * 0.99  # not shrunk below
        widths = sorted(line.width for line in two)
        assert widths[0] > 0.6 * widths[1]  # balanced, no orphan word
        assert abs(two[0].get_center()[0] - two[1].get_center()[0]) < 1e-6  # centred


def test_a_log_plot_drops_the_zeros_a_curve_starts_with() -> None:
    """An adaptive method's step size is 0 before its first step: drawn at the rounding
    floor, that zero stretched the axis over sixteen decades and squeezed the curves
    that matter against its top. Zeros later on (a run converged to rounding) still
    sit at the floor, and a curve that never starts is not drawn."""
    from optiroll.scenes.kit.plots import ROUNDING, log_floor

    step, loss, idle = log_floor([np.array([0.0, 0.0, 0.4, 0.3]),
                                  np.array([2.0, 1e-30, 0.0, 0.0]), np.zeros(4)])
    assert np.isnan(step[:2]).all() and list(step[2:]) == [0.4, 0.3]
    np.testing.assert_allclose(loss, [2.0, 2.0 * ROUNDING, 2.0 * ROUNDING, 2.0 * ROUNDING])
    assert np.isnan(idle).all()
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        plot = IterationPlot([np.array([0.0, 0.4, 0.3, 0.25])], [theme.SKY_BLUE], Timeline(3),
                             4.0, 2.0, y_label=None, log_y=True)
    assert plot.y_range[0] > np.log10(0.25) - 2  # the axis keeps to the curve's decades


def test_a_wrapped_legend_label_does_not_spread_the_other_rows_apart() -> None:
    """Rows of one line share a slot; a row whose label wraps takes its own height. One
    slot as tall as the tallest row had left a wide gap under every short row (adam's
    legend, the saddle's)."""
    from optiroll.scenes.kit.panel import ROW_GAP

    tl = Timeline(3)
    readouts = [["loss 1.0"] * 4, ["loss 2.0"] * 4, ["loss 3.0"] * 4]
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        p = SidePanel(["Adam", "Adam without bias\ncorrection", "RMSProp"],
                      [theme.YELLOW, theme.VERMILLION, theme.SKY_BLUE], readouts, tl)
        flow = p.flow_to(0.0, 6.0, 3.0, -6.0)  # room to spare: one column at full size
        p.place(flow)
    assert flow.columns == 1 and flow.scale == 1.0
    rows = list(p.rows)
    gaps = [a.get_bottom()[1] - b.get_top()[1] for a, b in zip(rows, rows[1:], strict=False)]
    assert max(gaps) < ROW_GAP + 0.1  # no row sits in a slot sized for the wrapped one
    assert rows[1].height > 1.4 * rows[0].height  # the wrapped row is the tall one


def test_wrap_breaks_a_parenthesis_of_words() -> None:
    """Coordinates stay whole; a parenthesised phrase is words like any others (a label's
    "(Kingma and Ba 2015)," had been one unbreakable word: "Adam" alone on its line)."""
    assert wrap("Adam (Kingma and Ba 2015), lr 0.3 now", 22) == \
        "Adam (Kingma and Ba\n2015), lr 0.3 now"
    assert wrap("momentum from (10, 0.01)", 14) == "momentum from\n(10, 0.01)"


def test_the_sgd_rule_reads_as_a_product() -> None:
    """SGD with momentum: "w ← w − η b", not "η(b)", which reads as a function of b."""
    from optiroll import dynamics as dyn
    from optiroll.scenes.lesson.naming import update_rule

    assert update_rule(dyn.optimizer("sgd", lr=0.1, momentum=0.9)).endswith("w - eta b")
    nesterov = update_rule(dyn.optimizer("sgd", lr=0.1, momentum=0.9, nesterov=True))
    assert nesterov.endswith("w - eta (nabla L(w) + mu b)")


def test_each_rule_follows_its_optimizers_options() -> None:
    """The rule on the title card is the step the run takes (torch.optim's): Adam without
    bias correction had shown the corrected rule, so the adam lesson's two runs shared one
    rule; weight decay, AMSGrad, centred RMSProp, dampening and damping were not shown."""
    from optiroll import dynamics as dyn
    from optiroll.scenes.lesson.naming import rules, update_rule

    def rule(name: str, **kw: object) -> str:
        return update_rule(dyn.optimizer(name, **kw))

    plain = rule("adam", bias_correction=False)
    assert plain.endswith("w arrow.l w - eta m / (sqrt(v) + epsilon)") and "hat" not in plain
    pair = rules([dyn.optimizer("adam"), dyn.optimizer("adam", bias_correction=False)],
                 ["Adam", "Adam without bias correction"])
    assert [name for name, _ in pair] == ["Adam", "Adam without bias correction"]
    assert "max(v_max, v)" in rule("adam", amsgrad=True)
    assert rule("adam", weight_decay=0.1).startswith("g arrow.l g + lambda w")
    assert rule("adamw").endswith("- eta lambda w") and "lambda w #h" not in rule("adamw")
    assert rule("adam", weight_decay=0.1, decoupled_weight_decay=True).endswith(
        "- eta lambda w")
    assert rule("sgd", weight_decay=0.1) == "w arrow.l w - eta (nabla L(w) + lambda w)"
    damped = rule("sgd", momentum=0.9, dampening=0.5)
    assert "(1 - tau) nabla L(w)" in damped and "(b_1 = nabla L(w))" in damped  # undamped
    assert rule("sgd", momentum=0.9, nesterov=True, weight_decay=0.1).endswith(
        "w - eta (nabla L(w) + lambda w + mu b)")
    # AMSGrad without bias correction keeps its maximum; AdaGrad says where s starts
    assert rule("adam", amsgrad=True, bias_correction=False).endswith(
        "v_max arrow.l max(v_max, v) #h(1.2em) w arrow.l w - eta m / (sqrt(v_max) + epsilon)")
    assert "(s_0 = 0.1)" in rule("adagrad", initial_accumulator_value=0.1)
    # the line search's shrink factor is gamma, not always a half
    assert "s = eta gamma^k" in rule("line_search", shrink=0.3) and "halved" not in rule(
        "line_search")
    assert [n for n, _ in rules([dyn.optimizer("gd"), dyn.optimizer("sgd", lr=0.1)])] == [
        "GD, SGD"]  # one rule, both names
    centred = rule("rmsprop", centered=True, momentum=0.9)
    assert "a arrow.l alpha a + (1 - alpha) g" in centred and "sqrt(s - a^2)" in centred
    assert centred.endswith("w arrow.l w - eta b")
    assert "(t - 1) delta" in rule("adagrad", lr_decay=0.1)
    assert "u arrow.l rho u" in rule("adadelta")  # u was used, never defined
    assert "|g| + epsilon" in rule("adamax")
    assert "+ lambda I" in rule("newton", damping=0.5)  # the legend's symbol for damping
    assert rule("newton") == "w arrow.l w - eta (nabla^2 L(w))^(-1) nabla L(w)"
    # RAdam steps as momentum until rho_t > 5 (torch's), then rectified; not r m-hat always
    assert 'cases(r_t sqrt(1 - beta_2^t)' in rule("radam") and '1 & "otherwise"' in rule(
        "radam")


def test_the_rule_key_defines_what_the_rules_leave_undefined() -> None:
    from optiroll import dynamics as dyn
    from optiroll.scenes.lesson.naming import key_lines, update_rule

    adam, momentum = update_rule(dyn.optimizer("adam")), update_rule(dyn.optimizer("momentum"))
    assert key_lines([momentum]) == []  # its rule writes the gradient out
    assert key_lines([momentum, adam]) == ["g = nabla L(w) #h(1.2em) hat(m) = m / (1 - beta_1^t)"
                                           " #h(1.2em) hat(v) = v / (1 - beta_2^t)"]
    # weight decay adds to the key's g inside the rule
    assert key_lines([update_rule(dyn.optimizer("adagrad", weight_decay=0.1))]) == \
        ["g = nabla L(w)"]
    assert "Armijo:" in key_lines([update_rule(dyn.optimizer("line_search"))])[0]
    assert key_lines([update_rule(dyn.optimizer("adam", bias_correction=False))]) == \
        ["g = nabla L(w)"]
    # NAdam's m-tilde and RAdam's r_t are defined too, three definitions to a line
    lines = key_lines([update_rule(dyn.optimizer(n)) for n in ("nadam", "radam")])
    assert len(lines) == 3 and lines[1].startswith("tilde(m) = (1 - mu_t) g")
    assert any(line.startswith("r_t = sqrt(") for line in lines)


def test_the_title_card_carries_the_rule_key() -> None:
    """The adaptive lesson's card: three rules, and beneath them g, m-hat and v-hat."""
    from manim import tempconfig
    from optiroll.scenes.jobs import pick_scene
    from optiroll.scenes.library import find

    with tempconfig({"pixel_width": 320, "pixel_height": 180, "verbosity": "ERROR"}):
        scene = pick_scene(find("adaptive"))()
        scene.setup()
        body, key = scene.stage.rules
        assert len(body) == 3 and not scene.stage.rules_in_header
        assert key.get_top()[1] < body.get_bottom()[1]  # beneath the rules


def test_the_minimum_star_is_drawn_over_the_map_in_the_race(tmp_path) -> None:
    """The title act adds the map's parts one by one; the stars, kept first in drawing
    order as a backdrop, had gone beneath the map's contour lines for the whole race (on
    Rosenbrock's crowded valley the star was a faint smudge). The race's last frame shows
    the star's white at its centre."""
    import numpy as np
    from manim import config, tempconfig
    from optiroll.scenes.kit import theme
    from optiroll.scenes.lesson.loading import validate
    from optiroll.scenes.lesson.scene import lesson_class

    spec = validate({"title": "R", "surface": "rosenbrock", "steps": 4, "start": [-1.5, 2.5],
                     "runs": [{"optimizer": "adam", "lr": 0.05}],
                     "show": {"closing": False}, "pacing": {"hold": 0.2}})
    with tempconfig({"pixel_width": 640, "pixel_height": 360, "frame_rate": 5,
                     "media_dir": str(tmp_path), "disable_caching": True,
                     "write_to_movie": False, "save_last_frame": True,
                     "verbosity": "ERROR", "progress_bar": "none"}):
        scene = lesson_class(spec, "StarProbe")()
        scene.render()
        frame = scene.renderer.get_frame()
        fw, fh = config.frame_width, config.frame_height
    star = scene.stage.minima[0].get_center()
    col, row = int((star[0] + fw / 2) / fw * 640), int((fh / 2 - star[1]) / fh * 360)
    white = np.array([int(theme.FOREGROUND[i:i + 2], 16) for i in (1, 3, 5)])
    assert np.abs(frame[row, col, :3].astype(int) - white).max() < 30, frame[row, col]


def test_the_arrows_key_leaves_the_panel_with_the_arrows(tmp_path) -> None:
    """With arrows for the first steps only, their key lines stayed in the side panel for
    the whole lesson after the arrows had gone: they fade out with the arrows and the
    panel closes their gap. Drawn for the whole race, they stay."""
    from manim import tempconfig
    from optiroll.scenes.lesson.loading import validate
    from optiroll.scenes.lesson.scene import lesson_class

    def played(arrow_steps: int):
        spec = validate({"title": "A", "surface": "ravine", "steps": 6, "start": [-2.4, 0.2],
                         "runs": [{"optimizer": "momentum", "lr": 0.1, "beta": 0.8}],
                         "show": {"arrows": ["gradient"], "arrow_steps": arrow_steps,
                                  "closing": False, "title": False},
                         "pacing": {"hold": 0.2}})
        with tempconfig({"pixel_width": 320, "pixel_height": 180, "frame_rate": 5,
                         "media_dir": str(tmp_path), "disable_caching": True,
                         "write_to_movie": False, "verbosity": "ERROR",
                         "progress_bar": "none"}):
            scene = lesson_class(spec, "KeyProbe")()
            scene.setup()
            before = scene.stage.flow("race").height
            scene.render()
            return scene, before

    scene, before = played(2)
    panel, keys = scene.stage.panel, scene.stage.arrow_keys
    assert keys and all(panel.opacities[id(k)] == 0 for k in keys)
    assert all(max(m.get_fill_opacity(), m.get_stroke_opacity()) == 0
               for k in keys for m in k.family_members_with_points())
    assert scene.stage.flow("race").height < before - 0.1  # the gap is closed
    scene, before = played(6)  # the whole race: kept
    assert all(scene.stage.panel.opacities[id(k)] == 1 for k in scene.stage.arrow_keys)


def test_a_jagged_run_is_painted_beneath_a_smooth_one() -> None:
    """stochastic's full-batch run follows the mini-batch run's path: painted first, its
    trail, its loss curve and its data-panel line had vanished under the others. The
    longest path (the noisiest) is painted first, the smoothest last."""
    from optiroll.scenes.lesson.prepare import paint_order
    from optiroll.scenes.stochastic import Stochastic

    p = Stochastic.prepare_parts()[0]
    labels = p.labels
    order = paint_order(p.runs)
    assert labels[order[-1]] == "full batch" and labels[order[0]].startswith("SGD")
    series, colors, _ = p.plots[0].in_paint_order()
    assert colors[-1] == p.colors[labels.index("full batch")]
    assert p.plots[0].colors == p.colors  # the data itself stays in the runs' order
