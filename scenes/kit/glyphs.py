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
punctuation). The cache is per process and shared by every readout
(:func:`glyph_cache`), and its measures are kept on disk between processes, in the
cache folder's ``glyphs/`` (:mod:`~optiroll.dynamics.disk_cache`): one entry per
font and size, under a key of the versions of Manim, ManimPango, Pango, cairo,
svgelements and numpy and of the code of this module, ``typeset.py`` and
``svgcache.py``. Fonts change without those: an entry is
used only where the SVG Pango writes now for a line of all its glyphs and pairs
(``"||"``, every glyph, each pair between bars) is the one it was measured with,
byte for byte (one layout, a few milliseconds, against about 1 ms a pair and 5 ms a
glyph measured again). Each process adds what it measured when it exits
(:func:`save_measures`; a forked copy calls it before ``os._exit``).

Measures made at install: ``make setup`` measures the theme's font at its text and
readout sizes (:func:`built_sizes`), for every character numbers on screen are made of,
letters and the pairs numbers make (:func:`built_set`), into ``glyph_measures.pickle``
beside this module (:func:`write_built`, about 4 s). A process that keeps no measures
of its own for a font and size (a first render; the cache off) starts from those,
under the same checks as kept ones: the same versions and code, and the font's
fingerprint. Without them a first preview of the flagship measured ~50 glyphs and
~200 pairs, in its serial start and again in each of its pieces.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import pickle
import re
import shutil
import string
import sys
import zlib
from dataclasses import InitVar, dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import cairo
import manimpango
import numpy as np
from manim import Text, VGroup, VMobject, config
from manim.constants import START_X, START_Y
from manim.mobject.text.text_mobject import TEXT2SVG_ADJUSTMENT_FACTOR
from optiroll.dynamics.disk_cache import cache_folder, read, source_hash, store

from . import theme
from .svgcache import unnumbered
from .temp_folders import own_folder
from .typeset import CANVAS, install

install()  # Text laid out on the same canvas at every output size

BAR = "|"
#: most strings kept composed per font and size (a 1,500-step race's readouts: ~4,500)
MAX_COMPOSED = 8192
#: a glyph's pen position in Pango's SVG: ``<use xlink:href="#glyph0-1" x="30" .../>``
_USE_X = re.compile(r'<use\b[^>]*?\bx="([-0-9.e]+)"')
#: the format of an entry of measures kept on disk
MEASURES_FORMAT = 1
#: entries of measures kept (one per font and size) before the less used half goes
MAX_MEASURES = 200
#: most kerning pairs an entry keeps (the flagship measures about 300)
MAX_KEPT_PAIRS = 4096
#: the measures made at install (:func:`write_built`; not in the repository)
BUILT = Path(__file__).with_name("glyph_measures.pickle")
#: digits and superscript digits (numbers on screen: ``0.102``, ``2.87×10⁻⁵``)
DIGITS, SUPERSCRIPTS = "0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"
#: Greek letters lessons name parameters with
GREEK = "αβγδεηθλμρστφω"


_layouts: Path | None = None
_layouts_owner = 0


def _layout_file() -> Path:
    """The file Pango writes each measured layout to: one per process, in a temporary
    folder made by the first process that measures (a forked copy writes a file of its
    own there) and removed when that process exits (:func:`end_of_process`). A folder made
    and removed for each measure had cost more than the layout itself (0.6 ms of 1 ms)."""
    global _layouts, _layouts_owner
    if _layouts is None or not _layouts.is_dir():
        _layouts, _layouts_owner = own_folder("glyphs"), os.getpid()
    return _layouts / f"layout-{os.getpid()}.svg"


def remove_own_layouts() -> None:
    """Remove the folder of :func:`_layout_file` now if this process made it (a forked
    copy that exits inherits the exit handler, and must leave the first process's
    folder alone)."""
    if _layouts is not None and _layouts_owner == os.getpid():
        shutil.rmtree(_layouts, ignore_errors=True)


def end_of_process() -> None:
    """What a process does before it exits: keep its new measures on disk
    (:func:`save_measures`), then remove its layouts' folder. At exit, or called by a
    process that ends in ``os._exit`` (a forked copy drawing a piece of a lesson)."""
    try:
        save_measures()
    finally:
        remove_own_layouts()


