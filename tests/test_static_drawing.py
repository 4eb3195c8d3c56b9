"""ThemedScene draws what cannot change once per animation: backdrops, followers of
still leaders, and (with ``still_beneath``) every still mobject."""

from __future__ import annotations

import numpy as np
import pytest
from manim import LEFT, RIGHT, Dot, Square, Text, VGroup, tempconfig
from optiroll import dynamics as dyn
from optiroll.scenes.kit import ContourMap, ThemedScene, Timeline, theme
from optiroll.scenes.kit.motion import Glide, MinimaMarkers
from optiroll.scenes.kit.readouts import LiveText


def setup(still_beneath: bool = False):
    tl = Timeline(10)
    s = dyn.surface("bowl")
    scene = ThemedScene()
    m = ContourMap(s, 5, 3, n_levels=4, resolution=40).shift(3 * LEFT)
    markers = MinimaMarkers(m, s.minima)
    live = LiveText(lambda: f"iteration {tl.reached}").shift(3 * RIGHT + 2 * np.array([0, 1, 0]))
    label = Text("static label", font=theme.FONT, font_size=20).shift(3 * RIGHT)
    scene.add(live, label, m, markers)  # the map after a live readout
    scene.backdrops = (m, markers)
    scene.still_beneath = still_beneath
    return scene, tl, m, markers, live, label


def members(mob) -> set[int]:
    return {id(x) for x in mob.get_family()}


def test_backdrops_and_followers_are_still_while_the_map_is() -> None:
    with tempconfig({"pixel_width": 320, "pixel_height": 180}):
        scene, tl, m, markers, live, label = setup()
        moving = {id(x) for x in scene.get_moving_mobjects(tl.play_to(5))}
        assert not moving & (members(m) | members(markers))  # drawn once
        assert id(live) in moving
        assert scene.mobjects[:2] == [m, markers]  # kept at the back
        # the map glides: now it and its markers change every frame
        moving = {id(x) for x in scene.get_moving_mobjects(Glide(m, Square(2)))}
        assert members(m) <= moving and members(markers) <= moving


def test_still_beneath_leaves_out_still_mobjects_after_a_changing_one() -> None:
    with tempconfig({"pixel_width": 320, "pixel_height": 180}):
        scene, tl, m, markers, live, label = setup()
        assert members(label) <= {id(x) for x in scene.get_moving_mobjects(tl.play_to(5))}
        scene.still_beneath = True
        moving = {id(x) for x in scene.get_moving_mobjects(tl.play_to(5))}
        assert id(live) in moving and not moving & members(label)


def test_children_of_an_updated_group_are_changing() -> None:
    with tempconfig({"pixel_width": 320, "pixel_height": 180}):
        scene, tl, *_ = setup(still_beneath=True)
        group = VGroup(Dot(), Dot())
        group.add_updater(lambda g: g[0].shift(0.01 * RIGHT))
        scene.add(group)
        moving = {id(x) for x in scene.get_moving_mobjects(tl.play_to(5))}
        assert members(group) <= moving


@pytest.mark.parametrize("still_beneath", [False, True])
def test_the_frames_are_the_same(still_beneath: bool, tmp_path) -> None:
    """The last frame of a play drawn by Manim's rule (no backdrops: everything after the
    live readout redrawn each frame) equals the one with the still mobjects drawn once,
    when nothing still covers a changing one."""
    frames = []
    for drawn_once in (False, True):
        with tempconfig({"pixel_width": 320, "pixel_height": 180, "media_dir": str(tmp_path),
                         "write_to_movie": False, "frame_rate": 10}):
            scene, tl, *_ = setup(still_beneath and drawn_once)
            if not drawn_once:
                scene.backdrops = ()
            scene.play(tl.play_to(6), run_time=0.3)
            frames.append(scene.renderer.get_frame().copy())
    assert np.array_equal(*frames)
