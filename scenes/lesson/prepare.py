"""From a validated spec to everything the acts draw: rollouts, labels, colours, series.

This is the one place a lesson touches numerics, and all of them come from
:mod:`dynamics` (``spec.rollouts()``); the rest picks recorded arrays by name
and lays them out for the acts. No manim here, so ``optiroll check`` runs it
without starting a renderer.
"""

from __future__ import annotations

import inspect
import math
import signal
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from multiprocessing import current_process, get_context
from pathlib import Path
from typing import ClassVar, NamedTuple

import numpy as np
from optiroll import dynamics as dyn
from optiroll.dynamics.distributed import DEFAULT_CHUNK
from pydantic import ValidationError

from ..kit.theme import series_colors
from ..text import (
    format_value,
    join_words,
    loss_string,
    loss_value,
    point_string,
    short_number,
    times,
)
from .loading import SpecError, describe, load_spec, located
from .naming import default_labels, rules
from .spec import LessonSpec, PlotSpec, did_you_mean

#: y-axis labels of the common series (Typst math between $ signs)
SERIES_LABELS = {
    "loss": "loss", "gradient": "$nabla L$", "update": "$Delta w$", "velocity": "$v$",
    "step_size": "$eta$", "exp_avg": "$m$", "exp_avg_sq": "$v$", "sum": "$s$",
    "square_avg": "$s$", "momentum_buffer": "$b$", "acc_delta": "$u$", "exp_inf": "$u$",
}
LOG_BY_DEFAULT = ("loss", "step_size")
#: most sentences a closing card holds. The layout gives the card its natural height
#: below the picture, so every sentence costs the map a line; none is ever dropped:
#: the spec lessons' sentences stay within this (runs that fly off share a sentence
#: when there are many), and a lesson's ``conclusions`` hook that returns more is an
#: error (:class:`SpecError`), raised before anything renders.
MAX_CONCLUSIONS = 4
#: most charts a part shows, stacked beside its map (more would be too small to read)
MAX_CHARTS = 2


@dataclass
class PlotData:
    """One plot's curves, ready to draw."""

    spec: PlotSpec
    series: list[np.ndarray]
    colors: list[str]
    dashed: list[bool]
    log: bool
    label: str
    caption: str | None = None
    #: "solid x, dashed y" when both coordinates share the plot
    key: str | None = None
    #: horizontal lines: ``(value, label, colour or None)``
    references: list[tuple[float, str, str | None]] = field(default_factory=list)
    #: the series in the order their curves are painted (:func:`paint_order`; None: as
    #: listed)
    painted: list[int] | None = None

    def in_paint_order(self) -> tuple[list[np.ndarray], list[str], list[bool]]:
        """``(series, colors, dashed)`` in the order the curves are painted."""
        order = self.painted if self.painted is not None else range(len(self.series))
        return ([self.series[j] for j in order], [self.colors[j] for j in order],
                [self.dashed[j] for j in order])


@dataclass
class ArrowData:
    """Per-iteration arrows of one run: drawn at ``positions[k]`` along ``vectors[k]``."""

    kind: str
    run: int
    positions: np.ndarray
    vectors: np.ndarray


@dataclass
class DataView:
    """What the data panel draws (see :class:`scenes.kit.data_panel.DataPanel`)."""

    points: np.ndarray
    x_model: np.ndarray | None
    models: list[np.ndarray]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    x_label: str
    y_label: str


@dataclass
class ModelData:
    """A Newton run's local quadratic models, one per iterate ``k``: the ellipse
    ``{x : (x - c)ᵀ H (x - c) = d*ᵀ H d*}`` through ``x_k``, centred at ``c = x_k + d*``
    (``d* = -H⁻¹g``, where the full Newton step lands), as its centre and two semi-axis
    vectors along the Hessian's eigenvectors; ``valid`` is False where the Hessian is not
    positive definite (the model has no minimum, nothing is drawn)."""

    run: int
    centres: np.ndarray
    axes: np.ndarray
    valid: np.ndarray


@dataclass
class SwarmData:
    """One run's swarm: its optimizer from many seeded random starts at once."""

    positions: np.ndarray
    #: the minimum each ball ends at (index into the surface's minima; -1 still
    #: rolling, -2 flew off) and the step from which it stays there (-1: never)
    labels: np.ndarray
    arrivals: np.ndarray
    #: the deepest minimum's index, and the share of balls settled there after each step
    deepest: int
    shares: np.ndarray


@dataclass
class BasinData:
    """One run's basin map: ``labels[row, col]`` for the start at that pixel's centre,
    its picture, and the deepest minimum's share of it (with the words for it)."""

    labels: np.ndarray
    view: tuple[tuple[float, float], tuple[float, float]]
    rgb: np.ndarray
    share: float
    caption: str


@dataclass
class Curve:
    """One curve of a chart: ``y`` against ``x`` (NaN breaks it), in a run's colour
    (``run``), a colour, or the foreground's, solid or dashed; optionally labelled
    beside its point at ``x = label_at`` (default: its lowest point in the window)."""

    x: np.ndarray
    y: np.ndarray
    run: int | None = None
    dashed: bool = False
    color: str | None = None  #: resolved from ``run`` by :func:`prepare`
    label: str | None = None
    label_at: float | None = None


@dataclass
class Mark:
    """A point on a chart: a dot in a run's colour, or (``star``) the one a chart is
    about (an optimum), with an optional label beside it."""

    x: float
    y: float
    label: str | None = None
    run: int | None = None
    star: bool = False
    color: str | None = None  #: resolved from ``run`` by :func:`prepare`


@dataclass
class ChartData:
    """A static plot of a function (not of the iterations): curves, marked points and
    horizontal reference lines, drawn by the chart act after the race."""

    x_label: str
    y_label: str
    curves: list[Curve]
    marks: list[Mark] = field(default_factory=list)
    #: ``(value, label, run index or None)`` as for iteration plots (each value finite
    #: and, when ``y_range`` is given, inside it)
    references: list[tuple[float, str, int | None]] = field(default_factory=list)
    #: the references with their colours, ``(value, label, colour or None)`` (set by
    #: :func:`prepare`)
    reference_colors: list[tuple[float, str, str | None]] = field(default_factory=list)
    #: the window shown; None: the curves' extent (values outside are clipped)
    x_range: tuple[float, float] | None = None
    y_range: tuple[float, float] | None = None
    caption: str | None = None
    #: what solid and dashed curves mean, when both appear
    key: str | None = None


