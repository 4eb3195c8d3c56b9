"""The acts a lesson plays, in order: title, race (or swarm and basins), replay, chart,
3-D, closing.

An act is a reusable beat: it reads the lesson's prepared runs, timeline and
stage, plays its animations and computes no numerics. ``seconds(lesson)``
says how long it lasts (the command's progress bars use it; a test checks it
against rendered clips).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from .chart import ChartAct
from .closing import Closing
from .race import Race
from .replay import Replay
from .surface3d import Surface3D
from .swarm import BasinsAct, SwarmAct
from .title import Title

if TYPE_CHECKING:
    from ..scene import Lesson


class Act(Protocol):
    name: str

    def seconds(self, lesson: Lesson) -> float: ...

    def play(self, lesson: Lesson) -> None: ...


#: every act by its name (:meth:`Prepared.act_names` says which a part plays)
ACTS: dict[str, type[Act]] = {act.name: act for act in (
    Title, Race, SwarmAct, BasinsAct, Replay, ChartAct, Surface3D, Closing)}


def lead_in(act: Act, lesson: Lesson) -> float:
    """The seconds ``act`` plays before it calls ``begin_act`` (its section, slide or
    ``--act`` stretch begins after them): only the race has any (its entrance)."""
    own = getattr(act, "lead_in", None)
    return own(lesson) if own is not None else 0.0


def acts_for(lesson: Lesson) -> list[Act]:
    """The acts a lesson's spec asks for, in order."""
    return [ACTS[name]() for name in lesson.prepared.act_names()]


__all__ = ["ACTS", "Act", "BasinsAct", "ChartAct", "Closing", "Race", "Replay", "Surface3D",
           "SwarmAct", "Title", "acts_for", "lead_in"]
