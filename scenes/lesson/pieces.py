"""A lesson drawn on several cores: forked copies of the render, each drawing one
stretch of the lesson's animations.

Manim draws a scene's animations one after another in one process: on a 2-core
machine the drawing keeps one core busy and the encoder part of the other. A
lesson is a deterministic function of its spec, so a copy of the process forked
just before the first animation (:func:`start`, called by ``Lesson.construct``:
imports, runs, stage and typeset text already made, nothing to redo) can step
through the first stretch without drawing, frame by frame, to the exact state a
single process reaches there (:func:`~optiroll.scenes.kit.stepping.replay_skipped`),
and draw the next stretch while the process that forked it draws the first.

Each animation is drawn by one process into its own partial movie (Manim numbers
them), or, where a cut falls inside it, its first frames by one and the rest by the
next into a partial movie of their own (:func:`share_of`); the first process joins
them all in order, as Manim joins its own, and takes on the copies' scene time,
animation count and marks: the same frames and marks (``tests/test_pieces.py``
compares the frames of a lossless render, bit for bit, and every mark). A copy types
its new strings into a folder of its own (Manim writes and parses a text's SVG under
a fixed name), sends its frames to the progress display through a pipe, and ends
with ``os._exit`` (never running the caller's code, nor writing the clip).

Where to cut: an animation of two seconds or more that moves (not a still wait, nor
one that waits for a condition) is cut at the frame nearest the cut; any other
belongs to the piece whose stretch of the planned clip holds its midpoint
(:func:`piece_of`, from the sum of the durations played, the same in every copy).
The stretches come from the last render's own timing of each animation where it
was kept (:mod:`.draw_costs`), else from the acts' planned seconds and their typical
cost (:data:`DRAW_COST`); :func:`plan_cuts` makes the piece that steps through more
of the lesson draw less of it, so the pieces finish together.

Only where it can help and stay exact (:func:`_may_fork`): a video (not ``-s``, PNG
frames or a deck), the whole lesson (not ``--act`` or a ``-n`` range), Manim's
caching off, the lesson's own ``construct``, Linux (``os.fork``), at least
:data:`MIN_PIECE_SECONDS` of clip a piece, and more than one core to use: all of
this machine's by default (at most :data:`MAX_PIECES`; a CPU quota counts),
``Lesson.cores`` or ``OPTIROLL_CORES`` (``optiroll render --cores N``) to choose; 1
draws in one process. A copy that fails stops the first piece at its next
animation, with the copy's error; the first piece's failure stops the copies.
"""

from __future__ import annotations

import bisect
import os
import pickle
import shutil
import signal
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, Pipe, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..kit.temp_folders import own_folder
from . import draw_costs
from .loading import SpecError

if TYPE_CHECKING:
    from .scene import Lesson

#: pieces at most, whatever the cores (each steps through what comes before it)
MAX_PIECES = 4
#: seconds of clip a piece must have at least (below, the forks cost more than they save)
MIN_PIECE_SECONDS = 8.0
#: the environment variable that chooses the cores (``optiroll render --cores``)
CORES_VARIABLE = "OPTIROLL_CORES"
#: wall seconds an act takes to draw a second of clip at ``-ql`` while both cores draw,
#: its encoding included: the median over the library's eleven lessons of what their
#: pieces timed on a first render (:mod:`.draw_costs`; swarm and basins: local_minima's
#: own, chart why_momentum's, surface3d the median of three; measured again after Texts
#: were converted without svgelements, which made text-heavy acts cheaper). Only the
#: first render of a lesson at an output size plans with these; the next plans with its
#: own timings
DRAW_COST = {"title": 0.12, "race": 0.10, "swarm": 0.13, "basins": 0.25, "replay": 0.19,
             "chart": 0.20, "surface3d": 0.36, "closing": 0.19}
#: an act not listed above
DEFAULT_COST = 0.2
#: stepping through a stretch without drawing costs this share of drawing it: the median
#: over the library's first renders at ``-ql`` (0.17; 0.08 to 0.22), since trails and
#: plots are redrawn once an animation while stepping (``kit/stepping.py``) and the
#: readouts' glyphs are measured at install (it had been 0.28, rounded up to 0.3)
STEP_SHARE = 0.17