atexit.register(end_of_process)


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
    #: measures kept on disk to start from (:meth:`measures`), checked by the caller
    kept: InitVar[dict[str, Any] | None] = None

    def __post_init__(self, kept: dict[str, Any] | None) -> None:
        if kept is not None:
            self._bar_advance, self._svg_scale = kept["bar_advance"], kept["svg_scale"]
            self.glyphs = {c: _Glyph(list(parts), advance, left)
                           for c, (parts, advance, left) in kept["glyphs"].items()}
            self.kerning = dict(kept["kerning"])
            self.unsafe = set(kept["unsafe"])
            return
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
        xs = [float(x) for x in _USE_X.findall(self._layout(s).decode())]
        return (np.array(xs) - xs[0]) * self._svg_scale if xs else np.zeros(0)

    def _layout(self, s: str) -> bytes:
        """The SVG Pango writes for ``s`` in this font and size, on the canvas ``Text``
        lays out on."""
        path = _layout_file()
        manimpango.text2svg(
            [manimpango.TextSetting(0, len(s), self.font, "NORMAL", "NORMAL", line_num=0)],
            self.size / TEXT2SVG_ADJUSTMENT_FACTOR, 0.0, False, str(path),
            START_X, START_Y, *CANVAS, s)
        return path.read_bytes()

    # -- keeping the measures ---------------------------------------------
    def measures(self) -> dict[str, Any]:
        """What was measured (glyphs, pairs, what cannot be composed), as kept on disk."""
        return {"bar_advance": self._bar_advance, "svg_scale": self._svg_scale,
                "glyphs": {c: (g.parts, g.advance, g.left) for c, g in self.glyphs.items()},
                "kerning": dict(self.kerning), "unsafe": set(self.unsafe)}

    def fingerprint(self, measures: dict[str, Any]) -> str:
        """A hash of the SVG Pango writes now for ``"||"``, every glyph of ``measures``
        and each of its pairs between bars, in one line (its top group's number left
        out): the same where the font's outlines and metrics are the ones measured."""
        pairs = "".join(f"{a}{b}{BAR}" for a, b in sorted(measures["kerning"]))
        line = BAR * 2 + "".join(sorted(measures["glyphs"])) + BAR + pairs
        return hashlib.sha256(unnumbered(self._layout(line))).hexdigest()

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
#: how many measures each of :data:`_CACHES` started with (saved only if it grew)
_STARTED: dict[tuple[str, float], int] = {}


def glyph_cache(font: str = theme.FONT, size: float = theme.BODY_SIZE) -> GlyphCache:
    """The process-wide cache for ``font`` at ``size``: from the measures kept on disk
    where they hold for the font as it is now (see the module), else from those made at
    install, else measured anew."""
    key = (font, float(size))
    glyphs = _CACHES.get(key)
    if glyphs is None:
        glyphs = _CACHES[key] = _recall(*key) or _from_built(*key) or GlyphCache(*key)
        _STARTED[key] = _count(glyphs.measures())
    return glyphs


def _count(measures: dict[str, Any]) -> int:
    return len(measures["glyphs"]) + len(measures["kerning"]) + len(measures["unsafe"])


def _entry(font: str, size: float) -> Path | None:
    """Where the measures of ``font`` at ``size`` are kept (None: no cache)."""
    folder = cache_folder("glyphs")
    if folder is None:
        return None
    h = hashlib.sha256(repr((MEASURES_FORMAT, font, size, CANVAS, str(config.renderer),
                             _context())).encode())
    return folder / f"{h.hexdigest()}.pickle"


@cache
def _context() -> str:
    """The versions and code the measures depend on."""
    here = Path(__file__).parent
    code = source_hash(*(here / m for m in ("glyphs.py", "typeset.py", "svgcache.py",
                                            "textsvg.py")))
    versions = [metadata.version(p) for p in ("manim", "manimpango", "svgelements")]
    return "-".join([*versions, np.__version__, manimpango.pango_version(),
                     cairo.cairo_version_string(), code])


def built_sizes() -> tuple[float, ...]:
    """The sizes measured at install: the theme's body and small text, and a readout's
    value beneath each (``size * READOUT_SCALE``, as the panels compute it)."""
    return tuple(dict.fromkeys(float(s) for base in (theme.BODY_SIZE, theme.SMALL_SIZE)
                               for s in (base, base * theme.READOUT_SCALE)))


def built_set() -> tuple[str, list[tuple[str, str]]]:
    """The glyphs and pairs measured at install: every character of the numbers
    :mod:`optiroll.scenes.text` writes (digits, ``.``, ``,``, signs, ``×``, superscripts),
    brackets and a few marks, letters (Latin, some Greek); and the pairs numbers make:
    digits, points and commas in any order, a sign before a digit, ``×10``, an exponent's
    superscripts, brackets and percent signs about digits."""
    glyphs = (DIGITS + SUPERSCRIPTS + ".,−-+×⁻·()[]<>=/:%' " + string.ascii_letters
              + GREEK)
    number = DIGITS + ".,"
    pairs = [(a, b) for a in number for b in number]
    pairs += [("−", b) for b in DIGITS + "."] + [(s, b) for s in "-+" for b in DIGITS]
    pairs += [(a, "×") for a in DIGITS] + [("×", "1")]
    pairs += [("0", b) for b in "⁻" + SUPERSCRIPTS]
    pairs += [(a, b) for a in "⁻" + SUPERSCRIPTS for b in SUPERSCRIPTS]
    pairs += [("(", b) for b in DIGITS + "−"] + [(a, c) for a in DIGITS for c in ")%"]
    return glyphs, list(dict.fromkeys(pairs))


