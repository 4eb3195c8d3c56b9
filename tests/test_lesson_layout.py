"""Automatic layout: for 1, 3 and 8 runs with long labels, at every stage of a lesson,
no two panels overlap and every panel lies inside the frame, at any frame shape."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import replace

import pytest
from conftest import run_folder
from manim import config, tempconfig
from optiroll.scenes.lesson import LessonSpec, validate
from optiroll.scenes.lesson.layout import (
    BESIDE_MAP_GAIN,
    BESIDE_MAP_SHARE,
    MARGIN,
    TEXT_FLOOR,
    Box,
    Needs,
    choose,
    plan,
)
from optiroll.scenes.lesson.scene import Lesson, lesson_class

#: this session's own media folder: Manim's text cache is not safe to share between
#: processes (a render beside the tests could clash with them in one fixed folder)
MEDIA = run_folder("optiroll-layout-tests-")  # (removed when the run ends)

LONG = "a label of about forty characters, long"  # 39 characters


@contextlib.contextmanager
def library_lesson(name: str) -> Iterator[Lesson]:
    """A library lesson set up (its stage built, nothing played) at 854x480, inside
    that configuration."""
    from optiroll.scenes.jobs import scene_classes
    from optiroll.scenes.library import LIBRARY, SCENES

    (cls,) = scene_classes(SCENES / LIBRARY[name])
    with tempconfig({"pixel_width": 854, "pixel_height": 480, "verbosity": "ERROR",
                     "media_dir": MEDIA}):
        scene = cls()
        scene.setup()
        yield scene


def arranging(stage, target: str, frames: int) -> Iterator[float]:
    """Play the stage's glide into ``target`` frame by frame: yields each frame's alpha
    with every animation interpolated there."""
    import numpy as np

    anims = stage.arrange(target)
    for a in anims:
        a.begin()
    for alpha in np.linspace(0, 1, frames):
        for a in anims:
            a.interpolate(alpha)
        yield float(alpha)
    for a in anims:
        a.finish()


def opacity(m) -> float:
    """The most opaque fill among ``m``'s family (0: nothing of it shows)."""
    return max((float(x.fill_rgbas[:, 3].max()) for x in m.family_members_with_points()),
               default=0.0)


def spec(runs: int, *, long_labels: bool = True, plots: int = 2, surface3d: bool = True,
         surface: str = "himmelblau", data: bool = False) -> LessonSpec:
    optimizers = ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "radam"]
    lr = {"gd": 0.01, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.5, "rmsprop": 0.05,
          "adam": 0.2, "adamw": 0.2, "radam": 0.2}
    if data:
        surface, optimizers, lr = "linear_regression", ["sgd"] * 8, dict(sgd=0.01)
    rows = [{"optimizer": o, "lr": lr[o], **({"label": f"{i}: {LONG}"} if long_labels else {}),
             **({"batch_size": i + 1} if data else {})}
            for i, o in enumerate(optimizers[:runs])]
    series = ["loss", "step_size", "update.x", "gradient"][:plots]
    start = [0.0, 0.0] if data else [-0.5, -4.0]
    return validate({"title": "Layout " + LONG, "surface": surface, "steps": 12,
                     "start": start, "runs": rows,
                     "show": {"plots": series, "surface3d": surface3d,
                              "arrows": ["gradient", "velocity"], "arrow_steps": 2},
                     "pacing": {"hold": 0.1}})


def snapshots(s: LessonSpec | type, size: tuple[int, int] = (320, 180)) -> tuple[dict, Box]:
    """Play the lesson without rendering frames; the panels' boxes at each act's end."""
    cls = lesson_class(s, "LayoutProbe") if isinstance(s, LessonSpec) else s
    with tempconfig({"pixel_width": size[0], "pixel_height": size[1], "frame_rate": 5,
                     "save_last_frame": True, "write_to_movie": False,
                     "media_dir": MEDIA, "disable_caching": True,
                     "verbosity": "ERROR", "progress_bar": "none"}):
        scene = cls()
        scene.render()
        fw, fh = config.frame_width, config.frame_height
    return scene.snapshots, Box(-fw / 2, fw / 2, -fh / 2, fh / 2)


