"""The glyph cache composes strings exactly as Manim's Text lays them out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from manim import Text, VGroup, config, tempconfig
from optiroll.scenes.kit import theme
from optiroll.scenes.kit.glyphs import GlyphCache
from optiroll.scenes.kit.readouts import LiveText
from outlines import outlines

STRINGS = [
    "iteration 12 / 50",
    "loss 2.87×10⁻⁵",
    "(−2.382563, −0.158591)",
    "diverged at step 7",
    "AVATAR Tw r. y,",  # kerned pairs
    "β = 0.9: lr 0.1",
    "  two  spaces ",
    "x",
]
PIXEL = config.frame_width / 1920  # one pixel of a 1080p frame, in scene units


def text_points(s: str, size: float) -> np.ndarray:
    t = Text(s, font=theme.FONT, font_size=size)
    return np.concatenate([m.points for m in t.family_members_with_points()])


@pytest.fixture(scope="module")
def cache() -> GlyphCache:
    return GlyphCache(theme.FONT, theme.BODY_SIZE)


@pytest.mark.parametrize("s", STRINGS)
def test_composed_outlines_equal_text(cache: GlyphCache, s: str) -> None:
    want = text_points(s, theme.BODY_SIZE)
    got = cache.points(s)
    assert got.shape == want.shape
    assert np.abs(got - want).max() < 0.01 * PIXEL


def test_kerning_is_measured_not_ignored(cache: GlyphCache) -> None:
    """'AV' is kerned in DejaVu Sans: without its kerning the string would be off by
    pixels, so the test above could not pass by luck."""
    cache.points("AVATAR")
    assert abs(cache.kerning[("A", "V")]) > 2 * PIXEL
    cache.points("12")
    assert abs(cache.kerning[("1", "2")]) < 1e-6 * PIXEL  # digits are tabular


def test_ligatures_fall_back_to_text(cache: GlyphCache) -> None:
    before = cache.fallbacks
    s = "flies off"
    got = cache.points(s)
    assert cache.fallbacks == before + 1 and ("f", "l") in cache.unsafe
    np.testing.assert_allclose(got, text_points(s, theme.BODY_SIZE), atol=0.01 * PIXEL)


def test_known_glyphs_and_pairs_need_no_layout(cache: GlyphCache) -> None:
    """A glyph is typeset once and a pair measured once: once the digits and their pairs
    have been seen, new numbers cost no layout at all."""
    for k in range(200):
        cache.points(f"loss {k * 0.00731:.6f}")
    n = cache.layouts
    for k in range(200):
        cache.points(f"loss {k * 0.00419 + 0.5:.6f}")
    assert cache.layouts == n


def test_layouts_are_measured_in_one_folder_removed_by_its_process_at_exit() -> None:
    """Pango writes every measured layout to one file a process, in a folder the first
    measuring process makes and removes at exit; a forked copy measures into a file of its
    own there and leaves the folder alone when it exits."""
    import subprocess
    import sys

    from conftest import installed_env

    script = """
import os, sys
from optiroll.scenes.kit import glyphs
pid = os.fork()
if pid == 0:  # a copy forked before anything was measured: its own folder, removed
    glyphs.GlyphCache().points("AV 1.25")
    print(glyphs._layouts, flush=True)
    glyphs.remove_own_layouts()
    os._exit(0)  # (as a copy drawing a piece ends: no exit handler runs)
os.waitpid(pid, 0)
cache = glyphs.GlyphCache()
cache.points("AV 1.25")
folder = glyphs._layouts
pid = os.fork()
if pid == 0:
    cache.points("Te 7.5")  # new pairs: measured in the copy
    sys.exit(0)  # a normal exit runs the inherited exit handlers
os.waitpid(pid, 0)
names = sorted(p.name for p in folder.iterdir())
print(folder, folder.is_dir(), names == sorted([f"layout-{os.getpid()}.svg",
                                                 f"layout-{pid}.svg"]))
