"""Moving groups whose contents change while they move (live readouts)."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from manim import (
    ORIGIN,
    Animation,
    FadeIn,
    FadeOut,
    Mobject,
    Rectangle,
    Star,
    VGroup,
    VMobject,
)

from . import theme
from .bounds import center, spans
from .frame import PlotFrame
from .scene import follows


class Glide(Animation):
    """Move and scale ``mobject`` onto the box of ``target`` (any mobject).

    Unlike ``mobject.animate``, nothing is interpolated point by point, so it
    works on groups whose children are rebuilt while they move (LiveText).
    """

    def __init__(self, mobject: Mobject, target: Mobject, **kwargs: object) -> None:
        self.target_center = target.get_center()
        self.target_width = target.width
        super().__init__(mobject, suspend_mobject_updating=False, **kwargs)

    def create_starting_mobject(self) -> Mobject:
        return self.mobject  # the start is kept as a centre and a width: nothing to copy

    def begin(self) -> None:
        self.start_center = center(self.mobject)
        self.start_width = spans(self.mobject)[0]
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        """Scale about the centre, then put the centre where it is due: the same as
        ``scale`` and ``move_to``, with the box measured once, not three times (a
        contour map's box is its thousands of anchors)."""
        a = self.rate_func(alpha)
        width = self.start_width + (self.target_width - self.start_width) * a
        centre = center(self.mobject)  # (Manim's numbers, measured in one numpy pass)
        self.mobject.scale(width / spans(self.mobject)[0], about_point=centre)
        self.mobject.shift(self.start_center + (self.target_center - self.start_center) * a
                           - centre)


class Fade(Animation):
    """Fade ``mobject`` in (``out=False``) or out, in place, optionally sliding by ``shift``.

    Manim's FadeIn and FadeOut are Transforms: they deep-copy the mobject twice when
    they start (seconds for a contour map, a panel of live readouts or a legend, at
    every fade of a lesson). This scales each member's own fill, stroke and
    background-stroke opacities by ``alpha`` (or ``1 - alpha``) and copies nothing:
    the same picture as FadeIn/FadeOut, whose colours are the members' colours at
    that opacity. Like them it pauses the mobject's updaters while it plays, slides
    in from ``-shift`` (or out to ``+shift``), and a fade-out removes the mobject from
    the scene and restores its opacities and position, so it can come back. Only
    vectorized members (text, lines, shapes) can be faded this way.
    """

    def __init__(self, mobject: Mobject, *, out: bool = False, shift: np.ndarray = ORIGIN,
                 **kwargs: object) -> None:
        others = _not_vectorized(mobject)
        if others:
            raise TypeError(f"Fade handles vectorized mobjects only, not {type(others[0])}")
        self.out, self.shift_by = out, np.asarray(shift, float)
        super().__init__(mobject, remover=out, introducer=not out, **kwargs)

    def create_starting_mobject(self) -> Mobject:
        return self.mobject  # nothing to copy: the opacities are saved in begin()

    def begin(self) -> None:
        self.saved = [(m, m.fill_rgbas[:, 3].copy(), m.stroke_rgbas[:, 3].copy(),
                       m.background_stroke_rgbas[:, 3].copy())
                      for m in self.mobject.get_family() if isinstance(m, VMobject)]
        self.offset = np.zeros(3)
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        a = self.rate_func(alpha)
        self._set(1.0 - a if self.out else a, self.shift_by * a if self.out
                  else -self.shift_by * (1.0 - a))

    def _set(self, k: float, offset: np.ndarray) -> None:
        for m, fill, stroke, background in self.saved:
            if len(m.fill_rgbas) == len(fill):
                m.fill_rgbas[:, 3] = fill * k
            if len(m.stroke_rgbas) == len(stroke):
                m.stroke_rgbas[:, 3] = stroke * k
            if len(m.background_stroke_rgbas) == len(background):
                m.background_stroke_rgbas[:, 3] = background * k
        if np.any(offset != self.offset):
            self.mobject.shift(offset - self.offset)
            self.offset = offset

    def clean_up_from_scene(self, scene: object) -> None:
        super().clean_up_from_scene(scene)
        if self.out:  # gone from the scene: as it was, should it come back
            self._set(1.0, np.zeros(3))


def _not_vectorized(m: Mobject) -> list[Mobject]:
    """The members of ``m``'s family with points that are not vectorized (images)."""
    return [x for x in m.get_family() if not isinstance(x, VMobject) and x.has_points()]


def fade_in(mobject: Mobject, shift: np.ndarray = ORIGIN, **kwargs: object) -> Animation:
    """:class:`Fade` in; Manim's FadeIn for a mobject with images in it."""
    if not _not_vectorized(mobject):
        return Fade(mobject, shift=shift, **kwargs)
    return FadeIn(mobject, shift=shift, **kwargs)


def fade_out(mobject: Mobject, shift: np.ndarray = ORIGIN, **kwargs: object) -> Animation:
    """:class:`Fade` out; a 3-D layer by its own opacity (:class:`LayerFadeOut`);
    Manim's FadeOut for a mobject with other images in it."""
    if not _not_vectorized(mobject):
        return Fade(mobject, out=True, shift=shift, **kwargs)
    if hasattr(mobject, "layer_opacity") and not np.any(shift):
        return LayerFadeOut(mobject, **kwargs)
    return FadeOut(mobject, shift=shift, **kwargs)


class LayerFadeOut(Animation):
    """Fade a 3-D layer (a ``SurfaceView``) out through its ``layer_opacity`` tracker and
    remove it: FadeOut would deep-copy it, cairo surface and all, which cannot be copied."""

    def __init__(self, mobject: Mobject, **kwargs: object) -> None:
        super().__init__(mobject, remover=True, **kwargs)

    def create_starting_mobject(self) -> Mobject:
        return self.mobject  # nothing to copy: the opacity is read in begin()

    def begin(self) -> None:
        self.start = float(self.mobject.layer_opacity.get_value())
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        self.mobject.layer_opacity.set_value(self.start * (1.0 - self.rate_func(alpha)))

    def clean_up_from_scene(self, scene: object) -> None:
        super().clean_up_from_scene(scene)
        self.mobject.layer_opacity.set_value(self.start)  # it can come back


class MinimaMarkers(VGroup):
    """Stars at a surface's known minima, kept on the map as it moves."""

    def __init__(self, frame: PlotFrame, minima: tuple[tuple[float, float], ...],
                 radius: float = 0.1) -> None:
        super().__init__(*[Star(n=5, outer_radius=radius, color=theme.FOREGROUND,
                                fill_opacity=1, stroke_width=1) for _ in minima])
        self.frame, self.minima = frame, np.array(minima, float).reshape(-1, 2)
        self.add_updater(lambda m: m.follow())
        follows(self, frame)  # it moves only with the map: still while the map is
        self.follow()

    def follow(self) -> None:
        for star, p in zip(self.submobjects, self.minima, strict=True):
            star.move_to(self.frame.c2p(*p))


class Bounds(Protocol):
    """A box in scene units (``optiroll.scenes.lesson.layout.Box`` is one)."""

    left: float
    right: float
    bottom: float
    top: float


def fit_target(m: Mobject, box: Bounds, align: str = "top-left", max_scale: float = 1.0,
               natural_width: float | None = None) -> Rectangle:
    """Where ``m`` goes in ``box``: scaled to fit (never beyond ``max_scale`` of its
    natural width), placed at ``align`` ("top-left", "top", "center").

    Use it with :func:`place` to put a panel of your own inside the frame, or as the
    target of a :class:`Glide`.
    """
    natural = natural_width or m.width
    s = min(max_scale * natural / m.width, (box.right - box.left) / m.width,
            (box.top - box.bottom) / m.height)
    w, h = m.width * s, m.height * s
    x = box.left + w / 2 if "left" in align else (box.left + box.right) / 2
    y = box.top - h / 2 if "top" in align else (box.bottom + box.top) / 2
    return Rectangle(width=w, height=h).move_to([x, y, 0])


def place(m: Mobject, target: Mobject) -> None:
    """Scale and move ``m`` onto ``target``'s box at once."""
    m.scale(target.width / m.width)
    m.move_to(target.get_center())
