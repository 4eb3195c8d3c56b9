"""A lesson drawn on several cores (``scenes/lesson/pieces.py``): forked copies of the
render each draw a stretch of the lesson; the clip is the one a single process writes
(frame for frame, bit for bit, with a lossless codec), the scene's time, animation count
and marks are its own to the last bit, and a copy that fails or dies is reported with
the fix, as is the first piece's own failure (its copies stopped, nothing written)."""

from __future__ import annotations

import faulthandler
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np
import pytest
from conftest import installed_env
from manim import config, tempconfig
from optiroll.scenes.jobs import describe_error
from optiroll.scenes.lesson import draw_costs, pieces
from optiroll.scenes.lesson.loading import SpecError, load_spec
from optiroll.scenes.lesson.pieces import (
    DRAW_COST,
    PieceError,
    cores_wanted,
    drawn_time,
    piece_of,
    plan_cuts,
    share_of,
)
from optiroll.scenes.lesson.scene import lesson_class

REPO = Path(__file__).resolve().parents[1]
THREE_D = REPO / "examples" / "behind_the_hill.toml"  # a 2-D race and a 3-D ride, 43 s
TINY = {"pixel_width": 160, "pixel_height": 90, "frame_rate": 5, "disable_caching": True,
        "progress_bar": "none", "verbosity": "WARNING"}


# -- planning ------------------------------------------------------------------------------
def test_cuts_balance_the_pieces_steps_included() -> None:
    spans = [(5.4, 0.12), (12.0, 0.2), (12.75, 0.3), (15.5, 0.5), (5.4, 0.3)]
    seconds = np.cumsum([0.0, *(s for s, _ in spans)])
    cost = np.cumsum([0.0, *(s * c for s, c in spans)])
    for k in (2, 3, 4):
        cuts = plan_cuts(spans, k, step_share=0.2)
        assert len(cuts) == k - 1 and all(a < b for a, b in zip(
            [0.0, *cuts], [*cuts, seconds[-1]], strict=True))
        at = [0.0, *(float(np.interp(c, seconds, cost)) for c in cuts), float(cost[-1])]
        each = [0.2 * at[i] + at[i + 1] - at[i] for i in range(k)]
        assert max(each) - min(each) < 1e-6 * cost[-1], each
        # a piece that steps through more draws less
        assert all(at[i + 1] - at[i] > at[i + 2] - at[i + 1] for i in range(k - 1))
    assert plan_cuts(spans, 1) == []


def test_an_animation_belongs_to_the_piece_holding_its_midpoint() -> None:
    cuts = [10.0, 20.0]
    assert [piece_of(s, d, cuts) for s, d in [(0, 4), (8, 3), (8, 5), (19, 2), (25, 1)]] == [
        0, 0, 1, 2, 2]


def test_a_long_animation_is_cut_at_the_frame_nearest_the_cut() -> None:
    # 150 frames from 10 s at 15 fps, the cut at 14 s: frames 0-59 and 60-149
    assert share_of(10.0, 10.0, 150, True, [14.0], 0, 15.0) == ("draw", 0, 60)
    assert share_of(10.0, 10.0, 150, True, [14.0], 1, 15.0) == ("draw", 60, 150)
    # three pieces, both cuts inside it; a piece past it steps, one before it ends
    assert [share_of(0.0, 9.0, 90, True, [3.0, 6.0], i, 10.0) for i in range(3)] == [
        ("draw", 0, 30), ("draw", 30, 60), ("draw", 60, 90)]
    assert share_of(0.0, 2.0, 20, True, [3.0], 1, 10.0) == ("step", 0, 0)
    assert share_of(5.0, 2.0, 20, True, [3.0], 0, 10.0) == ("end", 0, 0)
    # a short, still or open-ended animation is not cut: its midpoint's piece draws it
    assert share_of(10.0, 10.0, 150, False, [16.0], 0, 15.0) == ("draw", 0, 150)
    assert share_of(10.0, 10.0, 150, False, [16.0], 1, 15.0) == ("step", 0, 0)
    assert share_of(10.0, 10.0, 150, False, [14.0], 0, 15.0) == ("end", 0, 0)


