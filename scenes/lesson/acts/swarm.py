"""Swarm and basins acts: many starts per run on maps side by side, then basin maps.

Swarm: the lesson's one map gives way to one map per run, side by side, each
with its run's name above and a live readout below (the share of its balls
settled in the deepest well). Every run's swarm rolls at once: white while
rolling, each ball takes the colour of the minimum it settles in.

Basins: beneath each map's contour lines, its run's basin map fades in (every
pixel a start, coloured by the minimum it reaches, the same colours as the
balls), the swarms fade out, and each readout gives way to the share of the
map that drains into the deepest well. Both acts read the prepared swarms and
basin maps (:mod:`..prepare`) and compute no numerics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from manim import (
    DOWN,
    ORIGIN,
    UP,
    Group,
    Text,
    UpdateFromAlphaFunc,
    VGroup,
    config,
    smooth,
    squish_rate_func,
)

from ...kit import theme
from ...kit.contour import ContourMap
from ...kit.motion import Glide, MinimaMarkers, fade_in, fade_out, fit_target
from ...kit.panel import fitted_caption, glued_words
from ...kit.readouts import LiveText, sequence_text
from ...kit.swarm import BasinLayer, Swarm
from ..layout import Box
from ..stage import card_scale

if TYPE_CHECKING:
    from ...kit.timeline import Timeline
    from ..scene import Lesson

ENTER = 1.2
BASINS_IN = 2.0
#: space between the columns, and between a map and its name and readout
GAP = 0.9
#: the least space between two columns' names or readouts
TEXT_GAP = 0.35
#: the balls' and basins' colours: the basin palette in the surface's order of minima
BASIN_COLORS = list(theme.BASIN_PALETTE)


class Columns(Group):
    """One column per run: its name, its map (with minima stars), its readout (and,
    once the basins act has played, the basin pictures beneath the maps)."""

    def __init__(self, lesson: Lesson, box: Box) -> None:
        p, tl = lesson.prepared, lesson.timeline
        n = len(p.runs)
        self.names = [Text(label, font=theme.FONT, font_size=theme.BODY_SIZE,
                           color=theme.FOREGROUND) for label in p.labels]
        name_h = max(m.height for m in self.names)
        (x0, x1), (y0, y1) = p.surface.view
        aspect = (x1 - x0) / (y1 - y0)
        # readouts in one line; in two (the live number over the words all of them
        # share) where one line would have to shrink (four narrow columns)
        for split in (False, True):
            self.readouts = _readouts(p.readouts, tl, split)
            read_h = max(m.height for m in self.readouts)
            map_h = min(box.height - name_h - read_h - 2 * 0.25 - 0.45,
                        (box.width - GAP * (n - 1)) / n / aspect)
            self.maps = self._maps(lesson, map_h * aspect, map_h)
            # the tick labels reach out of the leftmost map's box (and the rightmost's):
            # the row of maps and their labels fits the box, not just the maps
            left_over = self.maps[0].box.get_left()[0] - self.maps[0].get_left()[0]
            right_over = self.maps[0].get_right()[0] - self.maps[0].box.get_right()[0]
            over = max(left_over, 0.0) + max(right_over, 0.0)
            if n * map_h * aspect + GAP * (n - 1) + over > box.width:
                map_h = (box.width - GAP * (n - 1) - over) / n / aspect
                self.maps = self._maps(lesson, map_h * aspect, map_h)
            #: the maps' width as built (the closing glide scales the columns)
            self.map_w = map_w = map_h * aspect
            total_w = n * map_w + GAP * (n - 1) + over
            left = box.center[0] - total_w / 2 + max(left_over, 0.0)
            # a column's text is centred on its map, as wide as the map and a little of
            # each gap (neighbours' texts keep TEXT_GAP of air), inside the box
            centres = [left + map_w * (i + 0.5) + GAP * i for i in range(n)]
            #: the width each column's text may take (the same for all: the same size)
            self.room = room = min(map_w + GAP - TEXT_GAP, 2 * (centres[0] - box.left),
                                   2 * (box.right - centres[-1]))
            # names and readouts shrink alike where one would not fit (the widest
            # readout each will show counts)
            name_scale = min(1.0, room / max(m.width for m in self.names))
            read_scale = min(1.0, room / max(m.natural_width for m in self.readouts))
            if read_scale >= SPLIT_BELOW or not shared_suffix(p.readouts):
                break
        for cx, name, m, read in zip(centres, self.names, self.maps, self.readouts,
                                     strict=True):
            m.shift(np.array([cx, box.top - name_h - 0.25 - map_h / 2, 0])
                    - m.box.get_center())
            name.scale(name_scale).move_to([cx, box.top - name_h / 2, 0])
            read.scale(read_scale).next_to(m, DOWN, buff=0.2).set_x(cx)
            read.natural_width *= read_scale
        # the stars are put on their maps where the maps stand (a fade pauses updaters:
        # stars made before the maps moved had faded in at the frame's centre)
        inside = [q for q in p.surface.minima if self.maps[0].inside(np.array(q))[0]]
        self.stars = [MinimaMarkers(m, tuple(inside) if p.spec.show.minima else ())
                      for m in self.maps]
        self.swarms = [Swarm(m, sw.positions, sw.labels, sw.arrivals, BASIN_COLORS, tl)
                       for m, sw in zip(self.maps, p.swarms, strict=True)]
        self.columns = [VGroup(name, m, stars, swarm, read) for name, m, stars, swarm, read
                        in zip(self.names, self.maps, self.stars, self.swarms, self.readouts,
                               strict=True)]
        super().__init__(*self.columns)

    @staticmethod
    def _maps(lesson: Lesson, width: float, height: float) -> list[ContourMap]:
        """One map per run, ``width`` by ``height`` (without axis names)."""
        p = lesson.prepared
        return [ContourMap(p.surface, width, height, axis_labels=False) for _ in p.runs]


def shared_suffix(readouts: list[list[str]]) -> int:
    """How many words every readout ends with alike (" in the deepest well": 4), each
    keeping some of its own before them, and never splitting "42 %" (words as
    :func:`~scenes.kit.panel.glued_words` joins them); 0 when none."""
    units = [glued_words(s.split()) for r in readouts for s in r]
    k = 0
    while units and all(len(u) > k + 1 for u in units) and len({u[-1 - k] for u in units}) == 1:
        k += 1
    return k


def _readouts(readouts: list[list[str]], tl: Timeline, split: bool) -> list[VGroup]:
    """Each column's live readout, centred under its map as it changes: one line, or
    with ``split`` the live part over the words all of them share (a line of its own)."""
    k = shared_suffix(readouts) if split else 0
    out = []
    for r in readouts:
        units = [glued_words(s.split()) for s in r]
        heads = [" ".join(u[:len(u) - k]) for u in units] if k else list(r)
        live = LiveText(sequence_text(heads, tl), font_size=theme.SMALL_SIZE,
                        color=theme.MUTED, align=ORIGIN, widest=max(heads, key=len))
        group = VGroup(live)
        group.natural_width = live.natural_width
        if k:
            words = Text(" ".join(units[0][-k:]), font=theme.FONT, font_size=theme.SMALL_SIZE,
                         color=theme.MUTED)
            words.next_to(live, DOWN, buff=0.1)
            group.add(words)
            group.natural_width = max(live.natural_width, words.width)
        out.append(group)
    return out


#: a readout that would shrink below this share of its size goes on two lines
SPLIT_BELOW = 0.9
#: the margin kept at the frame's sides and bottom
MARGIN = 0.4


def region(lesson: Lesson, bottom: float | None = None) -> Box:
    """The frame below the header (down to ``bottom``), with a margin."""
    fw, fh = config.frame_width, config.frame_height
    top = lesson.stage.header.get_bottom()[1] - 0.3
    low = -fh / 2 + MARGIN if bottom is None else bottom
    return Box(-fw / 2 + MARGIN, fw / 2 - MARGIN, low, top)


class SwarmAct:
    name = "swarm"

    def seconds(self, lesson: Lesson) -> float:
        spec, tl = lesson.prepared.spec, lesson.timeline
        return ENTER + tl.seconds_for(tl.steps, spec.pacing.race(spec.steps)) + spec.pacing.hold

    def play(self, lesson: Lesson) -> None:
        lesson.begin_act(self.name)
        stage, tl, spec = lesson.stage, lesson.timeline, lesson.prepared.spec
        tl.set(0)
        cols = Columns(lesson, region(lesson))
        stage.columns = cols
        header = [stage.header, *([stage.rules] if stage.rules_in_header else [])]
        keep = {id(x) for h in header for x in h.get_family()}
        # the one map is gone before the columns come (they stand where it stood)
        first, then = squish_rate_func(smooth, 0.0, 0.45), squish_rate_func(smooth, 0.55, 1.0)
        out = [fade_out(m, rate_func=first) for m in lesson.mobjects if id(m) not in keep]
        enter = [] if spec.show.title else [fade_in(h) for h in header]  # no title act
        lesson.play(*out, *enter, *[fade_in(column, rate_func=then) for column in cols.columns],
                    run_time=ENTER)
        lesson.remove(*cols.columns)  # the fades added the columns; the scene holds them
        lesson.add(cols)  # as one group, which the basins act adds its pictures to
        stage.on_screen.pop("map", None)
        stage.on_screen["columns"] = cols
        lesson.mark("race-start")
        lesson.play(tl.play_to(iterations_per_second=spec.pacing.race(spec.steps)))
        lesson.mark("race")
        lesson.wait(spec.pacing.hold)


class BasinsAct:
    name = "basins"

    def seconds(self, lesson: Lesson) -> float:
        return BASINS_IN + lesson.prepared.spec.pacing.hold + 1.0

    def play(self, lesson: Lesson) -> None:
        lesson.begin_act(self.name)
        p, cols = lesson.prepared, lesson.stage.columns
        layers, shares = [], []
        for m, b in zip(cols.maps, p.basin_maps, strict=True):
            layer = BasinLayer(m, b.rgb)
            cols.add_to_back(layer)  # beneath the maps' contour lines
            layers.append(layer)
            share = fitted_caption(b.caption, cols.room)
            share.next_to(m, DOWN, buff=0.2).set_x(m.box.get_center()[0])
            shares.append(share)
        # while the pictures fade in, draw in family order (still_beneath would draw the
        # still contour lines first, beneath the fading pictures)
        beneath, lesson.still_beneath = lesson.still_beneath, False
        for layer in layers:
            layer.set_opacity(0.0)
        lesson.play(*[UpdateFromAlphaFunc(layer, _opacity) for layer in layers],
                    *[fade_out(s) for s in cols.swarms],
                    # each readout is gone before the caption in its place comes
                    *[fade_out(r, rate_func=squish_rate_func(smooth, 0.0, 0.45))
                      for r in cols.readouts],
                    *[fade_in(s, shift=0.1 * UP, rate_func=squish_rate_func(smooth, 0.55, 1.0))
                      for s in shares], run_time=BASINS_IN)
        for swarm, read, share, column in zip(cols.swarms, cols.readouts, shares,
                                              cols.columns, strict=True):
            column.remove(swarm, read)
            column.add(share)
        # the fades took their members out of the group in the scene (Manim splits a group
        # it removes a member from): hold the columns as one group again
        family = set(map(id, cols.get_family()))
        lesson.mobjects = [m for m in lesson.mobjects if id(m) not in family]
        lesson.add(cols)
        lesson.still_beneath = beneath
        lesson.mark("basins")
        lesson.wait(p.spec.pacing.hold + 1.0)


def _opacity(layer: BasinLayer, alpha: float) -> None:
    """Fade a picture in where it stands in the drawing order (FadeIn would add it to the
    scene again, on top of everything)."""
    layer.set_opacity(alpha)


#: the share of the width the closing card takes beside the swarms' columns
CARD_SHARE = 0.4
#: the smallest size of the card's text (over body text's) beside the columns
CARD_TEXT_FLOOR = 0.8


class ClosingPlan(NamedTuple):
    """Where a swarm lesson's closing puts its columns and its card, and which card."""

    columns: Box
    card_box: Box
    card: VGroup
    beside: bool