"""
    out = subprocess.run([sys.executable, "-c", script], env=installed_env(),
                         capture_output=True, text=True, check=True).stdout.split()
    assert out[2:] == ["True", "True"] and out[0] != out[1]
    assert not Path(out[0]).exists() and not Path(out[1]).exists()


@pytest.mark.parametrize("size", [theme.SMALL_SIZE, theme.TITLE_SIZE])
def test_other_sizes(size: float) -> None:
    s = "Tw 0.5 AV"
    np.testing.assert_allclose(GlyphCache(theme.FONT, size).points(s), text_points(s, size),
                               atol=0.01 * PIXEL)


def test_live_text_matches_text_and_keeps_no_stale_glyphs() -> None:
    values = iter(["loss 1.00", "loss 2.87×10⁻⁵", "AV"])
    current = {"s": next(values)}
    live = LiveText(lambda: current["s"])
    start = live.get_corner(np.array([-1, 1, 0]))
    for s in values:
        current["s"] = s
        live.update()
        want = Text(s, font=theme.FONT, font_size=theme.BODY_SIZE)
        assert len(live.points) == sum(len(m.points) for m in want.family_members_with_points())
        assert live.width == pytest.approx(want.width, abs=0.01 * PIXEL)
        assert live.height == pytest.approx(want.height, abs=0.01 * PIXEL)
        # the top-left corner stays where it was (the readout is anchored there)
        np.testing.assert_allclose(live.get_corner(np.array([-1, 1, 0])), start, atol=1e-9)


@pytest.mark.parametrize("align", [np.array([-1.0, 0, 0]), np.array([1.0, 0, 0])])
def test_a_scaled_live_text_is_placed_as_manims_scale_and_move_to_place_it(align) -> None:
    """A readout shrunk and moved (by a Glide) keeps its scale and top corner when its
    string changes: the points are bit for bit those of Manim's ``scale(height / natural
    height)`` about the centre and ``move_to(corner, aligned_edge=UP + align)``."""
    from manim import UP, VMobject
    from optiroll.scenes.kit.glyphs import text_points as composed

    current = {"s": "loss 1.00"}
    live = LiveText(lambda: current["s"], align=align)
    live.scale(0.637).shift(np.array([1.3, -0.7, 0.0]))
    for s in ["loss 2.87×10⁻⁵", "iteration 12 / 50", "AV", "loss 2.87×10⁻⁵"]:
        manims = VMobject()
        manims.points = live.points.copy()
        factor = manims.height / live._natural_height
        corner = manims.get_corner(UP + align)
        current["s"] = s
        live.update()
        manims.set_points(composed(s, theme.FONT, theme.BODY_SIZE))
        manims.scale(factor)
        manims.move_to(corner, aligned_edge=UP + align)
        assert live.points.tobytes() == manims.points.tobytes()


def test_a_placed_live_text_may_go_blank_and_come_back() -> None:
    """A readout's string may be blank for a while (no glyphs to place); the next string
    starts afresh at its natural size, as Manim's scale and move_to of no points left it."""
    current = {"s": "loss 1.00"}
    live = LiveText(lambda: current["s"])
    live.scale(0.5)
    for s in [" ", "", "loss 2.00"]:
        current["s"] = s
        live.update()
        assert live.current == s
    assert len(live.points) and live.height == pytest.approx(live._natural_height)


@pytest.mark.parametrize("s", ["0.25", "−1.5", "10⁻³", "1e-05", "fig"])
def test_glyph_text_is_text_glyph_by_glyph(s: str) -> None:
    """A tick label composed from the cache: Text's glyph mobjects, one for one, with
    Text's outlines and colour (superscripts and ligatures through Text itself)."""
    from optiroll.scenes.kit.glyphs import GlyphText

    want = Text(s, font=theme.FONT, font_size=theme.SMALL_SIZE, color=theme.MUTED)
    got = GlyphText(s, theme.SMALL_SIZE, theme.MUTED)
    want_parts = want.family_members_with_points()
    got_parts = got.family_members_with_points()
    assert got.text == s and len(got_parts) == len(want_parts) > 0
    for g, w in zip(got_parts, want_parts, strict=True):
        assert g.points.shape == w.points.shape
        assert np.abs(g.points - w.points).max() < 0.01 * PIXEL
        assert g.get_fill_color() == w.get_fill_color() and g.get_fill_opacity() == 1
        assert g.get_stroke_width() == w.get_stroke_width()


