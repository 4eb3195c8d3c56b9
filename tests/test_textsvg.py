"""A text's SVG converted without svgelements (kit/textsvg.py): Manim's own mobjects, every
point bit for bit, every attribute and named group alike."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pytest
import svgelements as se
from manim import MarkupText, Text, tempconfig
from manim.mobject.svg import svg_mobject
from optiroll.scenes.kit import glyphs, svgcache, textsvg, theme  # noqa: F401 - installs
from outlines import outlines

STRINGS = [
    "Momentum in a ravine",
    "lr 0.1 · start (−2.4, 0.2)",
    "50 steps, lr 0.1: momentum β = 0.8 ends 3,600× lower than plain GD",
    "∇L(w) → 0; η·v, α≈1e-3 Ωμ σ² ½ ∞ — “quoted” ‘x’ …",
    "AVATAR Te r. fi fl ffi",  # kerned pairs and ligatures
    "0123456789+-−×÷=.,%",
    "two\nlines, a space: ",
    "   ",  # spaces only: no outline
    "x",
]


def texts(s: str) -> list:
    """``s`` as the kit typesets text: plain, with a coloured word, small and bold, and as
    markup with a coloured span (several fill groups in one SVG)."""
    svg_mobject.SVG_HASH_TO_MOB_MAP.clear()  # Manim's own per-process cache
    return [Text(s, font=theme.FONT, font_size=theme.BODY_SIZE, color=theme.FOREGROUND),
            Text(s, font=theme.FONT, font_size=theme.BODY_SIZE * 0.85,
                 t2c={s[:3]: theme.SKY_BLUE} if s.strip() else {}),
            Text(s, font=theme.FONT, font_size=19, weight="BOLD"),
            MarkupText(f'<span fgcolor="#33aaff">{escape(s[:3])}</span>{escape(s[3:])}',
                       font=theme.FONT)]


@pytest.fixture()
def no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPTIROLL_CACHE", "off")
    with tempconfig({"media_dir": str(tmp_path / "media")}):
        yield


@pytest.mark.parametrize("s", STRINGS)
def test_a_texts_mobjects_are_manims_own(s: str, no_cache: None,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Each text made with the conversion is the text Manim's own parse makes (svgelements,
    ``handle_commands``): every point's bits, attribute and named group."""
    converted = []
    convert = textsvg.convert
    monkeypatch.setattr(textsvg, "convert", lambda owner, svg: converted.append(
        result := convert(owner, svg)) or result)
    ours = texts(s)
    assert len(converted) == 4 and all(c is not None for c in converted)  # (used)
    with monkeypatch.context() as manims_own:
        manims_own.setattr(textsvg, "convert", lambda owner, svg: None)
        manims_own.setattr(svg_mobject.SVGMobject, "get_mobjects_from",
                           svgcache.manim_get_mobjects_from)
        manims = texts(s)
    assert outlines(ours) == outlines(manims)
    assert all(len(t.submobjects) > 0 for t in ours) == bool(s.strip())  # (outlines made)


def manims_parse(owner: svg_mobject.SVGMobject, svg: bytes) -> tuple[list, dict]:
    """What Manim's ``generate_mobject`` converts ``svg`` into, before flipping it."""
    tree = owner.modify_xml_tree(ET.ElementTree(ET.fromstring(svg)))
    buffer = io.BytesIO()
    tree.write(buffer)
    buffer.seek(0)
    return svgcache.manim_get_mobjects_from(owner, se.SVG.parse(buffer))


def described(mobjects: list, groups: dict) -> list:
    holder = svg_mobject.SVGMobject.__new__(svg_mobject.SVGMobject)
    holder.__dict__.update(submobjects=list(mobjects), id_to_vgroup_dict=groups)
    return outlines([holder])


def svg_of(s: str, no_cache: None) -> tuple[Text, bytes]:
    t = Text(s, font=theme.FONT, font_size=theme.BODY_SIZE)
    return t, Path(t.file_name).read_bytes()


def test_a_closing_line_at_the_threshold_is_decided_for_each_use(no_cache: None) -> None:
    """Manim closes a subpath with a line where the pen is more than 1e-4 from its start,
    measured after the use moved it: a gap of exactly 1e-4 gets the line at some
    positions (rounding) and not at others, as Manim's own parse decides it."""
    owner, svg = svg_of("ab", no_cache)
    svg = re.sub(rb'(<symbol overflow="visible" id="glyph0-1">\s*<path style="stroke:none;" '
                 rb'd=")[^"]*"', rb'\1M 0 0 L 1 0 L 0.0001 0 Z "', svg)
    svg = re.sub(rb'<use xlink:href="#glyph0-2" ', rb'<use xlink:href="#glyph0-1" ', svg)
    svg = svg.replace(b'x="30"', b'x="0"')
    ours, manims = textsvg.convert(owner, svg), manims_parse(owner, svg)
    assert ours is not None
    assert described(*ours) == described(*manims)
    counts = [len(m.points) for m in manims[0]]
    assert counts == [8, 12]  # the line added at one position only: the case is real