@dataclass
class Prepared:
    spec: LessonSpec
    surface: dyn.Surface
    runs: list[dyn.Rollout]
    labels: list[str]
    colors: list[str]
    settings: str | None
    rules: list[tuple[str, str]]
    plots: list[PlotData] = field(default_factory=list)
    arrows: list[ArrowData] = field(default_factory=list)
    data: DataView | None = None
    conclusions: list[str] = field(default_factory=list)
    #: computed statements shown in the side panel
    facts: list[str] = field(default_factory=list)
    #: per run, the legend's readout after each iteration
    readouts: list[list[str]] = field(default_factory=list)
    #: Newton runs' quadratic models (``show.model``)
    models: list[ModelData] = field(default_factory=list)
    #: per run, its swarm and its basin map (``show.swarm``, ``show.basins``)
    swarms: list[SwarmData] = field(default_factory=list)
    basin_maps: list[BasinData] = field(default_factory=list)
    #: static function plots shown after the race (a lesson's ``charts`` hook)
    charts: list[ChartData] = field(default_factory=list)

    @cached_property
    def paint_order(self) -> list[int]:
        """The runs in the order their trails, plot curves and data-panel lines are
        painted: see :func:`paint_order`."""
        return paint_order(self.runs)

    @property
    def has_closing(self) -> bool:
        """Whether the part ends on a closing card (asked for, and something to say)."""
        return self.spec.show.closing and bool(self.conclusions)

    def act_names(self) -> list[str]:
        """The acts this part plays, in order (``scenes.lesson.acts.acts_for`` plays
        them): title, race or swarm (and basins), replay, chart, surface3d, closing."""
        show = self.spec.show
        names = ["title"] * show.title + ["swarm" if show.swarm else "race"]
        names += ["basins"] * bool(show.basins and show.swarm)
        names += ["replay"] * bool(show.plots) + ["chart"] * bool(self.charts)
        return names + ["surface3d"] * show.surface3d + ["closing"] * self.has_closing


#: ``(value, label, run index or None)``: a horizontal line drawn on a plot
Reference = tuple[float, str, int | None]