def assert_clean(snaps: dict, frame: Box) -> None:
    assert {"race", "closing"} <= set(snaps)
    for moment, boxes in snaps.items():
        for name, box in boxes.items():
            assert box.inside(frame, tol=1e-3), (moment, name, box, frame)
        for (a, ba), (b, bb) in itertools.combinations(boxes.items(), 2):
            assert not ba.overlaps(bb, tol=1e-3), (moment, a, ba, b, bb)


@pytest.mark.parametrize("runs", [1, 3, 8])
def test_no_overlaps_with_long_labels(runs: int) -> None:
    snaps, frame = snapshots(spec(runs))
    assert {"plots", "ride"} <= set(snaps)
    assert_clean(snaps, frame)


def test_no_overlaps_with_four_plots_and_a_data_panel() -> None:
    snaps, frame = snapshots(spec(8, plots=4, surface3d=False, data=True))
    assert "data" in snaps["race"] and "plot3" in snaps["plots"]
    assert_clean(snaps, frame)


@pytest.mark.parametrize("size", [(320, 320), (240, 320)])
def test_other_frame_shapes(size: tuple[int, int]) -> None:
    snaps, frame = snapshots(spec(3, plots=1), size)
    assert_clean(snaps, frame)


@pytest.mark.parametrize("plots", [4, 1])
def test_text_never_shrinks_below_half_size(plots: int) -> None:
    """The side panel keeps its text legible: at least half its natural size, even for
    eight runs with long labels beside four plots, or with one plot (beside the map its
    column would set the text at about 0.42, so the plot goes below)."""
    cls = lesson_class(spec(8, plots=plots, surface3d=False), "ScaleProbe")
    with tempconfig({"pixel_width": 320, "pixel_height": 180, "verbosity": "ERROR",
                     "media_dir": MEDIA}):
        scene = cls()
        scene.setup()
        for stage in ("race", "replay", "closing"):
            assert scene.stage.flow(stage).scale >= TEXT_FLOOR == 0.5, stage
        if plots == 1:
            assert scene.stage.layout.choices["replay"] == "below"


def test_plan_is_clean_for_every_combination() -> None:
    for data, plots, charts, card, s3d in itertools.product(
            [False, True], range(5), range(4), [0.0, 1.2], [False, True]):
        layout = plan(Needs(14.22, 8.0, header_height=1.5, title_height=0.6, side_width=4.0,
                            data=data, plots=plots, charts=charts, card_height=card,
                            surface3d=s3d, map_aspect=1.4, data_aspect=1.0))
        assert ("chart" in layout.stages) == (charts > 0)
        inner = Box(-7.11 + MARGIN, 7.11 - MARGIN, -4 + MARGIN, 4 - MARGIN)
        for stage, boxes in layout.stages.items():
            for name, box in boxes.items():
                assert box.inside(inner, tol=1e-6), (stage, name)
                assert box.width > 0 and box.height > 0, (stage, name, box)
            for (a, ba), (b, bb) in itertools.combinations(boxes.items(), 2):
                assert not ba.overlaps(bb), (stage, a, b)


def test_the_flagships_old_layout_defects_are_gone() -> None:
    """Without the 3-D act the closing card used to lie on the map's x labels; with four
    betas the legend used to shrink to 9 px text at 480p beside the plots."""
    from optiroll.scenes.momentum import MomentumRavine

    variant = type("FourBetas2D", (MomentumRavine,), {"BETAS": (0.0, 0.5, 0.8, 0.9),
                                                       "SHOW_3D": False, "HOLD": 0.1})
    snaps, frame = snapshots(variant, (854, 480))
    assert "card" in snaps["closing"] and "plot1" in snaps["plots"]
    assert_clean(snaps, frame)
    with tempconfig({"pixel_width": 854, "pixel_height": 480, "verbosity": "ERROR",
                     "media_dir": MEDIA}):
        lesson = variant()
        lesson.setup()
        body_cap_px = 0.263 * 480 / 8  # a 26 pt capital in pixels at 480p, full size
        for stage in ("race", "replay", "closing"):
            assert lesson.stage.flow(stage).scale * body_cap_px >= 12, stage


