"""Depth-correct 3-D: a hill hides the balls, trails and contours behind it."""

from __future__ import annotations

import numpy as np
import pytest
from manim import tempconfig
from optiroll import dynamics as dyn
from optiroll.scenes.kit import ContourMap, theme
from optiroll.scenes.kit.camera3d import Camera, View
from optiroll.scenes.kit.surface3d import Ball3D, SurfaceRenderer

W, H = 640, 360
HILL = "2*exp(-2*(x**2 + y**2))"  # one round hill in the middle of [-2, 2]^2
SOUTH = Camera(-90, 12, 1.0, perspective=0.5)  # low, looking north over the hill
NORTH = Camera(90, 12, 1.0, perspective=0.5)  # low, from the other side
BEHIND = np.array([[0.0, 1.8]])  # on the flat north of the hill: behind it from the south


@pytest.fixture(scope="module")
def hill() -> SurfaceRenderer:
    s = dyn.surface(HILL, view=((-2, 2), (-2, 2)))
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        m = ContourMap(s, 6, 6, n_levels=8, resolution=80, axis_labels=False)
        return SurfaceRenderer(m, mesh=40, height=2.5, ball_radius=0.2)


def drawn(r: SurfaceRenderer, cam: Camera, balls: list[Ball3D], **kw: float) -> np.ndarray:
    """Pixels where the balls (and trails) change the picture."""
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        bare = r.render(W, H, cam, 1.0, [], 0.0, **kw).astype(int)
        img = r.render(W, H, cam, 1.0, balls, 10.0, **kw).astype(int)
    return np.abs(img - bare).max(axis=-1) > 8


def projected(r: SurfaceRenderer, cam: Camera, p: np.ndarray) -> np.ndarray:
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        view = View(r, W, H, cam, 1.0)
    c = r.world(p, r.surface.value(p), 1.0)[0] + [0, 0, r.ball_radius]
    return view.project(c[None])[0][0]


def test_a_ball_behind_the_hill_is_hidden_and_reappears(hill: SurfaceRenderer) -> None:
    ball = [Ball3D(BEHIND, theme.VERMILLION)]
    assert not drawn(hill, SOUTH, ball, trail_opacity=0.0).any()
    seen = drawn(hill, NORTH, ball, trail_opacity=0.0)
    rows, cols = np.nonzero(seen)
    x, y = projected(hill, NORTH, BEHIND)
    assert len(rows) > 100
    assert abs(cols.mean() + 0.5 - x) < 2 and abs(rows.mean() + 0.5 - y) < 2


def test_a_ball_beside_the_hill_is_not_hidden(hill: SurfaceRenderer) -> None:
    """The test is not passing because nothing is ever drawn from the south."""
    beside = np.array([[1.6, 1.2]])
    rows, cols = np.nonzero(drawn(hill, SOUTH, [Ball3D(beside, theme.VERMILLION)],
                                  trail_opacity=0.0))
    x, y = projected(hill, SOUTH, beside)
    assert len(rows) > 100 and abs(cols.mean() + 0.5 - x) < 2 and abs(rows.mean() + 0.5 - y) < 2