def _built_context() -> str:
    """What the measures made at install must have been made with to be used."""
    return repr((MEASURES_FORMAT, CANVAS, str(config.renderer), _context()))


def write_built(path: Path | None = None) -> Path:
    """Measure :func:`built_set` in the theme's font at :func:`built_sizes` and write it to
    ``path`` (:data:`BUILT`) whole or not at all; returns the path."""
    path = BUILT if path is None else path
    chars, pairs = built_set()
    entries = {}
    for size in built_sizes():
        glyphs = GlyphCache(theme.FONT, size)
        outlined = {c for c in chars if glyphs._glyph(c).left is not None}
        glyphs._measure_pairs([(a, b) for a, b in pairs if a in outlined and b in outlined])
        measures = glyphs.measures()
        entries[(theme.FONT, size)] = {"measures": measures,
                                       "fingerprint": glyphs.fingerprint(measures)}
    data = zlib.compress(pickle.dumps({"context": _built_context(), "entries": entries},
                                      pickle.HIGHEST_PROTOCOL), 6)
    part = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        part.write_bytes(data)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return path


_built: tuple[Path, dict[tuple[str, float], Any]] | None = None


def _built_entries() -> dict[tuple[str, float], Any]:
    """The measures made at install, read once per process (empty: none, damaged, or
    made with other versions or code)."""
    global _built
    if _built is None or _built[0] != BUILT:
        try:
            kept = pickle.loads(zlib.decompress(BUILT.read_bytes()))
            entries = kept["entries"] if kept["context"] == _built_context() else {}
        except Exception:  # noqa: BLE001 - none, or not ours: measured as needed
            entries = {}
        _built = (BUILT, entries)
    return _built[1]


def _from_built(font: str, size: float) -> GlyphCache | None:
    """A cache of the measures made at install for ``font`` at ``size``, where they hold
    for the font now (None: none made, or another font)."""
    try:
        entry = _built_entries().get((font, size))
        return None if entry is None else _checked(font, size, entry)
    except Exception:  # noqa: BLE001 - measured anew
        return None


def _checked(font: str, size: float, kept: dict[str, Any]) -> GlyphCache | None:
    """A cache of ``kept``'s measures (``{"measures", "fingerprint"}``, as kept on disk and
    made at install) where the font's fingerprint is still the one they were made with."""
    glyphs = GlyphCache(font, size, kept=kept["measures"])
    return glyphs if glyphs.fingerprint(kept["measures"]) == kept["fingerprint"] else None


def _recall(font: str, size: float) -> GlyphCache | None:
    """A cache of the measures kept for ``font`` at ``size``, where they hold for the font
    now (None: none kept, or not readable, damaged, from elsewhere or for another font)."""
    try:
        entry = _entry(font, size)
        data = read(entry) if entry is not None else None
        if data is None:
            return None
        return _checked(font, size, pickle.loads(zlib.decompress(data)))
    except Exception:  # noqa: BLE001 - measured anew
        return None


def save_measures() -> None:
    """Keep on disk what each cache of this process measured beyond what it started
    with, added to what is kept there (another process's, where it still holds)."""
    for key, glyphs in list(_CACHES.items()):
        measures = glyphs.measures()
        if _count(measures) == _STARTED.get(key):
            continue
        try:
            if (entry := _entry(*key)) is None:
                continue
            theirs = _recall(*key)
            if theirs is not None:  # ours last: the same numbers where both measured
                kept = theirs.measures()
                for name in ("glyphs", "kerning"):
                    measures[name] = {**kept[name], **measures[name]}
                measures["unsafe"] |= kept["unsafe"]
            if len(measures["kerning"]) > MAX_KEPT_PAIRS:
                continue
            data = {"measures": measures, "fingerprint": glyphs.fingerprint(measures)}
            store(entry, zlib.compress(pickle.dumps(data, pickle.HIGHEST_PROTOCOL), 1),
                  MAX_MEASURES)
            _STARTED[key] = _count(measures)
        except Exception:  # noqa: BLE001, S112 - a cache not written is no error
            continue


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


def built_is_current() -> bool:
    """Whether the measures made at install hold for every size of :func:`built_sizes`:
    made with these versions and this code, for the font as it is now."""
    sizes = {(theme.FONT, float(s)) for s in built_sizes()}
    return set(_built_entries()) == sizes and all(_from_built(*k) is not None for k in sizes)


if __name__ == "__main__":  # ``make setup``: the measures made at install, where not current
    if built_is_current():
        print(f"glyph measures of the theme's font: up to date ({BUILT})", file=sys.stderr)
    else:
        print(f"glyph measures of the theme's font: {write_built()}", file=sys.stderr)
