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
from dataclasses import dataclass, field
from typing import ClassVar

from manim import config
from manim.utils.exceptions import EndSceneEarlyException

from ..kit.motion import fade_out
from ..kit.scene import ThemedScene
from ..kit.timeline import Timeline
from . import pieces
from .act_range import part_prefix, pick_acts
from .acts import Act, acts_for, lead_in
from .loading import SpecError
from .pieces import Pieces
from .prepare import Part, Prepared
from .spec import LessonSpec
from .stage import Stage

PART_BREAK = 1.0  #: seconds to clear the stage between two parts of a lesson


@dataclass
class Chapter:
    """One part of a lesson as it plays: its runs, timeline, stage and acts."""

    prepared: Prepared
    timeline: Timeline
    prefix: str
    stage: Stage | None = None
    acts: list[Act] = field(default_factory=list)


class Lesson(Part, ThemedScene):
    """A lesson played from its spec: title, race, replay, 3-D, closing.

    A Lesson is a :class:`~scenes.lesson.prepare.Part` (a spec and the hooks that
    compute its words) that Manim can render. A lesson told in several parts lists
    them in :attr:`parts`, each a ``Part`` with its own spec and hooks; they play
    one after the other in one Scene.
    """

    #: the parts of a lesson told in several; empty: the lesson is its one part
    parts: ClassVar[tuple[type[Part], ...]] = ()
    #: called with the number of frames written, as they are written (the command's
    #: progress display); and once with ``-total`` frames planned, before the first
    progress: ClassVar[Callable[[int], None] | None] = None
    #: draw only these acts, consecutive, named as :attr:`act_keys` names them
    #: (``optiroll render --act``; ``setup()`` checks them, a SpecError, and puts them in
    #: play order); the acts before them are played without drawing and the scene ends
    #: after them. Empty: every act.
    only_acts: ClassVar[tuple[str, ...]] = ()
    #: the cores the render may use, each drawing a stretch of the lesson in a forked copy
    #: (:mod:`~optiroll.scenes.lesson.pieces`); None: ``OPTIROLL_CORES``, else every core
    #: (at most four); 1: one process
    cores: ClassVar[int | None] = None

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        #: scene time (s) at named moments ("race", "plots", "rise", "ride", "closing")
        self.marks: dict[str, float] = {}
        #: the panels' boxes at those moments (for layout tests)
        self.snapshots: dict[str, dict] = {}
        #: whether the last of :attr:`only_acts` has begun (what follows is not played)
        self.last_act_begun = False
        #: the forked copies drawing the later stretches (None: drawn in one process)
        self.pieces: Pieces | None = None
        #: where this render's frames are counted (:attr:`progress`; a forked copy's go
        #: through a pipe to the first piece)
        self.progress_report: Callable[[int], None] | None = None

    @classmethod
    def prepare_parts(cls) -> list[Prepared]:
        """Every part's runs and words (one part unless :attr:`parts` lists several)."""
        return [part.prepare(cls.cores) for part in (cls.parts or (cls,))]

    # -- Manim's hooks -------------------------------------------------------------
    def setup(self) -> None:
        self.chapters: list[Chapter] = []
        for i, prepared in enumerate(self.prepare_parts()):
            spec = prepared.spec
            chapter = Chapter(prepared, Timeline(spec.steps, spec.pacing.race(spec.steps)),
                              prefix=part_prefix(i))
            self._use(chapter)
            chapter.stage = Stage(prepared, chapter.timeline)
            self.stage = chapter.stage
            chapter.acts = acts_for(self)
            self.chapters.append(chapter)
        self._use(self.chapters[0])
        #: every act's key (``part2-race``), in play order
        self.act_keys = [c.prefix + act.name for c in self.chapters for act in c.acts]
        if self.only_acts:  # checked, and put in play order
            try:
                self.only_acts = pick_acts(type(self).__name__, self.act_keys, self.only_acts)
            except ValueError as err:
                raise SpecError([str(err)]) from None
        self._hook_progress()

    def construct(self) -> None:
        self.pieces = pieces.start(self, self._play_acts)
        self._play_acts()

    def _play_acts(self) -> None:
        """Every act of every part, in order (or those :attr:`only_acts` names)."""
        if self.only_acts and self.only_acts[0] != self.act_keys[0]:
            # what plays before the first act's section (a race's entrance) is not drawn
            self.next_section("before", skip_animations=True)
        for i, chapter in enumerate(self.chapters):
            if self.last_act_begun:
                break  # the last act asked for has played: nothing after it is drawn
            if i:  # clear the stage for the next part
                self.play(*[fade_out(m) for m in self.mobjects], run_time=PART_BREAK)
                self.clear()
            self._use(chapter)
            for act in chapter.acts:
                act.play(self)

    def tear_down(self) -> None:
        """Manim's; first, in a render drawn in pieces, the copies' partial movies, time
        and marks joined to this first piece's (a copy's failure is raised here)."""
        if self.pieces is not None:
            self.pieces.finish(self)
        super().tear_down()

    def render(self, preview: bool = False) -> bool | None:
        """Manim's render; copies still drawing when it fails are stopped."""
        try:
            return super().render(preview)
        finally:
            if self.pieces is not None:
                self.pieces.abort()

    def begin_act(self, name: str, loop: bool = False) -> None:
        """Where an act begins (each act calls it): a Manim section here; a slide
        break in a deck (:mod:`optiroll.scenes.lesson.slides`), looping if ``loop``."""
        key = self.chapter.prefix + name
        if not self.only_acts:
            self.next_section(name)
            return
        if self.last_act_begun:
            raise EndSceneEarlyException  # past the acts asked for
        self.last_act_begun = key == self.only_acts[-1]
        self.next_section(name, skip_animations=key not in self.only_acts)

    def exit_begins(self) -> None:
        """Where an act's last held moment ends and its exit begins (the replay's plots
        fading, the map gliding back): nothing in a video; in a deck the slide ends here,
        on what was held, and the exit opens the next act's slide
        (:class:`~optiroll.scenes.lesson.slides.LessonSlides`)."""

    def wait(self, duration: float = 1.0, *args: object, **kwargs: object) -> None:
        """Manim's wait; a hold of no time (``pacing.hold = 0``) is no wait at all."""
        if duration > 0:
            super().wait(duration, *args, **kwargs)

    # -- helpers ------------------------------------------------------------------
    def _use(self, chapter: Chapter) -> None:
        """Make ``chapter`` the part the acts play (its runs, timeline, stage)."""
        self.chapter = chapter
        self.prepared, self.timeline = chapter.prepared, chapter.timeline
        if chapter.stage is not None:
            self.stage, self.acts = chapter.stage, chapter.acts
            # the map (and its minima) lie beneath everything: drawn once per play
            self.backdrops = tuple(m for m in (self.stage.map, self.stage.minima)
                                   if m is not None)
            # the layout keeps every box apart (tests/test_lesson_layout.py), so what
            # does not change can be drawn once, beneath what does
            self.still_beneath = True

    def mark(self, name: str) -> None:
        """Note the time of a named moment and where every panel is then (moments of
        later parts are named ``part2-race`` and so on)."""
        key = self.chapter.prefix + name
        self.marks[key] = float(self.renderer.time)
        self.snapshots[key] = self.stage.boxes()

    def planned_seconds(self) -> float:
        """The clip's length, from the acts' own timings (after ``setup()``): with
        :attr:`only_acts`, the length of their stretch."""
        stretches = self.stretches()
        if not self.only_acts:
            return sum(seconds for _, seconds, _ in stretches)
        first, last = (self.act_keys.index(self.only_acts[0]),
                       self.act_keys.index(self.only_acts[-1]))
        # past the last act asked for, the next part is not begun (construct)
        return sum(s for _, s, _ in stretches[first:last + 1]) - stretches[last][2]

    def stretches(self) -> list[tuple[str, float, float]]:
        """Each act's key, the seconds of its section (from its ``begin_act`` to the
        next act's: an act's entrance before its ``begin_act``, as the race's, is played
        in the section before; the pause between two parts, in the last act of the
        first) and of that the seconds which belong to the next part."""
        out: list[list] = []
        for chapter in self.chapters:
            self._use(chapter)
            for j, act in enumerate(chapter.acts):
                seconds, lead = act.seconds(self), lead_in(act, self)
                if out:  # the entrance (and the pause between parts) in the act before
                    carried = lead + (PART_BREAK if j == 0 else 0.0)
                    out[-1][1] += carried
                    out[-1][2] += carried if j == 0 else 0.0
                    seconds -= lead
                out.append([chapter.prefix + act.name, seconds, 0.0])
        self._use(self.chapters[0])
        return [(key, seconds, carried) for key, seconds, carried in out]

    def _hook_progress(self) -> None:
        report = self.progress_report = type(self).progress
        if report is None:
            return
        # -s draws one frame, at the end (the animations are played without drawing)
        report(-1 if config.save_last_frame else -round(self.planned_seconds()
                                                         * config.frame_rate))
        add_frame = self.renderer.add_frame

        def counted(frame: object, num_frames: int = 1) -> None:
            add_frame(frame, num_frames)
            if not self.renderer.skip_animations:
                self.progress_report(num_frames)
                if self.pieces is not None:  # and what the copies drew meanwhile
                    self.pieces.forward()

        self.renderer.add_frame = counted


def lesson_class(spec: LessonSpec, name: str = "SpecLesson") -> type[Lesson]:
    """A Scene class that plays ``spec`` (for TOML lessons)."""
    return type(name, (Lesson,), {"spec": spec, "__module__": __name__})
