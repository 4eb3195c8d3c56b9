"""Bad input found by trying the command as a user would: each case gets one clear message,
exit status 2, and nothing at (or deleted from) the output path; and what the README says
about its examples and outputs holds."""

from __future__ import annotations

import os
import re
from pathlib import Path

import av
import numpy as np
import pytest
from click.testing import CliRunner
from optiroll import dynamics as dyn
from optiroll.scenes.cli import main
from optiroll.scenes.lesson import SpecError, load_spec
from optiroll.scenes.lesson.prepare import prepare

REPO = Path(__file__).resolve().parents[1]
TINY = ["-r", "160,90", "--fps", "5"]

SPEC = """title = "Two balls"
surface = "elongated_bowl"
steps = 4
start = [-5, -2]

[[runs]]
optimizer = "gd"
lr = 0.4

[[runs]]
optimizer = "momentum"
lr = 0.2
beta = 0.9
"""


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def spec_file(folder: Path, text: str = SPEC, name: str = "lesson.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def frame_count(path: Path) -> int:
    with av.open(str(path)) as c:
        return sum(1 for _ in c.decode(video=0))


# -- output paths -------------------------------------------------------------------------
def test_png_frames_never_delete_a_users_files_and_hold_every_frame(tmp_path: Path) -> None:
    """--format png into a folder with other files is refused before rendering (it used to
    be wiped); into a file, refused; into a folder of that lesson's earlier frames, replaced.
    Held frames are written once per frame, so the folder has as many frames as the video."""
    os.chdir(tmp_path)
    spec = str(spec_file(tmp_path))
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    r = cli("render", spec, *TINY, "--format", "png", "-o", str(mine))
    assert r.exit_code == 2 and "holds other files (notes.txt)" in r.output
    assert (mine / "notes.txt").read_text() == "keep me"
    (tmp_path / "afile").write_text("x")
    r = cli("render", spec, *TINY, "--format", "png", "-o", "afile")
    assert r.exit_code == 2 and "is a file" in r.output
    for _ in range(2):  # the second render replaces the first one's frames
        r = cli("render", spec, *TINY, "--format", "png", "-o", "frames")
        assert r.exit_code == 0, r.output
    r = cli("render", spec, *TINY, "-o", "clip.mp4")
    assert r.exit_code == 0, r.output
    pngs = sorted((tmp_path / "frames").iterdir())
    assert all(re.fullmatch(r"lesson_\d{4}\.png", p.name) for p in pngs)
    assert len(pngs) == frame_count(tmp_path / "clip.mp4") > 30


def test_transparent_mp4_becomes_a_mov_without_a_warning(tmp_path: Path) -> None:
    os.chdir(tmp_path)
    r = cli("render", str(spec_file(tmp_path)), *TINY, "-t", "-o", "clip.mp4")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "clip.mov").is_file() and not (tmp_path / "clip.mp4.mov").exists()
    assert "WARNING" not in r.output and "Output format changed" not in r.output


def test_several_lessons_with_a_file_as_out_is_one_message(tmp_path: Path) -> None:
    os.chdir(tmp_path)
    r = cli("render", "momentum", "adaptive", *TINY, "-o", "one.mp4")
    assert r.exit_code == 2
    assert r.output.count("--out must be an existing folder") == 1 and "mkdir" not in r.output


@pytest.mark.parametrize("fps", ["0", "-5", "1000"])
def test_frame_rates_out_of_range_are_refused(tmp_path: Path, fps: str) -> None:
    os.chdir(tmp_path)
    r = cli("render", "momentum", "-r", "160,90", "--fps", fps)
    assert r.exit_code == 2 and "1<=x<=240" in r.output
    assert not list(tmp_path.iterdir())


