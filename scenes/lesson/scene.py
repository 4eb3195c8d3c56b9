"""``Lesson``: a (themed) Manim Scene that plays a lesson spec as a sequence of acts.

A Python lesson subclasses it and sets ``spec`` (or overrides ``make_spec``),
optionally ``conclusions`` and ``captions`` (pure functions of the spec and the
runs); a TOML lesson becomes a subclass through :func:`lesson_class`. Both
spellings fill the same :class:`~scenes.lesson.spec.LessonSpec`.

Following Manim's advice, the work happens in ``setup()`` (rollouts, stage,
layout), not in ``__init__``; each act is a ``next_section``, so ``-n`` ranges,
gallery stills and slide pauses key on act names. The class is cooperative
(``super().__init__(*args, **kwargs)``) so it combines with manim-slides'
``Slide`` as that package's own mixins do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from manim import config
from pydantic import ValidationError

import dynamics as dyn

from ..kit.scene import ThemedScene
from ..kit.timeline import Timeline
from .acts import Act, acts_for
from .loading import SpecError, describe
from .prepare import Prepared, generic_conclusions, prepare
from .spec import LessonSpec
from .stage import Stage


class Lesson(ThemedScene):
    """A lesson played from its spec: title, race, replay, 3-D, closing."""

    #: the lesson; a subclass sets it or overrides :meth:`make_spec`
    spec: ClassVar[LessonSpec | None] = None
    #: called with the number of frames written, as they are written (the command's
    #: progress display); and once with ``-total`` frames planned, before the first
    progress: ClassVar[Callable[[int], None] | None] = None

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        #: scene time (s) at named moments ("race", "plots", "rise", "ride", "closing")
        self.marks: dict[str, float] = {}
        #: the panels' boxes at those moments (for layout tests)
        self.snapshots: dict[str, dict] = {}

    # -- what a Python lesson may override ------------------------------------------
    @classmethod
    def make_spec(cls) -> LessonSpec:
        if cls.spec is None:
            raise TypeError(f"{cls.__name__} needs a spec: set `spec = LessonSpec(...)` or "
                            "override make_spec()")
        return cls.spec

    @staticmethod
    def conclusions(spec: LessonSpec, runs: list[dyn.Rollout], labels: list[str]) -> list[str]:
        """The closing card's sentences, a pure function of the spec and the runs."""
        return generic_conclusions(spec, runs, labels)

    @staticmethod
    def captions(spec: LessonSpec, runs: list[dyn.Rollout],
                 labels: list[str]) -> list[str | None]:
        """One caption per plot (None keeps the spec's own), a pure function like
        :meth:`conclusions`."""
        return [plot.caption for plot in spec.show.plots]

    @classmethod
    def prepare(cls) -> Prepared:
        """The lesson's runs and words, without rendering (for tests and checks).

        A spec that does not validate raises :class:`SpecError` with one line per
        problem, as a TOML spec would."""
        try:
            spec = cls.make_spec()
        except ValidationError as err:
            raise SpecError(describe(err, f"{cls.__module__}.{cls.__name__}")) from None
        return prepare(spec, cls.conclusions, cls.captions)

    # -- Manim's hooks -------------------------------------------------------------
    def setup(self) -> None:
        self.prepared: Prepared = self.prepare()
        spec = self.prepared.spec
        self.timeline = Timeline(spec.steps, spec.pacing.race(spec.steps))
        self.stage = Stage(self.prepared, self.timeline)
        self.acts: list[Act] = acts_for(self)
        self._hook_progress()

    def construct(self) -> None:
        for act in self.acts:
            act.play(self)

    def begin_act(self, name: str, loop: bool = False) -> None:
        """Where an act begins (each act calls it): a Manim section here; a slide
        break in a deck (:mod:`scenes.lesson.slides`), looping if ``loop``."""
        self.next_section(name)

    # -- helpers ------------------------------------------------------------------
    def mark(self, name: str) -> None:
        """Note the time of a named moment and where every panel is then."""
        self.marks[name] = float(self.renderer.time)
        self.snapshots[name] = self.stage.boxes()

    def planned_seconds(self) -> float:
        """The clip's length, from the acts' own timings (after ``setup()``)."""
        return sum(act.seconds(self) for act in self.acts)

    def _hook_progress(self) -> None:
        report = type(self).progress
        if report is None:
            return
        report(-round(self.planned_seconds() * config.frame_rate))
        add_frame = self.renderer.add_frame

        def counted(frame: object, num_frames: int = 1) -> None:
            add_frame(frame, num_frames)
            if not self.renderer.skip_animations:
                report(num_frames)

        self.renderer.add_frame = counted


def lesson_class(spec: LessonSpec, name: str = "SpecLesson") -> type[Lesson]:
    """A Scene class that plays ``spec`` (for TOML lessons)."""
    return type(name, (Lesson,), {"spec": spec, "__module__": __name__})