class PieceError(RuntimeError):
    """A forked piece of the render failed or stopped; its message says which and why."""


def cores_wanted(chosen: int | None) -> int:
    """The cores a lesson's render may use: ``chosen`` (``Lesson.cores``), else
    ``OPTIROLL_CORES``, else every core this process may run on; at most
    :data:`MAX_PIECES`, at least 1. A value that is not a whole number >= 1 is refused
    with the fix (a :class:`SpecError`: one line, before anything renders)."""
    if chosen is None:
        text = os.environ.get(CORES_VARIABLE, "").strip()
        if text:
            try:
                chosen = int(text)
            except ValueError:
                chosen = 0
            if chosen < 1:
                raise SpecError([f"{CORES_VARIABLE}={text!r}: give a whole number of cores, "
                                 f"1 or more (1 draws the lesson in one process)"])
    if chosen is None:
        chosen = machine_cores()
    if chosen < 1:
        raise SpecError([f"cores {chosen}: give 1 or more"])
    return min(chosen, MAX_PIECES)


def machine_cores(quota: Path = Path("/sys/fs/cgroup/cpu.max")) -> int:
    """The cores this process may keep busy: those it may run on, fewer where its
    control group's CPU quota (``quota``: "QUOTA PERIOD", or "max") allows fewer, as a
    container's or a CI job's may."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # (not on Linux: no fork either)
        cores = os.cpu_count() or 1
    try:
        allowed, period = quota.read_text().split()[:2]
        if allowed != "max":
            cores = min(cores, max(1, int(int(allowed) // int(period))))
    except (OSError, ValueError):
        pass
    return cores


def can_fork() -> bool:
    """Whether this process may fork copies of itself (``os.fork`` on Linux)."""
    return hasattr(os, "fork") and sys.platform.startswith("linux")


def plan_cuts(spans: Sequence[tuple[float, float]], k: int,
              step_share: float = STEP_SHARE) -> list[float]:
    """The ``k - 1`` clip times (seconds) that cut ``spans`` (each act's seconds and its
    cost a second, in play order) into ``k`` stretches that finish together: piece 0
    draws its stretch; piece ``i`` steps through everything before its stretch
    (``step_share`` of drawing it) and draws its own. The slowest piece's cost is
    bisected; each piece takes as much as that cost allows.

    >>> plan_cuts([(10.0, 1.0), (10.0, 1.0)], 2, step_share=0.0)
    [10.0]
    >>> [round(t, 3) for t in plan_cuts([(30.0, 1.0)], 2, step_share=0.5)]
    [18.0]
    """
    seconds = np.cumsum([0.0, *(s for s, _ in spans)])
    cost = np.cumsum([0.0, *(s * c for s, c in spans)])
    total = float(cost[-1])
    if k < 2 or total <= 0:
        return []

    def ends(limit: float) -> list[float]:
        """Each piece's end (in cost) when no piece may cost more than ``limit``."""
        out, done = [], 0.0
        for _ in range(k):
            done = min(total, limit + (1.0 - step_share) * done)
            out.append(done)
        return out

    lo, hi = total / k, total
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if ends(mid)[-1] >= total:
            hi = mid
        else:
            lo = mid
    cuts = ends(hi)[:-1]
    return [float(np.interp(c, cost, seconds)) for c in cuts]


def piece_of(start: float, duration: float, cuts: Sequence[float]) -> int:
    """The piece that draws an animation from ``start`` to ``start + duration`` (clip
    seconds): the one whose stretch holds its midpoint."""
    return bisect.bisect_right(cuts, start + duration / 2)


def frames_of(duration: float, fps: float) -> int:
    """How many frames Manim draws for an animation of ``duration`` seconds (its times
    are ``numpy.arange(0, duration, 1 / fps)``)."""
    return len(np.arange(0, duration, 1 / fps))