# -- specs --------------------------------------------------------------------------------
def test_a_spec_that_is_not_utf8_is_one_message(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(SPEC.replace("Two balls", "Zwei Bälle").encode("latin-1"))
    for command in (["check"], ["render", *TINY, "-o", str(tmp_path / "x.mp4")]):
        r = cli(*command, str(path))
        assert r.exit_code == 2, r.output
        assert "latin1.toml:1: not UTF-8 text (byte 0xe4); save the spec as UTF-8" in r.output
        assert "Traceback" not in r.output
    assert not (tmp_path / "x.mp4").exists()


@pytest.mark.parametrize(("change", "message"), [
    (lambda s: s + 'label = "GD"\n', "runs[1]: its label 'GD' is also runs[0]'s"),
    (lambda s: s.replace('"momentum"\nlr = 0.2\nbeta = 0.9', '"gd"\nlr = 0.4'),
     "runs[1]: it would be labelled 'GD' like runs[0] (the same optimizer and settings)"),
])
def test_two_runs_may_not_share_a_label(tmp_path: Path, change, message: str) -> None:
    r = cli("check", str(spec_file(tmp_path, change(SPEC))))
    assert r.exit_code == 2 and message in r.output, r.output


def test_a_misspelt_key_is_one_message_in_the_files_order(tmp_path: Path) -> None:
    text = SPEC.replace("steps = 4", "stpes = 4").replace("lr = 0.2", "lr = -0.2")
    text += '\n[show]\nplots = [{ serie = "loss" }]\n'
    with pytest.raises(SpecError) as err:
        load_spec(spec_file(tmp_path, text))
    lines = str(err.value).splitlines()
    assert len(lines) == 3, lines  # no second "missing key 'steps'"
    assert [int(line.split(":")[1]) for line in lines] == [3, 12, 16]
    assert "unknown key 'stpes'. Did you mean 'steps'?" in lines[0]
    assert "unknown key 'serie'. Did you mean 'series'?" in lines[2]


def test_problems_the_runs_find_name_their_file_and_line(tmp_path: Path) -> None:
    """Noise on a data surface (dynamics refuses it) and a plot of a series no run records
    are found by computing the runs: they name the file and the line too."""
    text = SPEC.replace("elongated_bowl", "linear_regression").replace("[-5, -2]", "[1, 1]")
    text = text.replace("lr = 0.4", "lr = 0.01\nnoise = 0.5")
    r = cli("check", str(spec_file(tmp_path, text)))
    assert r.exit_code == 2
    assert "lesson.toml:6: runs[0]: 'linear_regression' is a data surface" in r.output
    text = SPEC + '\n[show]\nplots = ["exp_avg"]\n'
    r = cli("check", str(spec_file(tmp_path, text)))
    assert r.exit_code == 2
    assert "lesson.toml:16: show.plots[0]: no run records 'exp_avg'" in r.output


def test_a_single_runs_table_says_to_double_the_brackets(tmp_path: Path) -> None:
    text = SPEC.split("[[runs]]")[0] + '[runs]\noptimizer = "gd"\nlr = 0.4\n'
    r = cli("check", str(spec_file(tmp_path, text)))
    assert r.exit_code == 2 and "write each run as a [[runs]] table" in r.output


def test_a_data_surfaces_parameters_are_named_with_a_suggestion() -> None:
    with pytest.raises(dyn.OptirollError, match=r"no parameter 'nn'. Did you mean 'n'\? Its "
                                                r"parameters: n, theta, noise_std, seed"):
        dyn.surface("linear_regression", nn=3)


def test_a_zero_hold_renders(tmp_path: Path) -> None:
    os.chdir(tmp_path)
    r = cli("render", str(spec_file(tmp_path, SPEC + "\n[pacing]\nhold = 0\n")), *TINY,
            "-o", "clip.mp4")
    assert r.exit_code == 0, r.output
    assert frame_count(tmp_path / "clip.mp4") > 20


def test_upper_case_suffixes_and_nameless_new(tmp_path: Path) -> None:
    os.chdir(tmp_path)
    assert cli("check", str(spec_file(tmp_path, name="base.TOML"))).exit_code == 0
    r = cli("new", "")
    assert r.exit_code == 2 and "give one, e.g. optiroll new my_lesson" in r.output
    assert not list(tmp_path.glob(".*"))
    assert cli("new", "first").exit_code == 0
    assert "optiroll render first.toml -ql" in (tmp_path / "first.toml").read_text()


# -- Python lessons -------------------------------------------------------------------------
LESSON = """from optiroll.scenes.lesson import LessonSpec, RunSpec
from optiroll.scenes.lesson.scene import Lesson


class Mine(Lesson):
    spec = LessonSpec(title="x", surface="ravine", steps=4, start=(-2, 0.2),
                      runs=[RunSpec(optimizer="gd", lr=LR)])
"""


def with_hook(signature: str, body: str) -> str:
    """LESSON (lr 0.1) with a hook ``def SIGNATURE: BODY`` as a staticmethod."""
    return (LESSON.replace("LR", "0.1")
            + f"\n    @staticmethod\n    def {signature}:\n        {body}\n")


@pytest.mark.parametrize(("body", "message"), [
    (LESSON.replace("LR", "-0.1"), "mine.py:7: lr: lr must be in [0, inf), got -0.1"),
    ("import nosuchmodule\n", "mine.py:1: ModuleNotFoundError: No module named 'nosuchmodule'"),
    (LESSON.replace("LR", "0.1") + "\n    def conclusions(prepared):\n        return []\n",
     "Mine.conclusions: Mine.conclusions() takes 1 positional argument but 3 were given; "
     "write it as a staticmethod `def conclusions(spec, runs, labels)`"),
    ("X = 1\n", "defines no scene: a lesson file needs a class deriving from Lesson"),
    # hooks that return the wrong kind of value (a string had been shown a character a
    # line; a number failed deep inside Manim)
    (with_hook("facts(spec, runs, labels)", "return 'one sentence'"),
     "Mine.facts returned a string; it must return a list of sentences (strings)"),
    (with_hook("conclusions(spec, runs, labels)", "return [1.5]"),
     "Mine.conclusions returned a float at [0] (1.5); it must return a list of sentences"),
    (with_hook("series(spec, runs)", "return [r.loss for r in runs]"),
     "Mine.series returned a list; it must return a dict from a series' name to a list of "
     "one array per run"),
    (with_hook("series(spec, runs)", "return {'d': [r.loss for r in runs] * 2}"),
     "Mine.series returned 2 entries for 'd' where the lesson has 1 run"),
    (with_hook("facts(spec, runs, labels)", "['a sentence']"),
     "Mine.facts returned None (is its `return` missing?); it must return a list"),
])
def test_python_lesson_errors_are_bad_input_in_check_and_render(
        tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "mine.py"
    path.write_text(body)
    for command in (["check"], ["render", *TINY, "-o", str(tmp_path / "x.mp4")]):
        r = cli(*command, str(path))
        assert r.exit_code == 2, (command, r.output)
        assert message in r.output and "ValidationError" not in r.output, r.output
        assert "Traceback" not in r.output
    assert not (tmp_path / "x.mp4").exists()


# -- runs that cannot go on ----------------------------------------------------------------
def test_a_loss_that_stops_being_finite_is_a_divergence() -> None:
    """log(x) at x < 0: gradient descent jumps past the domain's edge at step 2; the run
    stops there (its legend says "diverged at step 2"), never jumping on from a NaN loss."""
    s = dyn.surface("log(x) + y**2", view=((-1, 3), (-1, 1)))
    run = dyn.rollout(s, dyn.optimizer("gd", lr=0.1), (0.5, 0.5), 10)
    assert run.diverged_at == 2
    assert np.isfinite(run.positions[2]).all() and run.positions[2, 0] < 0
    assert np.isnan(run.positions[3:]).all()
    # a batch of balls: only the one that left the domain stops
    runs = dyn.rollout(s, dyn.optimizer("gd", lr=0.1), [(0.5, 0.5), (2.0, 0.5)], 10)
    assert list(runs.diverged_at) == [2, -1]


def test_a_formula_undefined_on_part_of_the_view_is_named_not_warned(tmp_path: Path) -> None:
    """log(x) on a view reaching x < 0: numpy's "invalid value encountered in log" had
    leaked onto the console, `check` said nothing of the blank half of the map, and the
    legend said "diverged at step 6" where the ball had stepped out of the domain. Now
    no warning, a note on the share of the view left blank, and the legend, the closing
    card and the note say the loss is undefined where the ball stopped."""
    import warnings

    from optiroll.scenes.lesson.prepare import generic_conclusions, readout_strings

    text = ('title = "Log"\nsurface = "log(x) + y^2"\nview = [[-1, 2], [-1, 2]]\n'
            'steps = 10\nstart = [1, 1]\n[[runs]]\noptimizer = "gd"\nlr = 0.1\n')
    path = spec_file(tmp_path, text)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's RuntimeWarnings would raise
        spec = load_spec(path)
        p = prepare(spec)
        z = spec.surface_object.grid(60)[2]
    assert np.isnan(z[:, :19]).all() and np.isfinite(z[:, 21:]).all()
    run = p.runs[0]
    k = int(run.diverged_at)
    assert readout_strings(run, spec.surface_object.view)[-1] == f"loss undefined at step {k}"
    assert generic_conclusions(spec, p.runs, p.labels)[0] == (
        f"GD stops at step {k}: its loss is undefined there")
    r = cli("check", str(path))
    assert r.exit_code == 0, r.output
    assert "the loss is undefined or infinite on 33 % of the view" in r.output
    assert f"note: GD reaches a point where the loss is undefined at step {k}" in r.output
    assert "RuntimeWarning" not in r.output
    outside = spec_file(tmp_path, text.replace("start = [1, 1]", "start = [-0.5, 1]"))
    r = cli("check", str(outside))
    assert r.exit_code == 2 and ("the loss or gradient of log(x) + y^2 is not finite at the "
                                 "start (-0.5, 1); choose another start") in r.output, r.output


def test_newtons_model_where_the_hessian_is_singular(tmp_path: Path) -> None:
    """x + y²: the Hessian is singular everywhere, Newton diverges, and the model is simply
    not drawn (it was a LinAlgError)."""
    text = ('title = "n"\nsurface = "x + y**2"\nview = [[-2, 2], [-2, 2]]\nsteps = 5\n'
            'start = [1, 1]\n[[runs]]\noptimizer = "newton"\nlr = 1\n[show]\nmodel = true\n')
    p = prepare(load_spec(spec_file(tmp_path, text)))
    assert not p.models[0].valid.any()
    assert cli("check", str(tmp_path / "lesson.toml")).exit_code == 0


def test_check_notes_what_the_viewer_sees() -> None:
    r = cli("check", "learning_rate", "curvature")
    assert "note: lr 0.12 leaves the map at step 7 (and diverges at step 38)" in r.output
    assert "1 run, 3 steps" in r.output and "1 runs" not in r.output


# -- decks ----------------------------------------------------------------------------------
def test_a_deck_at_a_tiny_size_and_its_assets_folder(tmp_path: Path) -> None:
    """A PPTX slide is PowerPoint's 13.33-inch widescreen slide whatever the video's pixels
    (160 pixels was under the 1-inch minimum); a folder in the way of the HTML deck's assets
    that is not an earlier deck's is refused, not replaced."""
    from pptx import Presentation

    spec = str(spec_file(tmp_path))
    (tmp_path / "talk_assets").mkdir()
    (tmp_path / "talk_assets" / "mine.txt").write_text("keep me")
    r = cli("slides", spec, *TINY, "--html", str(tmp_path / "talk.html"))
    assert r.exit_code == 2 and "is not an earlier deck's" in r.output
    assert (tmp_path / "talk_assets" / "mine.txt").is_file()
    r = cli("slides", spec, *TINY, "--pptx", str(tmp_path / "deck.pptx"))
    assert r.exit_code == 0, r.output
    assert "Generating video slides" not in r.output
    deck = Presentation(str(tmp_path / "deck.pptx"))
    assert round(deck.slide_width.inches, 2) == 13.33 and round(deck.slide_height.inches, 2) == 7.5


# -- what the README and the examples say ----------------------------------------------------
@pytest.mark.parametrize("example", sorted((REPO / "examples").glob("*.toml")),
                         ids=lambda p: p.stem)
def test_each_examples_render_line_names_itself(example: Path) -> None:
    said = re.findall(r"optiroll render (\S+\.toml)", example.read_text())
    assert said == [f"examples/{example.name}"], said


def test_the_readmes_quoted_closing_sentence_is_computed() -> None:
    spec = REPO / "examples" / "adaptive_trio.toml"
    sentence = prepare(load_spec(spec)).conclusions[0]
    readme = " ".join((REPO / "README.md").read_text().split())
    assert f'("{sentence}")' in readme, sentence
    lines = len(spec.read_text().splitlines())
    assert f"{lines}-line spec" in readme
