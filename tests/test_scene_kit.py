"""The kit draws what the rollout says: pixel assertions on tiny in-process renders."""

from __future__ import annotations

import math

import numpy as np
import pytest
from manim import Scene, Text, config, tempconfig
from optiroll import dynamics as dyn
from optiroll.scenes.kit import (
    Ball,
    ContourMap,
    IterationPlot,
    Legend,
    Timeline,
    Trail,
    format_value,
    theme,
)
from optiroll.scenes.kit.surface3d import Ball3D, Camera, SurfaceRenderer
from optiroll.scenes.kit.timeline import at

W, H = 320, 180


def rgb(hex_color: str) -> np.ndarray:
    h = hex_color.lstrip("#")
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)], float)


def render(build, tmp_path) -> tuple[np.ndarray, dict]:
    """Build mobjects in a bare Scene at 320x180 and return the frame (RGB) and the parts."""
    with tempconfig({"pixel_width": W, "pixel_height": H, "frame_rate": 10,
                     "write_to_movie": False, "save_last_frame": False,
                     "media_dir": str(tmp_path), "background_color": theme.BACKGROUND}):
        scene = Scene()
        parts = build()
        scene.add(*parts.values())
        scene.renderer.update_frame(scene)
        return scene.renderer.get_frame()[..., :3].astype(float), parts


def to_pixel(point: np.ndarray) -> np.ndarray:
    """Scene point -> pixel index coordinates (column, row) of the pixel centre."""
    u = (point[0] + config.frame_width / 2) / config.frame_width * W - 0.5
    v = (config.frame_height / 2 - point[1]) / config.frame_height * H - 0.5
    return np.array([u, v])


def blend_of(pixel: np.ndarray, color: np.ndarray) -> float:
    """How much of ``color`` over the background explains ``pixel`` (0 when it does not)."""
    bg = rgb(theme.BACKGROUND)
    d = color - bg
    a = float((pixel - bg) @ d / (d @ d))
    residual = np.linalg.norm(pixel - (bg + a * d))
    return a if residual < 40 else 0.0


def centroid(frame: np.ndarray, color: str, tol: float = 60.0) -> np.ndarray:
    d = np.linalg.norm(frame - rgb(color), axis=-1)
    rows, cols = np.nonzero(d < tol)
    assert len(rows) > 0, "colour not found in frame"
    return np.array([cols.mean(), rows.mean()])


@pytest.fixture(scope="module")
def lesson() -> tuple[dyn.Surface, list[dyn.Rollout]]:
    s = dyn.surface("ravine")
    runs = [dyn.rollout(s, dyn.optimizer("momentum", lr=0.1, beta=b), (-2.4, 0.2), 50)
            for b in (0.0, 0.8, 0.9)]
    return s, runs


@pytest.mark.parametrize("iteration", [0, 7, 12.5, 31, 50])
def test_ball_is_drawn_at_the_rollout_point(lesson, tmp_path, iteration: float) -> None:
    s, runs = lesson
    color = theme.SKY_BLUE

    def build() -> dict:
        tl = Timeline(50)
        tl.set(iteration)
        m = ContourMap(s, 9.0, 4.3, n_levels=8, resolution=80).shift([-1.0, -0.4, 0])
        return {"map": m, "ball": Ball(m, runs[1].positions, tl, color)}

    with tempconfig({"pixel_width": W, "pixel_height": H}):
        frame, parts = render(build, tmp_path)
        k0 = int(np.floor(iteration))
        f = iteration - k0
        p = runs[1].positions[k0] * (1 - f) + runs[1].positions[min(k0 + 1, 50)] * f
        expected = to_pixel(parts["map"].c2p(*p))
    got = centroid(frame, color)
    assert np.linalg.norm(got - expected) <= 2.0, (got, expected)


def test_trail_passes_through_the_iterates(lesson, tmp_path) -> None:
    s, runs = lesson
    color, k_now = theme.VERMILLION, 20

    def build() -> dict:
        tl = Timeline(50)
        tl.set(k_now)
        m = ContourMap(s, 9.0, 4.3, n_levels=4, resolution=60)
        return {"map": m, "trail": Trail(m, runs[0].positions, tl, color, fade_after=1e9)}

    with tempconfig({"pixel_width": W, "pixel_height": H}):
        frame, parts = render(build, tmp_path)
        m, trail = parts["map"], parts["trail"]
        verts = trail.vertices()
        target = rgb(color)
        for k in range(0, k_now + 1):
            p = m.c2p(*runs[0].positions[k])
            # geometrically: the polyline has a vertex at every iterate ...
            assert np.min(np.linalg.norm(verts - p, axis=1)) < 1e-9, k
            # ... and on screen the trail's colour is there
            c, r = np.round(to_pixel(p)).astype(int)
            patch = frame[max(r - 1, 0):r + 2, max(c - 1, 0):c + 2].reshape(-1, 3)
            assert max(blend_of(px, target) for px in patch) > 0.3, k
        # nothing beyond the current iteration is drawn
        future = m.c2p(*runs[0].positions[k_now + 5])
        assert np.min(np.linalg.norm(verts - future, axis=1)) > 1e-6


