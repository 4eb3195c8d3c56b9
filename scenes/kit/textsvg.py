"""A text's SVG converted to mobjects without svgelements: the same mobjects, sooner.

``Text`` has Pango lay a string out and cairo write it as an SVG: one ``<symbol>``
per distinct glyph (its outline as one path of ``M``, ``L``, ``C`` and ``Z``), then
a ``<use>`` of a symbol at each glyph's pen position, in groups of one fill colour.
Manim parses that file with svgelements, which re-parses a symbol's path for every
``<use>`` and moves its points by the use's ``x``, ``y``, and then converts each
path segment by segment in Python (``VMobjectFromSVGPath.handle_commands``): ~20 ms of
a 60-character string's ~30 ms. A first preview typesets its strings before it can
fork its pieces (``lesson/pieces.py``): the flagship's nine took 0.28 s of that
serial start, 0.12 s with this conversion (~2.5 ms a string).

:func:`convert` reads that one form of SVG directly: each symbol's path once, each
use as numpy arithmetic on its points, every operation Manim and svgelements do,
in their order, so the points are the same numbers bit for bit:

- svgelements moves a point by a use's translation as ``x*1 + y*0 + e`` (exact but
  for the one rounding of ``x + e``), as ``points + (x, y)`` here;
- a line from ``s`` to ``e`` is Manim's cubic ``s, (s+s+e)/3, (s+e+e)/3, e``; a cubic
  ``s, c1, c2, e``; ``Z`` adds the line back to the subpath's start where it is
  more than 1e-4 away (as Manim measures it, ``np.linalg.norm``);
- Manim then applies the path's (identity) transform: ``points @ I`` about the
  origin and a shift by zero, which turns -0.0 into 0.0: done here the same way.

The mobjects are copies of a model outline Manim itself made for that fill (a
one-glyph SVG of the same structure and styles, parsed its own way, once per style a
process), given their points: the same class, styles and attributes. The groups
Manim makes along the way (``id_to_vgroup_dict``: one per element, named by its id or
``numbered_group_N`` in the order Manim walks the tree) are made in the same order
with the same members. ``tests/test_textsvg.py`` compares every point, attribute
and group with Manim's own parse on digits, letters, Greek, punctuation, spaces,
several lines and colours.

Anything else in the file (another element, attribute, path command or number
format: an underline, an emoji's image, a transform) is not this form: :func:`convert`
returns None and Manim parses it.
"""

from __future__ import annotations

import copy
import copyreg
import enum
import io
import re
import xml.etree.ElementTree as ET
from functools import cache
from typing import Any

import numpy as np
import svgelements as se
from manim import VGroup, VMobject
from manim.mobject.svg import svg_mobject

#: the tags of the one form read here, in the order cairo writes them (see :func:`_parse`)
_TAG = re.compile(rb"<[^<>]*>")
#: what may stand between them (XML's white space)
_SPACE = re.compile(rb"[ \t\r\n]*")
_XML_DECL = re.compile(rb'<\?xml version="1\.0" encoding="UTF-8"\?>')
_ROOT = re.compile(rb'<svg xmlns="http://www\.w3\.org/2000/svg" '
                   rb'xmlns:xlink="http://www\.w3\.org/1999/xlink" width="[0-9.]+pt" '
                   rb'height="[0-9.]+pt" viewBox="[0-9. ]+" version="1\.1">')
_SYMBOL = re.compile(rb'<symbol overflow="visible" id="(glyph[0-9]+-[0-9]+)">')
_PATH = re.compile(rb'<path style="stroke:none;" d="([MLCZ0-9. -]*)"/>')
_SURFACE = re.compile(rb'<g id="(surface[0-9]+)">')
_FILL = re.compile(rb'<g style="(fill:rgb\([0-9.]+%,[0-9.]+%,[0-9.]+%\);'
                   rb'fill-opacity:[0-9.]+;)">')