class LessonHooks:
    """What a Python lesson may compute from its spec and runs, as pure functions.

    The defaults serve spec lessons; a Python lesson (a :class:`Lesson` subclass)
    overrides any of them as a ``staticmethod``. They are called once, before any
    frame is drawn.
    """

    @staticmethod
    def conclusions(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        """The closing card's sentences: at most :data:`MAX_CONCLUSIONS`, none empty (no
        sentence: no closing card)."""
        return generic_conclusions(spec, runs, labels)

    @staticmethod
    def captions(spec: LessonSpec, runs: list[dyn.Rollout],
                 labels: list[str]) -> list[str | None]:
        """One caption per plot (None keeps the spec's own)."""
        return [plot.caption for plot in spec.show.plots]

    @staticmethod
    def facts(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        """Statements for the side panel (eigenvalues, stability limits, ...)."""
        return []

    @staticmethod
    def series(spec: LessonSpec, runs: list[dyn.Rollout]) -> dict[str, list[np.ndarray | None]]:
        """Extra series by name, one array per run (None where it does not apply), that
        plots can name like recorded ones."""
        return {}

    @staticmethod
    def references(spec: LessonSpec, runs: list[dyn.Rollout],
                   labels: list[str]) -> list[list[Reference]]:
        """Per plot, horizontal lines to draw (a computed limit, say)."""
        return []

    @staticmethod
    def charts(spec: LessonSpec, runs: list[dyn.Rollout],
               labels: list[str]) -> list[ChartData]:
        """Static plots of computed functions (a rate against a hyperparameter, say),
        shown by the chart act after the race, at most :data:`MAX_CHARTS`."""
        return []


class Part(LessonHooks):
    """A spec with the hooks that compute its words: one part of a lesson (a
    :class:`~scenes.lesson.scene.Lesson` is one, and may list several)."""

    #: the spec; a subclass sets it or overrides :meth:`make_spec`
    spec: ClassVar[LessonSpec | None] = None

    @classmethod
    def make_spec(cls) -> LessonSpec:
        if cls.spec is None:
            raise TypeError(f"{cls.__name__} needs a spec: set `spec = LessonSpec(...)` or "
                            "override make_spec()")
        return cls.spec

    @classmethod
    def prepare(cls, cores: int | None = None) -> Prepared:
        """The part's runs and words, without rendering (for tests and checks), computed
        on ``cores`` (see :func:`chunk_pool`; by default a Lesson's own ``cores``).

        A spec that does not validate raises :class:`SpecError` with one line per
        problem, as a TOML spec would."""
        try:
            spec = cls.make_spec()
        except ValidationError as err:
            raise SpecError(describe(err, cls.__name__)) from None
        return prepare(spec, cls, cores if cores is not None else getattr(cls, "cores", None))


def prepare_file(path: str | Path) -> Prepared:
    """:func:`prepare` the spec in the ``.toml`` file ``path``: its problems, those the
    runs find too, name the file and the line."""
    spec = load_spec(path)
    try:
        return prepare(spec)
    except SpecError as err:
        raise located(err, Path(path)) from None


def check_distinct(labels: list[str], given: list[bool]) -> None:
    """:class:`SpecError` when two runs share a label: the legend, the readouts and the
    closing card ("A ends lowest, 19x below A") could not tell them apart."""
    first: dict[str, int] = {}
    for i, label in enumerate(labels):
        j = first.setdefault(label, i)
        if j == i:
            continue
        if given[i] or given[j]:
            raise SpecError([f"runs[{i}]: its label {label!r} is also runs[{j}]'s; give each "
                             "run a label of its own"])
        raise SpecError([f"runs[{i}]: it would be labelled {label!r} like runs[{j}] (the same "
                         "optimizer and settings); change its settings, or give one a `label`"])


def call_hook(hooks: type, name: str, *args: object) -> object:
    """``hooks.name(*args)``; a hook that cannot take those arguments (written without
    ``@staticmethod``, or with other parameters) is a :class:`SpecError` naming the
    signature it needs."""
    fn = getattr(hooks, name)
    try:
        value = fn(*args)
    except TypeError as err:
        if err.__traceback__ is not None and err.__traceback__.tb_next is None:
            params = ", ".join(inspect.signature(getattr(LessonHooks, name)).parameters)
            raise SpecError([f"{hooks.__name__}.{name}: {err}; write it as a staticmethod "
                             f"`def {name}({params})` (see LessonHooks)"]) from None
        raise
    _check_returned(hooks, name, value, len(args[1]))  # (spec, runs, ...)
    return value


#: what each hook returns, for the message when one returns something else
HOOK_RETURNS = {
    "conclusions": "a list of sentences (strings)",
    "facts": "a list of sentences (strings)",
    "captions": "a list with one caption (a string, or None) per plot",
    "series": "a dict from a series' name to a list of one array per run",
    "references": "a list with, per plot, a list of (value, label, run index or None)",
    "charts": "a list of ChartData",
}


def _check_returned(hooks: type, name: str, value: object, runs: int) -> None:
    """:class:`SpecError` when hook ``name`` returned the wrong kind of value (a string
    where a list of sentences belongs had been shown a character a line; a number,
    a traceback from deep inside Manim; ``runs``: how many runs a series holds)."""
    def refuse(what: str) -> None:
        raise SpecError([f"{hooks.__name__}.{name} returned {what}; it must return "
                         f"{HOOK_RETURNS[name]}"])

    def kind(v: object) -> str:
        if v is None:
            return "None (is its `return` missing?)"
        return "a string" if isinstance(v, str) else f"a {type(v).__name__}"

    if name == "series":
        if not isinstance(value, dict):
            refuse(kind(value))
        for key, per_run in value.items():  # type: ignore[union-attr]
            if not isinstance(key, str):
                refuse(f"the key {key!r}, {kind(key)}, where a series' name belongs")
            if isinstance(per_run, str) or not isinstance(per_run, list | tuple | np.ndarray):
                refuse(f"{kind(per_run)} for {key!r}")
            count = len(per_run)  # type: ignore[arg-type]
            if count != runs:
                refuse(f"{count} entries for {key!r} where the lesson has {runs} "
                       f"run{'s' if runs != 1 else ''}")
        return
    if isinstance(value, str) or not isinstance(value, list | tuple):
        refuse(kind(value))
    if name in ("conclusions", "facts", "captions"):
        for i, item in enumerate(value):  # type: ignore[arg-type]
            if not isinstance(item, str) and not (name == "captions" and item is None):
                refuse(f"{kind(item)} at [{i}] ({item!r})")


def colour_family(opt: dyn.Optimizer) -> str:
    """The optimizer whose colour a run takes: its own, except momentum or Nesterov
    with β = 0, which step for step is gradient descent (v = ∇L(w)) and takes its
    vermillion: a race of βs shows its β 0 run in gradient descent's colour, as
    every other lesson does."""
    if opt.name in ("momentum", "nesterov") and opt.hyperparams.get("beta") == 0:
        return "gd"
    return opt.name


def prepare(spec: LessonSpec, hooks: type[LessonHooks] = LessonHooks,
            cores: int | None = None) -> Prepared:
    """Run every rollout and resolve what the spec asks to show (basin maps on
    ``cores``: :func:`chunk_pool`).

    Raises :class:`SpecError` for requests that only the runs can refute (a plot
    of a series no run records).
    """
    runs = spec.rollouts()
    starts = [spec.start_of(i) for i in range(len(spec.runs))]
    auto = default_labels(spec.runs, starts)
    labels = [r.label or a for r, a in zip(spec.runs, auto, strict=True)]
    check_distinct(labels, [r.label is not None for r in spec.runs])
    colors = series_colors([colour_family(r.built_optimizer) for r in spec.runs],
                           [r.color for r in spec.runs])
    p = Prepared(spec, spec.surface_object, runs, labels, colors, settings_line(spec),
                 rules([r.built_optimizer for r in spec.runs], labels))
    extra = call_hook(hooks, "series", spec, runs)
    p.plots = [plot_data(spec, runs, colors, i, ps, extra)
               for i, ps in enumerate(spec.show.plots)]
    captions = call_hook(hooks, "captions", spec, runs, labels)
    for plot, caption in zip(p.plots, captions, strict=False):
        plot.caption = caption if caption is not None else plot.caption
    references = call_hook(hooks, "references", spec, runs, labels)
    for plot, refs in zip(p.plots, references, strict=False):
        plot.references = [(v, label, None if i is None else colors[i]) for v, label, i in refs]
    p.arrows = [a for kind in spec.show.arrows for a in arrow_data(spec, runs, kind)]
    if spec.shows_data:
        p.data = data_view(spec.surface_object, runs)
    if spec.show.model:
        p.models = [model_data(spec.surface_object, i, r) for i, (r, rs) in
                    enumerate(zip(runs, spec.runs, strict=True))
                    if rs.built_optimizer.name == "newton"]
    if spec.show.swarm:
        p.swarms = [swarm_data(spec, i, spec.show.swarm) for i in range(len(spec.runs))]
    if spec.show.basins:
        chunks = math.ceil(spec.show.basins ** 2 / DEFAULT_CHUNK)  # a map's (in turn)
        with chunk_pool(cores, chunks) as pool:
            p.basin_maps = [basin_data(spec, i, spec.show.basins, pool)
                            for i in range(len(spec.runs))]
    if p.swarms and hooks.conclusions is LessonHooks.conclusions:  # the swarms' own words
        p.conclusions = checked_conclusions(swarm_conclusions(p), hooks)
    else:
        p.conclusions = checked_conclusions(
            call_hook(hooks, "conclusions", spec, runs, labels), hooks)
    p.facts = call_hook(hooks, "facts", spec, runs, labels)
    p.charts = checked_charts(call_hook(hooks, "charts", spec, runs, labels), colors, hooks)
    p.readouts = ([share_strings(sw.shares) for sw in p.swarms] if p.swarms else
                  [readout_strings(r, spec.surface_object.view, spec.show.readout,
                                   spec.surface_object) for r in runs])
    return p


# -- Newton's quadratic models ------------------------------------------------------
def model_data(surface: dyn.Surface, i: int, run: dyn.Rollout) -> ModelData:
    """The quadratic model at each iterate of run ``i`` (see :class:`ModelData`)."""
    x = run.positions
    with np.errstate(all="ignore"):
        H = surface.hessian(x)
        g = surface.gradient(x)
        # no model where the Hessian is singular or not finite (a flat direction, a run
        # that flew off): the identity stands in there, and the iterate is left out
        usable = np.all(np.isfinite(H), axis=(1, 2)) & np.all(np.isfinite(g), axis=1)
        usable &= np.abs(np.linalg.det(np.where(usable[:, None, None], H, np.eye(2)))) > 1e-300
        H = np.where(usable[:, None, None], H, np.eye(2))
        g = np.where(usable[:, None], g, 0.0)
        lam, vec = np.linalg.eigh(H)
        d = -np.linalg.solve(H, g[..., None])[..., 0]
        level = np.einsum("ki,kij,kj->k", d, H, d)
        radii = np.sqrt(level[:, None] / lam)  # semi-axis lengths along each eigenvector
    valid = (usable & np.all(lam > 0, axis=1) & np.isfinite(level)
             & np.all(np.isfinite(x), axis=1))
    axes = np.where(valid[:, None, None], np.swapaxes(vec, 1, 2) * radii[..., None], 0.0)
    return ModelData(i, np.where(valid[:, None], x + d, 0.0), axes, valid)


# -- swarms and basin maps ---------------------------------------------------------
def _deepest(surface: dyn.Surface) -> int:
    from optiroll.dynamics.basins import deepest_minimum

    low = deepest_minimum(surface)
    assert low is not None  # the spec refuses a swarm without one lowest minimum
    return low


def swarm_data(spec: LessonSpec, i: int, n: int) -> SwarmData:
    """Run ``i``'s optimizer from ``n`` starts drawn uniformly over the view (seeded by
    ``show.swarm_seed``), all in one rollout; label where each ends and when it gets
    there for good."""
    from optiroll.dynamics.basins import Basins, arrivals, default_tol

    s = spec.surface_object
    (x0, x1), (y0, y1) = s.view
    rng = np.random.default_rng(spec.show.swarm_seed)
    starts = np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])
    run = spec.runs[i]
    roll = dyn.rollout(s, run.built_optimizer, starts, spec.steps, seed=spec.seed_of(i),
                       batch_size=run.batch_size, noise=run.noise, record=())
    minima = tuple(map(tuple, np.asarray(s.minima, float).tolist()))
    tol = default_tol(s, np.asarray(minima))
    labels = Basins(minima, tol)(roll)
    arrived = arrivals(roll, labels, minima, tol)
    deepest = _deepest(s)
    k = np.arange(spec.steps + 1)[:, None]
    there = (labels == deepest) & (arrived >= 0)
    shares = np.mean(there[None, :] & (arrived[None, :] <= k), axis=1)
    return SwarmData(roll.positions, labels, arrived, deepest, shares)