def share_of(start: float, duration: float, frames: int, splittable: bool,
             cuts: Sequence[float], index: int, fps: float) -> tuple[str, int, int]:
    """What piece ``index`` does with an animation from ``start`` (clip seconds) of
    ``duration`` and ``frames`` frames: ``("step", 0, 0)`` (it belongs to earlier
    pieces), ``("end", 0, 0)`` (to later ones: the piece is done) or ``("draw", lo,
    hi)``, its frames ``lo`` to ``hi - 1``.

    A ``splittable`` animation is cut at the frame nearest each cut, so a long animation
    (a 3-D ride) can be drawn by two pieces; any other belongs whole to the piece
    holding its midpoint (:func:`piece_of`).

    >>> share_of(10.0, 10.0, 150, True, [14.0], 0, 15.0)
    ('draw', 0, 60)
    >>> share_of(10.0, 10.0, 150, True, [14.0], 1, 15.0)
    ('draw', 60, 150)
    >>> share_of(10.0, 10.0, 150, False, [14.0], 1, 15.0)
    ('end', 0, 0)
    """
    if not splittable or frames == 0:
        owner = piece_of(start, duration, cuts)
        if owner == index:
            return ("draw", 0, frames)
        return ("step", 0, 0) if owner < index else ("end", 0, 0)
    bounds = [0, *(min(max(round((c - start) * fps), 0), frames) for c in cuts), frames]
    lo, hi = bounds[index], bounds[index + 1]
    if lo < hi:
        return ("draw", lo, hi)
    return ("end", 0, 0) if lo == 0 else ("step", 0, 0)


def drawn_time(start: float, duration: float, frozen: bool, fps: float) -> float:
    """Manim's scene time after drawing an animation of ``duration`` from ``start``, to
    the last bit: a still wait adds its frames at once, anything else a frame at a
    time (a skipped animation adds its duration instead, a little off)."""
    dt = 1 / fps
    if frozen:
        return start + int(duration / dt) * dt
    t = start
    for _ in range(frames_of(duration, fps)):
        t += dt
    return t


@dataclass
class _Child:
    index: int
    pid: int
    conn: Connection
    texts: Path
    result: dict[str, Any] | None = None
    #: when the copy last said anything (frames drawn, an animation begun)
    heard: float = field(default_factory=time.monotonic)
    #: the copy's CPU seconds when it was last found silent (:meth:`Pieces.forward`)
    cpu: float | None = None