def test_a_ball_at_the_skyline_is_cut_by_it(hill: SurfaceRenderer,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Half behind the hill's flank: part of the ball is drawn, pixel by pixel."""
    cam = Camera(-90, 12, 1.6, perspective=0.5)
    ball = [Ball3D(np.array([[0.9, 1.0]]), theme.VERMILLION)]
    part = drawn(hill, cam, ball, trail_opacity=0.0).sum()
    monkeypatch.setattr(hill, "occluded", lambda P, view: np.zeros(len(P), dtype=bool))
    whole = drawn(hill, cam, ball, trail_opacity=0.0).sum()
    assert 0.1 * whole < part < 0.8 * whole, (part, whole)


def test_a_trail_behind_the_hill_is_hidden_where_the_hill_is(hill: SurfaceRenderer) -> None:
    """A trail running west to east behind the hill shows its two ends only."""
    xs = np.linspace(-1.8, 1.8, 13)
    trail = Ball3D(np.stack([xs, np.full_like(xs, 1.7)], -1), theme.SKY_BLUE)
    south = drawn(hill, SOUTH, [trail], contour_opacity=0.0)
    north = drawn(hill, NORTH, [trail], contour_opacity=0.0)
    assert north.sum() > 2 * south.sum() > 0
    # from the south, nothing is drawn over the middle of the hill
    x_mid, _ = projected(hill, SOUTH, np.array([[0.0, 0.0]]))
    assert not south[:, int(x_mid) - 20:int(x_mid) + 20].any()


def test_contours_behind_the_hill_are_hidden(hill: SurfaceRenderer) -> None:
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        view = View(hill, W, H, SOUTH, 1.0)
        pts, level, _ = max(hill.contours, key=lambda c: len(c[0]))
        W_ = hill.world(pts, np.full(len(pts), level), 1.0)
        hidden = hill.occluded(W_, view)
    behind = pts[:, 1] > 0.6  # the far side of a ring around the hill
    assert hidden[behind & (np.abs(pts[:, 0]) < 0.3)].all()
    assert not hidden[pts[:, 1] < -0.3].any()  # the near side is in front


@pytest.mark.parametrize("cam", [SOUTH, Camera(-90, 12, 1.6, perspective=0.5), Camera()])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_point_that_is_not_finite_is_hidden_and_leaves_the_others_alone(
        hill: SurfaceRenderer, cam: Camera, bad: float) -> None:
    """A NaN or inf point used to crash the occlusion test (``int(nan)`` for its ray's
    reach); it is hidden, and the finite points get the answers they get without it."""
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        view = View(hill, W, H, cam, 1.0)
        pts, level, _ = max(hill.contours, key=lambda c: len(c[0]))
        P = hill.world(pts, np.full(len(pts), level), 1.0)
        alone = hill.occluded(P, view)
        mixed = P.copy()
        for i, axis in ((0, 0), (len(P) // 2, 1), (len(P) - 1, 2)):
            mixed = np.insert(mixed, i, P[i], axis=0)
            mixed[i, axis] = bad
        good = np.isfinite(mixed).all(axis=1)
        hidden = hill.occluded(mixed, view)
    assert (~good).sum() == 3 and hidden[~good].all()
    np.testing.assert_array_equal(hidden[good], alone)
    if cam is SOUTH:  # the points have both answers to keep
        assert alone.any() and not alone.all()


@pytest.mark.parametrize("cam", [Camera(), Camera(-90, 90, 1.0, perspective=1.0)])
def test_looking_straight_down_nothing_is_hidden(hill: SurfaceRenderer, cam: Camera) -> None:
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        view = View(hill, W, H, cam, 1.0)
    P = hill.world(hill.grid_xy.reshape(-1, 2), hill.grid_z.ravel(), 1.0)
    assert not hill.occluded(P, view).any()


def test_a_flat_map_hides_nothing(hill: SurfaceRenderer) -> None:
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        view = View(hill, W, H, SOUTH, 0.0)
    P = hill.world(hill.grid_xy.reshape(-1, 2), hill.grid_z.ravel(), 0.0)
    assert not hill.occluded(P, view).any()


def test_faces_are_painted_in_height_field_order(hill: SurfaceRenderer) -> None:
    """From low in the south, the hill's (dark, high) faces are painted over the (light,
    low) ground behind it."""
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        img = hill.render(W, H, SOUTH, 1.0, [], 0.0, contour_opacity=0.0).astype(float)
        view = View(hill, W, H, SOUTH, 1.0)
        ground = hill.world(BEHIND, hill.surface.value(BEHIND), 1.0)
        (x, y), = view.project(ground)[0]
        (xn, yn), = view.project(hill.world(np.array([[1.9, 1.9]]),
                                            hill.surface.value(np.array([[1.9, 1.9]])),
                                            1.0))[0]
    hidden_ground = img[int(y), int(x), :3]
    open_ground = img[int(yn), int(xn), :3]  # the same low ground where nothing is in front
    assert hidden_ground.sum() < open_ground.sum() - 30, (hidden_ground, open_ground)


def test_an_underside_seen_from_low_stands_out_from_the_background() -> None:
    """A bowl seen from just above its rim: the near half shows its underside. Its dark
    colour-map end shaded for the underside had been as dark as the background (a hole
    where the surface curls up towards the camera); mixed with a grey it reads as a sheet."""
    s = dyn.surface("bowl")
    low = Camera(-90, 8, 1.0, perspective=0.6)
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        m = ContourMap(s, 6, 6, n_levels=8, resolution=60, axis_labels=False)
        r = SurfaceRenderer(m, mesh=32, height=2.0)
        img = r.render(W, H, low, 1.0, [], 0.0, contour_opacity=0.0).astype(float)
        view = View(r, W, H, low, 1.0)
    near = np.array([[0.0, -1.9]])  # the bowl's near rim, seen from outside (below)
    (x, y), = view.project(r.world(near, s.value(near), 1.0))[0]
    column = img[int(y) + 2:int(y) + 30, int(x), :]  # just below the rim: the underside
    covered = column[column[:, 3] == 255, :3]
    assert len(covered) > 10
    background = np.array([int(theme.BACKGROUND[i:i + 2], 16) for i in (1, 3, 5)], float)
    assert (covered.mean(axis=1) - background.mean()).min() > 25, covered[:3]


MESA = "4*exp(-((x - 1.2)**2 + (y - 1.2)**2)**3) + 0.05*(x**2 + y**2)"  # a tall mesa, off centre


def test_from_straight_above_with_perspective_a_tall_hill_hides_what_is_behind_it() -> None:
    """Looking straight down through a pinhole, the rays fan out: a mesa off centre hides
    the ball beyond it from the eye above the centre (it had been drawn on the mesa's
    top, with the contours round its foot). Without perspective nothing is hidden."""
    s = dyn.surface(MESA, view=((-3, 3), (-3, 3)))
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        m = ContourMap(s, 6, 6, n_levels=8, resolution=80, axis_labels=False)
        r = SurfaceRenderer(m, mesh=48, height=6.0, ball_radius=0.15)
    beyond = [Ball3D(np.array([[2.6, 2.6]]), theme.VERMILLION)]
    above = Camera(-135, 90, 1.0, perspective=1.0)
    assert not drawn(r, above, beyond, trail_opacity=0.0).any()
    assert drawn(r, Camera(-135, 90, 1.0), beyond, trail_opacity=0.0).sum() > 50
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        view = View(r, W, H, above, 1.0)
        pts, level, _ = min(r.contours, key=lambda c: abs(c[1] - 1.2))  # round the foot
        hidden = r.occluded(r.world(pts, np.full(len(pts), level), 1.0), view)
    far = (pts[:, 0] > 1.2) & (pts[:, 1] > 1.2)
    assert hidden[far].mean() > 0.8 and not hidden[~far].all()


def test_a_ball_on_a_face_turned_away_shows_over_the_crest() -> None:
    """From low, a ball on Himmelblau's central hill sits on faces turned away from the
    camera (the hill falls away from it more steeply than the view's slope), yet stands
    above the crest in plain view: it is drawn (every such ball had been skipped: two of
    four balls at the start of a low fly-by)."""
    s = dyn.surface("himmelblau", view=((-4.5, 4.5), (-4.2, 4.2)))
    low = Camera(150, 12, 1.0)
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        m = ContourMap(s, 6, 5.6, n_levels=8, resolution=80, axis_labels=False)
        r = SurfaceRenderer(m, height=3.0, ball_radius=0.12)
        view = View(r, W, H, low, 1.0)
    start = np.array([[0.3, -1.4]])
    V = r.world(r.grid_xy, r.grid_z, 1.0)
    n = np.cross(V[1:, 1:] - V[:-1, :-1], V[:-1, 1:] - V[1:, :-1]).reshape(-1, 3)
    n[n[:, 2] < 0] *= -1
    assert (n @ view.d)[r._face_index(start)][0] < 0  # the face under it is turned away
    seen = drawn(r, low, [Ball3D(start, theme.VERMILLION)], trail_opacity=0.0)
    rows, cols = np.nonzero(seen)
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        c = r.world(start, s.value(start), 1.0)[0] + [0, 0, r.ball_radius]
        (x, y), = view.project(c[None])[0]
    assert len(rows) > 30 and abs(cols.mean() + 0.5 - x) < 3 and abs(rows.mean() + 0.5 - y) < 3


@pytest.mark.parametrize("elevation, target_z", [(15, 2.0), (20, 0.0), (35, 0.5), (60, 0.0)])
@pytest.mark.parametrize("perspective", [0.0, 0.5, 1.0])
def test_a_face_shows_its_underside_exactly_where_the_eye_is_below_its_plane(
        elevation: float, target_z: float, perspective: float) -> None:
    """On a tilted plane every face has the eye on one side: above it (the upper side is
    seen) or below it (the underside). Judged by the view's central direction alone, a
    perspective camera got it wrong for whole views (and for strips along a near edge
    and silhouettes of curved surfaces)."""
    s = dyn.surface("y", view=((-2, 2), (-2, 2)))
    cam = Camera(90, elevation, 1.0, target=(0.0, 0.0, target_z), perspective=perspective)
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        m = ContourMap(s, 6, 6, n_levels=4, resolution=40, axis_labels=False)
        r = SurfaceRenderer(m, mesh=16, height=2.0, clip_quantile=1.0)  # a plane, unclipped
        view = View(r, W, H, cam, 1.0)
    V = r.world(r.grid_xy, r.grid_z, 1.0)
    centres = ((V[:-1, :-1] + V[1:, 1:] + V[:-1, 1:] + V[1:, :-1]) / 4).reshape(-1, 3)
    n = np.cross(V[1:, 1:] - V[:-1, :-1], V[:-1, 1:] - V[1:, :-1]).reshape(-1, 3)
    n[n[:, 2] < 0] *= -1
    if perspective:
        eye = view.eye
    else:  # orthographic: an eye far along the view direction
        eye = np.asarray(cam.target) + 1e6 * view.d
    plane_at_eye = np.interp(eye[1], V[:, 0, 1], V[:, 0, 2], left=np.nan, right=np.nan)
    if np.isnan(plane_at_eye):  # the plane is z = a + b y: extend it
        b = (V[-1, 0, 2] - V[0, 0, 2]) / (V[-1, 0, 1] - V[0, 0, 1])
        plane_at_eye = V[0, 0, 2] + b * (eye[1] - V[0, 0, 1])
    above = eye[2] > plane_at_eye
    np.testing.assert_array_equal(view.facing(n, centres) > 0, np.full(len(n), above))


def test_a_hill_above_the_clip_levels_off_smoothly() -> None:
    """Heights above the 98 % quantile had been cut flat, and the flat top's edge followed
    the mesh's cells in steps (a crenellated tower): they level off in a rounded
    shoulder, the same below its knee, rising all the way, never past the clip."""
    from optiroll.scenes.kit.surface3d import CLIP_SOFTNESS

    s = dyn.surface("5*exp(-(x**2 + y**2)) + 0.1*(x**2 + y**2)", view=((-3, 3), (-3, 3)))
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        m = ContourMap(s, 6, 6, n_levels=6, resolution=60, axis_labels=False)
        r = SurfaceRenderer(m, mesh=32)
    c, w = r.zclip, CLIP_SOFTNESS * (r.zclip - r.zmin)
    z = np.linspace(r.zmin, float(np.nanmax(r.grid_z)), 2001)
    h = r.clipped(z)
    below = z <= c - w
    np.testing.assert_array_equal(h[below], z[below])
    assert np.all(np.diff(h) > 0) and np.all(h < c)
    slopes = np.diff(h) / np.diff(z)
    assert abs(slopes[below[1:]][-1] - 1) < 1e-2 and abs(slopes[~below[1:]][0] - 1) < 1e-2
    top = r.clipped(r.grid_z)  # no flat top: only the highest points are the highest
    peak = np.count_nonzero(r.grid_z == r.grid_z.max())
    assert np.count_nonzero(top == top.max()) == peak
    assert np.count_nonzero(np.minimum(r.grid_z, c) == c) > 4 * peak  # a cut was flat


@pytest.mark.parametrize("color", [theme.SKY_BLUE, theme.VERMILLION, theme.BLUISH_GREEN])
def test_a_3d_ball_shows_its_runs_colour(hill: SurfaceRenderer, color: str) -> None:
    """The ball's shading ran from white to dark: a sky-blue ball on the blue surface read
    as pale grey. Most of it is now the legend's colour."""
    where = np.array([[1.6, 1.2]])
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        img = hill.render(W, H, SOUTH, 1.0, [Ball3D(where, color)], 10.0,
                          trail_opacity=0.0).astype(int)
        view = View(hill, W, H, SOUTH, 1.0)
    x, y = projected(hill, SOUTH, where)
    rows, cols = np.mgrid[0:H, 0:W]
    r_px = hill.ball_radius * view.px_per_unit * 0.6  # well inside the ball
    inside = np.hypot(cols + 0.5 - x, rows + 0.5 - y) < r_px
    want = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)])
    median = np.median(img[inside][:, :3], axis=0)
    assert np.abs(median - want).max() < 40, (median, want)


