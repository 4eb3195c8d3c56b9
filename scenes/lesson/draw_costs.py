"""What each animation of a lesson cost to draw, kept from one render to the next, so a
render in pieces (:mod:`.pieces`) cuts its clip where the pieces finish together.

Without it the cuts come from a table of typical costs a second per act
(:data:`~.pieces.DRAW_COST`), which cannot know a lesson's own mix of 2-D and 3-D
frames at each output size: the flagship's -ql preview had its first piece finish
0.4 s after the copy. Every piece times each animation it plays, from one
animation's start to the next's: drawn (the whole animation or its share of frames
where a cut falls inside it) or stepped through without drawing. After the render
the first piece adds the copies' timings to its own and keeps, in the cache folder's
``pieces/`` (:mod:`optiroll.dynamics.disk_cache`), each animation's clip seconds and
drawing seconds and the share of drawing that stepping costs; under a key of the
lesson's class and the output (size, frame rate, format), with the lesson's acts and
their seconds. The next render of that lesson with the same acts and timings (a
lecturer's next preview) plans its cuts from them; any other from the table. The
timings only move the cuts: the picture is the same wherever they fall.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from optiroll.dynamics.disk_cache import cache_folder, read, store

#: kept lessons before the less recently used half is removed (a few KB each)
MAX_ENTRIES = 500
FORMAT = 1


class Timing:
    """One piece's timings: ``(start, duration, drawn, share, seconds)`` for each
    animation it played (clip seconds; drawn or stepped through; the share of its frames
    drawn; wall seconds from its start to the next animation's or the piece's end)."""

    def __init__(self) -> None:
        self.records: list[tuple[float, float, bool, float, float]] = []
        self._open: tuple[float, float, bool, float, float] | None = None

    def begin(self, start: float, duration: float, drawn: bool, share: float,
              began: float | None = None) -> None:
        """An animation begins (at ``began``, a ``time.perf_counter()``; now where not
        given): the one before ends."""
        self.end()
        self._open = (start, duration, drawn, share,
                      time.perf_counter() if began is None else began)

    def end(self) -> None:
        """The animation playing ends (the piece is done)."""
        if self._open is not None:
            start, duration, drawn, share, t0 = self._open
            self.records.append((start, duration, drawn, share, time.perf_counter() - t0))
            self._open = None


def key_of(scene: Any) -> str:
    """The kept file's name: the lesson's class (and a spec lesson's title: spec files'
    classes share a module and often a name) and what the output is."""
    from manim import config

    cls = type(scene)
    title = getattr(getattr(cls, "spec", None), "title", None)
    what = (FORMAT, cls.__module__, cls.__qualname__, title, config.pixel_width,
            config.pixel_height, float(config.frame_rate), config.movie_file_extension,
            bool(config.transparent))
    return hashlib.sha256(repr(what).encode()).hexdigest()


def _stretches(scene: Any) -> list[list[Any]]:
    return [[key, float(seconds)] for key, seconds, _ in scene.stretches()]


def costs_of(records: list[tuple[float, float, bool, float, float]]
             ) -> tuple[list[tuple[float, float]], float | None] | None:
    """Each animation's ``(clip seconds, drawing seconds a clip second)`` in play order,
    and stepping's cost as a share of drawing, from every piece's records; None where
    some animation's drawing was not timed whole (a piece failed)."""
    drawn: dict[tuple[float, float], list[float]] = {}  # (start, duration): [share, secs]
    stepped: list[tuple[tuple[float, float], float]] = []  # each piece's, with three or more
    for start, duration, was_drawn, share, seconds in records:
        at = (start, duration)
        if was_drawn:
            got = drawn.setdefault(at, [0.0, 0.0])
            got[0] += share
            got[1] += seconds
        else:
            stepped.append((at, seconds))
    if not drawn or any(abs(share - 1.0) > 1e-6 for share, _ in drawn.values()):
        return None
    spans = [(d, drawn[(t, d)][1] / d) for t, d in sorted(drawn) if d > 0]
    # each stepping against the drawing of the same animation, once per piece stepping it
    draw_of_stepped = sum(drawn[at][1] for at, _ in stepped if at in drawn)
    share = (sum(secs for at, secs in stepped if at in drawn) / draw_of_stepped
             if draw_of_stepped > 0 else None)
    return spans, share


def remember(scene: Any, records: list[tuple[float, float, bool, float, float]]) -> None:
    """Keep what this render's pieces timed (see the module), where the cache is on."""
    folder = cache_folder("pieces")
    found = costs_of(records)
    if folder is None or found is None:
        return
    spans, step_share = found
    kept = {"stretches": _stretches(scene), "spans": spans, "step_share": step_share}
    store(folder / f"{key_of(scene)}.json", json.dumps(kept).encode(), MAX_ENTRIES)


def recalled(scene: Any) -> tuple[list[tuple[float, float]], float | None] | None:
    """The spans and step share kept from the last render of this lesson with the same
    acts and timings, or None (none kept, another lesson's, the cache off)."""
    folder = cache_folder("pieces")
    if folder is None:
        return None
    data = read(folder / f"{key_of(scene)}.json")
    if data is None:
        return None
    try:
        kept = json.loads(data)
        if kept["stretches"] != _stretches(scene):
            return None
        spans = [(float(s), float(c)) for s, c in kept["spans"]]
        share = kept["step_share"]
        share = None if share is None else float(share)
    except (ValueError, KeyError, TypeError):
        return None
    if not spans or any(s <= 0 or c <= 0 for s, c in spans):
        return None
    return spans, (share if share is not None and 0 <= share <= 1 else None)