def swarm_conclusions(p: Prepared) -> list[str]:
    """Per run, the share of its swarm settled in the deepest well (one sentence for
    them all past three runs); then, with basin maps, the share of each map that drains
    there."""
    s = p.surface
    depth = float(s.value(np.array(s.minima[_deepest(s)])))
    n = len(p.swarms[0].labels)
    shares = [f"{round(100 * float(sw.shares[-1]))} %" for sw in p.swarms]
    if len(p.swarms) <= MAX_CONCLUSIONS - 1:
        lines = [f"{label}: {share} of {n} random starts settle in the deepest well (loss "
                 f"{format_value(depth)})" for label, share in zip(p.labels, shares,
                                                                   strict=True)]
    else:
        lines = [f"of {n} random starts, the deepest well (loss {format_value(depth)}) "
                 "catches " + ", ".join(f"{share} under {label}" for label, share
                                        in zip(p.labels, shares, strict=True))]
    if p.basin_maps:
        lines.append("the deepest well's basin covers " + ", ".join(
            f"{round(100 * b.share)} % of the map under {label}"
            for label, b in zip(p.labels, p.basin_maps, strict=True)))
    return lines


@contextmanager
def chunk_pool(cores: int | None, chunks: int) -> Iterator[Executor | None]:
    """Processes forked to run a basin map's ``chunks`` on the cores the render may use
    (``cores``: ``Lesson.cores``, else ``OPTIROLL_CORES``, else every core, as for the
    pieces a lesson is drawn in: :func:`.pieces.cores_wanted`), or None to run them here:
    one core, a single chunk, no ``fork`` (off Linux), or a daemonic process (a Dask
    worker's, which may not have children). Each chunk's labels are the same wherever it
    runs (``dynamics/distributed.py``), so the map is too: local_minima's two 400-pixel
    maps take 3.6 s here, 2.0 s on two cores. The processes leave Ctrl-C to this one,
    which stops waiting for the chunks not yet begun."""
    from .pieces import can_fork, cores_wanted

    workers = min(cores_wanted(cores), chunks)
    if workers < 2 or not can_fork() or current_process().daemon:
        yield None
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork"),
                             initializer=_leave_ctrl_c) as pool:
        yield pool


def _leave_ctrl_c() -> None:
    """In a pool's process: Ctrl-C is the process that made the pool's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def share_strings(shares: np.ndarray) -> list[str]:
    """The legend's readout of a swarm: the share settled in the deepest well so far."""
    return [f"{round(100 * float(v))} % in the deepest well" for v in shares]


def basin_data(spec: LessonSpec, i: int, resolution: int,
               client: Executor | None = None) -> BasinData:
    """Run ``i``'s basin map over the view: ``resolution`` pixels a side (one start per
    pixel, one vectorized rollout in chunks, on ``client``'s processes where given),
    and its picture."""
    from optiroll.dynamics.basins import basin_map

    from ..basin_image import basin_rgb

    s = spec.surface_object
    labels = basin_map(s, spec.runs[i].built_optimizer, resolution, resolution, spec.steps,
                       client=client)
    share = float(np.mean(labels == _deepest(s)))
    return BasinData(labels, s.view, basin_rgb(labels, s, s.view, dots=False), share,
                     f"the deepest well's basin: {round(100 * share)} % of the map")


# -- the legend's readouts ------------------------------------------------------------
def left_map_at(positions: np.ndarray, view: tuple[tuple[float, float], tuple[float, float]]
                ) -> int | None:
    """The first iteration at which a ball is off the map (None if it never is)."""
    (x0, x1), (y0, y1) = view
    inside = (positions[:, 0] >= x0) & (positions[:, 0] <= x1) & (positions[:, 1] >= y0) & (
        positions[:, 1] <= y1)
    return None if inside.all() else int(np.argmin(inside))


def first_below(run: dyn.Rollout, level: float) -> int | None:
    """The first iteration at which the loss is below ``level`` (None if it never is):
    the step a lesson reports a run reaching a loss at."""
    below = np.flatnonzero(run.loss < level)
    return int(below[0]) if len(below) else None


