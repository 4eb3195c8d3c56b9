"""``ThemedScene``: a Manim Scene with the kit's look, wherever it is rendered from.

Manim reads ``manim.cfg`` (where a project usually sets its background) from the
current working folder only, so a scene rendered from elsewhere came out on
Manim's black. A ThemedScene sets the theme's background itself (a background
chosen on the command line stays), composites the fast 3-D layer with
:class:`~scenes.kit.camera.LayerCamera`, and writes GIFs that keep the run
colours (:class:`~scenes.kit.writer.ColourGifWriter`). Lessons are
ThemedScenes; so can your own scenes be.

It also draws less per frame. Manim draws the mobjects that cannot change during a
``play()`` once, into a static image, and redraws the rest every frame: everything
from the first mobject (in drawing order) that is animated or has an updater on.
A mobject whose updater only keeps it on another one (markers on a map that
glides) declares its leaders with :func:`follows`; while no leader is animated or
updated, it is static. And a scene lists its ``backdrops`` (a contour map, with
its markers): they are kept first in drawing order, beneath everything, so a live
readout elsewhere on screen no longer makes Manim redraw the map every frame. A
backdrop must be something nothing else is drawn under (the lessons' layout keeps
panels off the map), so the order changes no pixel.
"""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterable

from manim import Animation, Mobject, Scene, config
from manim.animation.composition import AnimationGroup
from manim.renderer.cairo_renderer import CairoRenderer

from . import theme
from .camera import LayerCamera
from .typeset import install as typeset_on_a_fixed_canvas
from .writer import ColourGifWriter

typeset_on_a_fixed_canvas()  # Text laid out alike at every output size (kit.typeset)

MANIM_DEFAULT_BACKGROUND = "#000000"

_freezing_at_exit = False


def freeze_at_exit() -> None:
    """Once a process has rendered: at its exit, move what is still alive (a scene's
    mobjects, runs, caches: millions of objects) out of the collector's way before
    Python's shutdown collects every generation, a quarter of a second at the end of
    every preview. What is freed by reference count is freed as before; objects left in
    reference cycles are then not finalized at exit, which Python does not promise
    anyway (files and folders are closed by their owners and by the exit handlers, which
    all still run)."""
    global _freezing_at_exit
    if not _freezing_at_exit:
        _freezing_at_exit = True
        atexit.register(gc.freeze)


def use_theme_background() -> None:
    """The theme's background, unless the user chose one (``-c`` or a manim.cfg)."""
    if str(config.background_color).upper().startswith(MANIM_DEFAULT_BACKGROUND):
        config.background_color = theme.BACKGROUND


def follows(mobject: Mobject, *leaders: Mobject) -> Mobject:
    """Declare that ``mobject``'s updaters only keep it on ``leaders``: it moves when,
    and only when, one of them does (see :meth:`ThemedScene.get_moving_mobjects`)."""
    mobject.leaders = tuple(leaders)
    return mobject


def _animated(animations: Iterable[Animation]) -> set[int]:
    """Ids of every mobject an animation (or a nested one) drives, with its family."""
    out: set[int] = set()
    for anim in animations:
        out.update(id(m) for m in anim.mobject.get_family())
        if isinstance(anim, AnimationGroup):
            out |= _animated(anim.animations)
    return out


def _updates_itself(mob: Mobject, animated: set[int]) -> bool:
    """Whether ``mob``'s own updaters can change it during this play: it has some, and
    it is not a follower (:func:`follows`) of leaders that all stay still."""
    if not mob.updaters:
        return False
    leaders = getattr(mob, "leaders", None)
    return leaders is None or any(id(x) in animated or _may_change(x, animated)
                                  for x in leaders)


def _may_change(mob: Mobject, animated: set[int]) -> bool:
    """Whether an updater of ``mob``'s family can change it during this play."""
    return any(_updates_itself(m, animated) for m in mob.get_family())


class ThemedScene(Scene):
    def __init__(self, *args: object, **kwargs: object) -> None:
        use_theme_background()  # before the camera is made: it reads the config
        kwargs.setdefault("camera_class", LayerCamera)
        kwargs.setdefault("renderer", CairoRenderer(camera_class=kwargs["camera_class"],
                                                    file_writer_class=ColourGifWriter))
        super().__init__(*args, **kwargs)

    #: mobjects kept beneath everything else (first in drawing order) while in the scene
    backdrops: tuple[Mobject, ...] = ()

    def play(self, *args: object, **kwargs: object) -> None:
        """Manim's ``play``, after moving everything alive now (the mobjects, the runs)
        out of the garbage collector's way: a frame allocates many short-lived objects,
        and each full collection would otherwise walk the whole scene again (about a
        sixth of a preview's time)."""
        gc.freeze()
        super().play(*args, **kwargs)

    def tear_down(self) -> None:
        """Hand what was frozen back to the collector once the scene is played."""
        super().tear_down()
        gc.unfreeze()

    def render(self, preview: bool = False) -> bool | None:
        """Manim's ``render``; what :meth:`play` froze is handed back to the collector
        even where the scene fails (Manim then skips :meth:`tear_down`: in a process that
        renders again, ``render --watch``, each failed scene had stayed in memory)."""
        freeze_at_exit()
        try:
            return super().render(preview)
        finally:
            gc.unfreeze()

    def get_moving_mobjects(self, *animations: Animation) -> list[Mobject]:
        """Manim's rule (every family member from the first one that may change on),
        with followers (:func:`follows`) of still leaders counted as still, once the
        :attr:`backdrops` are at the back."""
        # the backdrops on stage, in their order, up to the first one that is not (the
        # stars were moved beneath the map's lines while the map was on stage only as
        # the parts its drawing animation had added)
        on_stage: list[Mobject] = []
        for m in self.backdrops:
            if m not in self.mobjects:
                break
            on_stage.append(m)
        if on_stage:
            self.mobjects = on_stage + [m for m in self.mobjects if m not in on_stage]
        animated = _animated(animations)
        if self.still_beneath:
            return self._changing(animated)
        mobjects = self.get_mobject_family_members()
        for i, mob in enumerate(mobjects):
            if (id(mob) in animated or mob in self.foreground_mobjects
                    or _may_change(mob, animated)):
                return mobjects[i:]
        return []

    #: draw every mobject that cannot change during a play into Manim's static image,
    #: beneath the ones that can, whatever their order: right when nothing still is
    #: meant to cover something changing (a lesson's layout keeps its boxes apart)
    still_beneath: bool = False

    def _changing(self, animated: set[int]) -> list[Mobject]:
        """The family members that may change during this play, in drawing order: the
        animated ones, the foreground, and those whose own updaters, or an ancestor's,
        may change them (a follower of still leaders does not)."""
        foreground = {id(m) for f in self.foreground_mobjects for m in f.get_family()}
        out: list[Mobject] = []

        def walk(mob: Mobject, inherited: bool) -> None:
            changing = (inherited or id(mob) in animated or id(mob) in foreground
                        or _updates_itself(mob, animated))
            if changing:
                out.append(mob)
            for sub in mob.submobjects:
                walk(sub, changing)

        for mob in [*self.mobjects, *self.foreground_mobjects]:
            walk(mob, False)
        seen: set[int] = set()
        return [m for m in out if not (id(m) in seen or seen.add(id(m)))]
