"""``ThemedScene``: a Manim Scene with the kit's look, wherever it is rendered from.

Manim reads ``manim.cfg`` (where a project usually sets its background) from the
current working folder only, so a scene rendered from elsewhere came out on
Manim's black. A ThemedScene sets the theme's background itself (a background
chosen on the command line stays), composites the fast 3-D layer with
:class:`~scenes.kit.camera.LayerCamera`, and writes GIFs that keep the run
colours (:class:`~scenes.kit.writer.ColourGifWriter`). Lessons are
ThemedScenes; so can your own scenes be.
"""

from __future__ import annotations

from manim import Scene, config
from manim.renderer.cairo_renderer import CairoRenderer

from . import theme
from .camera import LayerCamera
from .writer import ColourGifWriter

MANIM_DEFAULT_BACKGROUND = "#000000"


def use_theme_background() -> None:
    """The theme's background, unless the user chose one (``-c`` or a manim.cfg)."""
    if str(config.background_color).upper().startswith(MANIM_DEFAULT_BACKGROUND):
        config.background_color = theme.BACKGROUND


class ThemedScene(Scene):
    def __init__(self, *args: object, **kwargs: object) -> None:
        use_theme_background()  # before the camera is made: it reads the config
        kwargs.setdefault("camera_class", LayerCamera)
        kwargs.setdefault("renderer", CairoRenderer(camera_class=kwargs["camera_class"],
                                                    file_writer_class=ColourGifWriter))
        super().__init__(*args, **kwargs)