def test_diverging_ball_leaves_the_map(tmp_path) -> None:
    s = dyn.surface("ravine")
    run = dyn.rollout(s, dyn.optimizer("momentum", lr=0.25, beta=0.0), (-2.4, 0.2), 50)
    k = int(run.diverged_at)
    assert 0 < k < 50
    tl = Timeline(50)
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        m = ContourMap(s, 9.0, 4.3, n_levels=4, resolution=60)
        ball = Ball(m, run.positions, tl, theme.VERMILLION)
        trail = Trail(m, run.positions, tl, theme.VERMILLION)
        exits = [i for i in range(k + 1) if not m.inside(run.positions[i])[0]]
        first_out = exits[0]
        tl.set(first_out - 1)
        ball.follow()
        assert ball.get_fill_opacity() == 1.0
        tl.set(first_out)  # the ball has crossed the edge of the map
        ball.follow()
        trail.redraw()
        assert ball.get_fill_opacity() == 0.0
        lo, hi = m._corners()
        last = trail.vertices()[-1]
        on_edge = np.isclose(last[:2], lo[:2]) | np.isclose(last[:2], hi[:2])
        assert on_edge.any(), "the trail is clipped where the ball leaves the map"
        tl.set(50)
        legend = Legend(["lr 0.25"], [theme.VERMILLION], [run.loss], [k], tl)
        assert legend.rows[0][2].current == f"diverged at step {k}"
        # the 3-D view draws the same run: off the map, the ball is gone there too
        r = SurfaceRenderer(m, mesh=16)
        cam = Camera(-120, 35, 1.0, perspective=1.0)
        with_ball = r.render(W, H, cam, 1.0, [Ball3D(run.positions, theme.VERMILLION)], 50.0,
                             trail_opacity=0.0)
        bare = r.render(W, H, cam, 1.0, [], 50.0)
        assert with_ball.shape == (H, W, 4) and with_ball[..., 3].max() == 255
        assert np.array_equal(with_ball, bare)
        before = r.render(W, H, cam, 1.0, [Ball3D(run.positions, theme.VERMILLION)],
                          first_out - 1.0, trail_opacity=0.0)
        assert not np.array_equal(before, bare)  # ... and drawn while it is on the map


def test_a_ball_that_left_the_map_never_flashes_back(tmp_path) -> None:
    """A diverging zig-zag: iterates 1 and 2 are off the map on either side, so the
    straight way between them crosses the map; the ball left at iterate 1 and stays
    hidden (2-D and 3-D) though the point between them is on the map."""
    s = dyn.surface("ravine")
    positions = np.array([[-2.0, 0.0], [-1.5, 2.0], [-1.0, -2.0], [-0.5, 3.0]])
    tl = Timeline(3)
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        m = ContourMap(s, 9.0, 4.3, n_levels=4, resolution=60)
        assert m.inside(at(positions, 1.5))[0]  # the way between crosses the map
        ball = Ball(m, positions, tl, theme.VERMILLION)
        for it, seen in [(0.0, True), (0.2, True), (1.0, False), (1.5, False), (2.5, False)]:
            tl.set(it)
            ball.follow()
            assert ball.get_fill_opacity() == (1.0 if seen else 0.0), it
        r = SurfaceRenderer(m, mesh=16)
        cam = Camera(-90, 89, 1.0)  # from above: nothing hides the ball
        bare = r.render(W, H, cam, 1.0, [], 1.5)
        balls = [Ball3D(positions, theme.VERMILLION)]
        assert np.array_equal(r.render(W, H, cam, 1.0, balls, 1.5, trail_opacity=0.0), bare)
        assert not np.array_equal(r.render(W, H, cam, 1.0, balls, 0.2, trail_opacity=0.0), bare)


def test_plots_reveal_up_to_the_current_iteration(lesson, tmp_path) -> None:
    s, runs = lesson
    tl = Timeline(50)
    tl.set(10.5)
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        plot = IterationPlot([r.loss for r in runs], ["#ff0000"] * 3, tl, 5, 2, y_label="loss",
                             log_y=True)
        pts = plot.points_until(runs[1].loss, 10.5)
        assert pts[-1, 0] == 10.5 and len(pts) == 12
        np.testing.assert_allclose(pts[:11, 1], runs[1].loss[:11])
        drawn = plot.curves[1].points
        assert np.allclose(drawn[-1], plot.c2p(10.5, pts[-1, 1]))


def test_a_log_plot_draws_rounding_noise_at_a_floor(tmp_path) -> None:
    """A loss that reached rounding (1e-30, exact zeros) runs flat along the floor
    10⁻¹⁶ x the largest value, instead of a comb of noise below it; values above the
    floor are drawn as they are."""
    loss = np.array([100.0, 1.0, 1e-10, 1e-30, 0.0, 3e-31, 0.0, 2e-30])
    tl = Timeline(7)
    tl.set(7)
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        plot = IterationPlot([loss], ["#ff0000"], tl, 5, 2, y_label="loss", log_y=True)
    pts = plot.points_until(plot.series[0], 7)
    assert len(pts) == 8
    np.testing.assert_allclose(pts[:3, 1], loss[:3])
    np.testing.assert_allclose(pts[3:, 1], 1e-14)
    assert plot.y_range[0] >= -15  # the axis ends at the floor's decade, not at 1e-31
    with tempconfig({"pixel_width": W, "pixel_height": H}):  # negative losses are dropped
        signed = IterationPlot([np.array([5, 2, 0.5, -1, -3])], ["#ff0000"], tl, 5, 2,
                               y_label="loss", log_y=True)
    assert signed.y_range[0] >= -1