def test_a_start_outside_the_view_is_refused_by_name() -> None:
    from optiroll.scenes.lesson import SpecError
    from optiroll.scenes.momentum import MomentumRavine

    outside = type("Outside", (MomentumRavine,), {"START": (-3.0, 0.0)})
    with pytest.raises(SpecError, match=r"start \(-3, 0\) lies outside the view x in "
                                        r"\[-2\.5, 2\.5\].*widen"):
        outside.prepare()
    wider = type("Wider", (MomentumRavine,), {"START": (-3.0, 0.0),
                                               "VIEW": ((-3.5, 3.5), (-0.6, 0.6))})
    assert wider.prepare().surface.view == ((-3.5, 3.5), (-0.6, 0.6))


@pytest.mark.parametrize("data", [False, True])
def test_a_lone_plot_goes_beside_the_map_at_full_height(data: bool) -> None:
    """One plot below the map would be a strip: it goes to the right of the map (and the
    data panel), as tall as the space below the header; the side panel goes under the
    map. Two plots below a wide map still share a row below it."""
    # with a data panel, a narrow map (as stochastic's) keeps its size beside the plot
    needs = Needs(14.22, 8.0, header_height=1.5, side_width=4.0, data=data, plots=1,
                  map_aspect=0.8 if data else 1.4, data_aspect=0.9 if data else 1.0)
    layout = plan(needs)
    assert layout.choices["replay"] == "beside"
    replay = layout["replay"]
    plot, m, side = replay["plot0"], replay["map"], replay["side"]
    below_header = replay["header"].bottom - (-4 + MARGIN)
    assert plot.left > m.right and plot.height > 0.9 * below_header - 0.3
    assert side.top <= m.bottom and side.right <= plot.left
    if data:
        assert replay["data"].left >= m.right and replay["data"].right <= plot.left
    two = plan(Needs(14.22, 8.0, header_height=1.5, side_width=4.0, data=data, plots=2,
                     map_aspect=2.6, data_aspect=1.0))["replay"]
    assert two["plot0"].top < two["map"].bottom and two["plot1"].top < two["map"].bottom


@pytest.mark.parametrize("plots", [2, 3, 4])
def test_several_plots_go_beside_a_square_map_in_two_rows(plots: int) -> None:
    """Above a row of plots a square map was a thumbnail (adam's 2.6 units wide, its four
    plots in a row): the map takes the left column, the side panel goes under it, and
    the plots fill the rest in two rows, the first holding the odd one."""
    needs = Needs(14.22, 8.0, header_height=1.5, side_width=4.0, plots=plots, map_aspect=1.0)
    layout = plan(needs)
    assert layout.choices["replay"] == "beside"
    replay = layout["replay"]
    m, side = replay["map"], replay["side"]
    assert m.width >= BESIDE_MAP_GAIN * 2.6 and side.top <= m.bottom
    cells = [replay[f"plot{i}"] for i in range(plots)]
    assert all(c.left > m.right for c in cells)
    rows = sorted({round(c.top, 6) for c in cells}, reverse=True)
    assert len(rows) == 2
    assert sum(round(c.top, 6) == rows[0] for c in cells) == (plots + 1) // 2


@pytest.mark.parametrize("data", [False, True])
def test_a_lone_plot_goes_below_a_wide_map(data: bool) -> None:
    """A wide map (or a map beside a data panel) would shrink in the left column beside a
    lone plot: the plot goes in a row below, and the map is wider than that column."""
    needs = Needs(14.22, 8.0, header_height=1.5, side_width=4.0, data=data, plots=1,
                  map_aspect=2.6 if not data else 1.4, data_aspect=1.0)
    layout = plan(replace(needs, charts=1))  # a chart is laid out beside the map
    assert layout.choices["replay"] == "below"
    replay, beside = layout["replay"], layout["chart"]
    main_width = 14.22 - 2 * MARGIN
    assert replay["plot0"].top < replay["map"].bottom
    assert replay["map"].width > beside["map"].width / BESIDE_MAP_SHARE
    assert replay["plot0"].width > 0.9 * main_width


