"""The side panel: iteration counter, settings line, and one legend row per run.

Its items flow into whatever box the layout gives it: one column when the box
is tall enough, more columns (or a smaller scale, never below ``MIN_SCALE``)
when it is not. Moving between boxes glides each item to its new place, so
live readouts keep updating while they move.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UL,
    UP,
    Animation,
    Dot,
    Mobject,
    Text,
    VGroup,
    VMobject,
)

from . import theme
from .bounds import critical_point
from .readouts import LiveText, iteration_readout, sequence_text
from .sweep import ways_cross
from .timeline import Timeline

#: the smallest scale the panel's text is shown at (26 pt body text -> about 14 pt)
MIN_SCALE = 0.55
ROW_GAP = 0.28
COLUMN_GAP = 0.5


def wrap(text: str, width: int, balanced: bool = True) -> str:
    """Break ``text`` at spaces into lines of at most about ``width`` characters; a
    parenthesis such as ``(1.5, 0.01)`` is never split, nor a number from its unit
    (``42 %``) or a symbol from its value (``β 0.95``), and a line break in ``text``
    stays one. ``balanced``: as few lines, but as even as they can be (no lone word
    on a last line: "the gradient where the ball / is"); else each line as full as
    it can be."""
    if "\n" in text:
        return "\n".join(wrap(part, width, balanced) for part in text.split("\n"))
    greedy = _wrap_greedy(text, width)
    count = greedy.count("\n") + 1
    if not balanced or count == 1:
        return greedy
    for w in range(math.ceil(len(text) / count), width):
        even = _wrap_greedy(text, w)
        if even.count("\n") + 1 == count:
            return even
    return greedy


def _wrap_greedy(text: str, width: int) -> str:
    words, lines, line = glued_words(_tokens(text)), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    lines.append(line)
    return "\n".join(lines)


def _tokens(text: str) -> list[str]:
    """The words of ``text``, a parenthesised group of numbers (``(1.5, 0.01)``) as one;
    a parenthesis of words (``(Kingma and Ba 2015)``) breaks like any words."""
    out: list[str] = []
    for token in re.findall(r"\S*\([^)]*\)\S*|\S+", text):
        inner = token[token.find("(") + 1:token.rfind(")")] if "(" in token else ""
        out += token.split() if re.search(r"[A-Za-z]{2,}\s", inner) else [token]
    return out


def glued_words(words: list[str]) -> list[str]:
    """``words`` with a percent sign joined to the number before it, and a lone symbol
    (one non-ASCII character: ``β``, ``λ``, ``≈``) or relation (``=``) joined to what
    follows it."""
    out: list[str] = []
    pending = ""
    for raw in words:
        w = f"{pending} {raw}" if pending else raw
        pending = ""
        if raw.startswith("%") and out and not w.startswith(" "):
            out[-1] = f"{out[-1]} {w}"
        elif len(raw) == 1 and not raw.isascii() or raw in "=<>":
            pending = w  # a symbol or a relation: it goes with what follows
        else:
            out.append(w)
    if pending:
        out.append(pending)
    return out


#: a row this much taller than the shortest has a label of more lines than one
TALL_ROW = 1.4


def _row_slots(heights: list[float]) -> tuple[float, list[float]]:
    """The legend's row slot and what each row takes beyond it: one slot fits every row
    of one line (the tallest of them), and a row with a wrapped label takes its own
    height, so a two-line label no longer spreads every other row apart."""
    short = min(heights)
    one_line = [h for h in heights if h <= TALL_ROW * short]
    slot = max(one_line)
    return slot, [max(0.0, h - slot) for h in heights]


#: the smallest size of a fitted caption (over its own) before it is wrapped instead
CAPTION_FLOOR = 0.8


def fitted_caption(caption: str, width: float, font_size: float = theme.SMALL_SIZE,
                   color: str = theme.MUTED, weight: str = "NORMAL",
                   aligned_edge: np.ndarray = ORIGIN, floor: float = CAPTION_FLOOR,
                   max_lines: int | None = None) -> VGroup:
    """``caption`` in lines no wider than ``width`` (centred, or along ``aligned_edge``):
    one line where it fits at ``floor`` of its size or more (shrunk as needed), else
    wrapped at words (:func:`wrap`) into the fewest balanced lines that fit at that size
    (at most ``max_lines``, shrunk further where even those are too wide)."""
    def lines(s: str) -> VGroup:
        return VGroup(*[Text(line, font=theme.FONT, font_size=font_size, color=color,
                             weight=weight) for line in s.split("\n")]).arrange(
            DOWN, buff=0.08 * font_size / 20, aligned_edge=aligned_edge)

    out = lines(caption)
    count, words = 2, len(caption.split())
    most = words if max_lines is None else min(words, max_lines)
    while out.width * floor > width and count <= most:
        out = lines(wrap(caption, int(np.ceil(len(caption) / count)) + 2))  # balanced
        count += 1
    if out.width > width:
        out.scale_to_fit_width(width)
    return out


class LegendRow(VGroup):
    """Colour dot, label (wrapped when long) and a live readout of one run.

    ``readouts[k]`` is the readout after ``k`` iterations (e.g. from
    :func:`~scenes.kit.readouts.loss_string`: ``loss 0.102``, ``diverged at step 7``).
    """

    def __init__(self, label: str, color: str, readouts: Sequence[str], timeline: Timeline,
                 font_size: float = theme.BODY_SIZE, wrap_at: int = 24) -> None:
        dot = Dot(radius=0.09, color=color, stroke_color=theme.FOREGROUND, stroke_width=2)
        name = Text(wrap(label, wrap_at), font=theme.FONT, font_size=font_size,
                    color=theme.FOREGROUND, line_spacing=0.8)
        dot.next_to(name, LEFT, buff=0.15).align_to(name, UP).shift(0.03 * DOWN)
        value = LiveText(sequence_text(readouts, timeline),
                         font_size=font_size * theme.READOUT_SCALE, color=theme.MUTED,
                         widest=max(readouts, key=len))
        value.next_to(name, DOWN, aligned_edge=LEFT, buff=0.08)
        super().__init__(dot, name, value)
        self.dot, self.name, self.value = dot, name, value
        #: width with the widest readout this run will show
        self.natural_width = max(self.width, value.get_left()[0] - self.get_left()[0]
                                 + value.natural_width)
        #: size without the readout (the compact legend beside plots)
        self.compact_size = (name.get_right()[0] - self.get_left()[0],
                             self.get_top()[1] - name.get_bottom()[1])


class ArrowKey(VGroup):
    """One line of the arrows' key: a short arrow in the arrow's style and its meaning."""

    def __init__(self, sample: Mobject, text: str, font_size: float = theme.SMALL_SIZE) -> None:
        words = Text(text, font=theme.FONT, font_size=font_size, color=theme.MUTED)
        words.next_to(sample, RIGHT, buff=0.15)
        super().__init__(sample, words)


@dataclass(frozen=True)
class Flow:
    """Where each item goes: scale and top-left corner per item. ``compact`` rows show
    no live readout (beside plots, which show the same numbers)."""

    scale: float
    columns: int
    corners: list[tuple[float, float]]
    width: float
    height: float
    compact: bool = False


class SidePanel(VGroup):
    """Counter, settings and legend rows, flowed into a box.

    ``top_items`` (counter, settings, arrow key) span the panel's width; ``rows``
    (one per run) fill columns below them.
    """

    def __init__(self, labels: list[str], colors: list[str], readouts: list[Sequence[str]],
                 timeline: Timeline, settings: str | None = None, facts: Sequence[str] = (),
                 extra: list[Mobject] | None = None, font_size: float = theme.BODY_SIZE) -> None:
        super().__init__()
        self.counter = iteration_readout(timeline, font_size=font_size)
        self.top_items: list[Mobject] = [self.counter]
        if settings:
            self.settings = Text(settings, font=theme.FONT, font_size=theme.SMALL_SIZE,
                                 color=theme.MUTED)
            self.top_items.append(self.settings)
        #: computed statements about the lesson (eigenvalues, limits, ...)
        self.facts = [Text(wrap(f, 40), font=theme.FONT, font_size=theme.SMALL_SIZE,
                           color=theme.FOREGROUND, line_spacing=0.8) for f in facts]
        self.top_items += self.facts + list(extra or [])
        self.rows = [LegendRow(lab, col, texts, timeline, font_size)
                     for lab, col, texts in zip(labels, colors, readouts, strict=True)]
        self.add(*self.top_items, *self.rows)
        self.natural = {id(m): (getattr(m, "natural_width", m.width), m.height)
                        for m in self.items}
        self.scales = {id(m): 1.0 for m in self.items}
        self.opacities: dict[int, float] = {}
        #: top items gone for good (:meth:`retire`), by id
        self.retired: set[int] = set()
        self.place(self.flow_to(-10.0, 10.0, 10.0, -10.0))

    def retire(self, items: Sequence[Mobject]) -> None:
        """Leave ``items`` (top items: an arrow key once its arrows are gone) out of every
        flow from now on: the next :meth:`glide` fades them out and closes their gap."""
        self.retired |= {id(m) for m in items}

    @property
    def items(self) -> list[Mobject]:
        return [*self.top_items, *self.rows]

    def natural_width(self) -> float:
        """Width in one column at full size."""
        return max(self.natural[id(m)][0] for m in self.items)

    def flow_to(self, left: float, right: float, top: float, bottom: float,
                compact: bool = False) -> Flow:
        """The largest flow (1 to 4 columns, scale <= 1) that fits the box."""
        width, height = right - left, top - bottom
        best: Flow | None = None
        tops = [m for m in (self.top_items[:1] if compact else self.top_items)  # compact:
                if id(m) not in self.retired]  # the counter alone
        top_w = max(self.natural[id(m)][0] for m in tops)
        top_h = sum(self.natural[id(m)][1] for m in tops) + ROW_GAP * len(tops)
        sizes = [m.compact_size if compact else self.natural[id(m)] for m in self.rows]
        row_w = max(w for w, _ in sizes)
        row_h, extra = _row_slots([h for _, h in sizes])
        for cols in range(1, min(4, len(self.rows)) + 1):
            per_col = math.ceil(len(self.rows) / cols)
            # each row's offset below the first of its column: one slot per row above
            # it, plus what taller rows above it (a wrapped label) take beyond a slot
            below = [r * (row_h + ROW_GAP) + sum(extra[c * per_col:i])
                     for i in range(len(self.rows)) for c, r in [divmod(i, per_col)]]
            col_h = max(below[i] + row_h + extra[i] for i in range(len(self.rows)))
            need_w = max(top_w, cols * row_w + (cols - 1) * COLUMN_GAP)
            need_h = top_h + col_h
            s = min(1.0, width / need_w, height / need_h)
            if best is None or s > best.scale + 1e-9:
                corners = []
                y = top
                for m in self.top_items:
                    corners.append((left, y))
                    if m in tops:
                        y -= (self.natural[id(m)][1] + ROW_GAP) * s
                for i in range(len(self.rows)):
                    c = i // per_col
                    corners.append((left + c * (row_w + COLUMN_GAP) * s, y - below[i] * s))
                best = Flow(s, cols, corners, need_w * s, need_h * s, compact)
        assert best is not None
        return best

    def place(self, flow: Flow) -> None:
        """Put every item at its place in ``flow`` at once."""
        for m, corner in zip(self.items, flow.corners, strict=True):
            self._set(m, flow.scale, np.array([corner[0], corner[1], 0.0]))
        for m in self.items:
            self.opacities[id(m)] = self.opacity(m, flow)
            self.shown(m).set_opacity(self.opacities[id(m)])

    def visible_parts(self) -> list[Mobject]:
        """The items (or parts of rows) not hidden by a compact flow."""
        out: list[Mobject] = []
        for m in self.items:
            if self.opacities.get(id(m), 1.0) > 0:
                out.append(m)
            elif m in self.rows:
                out.append(VGroup(m.dot, m.name))
        return out

    def shown(self, m: Mobject) -> Mobject:
        """The part of an item a compact flow hides: a row's readout, or the whole item."""
        return m.value if m in self.rows else m

    def opacity(self, m: Mobject, flow: Flow) -> float:
        """1 where ``flow`` shows the item (or its readout), 0 where it hides it (and
        for a retired item)."""
        if id(m) in self.retired:
            return 0.0
        return 0.0 if flow.compact and m is not self.counter else 1.0

    def glide(self, flow: Flow, clear: tuple[float, float] = (0.5, 0.5), hop: bool = False,
              **kwargs: object) -> list[Animation]:
        """Animations that move every item to its place in ``flow`` (fading what a
        compact flow hides, and back). With ``hop``, and where rows would cross each
        other on the way (into other columns), every item instead fades out where it is
        by ``gone`` of the animation's progress and back in at its new place and size
        from ``back`` on, ``clear = (gone, back)`` (out of the way of what else moves)."""
        corners = [np.array([x, y, 0.0]) for x, y in flow.corners]
        targets = [self.opacity(m, flow) for m in self.items]
        if hop or self._rows_cross(flow, corners, targets):
            return [_Reflow(self, m, flow.scale, c, o, hop=clear, **kwargs)
                    for m, c, o in zip(self.items, corners, targets, strict=True)]
        # an item the new flow hides fades out where it stands before the others move
        # over it; one it shows again fades in at its place once they have moved away
        # (a row's readout likewise, while its row stands still)
        now = [self.opacities.get(id(m), 1.0) for m in self.items]
        hiding = [a > 0 and b == 0 for a, b in zip(now, targets, strict=True)]
        showing = [a == 0 and b > 0 for a, b in zip(now, targets, strict=True)]
        window = (FADE_FIRST if any(hiding) else 0.0, 1.0 - FADE_FIRST if any(showing) else 1.0)
        whole = [self.shown(m) is m for m in self.items]
        return [_Reflow(self, m, flow.scale, c, o, mode="out" if out and w else
                        "in" if back and w else "move", window=window, **kwargs)
                for m, c, o, out, back, w in zip(self.items, corners, targets, hiding, showing,
                                                 whole, strict=True)]

    def _rows_cross(self, flow: Flow, corners: list[np.ndarray], targets: list[float]
                    ) -> bool:
        """Whether two items seen before and after would pass over each other on their
        straight ways to ``flow`` (rows reflowing into other columns)."""
        def seen(m: Mobject, opacity: float) -> Mobject:  # a row without its hidden readout
            return VGroup(m.dot, m.name) if m in self.rows and opacity == 0 else m

        ways = []
        for m, corner, target in zip(self.items, corners, targets, strict=True):
            now = self.opacities.get(id(m), 1.0)
            if self.shown(m) is m and 0 in (now, target):
                continue  # hidden before or after: it fades where it stands
            k = flow.scale / self.scales[id(m)]
            ul = m.get_corner(UL)
            a, b = seen(m, now), seen(m, target)
            (ax, ay), (bx, by) = a.get_corner(UL)[:2], (b.get_corner(UL) - ul)[:2] * k + corner[:2]
            ways.append(((ax, ax + a.width, ay - a.height, ay),
                         (bx, bx + b.width * k, by - b.height * k, by)))
        # (at the ends the flows keep them apart)
        return any(ways_cross(a, b, ends=False) for i, a in enumerate(ways)
                   for b in ways[i + 1:])

    def _set(self, m: Mobject, scale: float, corner: np.ndarray) -> None:
        """Scale ``m`` to ``scale`` of its natural size, its top-left corner at ``corner``.

        Scales are tracked, not measured: a row's width changes with its live text.
        Scaled about its top-left corner and moved by it: its box is measured once."""
        top_left = critical_point(m, UL)  # (Manim's get_corner, in one numpy pass)
        m.scale(scale / self.scales[id(m)], about_point=top_left)
        self.scales[id(m)] = scale
        m.shift(corner - top_left)


