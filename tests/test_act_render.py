"""`optiroll render --act`: one stretch of a lesson, drawn frame for frame as the whole
render draws it there (the acts before it played without drawing), its length planned;
an unknown act, a gap between the acts asked for, a plain Scene or `--split` get one
message and exit status 2."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from optiroll.scenes.cli import main
from optiroll.scenes.jobs import Job, Options, render_scene, working_folder
from optiroll.scenes.lesson.act_range import act_keys, pick_acts
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
TINY = ["-r", "160,90", "--fps", "5"]
THREE_D = REPO / "examples" / "behind_the_hill.toml"  # title, race, surface3d, closing
PLAIN = REPO / "tests" / "scenes" / "tiny_race.py"


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def png_frames(folder: Path) -> list[np.ndarray]:
    return [np.asarray(Image.open(p)) for p in sorted(folder.glob("*.png"))]


# -- names ---------------------------------------------------------------------------------
def test_acts_are_named_per_part_and_asked_for_as_one_stretch() -> None:
    keys = act_keys([["title", "race", "closing"], ["title", "race"]])
    assert keys == ["title", "race", "closing", "part2-title", "part2-race"]
    # given in any order, returned in the lesson's
    assert pick_acts("x", keys, ["part2-title", "closing"]) == ("closing", "part2-title")
    assert pick_acts("x", keys, ["race", "race"]) == ("race",)
    with pytest.raises(ValueError, match=r"--act rcae: x has no act 'rcae'\. Did you mean "
                                         r"'race'\? Its acts: title, race, closing, "
                                         r"part2-title, part2-race"):
        pick_acts("x", keys, ["rcae"])
    with pytest.raises(ValueError, match=r"Did you mean 'race' or 'part2-race'\?"):
        pick_acts("x", keys, ["part3-race"])
    with pytest.raises(ValueError, match=r"--act title --act closing: a render is one "
                                         r"stretch of the lesson; add the acts between "
                                         r"them \(race\)"):
        pick_acts("x", keys, ["closing", "title"])


def test_check_lists_a_later_parts_acts_as_act_takes_them() -> None:
    result = cli("check", "learning_rate")
    assert result.exit_code == 0
    assert "acts: title, race, replay, closing" in result.output
    assert "acts: part2-title, part2-race, part2-replay, part2-closing" in result.output


# -- frames --------------------------------------------------------------------------------
def test_an_acts_frames_are_the_whole_renders_frames_there(tmp_path: Path,
                                                           monkeypatch) -> None:
    """The 3-D ride alone starts on the frame the whole clip shows after the race (the
    race's updaters and the camera stepped frame by frame, nothing drawn) and ends
    before the closing; the stretch before it is the whole clip's beginning."""
    monkeypatch.chdir(tmp_path)
    outs = {}
    for name, acts in (("whole", []), ("before", ["title", "race"]), ("ride", ["surface3d"])):
        args = [a for act in acts for a in ("--act", act)]
        r = cli("render", str(THREE_D), *TINY, "--format", "png", "-o", name, *args)
        assert r.exit_code == 0, r.output
        outs[name] = png_frames(tmp_path / name)
    whole, before, ride = outs["whole"], outs["before"], outs["ride"]
    assert 0 < len(before) and 0 < len(ride) and len(before) + len(ride) < len(whole)
    assert all(np.array_equal(a, b) for a, b in zip(before, whole, strict=False))
    there = whole[len(before):len(before) + len(ride)]
    assert all(np.array_equal(a, b) for a, b in zip(ride, there, strict=True))


def test_an_acts_last_frame_and_planned_length(tmp_path: Path, monkeypatch) -> None:
    """`-s --act race` is the race's last frame; the progress display is told the act's
    own length, and that many frames are written."""
    monkeypatch.chdir(tmp_path)
    r = cli("render", str(THREE_D), *TINY, "-s", "--act", "race", "-o", "end.png")
    assert r.exit_code == 0, r.output
    r = cli("render", str(THREE_D), *TINY, "--format", "png", "--act", "race", "-o", "race")
    assert r.exit_code == 0, r.output
    race = png_frames(tmp_path / "race")
    assert np.array_equal(np.asarray(Image.open(tmp_path / "end.png")), race[-1])

    reports: list[int] = []
    job = Job("behind_the_hill", THREE_D, tmp_path / "x.mp4",
              Options(resolution=(160, 90), fps=5, acts=("race",)))
    with working_folder() as tmp:
        render_scene(job, tmp / "media", lambda name, n: reports.append(n))
    planned, written = -reports[0], sum(reports[1:])
    assert planned == pytest.approx(len(race), abs=2) and written == len(race)
    reports.clear()  # -s: one frame planned ("rendering behind_the_hill (1 frame)")
    job = Job("behind_the_hill", THREE_D, tmp_path / "y.png",
              Options(resolution=(160, 90), fps=5, last_frame=True, acts=("race",)))
    with working_folder() as tmp:
        render_scene(job, tmp / "media", lambda name, n: reports.append(n))
    assert reports == [-1]


# -- bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize(("args", "words"), [
    ([str(THREE_D), "--act", "surface-3d"], "has no act 'surface-3d'. Did you mean 'surface3d'?"),
    ([str(THREE_D), "--act", "title", "--act", "surface3d"],
     "add the acts between them (race)"),
    ([f"{PLAIN}:TinyRace", "--act", "race"], "--act picks acts of a lesson; TinyRace is a "
                                             "plain Manim scene"),
    ([str(THREE_D), "--act", "race", "--split", "2"], "leave out one of them"),
])
def test_bad_acts_get_one_message_and_no_file(args: list[str], words: str, tmp_path: Path,
                                              monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = cli("render", *args, *TINY, "-o", "out.mp4")
    assert r.exit_code == 2 and words in r.output, r.output
    assert "Traceback" not in r.output and not list(tmp_path.iterdir())


def test_acts_are_checked_and_ordered_before_anything_renders(tmp_path: Path,
                                                              monkeypatch) -> None:
    """Given out of order and twice, the acts are rendered and named in play order; a
    misspelt act in the second of two lessons is reported before the first renders
    (one line, exit status 2)."""
    monkeypatch.chdir(tmp_path)
    r = cli("render", str(THREE_D), *TINY, "-s", "--act", "race", "--act", "title",
            "--act", "race")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "media" / "lessons" / "behind_the_hill_act-title-race_90p.png").is_file()
    todo: list[list] = []
    monkeypatch.setattr("optiroll.scenes.cli._render_all",
                        lambda jobs, *a, **k: todo.append(jobs) or [])
    r = cli("render", str(THREE_D), "learning_rate", *TINY, "--act", "replay")
    assert r.exit_code == 2 and "behind_the_hill has no act 'replay'" in r.output
    assert [job.name for job in todo[0]] == ["learning_rate"]  # refused before rendering


def test_a_job_asking_for_an_unknown_act_fails_as_bad_input(tmp_path: Path) -> None:
    """A job made without the command line (the Python API, a cluster) is checked by the
    lesson itself."""
    from optiroll.scenes.jobs import run

    result = run(Job("behind_the_hill", THREE_D, tmp_path / "x.mp4",
                     Options(resolution=(160, 90), fps=5, acts=("rcae",))))
    assert not result.ok and result.bad_input
    assert "has no act 'rcae'. Did you mean 'race'?" in result.message
    assert not (tmp_path / "x.mp4").exists()


def test_an_act_render_is_named_after_its_acts_by_default() -> None:
    options = Options(quality="l", acts=("race", "replay"))
    assert options.stem("momentum") == "momentum_act-race-replay_480p15"
    assert Options(quality="l").stem("momentum") == "momentum_480p15"