def test_choose_weighs_text_then_map() -> None:
    """(map width, side panel's text scale) beside vs below a lone plot."""
    assert choose((5.0, 0.6), (4.0, 1.0)) == "beside"  # both fine: beside
    assert choose((5.0, 0.42), (3.0, 0.76)) == "below"  # beside's text is too small
    assert choose((5.7, 1.0), (6.8, 1.0)) == "below"  # beside shrinks the map much more
    assert choose((4.6, 1.0), (5.0, 1.0)) == "beside"  # a little smaller is fine
    assert choose((5.0, 0.45), (4.0, 0.3)) == "beside"  # neither legible: the larger text


@pytest.mark.parametrize("name", ["stochastic", "learning_rate", "why_momentum"])
def test_library_lessons_keep_a_lone_plot_beside_the_map(name: str) -> None:
    with library_lesson(name) as scene:
        choices = [c.stage.layout.choices.get("replay") for c in scene.chapters
                   if len(c.stage.p.plots) == 1]
    assert choices and set(choices) == {"beside"}, choices


def test_the_side_panel_takes_the_cards_room_during_the_3d_ride_where_it_reads_larger() -> None:
    """The 3-D view takes a tall closing card's room during the ride and settles above
    the card at the closing; the side panel flows down into that room until the card
    comes (then back above it), where that sets its text larger, and keeps its box
    where it does not."""
    def needs(side_scale):
        return Needs(14.22, 8.0, header_height=1.5, title_height=0.6, side_width=4.0,
                     card_height=2.3, surface3d=True, map_aspect=1.4, side_scale=side_scale)

    grows = plan(needs(lambda box, compact: min(1.0, box.height / 5.0)))
    ride, closing = grows["surface3d"], grows["closing"]
    assert ride["side"].top == closing["side"].top and ride["side"].bottom < closing["side"].bottom
    assert ride["side"].bottom == pytest.approx(closing["card"].bottom)  # the card's room
    # the view takes the card's room too during the ride, and settles above the card
    assert ride["view3d"].bottom == pytest.approx(closing["card"].bottom)
    assert ride["view3d"].top == closing["view3d"].top
    assert not closing["view3d"].overlaps(closing["card"])
    assert not closing["side"].overlaps(closing["card"])
    fits = plan(needs(lambda box, compact: 1.0))  # at full size already: the panel stays
    assert fits["surface3d"]["side"] == fits["closing"]["side"]


def test_the_saddle_lessons_panel_reads_at_full_size_during_the_ride() -> None:
    """The saddle lesson's four-sentence card had squeezed its legend into two columns
    of small text for the whole 3-D ride, and then, above the full-width card, to
    0.6 of body text at the closing: the card goes below the view alone, made for that
    width, and the panel keeps its size."""
    from optiroll.scenes.lesson.acts.closing import moves
    from optiroll.scenes.lesson.stage import CARD_FLOOR, card_scale

    with library_lesson("saddle") as scene:
        stage = scene.stage
        ride, closing = stage.flow("surface3d"), stage.flow("closing")
        assert stage.layout.choices["closing"] == "below-view"
        assert closing.scale == pytest.approx(ride.scale) and ride.scale >= 0.8
        boxes = stage.layout["closing"]
        card = card_scale(stage.card, boxes["card"])
        assert card >= max(CARD_FLOOR, 0.8 * ride.scale)  # made for its box: not shrunk
        assert stage.card.width <= boxes["card"].width + 1e-6
        assert moves(scene)  # the view settles above the card at the closing