def settles_below(run: dyn.Rollout, level: float) -> int | None:
    """The first iteration from which the loss stays below ``level`` to the end of the
    run (None if it ends at or above it): for runs whose loss dips below and comes
    back, as momentum's can."""
    above = np.flatnonzero(~(run.loss < level))
    if not len(above):
        return 0
    last = int(above[-1])
    return last + 1 if last + 1 <= run.steps else None


class Gone(NamedTuple):
    """How a ball went, as the viewer sees it: at ``step`` it ``left`` the map (before
    any divergence), else it diverged there on the map; ``loss`` is "undefined" or
    "infinite" where it stopped on the map at a point where its loss is NaN or
    infinite (outside a formula's domain: log(x) at x < 0), else ""."""

    step: int
    left: bool
    loss: str = ""

    def words(self) -> str:
        """The legend's words: "left the map at step 6", "loss undefined at step 6"..."""
        if self.left:
            return f"left the map at step {self.step}"
        if self.loss:
            return f"loss {self.loss} at step {self.step}"
        return f"diverged at step {self.step}"


def gone(run: dyn.Rollout, view: tuple[tuple[float, float], tuple[float, float]]
         ) -> Gone | None:
    """When and how a ball went off (None: it stays on the map to the end). One rule for
    the legend's readout, the closing card and `optiroll check`'s notes."""
    left = left_map_at(run.positions, view)
    diverged = int(run.diverged_at) if run.diverged else None
    # a ball that flies past the surface's bound in one step, to a point it keeps,
    # leaves the map at the step it diverges (dynamics blanks the loss there: its legend
    # had read "loss undefined at step 1" for a loss of 10^14); one whose step overflows
    # to no point at all diverges
    if left is not None and (diverged is None or left < diverged or (
            left == diverged and np.all(np.isfinite(run.positions[left])))):
        return Gone(left, True)
    if diverged is None:
        return None
    at = run.positions[diverged]
    value = run.loss[diverged] if run.loss is not None else 0.0
    if np.all(np.isfinite(at)) and not np.isfinite(value):
        return Gone(diverged, False, "undefined" if np.isnan(value) else "infinite")
    return Gone(diverged, False)


#: how far above the estimate of float64's rounding of the loss a value is still noise
ROUNDING_MARGIN = 4.0


def rounding_floor(surface: dyn.Surface, positions: np.ndarray) -> np.ndarray:
    """The loss at each iterate below which its digits are float64's rounding, not the
    run's progress: ``ROUNDING_MARGIN * ½ λmax(∇²L(w)) (ε‖w‖)²``.

    An iterate is stored to ``ε‖w‖`` (ε = 2.2×10⁻¹⁶), so near a minimum ``w*`` with
    ``L(w*) = 0`` the loss cannot settle below about ``½ λmax (ε‖w‖)²``: on Rosenbrock
    at (1, 1), ``½ · 1001.6 · (3.1×10⁻¹⁶)² = 4.9×10⁻²⁹``, and Newton's loss there
    wanders between 5×10⁻³⁰ and 6×10⁻²⁹ step after step. A minimum at the origin has no
    such floor (``‖w‖`` shrinks with the loss). NaN where the Hessian is not finite."""
    P = np.asarray(positions, float)
    out = np.full(len(P), np.nan)
    ok = np.all(np.isfinite(P), axis=1)
    if ok.any():
        H = surface.hessian(P[ok])
        fine = np.all(np.isfinite(H), axis=(1, 2))
        lam = np.full(len(H), np.nan)
        if fine.any():
            lam[fine] = np.linalg.eigvalsh(H[fine])[:, -1]
        eps = np.finfo(float).eps
        out[ok] = ROUNDING_MARGIN * 0.5 * np.maximum(lam, 0.0) * (
            eps * np.linalg.norm(P[ok], axis=1)) ** 2
    return out


def readout_strings(run: dyn.Rollout, view: tuple[tuple[float, float], tuple[float, float]],
                    kind: str = "loss", surface: dyn.Surface | None = None) -> list[str]:
    """The legend's readout after each iteration: the loss (or the position, to six
    decimals), then "left the map at step k" once the ball has left the map (or
    "diverged at step k" if it diverged on the map). Given the ``surface``, a loss
    below float64's rounding there (:func:`rounding_floor`) reads ``loss < 10⁻ⁿ``."""
    went = gone(run, view)
    diverged = int(run.diverged_at)
    floor = (rounding_floor(surface, run.positions)
             if surface is not None and kind != "position" else None)
    out = []
    for k in range(run.steps + 1):
        if went is not None and went.step <= k:  # what the viewer saw happen
            out.append(went.words())
        elif kind == "position":
            out.append("at " + point_string(*run.positions[k]))
        else:
            out.append(loss_string(run.loss, diverged, k, floor))
    return out


# -- series -----------------------------------------------------------------------
def recorded(run: dyn.Rollout) -> dict[str, np.ndarray]:
    """Every series a run recorded, by name."""
    out = {"loss": run.loss, "gradient": run.gradient, "update": run.update, **run.state}
    return {k: v for k, v in out.items() if v is not None}


def paint_order(runs: list[dyn.Rollout]) -> list[int]:
    """Run indices, the longest path first (by the length of its steps on the way): a
    jagged run (SGD's noise, gradient descent's zig-zag) is painted beneath a smooth one
    that follows it, so both show (a full-batch run had vanished under the mini-batch
    run painted after it: its trail, its loss curve and its line in the data panel)."""
    def length(run: dyn.Rollout) -> float:
        steps = np.linalg.norm(np.diff(run.positions, axis=0), axis=1)
        return float(np.sum(steps[np.isfinite(steps)]))

    return sorted(range(len(runs)), key=lambda i: -length(runs[i]))