LONG_LINE = ("white: still rolling · coloured: settled in that well (★) · the deepest well: "
             "(1.46, 0.98), loss −1.84")


def test_text_is_laid_out_alike_at_every_output_size(tmp_path) -> None:
    """Manim lays Text out on a canvas the frame's pixel size, and Pango wraps a line
    wider than it: at 320x180 this line came out on two lines, 15.0 units wide instead
    of 16.1. On the kit's fixed canvas it is one line at every size, and a line that
    fits Manim's canvas too is the very same outline."""
    import numpy as np
    from manim import Text, tempconfig
    from manim.mobject.text import text_mobject
    from optiroll.scenes.kit import typeset

    typeset.install()
    widths = []
    for i, (w, h) in enumerate([(160, 90), (320, 180), (854, 480), (3840, 2160)]):
        with tempconfig({"pixel_width": w, "pixel_height": h, "verbosity": "ERROR",
                         "media_dir": str(tmp_path / str(i))}):
            t = Text(LONG_LINE, font_size=24)
            widths.append(t.width)
            assert t.height < 0.6  # one line
    assert max(widths) - min(widths) < 1e-9
    with tempconfig({"pixel_width": 854, "pixel_height": 480, "verbosity": "ERROR",
                     "media_dir": str(tmp_path / "same")}):
        ours = Text("Kerning: AV Te r. 0.102", font_size=30)
        try:
            text_mobject.Text._text2svg = typeset.manim_text2svg
            manims = Text("Kerning: AV Te r. 0.102", font_size=30)
        finally:
            typeset.install()
        a = np.concatenate([m.points for m in ours.family_members_with_points()])
        b = np.concatenate([m.points for m in manims.family_members_with_points()])
        assert a.shape == b.shape and np.abs(a - b).max() < 1e-9


def test_a_string_composed_again_comes_from_the_cache_unchanged() -> None:
    """A replay shows the race's readouts again (the flagship composed 196 different
    strings 696 times): the second time is a copy of the first, and changing the copy
    (Manim moves and scales a readout's points in place) leaves the cache as it was."""
    from optiroll.scenes.kit.glyphs import glyph_cache

    cache = glyph_cache()
    first = cache.points("loss 2.87×10⁻⁵")
    cache.parts = None  # composing again would fail: the second answer is the kept one
    try:
        again = cache.points("loss 2.87×10⁻⁵")
    finally:
        del cache.parts
    np.testing.assert_array_equal(first, again)
    assert again is not first
    again += 1.0
    np.testing.assert_array_equal(cache.points("loss 2.87×10⁻⁵"), first)