@dataclass
class Pieces:
    """The first piece's side of a render drawn in pieces: what it forked, and how to
    join what they drew (:meth:`finish`) or stop them (:meth:`abort`)."""

    cuts: list[float]
    children: list[_Child] = field(default_factory=list)
    report: Callable[[int], None] | None = None
    #: the first piece's timings of its animations (:mod:`.draw_costs`)
    timing: draw_costs.Timing | None = None

    def forward(self, block: bool = False) -> None:
        """Pass the frames the copies have drawn to the progress display and raise a
        copy's failure as soon as it is known; with ``block``, until every copy has
        sent its last word, or one has said nothing for :data:`SILENT_SECONDS` (a copy
        beats before each animation and sends its frames a few times a second) and
        used no CPU since it was last found silent (an encoder finishing a long still
        says nothing but works): such a copy is stuck, e.g. on a lock a thread held as
        it was forked, and is stopped with a :class:`PieceError`."""
        while True:
            pending = [c for c in self.children if c.result is None]
            if not pending:
                return
            timeout = 0.0 if not block else max(
                0.0, min(c.heard for c in pending) + SILENT_SECONDS - time.monotonic())
            ready = wait([c.conn for c in pending], timeout=timeout)
            if not ready:
                if not block:
                    return
                for child in pending:
                    if time.monotonic() - child.heard < SILENT_SECONDS:
                        continue
                    cpu = _cpu_seconds(child.pid)
                    if cpu is not None and cpu != child.cpu:  # busy (an encoder draining)
                        child.cpu, child.heard = cpu, time.monotonic()
                        continue
                    raise PieceError(
                        f"piece {child.index + 1} of the render said nothing for "
                        f"{SILENT_SECONDS:g} s and was stopped as stuck: render in one "
                        f"process with --cores 1 ({CORES_VARIABLE}=1)")
                continue
            for child in pending:
                if child.conn in ready:
                    self._receive(child)
                    failed = (child.result or {}).get("failed")
                    if failed is not None:
                        raise failed

    def _receive(self, child: _Child) -> None:
        child.heard = time.monotonic()
        try:
            kind, value = child.conn.recv()
        except Exception:  # noqa: BLE001 - a copy gone, or a message it sent unreadable
            child.result = {"failed": self._stopped(child)}
            return
        if kind == "frames":
            if self.report is not None:
                self.report(value)
        else:
            child.result = {kind: value}

    def _stopped(self, child: _Child) -> PieceError:
        """The error for a copy that stopped without its last word (killed, or out of
        memory)."""
        how = "no exit status"
        try:
            _, status = os.waitpid(child.pid, 0)
            how = (f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
                   else f"exit status {os.waitstatus_to_exitcode(status)}")
        except ChildProcessError:
            pass
        child.pid = 0
        return PieceError(f"piece {child.index + 1} of the render stopped ({how}) before it "
                          f"finished: render in one process with --cores 1 "
                          f"({CORES_VARIABLE}=1) to see why")

    def finish(self, scene: Lesson) -> None:
        """Wait for every copy, then give ``scene`` (the first piece) their partial
        movies, scene time, animation count and marks; a copy's failure is raised here."""
        from manim import logger

        try:
            waiting = sum(c.result is None for c in self.children)
            if waiting:
                logger.info("Waiting for the %d forked copies drawing the rest of the clip",
                            waiting)
            self.forward(block=True)
            writer = scene.renderer.file_writer
            # every piece's partial movies in the order of the animations, an animation
            # cut between pieces as the earlier piece's part and then the later one's
            lists = [writer.partial_movie_files, *(
                c.result["done"]["partial_movie_files"] for c in self.children)]
            writer.partial_movie_files = [
                files[i] for i in range(max(map(len, lists))) for files in lists
                if i < len(files) and files[i] is not None]
            for child in self.children:
                state = child.result["done"]
                scene.renderer.time = state["time"]
                scene.renderer.num_plays = state["num_plays"]
                scene.marks.update(state["marks"])
                scene.snapshots.update(state["snapshots"])
            if self.timing is not None:
                self.timing.end()
                draw_costs.remember(scene, [*self.timing.records, *(
                    r for c in self.children for r in c.result["done"]["timings"])])
        finally:
            self.abort()

    def abort(self) -> None:
        """Stop every copy still running (asked to end first, so that it closes its
        videos; killed if it has not within :data:`STOP_SECONDS`) and clear up after
        them (idempotent)."""
        for child in self.children:
            if child.pid and child.result is not None and "done" in child.result:
                _reap(child.pid)  # it said its last word and is exiting: no signal needed
            elif child.pid:
                _stop(child.pid)
            child.pid = 0
            child.conn.close()
            shutil.rmtree(child.texts, ignore_errors=True)
        self.children = []


#: seconds a copy asked to stop has to close its videos before it is killed
STOP_SECONDS = 2.0
#: seconds a copy may say nothing before the first piece, waiting for it, stops it as
#: stuck (:meth:`Pieces.forward`)
SILENT_SECONDS = 600.0