@pytest.mark.parametrize("lowest", [1.5e-13, 2e-5, 0.3])
def test_a_log_plots_lowest_and_highest_values_keep_clear_of_its_frame(lowest: float) -> None:
    """A loss falling over sixteen decades to 1.5e-13 ran along the frame's foot (a
    twentieth of a decade of room, the axis ending at 1e-13): each end keeps room of at
    least 3 % of the axis."""
    loss = np.geomspace(999.0, lowest, 21)
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        plot = IterationPlot([loss], ["#ff0000"], Timeline(20), 5, 2, y_label=None, log_y=True)
    lo, hi = plot.y_range  # in decades
    span = hi - lo
    assert math.log10(lowest) - lo >= 0.03 * span and hi - math.log10(999.0) >= 0.03 * span


def test_3d_view_at_top_down_matches_the_2d_map(lesson) -> None:
    s, runs = lesson
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        m = ContourMap(s, 9.0, 4.3, n_levels=4, resolution=60).shift([-1, -0.4, 0])
        r = SurfaceRenderer(m, mesh=24)
        img = r.render(W, H, Camera(), 0.0, [Ball3D(runs[1].positions, theme.SKY_BLUE)], 0.0)
        # the flat, top-down layer covers exactly the map's box
        lo, hi = m._corners()
        (c0, r1), (c1, r0) = to_pixel(lo), to_pixel(hi)
        alpha = img[..., 3] > 0
        rows, cols = np.nonzero(alpha)
        assert abs(cols.min() - c0) <= 1.5 and abs(cols.max() - c1) <= 1.5
        assert abs(rows.min() - r0) <= 1.5 and abs(rows.max() - r1) <= 1.5


