"""``kit/bounds.py`` gives Manim's own box numbers from one numpy pass."""

from __future__ import annotations

import numpy as np
import pytest
from manim import (
    DL,
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UL,
    UP,
    UR,
    Dot,
    Group,
    Line,
    Star,
    Text,
    VectorizedPoint,
    VGroup,
    VMobject,
)
from optiroll import dynamics as dyn
from optiroll.scenes.kit.bounds import anchor_box, center, critical_point, spans
from optiroll.scenes.kit.contour import ContourMap


def _samples() -> dict[str, object]:
    text = Text("Loss 0.0123, β = 0.9", font_size=30).shift([0.3, -1.1, 0])
    one_point = VMobject()
    one_point.set_points(np.array([[0.25, -0.5, 0.0]]))
    curve = VMobject().set_points_smoothly([[0, 0, 0], [1, 2, 0], [3, -1, 0], [4, 0.5, 0]])
    ravine = ContourMap(dyn.surface("ravine"), 6.0, 4.0, n_levels=8, resolution=60)
    ravine.rotate(0.3).scale(0.77).shift([1.1, 0.4, 0])
    return {
        "text": text, "dot": Dot([1.5, 2.0, 0]), "line": Line([-1, 0.2, 0], [2, 1.7, 0]),
        "star": Star(outer_radius=0.4).shift(LEFT), "one point": one_point,
        "curve (handles beyond its anchors)": curve,
        "group of vector mobjects": VGroup(text.copy(), Dot(), curve.copy().shift(UP * 3)),
        "plain Group": Group(curve.copy(), Dot([-2, -2, 0])), "contour map": ravine,
        "vectorized point": VectorizedPoint([0.5, 1.5, 0]),
    }


@pytest.mark.parametrize("name", list(_samples()))
def test_the_same_numbers_as_manim(name: str) -> None:
    m = _samples()[name]
    assert np.array_equal(center(m), m.get_center())
    for d in (UL, UR, DL, DOWN, LEFT, RIGHT, UP, ORIGIN):
        assert np.array_equal(critical_point(m, d), m.get_critical_point(d)), d
    assert tuple(spans(m)) == (m.width, m.height, m.depth)
    lo, hi = anchor_box(m)
    assert (lo[0], hi[0], lo[1], hi[1]) == (m.get_left()[0], m.get_right()[0],
                                            m.get_bottom()[1], m.get_top()[1])


def test_a_curve_whose_handles_stick_out_is_measured_as_manim_measures_it() -> None:
    """Manim's centre is the anchors' box, its width every point's: they differ here."""
    m = _samples()["curve (handles beyond its anchors)"]
    assert spans(m)[1] > anchor_box(m)[1][1] - anchor_box(m)[0][1]


def test_nothing_to_measure() -> None:
    empty = VGroup()
    assert anchor_box(empty) is None
    assert np.array_equal(center(empty), empty.get_center())
    assert np.array_equal(critical_point(empty, UL), empty.get_critical_point(UL))
    assert tuple(spans(empty)) == (empty.width, empty.height, empty.depth)
