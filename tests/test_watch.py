"""`optiroll render --watch`: a render now and after each save of the lesson's file, in
one warm process; a failed render says why and the watch goes on; Ctrl-C ends it."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from optiroll.scenes.cli import main
from optiroll.scenes.watch import stamp, watch

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "examples" / "adaptive_trio.toml"



def _ctrl_c_on() -> None:
    """In the child: Ctrl-C (SIGINT) at its default, so Python turns it into
    KeyboardInterrupt (a command started in the background of a non-interactive shell
    inherits SIGINT ignored, and then the watch would not stop on it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)

def test_a_render_per_save_once_the_file_stands_still(tmp_path: Path) -> None:
    lesson = tmp_path / "l.toml"
    lesson.write_text("a")
    renders: list[str] = []
    # what happens at each poll (a sleep): a save, a save in two writes, a file replaced
    # by another (an editor's rename), a deleted file, nothing
    events = {2: lambda: lesson.write_text("bb"),
              5: lambda: lesson.write_text("c"), 6: lambda: lesson.write_text("cccc"),
              10: lambda: os.replace(_other(tmp_path), lesson),
              14: lambda: lesson.unlink(), 18: lambda: lesson.write_text("back")}
    polls = iter(range(1, 100))

    def sleep(_: float) -> None:
        events.get(next(polls), lambda: None)()

    watch([lesson], lambda: renders.append(_read(lesson)), lambda _: None,
          keep_going=lambda: len(renders) < 6 and polls.__length_hint__() > 0, sleep=sleep)
    # the first render, each save once it stood still for a poll (the two-write save
    # rendered once, whole), the replaced file, its deletion (the render reports the
    # missing file), its return
    assert renders == ["a", "bb", "cccc", "other", None, "back"]


def test_a_save_during_the_first_render_is_rendered_next(tmp_path: Path) -> None:
    lesson = tmp_path / "l.toml"
    lesson.write_text("a")
    renders: list[str] = []

    def render() -> None:
        renders.append(lesson.read_text())
        if len(renders) == 1:  # saved while the first render runs
            lesson.write_text("saved meanwhile")

    polls = iter(range(20))  # (a watch that missed the save would poll forever)
    watch([lesson], render, lambda _: None,
          keep_going=lambda: len(renders) < 2 and next(polls, None) is not None,
          sleep=lambda _: None)
    assert renders == ["a", "saved meanwhile"]


def _other(folder: Path) -> Path:
    other = folder / "other.toml"
    other.write_text("other")
    return other


def _read(path: Path) -> str | None:
    return path.read_text() if path.exists() else None


def test_stamp_tells_a_missing_file_and_a_same_size_rewrite(tmp_path: Path) -> None:
    f = tmp_path / "x.toml"
    assert stamp([f]) == (None,)
    f.write_text("1")
    first = stamp([f])
    time.sleep(0.01)
    f.write_text("2")  # the same size, a later time
    os.utime(f, ns=(time.time_ns(), time.time_ns() + 10**7))
    assert stamp([f]) != first


@pytest.mark.parametrize(("args", "words"), [
    (["momentum", "adam"], "--watch follows one lesson; 2 were given"),
    (["momentum", "--split", "2"], "leave out --jobs, --split and --scheduler"),
    (["momentum", "-j", "2"], "leave out --jobs, --split and --scheduler"),
    (["no_such_lesson"], "unknown lesson 'no_such_lesson'"),
    (["momentum", "-o", "no/such/folder/x.mp4"], "does not exist; create it first"),
])
def test_watch_refuses_what_no_save_could_mend(args: list[str], words: str,
                                              monkeypatch) -> None:
    def no_watch(*_: object, **__: object) -> None:
        raise AssertionError("watching, where the command should have refused")

    monkeypatch.setattr("optiroll.scenes.watch.watch", no_watch)
    r = CliRunner().invoke(main, ["render", *args, "--watch"], catch_exceptions=False)
    assert r.exit_code == 2 and words in r.output and "Traceback" not in r.output


def _lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line)


def _wait_for(q: queue.Queue, words: str, seen: list[str], timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            line = q.get(timeout=max(0.1, end - time.monotonic()))
        except queue.Empty:
            break
        seen.append(line)
        if words in line:
            return
    raise AssertionError(f"no {words!r} in:\n{''.join(seen)}")


def test_watching_a_spec_renders_each_save_and_survives_a_typo(tmp_path: Path) -> None:
    lesson = tmp_path / "trio.toml"
    lesson.write_text(SPEC.read_text())
    out = tmp_path / "trio.mp4"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "optiroll.scenes.cli", "render", str(lesson), "-r", "160,90",
         "--fps", "5", "--watch", "-o", str(out)], cwd=tmp_path, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        preexec_fn=_ctrl_c_on)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        _wait_for(lines, "save it to render again", seen)
        first = out.stat().st_mtime_ns
        lesson.write_text(SPEC.read_text().replace("title =", "titel ="))  # a typo
        _wait_for(lines, "unknown key 'titel'. Did you mean 'title'?", seen)
        _wait_for(lines, "watching", seen)
        assert proc.poll() is None and out.stat().st_mtime_ns == first  # still watching
        lesson.write_text(SPEC.read_text() + "\n# mended\n")
        _wait_for(lines, "wrote", seen)
        assert out.stat().st_mtime_ns > first
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
        _wait_for(lines, "stopped watching", seen, timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "Traceback" not in "".join(seen)


def test_each_render_starts_from_the_same_settings_and_frees_a_failed_scene(
        tmp_path: Path, monkeypatch) -> None:
    """A scene file that sets Manim's config while it loads sets it for its own render
    only (the next render of the edited file had kept it); a scene that fails mid-play
    is handed back to the garbage collector (Manim skips tear_down then: each failed
    render had stayed frozen in memory)."""
    import gc

    from manim import config

    scene = tmp_path / "red.py"
    scene.write_text("from manim import config\n"
                     "from optiroll.scenes.kit.scene import ThemedScene\n"
                     "from manim import Circle, Create\n"
                     "config.background_color = '#FF0000'\n"
                     "class Red(ThemedScene):\n"
                     "    def construct(self):\n"
                     "        self.play(Create(Circle()), run_time=0.2)\n"
                     "        raise RuntimeError('mid-lesson')\n")
    background = str(config.background_color)

    def twice(files, render, say, **_: object) -> None:
        render()
        render()

    monkeypatch.setattr("optiroll.scenes.watch.watch", twice)
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["render", str(scene), "-r", "160,90", "--fps", "5",
                                  "--watch"], catch_exceptions=False)
    assert r.output.count("RuntimeError: mid-lesson") == 2, r.output
    assert str(config.background_color) == background
    assert gc.get_freeze_count() == 0
