"""The lesson spec: one pydantic model that TOML files and Python lessons fill.

A spec says *what* to compare (surface, runs, what to show, pacing); the acts
and the layout decide *where* things go. Unknown keys are errors, so a typo is
caught before any frame is drawn. Validation also builds the surface and every
optimizer through :mod:`dynamics`, so a bad name, formula or hyperparameter
fails here with dynamics' own message.

Every key, its default and its meaning is listed in the README ("Lesson spec
reference"); ``tests/test_lesson_spec.py`` checks that the two agree.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from optiroll import dynamics as dyn
from optiroll.dynamics.errors import closest, unknown_name
from optiroll.dynamics.optimizers.base import REGISTRY
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError


def _number(v: Any) -> float:
    """A real number; strings and booleans are refused (TOML ``lr = "0.1"``)."""
    if isinstance(v, bool) or isinstance(v, str) or v is None:
        raise ValueError(f"expected a number, got {v!r}")
    try:
        out = float(v)
    except (TypeError, ValueError):
        raise ValueError(f"expected a number, got {v!r}") from None
    if not np.isfinite(out):
        raise ValueError(f"expected a finite number, got {v!r}")
    return out


def _integer(v: Any) -> int:
    if isinstance(v, bool) or isinstance(v, str) or v is None:
        raise ValueError(f"expected an integer, got {v!r}")
    if isinstance(v, int | np.integer) or (isinstance(v, float | np.floating) and v == int(v)):
        return int(v)
    raise ValueError(f"expected an integer, got {v!r}")


Number = Annotated[float, BeforeValidator(_number)]
Integer = Annotated[int, BeforeValidator(_integer)]
Point = tuple[Number, Number]
Box = tuple[tuple[Number, Number], tuple[Number, Number]]

ARROWS = ("gradient", "velocity", "lookahead")


#: samples a side of the grid on which a surface must vary over its view (the contour
#: map samples 240 along x); a quarter as many first, where nearly every surface varies
VARIES_GRID = 120


#: the longest a lesson's iterations may play, all acts together (seconds)
MAX_CLIP_SECONDS = 1800
#: the longest a race lasts at its default speed (seconds): with the replay (1.6x as
#: fast) and the 3-D ride (as fast), 100,000 steps stay within MAX_CLIP_SECONDS
LONGEST_RACE = 600.0


def _duration(seconds: float) -> str:
    """``95 s``, ``42 minutes``, ``3.2 hours``, ``12 days``: how long, for a message."""
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= 2 * size:
            v = seconds / size
            return f"{v:,.0f} {unit}" if v >= 100 else f"{v:.3g} {unit}"
    return f"{seconds:.0f} s"


def problem(message: str, *at: str | int) -> PydanticCustomError:
    """A validation error whose message is ours; ``at`` extends its location."""
    return PydanticCustomError("optiroll", "{message}", {"message": message, "at": list(at)})


def did_you_mean(key: str, valid: list[str]) -> str:
    close = closest(key, valid)
    return f" Did you mean {close!r}?" if close else ""


def _flag(v: Any) -> bool:
    if not isinstance(v, bool | np.bool_):
        raise ValueError(f"expected true or false, got {v!r}")
    return bool(v)


Flag = Annotated[bool, BeforeValidator(_flag)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


# -- runs ---------------------------------------------------------------------------
class ScheduleSpec(BaseModel):
    """``schedule = {kind = "cosine", T_max = 100}``: any :func:`optiroll.dynamics.schedule`."""

    model_config = ConfigDict(extra="allow")
    kind: str

    def build(self) -> dyn.Schedule:
        return dyn.schedule(self.kind, **(self.model_extra or {}))


RUN_KEYS = ("optimizer", "label", "color", "start", "seed", "batch_size", "noise", "schedule",
            "arrows")
ArrowKind = Literal["gradient", "velocity", "lookahead"]


class RunSpec(BaseModel):
    """One ball: an optimizer with its hyperparameters, plus optional per-run settings.

    Every key that is not one of :data:`RUN_KEYS` is a hyperparameter of the
    optimizer, with torch's keyword names (``lr``, ``betas``, ``momentum``, ...).
    """

    model_config = ConfigDict(extra="allow")

    optimizer: str
    label: str | None = None
    color: str | None = None
    start: Point | None = None
    seed: Integer | None = None
    batch_size: Integer | None = None
    noise: Number = 0.0
    schedule: ScheduleSpec | None = None
    #: which of ``show.arrows`` this run draws (None: all of them)
    arrows: list[ArrowKind] | None = None

    _optimizer: dyn.Optimizer = PrivateAttr()

    @property
    def hyperparameters(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    @field_validator("label")
    @classmethod
    def _label(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            raise ValueError("label is blank: leave it out for the default label (the "
                             "optimizer's name and the settings that tell runs apart)")
        return v

    @field_validator("color")
    @classmethod
    def _color(cls, v: str | None) -> str | None:
        if v is None:
            return v
        h = v.lstrip("#")
        if len(h) != 6 or any(c not in "0123456789abcdefABCDEF" for c in h):
            raise ValueError(f"color must be a hex colour such as '#56B4E9', got {v!r}")
        return "#" + h.upper()

    @model_validator(mode="after")
    def _build(self) -> RunSpec:
        name = self.optimizer.lower().replace("-", "_")
        if name not in REGISTRY:
            raise problem(str(unknown_name("optimizer", self.optimizer, REGISTRY)),
                          "optimizer")
        params = list(REGISTRY[name].params)
        hyper = self.hyperparameters
        for key, value in hyper.items():
            if key not in params:
                raise problem(
                    f"unknown key {key!r} in a run.{did_you_mean(key, params + list(RUN_KEYS))} "
                    f"A run takes {', '.join(RUN_KEYS)} and the hyperparameters of "
                    f"{name!r}: {', '.join(params)}.", key)
            if isinstance(value, str):
                kind = "true or false" if isinstance(REGISTRY[name].params[key].default, bool) \
                    else "a number"
                raise problem(f"{key} must be {kind}, got the string {value!r}; write it "
                              "without quotes", key)
        try:
            schedule = self.schedule.build() if self.schedule else None
        except dyn.OptirollError as err:
            raise problem(str(err), "schedule") from None
        try:
            self._optimizer = dyn.optimizer(name, schedule=schedule, **hyper)
        except dyn.OptirollError as err:
            key = next((k for k in hyper if str(err).startswith(k)), None)
            # a spec is written in TOML (or read as such): its flags are true and false
            raise problem(str(err).replace("True or False", "true or false"),
                          *([key] if key else [])) from None
        return self

    @property
    def built_optimizer(self) -> dyn.Optimizer:
        return self._optimizer

    @property
    def effective_lr(self) -> float:
        """The learning rate the run uses: the spec's, or the optimizer's default."""
        return float(self._optimizer.hyperparams["lr"])


# -- what to show -------------------------------------------------------------------
class PlotSpec(Strict):
    """One plot of a recorded series against the iteration.

    ``series`` is ``loss``, ``gradient``, ``update``, or any optimizer state entry
    (``velocity``, ``step_size``, ``exp_avg_sq``, ...); a vector series plots
    both coordinates (x solid, y dashed) unless suffixed ``.x`` or ``.y``.
    """

    series: str
    log: Flag | None = None
    label: str | None = None
    caption: str | None = None

    @property
    def name(self) -> str:
        return self.series.split(".")[0]

    @property
    def coordinate(self) -> Literal["x", "y"] | None:
        parts = self.series.split(".")
        return parts[1] if len(parts) == 2 else None  # type: ignore[return-value]

    @field_validator("series")
    @classmethod
    def _series(cls, v: str) -> str:
        parts = v.split(".")
        if not parts[0] or len(parts) > 2 or (len(parts) == 2 and parts[1] not in ("x", "y")):
            raise ValueError(f"series must be a name with an optional .x or .y, got {v!r} "
                             "(e.g. 'loss', 'step_size', 'velocity.x')")
        return v


def _plot_entry(v: Any) -> Any:
    return {"series": v} if isinstance(v, str) else v


class ShowSpec(Strict):
    """``[show]``: which acts and overlays the lesson plays."""

    title: Flag = True
    formula: Flag = True
    rules: Flag = True
    minima: Flag = True
    settings: Flag = True
    trails: Flag = True
    trail_fade: Annotated[Number, Field(ge=0)] = 10.0
    plots: list[Annotated[PlotSpec, BeforeValidator(_plot_entry)]] = []
    arrows: list[ArrowKind] = []
    arrow_steps: Annotated[Integer, Field(ge=1)] | None = None
    #: the arrow steps play once for each run that draws arrows, its arrows alone, the
    #: steps rewound between (runs that start together would cover each other's arrows)
    arrows_in_turn: Flag = False
    arrow_scale: Annotated[Number, Field(gt=0)] = 1.0
    data: Flag | None = None
    readout: Literal["loss", "position"] = "loss"
    surface3d: Flag = False
    closing: Flag = True
    #: at every Newton run's iterate, its local quadratic model: the model's level set
    #: through the iterate (an ellipse centred where the full Newton step lands) and the
    #: Hessian's eigen-directions
    model: Flag = False
    #: a swarm: this many seeded random starts per run, rolling at once on maps side
    #: by side (instead of the one-ball race), each ball taking its minimum's colour
    swarm: Annotated[Integer, Field(ge=2, le=2000)] | None = None
    swarm_seed: Annotated[Integer, Field(ge=0)] = 0
    #: basin maps after the swarm: every pixel of a basins x basins grid a start,
    #: coloured by the minimum it reaches (one vectorized rollout per run)
    basins: Annotated[Integer, Field(ge=16, le=1000)] | None = None

    @field_validator("plots")
    @classmethod
    def _few_plots(cls, v: list[PlotSpec]) -> list[PlotSpec]:
        if len(v) > 4:
            raise ValueError(f"at most 4 plots fit beside the map, got {len(v)}")
        return v


class PacingSpec(Strict):
    """``[pacing]``: speeds in iterations per second, holds in seconds."""

    race_speed: Annotated[Number, Field(gt=0)] | None = None
    replay_speed: Annotated[Number, Field(gt=0)] | None = None
    fly_speed: Annotated[Number, Field(gt=0)] | None = None
    arrow_speed: Annotated[Number, Field(gt=0)] = 1.5
    hold: Annotated[Number, Field(ge=0, le=60)] = 2.0

    def race(self, steps: int) -> float:
        """Default: the race lasts about 10 s (between 1 and 60 iterations per second),
        and at most :data:`LONGEST_RACE` seconds (faster past 36,000 steps)."""
        return self.race_speed or max(float(np.clip(steps / 10.0, 1.0, 60.0)),
                                      steps / LONGEST_RACE)

    def replay(self, steps: int) -> float:
        return self.replay_speed or 1.6 * self.race(steps)

    def fly(self, steps: int) -> float:
        return self.fly_speed or self.race(steps)


class CameraKey(Strict):
    azimuth: Number = -112.0
    elevation: Annotated[Number, Field(ge=5, le=90)] = 44.0
    zoom: Annotated[Number, Field(gt=0, le=1)] = 1.0


def _default_path() -> list[CameraKey]:
    return [CameraKey(azimuth=-112, elevation=44), CameraKey(azimuth=-135, elevation=46)]


class CameraSpec(Strict):
    """``[camera]``: the 3-D act's camera. ``path`` lists poses: the first is reached
    as the map rises, the others are spread over the ride. ``zoom`` is relative to
    the largest zoom that keeps the surface inside its panel (1 = as large as fits)."""

    height: Annotated[Number, Field(gt=0, le=1.5)] = 0.3
    path: Annotated[list[CameraKey], Field(min_length=1)] = Field(default_factory=_default_path)
    follow: Flag = True
    perspective: Annotated[Number, Field(ge=0, le=1)] = 1.0


class SlidesSpec(Strict):
    """``[slides]``: the lesson as a slide deck (``optiroll slides``)."""

    loop_race: Flag = False


# -- the lesson ---------------------------------------------------------------------
class LessonSpec(Strict):
    """A whole lesson. See the README's "Lesson spec reference" for every key."""

    title: str
    subtitle: str | None = None

    @field_validator("title", "subtitle")
    @classmethod
    def _words(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is not None and not v.strip():
            raise ValueError(f"{info.field_name} is blank: write one"
                             + (", or leave it out" if info.field_name == "subtitle" else ""))
        return v
    surface: str
    surface_options: dict[str, Any] = {}
    view: Box | None = None
    steps: Annotated[Integer, Field(ge=1, le=100_000)]
    start: Point | None = None
    seed: Annotated[Integer, Field(ge=0)] = 0
    runs: list[RunSpec]
    show: ShowSpec = ShowSpec()
    pacing: PacingSpec = PacingSpec()
    camera: CameraSpec = CameraSpec()
    slides: SlidesSpec = SlidesSpec()

    _surface: dyn.Surface = PrivateAttr()

    @field_validator("runs")
    @classmethod
    def _some_runs(cls, v: list[RunSpec]) -> list[RunSpec]:
        if not v:
            raise ValueError("the lesson has no runs: add at least one [[runs]] table with an "
                             "optimizer, e.g. optimizer = \"gd\" and lr = 0.1")
        if len(v) > 8:
            raise ValueError(f"at most 8 runs fit on screen, got {len(v)}")
        return v

    @model_validator(mode="after")
    def _check(self) -> LessonSpec:
        try:
            self._surface = dyn.surface(self.surface, view=self.view, **self.surface_options)
        except dyn.OptirollError as err:
            if str(err).startswith("view"):
                at = "view"
            elif self.surface_options and not isinstance(err, dyn.UnknownNameError
                                                         | dyn.FormulaError):
                at = "surface_options"
            else:
                at = "surface"
            raise problem(str(err), at) from None
        self._check_varies()
        self._check_length()
        (x0, x1), (y0, y1) = self._surface.view
        for i, run in enumerate(self.runs):
            start = run.start if run.start is not None else self.start
            if start is None and not self.show.swarm:  # a swarm's starts are random
                raise problem("no start for this run: give `start = [x, y]` at the top of the "
                              "lesson (every run's default) or in the run", "runs", i)
            if start is not None and not (x0 <= start[0] <= x1 and y0 <= start[1] <= y1):
                where = ("runs", i, "start") if run.start is not None else ("start",)
                raise problem(
                    f"start ({start[0]:g}, {start[1]:g}) lies outside the view x in "
                    f"[{x0:g}, {x1:g}], y in [{y0:g}, {y1:g}]: move the start or widen "
                    f"`view = [[xmin, xmax], [ymin, ymax]]`", *where)
            if run.batch_size is not None and not self._surface.has_data:
                raise problem(f"batch_size needs a data surface; {self._surface.name!r} is "
                              "analytic: use noise = ... for noisy gradients", "runs", i,
                              "batch_size")
        if self.show.model and not any(r.built_optimizer.name == "newton" for r in self.runs):
            raise problem("model = true draws Newton's local quadratic model: add a run with "
                          "optimizer = \"newton\" (or leave model out)", "show", "model")
        if "swarm_seed" in self.show.model_fields_set and not self.show.swarm:
            raise problem("swarm_seed seeds the swarm's starts: add swarm = 300 (starts per "
                          "run) or leave it out", "show", "swarm_seed")
        if self.show.swarm or self.show.basins:
            self._check_swarm()
        if self.show.basins and not self.show.swarm:
            raise problem("basins are drawn on the swarm's maps: add swarm = 300 (starts per "
                          "run) to [show]", "show", "basins")
        if self.show.basins and any(r.noise or r.batch_size for r in self.runs):
            raise problem("basins maps where exact gradient steps lead; a run with noise or "
                          "mini-batches has no single answer per start: leave out basins",
                          "show", "basins")
        if self.show.swarm and (self.show.plots or self.show.arrows or self.show.surface3d):
            raise problem("a swarm lesson shows its maps side by side: leave out plots, "
                          "arrows and surface3d (or the swarm)", "show", "swarm")
        self._check_run_arrows()  # (a run's own look-ahead: the more precise message)
        if "lookahead" in self.show.arrows and not any(
                r.built_optimizer.name == "nesterov" for r in self.runs):
            raise problem("arrows = [\"lookahead\"] needs a run with optimizer = \"nesterov\" "
                          "(the look-ahead form records where it takes the gradient)",
                          "show", "arrows")
        self._check_arrows_drawn()
        if self.show.data and self._surface.data is None:
            raise problem(f"data = true needs a data surface (linear_regression, "
                          f"two_weight_linear, sigmoid_regression); {self._surface.name!r} "
                          "has no data points", "show", "data")
        return self

    # -- derived ----------------------------------------------------------------
    @property
    def surface_object(self) -> dyn.Surface:
        return self._surface

    def start_of(self, i: int) -> tuple[float, float]:
        """Run ``i``'s start: its own, else the lesson's; in a swarm lesson given neither
        (its balls start all over the view), the view's centre."""
        run = self.runs[i]
        start = run.start if run.start is not None else self.start
        if start is None:
            assert self.show.swarm  # checked above
            (x0, x1), (y0, y1) = self._surface.view
            return ((x0 + x1) / 2, (y0 + y1) / 2)
        return (float(start[0]), float(start[1]))

    def _check_length(self) -> None:
        """A clip of at most :data:`MAX_CLIP_SECONDS` of playing iterations (a speed of
        10⁻⁹ iterations a second had been accepted, for a render that would never end)."""
        p, n = self.pacing, self.steps
        # each part that plays iterations: (steps it plays, at iterations a second)
        plays = {"race_speed": (n, p.race(n))}
        turns = max(len(self.arrow_runs()), 1) if self.show.arrows_in_turn else 1
        if self.show.arrows:  # (once for each run that draws arrows, when in turn)
            plays["arrow_speed"] = (min(self.show.arrow_steps or n, n), p.arrow_speed)
        if self.show.plots:
            plays["replay_speed"] = (n, p.replay(n))
        if self.show.surface3d:
            plays["fly_speed"] = (n, p.fly(n))
        seconds = {k: steps / speed * (turns if k == "arrow_speed" else 1)
                   for k, (steps, speed) in plays.items()}
        total = sum(seconds.values())
        if total <= MAX_CLIP_SECONDS:
            return
        key = max(seconds, key=seconds.__getitem__)
        played, speed = plays[key]
        fewer = "show.arrow_steps" if key == "arrow_speed" else "steps"
        if key in p.model_fields_set:  # the speed given: the problem is there
            where: tuple[str, ...] = ("pacing", key)
        elif key == "arrow_speed":
            where = ("show", "arrow_steps" if self.show.arrow_steps else "arrows")
        else:
            where = ("steps",)
        name = {"race_speed": "race", "arrow_speed": "arrows", "replay_speed": "replay",
                "fly_speed": "3-D ride"}[key]
        times = f" x {turns} runs in turn" if key == "arrow_speed" and turns > 1 else ""
        also = " (or leave out show.arrows_in_turn)" if times else ""
        raise problem(f"the clip would play iterations for {_duration(total)} (the {name} "
                      f"alone {_duration(seconds[key])}: {played} steps{times} at "
                      f"{speed:g} a second); keep it under "
                      f"{MAX_CLIP_SECONDS // 60} minutes: raise pacing.{key} or lower "
                      f"{fewer}{also}", *where)

    def _check_varies(self) -> None:
        """A surface the map can draw: defined somewhere over the view, and not the same
        value at every point of it (a constant formula, or one that rounds to a constant
        there, such as tanh(1000*x) for x in [1, 2]: no slope to descend, no contour line
        to draw, and no scale for the colours)."""
        s = self._surface
        for samples in (VARIES_GRID // 4, VARIES_GRID):  # most surfaces: settled at the first
            with np.errstate(all="ignore"):
                z = np.asarray(s.grid(samples)[2], float)
            finite = z[np.isfinite(z)]
            if finite.size and finite.min() < finite.max():
                return
        if finite.size == 0:
            raise problem(f"the surface {s.display_name!r} is undefined (not a finite "
                          "number) everywhere over the view: choose a view where it is "
                          "defined, view = [[xmin, xmax], [ymin, ymax]]", "surface")
        if finite.min() == finite.max():
            raise problem(f"the surface {s.display_name!r} is flat over the view (L = "
                          f"{finite[0]:g} at every point of a {VARIES_GRID} x {VARIES_GRID} "
                          "grid): there is no slope to descend and no contour line to draw; "
                          "give a formula that changes with x or y, or another view", "surface")

    def draws_arrows(self, run: RunSpec, kind: str) -> bool:
        """Whether ``run`` draws ``kind`` arrows: a kind of ``show.arrows`` that the run's
        own ``arrows`` list (when it has one) and that applies to it (a look-ahead needs
        Nesterov)."""
        return (kind in self.show.arrows
                and (run.arrows is None or kind in run.arrows)
                and (kind != "lookahead" or run.built_optimizer.name == "nesterov"))

    def arrow_runs(self) -> list[int]:
        """The runs that draw arrows (:meth:`draws_arrows`)."""
        return [i for i, run in enumerate(self.runs)
                if any(self.draws_arrows(run, k) for k in self.show.arrows)]

    def _check_run_arrows(self) -> None:
        """A run's ``arrows`` pick from ``show.arrows`` (whose key lines the side panel
        shows); a look-ahead arrow needs a Nesterov run; taking turns needs arrows."""
        shown = self.show.arrows
        for i, run in enumerate(self.runs):
            for kind in run.arrows or []:
                if kind == "lookahead" and run.built_optimizer.name != "nesterov":
                    raise problem(f"a look-ahead arrow needs optimizer = \"nesterov\"; this "
                                  f"run is {run.built_optimizer.name!r}: leave 'lookahead' "
                                  "out of its arrows", "runs", i, "arrows")
                if kind not in shown:
                    raise problem(f"this run draws {kind!r} arrows, which show.arrows does "
                                  f"not list ({', '.join(map(repr, shown)) or 'none'}): add "
                                  f"{kind!r} to show.arrows or leave it out of the run",
                                  "runs", i, "arrows")
        if self.show.arrows_in_turn and not shown:
            raise problem("arrows_in_turn plays the arrow steps once per run: add arrows "
                          "(e.g. arrows = [\"gradient\"]) or leave it out", "show",
                          "arrows_in_turn")

    def _check_arrows_drawn(self) -> None:
        """Every kind of ``show.arrows`` is drawn by some run (the side panel shows a key
        line for each; with none drawn, the arrow steps would play without arrows)."""
        for kind in self.show.arrows:
            if not any(self.draws_arrows(run, kind) for run in self.runs):
                raise problem(f"show.arrows lists {kind!r}, but every run's arrows leave it "
                              "out: add it to a run's arrows or leave it out of show.arrows",
                              "show", "arrows")

    def _check_swarm(self) -> None:
        """A swarm counts the balls settling in the surface's one lowest minimum."""
        from optiroll.dynamics.basins import deepest_minimum

        key = "swarm" if self.show.swarm else "basins"
        if not self._surface.minima:
            raise problem(f"{key} colours each start by the minimum it reaches, and "
                          f"{self._surface.name!r} lists no minima: choose a surface with "
                          "known minima, e.g. wells", "show", key)
        if deepest_minimum(self._surface) is None:
            raise problem(f"{key} counts the balls that settle in the one deepest minimum, "
                          f"and {self._surface.name!r} has several at the same loss: choose a "
                          "surface with one lowest minimum, e.g. wells", "show", key)
        show = self.show
        if show.swarm and (show.data or show.readout != "loss"):
            raise problem("a swarm lesson shows one map per run and the share settled in the "
                          "deepest minimum: leave out data and readout", "show", "swarm")

    def seed_of(self, i: int) -> int:
        run = self.runs[i]
        return self.seed if run.seed is None else run.seed

    @property
    def shows_data(self) -> bool:
        return self.show.data if self.show.data is not None else self._surface.data is not None

    def rollouts(self) -> list[dyn.Rollout]:
        """Every run's rollout, computed by dynamics (the only numerics of a lesson); a
        run dynamics refuses (noise on a data surface) is a :class:`SpecError` naming it."""
        from .loading import SpecError

        out = []
        for i, run in enumerate(self.runs):
            try:
                out.append(dyn.rollout(self._surface, run.built_optimizer, self.start_of(i),
                                       self.steps, seed=self.seed_of(i),
                                       batch_size=run.batch_size, noise=run.noise))
            except dyn.OptirollError as err:
                raise SpecError([f"runs[{i}]: {err}"]) from None
        return out