def test_the_card_goes_below_the_3d_view_alone_where_the_view_keeps_its_size() -> None:
    """After a ride whose side panel took the card's room, the card goes below the view
    alone (the panel keeping its ride box) where the view keeps CARD_BELOW_VIEW_KEEP of
    the height it has above a full-width card; else the card spans the width."""
    from optiroll.scenes.lesson.layout import CARD_BELOW_VIEW_KEEP

    def needs(card_height_at):
        return Needs(14.22, 8.0, header_height=1.5, title_height=0.6, side_width=4.0,
                     card_height=2.0, surface3d=True, map_aspect=1.4,
                     side_scale=lambda box, compact: min(1.0, box.height / 6.0),
                     card_height_at=card_height_at)

    below = plan(needs(lambda width: 2.3))
    ride, closing = below["surface3d"], below["closing"]
    assert below.choices["closing"] == "below-view"
    assert closing["side"] == ride["side"]  # the panel keeps its box
    assert closing["card"].right == pytest.approx(ride["view3d"].right)
    assert closing["card"].height == pytest.approx(2.3)
    assert closing["view3d"].bottom > closing["card"].top
    assert not any(closing[a].overlaps(closing[b]) for a, b in
                   [("view3d", "card"), ("side", "card"), ("view3d", "side")])
    full = plan(needs(None))  # no measure of a narrower card: the full-width card
    assert "closing" not in full.choices and full["closing"]["card"].width > 13
    tall = plan(needs(lambda width: 3.5))  # the view would shrink too much
    assert tall.choices["closing"] == "full-width" and tall["closing"]["card"].width > 13
    assert tall["surface3d"]["view3d"].height - 3.5 - 0.25 \
        < CARD_BELOW_VIEW_KEEP * tall["closing"]["view3d"].height


def test_a_two_line_plot_caption_takes_its_room_from_the_map_row() -> None:
    """A row of plots is planned with room for a one-line caption over the y label; a
    taller heading takes the rest from the map row, so the plots' axes keep their
    height (adaptive's η caption was shrunk to fit on one line, then wrapped into two
    lines that squeezed its plot)."""
    from optiroll.scenes.lesson.layout import PLOT_HEADING

    def needs(heading):
        return Needs(14.22, 8.0, header_height=1.5, side_width=4.0, plots=2, map_aspect=2.6,
                     plot_heading=heading)

    planned, tall = plan(needs(lambda w: PLOT_HEADING)), plan(needs(lambda w: PLOT_HEADING + 0.4))
    assert plan(needs(None))["replay"] == planned["replay"]
    a, b = planned["replay"], tall["replay"]
    assert b["plot0"].height == pytest.approx(a["plot0"].height + 0.4)
    assert b["map"].bottom > a["map"].bottom - 1e-9 and b["map"].height < a["map"].height
    assert not b["map"].overlaps(b["plot0"])


@pytest.mark.parametrize("name", ["adaptive", "momentum", "adam"])
def test_plots_side_by_side_have_level_axes_and_legible_captions(name: str) -> None:
    from optiroll.scenes.kit import theme
    from optiroll.scenes.kit.panel import CAPTION_FLOOR
    from optiroll.scenes.lesson.acts.replay import build_plots
    from optiroll.scenes.lesson.stage import box_of

    with library_lesson(name) as scene:
        stage = scene.stage
        plots = build_plots(stage.p.plots, scene.timeline, stage.layout["replay"])
        boxes = [stage.layout["replay"][f"plot{i}"] for i in range(len(plots))]
        region = Box(min(b.left for b in boxes), max(b.right for b in boxes),
                     min(b.bottom for b in boxes), max(b.top for b in boxes))
        for i, g in enumerate(plots):  # inside the plots' room, apart from each other
            assert box_of(g).inside(region, tol=1e-6)
            assert not any(box_of(g).overlaps(box_of(o)) for o in plots[i + 1:])
        heights = [g.plot.box.height for g in plots]  # rows one above the other: as tall
        assert max(heights) - min(heights) < 1e-6
        for row in {round(b.top, 6) for b in boxes}:  # each row of plots ...
            here = [(g, d) for g, d, b in zip(plots, stage.p.plots, boxes, strict=True)
                    if round(b.top, 6) == row]
            tops = [g.plot.box.get_top()[1] for g, _ in here]
            bottoms = [g.plot.box.get_bottom()[1] for g, _ in here]
            assert max(tops) - min(tops) < 1e-6 and max(bottoms) - min(bottoms) < 1e-6
            widths = [g.plot.box.width for g, _ in here]  # one margin for its tick labels
            assert max(widths) - min(widths) < 1e-6
            ends = [g[-1].get_bottom()[1] for g, d in here if d.caption]  # captions level
            assert not ends or max(ends) - min(ends) < 1e-6
            scales = {round(line.font_size, 6) for g, d in here if d.caption for line in g[-1]}
            assert len(scales) <= 1  # the captions of a row at one size
        for column in {round(b.left, 6) for b in boxes}:  # plots one above the other
            lefts = [g.plot.box.get_left()[0] for g, b in zip(plots, boxes, strict=True)
                     if round(b.left, 6) == column]
            assert max(lefts) - min(lefts) < 1e-6
        for d, g in zip(stage.p.plots, plots, strict=True):
            if d.caption:
                for line in g[-1]:  # the caption's lines, at 0.8 of their size or more
                    assert line.font_size >= CAPTION_FLOOR * theme.SMALL_SIZE - 1e-6, d.caption