_USE = re.compile(rb'<use xlink:href="#(glyph[0-9]+-[0-9]+)" x="(-?[0-9]+(?:\.[0-9]+)?)" '
                  rb'y="(-?[0-9]+(?:\.[0-9]+)?)"/>')
#: a path as cairo writes it: commands and numbers (``%f``, trailing zeros dropped), each
#: followed by a space
_PATH_DATA = re.compile(r"(?:(?:[MLCZ]|-?[0-9]+(?:\.[0-9]+)?) )*")
#: Manim's threshold for a closing line (``handle_commands``)
CLOSE_GAP = 0.0001
#: a gap this close to the threshold is measured one by one, as Manim does
_GAP_GUARD = 1e-9
#: the largest coordinate read here (a text's canvas is 7680 points wide): moving a point
#: this far rounds it by under 1.5e-11, so a gap by well under the guard
MAX_COORDINATE = 1e5


class _Outline:
    """A symbol's path, parsed once: its numbers, and how Manim's points are made from
    them (:meth:`points`, for every use of it at once)."""

    def __init__(self, d: str) -> None:
        if not _PATH_DATA.fullmatch(d):
            raise ValueError(d)
        tokens = d.split()
        coords: list[tuple[float, float]] = []
        # Manim's points, each as (kind, a, b): 0 the number pair a; 1 (s+s+e)/3 and
        # 2 (s+e+e)/3 of pairs a (s) and b (e); a Z as (point, pen, first): a line from
        # the pen back to the subpath's first pair, where more than CLOSE_GAP away
        rows: list[tuple[int, int, int]] = []
        closes: list[tuple[int, int, int]] = []
        last = first = -1
        i = 0

        def pair(at: int) -> int:
            coords.append((float(tokens[at]), float(tokens[at + 1])))
            return len(coords) - 1

        while i < len(tokens):
            op = tokens[i]
            if op == "M":
                last = first = pair(i + 1)
                i += 3
            elif op == "L" and last >= 0:
                e = pair(i + 1)
                rows.extend(((0, last, last), (1, last, e), (2, last, e), (0, e, e)))
                last = e
                i += 3
            elif op == "C" and last >= 0:
                c1, c2, e = pair(i + 1), pair(i + 3), pair(i + 5)
                rows.extend(((0, last, last), (0, c1, c1), (0, c2, c2), (0, e, e)))
                last = e
                i += 7
            elif op == "Z" and first >= 0:
                closes.append((len(rows), last, first))
                last = first = -1  # (cairo starts each subpath with M: nothing else read)
                i += 1
            else:
                raise ValueError(d)
        self.coords = np.array(coords, dtype=np.float64).reshape(-1, 2)
        self.rows, self.closes = rows, closes
        # whether each Z draws its line: decided here where no gap is near the threshold
        # (moving the points changes a gap by rounding only), else for each use
        ends = np.array([(pen, first) for _, pen, first in closes], dtype=np.intp).reshape(-1, 2)
        gaps = np.hypot(*(self.coords[ends[:, 0]] - self.coords[ends[:, 1]]).T)
        self.exact = bool(np.all(np.abs(gaps - CLOSE_GAP) > _GAP_GUARD))
        self.plan = self._plan(gaps > CLOSE_GAP) if self.exact else None

    def _gaps(self, moved: np.ndarray) -> np.ndarray:
        """Each Z's gap from the pen to the subpath's first point, as Manim measures it
        (one at a time: where a gap is near the threshold, its last bit counts)."""
        return np.array([abs(np.linalg.norm(np.array([*moved[pen], 0.0])
                                            - np.array([*moved[first], 0.0])))
                         for _, pen, first in self.closes])

    def _plan(self, far: np.ndarray) -> tuple[int, list[tuple[np.ndarray, np.ndarray,
                                                               np.ndarray]]]:
        """The points' count, and for each kind the rows it fills and the pairs read."""
        rows = list(self.rows)
        for (at, pen, first), line in zip(self.closes[::-1], far[::-1], strict=True):
            if line:
                rows[at:at] = ((0, pen, pen), (1, pen, first), (2, pen, first),
                               (0, first, first))
        table = np.array(rows, dtype=np.intp).reshape(-1, 3)
        return len(rows), [(np.flatnonzero(table[:, 0] == kind), table[table[:, 0] == kind, 1],
                            table[table[:, 0] == kind, 2]) for kind in (0, 1, 2)]

    def points(self, at: np.ndarray) -> list[np.ndarray]:
        """Manim's points of this outline used at each of ``at`` (``(u, 2)``), each ``(n,
        3)`` (n may be 0)."""
        moved = self.coords[None, :, :] + at[:, None, :]
        if self.exact:
            return list(self._made(moved, self.plan))
        return [self._made(m[None], self._plan(self._gaps(m) > CLOSE_GAP))[0] for m in moved]

    @staticmethod
    def _made(moved: np.ndarray, plan: tuple[int, list]) -> np.ndarray:
        n, ((direct, pairs, _), (rows1, s1, e1), (rows2, s2, e2)) = plan
        out = np.zeros((len(moved), n, 3))
        out[:, direct, :2] = moved[:, pairs]
        for rows, s_at, e_at, first in ((rows1, s1, e1, True), (rows2, s2, e2, False)):
            if len(rows):
                s = np.zeros((len(moved), len(rows), 3))
                e = np.zeros((len(moved), len(rows), 3))
                s[..., :2], e[..., :2] = moved[:, s_at], moved[:, e_at]
                out[:, rows] = (s + s + e) / 3 if first else (s + e + e) / 3
        return out


