"""The stage: the persistent mobjects of a lesson and the boxes they live in.

Built once per lesson from its :class:`~scenes.lesson.prepare.Prepared` data:
the header (title, formula, update rules), the contour map, the side panel
(counter, settings, legend), the data panel and the closing card are measured,
:func:`~scenes.lesson.layout.plan` divides the frame, and each piece is sized
to its box. Acts move pieces between stages with :meth:`Stage.arrange`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    Arrow,
    MathTypst,
    Mobject,
    Text,
    VGroup,
    config,
)

from ..kit import theme
from ..kit.bounds import anchor_box
from ..kit.contour import ContourMap
from ..kit.data_panel import DataPanel
from ..kit.frame import PlotFrame, plot_heading
from ..kit.motion import Glide, MinimaMarkers, fit_target, place
from ..kit.panel import ArrowKey, Flow, SidePanel, fitted_caption, wrap
from ..kit.timeline import Timeline
from .layout import MARGIN, Box, Needs, clear_window, paths_cross, plan
from .naming import key_lines
from .prepare import Prepared

#: smallest scale a map or plot is shown at when it must shrink to fit a box
MIN_MAP_SCALE = 0.55
#: labels longer than this wrap onto a second line in the legend
LABEL_WRAP = 22
#: a header line is shrunk to fit the frame's width down to this share of its size, and
#: wrapped into two lines below it
HEADER_FLOOR = 0.75
#: the most of the frame's height the header takes (a very long title and subtitle)
HEADER_SHARE = 1 / 3
ARROW_STYLE = {
    "gradient": dict(color=theme.FOREGROUND, stroke_width=3.0, text="gradient step −lr·∇L"),
    "velocity": dict(color=None, stroke_width=4.5, text="step taken"),
    "lookahead": dict(color=theme.YELLOW, stroke_width=3.0, text="gradient at the look-ahead"),
}


def box_of(m: Mobject) -> Box:
    """The bounding box of a mobject (all its family) in scene units."""
    box = anchor_box(m)  # (Manim's get_left and so on, in one numpy pass)
    if box is None:
        return Box(0.0, 0.0, 0.0, 0.0)
    (left, bottom, _), (right, top, _) = box
    return Box(left, right, bottom, top)


class Stage:
    """Every persistent piece of a lesson and the layout that places them."""

    def __init__(self, p: Prepared, timeline: Timeline) -> None:
        self.p, self.timeline = p, timeline
        spec = p.spec
        fw, fh = config.frame_width, config.frame_height
        self.header = self._header()
        self.rules_in_header = False
        self.rules = self._rules()
        #: the arrows' key lines in the side panel (retired with the arrows)
        self.arrow_keys = self._arrow_key()
        self.panel = SidePanel(
            [wrap(lab, LABEL_WRAP) for lab in p.labels], p.colors, p.readouts, timeline,
            settings=p.settings, facts=p.facts, extra=self.arrow_keys)
        self.card = self.make_card(fw - 2 * 0.3) if p.has_closing else None
        self._cards: dict[float, VGroup] = {}  # by width (_card_height_at)
        self._heading_room: dict[float, float] = {}  # by plot width (_plot_heading)
        needs = Needs(fw, fh, header_height=self.header.height,
                      title_height=self.header.title.height, surface3d=spec.show.surface3d,
                      side_width=min(self.panel.natural_width(), 0.34 * fw),
                      data=p.data is not None, plots=len(p.plots), charts=len(p.charts),
                      card_height=self.card.height if self.card is not None else 0.0,
                      side_scale=self._side_scale, plot_heading=self._plot_heading,
                      card_height_at=self._card_height_at if self.card is not None else None)
        race = plan(needs)["race"]  # first pass: regions to build the map and data panel in
        place(self.header, fit_target(self.header, race["header"]))
        self.map = self._map(race["map"])
        self.data = self._data(race["data"]) if p.data is not None else None
        # second pass: rows packed with the measured map and data panel
        needs = replace(needs, map_aspect=self.map.width / self.map.height,
                        data_aspect=self.data.width / self.data.height
                        if self.data is not None else None)
        self.layout = plan(needs)
        if self.layout.choices.get("closing") == "below-view":  # the card made for its box
            self.card = self._cards[self.layout["closing"]["card"].width]
        self._balance_card(needs)
        self._centre_rows()
        race = self.layout["race"]
        place(self.map, fit_target(self.map, race["map"]))
        if self.data is not None:
            place(self.data, fit_target(self.data, race["data"]))
        self._place_rules(race["header"])
        self.minima = MinimaMarkers(self.map, p.surface.minima) if spec.show.minima \
            else VGroup()
        self.panel.place(self.flow("race"))
        self.map_natural = self.map.width
        self.data_natural = self.data.width if self.data is not None else 0.0
        #: the panels on screen besides the header, by name: a mobject, or a function
        #: giving its box (the 3-D view); the acts keep it current
        self.on_screen: dict[str, Mobject | Callable[[], Box]] = {}

    def _balance_card(self, needs: Needs) -> None:
        """Where the closing card's text would stand far larger than the side panel's
        beside it (less than :data:`CARD_BALANCE` of it: saddle's four runs and facts at
        0.56 under a card at 0.8), the card is set smaller, down to :data:`CARD_FLOOR`
        of body text, until they come close: the room it gives up goes to the panel."""
        if (self.card is None or "card" not in self.layout.stages.get("closing", {})
                or self.layout.choices.get("closing") == "below-view"):  # panel kept large
            return
        for _ in range(8):
            text = card_scale(self.card, self.layout["closing"]["card"])
            if (self.flow("closing").scale >= CARD_BALANCE * text
                    or self.card.text_scale * 0.92 < CARD_FLOOR):
                return
            self.card.scale(0.92)
            self.card.text_scale *= 0.92
            self.card.natural_width = self.card.width
            needs = replace(needs, card_height=self.card.height)
            self.layout = plan(needs)

    # -- pieces -----------------------------------------------------------------
    def _card_height_at(self, width: float) -> float:
        """The height of the closing card made for ``width`` (kept for the stage)."""
        if width not in self._cards:
            self._cards[width] = self.make_card(width)
        return self._cards[width].height

    def _side_scale(self, box: Box, compact: bool) -> float:
        """The side panel's text scale flowed into ``box`` (the layout weighs it)."""
        return self.panel.flow_to(box.left, box.right, box.top, box.bottom,
                                  compact=compact).scale

    def _plot_heading(self, width: float) -> float:
        """The room the tallest of the replay's plot headings takes at ``width`` (both
        layout passes ask at one width: typeset once)."""
        if width not in self._heading_room:
            self._heading_room[width] = max(
                (plot_heading(d.label, width, key=d.key, caption=d.caption).above
                 for d in self.p.plots), default=0.0)
        return self._heading_room[width]

    def _centre_rows(self) -> None:
        """Centre each row (map, data panel, side panel) when it leaves room to spare."""
        for stage, boxes in self.layout.stages.items():
            if "map" not in boxes or boxes["side"].top <= boxes["map"].bottom + 1e-9:
                continue  # no row: the side panel is below the map (beside plots)
            side = boxes["side"]
            used = self.flow(stage).width
            shift = max(0.0, (side.width - used) / 2)
            for key in ("map", "data"):
                if key in boxes:
                    b = boxes[key]
                    boxes[key] = Box(b.left + shift, b.right + shift, b.bottom, b.top)
            boxes["side"] = Box(side.left + shift, side.right, side.bottom, side.top)

    def _header(self) -> VGroup:
        """Title, subtitle and formula, one under another, at most :data:`HEADER_SHARE`
        of the frame's height."""
        spec = self.p.spec
        # each line fitted to the frame's width on its own: shrunk a little, or wrapped
        # into two balanced lines (the whole header had been scaled to its longest line:
        # a long title left its subtitle and formula illegible, a long subtitle shrank
        # the title)
        width = config.frame_width - 2 * MARGIN
        title = fitted_caption(spec.title, width, theme.TITLE_SIZE, theme.FOREGROUND,
                               weight="BOLD", aligned_edge=LEFT, floor=HEADER_FLOOR,
                               max_lines=2)
        lines: list[Mobject] = [title]
        if spec.subtitle:
            lines.append(fitted_caption(spec.subtitle, width, theme.BODY_SIZE, theme.MUTED,
                                        aligned_edge=LEFT, floor=HEADER_FLOOR, max_lines=2))
        if spec.show.formula:
            lines.append(MathTypst(f"L({', '.join(self.p.surface.axis_names)}) = "
                                   f"{self.p.surface.typst}",
                                   font_size=theme.SMALL_SIZE * theme.MATH_SCALE,
                                   color=theme.MUTED))
        group = VGroup(*lines).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        if group.width > width:  # a formula wider than the frame
            group.scale_to_fit_width(width)
        if group.height > HEADER_SHARE * config.frame_height:
            group.scale_to_fit_height(HEADER_SHARE * config.frame_height)
        group.title = title
        group.lines = lines
        return group

    def _rules(self) -> VGroup:
        """Each distinct update rule (tagged by its optimizer when there are several) and
        the key of the symbols they leave undefined, arranged by :meth:`_arrange_rules`."""
        self._rule_items: list[Mobject] = []
        self._rule_key: VGroup | None = None
        if not self.p.spec.show.rules:
            return VGroup()
        rules = self.p.rules
        for name, rule in rules:
            math = MathTypst(rule, font_size=34, color=theme.FOREGROUND)
            if len(rules) > 1:
                tag = Text(name, font=theme.FONT, font_size=theme.BODY_SIZE, color=theme.MUTED)
                self._rule_items.append(VGroup(tag, math).arrange(DOWN, aligned_edge=LEFT,
                                                                  buff=0.12))
            else:
                self._rule_items.append(math)
        lines = key_lines([rule for _, rule in rules])
        if lines:
            # the symbols the rules use without defining them (g, m-hat, v-hat), beneath
            # them on the title act's card (a lone rule in the header goes without it)
            self._rule_key = VGroup(*(MathTypst(line, font_size=theme.SMALL_SIZE
                                                * theme.MATH_SCALE, color=theme.MUTED)
                                      for line in lines))
            self._rule_key.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        return self._arrange_rules(1)  # (a card of several takes 1 or 2: _place_rules)

    def _arrange_rules(self, columns: int) -> VGroup:
        """The rules in ``columns`` columns read down each, the key beneath them."""
        items = self._rule_items
        if columns > 1:
            per = -(-len(items) // columns)
            cols = [VGroup(*items[i:i + per]).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
                    for i in range(0, len(items), per)]
            body = VGroup(*cols).arrange(RIGHT, aligned_edge=UP, buff=0.8)
        else:
            body = VGroup(*items).arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        if self._rule_key is None:
            return body
        return VGroup(body, self._rule_key).arrange(DOWN, aligned_edge=LEFT, buff=0.45)

    def _place_rules(self, header: Box) -> None:
        """One short rule stays in the header, right of the title (without the key of its
        symbols: the header has no room for it); several, or a long one, are shown
        on their own card in the title act and leave before the race, in one column or
        two, whichever shows them larger (long rules, as the Adam family's, read best
        one under another; many short ones side by side)."""
        if not len(self.rules):
            return
        title = self.header.title
        room = Box(title.get_right()[0] + 0.8, header.right, header.bottom, header.top)
        items = self._rule_items
        fits = len(items) == 1 and room.width > 0 and min(
            room.width / items[0].width, 1.0) >= 0.75
        if fits:  # the header has no room for a key: a lone rule there goes without it
            self.rules = VGroup(*items)
            self.rules_in_header = True
            target = fit_target(self.rules, Box(room.left, room.right, header.bottom,
                                                title.get_top()[1]))
            place(self.rules, target)
            self.rules.align_to(title, UP).shift(0.05 * DOWN)
            self.rules.align_to(np.array([header.right, 0, 0]), np.array([1, 0, 0]))
        else:
            main = self.layout["race"]["map"]
            area = Box(-config.frame_width / 2 + 0.6, config.frame_width / 2 - 0.6,
                       -config.frame_height / 2 + 0.6, main.top)

            def scale(group: VGroup) -> float:
                return min(area.width / group.width, area.height / group.height)

            if len(self._rule_items) > 1:  # (arranging moves the shared parts: measure
                # each arrangement, then make the larger one again)
                best = max((1, 2), key=lambda c: scale(self._arrange_rules(c)))
                self.rules = self._arrange_rules(best)
            place(self.rules, fit_target(self.rules, area, align="center"))

    def _arrow_key(self) -> list[Mobject]:
        kinds = self.p.spec.show.arrows
        runs = set(self.p.colors)
        out: list[Mobject] = []
        for kind in kinds:
            style = ARROW_STYLE[kind]
            text = style["text"]
            color = style["color"]
            if color is None:  # drawn in each ball's colour: the key says so
                color = next(iter(runs)) if len(runs) == 1 else theme.MUTED
                text = text if len(runs) == 1 else f"{text} (in the ball's colour)"
            sample = Arrow([0, 0, 0], [0.55, 0, 0], buff=0, color=color,
                           stroke_width=style["stroke_width"],
                           max_tip_length_to_length_ratio=0.35)
            out.append(ArrowKey(sample, text))
        return out

    def make_card(self, width: float) -> VGroup:
        """The closing sentences: shrunk (to 80 %) to fit the width, else wrapped at words
        into lines as full as fit, with more room between sentences than between lines. The
        card's ``text_scale`` is its text's size over body text's (fitting it into a box
        shrinks it further: see :func:`card_scale`)."""
        def text(s: str) -> Text:
            return Text(s, font=theme.FONT, font_size=theme.BODY_SIZE, color=theme.FOREGROUND,
                        line_spacing=0.9)

        def wrapped_to_fit(s: str, t: Text) -> Text:
            """``s`` wrapped at words into lines as full as fit ``width`` at 80 %, so
            every wrapped sentence of a card has the same measure (the characters a
            line holds only estimate its width: two fewer until it fits)."""
            chars = int(width / (0.8 * t.width / len(s)))
            while True:
                out = text(wrap(s, chars, balanced=False))  # full lines, left-aligned
                if out.width * 0.8 <= width or chars <= 8:
                    return out
                chars -= 2

        lines = [text(s) for s in self.p.conclusions]
        scale = min(1.0, width / max(t.width for t in lines))
        wrapped = False
        if scale < 0.8:
            scale = 0.8
            wrapped = any(t.width * 0.8 > width for t in lines)
            lines = [wrapped_to_fit(s, t) if t.width * 0.8 > width else t
                     for s, t in zip(self.p.conclusions, lines, strict=True)]
        # sentences of several lines are set apart, so each reads as one
        card = VGroup(*lines).arrange(DOWN, aligned_edge=LEFT,
                                      buff=0.4 if wrapped else 0.18).scale(scale)
        if card.width > width:
            scale *= width / card.width
            card.scale_to_fit_width(width)
        card.text_scale, card.natural_width = scale, card.width
        return card

    def _map(self, region: Box) -> ContourMap:
        surface = self.p.surface
        probe = PlotFrame(*surface.view, 4.0, 3.0, x_label=f"${surface.axis_names[0]}$",
                          y_label=f"${surface.axis_names[1]}$")
        over = _overhang(probe)
        avail = Box(region.left + over[0], region.right - over[1], region.bottom + over[2],
                    region.top - over[3])
        # equal axes where the view's shape allows; a long ravine fills its box instead
        aspect = float(np.clip(_aspect(surface.view), 0.6 * avail.aspect, avail.aspect))
        box = avail.fit(aspect, align="top-left")
        m = ContourMap(surface, box.width, box.height)
        m.shift(np.array([box.center[0], box.center[1], 0]) - m.box.get_center())
        return m

    def _data(self, region: Box) -> DataPanel:
        d = self.p.data
        assert d is not None
        probe = PlotFrame(d.x_range, d.y_range, 4.0, 3.0, x_label=d.x_label, y_label=d.y_label)
        over = _overhang(probe)
        avail = Box(region.left + over[0], region.right - over[1], region.bottom + over[2],
                    region.top - over[3])
        box = avail.fit(float(np.clip(avail.aspect, 0.8, 1.3)), align="top-left")
        order = self.p.paint_order  # jagged beneath smooth, as on the map
        panel = DataPanel(d.points, d.x_model, [d.models[i] for i in order],
                          [self.p.colors[i] for i in order], self.timeline,
                          box.width, box.height, x_range=d.x_range, y_range=d.y_range,
                          x_label=d.x_label, y_label=d.y_label)
        panel.shift(np.array([box.center[0], box.center[1], 0]) - panel.box.get_center())
        return panel

    # -- moving between stages --------------------------------------------------------
    def arrange(self, stage: str, **kwargs: object) -> list[Animation]:
        """Animations that bring the map, data panel and side panel to ``stage``'s boxes."""
        boxes = self.layout[stage]
        anims: list[Animation] = []
        moves: list[tuple[Box, Box]] = []  # the map's and data panel's, from and to
        for m, name, natural in ((self.map, "map", self.map_natural),
                                 (self.data, "data", self.data_natural)):
            if m is not None and name in boxes:
                target = fit_target(m, boxes[name], natural_width=natural)
                anims.append(Glide(m, target, **kwargs))
                moves.append((box_of(m), box_of(target)))
        flow = self.flow(stage)
        side = (box_of(self.panel), flow_box(flow))
        # the side panel fades out and back in at its place when gliding there would
        # carry it across the map or the data panel (to a column below them), out of
        # their way while they move
        return anims + self.panel.glide(
            flow, clear=clear_window(side, moves),
            hop=any(paths_cross(side, move) for move in moves), **kwargs)

    def flow(self, stage: str) -> Flow:
        """The side panel's flow in ``stage``: compact (no readouts) beside plots."""
        side = self.layout[stage]["side"]
        return self.panel.flow_to(side.left, side.right, side.top, side.bottom,
                                  compact=stage in ("replay", "chart"))

    def boxes(self) -> dict[str, Box]:
        """The bounding box of every panel on screen now (they must not overlap)."""
        out = {"header": box_of(self.header)}
        if self.rules_in_header:
            out["rules"] = box_of(self.rules)
        for name, what in self.on_screen.items():
            out[name] = what() if callable(what) else box_of(what)
        return out


#: the closing card is set smaller while the side panel's text beside it stands below
#: this share of the card's (:meth:`Stage._balance_card`) ...
CARD_BALANCE = 0.8
#: ... but never below this share of body text
CARD_FLOOR = 0.62


def flow_box(flow: Flow) -> Box:
    """The box a side panel fills once flowed (its items' corners, its size)."""
    left = min(x for x, _ in flow.corners)
    top = max(y for _, y in flow.corners)
    return Box(left, left + flow.width, top - flow.height, top)


def card_scale(card: VGroup, box: Box | None = None) -> float:
    """The size of a :meth:`~Stage.make_card` card's text over body text's: as it is
    shown now, or once it is fitted into ``box``."""
    width = card.width if box is None else fit_target(
        card, box, natural_width=card.natural_width).width
    return card.text_scale * width / card.natural_width


def _aspect(view: tuple[tuple[float, float], tuple[float, float]]) -> float:
    (x0, x1), (y0, y1) = view
    return (x1 - x0) / (y1 - y0)


def _overhang(frame: PlotFrame) -> tuple[float, float, float, float]:
    """How far a frame's labels reach beyond its box: left, right, bottom, top."""
    full, box = box_of(frame), box_of(frame.box)
    return (box.left - full.left + 0.02, full.right - box.right + 0.02,
            box.bottom - full.bottom + 0.02, full.top - box.top + 0.02)