def test_timings_give_each_animations_cost_and_steppings_share() -> None:
    # (start, duration, drawn, share of its frames, seconds): the 4 s animation cut 1:3
    first = [(0.0, 2.0, True, 1.0, 0.4), (2.0, 4.0, True, 0.25, 0.2), (6.0, 0.0, True, 1.0, 0.0)]
    copy = [(0.0, 2.0, False, 1.0, 0.1), (2.0, 4.0, True, 0.75, 0.6), (6.0, 1.0, True, 1.0, 0.5)]
    spans, share = draw_costs.costs_of(first + copy)
    assert spans == [(2.0, 0.2), (4.0, 0.2), (1.0, 0.5)] and share == 0.25
    # a piece that failed before its share was drawn: nothing learned
    assert draw_costs.costs_of(first + copy[:1]) is None
    # three pieces: the third steps through both animations, each stepping counted
    third = [(0.0, 2.0, False, 1.0, 0.1), (2.0, 4.0, False, 1.0, 0.2),
             (6.0, 1.0, True, 1.0, 0.5)]
    _, share = draw_costs.costs_of(first[:2] + [(2.0, 4.0, True, 0.75, 0.6)] + copy[:1]
                                   + third)
    assert share == pytest.approx((0.1 + 0.1 + 0.2) / (0.4 + 0.4 + 0.8))


class _Lesson:
    """What draw_costs reads of a lesson: its class and its acts' seconds."""

    acts = [("title", 5.0, 0.0), ("race", 10.0, 0.0)]

    def stretches(self) -> list:
        return list(self.acts)


def test_timings_are_kept_for_the_same_lesson_acts_and_output(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPTIROLL_CACHE", str(tmp_path))
    lesson = _Lesson()
    records = [(0.0, 5.0, True, 1.0, 1.0), (5.0, 10.0, True, 1.0, 4.0),
               (0.0, 5.0, False, 1.0, 0.3)]
    with tempconfig(TINY):
        assert draw_costs.recalled(lesson) is None
        draw_costs.remember(lesson, records)
        assert draw_costs.recalled(lesson) == ([(5.0, 0.2), (10.0, 0.4)], 0.3)
        lesson.acts = [("title", 5.0, 0.0), ("race", 12.0, 0.0)]  # the race paced anew
        assert draw_costs.recalled(lesson) is None
        lesson.acts = _Lesson.acts
        (kept,) = (tmp_path / "pieces").glob("*.json")
        kept.write_text("{not json")
        assert draw_costs.recalled(lesson) is None
    with tempconfig({**TINY, "pixel_width": 320, "pixel_height": 180}):
        draw_costs.remember(lesson, records)  # another output size: kept apart
    # two spec lessons' classes share a module and may share a name: their titles differ
    from types import SimpleNamespace

    a, b = (type("L", (_Lesson,), {"spec": SimpleNamespace(title=t)})() for t in "ab")
    with tempconfig(TINY):
        assert draw_costs.key_of(a) != draw_costs.key_of(b)
    assert len(list((tmp_path / "pieces").glob("*.json"))) == 2
    (tmp_path / "pieces").chmod(0o755)  # a folder others may read: not read back
    with tempconfig(TINY):
        assert draw_costs.recalled(lesson) is None
    (tmp_path / "pieces").chmod(0o700)
    monkeypatch.setenv("OPTIROLL_CACHE", "off")
    with tempconfig(TINY):
        draw_costs.remember(lesson, records)
        assert draw_costs.recalled(lesson) is None


def test_a_render_in_pieces_plans_the_next_from_its_timings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPTIROLL_CACHE", str(tmp_path / "cache"))
    cls = lesson_class(load_spec(THREE_D), "Timed")
    first, _ = _render(cls, tmp_path / "a", 2)
    with tempconfig({**TINY, "media_dir": str(tmp_path / "a")}):
        learned = draw_costs.recalled(first)
    assert learned is not None
    spans, share = learned
    assert sum(s for s, _ in spans) == pytest.approx(first.planned_seconds())
    assert all(c > 0 for _, c in spans) and (share is None or 0 < share <= 1)
    second, _ = _render(cls, tmp_path / "b", 2)
    assert second.pieces.cuts == plan_cuts(spans, 2, pieces.STEP_SHARE if share is None
                                           else share)


def test_drawn_time_is_manims_own_sum() -> None:
    """The scene time a drawn animation leaves, to the last bit: a frame at a time, or a
    still wait's frames at once (CairoRenderer.add_frame)."""
    for fps in (5, 15, 60):
        dt = 1 / fps
        for start, duration in [(0.0, 3.5), (12.34, 1.2), (7.0, 0.8)]:
            t = start
            for _ in np.arange(0, duration, dt):
                t += 1 * dt
            assert drawn_time(start, duration, False, fps) == t
            assert drawn_time(start, duration, True, fps) == start + int(duration / dt) * dt


def test_the_cores_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pieces.CORES_VARIABLE, "3")
    assert cores_wanted(None) == 3 and cores_wanted(1) == 1 and cores_wanted(64) == 4
    monkeypatch.setenv(pieces.CORES_VARIABLE, "two")
    with pytest.raises(ValueError, match="OPTIROLL_CORES='two': give a whole number"):
        cores_wanted(None)
    monkeypatch.delenv(pieces.CORES_VARIABLE)
    assert cores_wanted(None) == min(pieces.machine_cores(), 4)