def _parse(svg: bytes) -> tuple[dict[str, str], str, list[tuple[str, list]]] | None:
    """``svg`` as (symbol paths by id, the top group's id, [(fill style, [(symbol, x,
    y), ...]), ...]), or None where it is not exactly the form cairo writes for Pango's
    text (see the module)."""
    tags = list(_TAG.finditer(svg))
    if not tags or not _SPACE.fullmatch(svg, 0, tags[0].start()) or not _SPACE.fullmatch(
            svg, tags[-1].end()):
        return None
    for prev, tag in zip(tags, tags[1:], strict=False):
        if not _SPACE.fullmatch(svg, prev.end(), tag.start()):
            return None  # text between tags
    it = iter(m.group(0) for m in tags)
    symbols: dict[str, str] = {}
    groups: list[tuple[str, list]] = []
    try:
        if not (_XML_DECL.fullmatch(next(it)) and _ROOT.fullmatch(next(it))
                and next(it) == b"<defs>" and next(it) == b"<g>"):
            return None
        tag = next(it)
        while (m := _SYMBOL.fullmatch(tag)) is not None:
            path = _PATH.fullmatch(next(it))
            if path is None or next(it) != b"</symbol>" or m.group(1).decode() in symbols:
                return None
            symbols[m.group(1).decode()] = path.group(1).decode()
            tag = next(it)
        if tag != b"</g>" or next(it) != b"</defs>":
            return None
        surface = _SURFACE.fullmatch(next(it))
        if surface is None:
            return None
        tag = next(it)
        while (fill := _FILL.fullmatch(tag)) is not None:
            uses = []
            tag = next(it)
            while (use := _USE.fullmatch(tag)) is not None:
                name = use.group(1).decode()
                if name not in symbols:
                    return None
                uses.append((name, float(use.group(2)), float(use.group(3))))
                tag = next(it)
            if tag != b"</g>":
                return None
            groups.append((fill.group(1).decode(), uses))
            tag = next(it)
        if tag != b"</g>" or next(it) != b"</svg>" or next(it, None) is not None:
            return None
    except StopIteration:
        return None
    return symbols, surface.group(1).decode(), groups


