"""Rendering through the manim CLI, as users run it: no prompt, every export format."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from conftest import installed_env
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
TINY = ["-r", "320,180", "--fps", "10"]


def manim(args: list[str], media: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    env = installed_env()
    return subprocess.run(
        [sys.executable, "-m", "manim", "render", "--media_dir", str(media), *args],
        cwd=REPO, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
        env=env,
    )


def only(paths: list[Path]) -> Path:
    assert len(paths) == 1, paths
    return paths[0]


def video_facts(path: Path) -> dict:
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        frames = sum(1 for _ in c.decode(s))
        return {"codec": s.codec_context.name, "pix_fmt": s.codec_context.pix_fmt,
                "size": (s.codec_context.width, s.codec_context.height),
                "fps": float(s.average_rate), "frames": frames,
                "seconds": frames / float(s.average_rate), "metadata": dict(s.metadata)}


def test_flagship_renders_tiny_with_no_prompt(tmp_path: Path) -> None:
    r = manim([*TINY, "scenes/momentum.py"], tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    facts = video_facts(only(list(tmp_path.rglob("MomentumRavine.mp4"))))
    assert facts["codec"] == "h264" and facts["pix_fmt"] == "yuv420p"
    assert facts["size"] == (320, 180) and facts["fps"] == pytest.approx(10, rel=1e-3)
    assert 30 <= facts["seconds"] <= 60, facts  # "about 30 to 60 s in all"


def test_last_frame_png(tmp_path: Path) -> None:
    r = manim(["-s", *TINY, "scenes/momentum.py"], tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    img = np.asarray(Image.open(only(list(tmp_path.rglob("MomentumRavine*.png")))).convert("RGB"))
    assert img.shape == (180, 320, 3) and img.std() > 10  # a picture, not a blank frame


def test_gif_export_frame_count_and_delay(tmp_path: Path) -> None:
    r = manim(["--format", "gif", "--fps", "25", "-r", "160,90", "tests/scenes/tiny_race.py",
               "TinyRace"], tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    gif = Image.open(only(list(tmp_path.rglob("TinyRace*.gif"))))
    assert gif.n_frames == 25  # one second at 25 fps
    assert gif.info["duration"] == 40  # whole centiseconds: 25 fps plays at real speed


def x264_settings(path: Path) -> str:
    """The options x264 wrote into the stream (its SEI: ``... options: cabac=1 ...``)."""
    data = path.read_bytes()
    start = data.index(b"x264 - core")
    return data[start:data.index(b"\0", start)].decode("ascii", "replace")


def test_previews_encode_veryfast_and_larger_renders_keep_manims_preset(tmp_path: Path
                                                                         ) -> None:
    """A ThemedScene (a lesson) 480 high or less (``-ql``) is a preview: x264's
    veryfast (subme=2, one reference frame) on one thread; above, Manim's medium
    (subme=7, three) on the threads x264 picks (more than one where there are cores)."""

    scene = tmp_path / "themed.py"
    scene.write_text(
        "from optiroll.scenes.kit import ThemedScene\n"
        "from manim import Circle, Create\n\n"
        "class Themed(ThemedScene):\n"
        "    def construct(self):\n"
        "        self.play(Create(Circle()), run_time=0.5)\n")
    cpus = len(os.sched_getaffinity(0))  # (x264 picks its threads from these)
    for size, subme, refs, one_thread in (("320,180", 2, 1, True),
                                          ("864,486", 7, 3, cpus < 2)):
        media = tmp_path / size.replace(",", "x")
        r = manim(["--fps", "10", "-r", size, str(scene), "Themed"], media)
        assert r.returncode == 0, r.stderr[-3000:]
        options = x264_settings(only(list(media.rglob("Themed.mp4"))))
        assert f" subme={subme} " in options and f" ref={refs} " in options, options
        assert " crf=23.0 " in options, options
        assert (" threads=1 " in options) == one_thread, options


def test_transparent_webm(tmp_path: Path) -> None:
    r = manim(["--format", "webm", "-t", "--fps", "10", "-r", "160,90",
               "tests/scenes/tiny_race.py", "TinyRace"], tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    facts = video_facts(only(list(tmp_path.rglob("TinyRace*.webm"))))
    assert facts["codec"] in ("vp9", "libvpx-vp9")
    assert facts["pix_fmt"] == "yuva420p" or facts["metadata"].get("alpha_mode") == "1", facts


def test_diverging_run_renders(tmp_path: Path) -> None:
    scene = tmp_path / "diverging.py"
    scene.write_text(
        "from optiroll.scenes.momentum import MomentumRavine\n\n"
        "class Diverging(MomentumRavine):\n"
        "    LR = 0.25\n    STEPS = 20\n    SHOW_PLOTS = False\n"
    )
    r = manim([*TINY, str(scene), "Diverging"], tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert video_facts(only(list(tmp_path.rglob("Diverging.mp4"))))["frames"] > 50


@pytest.mark.slow
@pytest.mark.parametrize(("flag", "size", "fps"), [("-ql", (854, 480), 15),
                                                    ("-qm", (1280, 720), 30),
                                                    ("-qh", (1920, 1080), 60)])
def test_quality_presets(tmp_path: Path, flag: str, size: tuple[int, int], fps: int) -> None:
    r = manim([flag, "scenes/momentum.py"], tmp_path, timeout=1800)
    assert r.returncode == 0, r.stderr[-3000:]
    facts = video_facts(only(list(tmp_path.rglob("MomentumRavine.mp4"))))
    assert facts["codec"] == "h264" and facts["pix_fmt"] == "yuv420p"
    assert facts["size"] == size and facts["fps"] == pytest.approx(fps, rel=1e-3)


def test_gif_converter_makes_a_small_25fps_gif(tmp_path: Path) -> None:
    r = manim(["--fps", "10", "-r", "320,180", "tests/scenes/tiny_race.py", "TinyRace"],
              tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    mp4 = only(list(tmp_path.rglob("TinyRace.mp4")))
    out = tmp_path / "race.gif"
    done = subprocess.run([sys.executable, "-m", "optiroll.scenes.gif", str(mp4), "--out", str(out),
                           "--width", "160"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    gif = Image.open(out)
    assert gif.size == (160, 90)
    delays = []
    for i in range(gif.n_frames):
        gif.seek(i)
        delays.append(gif.info["duration"])
    # 1 s of 10 fps video resampled to 25 fps; Pillow merges repeated frames into
    # longer ones, so every delay is a whole number of 40 ms ticks
    assert sum(delays) == 1000 and all(d % 40 == 0 for d in delays)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_gif_converter_bad_input(tmp_path: Path) -> None:
    missing = subprocess.run([sys.executable, "-m", "optiroll.scenes.gif",
                              str(tmp_path / "no.mp4")],
                             cwd=REPO, capture_output=True, text=True)
    assert missing.returncode == 2 and "no video at" in missing.stderr
    assert "render one first" in missing.stderr
    from optiroll.scenes.gif import write_gif

    with pytest.raises(ValueError, match="fps must be 25 or 50"):
        write_gif([Image.new("RGB", (4, 4))], tmp_path / "a.gif", fps=15)
    with pytest.raises(ValueError, match="does not exist; create it first"):
        write_gif([Image.new("RGB", (4, 4))], tmp_path / "nope" / "a.gif")
    assert not (tmp_path / "nope").exists()


def test_same_picture_from_any_folder(tmp_path: Path) -> None:
    """manim.cfg is read from the working folder only; the lesson sets its own background."""
    env = installed_env()
    r = subprocess.run([sys.executable, "-m", "manim", "render", "-s", *TINY, "--media_dir",
                        str(tmp_path), str(REPO / "scenes" / "momentum.py")], cwd=tmp_path,
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600,
                       env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    img = np.asarray(Image.open(only(list(tmp_path.rglob("MomentumRavine*.png")))).convert("RGB"))
    from optiroll.scenes.kit import theme

    want = [int(theme.BACKGROUND[i:i + 2], 16) for i in (1, 3, 5)]
    assert np.abs(img[1, 1].astype(int) - want).max() <= 2  # not Manim's black