@pytest.mark.parametrize("edit", [
    (rb'<use xlink:href', rb'<use transform="scale(2)" xlink:href'),
    (rb'<g id="surface', rb'<rect x="0" y="0" width="5" height="5"/>\n<g id="surface'),
    (rb' L ', rb' l '),
    (rb' C ', rb' Q '),
    (rb'fill-opacity:1;', rb'fill-opacity:1;stroke:rgb(0%,0%,0%);'),
    (rb' d="M ', rb' d="M 1e-3 0 M '),
    (rb'</svg>', rb'<text>x</text></svg>'),
    (b'</g>\n</svg>', b'</g>\x0c</svg>'),
    (rb' x="30"', rb' x="300000"'),
], ids=["transform", "rect", "relative", "quadratic", "stroke", "exponent", "text",
        "not-xml-space", "far-off"])
def test_anything_but_cairos_text_form_is_left_to_manim(edit: tuple[bytes, bytes],
                                                        no_cache: None) -> None:
    owner, svg = svg_of("Ab, c", no_cache)
    assert textsvg.convert(owner, svg) is not None
    edited = svg.replace(*edit)
    assert edited != svg
    assert textsvg.convert(owner, edited) is None


def test_markup_the_conversion_does_not_read_is_parsed_by_manim(
        no_cache: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """An underline is a path of its own in cairo's SVG: Manim parses that text, into
    the same mobjects as without the kit."""
    converted = []
    convert = textsvg.convert
    monkeypatch.setattr(textsvg, "convert", lambda owner, svg: converted.append(
        result := convert(owner, svg)) or result)
    svg_mobject.SVG_HASH_TO_MOB_MAP.clear()
    ours = MarkupText("a <u>line</u> under", font=theme.FONT)
    assert converted == [None]
    monkeypatch.setattr(textsvg, "convert", lambda owner, svg: None)
    svg_mobject.SVG_HASH_TO_MOB_MAP.clear()
    assert outlines([ours]) == outlines([MarkupText("a <u>line</u> under", font=theme.FONT)])


def test_copies_of_a_model_are_deep_copies(no_cache: None) -> None:
    """The models' copies are what ``copy.deepcopy`` makes (less ``original_id``), and
    share nothing that can change; a model holding one object under two names is copied
    whole, as deepcopy keeps it one."""
    import copy

    owner, svg = svg_of("ab", no_cache)
    mobjects, _ = textsvg.convert(owner, svg)
    for model in textsvg._MODELS.values():
        assert model.model is None  # (the quick copy)
        a, b = model(), model()
        deep = copy.deepcopy(a)
        del deep.original_id
        assert outlines([_held(a)]) == outlines([_held(deep)])
        shared = {id(v) for v in vars(a).values()} & {id(v) for v in vars(b).values()}
        assert all(isinstance(v, textsvg._SHARED) for v in vars(a).values() if id(v) in shared)
        a.background_stroke_color._ManimColor__value[0] = 0.5
        assert b.background_stroke_color._ManimColor__value[0] == 0.0
    before = mobjects[1].points.copy()
    mobjects[0].points += 1.0
    np.testing.assert_array_equal(mobjects[1].points, before)
    assert all(m.points.base is None for m in mobjects)  # (each its own array, as Manim's)
    model = copy.deepcopy(mobjects[0])
    model.stroke_rgbas = model.fill_rgbas  # one array under two names
    aliased = textsvg._Cloner(model)
    assert aliased.model is model
    copied = aliased()
    assert copied.stroke_rgbas is copied.fill_rgbas and copied.fill_rgbas is not model.fill_rgbas
    assert not hasattr(copied, "original_id")


def test_quadratic_outlines_are_left_to_manim(no_cache: None) -> None:
    """Asked for quadratic curves (three points a curve), Manim converts a path another
    way: not this form."""
    owner, svg = svg_of("ab", no_cache)
    owner.path_string_config = {"n_points_per_cubic_curve": 3}
    assert textsvg.convert(owner, svg) is None


def _held(m):
    holder = svg_mobject.SVGMobject.__new__(svg_mobject.SVGMobject)
    holder.__dict__.update(submobjects=[m], id_to_vgroup_dict={})
    return holder


def test_signed_zeros_come_out_as_manims(no_cache: None) -> None:
    """A point at -0.0 (a path's "-0" used at x="-0") comes out of Manim's identity
    transform as 0.0: the same bits here."""
    owner, svg = svg_of("ab", no_cache)
    svg = re.sub(rb'(<symbol overflow="visible" id="glyph0-1">\s*<path style="stroke:none;" '
                 rb'd=")[^"]*"', rb'\1M -0 -0 L 1 -0 C 1 1 -0 1 -0 0.5 Z "', svg)
    svg = re.sub(rb'x="30" y="[0-9.]+"', rb'x="-0" y="-0"', svg)
    ours, manims = textsvg.convert(owner, svg), manims_parse(owner, svg)
    assert ours is not None and b'x="-0" y="-0"' in svg
    assert described(*ours) == described(*manims)