#: copies of model outlines, by (the SVGMobject's class, its default style, path config,
#: fill style)
_MODELS: dict[tuple, _Cloner] = {}
#: the one-glyph SVG a model is parsed from (the structure of a text's SVG)
_MODEL_SVG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'width="100pt" height="100pt" viewBox="0 0 100 100" version="1.1">\n'
    '<defs>\n<g>\n<symbol overflow="visible" id="glyph0-1">\n'
    '<path style="stroke:none;" d="M 0 0 L 1 0 L 1 1 Z "/>\n</symbol>\n</g>\n</defs>\n'
    '<g id="surface1">\n<g style="{fill}">\n'
    '  <use xlink:href="#glyph0-1" x="0" y="0"/>\n</g>\n</g>\n</svg>\n')


def _model(owner: svg_mobject.SVGMobject, fill: str) -> _Cloner:
    """Copies of the outline Manim makes for a glyph of ``owner`` filled with ``fill``
    (its points aside): parsed by Manim's own ``generate_mobject`` steps, once a
    process."""
    key = (type(owner), repr(owner.svg_default), repr(owner.path_string_config), fill)
    if key not in _MODELS:
        tree = ET.ElementTree(ET.fromstring(_MODEL_SVG.format(fill=fill)))
        buffer = io.BytesIO()
        owner.modify_xml_tree(tree).write(buffer)
        buffer.seek(0)
        mobjects, _ = svg_mobject.SVGMobject.get_mobjects_from(owner, se.SVG.parse(buffer))
        (model,) = mobjects
        model.path_obj = None
        _MODELS[key] = _Cloner(model)
    return _MODELS[key]


#: attribute values a copy may share with its model (immutable)
_SHARED = (bool, int, float, str, type(None), enum.Enum)


def _plain(value: object) -> bool:
    """Whether ``copy.deepcopy(value)`` is a new object of its class with its attributes'
    arrays copied and nothing else to copy (a ``ManimColor``)."""
    if hasattr(value, "__deepcopy__") or not hasattr(value, "__dict__"):
        return False
    try:
        reduced = value.__reduce_ex__(4)
    except TypeError:
        return False
    return (len(reduced) == 5 and reduced[0] is copyreg.__newobj__
            and reduced[1] == (type(value),) and reduced[2] is vars(value)
            and reduced[3] is None and reduced[4] is None
            and all(isinstance(v, _SHARED) or type(v) is np.ndarray
                    for v in vars(value).values()))


class _Cloner:
    """Copies of a model mobject as ``copy.deepcopy`` makes them, less the
    ``original_id`` Manim's deepcopy notes (a parsed outline or a new group has none),
    about ten times sooner: immutable values shared, arrays and empty lists new, plain
    objects (:func:`_plain`) remade. Where the model holds anything else, or one object
    under two names (a deepcopy keeps it one), each copy is the model's whole deepcopy.
    The model is read once, and must not change after (the models here are private)."""

    def __init__(self, model: VMobject) -> None:
        self.cls = type(model)
        self.values = dict(vars(model))
        self.values.pop("original_id", None)
        self.arrays: list[tuple[str, np.ndarray]] = []
        self.lists: list[str] = []
        self.plain: list[tuple[str, Any]] = []
        other = False
        for name, value in self.values.items():
            if isinstance(value, _SHARED):
                continue
            if type(value) is np.ndarray:
                self.arrays.append((name, value))
            elif type(value) is list and not value:
                self.lists.append(name)
            elif _plain(value):
                self.plain.append((name, value))
            else:
                other = True
        mutable = [id(v) for v in self.values.values() if not isinstance(v, _SHARED)]
        #: the model, where each copy must be its whole deepcopy
        self.model = model if other or len(set(mutable)) != len(mutable) else None

    def __call__(self) -> VMobject:
        if self.model is not None:
            new = copy.deepcopy(self.model)
            new.__dict__.pop("original_id", None)
            return new
        values = self.values.copy()
        for name, value in self.arrays:
            values[name] = value.copy()
        for name in self.lists:
            values[name] = []
        for name, value in self.plain:
            twin = object.__new__(type(value))
            twin.__dict__.update({k: v.copy() if type(v) is np.ndarray else v
                                  for k, v in vars(value).items()})
            values[name] = twin
        new = object.__new__(self.cls)
        new.__dict__.update(values)
        return new


