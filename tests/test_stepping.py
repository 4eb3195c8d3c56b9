"""Stepping through skipped animations without drawing (``scenes/kit/stepping.py``, used
by pieces, ``--act`` and ``--split``) leaves every mobject as drawing each frame leaves
it, to the last bit; mobjects updated from the scene's state alone (trails, a plot's
curves) are held still meanwhile and updated once after each animation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from manim import RIGHT, UP, Scene, tempconfig
from optiroll import dynamics as dyn
from optiroll.scenes.kit import Ball, ContourMap, Timeline, Trail, theme
from optiroll.scenes.kit.plots import IterationPlot
from optiroll.scenes.kit.stepping import FROM_STATE, replay_skipped

TINY = {"pixel_width": 160, "pixel_height": 90, "frame_rate": 10, "write_to_movie": False,
        "save_last_frame": False, "disable_caching": True, "progress_bar": "none",
        "verbosity": "WARNING"}
COLORS = (theme.VERMILLION, theme.SKY_BLUE, theme.BLUISH_GREEN)


def play(tmp_path: Path, skipping: bool, monkeypatch: pytest.MonkeyPatch,
         fading: bool = False) -> tuple[list[bytes], dict[str, int]]:
    """The flagship's race on the map with a loss plot, then the map gliding and shrinking
    while the race goes on: drawn frame by frame, or stepped through without drawing.
    Returns every mobject's points and style arrays, and how often the trails and the
    plot were redrawn. ``fading``: the first trail also fades a little every frame (an
    updater of its own, added after the trail declared its own: updated every frame)."""
    s = dyn.surface("ravine")
    runs = [dyn.rollout(s, dyn.optimizer("momentum", lr=0.1, beta=b), (-2.4, 0.2), 50)
            for b in (0.0, 0.8, 0.9)]
    calls = {"trail": 0, "plot": 0}

    def count(cls: type, name: str) -> None:
        redraw = cls.redraw

        def counted(self: object) -> None:
            calls[name] += 1
            redraw(self)

        monkeypatch.setattr(cls, "redraw", counted)

    count(Trail, "trail")
    count(IterationPlot, "plot")
    with tempconfig({**TINY, "media_dir": str(tmp_path)}):
        scene = Scene()
        tl = Timeline(50)
        m = ContourMap(s, 8.0, 4.0)
        trails = [Trail(m, r.positions, tl, c) for r, c in zip(runs, COLORS, strict=True)]
        balls = [Ball(m, r.positions, tl, c) for r, c in zip(runs, COLORS, strict=True)]
        plot = IterationPlot([r.loss for r in runs], list(COLORS), tl, 4.0, 2.5,
                             y_label="loss", log_y=True).to_corner(UP + RIGHT)
        scene.add(m, *trails, *balls, plot)
        if fading:
            trails[0].add_updater(lambda t, dt: t.set_stroke(
                opacity=max(0.2, t.get_stroke_opacity() - 0.2 * dt)))
        if skipping:  # (as `-n` makes Manim skip every animation)
            replay_skipped(scene)
            scene.renderer._original_skipping_status = True
        before = dict(calls)
        scene.play(tl.play_to(20, iterations_per_second=8.0))
        scene.play(tl.play_to(35, iterations_per_second=8.0),
                   m.animate.scale(0.7).shift(0.5 * RIGHT))
        calls = {k: calls[k] - before[k] for k in calls}
        state = [a.tobytes() for mob in scene.get_mobject_family_members()
                 for a in (mob.points, getattr(mob, "fill_rgbas", np.zeros(0)),
                           getattr(mob, "stroke_rgbas", np.zeros(0)))]
        assert not any(mob.updating_suspended for mob in scene.get_mobject_family_members())
    return state, calls


def test_stepping_leaves_what_drawing_leaves_and_redraws_trails_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn, drawn_calls = play(tmp_path / "drawn", False, monkeypatch)
    stepped, stepped_calls = play(tmp_path / "stepped", True, monkeypatch)
    assert len(drawn) == len(stepped) > 100
    assert drawn == stepped  # every point and colour, to the last bit
    # drawing: each trail every frame (and once after each animation); stepping: once
    # after each animation
    assert drawn_calls["trail"] > 3 * 30 and stepped_calls["trail"] == 3 * 2
    assert drawn_calls["plot"] > 30 and stepped_calls["plot"] == 2
    assert getattr(Trail, FROM_STATE, None) is None  # (marked per mobject, not per class)


def test_a_trail_with_an_updater_of_its_own_is_stepped_every_frame(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A trail given another updater (here one fading it a little a frame, by ``dt``) is
    no longer what it declared: stepping updates it every frame, to drawing's state."""
    drawn, drawn_calls = play(tmp_path / "drawn", False, monkeypatch, fading=True)
    stepped, stepped_calls = play(tmp_path / "stepped", True, monkeypatch, fading=True)
    assert drawn == stepped
    assert stepped_calls["trail"] > 30 + 2 * 2  # the fading one every frame, two not
    assert stepped_calls["trail"] < drawn_calls["trail"]
