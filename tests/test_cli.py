"""The `optiroll` command end to end: render (one, several in parallel, every format),
check, list, new; bad input gets one clear message, exit status 2 and no output file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from click.testing import CliRunner
from conftest import installed_env, run_folder
from manim import tempconfig
from optiroll import dynamics as dyn
from optiroll.scenes.cli import main
from optiroll.scenes.kit import theme
from optiroll.scenes.lesson import load_spec
from optiroll.scenes.lesson.scene import lesson_class
from PIL import Image

#: this session's own media folder: Manim's text cache is not safe to share between
#: processes (a render beside the tests could clash with them in one fixed folder)
MEDIA = run_folder("optiroll-cli-tests-")  # (removed when the run ends)

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO / "examples").glob("*.toml"))
TINY = ["-r", "160,90", "--fps", "5"]


def optiroll(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = installed_env()
    return subprocess.run([sys.executable, "-m", "optiroll.scenes.cli", *args], cwd=cwd, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=900)


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def frames(path: Path) -> int:
    with av.open(str(path)) as c:
        return sum(1 for _ in c.decode(video=0))


def planned_frames(spec_path: Path, fps: int) -> int:
    with tempconfig({"pixel_width": 160, "pixel_height": 90, "frame_rate": fps,
                     "verbosity": "ERROR", "media_dir": MEDIA}):
        lesson = lesson_class(load_spec(spec_path))()
        lesson.setup()
        return round(lesson.planned_seconds() * fps)


# -- list, new, check -------------------------------------------------------------------------
def test_list_prints_each_catalog_one_line_each() -> None:
    surfaces = cli("list", "surfaces").output.splitlines()
    assert [line.split()[0] for line in surfaces] == dyn.surface_names()
    optimizers = cli("list", "optimizers").output.splitlines()
    assert [line.split()[0] for line in optimizers] == dyn.optimizer_names()
    lessons = [line.split()[0] for line in cli("list", "lessons").output.splitlines()]
    from optiroll.scenes.library import LIBRARY

    assert lessons[:len(LIBRARY)] == list(LIBRARY) and {p.stem for p in EXAMPLES} <= set(lessons)
    everything = cli("list").output
    assert "surfaces:" in everything and "optimizers:" in everything and "lessons:" in everything


def test_new_writes_a_starter_that_checks(tmp_path: Path) -> None:
    os.chdir(tmp_path)
    result = cli("new", "first_lesson")
    assert result.exit_code == 0 and (tmp_path / "first_lesson.toml").is_file()
    assert cli("check", "first_lesson.toml").exit_code == 0
    again = cli("new", "first_lesson")
    assert again.exit_code == 2 and "exists" in again.output and "--force" in again.output
    assert cli("new", "first_lesson", "--force").exit_code == 0
    nowhere = cli("new", "no/such/folder/x")
    assert nowhere.exit_code == 2 and "does not exist; create it first" in nowhere.output
    # a name with a space: the commands it suggests run as printed (quoted for the shell)
    spaced = cli("new", "my lesson")
    assert "`optiroll render 'my lesson.toml' -ql`" in spaced.output
    assert "optiroll render 'my lesson.toml' -ql" in (tmp_path / "my lesson.toml").read_text()
    away = cli("new", "My Lessons/x")
    assert "(mkdir -p 'My Lessons')" in away.output


def test_check_examples_and_bad_specs(tmp_path: Path) -> None:
    ok = cli("check", *map(str, EXAMPLES))
    assert ok.exit_code == 0 and ok.output.count(": ok:") == len(EXAMPLES)
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "x"\nsurface = "bowl"\nstpes = 3\nstart = [0, 1]\n'
                   '[[runs]]\noptimizer = "gd"\n')
    result = cli("check", str(bad))
    assert result.exit_code == 2 and "bad.toml:3: unknown key 'stpes'" in result.output
    assert "Traceback" not in result.output


def test_check_takes_scene_files_and_library_lessons(tmp_path: Path) -> None:
    """Whatever `render` takes: a library name, a scene file, file.py:Scene; a lesson in
    parts is checked part by part, with the acts each plays."""
    ok = cli("check", "local_minima", str(REPO / "scenes" / "nesterov.py"))
    assert ok.exit_code == 0, ok.output
    assert "local_minima: ok: " in ok.output and "acts: title, swarm, basins, closing" in ok.output
    assert ok.output.count("nesterov.py: part ") == 2
    assert "note: Nesterov leaves the map at step 3 (and diverges at step 11)" in ok.output
    (tmp_path / "lessons.py").write_text(
        "from optiroll.scenes.momentum import MomentumRavine\n"
        "class Negative(MomentumRavine):\n    LR = -0.1\n"
        "class Tuned(MomentumRavine):\n    LR = 0.05\n"
        "class Broken(MomentumRavine):\n    @staticmethod\n"
        "    def captions(spec, runs, labels):\n        return [labels[9]]\n")
    (tmp_path / "typo.py").write_text("from manim import Scene\nclass A(Scene)\n    pass\n")
    (tmp_path / "plain.py").write_text("from manim import Scene\nclass Plain(Scene):\n"
                                       "    pass\n")
    lessons = str(tmp_path / "lessons.py")
    tuned = cli("check", f"{lessons}:Tuned")
    assert tuned.exit_code == 0 and "ok: 'Momentum in a ravine', 3 runs" in tuned.output
    for args, words in [((f"{lessons}:Negative",), "Negative: lr: lr must be in [0, inf)"),
                        ((f"{lessons}:Broken",), "lessons.py:9: IndexError: list index out "
                                                 "of range (raised by the lesson's own code)"),
                        ((lessons,), "defines 3 scenes"),
                        ((str(tmp_path / "typo.py"),),
                         f"SyntaxError: expected ':' (in {tmp_path / 'typo.py'}"),
                        ((str(tmp_path / "plain.py"),), "a plain Manim scene, not a lesson"),
                        (("momentun",), "Did you mean 'momentum'?")]:
        result = cli("check", *args)
        assert result.exit_code == 2 and words in result.output, (args, result.output)
        assert "Traceback" not in result.output


# -- render -------------------------------------------------------------------------------------
def test_examples_render_in_parallel_with_the_planned_length(tmp_path: Path) -> None:
    """The three example specs, two at a time, at a tiny size."""
    r = optiroll("render", *map(str, EXAMPLES), *TINY, "--jobs", "2", "-o", ".", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    for spec in EXAMPLES:
        out = tmp_path / f"{spec.stem}_90p5.mp4"
        assert f"wrote {out.name}" in r.stdout
        # the acts' own timings predict the length (Manim rounds each animation to whole
        # frames, hence a frame or two of slack)
        planned = planned_frames(spec, 5)
        assert abs(frames(out) - planned) <= max(2, 0.02 * planned), spec.stem
    assert "rendering adaptive_trio" in r.stderr and "adaptive_trio: done" in r.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


class _NoPool(Exception):
    """Raised where a process pool would start."""


def _no_pool(*args: object, **kwargs: object) -> None:
    raise _NoPool


def test_a_lone_lesson_renders_in_the_commands_own_process(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """One lesson, unsplit: no worker process to start (it would import Manim and the
    lesson a second time); its progress still reaches the display. Two lessons: a pool."""
    monkeypatch.setattr("optiroll.scenes.batch.LocalRunner", _no_pool)
    os.chdir(tmp_path)
    spec = EXAMPLES[0]
    r = cli("render", str(spec), *TINY, "-o", "clip.mp4")
    assert r.exit_code == 0, r.output
    n = frames(tmp_path / "clip.mp4")
    planned = re.search(rf"rendering {spec.stem} \((\d+) frames\)", r.output)
    assert planned and abs(int(planned[1]) - n) <= 2, r.output  # Manim rounds each play
    assert f"{spec.stem}: done" in r.output
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "media") == ["clip.mp4"]
    with pytest.raises(_NoPool):
        cli("render", str(spec), str(REPO / "tests" / "scenes" / "tiny_race.py"), *TINY,
            "-o", ".")


def test_a_failed_render_in_this_process_leaves_the_process_as_it_was(tmp_path: Path
                                                                      ) -> None:
    """Run here (a lone job), a render that fails puts back the working folder and the
    loggers' levels it changed, and leaves nothing behind."""
    import logging

    broken = tmp_path / "broken.py"
    broken.write_text("from manim import Scene\n\nclass Broken(Scene):\n"
                      "    def construct(self):\n        raise RuntimeError('no ball')\n")
    os.chdir(tmp_path)
    logs = [logging.getLogger(n) for n in ("manim", "manim-slides")]
    before = [log.level for log in logs]
    r = CliRunner().invoke(main, ["render", str(broken), *TINY, "-o", "x.mp4"])
    assert r.exit_code == 2 and "RuntimeError: no ball" in r.output, r.output
    assert Path.cwd() == tmp_path and [log.level for log in logs] == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "media") == ["broken.py"]


