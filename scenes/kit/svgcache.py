"""Parsed SVG outlines kept on disk, from one run to the next.

Every ``Text`` is an SVG file that Manim parses with svgelements into VMobjects
(``SVGMobject.generate_mobject``): about 10 ms a string, most of the 0.97 s the
flagship's 65 strings take, paid again by every preview, since Manim keeps the
result for one process only. This cache keeps the parsed mobjects (pickled as
Manim leaves them, flipped into scene coordinates, compressed) in
``~/.cache/optiroll/svg`` (``$XDG_CACHE_HOME/optiroll/svg`` where that is set;
``$OPTIROLL_CACHE/svg``, or none with ``OPTIROLL_CACHE=off``), under a key of the
SVG file's bytes, everything else ``generate_mobject`` reads (``svg_default``,
``path_string_config``), the class, the renderer and the versions of Manim and
svgelements. So a string typeset once is parsed once, across previews and
processes, into the same mobjects (``tests/test_glyphs.py`` compares them). Only
Manim's own ``Text``, ``MarkupText``, ``Typst`` and ``MathTypst`` under the Cairo
renderer are kept (:func:`cacheable`). A Typst formula's parse also notes, on the
mobject, the shapes whose stroke follows its scale (a fraction bar) and those whose
baseline it tracks: kept with the shapes, in the same pickle, so they are the same
objects when read back (a formula parsed every time had cost ~12 ms a preview each).

Cairo names an SVG's one top group ``surface<N>``, N counting the SVG surfaces the
process has made: the same string typeset in another process, or after other
strings, differs in that number alone. The key leaves it out, and an entry is read
back with the name this SVG gives the group (:func:`_surface_id`), so a string
typeset again into a new text folder (a copy drawing a stretch of a lesson,
``lesson/pieces.py``; a render into a new media folder) is still parsed once.

A parse that is not kept is also quicker: Manim's ``get_mobjects_from`` makes an
empty ``VGroup`` for every element of the SVG (each glyph's ``use`` and its path),
about 55 µs each through ``VMobject``'s constructor, nearly half of a long
string's conversion; here each is a copy of one made for that parse (14 µs), the
same mobject (:func:`get_mobjects_from`; tests compare every attribute).

Each outline Manim makes from an SVG path keeps that path (``path_obj``, svgelements'
``Path`` with a Python object per point), read only while its points are made. A
kept class's outlines drop it (set to None), parsed or read back: copying a Text or
a formula (every animation of one copies it, Manim's Typst cache too) had been 97 %
copying those paths, and reading an entry back three quarters unpickling them (a
next preview's start: 0.34 -> 0.22 s).

Entries are written atomically (parallel renders share the folder) and read
only by the user who wrote them (a folder of mode 0700: they are pickles); one
that cannot be read is parsed again and written anew; past :data:`MAX_ENTRIES`
the less recently used half is removed.
"""

from __future__ import annotations

import copy
import hashlib
import pickle
import re
import zlib
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from manim import MarkupText, MathTypst, Text, Typst, VGroup, config
from manim.constants import RIGHT, TAU, RendererType
from manim.mobject.svg import svg_mobject
from optiroll.dynamics.disk_cache import cache_folder, read, source_hash, store

from . import textsvg

#: entries kept before the less recently used half is removed (a lesson makes ~100, of
#: 2 to 60 KB each, compressed)
MAX_ENTRIES = 5_000
#: Manim's own parser, which the cache calls on a miss
manim_generate_mobject = svg_mobject.SVGMobject.generate_mobject
#: Manim's own conversion of a parsed SVG to mobjects (see :func:`get_mobjects_from`)
manim_get_mobjects_from = svg_mobject.SVGMobject.get_mobjects_from
#: Manim's own start of an SVG mobject (see :func:`init_svg_mobject`)
manim_init_svg_mobject = svg_mobject.SVGMobject.init_svg_mobject
#: the classes whose parse is kept (see :func:`cacheable`)
_KEPT = (Text, MarkupText, Typst, MathTypst)
#: what a Typst formula's parse notes on the mobject, kept with its shapes
_TYPST_NOTES = ("_stroke_width_tracked_submobjects", "_baseline_tracked_submobjects")
#: the format of a kept entry (in its key: an entry of another format is not read)
FORMAT = 3
#: cairo's name for an SVG's top group, numbered by the surfaces the process has made
_SURFACE_ID = re.compile(rb'<g id="(surface[0-9]+)"')
#: the name that group has in a kept entry
_KEPT_SURFACE_ID = "surface"


def cache_dir() -> Path | None:
    """The folder entries go to, or None when the cache is off (``OPTIROLL_CACHE=off``)."""
    return cache_folder("svg")