def test_parsed_svgs_kept_on_disk_give_the_same_mobjects(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Text and Typst parsed once are kept on disk (kit/svgcache.py) and read back into
    the same mobjects as Manim's own parse, every attribute alike, its named groups and
    a formula's notes (the fraction bar whose stroke follows its scale) too; a damaged
    entry is parsed again and written anew; OPTIROLL_CACHE=off keeps nothing; only
    Manim's own classes under Cairo are kept."""
    import pickle
    import zlib

    from manim import MathTypst
    from manim.mobject.svg import svg_mobject
    from optiroll.scenes.kit import svgcache, textsvg

    def make() -> list:
        svg_mobject.SVG_HASH_TO_MOB_MAP.clear()  # Manim's own per-process cache
        with tempconfig({"media_dir": str(tmp_path / "media")}):
            return [Text("β = 0.9 · loss 1.63×10⁻²³", font=theme.FONT, font_size=26,
                         color=theme.SKY_BLUE),
                    Text("AV fi", font=theme.FONT, font_size=40, weight="BOLD"),
                    MathTypst("L(x, y) = x^2 / 16 + 9 y^2", font_size=28)]

    def unpathed(mobs: list) -> bool:
        """No outline keeps the svgelements path it was made from (kit/svgcache.py)."""
        paths = [m for mob in mobs for m in mob.get_family()
                 if isinstance(m, svg_mobject.VMobjectFromSVGPath)]
        return bool(paths) and all(m.path_obj is None for m in paths)

    monkeypatch.setenv("OPTIROLL_CACHE", "off")
    with monkeypatch.context() as manims_own:
        manims_own.setattr(svg_mobject.SVGMobject, "get_mobjects_from",
                           svgcache.manim_get_mobjects_from)
        manims_own.setattr(svgcache, "_unpathed", lambda mob: mob)
        manims_own.setattr(textsvg, "convert", lambda owner, svg: None)  # svgelements
        own = make()
        manims = outlines(own)  # Manim's own parse and conversion
        assert not unpathed(own)  # (Manim keeps each outline's path)
    unpathless = make()
    assert outlines(unpathless) == manims  # converted with its empty groups copied
    assert unpathed(unpathless)
    assert svg_mobject.VGroup is VGroup  # (bound back)
    assert svgcache.generate_mobject is svg_mobject.SVGMobject.generate_mobject  # installed
    monkeypatch.setenv("OPTIROLL_CACHE", str(tmp_path / "cache"))
    assert outlines(make()) == manims  # parsed, and kept
    entries = sorted((tmp_path / "cache" / "svg").glob("*.pickle"))
    assert len(entries) == 3 and svgcache.cacheable(MathTypst)
    calls, parse = [], svgcache._parsed  # (a parse on a miss: Manim's, or kit/textsvg.py)
    monkeypatch.setattr(svgcache, "_parsed",
                        lambda self, svg: calls.append(type(self).__name__) or parse(self, svg))
    again = make()
    assert outlines(again) == manims and calls == []  # all three read back
    assert unpathed(again)
    # the formula's notes are its own shapes, as Manim's parse notes them (without them
    # its fraction bar had been drawn half as thick: the outlines above would differ)
    monkeypatch.setenv("OPTIROLL_CACHE", "off")
    formula, parsed = again[2], make()[2]
    for notes in ("_stroke_width_tracked_submobjects", "_baseline_tracked_submobjects"):
        index = {id(m): i for i, m in enumerate(formula.get_family())}
        own = {id(m): i for i, m in enumerate(parsed.get_family())}
        assert [index[id(m)] for m in getattr(formula, notes)] == [
            own[id(m)] for m in getattr(parsed, notes)]
    assert formula._stroke_width_tracked_submobjects  # (the bar)
    monkeypatch.undo()
    monkeypatch.setenv("OPTIROLL_CACHE", str(tmp_path / "cache"))
    entries[0].write_bytes(b"not a pickle")
    assert outlines(make()) == manims
    assert pickle.loads(zlib.decompress(entries[0].read_bytes()))  # written anew
    monkeypatch.setenv("OPTIROLL_CACHE", "off")
    assert svgcache.cache_dir() is None

    class Styled(Text):  # a subclass may change the parse: parsed every time
        pass

    assert svgcache.cacheable(Text) and not svgcache.cacheable(Styled)
    # another renderer's mobjects (Manim's own config is left alone: switching it to
    # OpenGL, even for a moment, changes the classes later tests build)
    from types import SimpleNamespace

    from manim.constants import RendererType

    monkeypatch.setattr(svgcache, "config", SimpleNamespace(renderer=RendererType.OPENGL))
    assert not svgcache.cacheable(Text)


@pytest.mark.parametrize("cache", ["off", "on"])
def test_a_formula_met_again_in_a_process_is_the_formula_made_first(
        cache: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Manim gives a formula it has parsed before in the process (a lesson previewed
    again under --watch, a formula typeset twice) a copy of the first one's shapes
    without its notes: its fraction bar came out half as wide and did not follow its
    size. With the kit it is the first one again, notes and all, scaled or not; a
    formula whose strokes are set by hand in between does not change that."""
    from manim import MathTypst
    from manim.mobject.svg import svg_mobject
    from optiroll.scenes.kit import svgcache

    monkeypatch.setenv("OPTIROLL_CACHE", "off" if cache == "off" else str(tmp_path / "c"))

    def pair(**kwargs: object) -> list:
        svg_mobject.SVG_HASH_TO_MOB_MAP.clear()
        with tempconfig({"media_dir": str(tmp_path / "media")}):
            first = MathTypst("x^2 / 16 + 9 y^2", font_size=28, **kwargs)
            MathTypst("x^2 / 16 + 9 y^2", font_size=28, stroke_width=2, **kwargs)
            return [first, MathTypst("x^2 / 16 + 9 y^2", font_size=28, **kwargs)]

    def bars(m: object) -> list:
        return [float(s.get_stroke_width()) for s in m._stroke_width_tracked_submobjects]

    for kwargs in ({}, {"track_baselines": True}):
        first, again = pair(**kwargs)
        assert outlines([again]) == outlines([first])
        assert bars(again) == bars(first) and bars(first)  # (a bar, with its width)
        width = bars(first)[0]
        first.scale(0.5)
        again.scale(0.5)
        assert outlines([again]) == outlines([first])
        assert bars(again)[0] == pytest.approx(width / 2)
        family = {id(m) for m in again.get_family()}
        assert all(id(m) in family for name in svgcache._TYPST_NOTES
                   for m in getattr(again, name))  # (its own shapes)
        if kwargs:
            assert len(again.baseline_frames) == len(first.baseline_frames) > 0
            for (o1, r1, u1), (o2, r2, u2) in zip(first.baseline_frames,
                                                   again.baseline_frames, strict=True):
                np.testing.assert_array_equal(np.array([o1, r1, u1]), np.array([o2, r2, u2]))
    monkeypatch.setattr(svg_mobject.SVGMobject, "init_svg_mobject",
                        svgcache.manim_init_svg_mobject)
    first, again = pair()
    assert bars(again) == []  # Manim's own: the notes lost (so the test above can fail)


def test_a_kept_parse_is_found_whatever_surface_cairo_numbered(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cairo numbers an SVG's top group by the surfaces the process has made: a string
    typeset again into a new text folder after other strings (a copy drawing a piece of
    a lesson, a new media folder) differs in that number alone. It is still read back
    from the cache, with the group named as in its own SVG."""
    import re

    from manim.mobject.svg import svg_mobject
    from optiroll.scenes.kit import svgcache

    def typeset(media: str, before: int = 0) -> tuple[Text, bytes]:
        svg_mobject.SVG_HASH_TO_MOB_MAP.clear()  # Manim's own per-process cache
        with tempconfig({"media_dir": str(tmp_path / media)}):
            for i in range(before):
                Text(f"filler{i}", font=theme.FONT)
            text = Text("β = 0.8 (plain GD)", font=theme.FONT, font_size=24)
            return text, text.get_file_path().read_bytes()

    def numbered(svg: bytes) -> str:
        return re.search(rb'<g id="(surface[0-9]+)"', svg).group(1).decode()

    monkeypatch.setenv("OPTIROLL_CACHE", "off")
    manims, manims_svg = typeset("manim")
    monkeypatch.setenv("OPTIROLL_CACHE", str(tmp_path / "cache"))
    typeset("first")  # parsed, and kept
    calls, parse = [], svgcache._parsed  # (a parse on a miss)
    monkeypatch.setattr(svgcache, "_parsed",
                        lambda self, svg: calls.append(self) or parse(self, svg))
    again, svg = typeset("again", before=2)
    assert numbered(svg) != numbered(manims_svg)
    assert svg.replace(numbered(svg).encode(), b"") == manims_svg.replace(
        numbered(manims_svg).encode(), b"")  # the number is all that differs
    assert [m.text for m in calls] == ["filler0", "filler1"]  # the string read back
    assert numbered(svg) in again.id_to_vgroup_dict
    assert outlines([again]) == [
        [(numbered(svg) if name == numbered(manims_svg) else name, members, own)
         for name, members, own in part] if isinstance(part, list) else part
        for part in outlines([manims])]


@pytest.fixture()
def kept_measures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder, and a process-wide registry of glyph caches of its own (no
    measures made at install: every process here measures what it keeps)."""
    from optiroll.scenes.kit import glyphs

    monkeypatch.setenv("OPTIROLL_CACHE", str(tmp_path))
    monkeypatch.setattr(glyphs, "BUILT", tmp_path / "none-built.pickle")
    monkeypatch.setattr(glyphs, "_CACHES", {})
    monkeypatch.setattr(glyphs, "_STARTED", {})
    return tmp_path / "glyphs"


def _forget() -> None:
    """A new process's registry (the measures on disk kept)."""
    from optiroll.scenes.kit import glyphs

    glyphs._CACHES.clear()
    glyphs._STARTED.clear()


def test_measures_kept_on_disk_compose_the_same_points_with_no_layout(kept_measures: Path
                                                                     ) -> None:
    from optiroll.scenes.kit import glyphs

    strings = [*STRINGS, "flies off"]
    measured = [glyphs.glyph_cache().points(s) for s in strings]
    glyphs.save_measures()
    (entry,) = kept_measures.glob("*.pickle")
    _forget()
    recalled = glyphs.glyph_cache()
    assert recalled.svg_layouts == 0 and recalled.layouts == 0  # (the check laid one out)
    for s, want in zip(strings, measured, strict=True):
        np.testing.assert_array_equal(recalled.points(s), want)
    assert recalled.layouts == 1 and recalled.svg_layouts == 0  # "flies off": typeset
    assert ("f", "l") in recalled.unsafe
    before = entry.stat().st_mtime_ns
    glyphs.save_measures()  # nothing new measured: nothing written
    assert entry.stat().st_mtime_ns == before


def test_measures_from_another_font_or_damaged_are_measured_anew(kept_measures: Path) -> None:
    import pickle
    import zlib

    from optiroll.scenes.kit import glyphs

    want = glyphs.glyph_cache().points("AV 1.25")
    glyphs.save_measures()
    (entry,) = kept_measures.glob("*.pickle")
    kept = pickle.loads(zlib.decompress(entry.read_bytes()))
    for damage in (zlib.compress(pickle.dumps({**kept, "fingerprint": "0" * 64})),
                   b"not a pickle", zlib.compress(pickle.dumps({"measures": {}}))):
        entry.write_bytes(damage)
        _forget()
        fresh = glyphs.glyph_cache()
        assert fresh.layouts > 0  # measured anew
        np.testing.assert_array_equal(fresh.points("AV 1.25"), want)
    # the fingerprint is the font's: the same line laid out in another (here a size a
    # hundredth larger) is another SVG
    cache = glyphs.GlyphCache(kept=kept["measures"])
    assert cache.fingerprint(kept["measures"]) == kept["fingerprint"]
    other = glyphs.GlyphCache(size=theme.BODY_SIZE * 1.01, kept=kept["measures"])
    assert other.fingerprint(kept["measures"]) != kept["fingerprint"]


def test_measures_of_two_processes_are_merged(kept_measures: Path) -> None:
    import pickle
    import zlib

    from optiroll.scenes.kit import glyphs

    glyphs.glyph_cache().points("AV")
    glyphs.save_measures()
    _forget()
    monkey = glyphs.GlyphCache()  # a second process that never read the entry
    monkey.points("Te 7.5")
    glyphs._CACHES[(theme.FONT, float(theme.BODY_SIZE))] = monkey
    glyphs._STARTED[(theme.FONT, float(theme.BODY_SIZE))] = 0
    glyphs.save_measures()
    (entry,) = kept_measures.glob("*.pickle")
    measures = pickle.loads(zlib.decompress(entry.read_bytes()))["measures"]
    assert {("A", "V"), ("T", "e"), ("7", "."), (".", "5")} <= set(measures["kerning"])
    assert set("AVTe7.5 ") <= set(measures["glyphs"])


def test_measures_kept_by_one_process_compose_another_ones_points(tmp_path: Path) -> None:
    """Across processes: what one process measured and kept at its exit, the next reads
    back and composes with, to the same points, bit for bit, as a process that keeps
    nothing (``OPTIROLL_CACHE=off``) measuring everything itself."""
    import subprocess
    import sys

    from conftest import installed_env

    strings = [*STRINGS, "AVATAR 0.102 Te r."]
    script = f"""
import hashlib
from optiroll.scenes.kit import glyphs
glyphs.BUILT = glyphs.BUILT.with_name("none-built.pickle")  # (this test's own measures)
cache = glyphs.glyph_cache()
points = [cache.points(s) for s in {strings!r}]
print(hashlib.sha256(b"".join(p.tobytes() for p in points)).hexdigest(), cache.layouts,
      cache.svg_layouts)
"""

    def run(where: str) -> list[str]:
        env = {**installed_env(), "OPTIROLL_CACHE": where}
        return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                              text=True, check=True).stdout.split()

    first, again, alone = run(str(tmp_path)), run(str(tmp_path)), run("off")
    assert first[0] == again[0] == alone[0]
    assert int(first[1]) > 0 and again[1:] == ["0", "0"]  # read back: nothing measured


# -- measures made at install (make setup) -------------------------------------------
def _built_or_skip() -> Path:
    """The measures ``make setup`` made; skipped where they were not made, except under
    ``make test`` (OPTIROLL_REQUIRE_GLYPHS=1), which makes them first."""
    import os

    from optiroll.scenes.kit import glyphs

    if not glyphs._built_entries():
        assert not os.environ.get("OPTIROLL_REQUIRE_GLYPHS"), (
            f"{glyphs.BUILT} is missing or was made with other versions or code: "
            "make setup makes it again")
        pytest.skip("no glyph measures made at install (make setup makes them)")
    return glyphs.BUILT


def _same_measures(a: dict, b: dict) -> None:
    """Two caches' measures, bit for bit: every glyph's outline parts, advance and left
    edge, every pair's kerning, what cannot be composed."""
    assert a["glyphs"].keys() == b["glyphs"].keys()
    for c, (parts, advance, left) in a["glyphs"].items():
        parts_, advance_, left_ = b["glyphs"][c]
        assert advance == advance_ and left == left_, c
        assert len(parts) == len(parts_) and all(
            p.tobytes() == q.tobytes() for p, q in zip(parts, parts_, strict=True)), c
    assert a["kerning"] == b["kerning"] and a["unsafe"] == b["unsafe"]
    assert (a["bar_advance"], a["svg_scale"]) == (b["bar_advance"], b["svg_scale"])


@pytest.mark.parametrize("size", [theme.BODY_SIZE, theme.SMALL_SIZE * theme.READOUT_SCALE])
def test_measures_made_at_install_are_those_measured_now(size: float) -> None:
    """Of the theme's font at a body and a readout size: what ``make setup`` measured
    equals what a process measures now, glyph by glyph and pair by pair, bit for bit
    (the digits, signs and superscripts, and their pairs; some letters, Latin and Greek)."""
    from optiroll.scenes.kit import glyphs

    _built_or_skip()
    assert {(theme.FONT, float(s)) for s in glyphs.built_sizes()} == set(
        glyphs._built_entries())
    built = glyphs._built_entries()[(theme.FONT, float(size))]["measures"]
    chars, pairs = glyphs.built_set()
    numeric = set(glyphs.DIGITS + glyphs.SUPERSCRIPTS + ".,−-+×⁻()%")
    letters = set("AVTagiflwyβηλ")
    assert letters <= set(chars)
    now = GlyphCache(theme.FONT, float(size))
    for c in sorted(numeric | letters):
        now._glyph(c)
    now._measure_pairs([p for p in pairs if set(p) <= numeric])
    measured = now.measures()
    part = {"glyphs": {c: built["glyphs"][c] for c in measured["glyphs"]},
            "kerning": {p: built["kerning"][p] for p in measured["kerning"]},
            "unsafe": {u for u in built["unsafe"] if set(u) <= numeric | letters},
            "bar_advance": built["bar_advance"], "svg_scale": built["svg_scale"]}
    _same_measures(measured, part)
    assert len(measured["kerning"]) > 200  # (most of the pairs: numbers' own)


def test_a_first_process_starts_from_the_measures_made_at_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With nothing kept (a first render, or the cache off), a readout's numbers are
    composed from the measures made at install, with no layout, to the points a process
    measuring them itself composes; what it measures beyond them is kept as usual."""
    import pickle
    import zlib

    from optiroll.scenes.kit import glyphs

    _built_or_skip()
    monkeypatch.setattr(glyphs, "_CACHES", {})
    monkeypatch.setattr(glyphs, "_STARTED", {})
    numbers = ["loss 2.87×10⁻⁵", "(−2.382563, −0.158591)", "3,600×", "0.102", "12.5%"]
    size = theme.BODY_SIZE * theme.READOUT_SCALE
    for where in ("off", str(tmp_path / "cache")):
        monkeypatch.setenv("OPTIROLL_CACHE", where)
        glyphs._CACHES.clear()
        glyphs._STARTED.clear()
        cache = glyphs.glyph_cache(theme.FONT, size)
        points = [cache.points(s) for s in numbers]
        assert cache.layouts == 0  # every glyph made at install
        assert cache.svg_layouts <= 3  # the pairs of "loss" only
        alone = GlyphCache(theme.FONT, size)
        for s, got in zip(numbers, points, strict=True):
            np.testing.assert_array_equal(got, alone.points(s))
    glyphs.save_measures()  # "lo", "os", "ss" measured: kept with the rest
    (entry,) = (tmp_path / "cache" / "glyphs").glob("*.pickle")
    kept = pickle.loads(zlib.decompress(entry.read_bytes()))["measures"]
    assert {("l", "o"), ("9", "9")} <= set(kept["kerning"])  # its own and the install's
    glyphs._CACHES.clear()
    glyphs._STARTED.clear()
    again = glyphs.glyph_cache(theme.FONT, size)  # (the kept entry, checked, comes first)
    assert ("l", "o") in again.kerning and again.svg_layouts == 0


def test_measures_made_with_other_code_or_for_another_font_are_not_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file of measures made at install is used only when made with this code and
    these versions (its context), and an entry only where the font's fingerprint is
    still the one measured; a damaged file is no error: everything is measured."""
    import pickle
    import zlib

    from optiroll.scenes.kit import glyphs

    monkeypatch.setattr(glyphs, "built_set", lambda: ("0.5", [("0", "."), (".", "5")]))
    monkeypatch.setattr(glyphs, "built_sizes", lambda: (float(theme.SMALL_SIZE),))
    path = glyphs.write_built(tmp_path / "built.pickle")
    monkeypatch.setattr(glyphs, "BUILT", path)
    key = (theme.FONT, float(theme.SMALL_SIZE))
    made = glyphs._from_built(*key)
    assert made is not None and made.layouts == 0 and set(made.glyphs) == set("0.5")
    np.testing.assert_array_equal(made.points("0.5"), GlyphCache(*key).points("0.5"))
    assert made.svg_layouts == 0  # (its pairs made at install too)
    assert list(tmp_path.iterdir()) == [path]  # written whole: no part left
    kept = pickle.loads(zlib.decompress(path.read_bytes()))
    entry = kept["entries"][key]
    for damaged in (
            {**kept, "context": kept["context"].replace("-", "+")},  # other versions
            {**kept, "entries": {key: {**entry, "fingerprint": "0" * 64}}},  # other font
            None):
        path.write_bytes(b"not a pickle" if damaged is None
                         else zlib.compress(pickle.dumps(damaged)))
        glyphs._built = None  # (a new process)
        assert glyphs._from_built(*key) is None
    glyphs._built = None