def project(r: SurfaceRenderer, cam: Camera, P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates (x right, y down) of world points, and the perspective scale:
    the camera model as the kit documents it, written out here."""
    d, right, up = cam.basis()
    Q = np.asarray(P, float) - np.asarray(cam.target, float)
    dist = cam.distance / max(cam.perspective, 1e-9)
    k = dist / (dist - Q @ d) if cam.perspective > 0 else np.ones(len(Q))
    sc = r.centre_scene[:2] if cam.screen is None else cam.screen
    unit = W / config.frame_width  # pixels per scene unit
    cx, cy = (sc[0] + config.frame_width / 2) * unit, (config.frame_height / 2 - sc[1]) * unit
    px = np.stack([cx + (Q @ right) * unit * cam.zoom * k,
                   cy - (Q @ up) * unit * cam.zoom * k], -1)
    return px, k


def face_colours(r: SurfaceRenderer, m: ContourMap, lift: float) -> tuple[np.ndarray, ...]:
    """Each face's centre (world), and its colour: the loss colour map at the face's mean
    height, shaded by the light on its normal."""
    from optiroll.scenes.kit.surface3d import AMBIENT, LIGHT

    V = r.world(r.grid_xy, r.grid_z, lift)
    corners = np.stack([V[:-1, :-1], V[:-1, 1:], V[1:, 1:], V[1:, :-1]], 2).reshape(-1, 4, 3)
    n = np.cross(corners[:, 2] - corners[:, 0], corners[:, 1] - corners[:, 3])
    n /= np.linalg.norm(n, axis=1, keepdims=True)
    n[n[:, 2] < 0] *= -1
    z = r.grid_z
    mean_z = ((z[:-1, :-1] + z[:-1, 1:] + z[1:, 1:] + z[1:, :-1]) / 4).ravel()
    shade = AMBIENT + (1 - AMBIENT) * np.clip(n @ LIGHT, 0, 1)
    colour = theme.colormap(m.scale_.fraction(mean_z)) * shade[:, None] * 255
    flat = ((z[:-1, :-1] < r.zclip) & (z[:-1, 1:] < r.zclip) & (z[1:, 1:] < r.zclip)
            & (z[1:, :-1] < r.zclip)).ravel()  # not cut off at the clip height
    return corners.mean(axis=1), colour, flat


@pytest.mark.parametrize(("cam", "lift"), [(Camera(), 0.0), (Camera(-115, 55, 0.9), 1.0)],
                         ids=["top-down", "tilted"])
def test_3d_faces_have_the_loss_colour_at_their_projected_pixel(lesson, cam, lift) -> None:
    """Every face (of a convex valley, so none hides another) shows the colour map's
    colour for its height, shaded by its slope, at the pixel its centre projects to."""
    s, _ = lesson
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        m = ContourMap(s, 9.0, 4.3, n_levels=4, resolution=60, axis_labels=False)
        m.shift([-1, -0.4, 0])
        r = SurfaceRenderer(m, mesh=24, height=1.0)
        img = r.render(W, H, cam, lift, [], 0.0, contour_opacity=0.0).astype(float)
    centres, colours, flat = face_colours(r, m, lift)
    px, _ = project(r, cam, centres)
    checked = 0
    for (x, y), colour, keep in zip(px, colours, flat, strict=True):
        if not keep:
            continue
        got = img[int(y), int(x)]
        assert got[3] == 255 and np.abs(got[:3] - colour).max() <= 3, ((x, y), got, colour)
        checked += 1
    assert checked > 0.8 * len(colours)
    # and the colours differ from face to face: the test is not passing on a flat fill
    assert np.ptp(colours[flat], axis=0).max() > 40


@pytest.mark.parametrize("perspective", [0.0, 1.0])
def test_3d_ball_is_drawn_at_its_projected_point(lesson, perspective: float) -> None:
    s, runs = lesson
    k = 12
    cam = Camera(-110, 45, 1.0, perspective=perspective)
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        m = ContourMap(s, 9.0, 4.3, n_levels=4, resolution=60, axis_labels=False)
        r = SurfaceRenderer(m, mesh=24, height=1.0, ball_radius=0.3)
        ball = Ball3D(runs[1].positions, theme.VERMILLION)
        bare = r.render(W, H, cam, 1.0, [], k)
        drawn = r.render(W, H, cam, 1.0, [ball], k, trail_opacity=0.0)
    p = runs[1].positions[k]
    centre = r.world(p[None], s.value(p[None]), 1.0)[0] + [0, 0, r.ball_radius]
    px, scale = project(r, cam, centre[None])
    x, y = px[0]
    rows, cols = np.nonzero(np.abs(drawn.astype(int) - bare).max(axis=-1) > 8)
    assert abs(cols.mean() + 0.5 - x) <= 1.0 and abs(rows.mean() + 0.5 - y) <= 1.0
    radius = r.ball_radius * W / config.frame_width * scale[0]
    # the disc, its outline (width 0.12 radius, centred on the edge) and half a pixel of
    # antialiasing
    outer = radius * 1.06 + 0.5
    assert len(rows) == pytest.approx(np.pi * outer**2, rel=0.15)


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.10233, "0.102"), (12.49, "12.5"), (2.8681e-5, "2.87×10⁻⁵"), (3.6e-4, "3.60×10⁻⁴"),
     (1.0, "1.00"), (1e-6, "1.00×10⁻⁶"), (0.0, "0"), (-0.5, "−0.500"), (float("nan"), "—"),
     (12345.0, "1.23×10⁴")],
)
def test_format_value(value: float, text: str) -> None:
    assert format_value(value) == text


def test_series_colors_are_distinct_and_stable() -> None:
    cols = theme.series_colors(["gd", "momentum", "momentum"])
    assert len(set(cols)) == 3 and cols[0] == theme.OPTIMIZER_COLORS["gd"]
    assert theme.series_colors(["adam"]) == [theme.OPTIMIZER_COLORS["adam"]]


def test_vector_arrows_follow_the_recorded_vectors(lesson) -> None:
    from optiroll.scenes.kit import VectorArrow

    s, runs = lesson
    run = runs[1]
    tl = Timeline(50)
    tl.set(6)
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        m = ContourMap(s, 9.0, 4.3, n_levels=4, resolution=60)
        vel = VectorArrow(m, run.positions, run.update, tl, theme.SKY_BLUE, scale=2.0)
        grad = VectorArrow(m, run.positions, run.gradient, tl, theme.ORANGE, scale=0.05,
                           sign=-1.0)
        p = run.positions[6]
        np.testing.assert_allclose(vel.get_start(), m.c2p(*p), atol=1e-9)
        np.testing.assert_allclose(vel.get_end(), m.c2p(*(p + 2.0 * run.update[6])), atol=1e-9)
        np.testing.assert_allclose(grad.get_end(), m.c2p(*(p - 0.05 * run.gradient[6])),
                                   atol=1e-9)


@pytest.mark.parametrize("boundary", [0.01, 1.0, 10.0, 100.0, 1000.0])
def test_format_value_rounds_before_choosing_a_spelling(boundary: float) -> None:
    """Just below a boundary rounds to the boundary and is written as the boundary is."""
    below, at, above = boundary * (1 - 1e-6), boundary, boundary * (1 + 1e-6)
    assert format_value(below) == format_value(at) == format_value(above)
    assert format_value(-below) == format_value(-at) == "−" + format_value(at)


@pytest.mark.parametrize(("value", "text"), [
    (99.9999, "100"), (100.0, "100"), (9.9996, "10.0"), (10.0, "10.0"), (0.99999, "1.00"),
    (999.96, "1.00×10³"), (1000.0, "1.00×10³"), (0.0099999, "0.0100"), (0.00999, "9.99×10⁻³"),
    (0.0123, "0.0123"), (123.4, "123"), (999.4, "999"),
])
def test_format_value_boundaries(value: float, text: str) -> None:
    assert format_value(value) == text


@pytest.mark.parametrize("size", [20, 26])
def test_math_labels_have_the_cap_height_of_text(size: float) -> None:
    """Typst math at the same nominal size used to come out 30 % smaller than Text."""
    from manim import Text
    from optiroll.scenes.kit.frame import axis_label

    math_l = axis_label("$L$", size)
    text_l = Text("L", font=theme.FONT, font_size=size)
    assert math_l.height == pytest.approx(text_l.height, rel=0.06)


def test_ticks_fit_integer_data_and_iterations() -> None:
    from optiroll.scenes.kit.frame import format_tick, nice_ticks

    iterations = nice_ticks(0, 12, 5, integer=True)
    assert [format_tick(v, iterations) for v in iterations] == ["0", "2", "4", "6", "8", "10",
                                                                "12"]
    data = nice_ticks(0.46, 10.54, 5, integer=True)  # x = 1..10, padded
    assert [format_tick(v, data) for v in data] == ["2", "4", "6", "8", "10"]
    assert list(nice_ticks(0, 12, 5)) == [0, 2.5, 5, 7.5, 10]  # real-valued axes keep 2.5
    lone = nice_ticks(0.14, 0.6, 1)  # a short plot has room for one tick label
    assert list(lone) == [0.5] and format_tick(0.5, lone) == "0.5"  # not "0"
    assert format_tick(0.25, np.array([0.25])) == "0.25"
    assert format_tick(-0.005, np.array([-0.005])) == "−0.005"
    # every other tick of 0.5 steps is 1 apart but not whole: both read, not "0" and "0"
    thinned = np.array([-0.5, 0.5])
    assert [format_tick(v, thinned) for v in thinned] == ["−0.5", "0.5"]
    steps = np.array([0.0, 2.5, 5.0, 7.5])
    assert [format_tick(v, steps) for v in steps] == ["0.0", "2.5", "5.0", "7.5"]
    small = np.array([0.0, 0.002, 0.004])
    assert [format_tick(v, small) for v in small] == ["0.000", "0.002", "0.004"]
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        plot = IterationPlot([np.arange(13.0) + 1], ["#ff0000"], Timeline(12), 5, 2,
                             y_label="loss", log_y=True)
        from optiroll.scenes.kit.glyphs import GlyphText

        texts = {m.text for m in plot.get_family() if isinstance(m, Text | GlyphText)}
        assert "2" in texts and "2.5" not in texts and "7.5" not in texts


@pytest.mark.parametrize("y_range,height,count", [
    ((0.1, 0.9), 0.5, 1),  # was 0.2, 0.4, 0.6, 0.8: 0.125 units apart
    ((0.14, 0.6), 0.5, 1),  # was 0.25, 0.5: 0.27 units apart
    ((0.14, 0.6), 0.8, 2),  # 0.43 units apart: room for both
    ((0.52, 0.84), 0.5, 1),  # none at first, then 0.6, 0.8: 0.31 units apart
    ((0.1, 0.9), 3.0, 4),  # the ticks first asked for
])
def test_a_short_plot_gets_no_more_y_ticks_than_its_labels_have_room_for(
        y_range: tuple[float, float], height: float, count: int) -> None:
    """A lone tick gives no scale, so the frame asks for finer ticks where only one would
    show, but never closer than labels have room for (0.42 units apart at this size, as
    for the ticks first asked for): one tick rather than overlapping labels."""
    from manim import Text
    from optiroll.scenes.kit.frame import PlotFrame
    from optiroll.scenes.kit.glyphs import GlyphText

    frame = PlotFrame((0, 1), y_range, 4.0, height)
    left = frame.box.get_left()[0]
    labels = sorted((m for m in frame.get_family() if isinstance(m, Text | GlyphText)
                     and m.get_right()[0] < left), key=lambda m: m.get_y())
    assert len(labels) == count
    for low, high in zip(labels, labels[1:], strict=False):
        assert low.get_top()[1] < high.get_bottom()[1]  # no two labels overlap


@pytest.mark.parametrize("size", [(W, H), (854, 480)], ids=["320x180", "854x480"])
@pytest.mark.parametrize("opacity", [1.0, 0.5])
def test_layer_camera_paints_the_3d_layer_as_manim_does(lesson, size, opacity, tmp_path) -> None:
    """LayerCamera's cairo paint of the 3-D layer gives Manim's own picture of it (PIL's
    transform and paste), at the preview size too, where the layer is 0.08 % wider than
    the frame."""
    from manim import Camera as ManimCamera
    from optiroll.scenes.kit import LayerCamera, SurfaceView

    s, runs = lesson
    frames = []
    for camera_class in (ManimCamera, LayerCamera):
        with tempconfig({"pixel_width": size[0], "pixel_height": size[1],
                         "media_dir": str(tmp_path), "background_color": theme.BACKGROUND}):
            scene = Scene(camera_class=camera_class)
            tl = Timeline(50)
            tl.set(20)
            view = SurfaceView(ContourMap(s, 9.0, 4.3), [Ball3D(runs[1].positions,
                                                                theme.VERMILLION)], tl,
                               height=1.2)
            for tracker, value in ((view.lift, 1.0), (view.elevation, 44),
                                   (view.azimuth, -112), (view.layer_opacity, opacity)):
                tracker.set_value(value)
            view.redraw()
            scene.add(view)
            scene.renderer.update_frame(scene)
            frames.append(scene.renderer.get_frame()[..., :3].astype(int))
    manim_frame, ours = frames
    d = np.abs(ours - manim_frame).max(axis=-1)
    assert d.mean() < 1.0 and (d > 24).mean() < 0.01, (d.mean(), (d > 24).mean())
    # and the layer is there: the surface covers a good part of the frame
    bg = rgb(theme.BACKGROUND)
    assert (np.abs(ours - bg).max(axis=-1) > 30).mean() > 0.05


def test_a_3d_frame_like_the_last_is_not_drawn_again(lesson, monkeypatch) -> None:
    """A frame whose camera, lift, iteration and opacities are the last frame's reuses
    its image (the same pixels, no second raster); a change to any of them draws anew."""
    from optiroll.scenes.kit import SurfaceView

    s, runs = lesson
    drawn = []
    render_surface = SurfaceRenderer.render_surface

    def counted(self, *args, **kwargs):
        drawn.append(args)
        return render_surface(self, *args, **kwargs)

    monkeypatch.setattr(SurfaceRenderer, "render_surface", counted)
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        tl = Timeline(50)
        tl.set(20)
        view = SurfaceView(ContourMap(s, 9.0, 4.3), [Ball3D(runs[1].positions,
                                                            theme.VERMILLION)], tl)
        view.lift.set_value(1.0)
        view.elevation.set_value(44)

        def frame() -> bytes:
            view.redraw()
            return bytes(view.layer.get_data())

        first = frame()
        assert frame() == first and len(drawn) == 1
        changes = [lambda: view.azimuth.set_value(-100), lambda: tl.set(21),
                   lambda: view.lift.set_value(0.9), lambda: view.contour_opacity.set_value(0.5),
                   lambda: view.trail_opacity.set_value(0.5)]
        for k, change in enumerate(changes, start=2):
            change()
            frame()
            assert len(drawn) == k
        assert frame() != first
        n = len(drawn)
        view.camera_fn = lambda: Camera(-60, 30, 1.0)  # a flight's camera, not the trackers
        frame()
        frame()
        view.balls3d = []  # another list of balls
        frame()
        assert len(drawn) == n + 2
    with tempconfig({"pixel_width": 2 * W, "pixel_height": 2 * H}):  # another size
        frame()
        assert len(drawn) == n + 3 and drawn[-1][:2] == (2 * W, 2 * H)


def test_clip_segments_agrees_with_clip_segment(lesson) -> None:
    """The vectorized clipping the trails use gives clip_segment's answer, segment by
    segment: inside, crossing one or two edges, outside, and axis-parallel."""
    s, _ = lesson
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        m = ContourMap(s, 9.0, 4.3, n_levels=4, resolution=40)
    rng = np.random.default_rng(0)
    a = rng.uniform(-4, 4, (400, 2)) * [1, 0.3]
    b = rng.uniform(-4, 4, (400, 2)) * [1, 0.3]
    b[:40, 0] = a[:40, 0]  # vertical
    b[40:80, 1] = a[40:80, 1]  # horizontal
    keep, ca, cb = m.clip_segments(a, b)
    assert 50 < keep.sum() < 390
    for i in range(len(a)):
        one = m.clip_segment(a[i], b[i])
        assert (one is not None) == keep[i], i
        if one is not None:
            np.testing.assert_allclose([ca[i], cb[i]], one, atol=1e-12)


def test_straight_curves_are_what_add_line_to_builds() -> None:
    """Trails and dashed curves are built in one array: the same points, bit for bit, as
    start_new_path and add_line_to called segment by segment."""
    from manim import VMobject
    from optiroll.scenes.kit.frame import straight_curves

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(7, 3)), rng.normal(size=(7, 3))
    built = VMobject()
    for p, q in zip(a, b, strict=True):
        built.start_new_path(p)
        built.add_line_to(q)
    assert np.array_equal(straight_curves(a, b), built.points)


def _traced(trace, mobject) -> list:
    import cairo

    ctx = cairo.Context(cairo.RecordingSurface(cairo.CONTENT_COLOR_ALPHA, None))
    trace(ctx, mobject)
    return list(ctx.copy_path())


def test_layer_camera_traces_the_same_paths_as_manims_camera() -> None:
    """The fast path tracer hands cairo the same moves, curves and closings as Manim's
    on every shape the lessons draw: text (many subpaths), closed and open curves, a
    dashed line, polylines with and without breaks, a partial curve, NaN, nothing."""
    from manim import ORIGIN, RIGHT, UP, Arrow, Camera, Circle, DashedLine, Square, VMobject
    from optiroll.scenes.kit.camera import LayerCamera

    cam = LayerCamera()
    broken = VMobject().set_points_as_corners([[0, 0, 0], [1, 0, 0], [1, 1, 0]])
    broken.append_points(np.array([[3, 3, 0], [3.2, 3, 0], [3.4, 3, 0], [3.6, 3, 0],
                                   [3.6, 3, 0], [3.6, 3.1, 0]]))  # a jump, then 1.5 curves
    near = VMobject().set_points_as_corners([[0, 0, 0], [1, 0, 0], [1, 1, 0]])
    near.points[4] += [5e-7, 0, 0]  # within the tolerance: one subpath still
    far = VMobject().set_points_as_corners([[100, 0, 0], [101, 0, 0], [101, 1, 0]])
    far.points[4] += [5e-3, 0, 0]  # beyond isclose's relative 1e-5 of 101: two subpaths
    nan = VMobject().set_points_as_corners([[0, 0, 0], [1, np.nan, 0], [2, 0, 0]])
    mobjects = [Text("Loss 1.23e-4, fig."), Circle(), Square(), Arrow(ORIGIN, RIGHT + UP),
                DashedLine(ORIGIN, 3 * RIGHT), broken, near, far, nan, VMobject()]
    traced = 0
    for mobject in mobjects:
        for m in [mobject, *mobject.family_members_with_points()]:
            manims = _traced(lambda ctx, x: Camera.set_cairo_context_path(cam, ctx, x), m)
            for _ in range(3):  # traced, then kept, then appended from the cache
                assert _traced(cam.set_cairo_context_path, m) == manims, type(mobject).__name__
            traced += len(manims)
    assert traced > 100


def test_layer_camera_never_draws_a_kept_path_that_has_changed() -> None:
    """A path kept from earlier frames is drawn again only while its points, tolerance
    and cairo transform are the same: moved in place, given a new tolerance, or drawn
    under another transform, it is traced anew, as Manim's camera draws it."""
    import cairo
    from manim import Camera
    from optiroll.scenes.kit.camera import LayerCamera

    cam = LayerCamera()
    glyph = Text("Loss 1.23e-4").family_members_with_points()[1]  # "o": two subpaths

    def steady(matrix: cairo.Matrix) -> tuple[list, list]:
        """Our path, drawn a third time in a row (from the cache), and Manim's."""
        paths = []
        for trace in [cam.set_cairo_context_path] * 3 + [
                lambda ctx, x: Camera.set_cairo_context_path(cam, ctx, x)]:
            ctx = cairo.Context(cairo.RecordingSurface(cairo.CONTENT_COLOR_ALPHA, None))
            ctx.set_matrix(matrix)
            trace(ctx, glyph)
            paths.append(list(ctx.copy_path()))
        return paths[2], paths[3]

    before, manims = steady(cairo.Matrix())
    assert before == manims
    glyph.points += [0.5, 0, 0]  # the same array, changed in place
    ours, manims = steady(cairo.Matrix())
    assert ours == manims != before
    before = ours
    glyph.tolerance_for_point_equality = 0.5  # joins the glyph's subpaths differently
    ours, manims = steady(cairo.Matrix())
    assert ours == manims != before
    ours, manims = steady(cairo.Matrix(xx=37.3, yy=-41.1, x0=400, y0=200))
    assert ours == manims

def test_rewind_runs_the_iteration_back_to_the_start_smoothly() -> None:
    """Before a replay (and the 3-D ride) the race runs back to iteration 0 instead of
    cutting to it: the iteration falls steadily, slowest at both ends."""
    tl = Timeline(50)
    tl.set(50)
    anim = tl.rewind(0.8).build()  # play() builds it so
    anim.begin()
    seen = []
    for a in np.linspace(0, 1, 9):
        anim.interpolate(a)
        seen.append(tl.iteration)
    assert seen[0] == 50 and seen[-1] == 0 and all(np.diff(seen) <= 0)
    assert 20 < seen[4] < 30  # halfway
    assert seen[0] - seen[1] < seen[3] - seen[4]  # eased, not a jump
    assert anim.run_time == pytest.approx(0.8)


def test_an_arrow_at_the_ball_has_a_head_for_its_length() -> None:
    """Made 0.01 units long and then stretched, the arrow had kept a 0.003-unit head
    (Manim keeps an arrow's tip size when it is scaled): a headless line."""
    from optiroll.scenes.kit.balls import VectorArrow

    s = dyn.surface("ravine")
    run = dyn.rollout(s, dyn.optimizer("gd", lr=0.02), (-2.4, 0.2), 5, record=("gradient",))
    tl = Timeline(5)
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        m = ContourMap(s, 9.0, 4.3, n_levels=4, resolution=60)
        arrow = VectorArrow(m, run.positions, run.gradient, tl, theme.FOREGROUND,
                            scale=0.05, sign=-1.0)
        for k in (0, 2):
            tl.set(k)
            arrow.follow()
            length = np.linalg.norm(arrow.get_end() - arrow.get_start())
            assert length > 0.3
            assert arrow.tip.length == pytest.approx(min(0.2, 0.3 * length), rel=0.05)
            assert np.allclose(arrow.get_start()[:2], m.c2p(*run.positions[k])[:2])


def test_an_arrow_leaving_the_map_ends_at_its_edge() -> None:
    """Nesterov's look-ahead gradient on the ravine (lr 0.1, beta 0.9) is longer than the
    map is tall: it had run up over the formula above the map. It is cut at the edge,
    along its own direction."""
    from optiroll.scenes.kit.balls import VectorArrow

    s = dyn.surface("ravine")
    run = dyn.rollout(s, dyn.optimizer("gd", lr=0.1), (-2.4, 0.2), 3, record=("gradient",))
    tl = Timeline(3)
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        m = ContourMap(s, 9.0, 4.3, n_levels=4, resolution=60)
        arrow = VectorArrow(m, run.positions, run.gradient, tl, theme.FOREGROUND, sign=-1.0)
    p, full_end = run.positions[0], run.positions[0] - run.gradient[0]
    assert not m.inside(full_end[None])[0]  # the whole vector leaves the map
    start, end = arrow.get_start(), arrow.get_end()
    np.testing.assert_allclose(start, m.c2p(*p), atol=1e-9)
    assert m.box.get_bottom()[1] - 1e-6 <= end[1] <= m.box.get_top()[1] + 1e-6
    assert min(abs(end[1] - m.box.get_bottom()[1]), abs(end[1] - m.box.get_top()[1])) < 1e-6
    along = m.c2p(*full_end) - start
    cut = end - start
    assert abs(along[0] * cut[1] - along[1] * cut[0]) < 1e-6 * np.linalg.norm(along) ** 2


def test_a_short_linear_axis_keeps_two_ticks_where_they_fit() -> None:
    """A short plot of v_y in [-1.7, 1.7] had only its "0" tick (the finer steps' labels
    would overlap): every other one of them, −1 and 1, gives the axis its scale."""
    from optiroll.scenes.kit.frame import PlotFrame

    with tempconfig({"pixel_width": W, "pixel_height": H}):
        frame = PlotFrame((0, 50), (-1.7, 1.7), 3.0, 1.0)
    labels = [t.text for t in frame.submobjects[-1]]
    assert labels[-2:] == ["−1", "1"], labels


@pytest.mark.parametrize("height", [0.6, 1.0, 2.0, 4.0])
def test_a_short_log_plot_keeps_a_scale(height: float) -> None:
    """A loss over nine decades on short axes had kept only its top decade (one label,
    no scale): two or more decade labels, as far apart as labels need."""
    loss = np.geomspace(100.0, 1e-6, 21)
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        plot = IterationPlot([loss], ["#ff0000"], Timeline(20), 5, height, y_label=None,
                             log_y=True)
    ys = [m.get_center()[1] for m in plot.y_tick_labels]
    assert len(ys) >= 2
    assert min(np.diff(ys)) >= 0.42 * 0.999 - 1e-9  # as far apart as frame.py's gap


def test_a_position_that_rounds_to_zero_has_no_minus_sign() -> None:
    """The legends of adaptive and saddle read "−0.000000" for a coordinate of −1e-9."""
    from optiroll.scenes.text import point_string

    assert point_string(-2.3825631, -1e-9) == "(−2.382563, 0.000000)"
    assert point_string(-0.0, -0.004, 2) == "(0.00, 0.00)"
    assert point_string(-0.006, 2.0, 2) == "(−0.01, 2.00)"


def test_orders_of_magnitude_are_rounded_to_the_nearest() -> None:
    """A ratio of 10^6.96 read "6 orders of magnitude": 7."""
    from optiroll.scenes.text import times

    assert times(10**6.96) == "7 orders of magnitude"
    assert times(10**6.4) == "6 orders of magnitude"
    assert times(3600.0) == "3,600×"


def test_tick_labels_meeting_at_the_corner_leave_one_out() -> None:
    """A view of x in [-2, 2], y in [-1, 3] put "−1" on top of "−2" at the bottom-left
    corner (curvature's map; a loss plot's "10⁻²" touched its "0"): the y label there is
    left out while the y axis keeps two or more; apart, both stay."""
    from optiroll.scenes.kit.frame import PlotFrame

    with tempconfig({"pixel_width": W, "pixel_height": H}):
        corner = PlotFrame((-2, 2), (-1, 3), 3.0, 3.0)
        apart = PlotFrame((-2.5, 2.5), (-1, 3), 3.0, 3.0)
    assert [t.text for t in corner.y_tick_labels] == ["0", "1", "2", "3"]
    assert [t.text for t in corner.x_tick_labels][0] == "−2"
    assert [t.text for t in apart.y_tick_labels][0] == "−1"
    for frame in (corner, apart):
        x0 = frame.x_tick_labels[0]
        for y in frame.y_tick_labels:
            gap = max(x0.get_left()[0] - y.get_right()[0], y.get_bottom()[1] - x0.get_top()[1])
            assert gap > 0.05


def test_levels_are_even_where_the_surface_falls_away_out_of_the_view() -> None:
    """learning_rate's constant slope L = 0.5x had its geometric levels bunched into a
    bright bar at the view's lowest edge; a basin inside the view keeps them."""
    from optiroll.scenes.kit.levels import LevelScale

    for name, view, log in (("0.5*x", ((-16, 1), (-1.5, 1.5)), False),
                            ("saddle", None, False), ("ravine", None, True),
                            ("wells", None, True)):
        s = dyn.surface(name, view=view) if view else dyn.surface(name)
        scale = LevelScale(s.grid(120)[2])
        assert scale.log is log, name
        if not log:
            np.testing.assert_allclose(np.diff(scale.levels), np.diff(scale.levels)[0])


def test_levels_of_a_flat_grid_and_of_a_spike_on_a_plateau() -> None:
    """A constant grid had its colour scale divide 0 by 0 (an IndexError deep in the
    colour map); a spike on an exact plateau had no levels below its 97th percentile."""
    from optiroll.scenes.kit.levels import LevelScale

    for Z in (np.ones((40, 60)), np.full((40, 60), np.nan)):
        scale = LevelScale(Z)
        assert len(scale.levels) == 0
        assert np.all(scale.fraction(np.array([0.0, 1.0, 5.0])) == 0)
        with tempconfig({"pixel_width": W, "pixel_height": H}):
            assert theme.colormap_hex(float(scale.fraction(1.0)))  # no IndexError
    s = dyn.surface("exp(-8000*(x**2+y**2))")
    Z = s.grid(120)[2]
    assert np.quantile(Z, 0.97) == 0 < Z.max()
    scale = LevelScale(Z)
    assert len(scale.levels) == 14 and scale.levels[-1] == Z.max()
    assert scale.fraction(Z.max()) == 1 and scale.fraction(0.0) == 0


def test_a_reference_label_stays_inside_its_plot() -> None:
    """learning_rate's "1/(1−β) = 10" sat on the frame's top and right borders (its line
    near the top): labels keep inside, below the line at its left end where the top is
    too near, above it at its right end elsewhere."""
    from optiroll.scenes.kit.plots import REFERENCE_INSET

    series = [10 * (1 - 0.9 ** np.arange(1, 42)), 2 * (1 - 0.5 ** np.arange(1, 42))]
    tl = Timeline(40)
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        plot = IterationPlot(series, ["#2EC28E", "#56B4E9"], tl, 5, 2.5, y_label=None,
                             references=[(10.0, "1/(1−β) = 10", None),
                                         (2.0, "1/(1−β) = 2", None)])
    box = plot.box
    for (_line, text), value in zip(plot.references, (10.0, 2.0), strict=True):
        assert text.get_top()[1] <= box.get_top()[1] - REFERENCE_INSET + 1e-9
        assert text.get_right()[0] <= box.get_right()[0] - REFERENCE_INSET + 1e-9
        above = text.get_bottom()[1] > plot.c2p(0, value)[1]
        assert above == (value == 2.0)  # the top one went below its line