@cache
def _versions() -> str:
    """The versions of Manim and svgelements, and of the code that converts a text's SVG
    without them (:mod:`.textsvg`: a change to it makes its parses anew)."""
    return "-".join([*(metadata.version(p) for p in ("manim", "svgelements")),
                     source_hash(Path(textsvg.__file__))])


def key(mob: svg_mobject.SVGMobject, svg: bytes) -> str:
    """The entry's name: a hash of the SVG (its top group's number left out: see the
    module) and of what else the parse depends on."""
    h = hashlib.sha256(unnumbered(svg))
    h.update(repr((FORMAT, type(mob).__module__, type(mob).__qualname__, mob.svg_default,
                   mob.path_string_config, str(config.renderer), _versions(),
                   pickle.HIGHEST_PROTOCOL,
                   # (what a Typst formula notes while parsing depends on these)
                   getattr(mob, "_preserve_svg_stroke_widths", None),
                   getattr(mob, "track_baselines", None))).encode())
    return h.hexdigest()


def cacheable(cls: type) -> bool:
    """Whether ``cls`` is kept: Manim's ``Text``, ``MarkupText``, ``Typst`` and
    ``MathTypst`` themselves (whose parse only sets the mobject's submobjects,
    ``id_to_vgroup_dict`` and, for Typst, the notes of :data:`_TYPST_NOTES`, and flips
    them), with Manim's Cairo renderer. Not subclasses, which may change the parse, nor
    the OpenGL renderer's mobjects."""
    return cls in _KEPT and config.renderer == RendererType.CAIRO


def generate_mobject(self: svg_mobject.SVGMobject) -> svg_mobject.SVGMobject:
    """Manim's ``SVGMobject.generate_mobject``, its result kept on disk (see the module);
    a kept class's outlines without the paths they were made from (:func:`_unpathed`)."""
    if not cacheable(type(self)):
        return manim_generate_mobject(self)
    folder = cache_dir()
    try:
        svg = self.get_file_path().read_bytes()
    except (OSError, ValueError):
        svg = None
    if folder is None or svg is None:
        return _unpathed(_parsed(self, svg))
    entry = folder / f"{key(self, svg)}.pickle"
    surface = _surface_id(svg)
    notes = _notes(self)
    kept = _load(entry, notes)
    if kept is None:  # missing, damaged or from elsewhere: parse it
        _unpathed(_parsed(self, svg))
        _store(entry, (self.submobjects, _renamed(self.id_to_vgroup_dict, surface,
                                                  _KEPT_SURFACE_ID),
                       {n: getattr(self, n) for n in notes}))
        return self
    submobjects, groups, noted = kept
    self.add(*submobjects)
    self.id_to_vgroup_dict = _renamed(groups, _KEPT_SURFACE_ID, surface)
    for name, mobs in noted.items():
        setattr(self, name, mobs)
    # the kept submobjects are flipped already; Manim's flip also turns the mobject's own
    # sheen direction (VMobject.rotate), as here
    self.rotate_sheen_direction(TAU / 2, RIGHT, family=False)
    return self


def _notes(mob: svg_mobject.SVGMobject) -> list[str]:
    """The notes of :data:`_TYPST_NOTES` ``mob``'s parse makes (a Typst formula's), or
    none."""
    return [n for n in _TYPST_NOTES if hasattr(mob, n)]


def _parsed(self: svg_mobject.SVGMobject, svg: bytes | None) -> svg_mobject.SVGMobject:
    """Manim's ``generate_mobject``: for a ``Text`` or ``MarkupText`` whose SVG has the
    form cairo writes for a text, its own steps with the conversion of
    :func:`.textsvg.convert` (the same mobjects, without svgelements)."""
    if svg is not None and type(self) in (Text, MarkupText):
        converted = textsvg.convert(self, svg)
        if converted is not None:
            mobjects, groups = converted
            self.add(*mobjects)
            self.id_to_vgroup_dict = groups
            self.flip(RIGHT)  # (as Manim's generate_mobject ends)
            return self
    return manim_generate_mobject(self)


def _unpathed(mob: svg_mobject.SVGMobject) -> svg_mobject.SVGMobject:
    """``mob`` with each outline's ``path_obj`` (the svgelements path Manim made its points
    from, and keeps) set to None: read only while the points are made, it was most of
    what copying a Text cost (a formula: 200 ms against 7) and of reading one back."""
    for m in mob.get_family():
        if isinstance(m, svg_mobject.VMobjectFromSVGPath):
            m.path_obj = None
    return mob


