"""Automatic layout: the frame divided into panels, per stage of a lesson.

Pure geometry in scene units (no manim). A lesson measures what it shows
(the header's height, the side panel's natural width, the closing card's
height, the map's aspect) and :func:`plan` returns, for each stage, a
:class:`Box` per panel. Boxes of one stage never overlap and all lie inside
the frame minus a margin; the acts then fit each mobject into its box
(shrinking, never growing past its natural size).

Stages: ``race`` (map, data panel, side panel), ``replay`` (the same, smaller,
above a row of plots; or the map above the side panel on the left and the plots on
the right, one above the other or in two rows, where that keeps the side panel's
text at :data:`TEXT_FLOOR` or more and the map about as large (a lone plot) or
:data:`BESIDE_MAP_GAIN` times larger (several) than with the plots below: see
:func:`choose`), ``chart`` (the map above the side panel, on
the left; the charts stacked on the right), ``surface3d`` (the 3-D view and the
side panel) and ``closing`` (the current view above the closing card; after a 3-D
ride whose side panel took the card's room, the card below the view alone where the
view keeps :data:`CARD_BELOW_VIEW_KEEP` of its height, the panel keeping its box).

The side panel's text scale in a box is a measurement (it depends on the labels),
so the lesson hands it in as :attr:`Needs.side_scale`; without it only the map's
size decides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..kit import sweep

MARGIN = 0.3  #: scene units between the frame's edge and any panel
GAP = 0.4  #: between neighbouring panels
#: the share of the width the map and side panel keep beside charts
CHART_LEFT = 0.42
#: the smallest scale of the side panel's text a layout accepts when it has a choice
TEXT_FLOOR = 0.5
#: how much larger (in text scale) the side panel must get to take the closing card's
#: room during the 3-D ride
SIDE_GAIN = 0.05
#: a lone plot goes beside the map only if the map keeps this share of the size it
#: has with the plot below
BESIDE_MAP_SHARE = 0.9
#: several plots go beside the map (in a column, or two rows) only if the map grows by
#: this factor over the map above a row of them (a square or tall map above a row of
#: plots is a thumbnail; a wide one keeps the frame's width there)
BESIDE_MAP_GAIN = 1.3
#: the share of the height below the header a map beside several plots takes (the side
#: panel goes below it)
GRID_MAP = 0.64
#: the share of the height below the header the map row keeps above a row of plots
MAP_ROW = 0.47
#: after a 3-D ride, the closing card may go below the 3-D view alone, the side panel
#: keeping the full-height box it had during the ride, only where the view keeps this
#: share of the height it has above a full-width card
CARD_BELOW_VIEW_KEEP = 0.85
#: the room above a plot's axes that row of plots is planned with (a one-line caption
#: over the y label); a taller heading (a caption in two lines) takes the rest from
#: the map row, so the plots' axes keep their height
PLOT_HEADING = 0.8


def _spans(total: float, sizes: list[float], gap: float) -> list[float]:
    """``sizes`` with each 0 replaced by an equal share of what the others leave."""
    rest = total - gap * (len(sizes) - 1) - sum(sizes)
    free = max(sum(1 for x in sizes if x == 0), 1)
    return [x if x else max(rest / free, 0.0) for x in sizes]


@dataclass(frozen=True)
class Box:
    left: float
    right: float
    bottom: float
    top: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.top - self.bottom

    @property
    def center(self) -> tuple[float, float]:
        return ((self.left + self.right) / 2, (self.bottom + self.top) / 2)

    @property
    def aspect(self) -> float:
        return self.width / self.height

    def split_columns(self, widths: list[float], gap: float = GAP) -> list[Box]:
        """Side-by-side boxes of the given widths (a width of 0 takes what is left)."""
        out, x = [], self.left
        for w in _spans(self.width, widths, gap):
            out.append(Box(x, x + w, self.bottom, self.top))
            x += w + gap
        return out

    def split_rows(self, heights: list[float], gap: float = GAP) -> list[Box]:
        """Stacked boxes, top first, of the given heights (0 takes what is left)."""
        out, y = [], self.top
        for h in _spans(self.height, heights, gap):
            out.append(Box(self.left, self.right, y - h, y))
            y -= h + gap
        return out

    def fit(self, aspect: float, align: str = "top-left") -> Box:
        """The largest box of ``aspect`` (width / height) inside this one."""
        w = min(self.width, self.height * aspect)
        h = w / aspect
        left = self.left if "left" in align else (self.right - w if "right" in align
                                                   else self.center[0] - w / 2)
        top = self.top if "top" in align else self.center[1] + h / 2
        return Box(left, left + w, top - h, top)

    def inside(self, other: Box, tol: float = 1e-6) -> bool:
        return (self.left >= other.left - tol and self.right <= other.right + tol
                and self.bottom >= other.bottom - tol and self.top <= other.top + tol)

    def overlaps(self, other: Box, tol: float = 1e-6) -> bool:
        return (self.left < other.right - tol and other.left < self.right - tol
                and self.bottom < other.top - tol and other.bottom < self.top - tol)

    @property
    def edges(self) -> tuple[float, float, float, float]:
        return self.left, self.right, self.bottom, self.top

    def toward(self, other: Box, t: float) -> Box:
        """The box ``t`` of the way from this one to ``other`` (each edge in a line)."""
        return Box(*sweep.toward(self.edges, other.edges, t))


def paths_cross(a: tuple[Box, Box], b: tuple[Box, Box]) -> bool:
    """Whether two boxes gliding at once, each from its first box to its second in a
    straight line at the same pace, overlap on the way."""
    return sweep.ways_cross((a[0].edges, a[1].edges), (b[0].edges, b[1].edges))


def clear_window(side: tuple[Box, Box], moves: list[tuple[Box, Box]]) -> tuple[float, float]:
    """``(gone, back)`` for a side panel that fades out at ``side[0]`` and back in at
    ``side[1]`` (rather than glide across them) while the boxes in ``moves`` glide: out
    by ``gone`` (at most halfway, before any of them reaches its old place), in from
    ``back`` (at least halfway, once all of them have left its new place), as fractions
    of the glide."""
    ts = [k / sweep.SAMPLES for k in range(sweep.SAMPLES + 1)]

    def hit(box: Box, t: float) -> bool:
        return any(box.overlaps(a.toward(b, t)) for a, b in moves)

    first = next((i for i, t in enumerate(ts) if hit(side[0], t)), len(ts))
    last = next((i for i in range(len(ts) - 1, -1, -1) if hit(side[1], ts[i])), -1)
    gone = min(0.5, ts[max(first - 1, 0)])
    back = max(0.5, ts[min(last + 1, len(ts) - 1)])
    return gone, min(back, 0.9)


@dataclass(frozen=True)
class Needs:
    """What a lesson shows, measured in scene units at natural size."""

    frame_width: float
    frame_height: float
    header_height: float
    side_width: float  #: the side panel's natural width (counter, settings, legend)
    #: the header with the title alone, as the 3-D act shows it (0: same as the header)
    title_height: float = 0.0
    surface3d: bool = False
    data: bool = False
    plots: int = 0
    #: static charts shown after the race, in a stage of their own (``chart``)
    charts: int = 0
    card_height: float = 0.0  #: the closing card (0: no closing card)
    #: width / height of the map and the data panel with their labels, once built;
    #: then each row packs them left to right and the side panel takes the rest
    map_aspect: float | None = None
    data_aspect: float | None = None
    #: the side panel's text scale when it flows into a box (``compact``: no live
    #: readouts, as beside plots); None: not measured, only the map's size decides
    side_scale: Callable[[Box, bool], float] | None = None
    #: the room the tallest plot heading (caption, y label, key) takes above its axes
    #: in a plot box of the given width; None: :data:`PLOT_HEADING`
    plot_heading: Callable[[float], float] | None = None
    #: the closing card's height when made for a given width (None: only the
    #: full-width card of :attr:`card_height` is considered)
    card_height_at: Callable[[float], float] | None = None


@dataclass
class Layout:
    """Panel boxes per stage: ``layout.stages["race"]["map"]``."""

    frame: Box
    stages: dict[str, dict[str, Box]] = field(default_factory=dict)
    #: how a stage with a choice was arranged: ``choices["replay"]`` is "beside" or
    #: "below"; ``choices["closing"]``, where the side panel took the card's room during
    #: a 3-D ride, "below-view" or "full-width" (absent elsewhere)
    choices: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, stage: str) -> dict[str, Box]:
        return self.stages[stage]


def plan(needs: Needs) -> Layout:
    """Boxes for every stage of a lesson with these needs."""
    fw, fh = needs.frame_width, needs.frame_height
    frame = Box(-fw / 2, fw / 2, -fh / 2, fh / 2)
    inner = Box(frame.left + MARGIN, frame.right - MARGIN, frame.bottom + MARGIN,
                frame.top - MARGIN)
    header, main = inner.split_rows([needs.header_height, 0], gap=0.3)
    side_w = min(needs.side_width, 0.34 * inner.width)
    layout = Layout(frame)

    def row(box: Box) -> dict[str, Box]:
        """Map, data panel and side panel side by side; packed left once measured."""
        if needs.data:
            view, data, side = box.split_columns([0, 0.3 * box.width, side_w])
        else:
            (view, side), data = box.split_columns([0, side_w]), None
        out = {"map": view, "side": side}
        if data is not None:
            out["data"] = data
        if needs.map_aspect is None:
            return out
        out["map"] = view.fit(needs.map_aspect, "top-left")
        right = out["map"].right
        if data is not None:
            free = Box(right + GAP, data.right, data.bottom, data.top)
            out["data"] = free.fit(needs.data_aspect or data.aspect, "top-left")
            right = out["data"].right
        out["side"] = Box(right + GAP, box.right, box.bottom, box.top)
        return out

    layout.stages["race"] = {"header": header, **row(main)}
    def above_plots(count: int) -> dict[str, Box]:
        """The map above a row of ``count`` plots (``plot0``, ``plot1``, ...)."""
        width = main.split_columns([0] * count, gap=0.5)[0].width
        extra = max(0.0, needs.plot_heading(width) - PLOT_HEADING) if needs.plot_heading \
            else 0.0
        top, bottom = main.split_rows([MAP_ROW * main.height - extra, 0])
        boxes = {"header": header, **row(top)}
        for i, box in enumerate(bottom.split_columns([0] * count, gap=0.5)):
            boxes[f"plot{i}"] = box
        return boxes

    def beside_plots(count: int, grid: bool = False) -> dict[str, Box]:
        """The map (and data panel) above the side panel on the left, ``count`` plots
        stacked on the right, as tall as the space below the header (``grid``: the left
        column as wide as the map at :data:`GRID_MAP` of the height, the plots in two
        rows, the first holding the odd one)."""
        aspect = needs.map_aspect or 1.5
        share = CHART_LEFT
        if grid and not needs.data:
            share = min(CHART_LEFT, GRID_MAP * main.height * aspect / main.width)
        elif not needs.data:  # no wider than the map or the side panel needs: the plot
            # takes the rest (a square map had left a strip of the column empty)
            share = min(CHART_LEFT, max(0.6 * main.height * aspect, needs.side_width)
                        / main.width)
        left, right = main.split_columns([share * main.width, 0], gap=0.5)
        if needs.data:  # the map and the data panel side by side, at one height
            data_aspect = needs.data_aspect or 1.0
            h = min((left.width - GAP) / (aspect + data_aspect), 0.6 * left.height)
            top, below = left.split_rows([h, 0])
            map_box, data_box = top.split_columns([h * aspect, h * data_aspect])
            boxes = {"header": header, "map": map_box, "data": data_box, "side": below}
        else:
            top, below = left.split_rows([min(left.width / aspect,
                                              (GRID_MAP if grid else 0.6) * left.height), 0])
            boxes = {"header": header, "map": top.fit(aspect, "top-left"), "side": below}
        rows = [1] * count if not grid or count < 3 else [(count + 1) // 2, count // 2]
        cells = [cell for row, n in zip(right.split_rows([0] * len(rows), gap=0.4), rows,
                                        strict=True)
                 for cell in row.split_columns([0] * n, gap=0.5)]
        for i, box in enumerate(cells):
            boxes[f"plot{i}"] = box
        return boxes

    if needs.plots:  # beside the map (below it, it is a strip) unless that costs more
        natural = layout.stages["race"]["map"].width  # the map never grows past it
        scale = needs.side_scale or (lambda box, compact: 1.0)
        options = {"beside": beside_plots(needs.plots, grid=needs.plots > 1),
                   "below": above_plots(needs.plots)}
        pick = choose(*[(min(o["map"].width, natural), scale(o["side"], True))
                        for o in options.values()],
                      share=BESIDE_MAP_SHARE if needs.plots == 1 else BESIDE_MAP_GAIN)
        layout.stages["replay"], layout.choices["replay"] = options[pick], pick
    if needs.charts:
        layout.stages["chart"] = beside_plots(needs.charts)
    # the 3-D act keeps only the title in the header, to give the surface more room
    header3d, main3d = inner.split_rows([needs.title_height or needs.header_height, 0], gap=0.3)
    full3d = main3d
    if needs.card_height:
        main3d, card3d = main3d.split_rows([0, needs.card_height], gap=0.25)
    view3d, side3d = main3d.split_columns([0, side_w])
    # until the card comes, the view takes the card's room below it too (at the closing
    # the camera settles into the view above the card: CameraPath.settle)
    view_ride = full3d.split_columns([0, side_w])[0]
    side_ride = side3d
    if needs.card_height and needs.side_scale is not None:
        # until the card comes, the side panel may take the card's room below it: where
        # that sets its text larger, it flows down there for the ride and back up above
        # the card at the closing (a tall card had squeezed it into two columns of small
        # text for the whole ride)
        tall = Box(side3d.left, side3d.right, full3d.bottom, side3d.top)
        if needs.side_scale(tall, False) >= needs.side_scale(side3d, False) + SIDE_GAIN:
            side_ride = tall
    layout.stages["surface3d"] = {"header": header3d, "view3d": view_ride, "side": side_ride}
    if needs.surface3d:  # the closing card comes below the 3-D view
        layout.stages["closing"] = {**layout.stages["surface3d"], "view3d": view3d,
                                    "side": side3d}
        if needs.card_height and side_ride != side3d and needs.card_height_at is not None:
            # the side panel took the card's room during the ride (it reads larger
            # there): the card may go below the view alone, narrower and taller, and the
            # panel keep that box, rather than squeeze above a full-width card
            view_b, card_b = view_ride.split_rows([0, needs.card_height_at(view_ride.width)],
                                                  gap=0.25)
            if view_b.height >= CARD_BELOW_VIEW_KEEP * view3d.height:
                layout.stages["closing"] = {**layout.stages["surface3d"], "view3d": view_b,
                                            "card": card_b}
                layout.choices["closing"] = "below-view"
                return layout  # (its card placed: not the full-width one below)
            layout.choices["closing"] = "full-width"
    else:
        above_card = main
        if needs.card_height:
            above_card, card3d = main.split_rows([0, needs.card_height], gap=0.25)
        layout.stages["closing"] = {"header": header, **row(above_card)}
    if needs.card_height:
        layout.stages["closing"]["card"] = card3d
    return layout


def choose(beside: tuple[float, float], below: tuple[float, float],
           share: float = BESIDE_MAP_SHARE) -> str:
    """"beside" or "below": where the replay's plots go, given (the map's width, the
    side panel's text scale) in each arrangement. Beside when its text stays at or
    above :data:`TEXT_FLOOR` and its map is at least ``share`` times the map below
    (:data:`BESIDE_MAP_SHARE` for a lone plot, :data:`BESIDE_MAP_GAIN` for several);
    else below when its text is legible there; else whichever has the larger text."""
    (map_beside, text_beside), (map_below, text_below) = beside, below
    if text_beside >= TEXT_FLOOR and map_beside >= share * map_below:
        return "beside"
    if text_below >= TEXT_FLOOR:
        return "below"
    return "beside" if text_beside > text_below else "below"