def test_clear_window_keeps_the_panel_out_of_the_way() -> None:
    from optiroll.scenes.kit.sweep import SAMPLES
    from optiroll.scenes.lesson.layout import clear_window, paths_cross

    big_map, small_map = Box(-7, 1, -3, 3), Box(-7, -3, 0, 3)
    side = (Box(2, 7, -3, 3), Box(-7, -3, -3, -0.4))  # from the right to below the map
    assert paths_cross(side, (big_map, small_map))  # it would glide across the map
    gone, back = clear_window(side, [(big_map, small_map)])
    assert 0 < gone <= 0.5 <= back < 1
    for t in (k / SAMPLES for k in range(SAMPLES + 1)):
        now = big_map.toward(small_map, t)
        assert t > gone or not side[0].overlaps(now)
        assert t < back or not side[1].overlaps(now)
    # down its own column, beside the map: it glides
    assert not paths_cross((Box(2, 7, -1, 3), Box(2, 7, -3, 1)), (big_map, small_map))


@pytest.mark.parametrize("name", ["stochastic", "learning_rate"])
def test_the_side_panel_never_crosses_the_map_or_data_panel_on_its_way(name: str) -> None:
    """To the replay (a lone plot beside the map puts the legend below it), back, and to
    the closing, at every frame: no item of the side panel that can be seen overlaps
    the map or the data panel (the legend used to glide across them, and to fade in
    over the still-shrinking map at the closing)."""
    from optiroll.scenes.lesson.stage import box_of

    with library_lesson(name) as scene:
        stage = scene.stage
        for target in ("replay", "race", "closing"):  # the closing: into two columns
            for alpha in arranging(stage, target, 61):
                panels = [box_of(m) for m in (stage.map, stage.data) if m is not None]
                for item in stage.panel.items:
                    if opacity(item) > 0.01:
                        assert not any(box_of(item).overlaps(b) for b in panels), (target, alpha)


@pytest.mark.parametrize("name", ["nesterov", "why_momentum"])
def test_legend_items_never_pass_over_each_other(name: str) -> None:
    """Into the compact legend beside plots and back, and into the closing's columns: at
    every frame no two items of the side panel that can be seen overlap (the facts had
    slid up under the rows while fading; rows reflowing into two columns crossed)."""
    from manim import VGroup
    from optiroll.scenes.lesson.stage import box_of

    with library_lesson(name) as scene:
        for chapter in scene.chapters:
            stage = chapter.stage
            panel = stage.panel
            for target in [s for s in ("replay", "chart", "race", "closing")
                           if s in stage.layout.stages]:
                for t in arranging(stage, target, 41):
                    seen = []
                    for m in panel.items:
                        if m in panel.rows and opacity(m.value) < 0.01:
                            m = VGroup(m.dot, m.name)
                        if opacity(m) > 0.01:
                            seen.append(box_of(m))
                    assert not any(a.overlaps(b, tol=1e-3) for i, a in enumerate(seen)
                                   for b in seen[i + 1:]), (chapter.prefix, target, t)


