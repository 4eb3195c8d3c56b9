"""Split renders: one lesson's animations in K contiguous ranges, joined without re-encoding.

Manim writes every animation (every ``play`` and ``wait``) to a partial movie of
its own and joins them with a stream copy at the end. A split render does the
same work in K processes: a dry run counts the animations, their frames and
their cost (:func:`measure`: every animation skipped, one frame of each drawn),
:func:`plan_ranges` cuts them into K contiguous ranges of about equal cost,
each range renders in its own process with Manim's animation range (``-n
START,END``; the animations before START are replayed frame by frame without
drawing, see :func:`replay_skipped`) and sends back its partial movies
(:func:`render_range`), and :func:`join_partials` joins every partial movie in
order, as Manim itself does. Each partial movie is encoded from the same frames
with the same settings, so the joined file is the one a single process writes
(``tests/test_split_and_cluster.py`` compares the bytes of a lossless render and
the frames of an MP4; H.264 through Manim 0.21 is itself not reproducible to the
last bit run to run, see the README).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .jobs import Job, JobError, Options, render_scene, working_folder
from .kit.stepping import replay_skipped

#: formats whose partial movies can be joined by a stream copy (a GIF is made from the
#: joined MP4, as an unsplit GIF is)
SPLITTABLE = ("mp4", "webm", "mov", "gif")


def check_splittable(options: Options, k: int) -> None:
    """Refuse a split where there is nothing to split, with the fix."""
    if k > 1 and (options.last_frame or options.format not in SPLITTABLE):
        what = "-s (one frame)" if options.last_frame else f"--format {options.format}"
        raise JobError(f"--split joins video pieces; {what} has none to join: leave out "
                       "--split")


@dataclass(frozen=True)
class Plan:
    """What a dry run learns of each animation: its frames and an estimate of their cost."""

    frames: list[int]
    #: estimated seconds to draw and encode each animation (the weights of the ranges)
    costs: list[float]


def measure(job: Job, report: Callable[[str, int], None] | None = None) -> Plan:
    """A dry run of ``job``'s scene: every animation skipped (the scene's own set-up
    still runs), its frames counted, and its frame halfway through updated, drawn
    and timed. (``report`` is unused: a dry run writes no frames; the runners call
    every worker-side function with one.)

    An animation's cost is its frames times (that frame's drawing time plus the
    median drawing time, standing in for the encoder's share); a still ``wait``
    costs a quarter of the median a frame (it repeats one frame). A 3-D ride's
    frames cost several 2-D frames, so ranges of equal cost finish together where
    ranges of equal frames would not.
    """
    fps = job.options.frame_rate
    frames: list[int] = []
    drawing: list[float | None] = []

    def hook(scene: Any) -> None:
        play = scene.renderer.play
        play_internal = scene.play_internal

        def counted(sc: Any, *args: Any, **kwargs: Any) -> None:
            drawing.append(None)
            play(sc, *args, **kwargs)
            frames.append(max(1, round(sc.duration * fps)))

        def timed(skip_rendering: bool = False) -> None:
            run_time = scene.get_run_time(scene.animations)
            scene.update_to_time(run_time / 2)  # the jump there builds what the frames
            scene.renderer.update_frame(scene, scene.moving_mobjects)  # before would have
            t0 = time.perf_counter()  # the next frame: its updates and its drawing
            scene.update_to_time(min(run_time / 2 + 1 / fps, run_time))
            scene.renderer.update_frame(scene, scene.moving_mobjects)
            drawing[-1] = time.perf_counter() - t0
            play_internal(skip_rendering)

        scene.renderer.play = counted
        scene.play_internal = timed

    with working_folder() as tmp:
        render_scene(job, tmp / "media", None, hook, write_to_movie=False,
                     save_last_frame=False, from_animation_number=2**31 - 1,
                     upto_animation_number=-1)
    if not frames:
        raise JobError(f"{job.name}: the scene plays no animation; there is nothing to split")
    drawn = sorted(d for d in drawing if d is not None)
    typical = drawn[len(drawn) // 2] if drawn else 1.0
    costs = [n * (d + typical if d is not None else typical / 4)
             for n, d in zip(frames, drawing, strict=True)]
    return Plan(frames, costs)


def plan_ranges(frames: list[float], k: int) -> list[tuple[int, int]]:
    """``k`` (or fewer) contiguous, non-empty animation ranges ``(first, last)`` whose
    sums of ``frames`` (or costs) are as even as cutting at animation boundaries allows.

    >>> plan_ranges([10, 10, 10, 10], 2)
    [(0, 1), (2, 3)]
    >>> plan_ranges([100, 1, 1, 1], 3)
    [(0, 0), (1, 1), (2, 3)]
    """
    n = len(frames)
    k = max(1, min(k, n))
    total = sum(frames)
    cuts = []
    done = 0
    start = 0
    for i, f in enumerate(frames):
        done += f
        pieces_left = k - len(cuts) - 1
        if pieces_left == 0:
            break
        # cut after i when the running total reaches the next share, or when the
        # animations left are just enough for one piece each
        if done >= total * (len(cuts) + 1) / k or n - 1 - i == pieces_left:
            cuts.append((start, i))
            start = i + 1
    cuts.append((start, n - 1))
    return cuts


def render_range(job: Job, report: Callable[[str, int], None] | None, first: int,
                 last: int | None) -> list[bytes]:
    """Render animations ``first..last`` (to the end when ``last`` is None) and return
    their partial movies' bytes, in order."""
    with working_folder() as tmp:
        options = {"from_animation_number": first,
                   "upto_animation_number": -1 if last is None else last}
        scene = render_scene(job, tmp / "media", report, replay_skipped, **options)
        files = [Path(f) for f in scene.renderer.file_writer.partial_movie_files
                 if f is not None]
        if not files:  # not the input's fault: exit status 1, not 2
            raise RuntimeError(f"animations {first}..{last} wrote no video")
        return [f.read_bytes() for f in files]


def join_partials(files: list[Path], out: Path, transparent: bool = False) -> None:
    """Join partial movies into ``out`` with a stream copy, exactly as Manim's
    ``SceneFileWriter.combine_files`` does (same container metadata and packets)."""
    import av
    from manim import __version__

    listing = out.parent / f".{out.stem}-partials.txt"
    listing.write_text("# This file is used internally by FFMPEG.\n" + "".join(
        f"file 'file:{Path(f).as_posix()}'\n" for f in files), encoding="utf-8")
    try:
        with (av.open(str(listing), options={"safe": "0", "an": "1"},
                      format="concat") as source, av.open(str(out), mode="w") as target):
            stream = source.streams.video[0]
            target.metadata["comment"] = f"Rendered with Manim Community v{__version__}"
            copy = target.add_stream_from_template(template=stream)
            if transparent and out.suffix == ".webm":
                copy.pix_fmt = "yuva420p"
            for packet in source.demux(stream):
                if packet.dts is None:  # the flushing packets demux adds
                    continue
                packet.dts = None  # let libav recompute them across file boundaries
                packet.stream = copy
                target.mux(packet)
    finally:
        listing.unlink(missing_ok=True)