#: of a reflow, the share an item the new flow hides (or shows again) takes to fade
FADE_FIRST = 0.4


def _faded_out(a: float) -> float:
    """How far a fade-out has gone at reflow progress ``a``: over the first FADE_FIRST."""
    return min(max(a / FADE_FIRST, 0.0), 1.0)


def _faded_in(a: float) -> float:
    """How far a fade-in has gone at reflow progress ``a``: over the last FADE_FIRST."""
    return min(max((a - 1.0 + FADE_FIRST) / FADE_FIRST, 0.0), 1.0)


class _Reflow(Animation):
    """One panel item moving and scaling to its place in a new flow (live text keeps
    updating while it moves)."""

    def __init__(self, panel: SidePanel, item: Mobject, scale: float, corner: np.ndarray,
                 opacity: float, hop: tuple[float, float] | None = None, mode: str = "move",
                 window: tuple[float, float] = (0.0, 1.0), **kwargs: object) -> None:
        self.panel, self.scale_to, self.corner_to = panel, scale, corner
        self.opacity_to, self.hop, self.mode, self.window = opacity, hop, mode, window
        super().__init__(item, suspend_mobject_updating=False, **kwargs)

    def create_starting_mobject(self) -> Mobject:
        return self.mobject  # nothing to copy: the start is kept as a scale and a corner

    def begin(self) -> None:
        self.scale_from = self.panel.scales[id(self.mobject)]
        self.corner_from = self.mobject.get_corner(UL)
        self.opacity_from = self.panel.opacities.get(id(self.mobject), 1.0)
        if self.hop:  # every member's own opacities, but those of the part a flow hides
            part = set(self.panel.shown(self.mobject).get_family())
            self.saved = [(m, m.fill_rgbas[:, 3].copy(), m.stroke_rgbas[:, 3].copy())
                          for m in self.mobject.get_family()
                          if isinstance(m, VMobject) and m not in part]
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        a = self.rate_func(alpha)
        if self.hop:
            self._hop(a)
            return
        if self.mode != "move":
            self._fade_in_place(a)
            return
        lo, hi = self.window
        b = min(max((a - lo) / (hi - lo), 0.0), 1.0)
        self.panel._set(self.mobject, self.scale_from + (self.scale_to - self.scale_from) * b,
                        self.corner_from + (self.corner_to - self.corner_from) * b)
        if self.opacity_to != self.opacity_from:  # a readout: out before the move, in after
            f = _faded_out(a) if self.opacity_to < self.opacity_from else _faded_in(a)
            o = self.opacity_from + (self.opacity_to - self.opacity_from) * f
            self.panel.shown(self.mobject).set_opacity(o)
            self.panel.opacities[id(self.mobject)] = o

    def _fade_in_place(self, a: float) -> None:
        """``out``: fades where it stands, then goes to its new place unseen; ``in``: goes
        there unseen, then fades in once the others have moved."""
        out = self.mode == "out"
        if not out or a >= 1.0:
            self.panel._set(self.mobject, self.scale_to, self.corner_to)
        o = self.opacity_from * (1.0 - _faded_out(a)) if out else self.opacity_to * _faded_in(a)
        self.mobject.set_opacity(o)
        self.panel.opacities[id(self.mobject)] = o

    def _hop(self, a: float) -> None:
        """Out where it was until ``gone``, unseen, then in at its new place from ``back``."""
        gone, back = self.hop
        there = a >= gone
        k = max(0.0, (a - back) / (1.0 - back)) if there else 1.0 - a / gone
        if there:
            self.panel._set(self.mobject, self.scale_to, self.corner_to)
        for m, fill, stroke in self.saved:
            if len(m.fill_rgbas) == len(fill):
                m.fill_rgbas[:, 3] = fill * k
            if len(m.stroke_rgbas) == len(stroke):
                m.stroke_rgbas[:, 3] = stroke * k
        # the part a flow hides (a row's readout, or the whole item): its own opacity
        o = (self.opacity_to if there else self.opacity_from) * k
        self.panel.shown(self.mobject).set_opacity(o)
        self.panel.opacities[id(self.mobject)] = o