def closing_boxes(lesson: Lesson) -> ClosingPlan:
    """The closing stage of a swarm lesson: boxes for the columns and the card, the card
    to show, and whether it goes beside the columns. Beside them (the card wrapped to a
    column on the right, both as tall as the space below the header) when that leaves
    the maps at least as large as a card across the bottom would (two square maps keep
    their size there, where a card below would shrink them) and the card's text at
    least :data:`CARD_TEXT_FLOOR` of body size (four long sentences wrapped into a
    column would be shrunk to fit its height); else below them (four columns need the
    width)."""
    stage = lesson.stage
    cols = stage.columns
    r = region(lesson)
    card_w = CARD_SHARE * r.width
    beside = (Box(r.left, r.right - card_w - GAP, r.bottom, r.top),
              Box(r.right - card_w, r.right, r.bottom, r.top))
    card_box = stage.layout["closing"]["card"]
    below = (region(lesson, card_box.top + 0.25), card_box)
    if fit_target(cols, beside[0]).width >= fit_target(cols, below[0]).width:
        card = stage.make_card(beside[1].width)  # wrapped to its own column
        if card_scale(card, beside[1]) >= CARD_TEXT_FLOOR:
            return ClosingPlan(beside[0], beside[1], card, True)
    return ClosingPlan(below[0], below[1], stage.card, False)


def make_room(lesson: Lesson, plan: ClosingPlan) -> Glide:
    """The columns glide into their box: centred beside the card (as the card is), at
    the top above it (four columns fill the width, not the height: centred, they would
    float down, away from their header)."""
    cols = lesson.stage.columns
    return Glide(cols, fit_target(cols, plan.columns,
                                  align="center" if plan.beside else "top"))