def test_a_cpu_quota_counts_as_fewer_cores(tmp_path: Path) -> None:
    cores = len(os.sched_getaffinity(0))
    quota = tmp_path / "cpu.max"
    for text, want in [("max 100000", cores), ("150000 100000", min(cores, 1)),
                       ("800000 100000", min(cores, 8)), ("50000 100000", 1), ("odd", cores)]:
        quota.write_text(text + "\n")
        assert pieces.machine_cores(quota) == want, text
    assert pieces.machine_cores(tmp_path / "none") == cores
    assert set(DRAW_COST) >= {"title", "race", "replay", "surface3d", "closing"}


# -- renders -------------------------------------------------------------------------------
def _render(cls: type, media: Path, cores: int, counted: list[int] | None = None,
            **extra: object):
    """Render ``cls`` at 160x90, 5 fps into ``media`` on ``cores`` (in this process); the
    frames reported to the progress display go to ``counted``."""
    attrs = {"cores": cores, "__module__": cls.__module__}
    if counted is not None:
        attrs["progress"] = staticmethod(counted.append)
    def hung(signum: int, frame: object) -> None:
        raise TimeoutError("the render hung (a copy or the first piece waiting forever)")

    signal.signal(signal.SIGALRM, hung)
    signal.alarm(300)
    try:
        with tempconfig({**TINY, "media_dir": str(media), **extra}):
            scene = type(cls.__name__, (cls,), attrs)()
            scene.render()
            path = getattr(scene.renderer.file_writer, "movie_file_path", None)
            return scene, None if path is None else Path(path)
    finally:
        signal.alarm(0)


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgba") for f in c.decode(video=0)]


