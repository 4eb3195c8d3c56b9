"""The Swarm kit piece: every ball a dot where its rollout is, white until it settles,
then its minimum's colour; balls off the frame are not drawn; dots are true circles."""

from __future__ import annotations

import numpy as np
from manim import tempconfig
from optiroll import dynamics as dyn
from optiroll.scenes.kit import ContourMap, Timeline
from optiroll.scenes.kit.swarm import CIRCLE, Swarm


def test_circle_template_is_a_circle() -> None:
    curves = CIRCLE.reshape(-1, 4, 3)
    for t in np.linspace(0, 1, 9):
        b = ((1 - t) ** 3 * curves[:, 0] + 3 * (1 - t) ** 2 * t * curves[:, 1]
             + 3 * (1 - t) * t ** 2 * curves[:, 2] + t ** 3 * curves[:, 3])
        np.testing.assert_allclose(np.linalg.norm(b[:, :2], axis=1), 1.0, atol=1e-5)


def test_dots_follow_the_rollout_and_take_their_colours() -> None:
    s = dyn.surface("wells")
    starts = np.array([[2.0, 2.0], [-2.0, -1.0], [3.0, -3.0], [30.0, 30.0]])
    positions = np.repeat(starts[:, None, :], 5, axis=1)  # (4 balls, 5 iterates, 2)
    positions[0, 2:] = s.minima[0]  # ball 0 moves onto minimum 0 at step 2
    labels = np.array([0, 1, -1, 2])
    arrivals = np.array([2, 4, -1, 0])
    with tempconfig({"pixel_width": 320, "pixel_height": 180}):
        m = ContourMap(s, 4, 4, axis_labels=False)
        tl = Timeline(4)
        swarm = Swarm(m, positions, labels, arrivals, ["#ff0000", "#00ff00", "#0000ff"], tl,
                      radius=0.05)

        def centres(g: int) -> np.ndarray:
            pts = swarm.groups[g].points.reshape(-1, 32, 3)
            return pts.mean(axis=1)

        tl.set(0)
        swarm.follow()
        assert len(centres(0)) == 3  # white: balls 0-2; ball 3 is off the map
        np.testing.assert_allclose(centres(0), m.c2p_array(starts[:3]), atol=1e-9)
        tl.set(3)
        swarm.follow()
        np.testing.assert_allclose(centres(1), m.c2p_array(np.array([s.minima[0]])))
        assert len(centres(0)) == 2 and len(centres(2)) == 0  # ball 1 settles at step 4
        tl.set(4)
        swarm.follow()
        assert [len(centres(g)) for g in range(4)] == [1, 1, 1, 0]