def test_level_rows_gives_stacked_plots_equally_tall_axes() -> None:
    """Rows one above the other are re-split so their axes are equally tall, the gaps and
    the room as a whole kept; a lone row, or too little room, keeps its boxes."""
    from optiroll.scenes.lesson.acts.replay import LEAST_AXES, level_rows

    top, low = Box(0, 6, 0.4, 3.0), Box(0, 6, -2.6, 0.0)  # an even split, 0.4 apart
    aboves, bottoms = [1.45, 0.74], [0.7, 0.7]
    a, b = level_rows([top, low], aboves, bottoms)
    assert a.top == pytest.approx(top.top) and b.bottom == pytest.approx(low.bottom)
    assert a.bottom - b.top == pytest.approx(0.4)
    assert a.height - aboves[0] - bottoms[0] == pytest.approx(b.height - aboves[1] - bottoms[1])
    assert a.height > top.height  # the taller heading takes its room from the other row
    grid = [Box(0, 3, 0.4, 3.0), Box(3.5, 6, 0.4, 3.0), Box(0, 6, -2.6, 0.0)]
    c, d, e = level_rows(grid, [1.45, 0.6, 0.74], [0.7, 0.7, 0.7])
    assert c.top == d.top and c.height == d.height  # a row stays one row
    assert c.height - 1.45 - 0.7 == pytest.approx(e.height - 0.74 - 0.7)
    row = [Box(0, 3, -2.6, 0.0), Box(3.5, 6, -2.6, 0.0)]
    assert level_rows(row, [1.45, 0.74], [0.7, 0.7]) == row
    cramped = [top, low]
    assert level_rows(cramped, [2.0, 2.0], [0.7, 0.7]) == cramped
    assert (5.6 - 0.4 - 5.4) / 2 < LEAST_AXES


@pytest.mark.parametrize("plots", [2, 3])
def test_a_long_caption_neither_crushes_its_plot_nor_floats_its_neighbours(plots: int) -> None:
    """One caption wrapped into three lines among one-line captions: the plots' axes stay
    equally tall (a column's even split had left the long caption's plot a strip with
    one tick label), and every caption sits just above its plot's label, the captions of
    a row ending on one line (top-aligned, the short ones had floated lines above)."""
    from optiroll.scenes.lesson.acts.replay import CAPTION_BUFF, build_plots
    from optiroll.scenes.lesson.stage import box_of

    long = ("along the valley the velocity builds up step after step while across it "
            "the zig-zags cancel out")
    series = ["loss", "step_size", "update.x"][:plots]
    data = {"title": "Captions", "surface": "himmelblau", "steps": 12, "start": [-0.5, -4.0],
            "runs": [{"optimizer": "adam", "lr": 0.2}, {"optimizer": "rmsprop", "lr": 0.05}],
            "show": {"plots": [{"series": s, "caption": long if i == 0 else "short"}
                               for i, s in enumerate(series)]}}
    cls = lesson_class(validate(data), "CaptionProbe")
    with tempconfig({"pixel_width": 854, "pixel_height": 480, "verbosity": "ERROR",
                     "media_dir": MEDIA}):
        scene = cls()
        scene.setup()
        stage = scene.stage
        assert stage.layout.choices["replay"] == "beside"  # a column (2), two rows (3)
        groups = build_plots(stage.p.plots, scene.timeline, stage.layout["replay"])
    assert len(groups[0].caption) >= 2  # the long caption wraps
    heights = [g.plot.box.height for g in groups]
    assert max(heights) - min(heights) < 1e-6
    for i, g in enumerate(groups):
        assert not any(box_of(g).overlaps(box_of(o)) for o in groups[i + 1:])
        ends = [o.caption.get_bottom()[1] for o in groups
                if abs(o.plot.box.get_top()[1] - g.plot.box.get_top()[1]) < 1e-6]
        assert max(ends) - min(ends) < 1e-6  # a row's captions end on one line
        highest = max(o.heading_top.get_top()[1] for o in groups
                      if abs(o.plot.box.get_top()[1] - g.plot.box.get_top()[1]) < 1e-6)
        assert g.caption.get_bottom()[1] - highest == pytest.approx(CAPTION_BUFF, abs=1e-3)


