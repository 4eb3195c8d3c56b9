"""Balls that meet stay in sight: a ball drawn over another where they overlap is drawn
smaller (rings in rings), on the 2-D map and on the 3-D surface; apart, every ball is
full size. Before, the last ball to arrive at a minimum hid the others."""

from __future__ import annotations

import numpy as np
import pytest
from manim import tempconfig
from optiroll import dynamics as dyn
from optiroll.scenes.kit import Ball, ContourMap, Timeline, theme
from optiroll.scenes.kit.balls import NEST, nest, nested_scale
from optiroll.scenes.kit.camera3d import Camera, View
from optiroll.scenes.kit.surface3d import Ball3D, SurfaceRenderer

W, H = 640, 360


def test_nested_scale_shrinks_with_the_overlap() -> None:
    assert 0.4 <= NEST <= 0.7  # an inner ball clearly smaller, still a ball
    here = np.zeros(2)
    assert nested_scale(here, [], 0.2) == 1.0
    assert nested_scale(here, [(np.array([0.3, 0.0]), 1.0)], 0.2) == 1.0  # clear of it
    assert nested_scale(here, [(here, 1.0)], 0.2) == pytest.approx(NEST)
    assert nested_scale(here, [(np.array([0.1, 0.0]), 1.0)], 0.2) == pytest.approx(
        NEST + (1 - NEST) / 2)  # half way
    # a third ball at the point is nested in the second, which is nested in the first
    assert nested_scale(here, [(here, 1.0), (here, NEST)], 0.2) == pytest.approx(NEST ** 2)


def test_balls_at_one_point_on_the_map_show_as_rings_and_grow_back_apart() -> None:
    s = dyn.surface("ravine")
    together = np.zeros((3, 2)) + [-1.0, 0.1]
    apart = np.array([[-1.0, 0.1], [-1.0, 0.1], [1.0, -0.1]])
    tl = Timeline(2)
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        m = ContourMap(s, 9.0, 4.3, n_levels=4, resolution=40)
        balls = nest([Ball(m, together, tl, theme.VERMILLION),
                      Ball(m, apart, tl, theme.SKY_BLUE),
                      Ball(m, together, tl, theme.BLUISH_GREEN)])
        full = balls[0].width
        for b in balls:  # as the scene updates them: in drawing order
            b.follow()
        widths = [b.width / full for b in balls]
        assert widths == pytest.approx([1.0, NEST, NEST ** 2])
        assert np.allclose(balls[2].get_center(), balls[0].get_center())
        tl.set(2)  # the blue ball rolled away: full size; green now sits on red alone
        for b in balls:
            b.follow()
        assert [b.width / full for b in balls] == pytest.approx([1.0, 1.0, NEST])


def test_two_balls_at_one_point_on_the_surface_both_show() -> None:
    """From above, at the point two balls share: the later ball's colour at the
    centre, the first ball's in a ring around it."""
    s = dyn.surface("bowl")
    with tempconfig({"pixel_width": W, "pixel_height": H}):
        m = ContourMap(s, 6, 6, n_levels=4, resolution=40, axis_labels=False)
        r = SurfaceRenderer(m, mesh=16, ball_radius=0.3)
        cam = Camera(-90, 89, 1.0)
        p = np.array([[0.5, 0.5]])
        balls = [Ball3D(p, theme.VERMILLION), Ball3D(p, theme.SKY_BLUE)]
        img = r.render(W, H, cam, 1.0, balls, 0.0, trail_opacity=0.0)
        view = View(r, W, H, cam, 1.0)
        centre_w = r.world(p, r.surface.value(p), 1.0)[0] + [0, 0, r.ball_radius]
        x, y = view.project(centre_w[None])[0][0]
        r_px = r.ball_radius * view.px_per_unit * float(view.magnification(
            (centre_w - view.target) @ view.d))

    def hue(px: np.ndarray) -> str:
        red, _, blue = px[:3].astype(int)
        return "red" if red > blue + 20 else "blue" if blue > red + 20 else "grey"

    assert hue(img[int(y), int(x)]) == "blue"  # the inner ball, drawn last
    ring = (NEST + 1) / 2 * r_px  # between the inner ball's edge and the outer one's
    assert [hue(img[int(y + dy), int(x + dx)]) for dx, dy in
            ((ring, 0), (-ring, 0), (0, ring), (0, -ring))] == ["red"] * 4