def plot_data(spec: LessonSpec, runs: list[dyn.Rollout], colors: list[str], index: int,
              ps: PlotSpec, extra: dict[str, list[np.ndarray | None]] | None = None
              ) -> PlotData:
    available = [recorded(r) for r in runs]
    for name, arrays in (extra or {}).items():
        for a, array in zip(available, arrays, strict=True):
            if array is not None:
                a[name] = np.asarray(array, float)
    having = [i for i, a in enumerate(available) if ps.name in a]
    if not having:
        names = sorted(set().union(*available))
        raise SpecError([f"show.plots[{index}]: no run records {ps.name!r}."
                         f"{did_you_mean(ps.name, names)} Recorded: {', '.join(names)}."])
    series, cols, dashed = [], [], []
    vector = available[having[0]][ps.name].ndim == 2
    coords = ([0 if ps.coordinate == "x" else 1] if ps.coordinate else [0, 1]) if vector else [None]
    for c in coords:
        for i in having:
            values = on_map(available[i][ps.name], runs[i].positions, spec.surface_object.view)
            series.append(values if c is None else values[:, c])
            cols.append(colors[i])
            dashed.append(c == 1 and len(coords) == 2)
    finite = np.concatenate([s[np.isfinite(s)] for s in series])
    # a log axis by default only where no value is negative (a surface whose minimum is
    # below zero: the wells, the six-hump camel), which it could not show
    negative = finite.size > 0 and float(finite.min()) < 0
    # (nor where nothing is above zero: every run starting at the minimum, loss 0 throughout)
    positive = bool(np.any(finite > 0))
    log = ps.log if ps.log is not None else (ps.name in LOG_BY_DEFAULT and not negative
                                             and positive)
    linear = (f"write show.plots[{index}] as a table with log = false: "
              + f"{{series = {ps.series!r}, log = false}}".replace("'", '"'))
    if log and not positive:
        raise SpecError([f"show.plots[{index}]: {ps.series!r} has no positive values to show "
                         f"on a log axis; {linear}"])
    if log and negative:
        raise SpecError([f"show.plots[{index}]: {ps.series!r} goes down to "
                         f"{format_value(float(finite.min()))}, below zero, which a log axis "
                         f"cannot show; {linear}"])
    if not log and finite.size == 0:
        raise SpecError([f"show.plots[{index}]: {ps.series!r} has no finite values to show"])
    label = ps.label or _axis_label(ps)
    key = "solid: x, dashed: y" if vector and len(coords) == 2 else None
    rank = {run: k for k, run in enumerate(paint_order(runs))}
    owners = [i for _ in coords for i in having]  # the run of each series
    painted = sorted(range(len(series)), key=lambda j: rank[owners[j]])
    return PlotData(ps, series, cols, dashed, log, label, ps.caption, key, painted=painted)


def on_map(values: np.ndarray, positions: np.ndarray,
           view: tuple[tuple[float, float], tuple[float, float]]) -> np.ndarray:
    """``values`` up to the last iterate on the map; NaN once the ball has left it
    (plots end where the ball and its trail leave the picture)."""
    left = left_map_at(positions, view)
    if left is None:
        return values
    out = np.array(values, float)
    out[left:] = np.nan
    return out


def _axis_label(ps: PlotSpec) -> str:
    base = SERIES_LABELS.get(ps.name, ps.name.replace("_", " "))
    if not ps.coordinate:
        return base
    if base.startswith("$"):
        inner = base.strip("$")
        inner = f"({inner})" if " " in inner else inner
        return f"${inner}_{ps.coordinate}$"
    return f"{base} ({ps.coordinate})"


# -- arrows -----------------------------------------------------------------------
def _next(a: np.ndarray) -> np.ndarray:
    """``out[k] = a[k + 1]`` (the step that leaves iterate k); NaN after the last."""
    out = np.full_like(a, np.nan)
    out[:-1] = a[1:]
    return out


def _lrs(opt: dyn.Optimizer, steps: int) -> np.ndarray:
    """``lrs[k]``: the learning rate of the step that leaves iterate k."""
    return np.array([opt.lr_at(k + 1) for k in range(steps + 1)])


def arrow_data(spec: LessonSpec, runs: list[dyn.Rollout], kind: str) -> list[ArrowData]:
    out = []
    for i, (run_spec, run) in enumerate(zip(spec.runs, runs, strict=True)):
        if not spec.draws_arrows(run_spec, kind):
            continue  # not its kind (its own arrows list it not, or a look-ahead)
        opt = run_spec.built_optimizer
        lrs = _lrs(opt, spec.steps)[:, None] * spec.show.arrow_scale
        if kind == "gradient":
            out.append(ArrowData(kind, i, run.positions, -lrs * run.gradient))
        elif kind == "velocity":
            out.append(ArrowData(kind, i, run.positions,
                                 _next(run.update) * spec.show.arrow_scale))
        elif kind == "lookahead" and "lookahead" in run.state:
            out.append(ArrowData(kind, i, _next(run.state["lookahead"]),
                                 -lrs * _next(run.state["lookahead_gradient"])))
    return out


# -- data panel -------------------------------------------------------------------
def data_view(surface: dyn.Surface, runs: list[dyn.Rollout]) -> DataView:
    data = surface.data
    assert data is not None
    if data.x.ndim == 1:
        x, y = data.x, data.y
        pad = 0.06 * (x.max() - x.min() or 1.0)
        x_range = (float(x.min() - pad), float(x.max() + pad))
        xs = np.linspace(*x_range, 80)
        if "sigma" in data.model:
            y_range = (-0.05, 1.05)
        else:
            span = y.max() - y.min() or 1.0
            y_range = (float(min(0.0, y.min() - 0.15 * span)), float(y.max() + 0.15 * span))
        models = [surface.predict(r.positions, xs) for r in runs]
        return DataView(np.stack([x, y], -1), xs, models, x_range, y_range, "$x$", "$y$")
    y = data.y
    span = y.max() - y.min() or 1.0
    rng = (float(y.min() - 0.1 * span), float(y.max() + 0.1 * span))
    models = [surface.predict(r.positions, data.x) for r in runs]
    return DataView(np.stack([y, y], -1), None, models, rng, rng, "target", "prediction")


# -- words computed from the runs -------------------------------------------------------
def settings_line(spec: LessonSpec) -> str | None:
    """What every run shares, e.g. ``lr 0.1 · start (-2.4, 0.2)``; None when nothing is."""
    if not spec.show.settings:
        return None
    parts = []
    lrs = {r.built_optimizer.hyperparams["lr"] for r in spec.runs}
    if len(lrs) == 1:
        parts.append(f"lr {short_number(lrs.pop())}")
    starts = {spec.start_of(i) for i in range(len(spec.runs))}
    if len(starts) == 1 and not spec.show.swarm:  # a swarm's balls start all over the view
        x, y = starts.pop()
        parts.append(f"start ({short_number(x)}, {short_number(y)})")
    batches = {r.batch_size for r in spec.runs}
    if len(batches) == 1 and None not in batches:
        parts.append(f"batch {batches.pop()}")
    return " · ".join(parts) or None