def test_pieces_draw_the_single_process_clip_and_marks(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """QuickTime animation (-t) is lossless: the clip drawn in 2 and 3 pieces, long
    animations cut between them, has the same frames, bit for bit, as one process's; the
    scene keeps the same time, plays and marks."""
    monkeypatch.setenv("OPTIROLL_CACHE", "off")  # the act table's cuts, every time
    cls = lesson_class(load_spec(THREE_D), "Behind")
    one, one_file = _render(cls, tmp_path / "one", 1, transparent=True)
    assert one.pieces is None and one_file.suffix == ".mov"
    one_frames = _frames(one_file)
    one_parts = len([f for f in one.renderer.file_writer.partial_movie_files if f])
    for k in (2, 3):
        counted: list[int] = []
        many, many_file = _render(cls, tmp_path / f"k{k}", k, counted, transparent=True)
        assert many.pieces is not None and len(many.pieces.cuts) == k - 1
        assert many.pieces.children == []  # joined and cleared
        parts = many.renderer.file_writer.partial_movie_files
        assert len(parts) == one_parts + k - 1  # each cut inside an animation
        assert sum("_from_frame_" in p for p in parts) == k - 1
        frames = _frames(many_file)
        assert len(frames) == len(one_frames)
        assert all(np.array_equal(a, b) for a, b in zip(frames, one_frames, strict=True))
        assert many.renderer.time == one.renderer.time
        assert many.renderer.num_plays == one.renderer.num_plays
        assert many.marks == one.marks and many.snapshots.keys() == one.snapshots.keys()
        assert many.snapshots == one.snapshots
        # the progress display: the planned frames, then every frame, the copies' too
        assert counted[0] < 0 and sum(counted[1:]) == len(_frames(many_file))
    assert len(one_frames) > 150 and len({x.tobytes() for x in one_frames}) > 100  # moving


def test_a_short_clip_a_still_or_an_act_range_is_drawn_in_one_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = load_spec(THREE_D)
    short = lesson_class(spec.model_copy(update={"steps": 5, "show": spec.show.model_copy(
        update={"surface3d": False})}), "Short")  # a 17.8-s clip
    monkeypatch.setattr(pieces, "MIN_PIECE_SECONDS", 9.0)
    scene, _ = _render(short, tmp_path / "short", 4)
    assert scene.pieces is None  # two pieces would be under MIN_PIECE_SECONDS each
    monkeypatch.setattr(pieces, "MIN_PIECE_SECONDS", 8.0)
    scene, _ = _render(short, tmp_path / "short2", 4)
    assert scene.pieces is not None and len(scene.pieces.cuts) == 1
    cls = lesson_class(spec, "Behind")
    scene, _ = _render(cls, tmp_path / "still", 2, save_last_frame=True, write_to_movie=False)
    assert scene.pieces is None
    only = type("Only", (cls,), {"only_acts": ("surface3d",)})
    scene, _ = _render(only, tmp_path / "act", 2)
    assert scene.pieces is None
    # Manim's --format png (every frame a numbered PNG: the copies would number theirs from
    # 0 again), Manim's caching (a cached animation is jumped over), a construct of its own
    # (it may play more after the acts)
    scene, _ = _render(cls, tmp_path / "png", 2, format="png")
    assert scene.pieces is None and len(list((tmp_path / "png").rglob("*.png"))) > 150
    scene, _ = _render(cls, tmp_path / "cached", 2, disable_caching=False)
    assert scene.pieces is None

    class More(cls):  # type: ignore[misc, valid-type]
        def construct(self) -> None:
            super().construct()
            self.wait(0.4)

    scene, _ = _render(More, tmp_path / "more", 2)
    assert scene.pieces is None and scene.renderer.time > _render(cls, tmp_path / "k", 2)[
        0].renderer.time


class _Boom(RuntimeError):
    pass


def _failing(at_act: str, how: str, in_copy: bool = True) -> type:
    """The 3-D lesson, failing as ``how`` says in the act ``at_act`` in a forked copy
    (``in_copy``; else in the first piece, where that act is drawn: an act stepped
    through without drawing plays its animations skipped)."""
    cls = lesson_class(load_spec(THREE_D), "Failing")
    first = os.getpid()

    class Failing(cls):  # type: ignore[misc, valid-type]
        def begin_act(self, name: str, loop: bool = False) -> None:
            super().begin_act(name, loop)
            where = os.getpid() != first if in_copy else not self.renderer.skip_animations
            if name == at_act and where:
                if how == "raise":
                    raise _Boom(f"boom in {name}")
                if how == "hang":
                    time.sleep(3600)
                if how == "busy":  # silent, but working (as an encoder finishing a still)
                    end = time.monotonic() + 8.0
                    while time.monotonic() < end:
                        pass
                    return
                os.kill(os.getpid(), signal.SIGKILL)

    return Failing


def test_a_copy_that_fails_is_reported_and_nothing_is_written(tmp_path: Path) -> None:
    """The copy's error, with its own file and line for the command's message, and its
    traceback; no clip, no copy, no folder of the copy's left behind."""
    before = set(Path(tempfile.gettempdir()).glob("optiroll-piece-*"))
    with pytest.raises(_Boom, match="boom in closing") as info:
        _render(_failing("closing", "raise"), tmp_path / "m", 2)
    assert not list((tmp_path / "m").rglob("Failing.mp4"))
    message, bad = describe_error(info.value)
    assert bad and message.startswith("test_pieces.py:") and "raised by the lesson" in message
    assert "in the forked copy" in describe_error(info.value, debug=True)[0]
    assert set(Path(tempfile.gettempdir()).glob("optiroll-piece-*")) == before


def test_a_copy_that_fails_stops_the_first_piece_early(tmp_path: Path) -> None:
    """The first piece learns of a copy's failure before each animation, not at its end."""
    first = os.getpid()
    cls = lesson_class(load_spec(THREE_D), "Early")

    class Early(cls):  # type: ignore[misc, valid-type]
        def play(self, *args: object, **kwargs: object) -> None:
            if os.getpid() != first:
                raise _Boom("the copy fails at once")
            super().play(*args, **kwargs)

    whole, _ = _render(cls, tmp_path / "whole", 1)
    scenes: list = []
    with tempconfig({**TINY, "media_dir": str(tmp_path / "m")}), pytest.raises(_Boom):
        scenes.append(type("Early", (Early,), {"cores": 2, "__module__": __name__})())
        scenes[0].render()
    assert 0 < scenes[0].renderer.num_plays < whole.renderer.num_plays // 2


def test_a_copy_that_dies_is_reported_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(PieceError, match=r"piece 2 of the render stopped \(signal 9\).*"
                                         r"--cores 1"):
        _render(_failing("closing", "kill"), tmp_path / "m", 2)
    assert not list((tmp_path / "m").rglob("Failing.mp4"))


@pytest.fixture()
def forked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The process ids of the copies forked while the test runs."""
    pids: list[int] = []
    fork = os.fork

    def recorded() -> int:
        pid = fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(pieces.os, "fork", recorded)
    return pids


def test_a_stuck_copy_is_stopped_with_the_fix(tmp_path: Path, forked: list[int],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy that says nothing for SILENT_SECONDS (here 3 s, stuck in its closing act, as
    on a lock a thread held at the fork) is stopped: one message, no clip, no copy left."""
    monkeypatch.setattr(pieces, "SILENT_SECONDS", 3.0)
    # (were the copy waited for on and on, the run would end here with its tracebacks)
    faulthandler.dump_traceback_later(300, exit=True)
    try:
        with pytest.raises(PieceError, match=r"piece 2 of the render said nothing for 3 s "
                                             r"and was stopped as stuck.*--cores 1"):
            _render(_failing("closing", "hang"), tmp_path / "m", 2)
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert not list((tmp_path / "m").rglob("Failing.mp4")) and len(forked) == 1
    with pytest.raises(ChildProcessError):  # stopped and reaped
        os.waitpid(forked[0], os.WNOHANG)


def test_a_silent_copy_that_works_is_waited_for(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Silence alone is not taken for stuck: a copy that says nothing for four times
    SILENT_SECONDS while using the CPU (8 s at 2 s here) finishes its piece."""
    monkeypatch.setattr(pieces, "SILENT_SECONDS", 2.0)
    scene, _ = _render(_failing("closing", "busy"), tmp_path / "m", 2)
    assert scene.pieces is not None and list((tmp_path / "m").rglob("Failing.mp4"))


def test_the_first_piece_failing_stops_its_copies(tmp_path: Path, forked: list[int]) -> None:
    with pytest.raises(_Boom, match="boom in race"):
        _render(_failing("race", "raise", in_copy=False), tmp_path / "m", 3)
    assert len(forked) == 2
    for pid in forked:  # killed and reaped: no such child any more
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_a_bad_core_count_is_one_message(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pieces.CORES_VARIABLE, "0")
    cls = lesson_class(load_spec(THREE_D), "Behind")
    with tempconfig({**TINY, "media_dir": str(tmp_path)}), pytest.raises(
            SpecError, match="OPTIROLL_CORES='0'"):
        cls().render()
    assert config.pixel_width != 160  # (the config is the test's own again)


# -- the command ---------------------------------------------------------------------------
def _optiroll(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "optiroll.scenes.cli", *args], cwd=cwd,
                          env=installed_env(), stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=600)


def test_command_cores_and_its_refusals(tmp_path: Path) -> None:
    tiny = ["-r", "160,90", "--fps", "5"]
    r = _optiroll("render", str(THREE_D), *tiny, "--cores", "2", "-o", "two.mp4", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "done" in r.stderr
    r = _optiroll("render", str(THREE_D), *tiny, "--cores", "1", "-o", "one.mp4", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    a, b = _frames(tmp_path / "one.mp4"), _frames(tmp_path / "two.mp4")
    assert len(a) == len(b) > 150
    diff = np.abs(np.stack(a).astype(int) - np.stack(b).astype(int))
    # (H.264 is not reproducible to the bit, and the animation cut between the pieces is
    # two encodes, the second from a key frame: its frames after the cut differ by the
    # encoder's rounding, under a level on average; the lossless test above shows the
    # drawing itself is exact)
    per_frame = diff.reshape(len(a), -1).mean(axis=1)
    assert diff.mean() < 0.3 and per_frame.max() < 1.5, (diff.mean(), per_frame.max())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.mp4", "two.mp4"]
    for extra in (["--split", "2"], [str(THREE_D)], ["--scheduler", "tcp://nowhere:1"]):
        r = _optiroll("render", str(THREE_D), *extra, "--cores", "2", cwd=tmp_path)
        assert r.returncode == 2 and "leave out --cores" in r.stderr, r.stderr
    r = _optiroll("render", str(THREE_D), "--cores", "0", cwd=tmp_path)
    assert r.returncode == 2 and "--cores" in r.stderr