def test_a_3d_trail_has_a_dark_casing(hill: SurfaceRenderer,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A trail is stroked over a wider, darker casing: beside its colour the surface is
    darker than without the trail (a sky-blue trail had melted into the blue surface)."""
    from optiroll.scenes.kit import surface3d

    xs = np.linspace(-1.8, 1.8, 13)
    trail = [Ball3D(np.stack([xs, np.full_like(xs, -1.7)], -1), theme.SKY_BLUE)]
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        bare = hill.render(W, H, SOUTH, 1.0, [], 0.0, contour_opacity=0.0).astype(int)
        cased = hill.render(W, H, SOUTH, 1.0, trail, 20.0, contour_opacity=0.0).astype(int)
        monkeypatch.setattr(surface3d, "CASING_ALPHA", 0.0)
        plain = hill.render(W, H, SOUTH, 1.0, trail, 20.0, contour_opacity=0.0).astype(int)
    edge = (np.abs(cased - plain).max(axis=-1) > 8) & (np.abs(plain - bare).max(axis=-1) <= 8)
    assert edge.sum() > 100  # the casing reaches past the coloured stroke
    assert (cased[edge, :3].sum(axis=1) < bare[edge, :3].sum(axis=1)).mean() > 0.9


def test_two_trails_that_run_together_are_not_striped(hill: SurfaceRenderer) -> None:
    """Two runs along one path (GD with and without a little noise): their trail pieces,
    sorted by depths that differ by rounding, alternated colour piece by piece. At one
    depth step the later run is painted on top all along."""
    xs = np.linspace(-1.8, 1.8, 25)
    path = np.stack([xs, np.full_like(xs, -1.6)], -1)
    wobble = path + np.array([0.0, 1e-4]) * np.sin(np.arange(len(xs)))[:, None]
    balls = [Ball3D(path, theme.VERMILLION), Ball3D(wobble, theme.YELLOW)]
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        img = hill.render(W, H, NORTH, 1.0, balls, 24.0, contour_opacity=0.0).astype(int)

    x, y = projected(hill, NORTH, path[-1:])
    rows, cols = np.mgrid[0:H, 0:W]
    trail_only = np.hypot(cols - x, rows - y) > 40  # not the balls (rings in rings there)

    def near(color: str) -> np.ndarray:
        rgb = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)])
        return (np.abs(img[..., :3] - rgb).max(axis=-1) < 40) & trail_only

    under, over = near(theme.VERMILLION).sum(), near(theme.YELLOW).sum()
    assert over > 50 and under < 0.1 * over, (under, over)


def test_the_minima_are_starred_on_the_3d_surface() -> None:
    """The 2-D map stars the known minima; the 3-D view had none (the balls rolled
    towards an unmarked spot). A star as large as a ball is drawn where the depth test
    leaves the minimum visible."""
    s = dyn.surface("wells")
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        m = ContourMap(s, 6, 6, n_levels=8, resolution=80, axis_labels=False)
        starred = SurfaceRenderer(m, height=2.0, minima=True)
        plain = SurfaceRenderer(m, height=2.0)
        cam = Camera(-90, 50, 0.9, perspective=0.5)
        a = starred.render(W, H, cam, 1.0, [], 0.0).astype(int)
        b = plain.render(W, H, cam, 1.0, [], 0.0).astype(int)
        view = View(starred, W, H, cam, 1.0)
    assert len(starred.minima_xy) == 3 and len(plain.minima_xy) == 0
    changed = np.abs(a - b).max(axis=-1) > 40
    for p in starred.minima_xy:
        w = starred.world(p[None], s.value(p[None]), 1.0) + [0, 0, starred.ball_radius * 0.3]
        (x, y), = view.project(w)[0]
        near = changed[int(y) - 6:int(y) + 7, int(x) - 6:int(x) + 7]
        assert near.sum() > 10, p  # a star there
        assert a[int(y), int(x), :3].mean() > 180  # white, over the surface's blue
    assert changed.sum() < 3 * 13 * 13  # nothing else changed


def test_the_closing_camera_rises_until_a_ball_behind_the_hill_shows(hill: SurfaceRenderer) -> None:
    """A flight that ends low in the south leaves a ball north of the hill hidden; the
    closing settle rises to the lowest elevation that shows it (and no higher: 2 degrees
    lower still hides it), fitted into the closing box, from the flight's own last
    pose. A ball the last pose shows keeps that pose's elevation."""
    from optiroll.scenes.kit.camera3d import CameraPath

    region, closing = (-6.0, 2.0, -3.5, 3.5), (-6.0, 0.0, -1.0, 3.5)
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        path = CameraPath(hill, [(-90, 40, 1.0), (-90, 12, 1.0)], region, perspective=0.5)

        def hides(cam: Camera) -> bool:
            c = hill.world(BEHIND, hill.surface.value(BEHIND), 1.0) + [0, 0, hill.ball_radius]
            return bool(hill.occluded(c, View(hill, W, H, cam, 1.0))[0])

        last = path.at(1.0)
        assert hides(last)
        el = path.revealing_elevation(BEHIND, closing)
        assert 12 < el < 90
        end = path.settle(1.0, closing, el)
        assert end.elevation == el and not hides(end)
        assert hides(path.settle(1.0, closing, el - 2))
        left, right, bottom, top = hill.extent(end, 1.0)
        assert closing[0] - 1e-9 <= left and right <= closing[1] + 1e-9
        assert closing[2] - 1e-9 <= bottom and top <= closing[3] + 1e-9
        start = path.settle(0.0, closing, el)  # the settle starts where the flight ended
        assert start.elevation == last.elevation
        np.testing.assert_allclose([start.zoom, *start.screen], [last.zoom, *last.screen],
                                   rtol=1e-12)
        beside = np.array([[1.6, 1.2]])
        assert path.revealing_elevation(beside, closing) == 12
        assert path.revealing_elevation(np.zeros((0, 2)), closing) == 12  # no ball at rest
        overhead = CameraPath(hill, [(-90, 90, 1.0)], region, perspective=0.0)
        assert overhead.revealing_elevation(BEHIND, closing) == 90


def test_the_closing_looks_for_the_balls_where_the_view_draws_them(hill: SurfaceRenderer) -> None:
    """The balls the closing camera must show: each run's last finite iterate (a run
    whose last step is not finite is drawn at the one before), not a run that left the
    map for good or never had a finite iterate."""
    from types import SimpleNamespace

    from optiroll.scenes.kit.timeline import Timeline
    from optiroll.scenes.lesson.acts.closing import resting_balls

    nan = [np.nan, np.nan]
    runs = {"rests": [[0.5, 0.5], [1.0, 1.0], [1.2, 1.1]],
            "last step lost": [[0.5, 0.5], [-1.0, 0.4], nan],
            "left the map": [[0.5, 0.5], [1.9, 0.0], [3.0, 0.0]],
            "never finite": [nan, nan, nan]}
    view = SimpleNamespace(timeline=Timeline(2), renderer3d=hill,
                           balls3d=[Ball3D(np.array(p, float), theme.VERMILLION)
                                    for p in runs.values()])
    np.testing.assert_array_equal(resting_balls(view), [[1.2, 1.1], [-1.0, 0.4]])


def test_the_compiled_face_filler_paints_the_pythons_pixels(
        hill: SurfaceRenderer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The faces filled in C (while a helper thread computes the overlays' geometry)
    and in Python: the same cairo calls, the same bytes, from above, from low (faces seen
    from behind) and with a ball behind the hill; the filler checks what it is given.
    Without a C compiler the filler is not built and the test is skipped, except under
    `make test` (OPTIROLL_REQUIRE_FILLER=1: the machines the Makefile sets up build it)."""
    import os

    import cairo
    from optiroll.scenes.kit import faces

    if faces.COMPILED is None:
        assert not os.environ.get("OPTIROLL_REQUIRE_FILLER"), (
            "scenes/kit/_faces.c was not built or not loaded (setup.py, kit/faces.py)")
        pytest.skip("the compiled face filler was not built (no C compiler or cairo headers)")
    run = dyn.rollout(hill.surface, dyn.optimizer("momentum", lr=0.05, beta=0.9), (-1.6, 1.7),
                      40)
    balls = [Ball3D(run.positions, theme.VERMILLION), Ball3D(BEHIND, theme.SKY_BLUE)]
    shots = [(Camera(-90, 90, 1.0), 0.0), (SOUTH, 1.0), (NORTH, 1.0),
             (Camera(-120, 30, 0.9, perspective=1.0), 0.7)]
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        compiled = [hill.render(W, H, cam, lift, balls, 25.5) for cam, lift in shots]
        monkeypatch.setattr(faces, "COMPILED", None)
        python = [hill.render(W, H, cam, lift, balls, 25.5) for cam, lift in shots]
    for a, b in zip(compiled, python, strict=True):
        assert a.tobytes() == b.tobytes()
    ctx = cairo.Context(cairo.ImageSurface(cairo.FORMAT_ARGB32, 8, 8))
    fill = faces._load().fill_faces
    with pytest.raises(TypeError, match="must be a cairo.Context"):
        fill("not a context", np.zeros((1, 11)))
    with pytest.raises(ValueError, match="11 numbers a face"):
        fill(ctx, np.zeros((2, 10)))
    with pytest.raises(ValueError, match="float64"):
        fill(ctx, np.zeros((1, 11), np.float32))
    fill(ctx, np.zeros((0, 11)))  # no face: nothing to do
    done = cairo.ImageSurface(cairo.FORMAT_ARGB32, 8, 8)
    done.finish()
    with pytest.raises(cairo.Error, match="finished"):  # as pycairo raises it
        fill(cairo.Context(done), np.zeros((1, 11)))
    assert not faces._load().same_cairo(np.__file__)  # not a library that calls cairo


def test_the_helper_thread_keeps_the_callers_context() -> None:
    """The overlays' geometry runs in a helper thread beside the compiled filler: in
    the caller's context (numpy's error state), and its exception reaches the caller
    once the faces are done."""
    import cairo
    from optiroll.scenes.kit import faces

    if faces.COMPILED is None:
        pytest.skip("the compiled face filler was not built")
    ctx = cairo.Context(cairo.ImageSurface(cairo.FORMAT_ARGB32, 8, 8))
    rows = np.zeros((3, 11))
    with np.errstate(divide="raise"), pytest.raises(FloatingPointError):
        faces.fill_while(ctx, rows, lambda: np.float64(1.0) / np.float64(0.0))
    with np.errstate(divide="ignore"):
        assert faces.fill_while(ctx, rows, lambda: np.float64(1.0) / np.float64(0.0)) == np.inf
