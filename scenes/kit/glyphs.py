"""Live text without re-typesetting: strings composed from cached glyph outlines.

Manim's :class:`~manim.Text` lays a string out with Pango, writes an SVG and
parses it back: about 15-40 ms a string. A readout that changes every frame
(a loss, a position, the iteration counter) paid that on every change. Here
each glyph is typeset once per font and size, with the font's metrics
measured from Pango's own layout, and a string is the glyphs' outlines placed
by those metrics:

    pen_0 = 0,  pen_{i+1} = pen_i + advance(c_i) + kern(c_i, c_{i+1})
    outline of c_i = outline(c_i) + (pen_i, 0)

- ``outline(c)`` and ``advance(c)`` come from ``Text("|c|")``: the bars mark
  the pen (their outlines' left edges and bottoms are the same in every such
  string), so the glyph's offset from its pen and the distance to the next
  pen are read off the layout. ``advance("|")`` comes from ``Text("||")``.
- ``kern(a, b)`` (Pango applies the font's kerning: "AV", "Te", "r.") is
  measured once per pair from a Pango layout of the pair alone, ``"|ab|"``:
  the glyphs' pen positions are read from the SVG Pango writes for it, which
  is all ``Text`` would parse it for. Every measure is made in the same
  context, so the cache holds the same numbers whatever was composed before.
- Pairs that Pango turns into one glyph (ligatures such as "fi") and
  characters without an outline of their own that are not spaces are not
  composed: a string holding one is typeset by ``Text`` (``fallbacks`` counts
  them).

The composed outlines equal ``Text``'s to floating-point rounding
(``tests/test_glyphs.py`` compares them on digits, kerned capitals and
punctuation). The cache is per process and shared by every readout.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import manimpango
import numpy as np
from manim import Text, VGroup, VMobject
from manim.constants import START_X, START_Y
from manim.mobject.text.text_mobject import TEXT2SVG_ADJUSTMENT_FACTOR

from . import theme
from .typeset import CANVAS, install

install()  # Text laid out on the same canvas at every output size

BAR = "|"
#: most strings kept composed per font and size (a 1,500-step race's readouts: ~4,500)
MAX_COMPOSED = 8192
#: a glyph's pen position in Pango's SVG: ``<use xlink:href="#glyph0-1" x="30" .../>``
_USE_X = re.compile(r'<use\b[^>]*?\bx="([-0-9.e]+)"')


_layouts: Path | None = None
_layouts_owner = 0


def _layout_file() -> Path:
    """The file Pango writes each measured layout to: one per process, in a temporary
    folder made by the first process that measures (a forked copy writes a file of its
    own there) and removed when that process exits. A folder made and removed for each
    measure had cost more than the layout itself (0.6 ms of 1 ms)."""
    global _layouts, _layouts_owner
    if _layouts is None or not _layouts.is_dir():
        _layouts, _layouts_owner = Path(tempfile.mkdtemp(prefix="optiroll-glyphs-")), os.getpid()
        atexit.register(_remove_layouts, _layouts, _layouts_owner)
    return _layouts / f"layout-{os.getpid()}.svg"


def _remove_layouts(folder: Path, owner: int) -> None:
    """At exit, the folder of :func:`_layout_file`, by the process that made it only (a
    forked copy that exits normally inherits the exit handler)."""
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)


def remove_own_layouts() -> None:
    """Remove the folder of :func:`_layout_file` now if this process made it: for a
    process that ends in ``os._exit`` (a forked copy drawing a piece of a lesson, which
    made a folder of its own where the first process had measured nothing before)."""
    if _layouts is not None and _layouts_owner == os.getpid():
        shutil.rmtree(_layouts, ignore_errors=True)


@dataclass
class _Glyph:
    #: outline points of each contour group, relative to the pen (x) and a common baseline (y)
    parts: list[np.ndarray]
    #: the distance from this glyph's pen to the next one's (before kerning)
    advance: float
    #: x of the outline's left edge relative to the pen (None: no outline, e.g. a space)
    left: float | None


@dataclass
class GlyphCache:
    """Glyph outlines, advances and kerning of one font at one size."""

    font: str = theme.FONT
    size: float = theme.BODY_SIZE
    glyphs: dict[str, _Glyph] = field(default_factory=dict)
    kerning: dict[tuple[str, str], float] = field(default_factory=dict)
    #: characters and pairs that cannot be composed (ligatures, odd glyphs)
    unsafe: set[str | tuple[str, str]] = field(default_factory=set)
    #: how many strings were typeset by Text instead of composed
    fallbacks: int = 0
    #: how many Text layouts the cache has made (glyphs, fallbacks)
    layouts: int = 0

    #: how many layouts were read from Pango's SVG alone (kerning)
    svg_layouts: int = 0
    #: strings composed so far (a replay shows the race's readouts again): string -> points
    composed: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        bars = self._text(BAR * 2).submobjects
        self._bar_advance = float(bars[1].get_left()[0] - bars[0].get_left()[0])
        self._svg_scale = 1.0
        pens = self._pens(BAR * 2)
        self._svg_scale = self._bar_advance / float(pens[1])  # scene units per SVG unit

    # -- measuring ----------------------------------------------------------
    def _text(self, s: str) -> Text:
        self.layouts += 1
        return Text(s, font=self.font, font_size=self.size)

    def _glyph(self, c: str) -> _Glyph:
        g = self.glyphs.get(c)
        if g is not None:
            return g
        subs = self._text(f"{BAR}{c}{BAR}").submobjects
        bar1, bar2 = subs[0], subs[-1]
        pen = np.array([bar1.get_left()[0] + self._bar_advance, bar1.get_bottom()[1], 0.0])
        inner = subs[1:-1]
        advance = float(bar2.get_left()[0] - bar1.get_left()[0]) - self._bar_advance
        if len(inner) > 1 or (not inner and not c.isspace()):
            self.unsafe.add(c)  # several outlines, or none for a visible character
        parts = [m.points - pen for m in inner]
        left = float(min(p[:, 0].min() for p in parts)) if parts else None
        g = _Glyph(parts, advance, left)
        self.glyphs[c] = g
        return g

    def _pens(self, s: str) -> np.ndarray:
        """Pen positions (scene units, from the first glyph's) of the glyphs Pango draws
        for ``s``: its layout's SVG, read without building outlines (well under a
        millisecond, against ~5 ms a glyph for ``Text``)."""
        self.svg_layouts += 1
        path = _layout_file()
        manimpango.text2svg(
            [manimpango.TextSetting(0, len(s), self.font, "NORMAL", "NORMAL", line_num=0)],
            self.size / TEXT2SVG_ADJUSTMENT_FACTOR, 0.0, False, str(path),
            START_X, START_Y, *CANVAS, s)
        xs = [float(x) for x in _USE_X.findall(path.read_text(encoding="utf-8"))]
        return (np.array(xs) - xs[0]) * self._svg_scale if xs else np.zeros(0)

    def _measure_pairs(self, pairs: list[tuple[str, str]]) -> None:
        """Kerning of ``pairs`` (both characters with outlines), each from a layout of its
        own, ``"|ab|"``: ``kern(a, b) = pen(b) - pen(a) - advance(a)``.

        One pair per layout, not many in one: Pango rounds pen positions, and where a
        pair sits in a longer line changes the rounding, so a batched measure would
        depend on which strings the process composed before (a split render's pieces
        would then draw a readout a shade apart from a single process's)."""
        for a, b in pairs:
            pens = self._pens(f"{BAR}{a}{b}{BAR}")
            if len(pens) != 4:  # a ligature merged the pair
                self.unsafe.add((a, b))
                self.kerning[(a, b)] = 0.0
                continue
            self.kerning[(a, b)] = float(pens[2] - pens[1]) - self.glyphs[a].advance

    # -- composing ----------------------------------------------------------
    def points(self, s: str) -> np.ndarray:
        """The outline points of ``s`` as :class:`~manim.Text` draws them, centred on the
        origin as ``Text`` is (``(n, 3)``; empty for a string of spaces). A string composed
        before is copied from :attr:`composed` (the same numbers: composing depends only
        on the string, the cache's measures never change)."""
        done = self.composed.get(s)
        if done is None:
            parts = self.parts(s)
            done = np.concatenate(parts) if parts else np.zeros((0, 3))
            if len(self.composed) >= MAX_COMPOSED:
                self.composed.clear()
            self.composed[s] = done
        return done.copy()

    def parts(self, s: str) -> list[np.ndarray]:
        """The outline points of each of ``Text(s)``'s glyph mobjects, in its order, the
        whole centred on the origin as ``Text`` is (empty for a string of spaces)."""
        glyphs = [self._glyph(c) for c in s]
        pairs = [(a, b) for a, b in zip(s, s[1:], strict=False)
                 if self.glyphs[a].left is not None and self.glyphs[b].left is not None]
        if any(c in self.unsafe for c in s) or any(p in self.unsafe for p in pairs):
            return self._fallback(s)
        new = list(dict.fromkeys(p for p in pairs if p not in self.kerning))
        if new:
            self._measure_pairs(new)
            if any(p in self.unsafe for p in pairs):
                return self._fallback(s)
        out: list[np.ndarray] = []
        pen = 0.0
        for i, (c, g) in enumerate(zip(s, glyphs, strict=True)):
            out += [p + [pen, 0.0, 0.0] for p in g.parts]
            pen += g.advance
            if i + 1 < len(s):
                pen += self.kerning.get((c, s[i + 1]), 0.0)
        if not out:
            return []
        pts = np.concatenate(out)
        centre = (pts.min(axis=0) + pts.max(axis=0)) / 2
        return [p - centre for p in out]

    def _fallback(self, s: str) -> list[np.ndarray]:
        self.fallbacks += 1
        return [m.points for m in self._text(s).family_members_with_points()]


_CACHES: dict[tuple[str, float], GlyphCache] = {}


def glyph_cache(font: str = theme.FONT, size: float = theme.BODY_SIZE) -> GlyphCache:
    """The process-wide cache for ``font`` at ``size``."""
    key = (font, float(size))
    cache = _CACHES.get(key)
    if cache is None:
        cache = _CACHES[key] = GlyphCache(font, float(size))
    return cache


def text_points(s: str, font: str = theme.FONT, size: float = theme.BODY_SIZE) -> np.ndarray:
    """``Text(s, font=font, font_size=size)``'s outline points, from the glyph cache."""
    return glyph_cache(font, size).points(s)


class GlyphText(VGroup):
    """``Text(text, font=font, font_size=font_size, color=color)`` for a label made by the
    dozen (tick labels): one mobject per glyph with ``Text``'s outlines, composed from
    the glyph cache instead of typeset (a digit, once cached, costs nothing more)."""

    def __init__(self, text: str, font_size: float = theme.BODY_SIZE,
                 color: str = theme.FOREGROUND, font: str = theme.FONT) -> None:
        super().__init__()
        self.text = text
        self.add(*(VMobject(fill_color=color, fill_opacity=1.0, stroke_width=0)
                   .set_points(p) for p in glyph_cache(font, font_size).parts(text)))