@cache
def _empty_group() -> _Cloner:
    """Copies of ``VGroup()``: the group Manim makes for every element it walks."""
    return _Cloner(VGroup())


def _identity_transform(points: np.ndarray) -> np.ndarray:
    """Manim's ``handle_transform`` with svgelements' identity matrix: ``apply_matrix``
    about the origin, then ``shift`` by zero (the same operations, on every outline's
    points at once)."""
    full = np.identity(3)
    points = points - np.zeros(3)
    points = np.dot(points, full.T)
    points += np.zeros(3)
    points += np.array([0.0, 0.0, 0.0])
    return points


def convert(owner: svg_mobject.SVGMobject, svg: bytes
            ) -> tuple[list[VMobject], dict[str, VGroup]] | None:
    """Manim's ``get_mobjects_from`` result (the outlines, and every group by name) for
    ``svg``, a text's SVG written by cairo, or None where it is not that form."""
    parsed = _parse(svg)
    if parsed is None:
        return None
    symbols, surface, fills = parsed
    models = [_model(owner, fill) for fill, _ in fills]  # (each fill group's outlines')
    if any(m.values.get("n_points_per_cubic_curve") != 4 for m in models):
        return None  # (Manim's conversion makes quadratic curves: not what is made here)
    try:
        outlines = {name: _Outline(d) for name, d in symbols.items()}
    except (ValueError, IndexError):
        return None
    # (a closing line's gap is decided once a glyph where it is not within _GAP_GUARD of
    # the threshold: rounding at coordinates this large stays far below that)
    if any(abs(x) > MAX_COORDINATE or abs(y) > MAX_COORDINATE
           for _, uses in fills for _, x, y in uses) or any(
            len(o.coords) and np.abs(o.coords).max() > MAX_COORDINATE
            for o in outlines.values()):
        return None
    # every use's points, each glyph's uses at once, then Manim's identity transform on
    # all of them (elementwise: the same numbers as one outline at a time)
    uses = [(name, x, y) for _, group_uses in fills for name, x, y in group_uses]
    made: list[np.ndarray | None] = [None] * len(uses)
    by_name: dict[str, list[int]] = {}
    for k, (name, _, _) in enumerate(uses):
        by_name.setdefault(name, []).append(k)
    for name, ks in by_name.items():
        points = outlines[name].points(np.array([uses[k][1:] for k in ks]))
        for k, p in zip(ks, points, strict=True):
            made[k] = p
    sizes = [len(p) for p in made]
    if sum(sizes):
        flat = _identity_transform(np.concatenate(made))
        chunks = iter([c.copy() for c in np.split(flat, np.cumsum(sizes)[:-1])])
    else:
        chunks = iter(made)

    groups: dict[str, VGroup] = {}
    numbered = 0
    new_group = _empty_group()

    def group(name: str | None) -> VGroup:
        nonlocal numbered
        if name is None:
            name = f"numbered_group_{numbered}"
            numbered += 1
        groups[name] = new = new_group()
        return new

    # Manim's walk: "root", then the SVG, its two style groups, cairo's top group, each
    # fill's group, each use, its symbol and path (the path's outline goes to every group
    # above the use's, and the use's; the symbol's and path's own stay empty)
    root = VGroup()
    groups["root"] = root
    top = [root, group(None), group(None), group(None), group(surface)]
    result: list[VMobject] = []
    for (_, group_uses), model in zip(fills, models, strict=True):
        fill_group = group(None)
        members: list[VMobject] = []
        for name, _, _ in group_uses:
            use_group = group(None)
            group(name)
            group(None)
            points = next(chunks)
            if len(points):
                mob = model()
                mob.points = points
                use_group.submobjects = [mob]
                members.append(mob)
        fill_group.submobjects = members
        result.extend(members)
    for g in top:
        g.submobjects = list(result)
    return result, groups
