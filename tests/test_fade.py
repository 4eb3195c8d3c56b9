"""The kit's in-place fade: FadeIn/FadeOut's picture without copying the mobject."""

from __future__ import annotations

import numpy as np
import pytest
from manim import (
    DOWN,
    UP,
    Circle,
    FadeIn,
    FadeOut,
    Mobject,
    Scene,
    Square,
    Text,
    VGroup,
    tempconfig,
)
from optiroll.scenes.kit import theme
from optiroll.scenes.kit.motion import Fade, fade_in, fade_out

W, H = 320, 180


def group() -> VGroup:
    return VGroup(Circle(radius=1.0, color=theme.VERMILLION, fill_opacity=0.6),
                  Square(1.0, color=theme.SKY_BLUE, stroke_width=6).shift(2 * UP),
                  Text("loss 0.102", font=theme.FONT, font_size=30).shift(2 * DOWN))


def frame_at(make_anim, alpha: float, tmp_path) -> np.ndarray:
    with tempconfig({"pixel_width": W, "pixel_height": H, "media_dir": str(tmp_path),
                     "background_color": theme.BACKGROUND}):
        scene = Scene()
        g = group()
        anim = make_anim(g)
        scene.add(g)
        anim.begin()
        anim.interpolate(alpha)
        scene.renderer.update_frame(scene)
        return scene.renderer.get_frame()[..., :3].astype(int)


@pytest.mark.parametrize("alpha", [0.0, 0.3, 0.7, 1.0])
@pytest.mark.parametrize(("ours", "manims"), [
    (lambda g: Fade(g), lambda g: FadeIn(g)),
    (lambda g: Fade(g, out=True), lambda g: FadeOut(g)),
    (lambda g: Fade(g, shift=0.5 * UP), lambda g: FadeIn(g, shift=0.5 * UP)),
    (lambda g: Fade(g, out=True, shift=0.5 * DOWN), lambda g: FadeOut(g, shift=0.5 * DOWN)),
], ids=["in", "out", "in-shift", "out-shift"])
def test_the_same_picture_as_manims_fades(ours, manims, alpha, tmp_path) -> None:
    a = frame_at(ours, alpha, tmp_path)
    b = frame_at(manims, alpha, tmp_path)
    d = np.abs(a - b).max(axis=-1)
    assert d.mean() < 0.5 and (d > 16).mean() < 0.002, (d.mean(), (d > 16).mean())


def test_nothing_is_copied(monkeypatch) -> None:
    g = group()
    fade = Fade(g, out=True)

    def no_copy(self: Mobject, *args: object, **kwargs: object) -> Mobject:
        raise AssertionError("Fade copied a mobject")

    monkeypatch.setattr(Mobject, "copy", no_copy)
    fade.begin()
    fade.interpolate(0.5)
    fade.finish()


def test_a_faded_out_mobject_comes_back_as_it_was(tmp_path) -> None:
    with tempconfig({"pixel_width": W, "pixel_height": H, "media_dir": str(tmp_path)}):
        scene = Scene()
        g = group()
        before = [(m.fill_rgbas.copy(), m.stroke_rgbas.copy()) for m in g.get_family()]
        centre = g.get_center()
        scene.add(g)
        scene.play(Fade(g, out=True, shift=DOWN), run_time=0.2)
        assert g not in scene.mobjects
        np.testing.assert_allclose(g.get_center(), centre)
        for m, (fill, stroke) in zip(g.get_family(), before, strict=True):
            np.testing.assert_array_equal(m.fill_rgbas, fill)
            np.testing.assert_array_equal(m.stroke_rgbas, stroke)
        scene.play(Fade(g), run_time=0.2)
        assert g in scene.mobjects


def test_images_fall_back_to_manims_fades() -> None:
    from manim import ImageMobject

    img = ImageMobject(np.zeros((4, 4, 4), np.uint8))
    with pytest.raises(TypeError, match="vectorized"):
        Fade(img)
    assert isinstance(fade_in(img), FadeIn) and isinstance(fade_out(img), FadeOut)
    assert isinstance(fade_in(group()), Fade)
