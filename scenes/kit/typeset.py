"""Text laid out the same at every output size.

Manim's :class:`~manim.Text` has Pango lay a string out on a canvas the size of
the output frame *in pixels* (``config.pixel_width`` by ``pixel_height``), and
Pango wraps a line wider than that canvas. A scene unit of text takes about
19 points of that canvas, so at 854x480 a line of up to ~44 scene units stays
on one line, but at 320x180 anything wider than ~15 units (a long sentence
before a card wraps it, a subtitle before it is fitted to the frame) comes out
on two or three lines: narrower and taller than at any other size, so a layout
measured from it differs, and Manim's text cache (keyed without the canvas)
hands that wrapped SVG to later renders at other sizes.

:func:`install` makes ``Text`` lay out on a fixed canvas of
:data:`CANVAS` points instead, whatever the output size, and keeps those
SVGs apart from the ones Manim makes on its own canvas. Where the line fits
both canvases the outlines are the same points (a test compares them), so at
the sizes lessons are rendered at (854x480 and up) nothing changes;
:mod:`.glyphs` measures on the same canvas.
"""

from __future__ import annotations

import manimpango
from manim import config
from manim.mobject.text import text_mobject
from manim.mobject.text.text_mobject import START_X, START_Y, TEXT2SVG_ADJUSTMENT_FACTOR

#: the canvas (points) every string is laid out on: a 8K frame's, so no line of a
#: lesson (at most ~30 scene units at natural size) comes near its edge
CANVAS = (7680, 4320)
#: added to Manim's cache names of the SVGs laid out on :data:`CANVAS`
SUFFIX = "-canvas7680"
#: Manim's own, on the frame's pixel size (for comparison)
manim_text2svg = text_mobject.Text._text2svg


def _text2svg(self: text_mobject.Text, color: object) -> str:
    """Manim's ``Text._text2svg`` (manim 0.21), on :data:`CANVAS` instead of the frame's
    pixel size."""
    size = self._font_size / TEXT2SVG_ADJUSTMENT_FACTOR
    line_spacing = self.line_spacing / TEXT2SVG_ADJUSTMENT_FACTOR
    dir_name = config.get_dir("text_dir")
    dir_name.mkdir(parents=True, exist_ok=True)
    file_name = dir_name / (self._text2hash(color) + SUFFIX + ".svg")
    if file_name.exists():
        return str(file_name.resolve())
    return manimpango.text2svg(
        self._text2settings(color), size, line_spacing, self.disable_ligatures,
        str(file_name.resolve()), START_X, START_Y, *CANVAS, self.text)


def install() -> None:
    """Lay every ``Text`` out on :data:`CANVAS`, keep parsed SVGs on disk between runs
    (:mod:`.svgcache`) and compile formulas with one Typst compiler a process
    (:mod:`.typstcompile`) (idempotent)."""
    from . import svgcache, typstcompile

    text_mobject.Text._text2svg = _text2svg
    svgcache.install()
    typstcompile.install()