def test_a_failing_lesson_does_not_stop_the_batch(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text((REPO / "examples" / "adaptive_trio.toml").read_text().replace(
        'optimizer = "adam"', 'optimizer = "adma"'))
    broken = tmp_path / "broken.py"
    broken.write_text("from manim import Scene\n\nclass Broken(Scene):\n"
                      "    def construct(self):\n        raise RuntimeError('boom')\n")
    crash = tmp_path / "crash.py"  # fails inside a library (numpy), not in its own code
    crash.write_text("from manim import Circle, Scene\n\nclass Crash(Scene):\n"
                     "    def construct(self):\n        self.add(Circle().shift('up'))\n")
    good = REPO / "tests" / "scenes" / "tiny_race.py"
    r = optiroll("render", str(bad), str(broken), str(good), *TINY, "--jobs", "2", "-o", ".",
                 cwd=tmp_path)
    # an error raised by the lesson's own code is the input's fault: exit status 2
    assert r.returncode == 2, r.stderr
    assert (tmp_path / "tiny_race_90p5.mp4").is_file()
    assert "failed: bad" in r.stderr and "Did you mean 'adam'?" in r.stderr
    assert ("failed: broken: broken.py:5: RuntimeError: boom (raised by the lesson's own "
            "code)") in r.stderr
    assert "Traceback" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml", "broken.py", "crash.py",
                                                          "tiny_race_90p5.mp4"]
    r = optiroll("render", str(crash), str(good), *TINY, "-o", ".", cwd=tmp_path)
    assert r.returncode == 1, r.stderr  # a crash inside a library is not the input's fault
    assert "failed: crash: " in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["nosuchlesson"], "unknown lesson 'nosuchlesson'"),
    (["momentm"], "Did you mean 'momentum'?"),
    (["missing.toml"], "no such file: missing.toml"),
    (["momentum", "-o", "nowhere/clip.mp4"], "folder nowhere does not exist; create it first"),
    (["momentum", "adaptive", "-o", "clip.mp4"], "--out must be an existing folder"),
    (["momentum", "--format", "gif", "--fps", "15"], "use --fps 25 or 50"),
    (["momentum", "-o", "x.png"], "add -s for the last frame"),
    (["momentum", "--format", "webm", "-o", "x.mp4"], "make them agree"),
    (["momentum", "-r", "abc"], "write the size as W,H"),
    (["momentum", "-r", "100000,100000"], "at most 8192 pixels a side"),
    (["momentum", "-t", "--format", "gif"], "no alpha channel"),
    (["momentum", "-s", "--format", "gif"], "-s saves the last frame as a PNG, but --format"),
    (["momentum", "-qm", "-qh"], "given 2 times (-qm, -qh): keep one"),
])
def test_bad_render_requests(tmp_path: Path, args: list[str], message: str) -> None:
    os.chdir(tmp_path)
    result = CliRunner().invoke(main, ["render", *TINY, *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) in ([], [tmp_path / "media"])
    assert not list(tmp_path.rglob("*.mp4")) and not list(tmp_path.rglob("*.gif"))


def test_formats_and_names(tmp_path: Path) -> None:
    tiny = str(REPO / "tests" / "scenes" / "tiny_race.py")
    r = optiroll("render", tiny, "-r", "640,360", "-o", "race.gif", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    gif = Image.open(tmp_path / "race.gif")
    assert gif.info["duration"] == 40 and gif.size == (640, 360)  # rendered at 25 fps
    gif.seek(gif.n_frames - 1)
    last = np.asarray(gif.convert("RGB"), float)
    trail = np.array([int(theme.SKY_BLUE[i:i + 2], 16) for i in (1, 3, 5)], float)
    # the run's colour survives the palette (the median-cut palette turned it grey)
    assert (np.linalg.norm(last - trail, axis=-1) < 30).sum() >= 10
    r = optiroll("render", "momentum", "-s", "-r", "160,90", "-o", "last.png", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    last = np.asarray(Image.open(tmp_path / "last.png").convert("RGB"))
    assert last.shape == (90, 160, 3) and last.std() > 10
    r = optiroll("render", f"{tiny}:TinyRace", *TINY, "--format", "png", "-o", "frames",
                 cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert len(list((tmp_path / "frames").glob("*.png"))) == 5
    r = optiroll("render", tiny, *TINY, "-t", "--format", "webm", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    webm = tmp_path / "media" / "lessons" / "tiny_race_90p5.webm"
    with av.open(str(webm)) as c:
        s = c.streams.video[0]
        assert s.codec_context.name in ("vp9", "libvpx-vp9")