@pytest.mark.parametrize("name", ["saddle", "why_momentum"])
def test_the_closing_card_does_not_dwarf_the_side_panel(name: str) -> None:
    """saddle's card stood at 0.8 of body text over a side panel squeezed to 0.56: the
    card is set smaller (not below CARD_FLOOR) until the panel's text is within
    CARD_BALANCE of it, the card's room going to the panel."""
    from optiroll.scenes.lesson.stage import CARD_BALANCE, CARD_FLOOR, card_scale

    with library_lesson(name) as scene:
        stage = scene.chapters[-1].stage
        card = card_scale(stage.card, stage.layout["closing"]["card"])
        assert card >= CARD_FLOOR - 1e-6
        assert stage.flow("closing").scale >= CARD_BALANCE * card - 1e-6
        assert not stage.layout["closing"]["card"].overlaps(stage.layout["closing"]["side"])


def test_a_long_title_wraps_and_leaves_the_header_its_size() -> None:
    """A title twice the frame's width had the whole header scaled to the frame's width
    (its subtitle and formula at half their size, illegible at 480p), and
    local_minima's subtitle, 1.26x the width, shrank its title and formula with it: each
    line is fitted on its own (shrunk to HEADER_FLOOR, else wrapped into two lines), the
    header at most HEADER_SHARE of the frame's height."""
    from manim import MathTypst, Text
    from optiroll.scenes.kit import theme
    from optiroll.scenes.kit.timeline import Timeline
    from optiroll.scenes.lesson.prepare import prepare
    from optiroll.scenes.lesson.stage import HEADER_FLOOR, HEADER_SHARE, Stage

    title = "A long lesson title that a lecturer might type without a thought for the frame"
    spec = validate({"title": title, "subtitle": "a short subtitle", "surface": "ravine",
                     "start": [-2.4, 0.2], "steps": 5,
                     "runs": [{"optimizer": "gd", "lr": 0.1}]})
    with tempconfig({"pixel_width": 854, "pixel_height": 480, "media_dir": MEDIA}):
        header = Stage(prepare(spec), Timeline(5)).header
        width = config.frame_width - 2 * MARGIN
        assert header.width <= width + 1e-6
        assert header.height <= HEADER_SHARE * config.frame_height + 1e-6
        assert len(header.title) == 2  # wrapped, balanced, not one shrunk line
        for line in header.title:  # each line at HEADER_FLOOR of its size or more
            natural = Text(line.original_text, font=theme.FONT, font_size=theme.TITLE_SIZE,
                           weight="BOLD")
            assert line.width >= HEADER_FLOOR * natural.width
        subtitle = Text("a short subtitle", font=theme.FONT, font_size=theme.BODY_SIZE)
        formula = MathTypst(f"L(x, y) = {spec.surface_object.typst}",
                            font_size=theme.SMALL_SIZE * theme.MATH_SCALE)
        assert header.lines[1].height == pytest.approx(subtitle.height, rel=1e-6)
        assert header.lines[2].height == pytest.approx(formula.height, rel=1e-6)
    with library_lesson("local_minima") as scene:
        header = scene.stage.header
        natural = Text(scene.stage.p.spec.title, font=theme.FONT,
                       font_size=theme.TITLE_SIZE, weight="BOLD")
        assert header.title.height == pytest.approx(natural.height, rel=1e-6)  # not shrunk
        sub = header.lines[1]
        assert len(sub) == 1 and sub.width == pytest.approx(width, rel=1e-6)
        assert sub.height >= HEADER_FLOOR * Text(scene.stage.p.spec.subtitle, font=theme.FONT,
                                                 font_size=theme.BODY_SIZE).height
