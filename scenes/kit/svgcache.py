"""Parsed SVG outlines kept on disk, from one run to the next.

Every ``Text`` is an SVG file that Manim parses with svgelements into VMobjects
(``SVGMobject.generate_mobject``): about 10 ms a string, most of the 0.85 s the
flagship's 65 strings take, paid again by every preview, since Manim keeps the
result for one process only. This cache keeps the parsed mobjects (pickled as
Manim leaves them, flipped into scene coordinates) in ``~/.cache/optiroll/svg``
(``$XDG_CACHE_HOME`` is honoured; ``$OPTIROLL_CACHE`` names another folder, or
``off``), under a key of the SVG file's bytes and everything else
``generate_mobject`` reads (the class, ``svg_default``, ``path_string_config``)
and the versions of Manim and svgelements. So a string typeset once is parsed
once, across previews and processes, into the same mobjects
(``tests/test_glyphs.py`` compares them). Typst formulas are parsed every time
(:func:`cacheable`).

Entries are written atomically (parallel renders share the folder); one that
cannot be read is parsed again and written anew; past :data:`MAX_ENTRIES` the
least recently written half is removed.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from manim.constants import RIGHT, TAU
from manim.mobject.svg import svg_mobject

#: entries kept before the older half is removed (a lesson makes ~100; ~10 KB each)
MAX_ENTRIES = 20_000
#: Manim's own parser, which the cache calls on a miss
manim_generate_mobject = svg_mobject.SVGMobject.generate_mobject
#: the SVGMobject methods a parse goes through (a subclass overriding one is not cached)
PARSE_STEPS = ("get_file_path", "modify_xml_tree", "generate_config_style_dict",
               "get_mobjects_from", "get_mob_from_shape_element", "path_to_mobject",
               "polyline_to_mobject")
_pruned = False


def cache_dir() -> Path | None:
    """The folder entries go to, or None when the cache is off (``OPTIROLL_CACHE=off``)."""
    chosen = os.environ.get("OPTIROLL_CACHE")
    if chosen is not None:
        return None if chosen.strip().lower() in ("off", "") else Path(chosen) / "svg"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "optiroll" / "svg"


def _versions() -> str:
    return "-".join(metadata.version(p) for p in ("manim", "svgelements"))


def key(mob: svg_mobject.SVGMobject, svg: bytes) -> str:
    """The entry's name: a hash of the SVG and of what else the parse depends on."""
    h = hashlib.sha256(svg)
    h.update(repr((type(mob).__qualname__, mob.svg_default, mob.path_string_config,
                   _versions(), pickle.HIGHEST_PROTOCOL)).encode())
    return h.hexdigest()


def cacheable(cls: type) -> bool:
    """Whether ``cls`` parses with SVGMobject's own steps, whose only effects on the
    mobject are its submobjects, ``id_to_vgroup_dict`` and the flip into scene
    coordinates. Manim's Typst classes record state on the mobject while parsing (the
    strokes whose widths follow the scale): they are parsed every time."""
    return all(getattr(cls, name) is getattr(svg_mobject.SVGMobject, name)
               for name in PARSE_STEPS)


def generate_mobject(self: svg_mobject.SVGMobject) -> svg_mobject.SVGMobject:
    """Manim's ``SVGMobject.generate_mobject``, its result kept on disk (see the module)."""
    folder = cache_dir() if cacheable(type(self)) else None
    try:
        svg = self.get_file_path().read_bytes() if folder is not None else None
    except (OSError, ValueError):
        svg = None
    if folder is None or svg is None:
        return manim_generate_mobject(self)
    entry = folder / f"{key(self, svg)}.pickle"
    try:
        submobjects, groups = pickle.loads(entry.read_bytes())
    except Exception:  # noqa: BLE001 - missing, truncated or from elsewhere: parse it
        manim_generate_mobject(self)
        _store(entry, (self.submobjects, self.id_to_vgroup_dict))
        return self
    self.add(*submobjects)
    self.id_to_vgroup_dict = groups
    # the kept submobjects are flipped already; Manim's flip also turns the mobject's own
    # sheen direction (VMobject.rotate), as here
    self.rotate_sheen_direction(TAU / 2, RIGHT, family=False)
    return self


def _store(entry: Path, value: Any) -> None:
    """Write ``value`` to ``entry`` whole or not at all (a cache that cannot be written
    is no error: the next run parses the SVG again)."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        _prune(entry.parent)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, entry)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except (OSError, pickle.PicklingError, RecursionError):
        pass


def _prune(folder: Path) -> None:
    """Once a process, past :data:`MAX_ENTRIES` entries, remove the older half."""
    global _pruned
    if _pruned:
        return
    _pruned = True
    entries = list(folder.glob("*.pickle"))
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda p: p.stat().st_mtime)
    for p in entries[:len(entries) // 2]:
        p.unlink(missing_ok=True)


def install() -> None:
    """Parse every ``SVGMobject`` through the cache (idempotent)."""
    svg_mobject.SVGMobject.generate_mobject = generate_mobject