def checked_conclusions(lines: list[str], hooks: type[LessonHooks] = LessonHooks) -> list[str]:
    """A conclusions hook's sentences, or :class:`SpecError` if the card cannot show
    them all (more than :data:`MAX_CONCLUSIONS`, or an empty one)."""
    lines = list(lines)
    where = f"{hooks.__module__}.{hooks.__qualname__}.conclusions"
    if any(not str(line).strip() for line in lines):
        raise SpecError([f"{where}: an empty sentence; leave it out of the list instead"])
    if len(lines) > MAX_CONCLUSIONS:
        raise SpecError([f"{where}: {len(lines)} sentences, but the closing card holds at "
                         f"most {MAX_CONCLUSIONS} (each costs the picture a line); merge "
                         "some, e.g. one sentence for several runs: "
                         + " / ".join(repr(line) for line in lines)])
    return lines


def checked_charts(charts: list[ChartData], colors: list[str],
                   hooks: type[LessonHooks] = LessonHooks) -> list[ChartData]:
    """Copies of a charts hook's charts, their arrays as floats and their colours
    resolved (the hook's own objects are left as they are), or :class:`SpecError` with
    every chart that cannot be drawn."""
    where = f"{hooks.__module__}.{hooks.__qualname__}.charts"
    charts = list(charts)
    problems = []
    if len(charts) > MAX_CHARTS:
        problems.append(f"{where}: {len(charts)} charts, but a part shows at most "
                        f"{MAX_CHARTS} (stacked beside the map)")
    out = []
    for n, chart in enumerate(charts):
        found, checked = _checked_chart(chart, colors)
        problems += [f"{where}: chart {n}: {problem}" for problem in found]
        out.append(checked)
    if problems:
        raise SpecError(problems)
    return out


def _checked_chart(chart: ChartData, colors: list[str]) -> tuple[list[str], ChartData]:
    """One chart's problems, and its copy with float arrays and resolved colours."""
    problems: list[str] = []

    def color_of(run: int | None, color: str | None) -> str | None:
        if run is None:
            return color
        if isinstance(run, bool) or not isinstance(run, (int, np.integer)):
            problems.append(f"names run {run!r}, which is not a run index; give an int "
                            f"from 0 to {len(colors) - 1}, or None")
            return color
        if not 0 <= run < len(colors):
            problems.append(f"names run {run}, but the part has {len(colors)} runs")
            return color
        return color or colors[run]

    windows = {name: _checked_window(name, window, problems)
               for name, window in (("x_range", chart.x_range), ("y_range", chart.y_range))}
    if not chart.curves:
        problems.append("has no curve; give it at least one Curve")
    curves = []
    for i, c in enumerate(chart.curves):
        x, y = np.asarray(c.x, float), np.asarray(c.y, float)
        if x.ndim != 1 or x.shape != y.shape:
            problems.append(f"curve {i}: x and y must be 1-D arrays of one length, got "
                            f"shapes {x.shape} and {y.shape}")
            continue
        ok = np.isfinite(x) & np.isfinite(y)
        if not np.any(ok[1:] & ok[:-1]):
            problems.append(f"curve {i}: no two neighbouring finite points, so nothing "
                            "to draw")
        curves.append(replace(c, x=x, y=y, color=color_of(c.run, c.color)))
    marks = []
    for i, m in enumerate(chart.marks):
        point = {}
        for axis, value in (("x", m.x), ("y", m.y)):
            point[axis] = _number(value)
            if point[axis] is None:
                problems.append(f"mark {i}: {axis} = {value!r} is not a number; give the "
                                f"mark's {axis} as a float")
        if None in point.values():
            continue
        if not (np.isfinite(point["x"]) and np.isfinite(point["y"])):
            problems.append(f"mark {i} at ({m.x}, {m.y}) is not a finite point")
        for axis, value in point.items():
            window = windows[f"{axis}_range"]
            if window is not None and np.isfinite(value) and not window[0] <= value <= window[1]:
                problems.append(f"mark {i}: {axis} = {value:g} is outside {axis}_range "
                                f"{window}; widen the range or leave the mark out")
        marks.append(replace(m, x=point["x"], y=point["y"], color=color_of(m.run, m.color)))
    refs = []
    for i, ref in enumerate(chart.references):
        if not (isinstance(ref, (tuple, list)) and len(ref) == 3 and isinstance(ref[1], str)):
            problems.append(f"reference {i}: {ref!r} is not a (value, label, run or None) "
                            "triple; give it as (y, 'label', None) or with a run index")
            continue
        value, label, run = ref
        y = _number(value)
        if y is None or not np.isfinite(y):
            problems.append(f"reference {i} ({label!r}): y = {value!r} is not a finite "
                            "number; give the line's height or leave the reference out")
            continue
        window = windows["y_range"]
        if window is not None and not window[0] <= y <= window[1]:
            problems.append(f"reference {i} ({label!r}): y = {y:g} is outside y_range "
                            f"{window}; widen the range or leave the reference out")
        refs.append((y, label, color_of(run, None)))
    if not problems and chart.x_range is None:
        xs = np.concatenate([c.x[np.isfinite(c.x) & np.isfinite(c.y)] for c in curves]
                            + [np.array([m.x for m in marks], float)])
        if xs.max() <= xs.min():
            problems.append("its curves span no width in x; give x_range")
    return problems, replace(chart, curves=curves, marks=marks, reference_colors=refs,
                             x_range=windows["x_range"] or chart.x_range,
                             y_range=windows["y_range"] or chart.y_range)


def _number(value: object) -> float | None:
    """``value`` as a float, or None if it is no real number (None, a string, an array of
    more than one value)."""
    if value is None or isinstance(value, (bool, str, bytes)):
        return None
    try:
        array = np.asarray(value, float)
    except (TypeError, ValueError):
        return None
    return float(array) if array.ndim == 0 else None


def _checked_window(name: str, window: object, problems: list[str]
                    ) -> tuple[float, float] | None:
    """A chart's ``x_range`` or ``y_range`` as two floats; None (and a problem) when it is
    given but is not a finite interval, or None when not given."""
    if window is None:
        return None
    try:
        lo_hi = [_number(v) for v in window]
    except TypeError:  # not a sequence
        lo_hi = []
    if not (len(lo_hi) == 2 and None not in lo_hi and np.all(np.isfinite(lo_hi))
            and lo_hi[0] < lo_hi[1]):
        problems.append(f"{name} {window!r} is not an interval (low < high, finite); give "
                        f"it as a pair of numbers, e.g. {name}=(0.0, 1.0), or None to fit "
                        "the curves")
        return None
    return lo_hi[0], lo_hi[1]