def _load(entry: Path, notes: list[str]) -> tuple[list[svg_mobject.VMobject],
                                                   dict[str, Any], dict[str, list]] | None:
    """A kept parse (its submobjects, groups and a Typst formula's ``notes``), or None where
    ``entry`` is missing, damaged, not a parse with those notes or in a folder that is not
    this user's own."""
    data = read(entry)
    if data is None:
        return None
    try:
        submobjects, groups, noted = pickle.loads(zlib.decompress(data))
    except Exception:  # noqa: BLE001 - damaged or from elsewhere
        return None
    if not (isinstance(submobjects, list) and isinstance(groups, dict) and all(
            isinstance(m, svg_mobject.VMobject) for m in submobjects)
            and isinstance(noted, dict) and set(noted) == set(notes)
            and all(isinstance(v, list) for v in noted.values())):
        return None
    return submobjects, groups, noted


def unnumbered(svg: bytes) -> bytes:
    """``svg`` with its top group's number left out (the same string typeset by any
    process, after any other strings, gives the same bytes: see the module)."""
    return _SURFACE_ID.sub(b'<g id="surface"', svg, count=1)


def _surface_id(svg: bytes) -> str | None:
    """The name cairo gave the SVG's top group (``surface<N>``), or None."""
    found = _SURFACE_ID.search(svg)
    return found.group(1).decode() if found else None


def _renamed(groups: dict[str, Any], old: str | None, new: str | None) -> dict[str, Any]:
    """``groups`` (a parse's ``id_to_vgroup_dict``) with its group ``old`` named ``new``,
    in the same place (an SVG without cairo's top group: unchanged)."""
    if old is None or new is None:
        return groups
    return {new if name == old else name: group for name, group in groups.items()}


def _store(entry: Path, value: Any) -> None:
    """Write ``value`` to ``entry`` whole or not at all (a cache that cannot be written
    is no error: the next run parses the SVG again)."""
    try:
        data = zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1)
    except Exception:  # noqa: BLE001 - a mobject pickle refuses: no entry
        return
    store(entry, data, MAX_ENTRIES)


class _EmptyGroups:
    """Stands for ``VGroup`` in Manim's SVG module during one conversion: an empty group
    is a copy of one made by ``VGroup()`` for it (Manim's deepcopy notes the original's
    ``original_id``, which a new group has not: removed); any other call is passed on."""

    def __init__(self) -> None:
        self.model: VGroup | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> VGroup:
        if args or kwargs:
            return VGroup(*args, **kwargs)
        if self.model is None:
            self.model = VGroup()
        group = copy.deepcopy(self.model)
        del group.original_id
        return group


def get_mobjects_from(self: svg_mobject.SVGMobject, svg: Any) -> tuple[list, dict]:
    """Manim's ``SVGMobject.get_mobjects_from``, its empty groups copied (see the
    module). The module's name is bound back even if the conversion fails; another
    thread converting meanwhile gets the same mobjects either way."""
    svg_mobject.VGroup = _EmptyGroups()
    try:
        return manim_get_mobjects_from(self, svg)
    finally:
        svg_mobject.VGroup = VGroup


def init_svg_mobject(self: svg_mobject.SVGMobject, use_svg_cache: bool
                     ) -> svg_mobject.SVGMobject:
    """Manim's ``init_svg_mobject``, but a Typst formula met before in this process gets
    the notes its parse made as well as its shapes.

    Manim keeps a copy of each SVG mobject it parses (``SVG_HASH_TO_MOB_MAP``) and gives
    a later one of the same SVG a copy of that copy's shapes, without the notes a Typst
    parse makes: the second formula's fraction bar was drawn at half its width and not
    rescaled with its size (a lesson previewed again under ``--watch``, or a formula
    typeset twice). Here the copy's notes come with its shapes (they are its own shapes:
    the copy is a deepcopy); a formula whose notes the kept one was not made with (its
    strokes' widths set by hand, ``stroke_width``) is parsed, as the first one was."""
    notes = _notes(self)
    if not (use_svg_cache and notes):
        return manim_init_svg_mobject(self, use_svg_cache)
    hash_val = svg_mobject.hash_obj(self.hash_seed)
    kept = svg_mobject.SVG_HASH_TO_MOB_MAP.get(hash_val)
    preserve = getattr(self, "_preserve_svg_stroke_widths", None)
    if kept is None or getattr(kept, "_preserve_svg_stroke_widths", None) != preserve:
        self.generate_mobject()
        svg_mobject.SVG_HASH_TO_MOB_MAP[hash_val] = self.copy()
        return self
    mob = kept.copy()
    self.add(*mob)
    self.id_to_vgroup_dict = mob.id_to_vgroup_dict
    for name in notes:
        setattr(self, name, getattr(mob, name))
    return self


def install() -> None:
    """Parse every ``SVGMobject`` through the cache, convert it with empty groups copied,
    and give a formula met before its notes (idempotent)."""
    svg_mobject.SVGMobject.generate_mobject = generate_mobject
    svg_mobject.SVGMobject.get_mobjects_from = get_mobjects_from
    svg_mobject.SVGMobject.init_svg_mobject = init_svg_mobject