def _cpu_seconds(pid: int) -> float | None:
    """The CPU seconds process ``pid`` has used (its threads' user and system time, from
    ``/proc``), or None where that cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass  # reaped elsewhere


def _stop(pid: int) -> None:
    """End the copy ``pid`` and reap it: SIGTERM, then SIGKILL after STOP_SECONDS."""
    try:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        while time.monotonic() < deadline:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return
            time.sleep(0.01)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass  # gone already (reaped elsewhere)


def start(scene: Lesson, play: Callable[[], None]) -> Pieces | None:
    """Fork the copies that draw the later stretches of ``scene`` and make this process
    draw the first, or None where the lesson is drawn in one process (see the module's
    docstring). Each copy runs ``play`` (the acts) from here and ends in ``os._exit``;
    only this process returns."""
    from manim import config

    if not _may_fork(scene):
        return None
    spans = [(seconds, DRAW_COST.get(key.rsplit("-", 1)[-1], DEFAULT_COST))
             for key, seconds, _ in scene.stretches()]
    clip = sum(s for s, _ in spans)
    k = min(cores_wanted(type(scene).cores), int(clip // MIN_PIECE_SECONDS))
    if k < 2:
        return None
    step_share = STEP_SHARE
    learned = draw_costs.recalled(scene)  # the last render's own timings, where kept
    if learned is not None:
        spans, share = learned
        step_share = share if share is not None else step_share
    cuts = plan_cuts(spans, k, step_share)
    if len(cuts) != k - 1:  # (nothing to share: costs all zero)
        return None
    pieces = Pieces(cuts, report=scene.progress_report)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        for index in range(1, k):
            texts = own_folder("piece")
            receive, send = Pipe(duplex=False)
            # (Ctrl-C held off until the copy is in its own hands, and this process in its)
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                pid = os.fork()
                if pid == 0:
                    try:
                        receive.close()
                        for child in pieces.children:
                            child.conn.close()
                        _run_copy(scene, play, index, cuts, send, texts, config.frame_rate)
                    finally:
                        os._exit(1)  # (_run_copy ends the copy itself)
                send.close()
                pieces.children.append(_Child(index, pid, receive, texts))
            finally:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    except BaseException:  # a fork, a pipe or a folder refused, or Ctrl-C: none left
        pieces.abort()
        raise
    pieces.timing = _take_stretch(scene, 0, cuts, config.frame_rate, on_play=pieces.forward)
    return pieces


def _may_fork(scene: Lesson) -> bool:
    """Whether this render may be drawn in pieces at all (before counting cores): a
    video, all of it, Manim's caching off (a copy's partial movies are named by their
    number; Manim's cache would jump over a cached one), the lesson's own ``construct``
    (a subclass's may play more after it), Linux."""
    from manim import config
    from manim.utils.file_ops import is_png_format, write_to_movie

    from .scene import Lesson

    return (can_fork() and type(scene).cores != 1 and write_to_movie() and not is_png_format()
            and not config.save_last_frame and not config.save_sections
            and not config.dry_run and config.disable_caching
            and config.from_animation_number == 0
            and config.upto_animation_number in (-1, float("inf"))
            and not scene.only_acts and scene.renderer.num_plays == 0
            and type(scene).construct is Lesson.construct)


def _take_stretch(scene: Lesson, index: int, cuts: list[float], fps: float,
                  on_play: Callable[[], None] | None = None) -> draw_costs.Timing:
    """Make ``scene`` draw only the animations of piece ``index``: the earlier ones are
    stepped through without drawing (scene time as if drawn), a later one ends it, and
    of an animation cut between two pieces (:func:`share_of`) only its own frames;
    ``on_play()`` runs before each animation. Returns the piece's timings of its
    animations (:mod:`.draw_costs`), the last one open until the piece ends it."""
    from manim.utils.exceptions import EndSceneEarlyException

    renderer = scene.renderer
    compile_data = scene.compile_animation_data
    clock = [0.0]  # the durations played so far: the same sum in every copy
    skipped: list[tuple[float, bool]] = []
    share = _Share()
    timing = draw_costs.Timing()

    def compile_animation_data(*args: Any, **kwargs: Any) -> None:
        if on_play is not None:
            on_play()
        timing.end()
        began = time.perf_counter()  # (the animation's own set-up counts as its cost)
        compile_data(*args, **kwargs)
        start, clock[0] = clock[0], clock[0] + scene.duration
        frozen = scene.is_current_animation_frozen_frame()
        frames = frames_of(scene.duration, fps)
        splittable = (not frozen and scene.duration >= MIN_SPLIT_SECONDS and not any(
            getattr(a, "stop_condition", None) is not None for a in scene.animations))
        what, lo, hi = share_of(start, scene.duration, frames, splittable, cuts, index, fps)
        share.set(lo, hi, frames)
        if what == "end":
            raise EndSceneEarlyException()
        if what == "step":
            renderer.skip_animations = True
            skipped.append((scene.duration, frozen))
        timing.begin(start, scene.duration, what == "draw", (hi - lo) / frames if frames else 1.0,
                     began)

    scene.compile_animation_data = compile_animation_data
    if index > 0:  # a copy
        _step_as_drawn(scene, skipped, fps)
    _draw_share(scene, share)
    return timing


#: animations at least this long (seconds) may be cut between two pieces
MIN_SPLIT_SECONDS = 2.0


@dataclass
class _Share:
    """The frames of the current animation a piece draws: ``lo`` to ``hi - 1`` of
    ``frames``; ``frame`` counts the frames played so far."""

    lo: int = 0
    hi: int = 0
    frames: int = 0
    frame: int = 0

    def set(self, lo: int, hi: int, frames: int) -> None:
        self.lo, self.hi, self.frames, self.frame = lo, hi, frames, 0


def _draw_share(scene: Lesson, share: _Share) -> None:
    """Make ``scene`` draw only ``share``'s frames of an animation cut between pieces:
    the frames before them are played without drawing (each adds its frame's time, as
    drawing it does: ``CairoRenderer.add_frame``), the animation ends after the last of
    them (its partial movie holds only them), and a piece that starts inside it names
    its partial movie by its first frame (the piece before writes the same animation's
    number)."""
    renderer = scene.renderer
    render, progression = renderer.render, scene.get_time_progression
    add_partial = renderer.file_writer.add_partial_movie_file

    def render_share(sc: Any, t: float, moving: Any = None) -> None:
        frame, share.frame = share.frame, share.frame + 1
        if frame < share.lo:
            renderer.time += 1 * (1 / renderer.camera.frame_rate)
            return
        render(sc, t, moving)

    def progression_share(run_time: float, description: Any, n_iterations: int | None = None,
                          override_skip_animations: bool = False) -> Any:
        times = progression(run_time, description, n_iterations, override_skip_animations)
        if not renderer.skip_animations and share.hi < share.frames:
            if len(times.iterable) != share.frames:  # (planned from Manim's own arange)
                raise PieceError(f"an animation cut between pieces has {len(times.iterable)} "
                                 f"frames, not the {share.frames} planned; render with "
                                 "--cores 1")
            times.iterable = times.iterable[:share.hi]
            times.total = share.hi
        return times

    def add_partial_share(hash_animation: str | None) -> None:
        if hash_animation is not None and share.lo > 0:
            hash_animation = f"{hash_animation}_from_frame_{share.lo:05}"
        add_partial(hash_animation)

    renderer.render = render_share
    scene.get_time_progression = progression_share
    renderer.file_writer.add_partial_movie_file = add_partial_share


def _step_as_drawn(scene: Lesson, skipped: list[tuple[float, bool]], fps: float) -> None:
    """Make a copy step through each animation its compile hook marked skipped (its
    duration and whether it is a still wait, in ``skipped``) frame by frame, leaving the
    scene time drawing it would have, and without drawing even the frames Manim draws
    in a skipped animation (its still image, a still wait's frame: nothing reads them,
    the next drawn animation draws its own; a copy never saves a last frame, which
    Manim draws while skipping)."""
    from ..kit.stepping import replay_skipped

    renderer = scene.renderer
    play, update_frame = renderer.play, renderer.update_frame

    def played(sc: Any, *args: Any, **kwargs: Any) -> None:
        start = renderer.time
        play(sc, *args, **kwargs)
        if skipped:
            duration, frozen = skipped.pop()
            renderer.time = drawn_time(start, duration, frozen, fps)

    def drawn_only(*args: Any, **kwargs: Any) -> None:
        if not renderer.skip_animations:
            update_frame(*args, **kwargs)

    renderer.play = played
    renderer.update_frame = drawn_only
    replay_skipped(scene)


class _FrameCounts:
    """A copy's frames for the progress display, sent a few times a second (a message a
    frame could fill the pipe while the first piece is busy drawing)."""

    def __init__(self, conn: Connection, every: float = 0.25) -> None:
        self.conn, self.every, self.count, self.sent = conn, every, 0, time.monotonic()

    def add(self, n: int) -> None:
        self.count += n
        if time.monotonic() - self.sent >= self.every:
            self.send()

    def send(self, even_none: bool = False) -> None:
        if self.count or even_none:
            self.conn.send(("frames", self.count))
        self.count, self.sent = 0, time.monotonic()

    def beat(self) -> None:
        """Say the copy is alive (before each animation, drawn or stepped through): the
        frames drawn since the last word, none perhaps, at most every ``every`` s."""
        if time.monotonic() - self.sent >= self.every:
            self.send(even_none=True)


def _on_its_own(texts: Path) -> None:
    """What a copy must not share with the process it was forked from: Manim's text
    folder (a text's SVG is written and parsed under a fixed name), the output streams
    (a progress display's thread may have held their lock as the copy was forked) and
    tqdm's lock (a semaphore shared across the fork); its log says only errors (every
    warning was the first piece's too) and draws no progress bars."""
    import logging
    import threading

    from manim import config
    from tqdm import tqdm

    signal.signal(signal.SIGTERM, _end_quietly)
    signal.signal(signal.SIGINT, _end_quietly)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - the process's own, kept open
    sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
    tqdm.set_lock(threading.RLock())
    config.text_dir = str(texts)
    config.tex_dir = str(texts)
    config.progress_bar = "none"
    logging.getLogger("manim").setLevel(logging.ERROR)


class _Stopped(BaseException):
    """A copy asked to stop: by the first piece (which failed, or is stopping) or by
    Ctrl-C (which the first piece has too)."""


def _end_quietly(signum: int, frame: object) -> None:
    """End through the copy's failure path, which closes its videos, telling nothing."""
    raise _Stopped(signum)


def _run_copy(scene: Lesson, play: Callable[[], None], index: int, cuts: list[float],
              conn: Connection, texts: Path, fps: float) -> None:
    """The copy's whole life: draw piece ``index`` of ``scene``, send back what the
    first piece needs, and exit (never returning to the caller)."""
    from manim.utils.exceptions import EndSceneEarlyException

    code = 1
    try:
        _on_its_own(texts)
        frames = _FrameCounts(conn)
        scene.progress_report = frames.add
        timing = _take_stretch(scene, index, cuts, fps, on_play=frames.beat)
        try:
            play()
        except EndSceneEarlyException:
            pass
        timing.end()
        frames.send()
        writer = scene.renderer.file_writer
        writer.join_all_encode_jobs()
        from ..kit.glyphs import save_measures

        save_measures()  # (before the last word: the first piece's watch covers it)
        conn.send(("done", {
            "partial_movie_files": list(writer.partial_movie_files),
            "time": scene.renderer.time, "num_plays": scene.renderer.num_plays,
            "marks": dict(scene.marks), "snapshots": dict(scene.snapshots),
            "timings": timing.records}))
        code = 0
    except BaseException as err:  # noqa: BLE001 - told to the first piece, which raises it
        try:
            scene.renderer.file_writer.abort_encode_jobs()  # no half-written video kept
        except BaseException:  # noqa: BLE001, S110 - the error to tell is err
            pass
        if not isinstance(err, _Stopped):
            _tell(conn, err)
    finally:
        try:
            conn.close()
            from ..kit.glyphs import end_of_process

            end_of_process()  # (os._exit runs no exit handler)
        finally:
            os._exit(code)


def _tell(conn: Connection, err: BaseException) -> None:
    """Send ``err`` to the first piece with the copy's traceback: as a note, and its
    frames as ``piece_frames`` (the command names the file and line from them), or,
    where it would not arrive whole, a PieceError with its text."""
    text = "".join(traceback.format_exception(err))
    try:
        err.piece_frames = [(f.filename, f.lineno, f.name)
                            for f in traceback.extract_tb(err.__traceback__)]
        err.add_note(f"(in the forked copy drawing that stretch)\n{text}")
        pickle.loads(pickle.dumps(err))
    except Exception:  # noqa: BLE001 - it does not travel: its text does
        err = PieceError(text)
    try:
        conn.send(("failed", err))
    except Exception:  # noqa: BLE001, S110 - the first piece reports the exit instead
        pass