#: a run has settled in a minimum when its loss is within this share of the lesson's loss
#: scale (how far above the minimum the runs started) of the minimum's
SETTLED = 1e-6


def different_lowest_points(s: dyn.Surface, runs: dict[int, dyn.Rollout], labels: list[str],
                            settled: float) -> tuple[list[str], list[int]]:
    """Where the ``runs`` settled, as "A and B at (3, 2)" per point, and which runs those
    are, when two or more of them settled in different minima of the surface's lowest
    loss: within the swarm's tolerance of one (:func:`optiroll.dynamics.basins.
    default_tol`), their loss within ``settled`` of its; else ``([], [])``. On
    Himmelblau four balls find four equal minima: which one ends "lowest" is the
    rounding of the last steps, not a result."""
    from optiroll.dynamics.basins import default_tol

    if len(runs) < 2 or not s.minima:
        return [], []
    minima = np.asarray(s.minima, float)
    values = np.array([float(s.value(m)) for m in minima])
    tol = default_tol(s, minima)
    landed: dict[int, list[int]] = {}
    for i, run in runs.items():
        d = np.linalg.norm(minima - run.final_position, axis=1)
        m = int(np.argmin(d))
        lowest = values[m] - values.min() <= 1e-12 * max(1.0, abs(values.min()))
        if d[m] <= tol and lowest and float(run.final_loss) - values[m] <= settled:
            landed.setdefault(m, []).append(i)
    if len(landed) < 2:
        return [], []

    def where(m: int) -> str:
        return "(" + ", ".join(f"{round(float(v), 2):g}".replace("-", "−")
                               for v in minima[m]) + ")"

    groups = sorted(landed.items(), key=lambda kv: min(kv[1]))
    return ([f"{join_words([labels[i] for i in group])} at {where(m)}" for m, group in groups],
            sorted(i for _, group in groups for i in group))


def generic_conclusions(spec: LessonSpec, runs: list[dyn.Rollout],
                        labels: list[str]) -> list[str]:
    """The closing card of a spec lesson: which runs flew off (diverged, or left the map:
    what their legends say), which of the others ended lowest and by how much. By how
    much is the ratio of the losses above the surface's known minimum when that minimum
    is not below zero, else the difference of the losses; no ratio of losses at the
    rounding floor (it measures rounding). None of it depends on the order of the runs,
    and it never has more than :data:`MAX_CONCLUSIONS` sentences: when more runs fly off
    than leave room for a sentence each, they share one."""
    s = spec.surface_object
    went = {i: g for i, run in enumerate(runs) if (g := gone(run, s.view)) is not None}
    room = MAX_CONCLUSIONS - (len(went) < len(runs))  # one sentence on the runs that end

    def sentence(i: int) -> str:
        g = went[i]
        if g.loss:
            return f"{labels[i]} stops at step {g.step}: its loss is {g.loss} there"
        if not g.left:
            return f"{labels[i]} flies off: it diverges at step {g.step}"
        flies = " flies off: it" if runs[i].diverged else ""
        return f"{labels[i]}{flies} leaves the map at step {g.step}"

    if len(went) <= room:  # a sentence each: those that diverged on the map first
        lines = [sentence(i) for i in sorted(went, key=lambda i: went[i].left)]
    else:
        steps = join_words([str(went[i].step) for i in went])
        lines = [f"{join_words([labels[i] for i in went])} fly off: " + (
            f"they leave the map or diverge at steps {steps}"
            if any(g.left for g in went.values()) else f"they diverge at steps {steps}")]
    final = {i: float(r.final_loss) for i, r in enumerate(runs) if i not in went}
    if not final:
        return lines
    # a final loss below float64's rounding at its point reads as the legend's bound
    bound = {i: float(rounding_floor(s, runs[i].positions[-1:])[0]) for i in final}

    def loss_of(i: int) -> str:
        return loss_value(final[i], bound[i])

    floor = min(float(s.value(np.array(m))) for m in s.minima) if s.minima else 0.0
    # where the runs started above the minimum: below a 10^-12 share of that, a loss is
    # the minimum to rounding (two such losses tie, and their ratio means nothing)
    scale = max(abs(float(runs[i].loss[0]) - floor) for i in final)
    rounding = 1e-12 * scale
    places, settled = different_lowest_points(s, {i: runs[i] for i in final}, labels,
                                              SETTLED * scale)
    if places:  # no ranking by the rounding left in equally low minima
        n = len(settled)
        subject = ("both runs" if n == 2 else f"all {n} runs") if n == len(runs) else (
            f"{n} of the {len(runs)} runs")
        lines.append(f"After {spec.steps} steps, {subject} reach a lowest point (loss "
                     f"{format_value(floor)}), {len(places)} different ones: "
                     + "; ".join(places))
        rest = sorted(set(final) - set(settled), key=final.get)
        if len(rest) == 1 and len(lines) < MAX_CONCLUSIONS:
            lines.append(f"{labels[rest[0]]} is still at loss {loss_of(rest[0])}")
        elif rest and len(lines) < MAX_CONCLUSIONS:
            lines.append(f"the other {len(rest)} are still above it (loss "
                         f"{loss_of(rest[0])} to {loss_of(rest[-1])})")
        return lines
    best, worst = min(final, key=final.get), max(final, key=final.get)
    ties = [i for i in final if final[i] - final[best] <= rounding]
    names = join_words([labels[i] for i in sorted(ties)])
    if len(final) == 1:
        text = f"After {spec.steps} steps, {names} ends at loss {loss_of(best)}"
    elif len(ties) == len(final):
        text = f"After {spec.steps} steps, {names} all end at loss {loss_of(best)}"
    else:
        verb = "ends" if len(ties) == 1 else "end"
        text = f"After {spec.steps} steps, {names} {verb} lowest: loss {loss_of(best)}"
        above_best, above_worst = final[best] - floor, final[worst] - floor
        if floor < 0:
            text += f", {format_value(final[worst] - final[best])} below {labels[worst]}"
        elif above_best > rounding and above_worst / above_best >= 1.5:
            text += f", {times(above_worst / above_best)} below {labels[worst]}"
    lines.append(text)
    return lines
