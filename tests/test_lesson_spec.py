"""Lesson specs: every documented key does what the README says; bad specs get one clear
message per problem, naming the file, line and fix."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import run_folder
from manim import tempconfig
from optiroll import dynamics as dyn
from optiroll.scenes.kit.balls import VectorArrow
from optiroll.scenes.lesson import SpecError, load_spec, validate
from optiroll.scenes.lesson.acts import Closing, Replay, Surface3D, Title
from optiroll.scenes.lesson.acts.race import TURN_ENTER, TURN_REWIND, arrow_turns
from optiroll.scenes.lesson.prepare import prepare
from optiroll.scenes.lesson.scene import Lesson, lesson_class
from optiroll.scenes.lesson.spec import (
    RUN_KEYS,
    CameraKey,
    CameraSpec,
    LessonSpec,
    PacingSpec,
    PlotSpec,
    RunSpec,
    ShowSpec,
    SlidesSpec,
)

#: this session's own media folder: Manim's text cache is not safe to share between
#: processes (a render beside the tests could clash with them in one fixed folder)
MEDIA = run_folder("optiroll-spec-tests-")  # (removed when the run ends)

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()
BASE = {"title": "T", "surface": "elongated_bowl", "steps": 8, "start": [-5, -2],
        "runs": [{"optimizer": "gd", "lr": 0.4}, {"optimizer": "adam", "lr": 0.4}]}


def spec_with(**changes) -> LessonSpec:
    data = {k: (v.copy() if isinstance(v, dict) else v) for k, v in BASE.items()}
    for key, value in changes.items():
        if "__" in key:
            table, sub = key.split("__")
            data.setdefault(table, {})[sub] = value
        else:
            data[key] = value
    return validate(data)


def set_up(s: LessonSpec) -> Lesson:
    """A lesson with its stage built, nothing played."""
    with tempconfig({"pixel_width": 320, "pixel_height": 180, "frame_rate": 5,
                     "verbosity": "ERROR", "media_dir": MEDIA}):
        scene = lesson_class(s)()
        scene.setup()
    return scene


def played(s: LessonSpec) -> Lesson:
    """A lesson played through without writing frames (every act's end state)."""
    with tempconfig({"pixel_width": 320, "pixel_height": 180, "frame_rate": 5,
                     "save_last_frame": True, "write_to_movie": False, "verbosity": "ERROR",
                     "disable_caching": True, "media_dir": MEDIA}):
        scene = lesson_class(s)()
        scene.render()
    return scene


# -- the reference in the README covers every key ----------------------------------------
def documented_keys() -> set[str]:
    section = README.split("## Lesson spec reference", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([^`]+)` \|", section, flags=re.M))


def model_keys() -> set[str]:
    keys = {k for k in LessonSpec.model_fields
            if k not in ("show", "pacing", "camera", "runs", "slides")}
    keys |= {f"slides.{k}" for k in SlidesSpec.model_fields}
    keys |= {f"show.{k}" for k in ShowSpec.model_fields}
    keys |= {f"pacing.{k}" for k in PacingSpec.model_fields}
    keys |= {f"camera.{k}" for k in CameraSpec.model_fields}
    keys |= {f"camera.path[].{k}" for k in CameraKey.model_fields}
    keys |= {f"show.plots[].{k}" for k in PlotSpec.model_fields}
    keys |= {f"runs[].{k}" for k in RUN_KEYS} | {"runs[].<hyperparameter>",
                                                 "runs[].schedule.<parameter>"}
    return keys


def test_every_key_is_documented_and_every_documented_key_exists() -> None:
    assert documented_keys() == model_keys()
    assert set(RunSpec.model_fields) == set(RUN_KEYS)


# -- each key does what it says --------------------------------------------------------------
def test_top_level_keys() -> None:
    s = spec_with(view=[[-4, 4], [-2.5, 2.5]], steps=5, start=[-3, 1], seed=3)
    assert s.surface_object.view == ((-4.0, 4.0), (-2.5, 2.5))
    runs = s.rollouts()
    assert runs[0].positions.shape == (6, 2) and tuple(runs[0].positions[0]) == (-3.0, 1.0)
    assert s.seed_of(0) == 3
    formula = spec_with(surface="x**2 + 3*y**2", view=[[-2, 2], [-2, 2]], start=[1, 1])
    np.testing.assert_allclose(formula.surface_object.value(np.array([1.0, 1.0])), 4.0)
    data = validate({**BASE, "surface": "linear_regression", "start": [0, 0],
                     "surface_options": {"n": 5, "seed": 2},
                     "runs": [{"optimizer": "sgd", "lr": 0.01, "batch_size": 2},
                              {"optimizer": "sgd", "lr": 0.01, "batch_size": 2, "seed": 9}]})
    assert len(data.surface_object.data.x) == 5
    a, b = data.rollouts()
    assert not np.array_equal(a.positions, b.positions)  # per-run seeds pick other batches


def test_a_lone_rule_with_a_key_stays_in_the_header() -> None:
    """One Adam run: its rule beside the title, as before the key existed (moved to the
    title act's card, it had never been shown with ``show.title = false``)."""
    for title in (True, False):
        lesson = set_up(spec_with(runs=[{"optimizer": "adam", "lr": 0.4}],
                                  show={"title": title}))
        assert lesson.stage.rules_in_header and len(lesson.stage.rules) == 1


def test_long_rules_stand_one_under_another_when_that_shows_them_larger() -> None:
    """Five rules of the Adam family had been set in two columns, shrunk to fit the width
    (text ~10 px at 720p, half the card's height empty): one column shows them larger.
    The card takes whichever arrangement fits its area at the larger scale."""
    family = [{"optimizer": n, "lr": 0.4} for n in ("adam", "adamw", "nadam", "radam",
                                                      "adamax")]
    lesson = set_up(spec_with(runs=family))
    stage = lesson.stage
    body, key = stage.rules
    assert len(body) == 5 and len(key) >= 3  # one column of five rules; key lines beneath
    tops = [item.get_top()[1] for item in body]
    assert tops == sorted(tops, reverse=True)


def test_title_subtitle_formula_rules_minima_settings() -> None:
    on = set_up(spec_with(subtitle="a subtitle"))
    assert "".join(line.text for line in on.stage.header.title).replace(" ", "") == "T"
    assert len(on.stage.header.lines) == 3 and len(on.stage._rule_items) == 2
    body, key = on.stage.rules  # GD's and Adam's rules, and the key of g, m-hat, v-hat
    assert len(body) == 2 and len(key) == 1
    assert len(on.stage.minima) == 1 and on.prepared.settings == "lr 0.4 · start (-5, -2)"
    off = set_up(spec_with(show={"formula": False, "rules": False, "minima": False,
                                 "settings": False, "title": False}))
    assert len(off.stage.header.lines) == 1 and len(off.stage.rules) == 0
    assert len(off.stage.minima) == 0 and off.prepared.settings is None
    assert not any(isinstance(a, Title) for a in off.acts)
    assert any(isinstance(a, Title) for a in on.acts)


def test_show_acts() -> None:
    plain = set_up(spec_with())
    assert [type(a).__name__ for a in plain.acts] == ["Title", "Race", "Closing"]
    full = set_up(spec_with(show={"plots": ["loss"], "surface3d": True}))
    assert [type(a) for a in full.acts][2:] == [Replay, Surface3D, Closing]
    quiet = set_up(spec_with(show={"closing": False}))
    assert not any(isinstance(a, Closing) for a in quiet.acts)


def test_swarm_and_basins_keys() -> None:
    """A swarm rolls many seeded starts per run on maps side by side, each ball labelled
    by the well it settles in; basins add a map per run; both check their inputs."""
    from optiroll.dynamics.basins import Basins, basin_map, default_tol

    wells = {"surface": "wells", "start": [0, 0], "steps": 40,
             "runs": [{"optimizer": "gd", "lr": 0.3},
                      {"optimizer": "momentum", "lr": 0.3, "beta": 0.9}]}
    s = validate({**BASE, **wells, "show": {"swarm": 40, "swarm_seed": 2, "basins": 24}})
    lesson = set_up(s)
    names = [type(a).__name__ for a in lesson.acts]
    assert names == ["Title", "SwarmAct", "BasinsAct", "Closing"]
    p = lesson.prepared
    surface = s.surface_object
    deepest = int(np.argmin([float(surface.value(np.array(m))) for m in surface.minima]))
    for i, sw in enumerate(p.swarms):
        assert sw.positions.shape == (40, 41, 2) and sw.deepest == deepest
        assert sw.shares[-1] == pytest.approx(np.mean((sw.labels == deepest)
                                                      & (sw.arrivals >= 0)))
        tol = default_tol(surface, np.asarray(surface.minima))
        for b in np.flatnonzero(sw.arrivals >= 0):  # from its arrival on, it stays there
            gone = sw.positions[b, sw.arrivals[b]:] - surface.minima[sw.labels[b]]
            assert np.all(np.linalg.norm(gone, axis=1) <= tol)
        rng = np.random.default_rng(2)  # show.swarm_seed: x then y, uniform over the view
        starts = np.column_stack([rng.uniform(-3.5, 3.5, 40), rng.uniform(-3.5, 3.5, 40)])
        again = dyn.rollout(surface, s.runs[i].built_optimizer, starts, 40, record=())
        assert np.array_equal(sw.positions, again.positions)
        labels = basin_map(surface, s.runs[i].built_optimizer, 24, 24, 40)
        assert np.array_equal(p.basin_maps[i].labels, labels)
        assert p.basin_maps[i].share == pytest.approx(np.mean(labels == deepest))
        assert np.array_equal(sw.labels, Basins(surface.minima, tol)(again))
    assert p.readouts[0][-1] == f"{round(100 * p.swarms[0].shares[-1])} % in the deepest well"
    assert p.conclusions[0].startswith(f"GD: {round(100 * p.swarms[0].shares[-1])} % of 40 "
                                       "random starts settle in the deepest well")
    assert p.conclusions[-1].startswith("the deepest well's basin covers ")
    problems = {
        "no minima": {"surface": "x**2 + y**2", "view": [[-2, 2], [-2, 2]],
                      "show": {"swarm": 10}},
        "several at the same loss": {"surface": "himmelblau", "show": {"swarm": 10}},
        "add swarm = 300": {"show": {"swarm_seed": 3}},
        "leave out data and readout": {"show": {"swarm": 10, "readout": "position"}},
        "on the swarm's maps": {"show": {"basins": 16}},
        "noise or mini-batches": {"show": {"swarm": 10, "basins": 16},
                                  "runs": [{"optimizer": "gd", "lr": 0.3, "noise": 0.1}]},
        "side by side": {"show": {"swarm": 10, "plots": ["loss"]}},
    }
    for message, change in problems.items():
        with pytest.raises(SpecError, match=message):
            validate({**BASE, **wells, **change})
    # a swarm's balls start all over the view: it needs no start, and shows none
    bare = {k: v for k, v in {**BASE, **wells}.items() if k != "start"}
    swarm = validate({**bare, "show": {"swarm": 10}})
    assert "start" not in (set_up(swarm).prepared.settings or "")
    with pytest.raises(SpecError, match="no start for this run"):
        validate({**bare, "show": {"plots": ["loss"]}})


def test_basin_maps_run_on_the_cores_to_the_same_labels(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """A lesson's basin maps run their chunks in forked processes on the render's cores
    (prepare.chunk_pool): the same labels as one process; one core, or one chunk, runs
    them here."""
    from optiroll.scenes.lesson import prepare as prep

    pools: list[int] = []
    pool = prep.ProcessPoolExecutor

    def counted(*args: object, **kwargs: object) -> object:
        pools.append(int(kwargs["max_workers"]))
        return pool(*args, **kwargs)

    monkeypatch.setattr(prep, "ProcessPoolExecutor", counted)
    wells = {"surface": "wells", "start": [0, 0], "steps": 30,
             "runs": [{"optimizer": "gd", "lr": 0.3},
                      {"optimizer": "momentum", "lr": 0.3, "beta": 0.9}]}
    s = validate({**BASE, **wells, "show": {"swarm": 8, "basins": 100}})  # 3 chunks a map

    one = prepare(s, cores=1)
    assert pools == []
    two = prepare(s, cores=2)
    assert pools == [2]
    for a, b in zip(one.basin_maps, two.basin_maps, strict=True):
        assert a.labels.shape == (100, 100) and np.array_equal(a.labels, b.labels)
        assert len(np.unique(a.labels)) > 1
    small = validate({**BASE, **wells, "show": {"swarm": 8, "basins": 60}})
    prepare(small, cores=2)  # a map of one chunk (each map in turn): here
    assert pools == [2]
    # a lesson's own cores, for itself and for each of its parts (cores = 1: here)
    part = type("Part", (prep.Part,), {"spec": s})
    lone = type("Lone", (lesson_class(s),), {"cores": 1})
    parted = type("Parted", (lesson_class(s),), {"cores": 1, "parts": (part,)})
    assert len(lone.prepare_parts()) == len(parted.prepare_parts()) == 1
    assert pools == [2]
    type("Two", (parted,), {"cores": 2}).prepare_parts()
    assert pools == [2, 2]
    monkeypatch.setenv("OPTIROLL_CORES", "x")
    with pytest.raises(SpecError, match="OPTIROLL_CORES='x'"):
        prepare(s)


def test_a_swarm_of_four_runs_without_title_or_basins_plays_and_fits() -> None:
    """Four columns on a wide view, no title act (the header comes in with the swarm), no
    basins: every act plays, the columns stay apart and inside the frame, the readouts
    fit their columns, the header stays, and stars outside the view are not drawn."""
    from manim import config

    s = validate({**BASE, "surface": "wells", "start": [0, 0], "steps": 20,
                  "view": [[-1, 3.5], [-1, 2]],  # only the deepest well's star inside
                  "runs": [{"optimizer": "gd", "lr": 0.3, "label": "a long label, run one"},
                           {"optimizer": "momentum", "lr": 0.3, "beta": 0.9},
                           {"optimizer": "nesterov", "lr": 0.1, "beta": 0.9},
                           {"optimizer": "adam", "lr": 0.2}],
                  "show": {"swarm": 12, "title": False}})
    lesson = played(s)
    cols = lesson.stage.columns
    boxes = [(c.get_left()[0], c.get_right()[0]) for c in cols.columns]
    assert all(a[1] < b[0] for a, b in zip(boxes, boxes[1:], strict=False))
    assert boxes[0][0] > -config.frame_width / 2 and boxes[-1][1] < config.frame_width / 2
    for m, read in zip(cols.maps, cols.readouts, strict=True):
        assert read.natural_width <= m.box.width + 0.9  # within its column
    assert lesson.stage.header in lesson.mobjects
    assert all(len(stars) == 1 for stars in cols.stars)
    assert len(lesson.prepared.conclusions) == 1  # four runs' shares in one sentence
    # four columns keep more room with the card across the bottom than beside them
    assert lesson.stage.card.get_top()[1] < min(c.get_bottom()[1] for c in cols.columns)
    # ... and stay at the top, under the header, rather than float down towards the card
    from optiroll.scenes.lesson.acts.swarm import region

    assert cols.get_top()[1] == pytest.approx(region(lesson).top, abs=0.02)


def test_two_swarm_columns_close_with_the_card_beside_them() -> None:
    """The local-minima lesson: two square maps and four sentences. The closing card goes
    to the maps' right, wrapped into a column, where the maps keep their size (above a
    card across the bottom they would shrink); nothing overlaps or leaves the frame."""
    from manim import config
    from optiroll.scenes.lesson.layout import Box
    from optiroll.scenes.local_minima import LocalMinima

    with tempconfig({"pixel_width": 320, "pixel_height": 180, "frame_rate": 5,
                     "save_last_frame": True, "write_to_movie": False, "verbosity": "ERROR",
                     "disable_caching": True, "media_dir": MEDIA}):
        lesson = LocalMinima()
        lesson.render()
    cols, card = lesson.stage.columns, lesson.stage.card
    assert card.get_left()[0] > cols.get_right()[0]
    assert card.get_top()[1] > cols.get_bottom()[1]  # side by side, not stacked
    # above a card across the bottom, the columns would shrink (to 84 % here)
    from optiroll.scenes.kit.motion import fit_target
    from optiroll.scenes.lesson.acts.swarm import region

    wide = lesson.stage.layout["closing"]["card"]
    assert fit_target(cols, region(lesson, wide.top + 0.25)).width < 0.9 * cols.width
    frame = Box(-config.frame_width / 2, config.frame_width / 2, -config.frame_height / 2,
                config.frame_height / 2)
    boxes = lesson.snapshots["closing"]
    for name, box in boxes.items():
        assert box.inside(frame, tol=1e-3), name
    assert not boxes["card"].overlaps(boxes["header"])


LONG_SENTENCES = [
    "Gradient descent settles in the well nearest its start, so the share of balls in "
    "the deepest well is the share of the view that drains into it.",
    "Momentum carries many balls over the ridges between the wells, and some of them "
    "settle in a well far away from the place where they started rolling.",
    "Neither optimizer finds the deepest well from every start: where a ball starts "
    "still decides where it lands, for both of them, on this surface.",
    "Restarting from several random points and keeping the lowest result is the usual "
    "remedy, and it is what the basin maps suggest for both optimizers here.",
]


def test_four_long_sentences_close_below_two_swarm_columns() -> None:
    """Two columns would leave room for the card beside them, but four long sentences
    wrapped into that column would be shrunk to fit its height (to about half body
    size): the card goes below, across the width, its text at least 80 % of body size,
    and the columns stay at the top."""
    from optiroll.scenes.lesson.acts.swarm import (
        CARD_SHARE,
        CARD_TEXT_FLOOR,
        closing_boxes,
        region,
    )
    from optiroll.scenes.lesson.layout import Box
    from optiroll.scenes.lesson.stage import card_scale

    s = validate({**BASE, "surface": "wells", "start": [0, 0], "steps": 20,
                  "runs": [{"optimizer": "gd", "lr": 0.3},
                           {"optimizer": "momentum", "lr": 0.3, "beta": 0.9}],
                  "show": {"swarm": 12, "title": False}})
    wordy = type("Wordy", (lesson_class(s),), {
        "conclusions": staticmethod(lambda spec, runs, labels: LONG_SENTENCES)})
    with tempconfig({"pixel_width": 320, "pixel_height": 180, "frame_rate": 5,
                     "save_last_frame": True, "write_to_movie": False, "verbosity": "ERROR",
                     "disable_caching": True, "media_dir": MEDIA}):
        lesson = wordy()
        lesson.render()
        plan = closing_boxes(lesson)
        r = region(lesson)
        column = Box(r.right - CARD_SHARE * r.width, r.right, r.bottom, r.top)
        beside = card_scale(lesson.stage.make_card(column.width), column)
    cols, card = lesson.stage.columns, lesson.stage.card
    # sentences wrapped into a card share its measure: lines as full as fit, not
    # balanced lines that leave a shorter sentence in a narrow column of its own
    stage, prepared = lesson.stage, lesson.stage.p
    stage.p = SimpleNamespace(conclusions=[
        "of 200 random starts, the deepest well (loss −1.84) catches 46 % under "
        "gradient descent, 52 % under momentum, β 0.95, 46 % under Nesterov, β 0.9, "
        "50 % under Adam",
        "the deepest well's basin covers 42 % of the map under gradient descent, 52 % "
        "of the map under momentum, β 0.95, 43 % of the map under Nesterov, β 0.9, "
        "48 % of the map under Adam"])
    mixed = stage.make_card(13.4)  # at 1080p: balanced lines had left the second at 68 %
    stage.p = prepared
    assert beside < CARD_TEXT_FLOOR == 0.8  # what the card beside would have been
    assert min(t.width for t in mixed) >= 0.85 * max(t.width for t in mixed)
    assert not plan.beside and card is plan.card
    assert card.get_top()[1] < cols.get_bottom()[1]  # stacked, not side by side
    assert card_scale(card) >= CARD_TEXT_FLOOR
    assert cols.get_top()[1] == pytest.approx(r.top, abs=0.02)


def test_layer_fade_out_uses_the_layers_own_opacity() -> None:
    """A 3-D layer fades out through ``layer_opacity`` (FadeOut would deep-copy its
    cairo surface) and gets its opacity back once it has left the scene."""
    from manim import Scene, ValueTracker, VMobject
    from optiroll.scenes.kit.motion import LayerFadeOut, fade_out

    class Layer(VMobject):
        pass

    layer = Layer()
    layer.layer_opacity = ValueTracker(0.8)
    layer.set_points_as_corners([[0, 0, 0], [1, 0, 0]])
    assert isinstance(fade_out(layer), type(fade_out(layer)))  # vectorized: a Fade
    with tempconfig({"pixel_width": 64, "pixel_height": 36, "write_to_movie": False,
                     "verbosity": "ERROR"}):
        scene = Scene()
        scene.add(layer)
        anim = LayerFadeOut(layer)
        anim.begin()
        anim.interpolate(0.5)
        assert layer.layer_opacity.get_value() == pytest.approx(0.8 * (1 - anim.rate_func(0.5)))
        anim.finish()
        assert layer.layer_opacity.get_value() == pytest.approx(0.0)
        anim.clean_up_from_scene(scene)
        assert layer not in scene.mobjects and layer.layer_opacity.get_value() == 0.8


def test_plots_in_both_spellings() -> None:
    s = spec_with(show={"plots": ["loss", {"series": "step_size.y", "log": False,
                                           "label": "$eta_y$", "caption": "per coordinate"}]})
    p = prepare(s)
    loss, step = p.plots
    assert loss.log and loss.label == "loss" and len(loss.series) == 2
    assert not step.log and step.label == "$eta_y$" and step.caption == "per coordinate"
    np.testing.assert_array_equal(step.series[1], p.runs[1].state["step_size"][:, 1])
    both = prepare(spec_with(show={"plots": ["update"]})).plots[0]
    assert both.dashed == [False, False, True, True] and both.key == "solid: x, dashed: y"


def test_arrows_keys() -> None:
    p = prepare(spec_with(show={"arrows": ["gradient", "velocity"], "arrow_scale": 0.5}))
    grad = next(a for a in p.arrows if a.kind == "gradient" and a.run == 0)
    np.testing.assert_allclose(grad.vectors[0], -0.4 * 0.5 * p.runs[0].gradient[0])
    vel = next(a for a in p.arrows if a.kind == "velocity" and a.run == 1)
    np.testing.assert_allclose(vel.vectors[2], 0.5 * p.runs[1].update[3])
    nest = validate({**BASE, "runs": [{"optimizer": "nesterov", "lr": 0.1, "beta": 0.5}],
                     "show": {"arrows": ["lookahead"]}})
    ahead = prepare(nest).arrows[0]
    run = prepare(nest).runs[0]
    np.testing.assert_allclose(ahead.positions[0], run.positions[0])  # v_0 = 0
    np.testing.assert_allclose(ahead.positions[1], run.positions[1] - 0.1 * 0.5 * 0.1
                               * run.state["velocity"][1] / 0.1)
    slow = set_up(spec_with(show={"arrows": ["gradient"], "arrow_steps": 3},
                            pacing={"arrow_speed": 1.0, "race_speed": 5.0}))
    fast = set_up(spec_with(show={"arrows": ["gradient"], "arrow_steps": 1},
                            pacing={"arrow_speed": 1.0, "race_speed": 5.0}))
    race = [a for a in slow.acts if a.name == "race"][0]
    assert race.seconds(slow) - race.seconds(fast) == pytest.approx(2 * (1.0 - 0.2))


def test_run_arrows_and_arrows_in_turn() -> None:
    """A run's ``arrows`` picks its kinds from show.arrows; with arrows_in_turn the arrow
    steps play once per run that draws any, the timeline rewound between turns."""
    runs = [{"optimizer": "momentum", "lr": 0.1, "beta": 0.5, "arrows": ["gradient"]},
            {"optimizer": "nesterov", "lr": 0.1, "beta": 0.5, "arrows": ["lookahead"]},
            {"optimizer": "gd", "lr": 0.1, "arrows": []}]
    show = {"arrows": ["gradient", "lookahead"], "arrow_steps": 3}
    s = validate({**BASE, "runs": runs, "show": show})
    assert [(a.kind, a.run) for a in prepare(s).arrows] == [("gradient", 0), ("lookahead", 1)]
    assert s.arrow_runs() == [0, 1]
    every = validate({**BASE, "runs": [{k: v for k, v in r.items() if k != "arrows"}
                                       for r in runs], "show": show})
    assert [(a.kind, a.run) for a in prepare(every).arrows] == [
        ("gradient", 0), ("gradient", 1), ("gradient", 2), ("lookahead", 1)]

    together = set_up(validate({**BASE, "runs": runs, "show": show,
                                "pacing": {"arrow_speed": 1.0}}))
    in_turn = set_up(validate({**BASE, "runs": runs, "show": {**show, "arrows_in_turn": True},
                               "pacing": {"arrow_speed": 1.0}}))
    assert arrow_turns(together) == [{0, 1}] and arrow_turns(in_turn) == [{0}, {1}]
    race = [a for a in together.acts if a.name == "race"][0]
    assert race.seconds(in_turn) - race.seconds(together) == pytest.approx(
        3 / 1.0 + TURN_REWIND + TURN_ENTER)  # (what plays: the render test below)


def test_arrows_in_turn_show_one_runs_arrows_at_a_time() -> None:
    """Played: the first run's arrows alone through the arrow steps, the steps back to 0,
    then the second run's alone; never both (they had covered each other)."""
    runs = [{"optimizer": "momentum", "lr": 0.1, "beta": 0.5, "arrows": ["gradient"]},
            {"optimizer": "nesterov", "lr": 0.1, "beta": 0.5, "arrows": ["lookahead"]}]
    s = validate({**BASE, "runs": runs,
                  "show": {"arrows": ["gradient", "lookahead"], "arrow_steps": 2,
                           "arrows_in_turn": True, "title": False, "closing": False},
                  # every play a whole number of frames: played as long as planned
                  "pacing": {"arrow_speed": 5.0, "race_speed": 30.0, "hold": 0.2}})
    seen: list[tuple[float, set[int]]] = []
    with tempconfig({"pixel_width": 160, "pixel_height": 90, "frame_rate": 5,
                     "verbosity": "ERROR", "media_dir": MEDIA, "disable_caching": True,
                     "write_to_movie": False}):
        lesson = lesson_class(s)()
        play = lesson.play

        def recorded(*args, **kwargs) -> None:
            play(*args, **kwargs)
            runs_of = {id(a.positions): a.run for a in lesson.prepared.arrows}
            shown = {runs_of[id(m.positions)] for m in lesson.get_mobject_family_members()
                     if isinstance(m, VectorArrow) and m.get_stroke_opacity() > 0}
            seen.append((lesson.timeline.iteration, shown))

        lesson.play = recorded
        lesson.render()
        assert lesson.renderer.time == pytest.approx(lesson.planned_seconds(), abs=0.01)
    at_steps = [shown for it, shown in seen if it == 2]
    assert at_steps[:2] == [{0}, {1}], seen  # the first turn's end, then the second's
    assert all(len(shown) <= 1 for _, shown in seen), seen
    assert any(it == 0 and shown == {1} for it, shown in seen), seen  # rewound, then in


def test_data_panel_key() -> None:
    data = {**BASE, "surface": "linear_regression", "start": [0, 0],
            "runs": [{"optimizer": "sgd", "lr": 0.01}]}
    assert prepare(validate(data)).data is not None  # on by default on data surfaces
    assert prepare(validate({**data, "show": {"data": False}})).data is None
    p = prepare(validate(data))
    theta = p.runs[0].positions[4]
    np.testing.assert_allclose(p.data.models[0][4], theta[0] + theta[1] * p.data.x_model)


def test_pacing_keys() -> None:
    def seconds(**pacing) -> dict[str, float]:
        lesson = set_up(spec_with(show={"plots": ["loss"], "surface3d": True}, pacing=pacing))
        return {a.name: a.seconds(lesson) for a in lesson.acts}

    base = seconds(race_speed=4.0, replay_speed=4.0, fly_speed=4.0, hold=1.0)
    assert seconds(race_speed=2.0, replay_speed=4.0, fly_speed=4.0, hold=1.0)["race"] \
        == pytest.approx(base["race"] + 8 / 2 - 8 / 4)
    assert seconds(race_speed=4.0, replay_speed=8.0, fly_speed=4.0, hold=1.0)["replay"] \
        == pytest.approx(base["replay"] - 1.0)
    assert seconds(race_speed=4.0, replay_speed=4.0, fly_speed=1.0, hold=1.0)["surface3d"] \
        == pytest.approx(base["surface3d"] + 8 - 2)
    assert seconds(race_speed=4.0, replay_speed=4.0, fly_speed=4.0, hold=3.0)["closing"] \
        == pytest.approx(base["closing"] + 2.0)
    assert PacingSpec().race(50) == 5.0 and PacingSpec().race(5) == 1.0  # ~10 s races


def test_camera_and_trail_keys() -> None:
    s = spec_with(show={"surface3d": True, "trail_fade": 3.0},
                  camera={"height": 0.5, "follow": False, "perspective": 0.5,
                          "path": [{"azimuth": -100, "elevation": 30, "zoom": 0.8}]})
    lesson = played(s)
    path = lesson.stage.path
    assert path.keys == [(-100.0, 30.0, 0.8)] and path.perspective == 0.5
    assert np.all(path.targets == 0)  # no following: the camera looks at the centre
    r3d = lesson.stage.view3d.renderer3d
    assert r3d.hz * (r3d.zclip - r3d.zmin) == pytest.approx(0.5 * lesson.stage.map.box.height)
    assert all(t.fade_after == 3.0 for t in lesson.stage.trails)
    no_trails = played(spec_with(show={"trails": False}))
    assert len(no_trails.stage.trails) == 0


def test_run_keys() -> None:
    s = validate({**BASE, "runs": [
        {"optimizer": "adam", "lr": 0.1, "betas": [0.8, 0.99], "label": "mine",
         "color": "#123456", "start": [1, 1], "seed": 4,
         "schedule": {"kind": "exponential", "gamma": 0.5}},
        {"optimizer": "sgd", "lr": 0.1, "noise": 0.5}]})
    p = prepare(s)
    assert p.labels[0] == "mine" and p.colors[0] == "#123456"
    opt = s.runs[0].built_optimizer
    assert opt.hyperparams["betas"] == (0.8, 0.99) and opt.lr_at(3) == pytest.approx(0.025)
    assert tuple(p.runs[0].positions[0]) == (1.0, 1.0) and s.seed_of(0) == 4
    quiet = dyn.rollout(s.surface_object, s.runs[1].built_optimizer, (-5, -2), 8)
    assert not np.allclose(quiet.positions, p.runs[1].positions)  # noise = 0.5 applied


def test_default_labels_tell_runs_apart() -> None:
    p = prepare(validate({**BASE, "runs": [
        {"optimizer": "gd", "lr": 0.02}, {"optimizer": "gd", "lr": 0.1},
        {"optimizer": "momentum", "lr": 0.1, "beta": 0.9}]}))
    assert p.labels == ["GD, lr 0.02", "GD, lr 0.1", "Momentum"]
    assert len(set(p.colors)) == 3


def test_a_run_that_flies_past_the_bound_in_one_step_is_named_plainly() -> None:
    """GD at lr 10⁶ on the ravine is past the surface's bound after one step (dynamics
    keeps that point and blanks its loss): its label had read "GD, lr 1e+06" and its
    legend "loss undefined at step 1", for a loss of 10¹⁴. The label writes powers of ten
    as such, and the ball left the map at step 1, as the viewer sees it."""
    from optiroll.scenes.lesson.prepare import gone, readout_strings

    p = prepare(validate({"title": "t", "surface": "ravine", "start": [-2, 0.2], "steps": 5,
                          "runs": [{"optimizer": "gd", "lr": 1e6},
                                   {"optimizer": "gd", "lr": 2.5e-8}]}))
    assert p.labels == ["GD, lr 10⁶", "GD, lr 2.5×10⁻⁸"]
    run, view = p.runs[0], p.spec.surface_object.view
    assert int(run.diverged_at) == 1 and np.isfinite(run.positions[1]).all()
    assert gone(run, view) == (1, True, "")
    assert readout_strings(run, view)[-1] == "left the map at step 1"
    assert p.conclusions[0] == "GD, lr 10⁶ flies off: it leaves the map at step 1"
    # a step that overflows to no point at all: that ball diverged, as before
    s = dyn.surface("x**2 + y**2")
    overflow = dyn.rollout(s, dyn.optimizer("gd", lr=1e308), (1, 1), 5)
    assert np.isnan(overflow.positions[1]).all()
    assert gone(overflow, s.view) == (1, False, "")
    assert readout_strings(overflow, s.view)[-1] == "diverged at step 1"


def test_spec_and_python_lesson_give_identical_rollouts() -> None:
    toml = load_spec(REPO / "examples" / "adaptive_trio.toml")

    class Adaptive(Lesson):
        spec = LessonSpec(
            title="Adaptive step sizes", surface="elongated_bowl", view=((-6, 6), (-3, 3)),
            steps=20, start=(-5, -2),
            runs=[RunSpec(optimizer="adagrad", lr=0.4, eps=1e-6, eps_inside_sqrt=True),
                  RunSpec(optimizer="rmsprop", lr=0.4, alpha=0.9, eps=1e-6,
                          eps_inside_sqrt=True),
                  RunSpec(optimizer="adam", lr=0.4)],
            show=ShowSpec(plots=["loss", "step_size"]), pacing=PacingSpec(race_speed=2))

    assert Adaptive.spec.model_dump() == toml.model_dump()
    for a, b in zip(prepare(toml).runs, Adaptive.prepare().runs, strict=True):
        np.testing.assert_array_equal(a.positions, b.positions)
        np.testing.assert_array_equal(a.state["step_size"], b.state["step_size"])
    adagrad = prepare(toml).runs[0].positions[-1]  # the AdaGrad article's figure
    np.testing.assert_allclose(adagrad, [-2.382563, -0.158591], atol=5e-7)


# -- bad specs -----------------------------------------------------------------------------------
def problems(tmp_path: Path, text: str) -> str:
    path = tmp_path / "lesson.toml"
    path.write_text(text)
    with pytest.raises(SpecError) as err:
        load_spec(path)
    return str(err.value)


GOOD = """title = "T"
surface = "elongated_bowl"
steps = 8
start = [-5, -2]

[[runs]]
optimizer = "gd"
lr = 0.4
"""


def test_toml_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    msg = problems(tmp_path, GOOD.replace("steps = 8", "steps = = 8"))
    assert re.match(r".*lesson\.toml:3:\d+: TOML syntax error", msg), msg


@pytest.mark.parametrize(("bad", "expected"), [
    (GOOD.replace("steps = 8", "stpes = 8"),
     [r"lesson\.toml:3: unknown key 'stpes'\. Did you mean 'steps'\?"]),
    (GOOD + "\n[show]\nplot = [\"loss\"]\n",
     [r"lesson\.toml:11: show: unknown key 'plot'\. Did you mean 'plots'\?"]),
    (GOOD.replace("lr = 0.4", "lr = 0.4\nlrr = 1"),
     [r"lesson\.toml:9: runs\[0\]\.lrr: unknown key 'lrr' in a run\. Did you mean 'lr'\?"]),
    (GOOD.replace("optimizer =", "optimzer ="),  # a missing key, misspelt in a run
     [r"lesson\.toml:7: runs\[0\]\.optimzer: unknown key 'optimzer'\. "
      r"Did you mean 'optimizer'\?"]),
    (GOOD.replace('"elongated_bowl"', '"rosenbrok"'),
     [r"lesson\.toml:2: surface: unknown surface 'rosenbrok'\. Did you mean 'rosenbrock'\?"
      r".*Valid surface names: .*himmelblau"]),
    (GOOD.replace('"gd"', '"adma"'),
     [r"runs\[0\]\.optimizer: unknown optimizer 'adma'\. Did you mean 'adam'\?.*rmsprop"]),
    (GOOD.replace("lr = 0.4", "lr = -0.4"),
     [r"lesson\.toml:8: runs\[0\]\.lr: lr must be in \[0, inf\), got -0\.4"]),
    (GOOD.replace("lr = 0.4", 'lr = "0.4"'),
     [r"runs\[0\]\.lr: lr must be a number, got the string '0\.4'; write it without"]),
    (GOOD.replace('"gd"', '"sgd"').replace("lr = 0.4", "lr = 0.4\nnesterov = 1"),
     [r"runs\[0\]\.nesterov: nesterov must be true or false, got 1"]),
    (GOOD.replace('"gd"', '"sgd"').replace("lr = 0.4", 'lr = 0.4\nnesterov = "no"'),
     [r"runs\[0\]\.nesterov: nesterov must be true or false, got the string 'no'"]),
    (GOOD.replace("steps = 8", "steps = 0"),
     [r"lesson\.toml:3: steps: steps must be at least 1, got 0$"]),
    (GOOD + '\n[show]\narrows = ["grad"]\n',
     [r"show\.arrows\[0\]: arrows must be 'gradient', 'velocity' or 'lookahead', got "
      r"'grad'\. Did you mean 'gradient'\?"]),
    (GOOD + '\n[camera]\nperspective = 2\n',
     [r"camera\.perspective: perspective must be at most 1, got 2"]),
    (GOOD.replace("start = [-5, -2]", "start = [-9, 0]"),
     [r"lesson\.toml:4: start: start \(-9, 0\) lies outside the view x in \[-6, 6\], "
      r"y in \[-3, 3\]: move the start or widen `view"]),
    (GOOD.replace('"elongated_bowl"', '"x**2 +"'),
     [r"surface: cannot use formula at position 6: the formula ends too early", r"\^"]),
    (GOOD.split("[[runs]]")[0] + "runs = []\n",
     [r"runs: the lesson has no runs: add at least one \[\[runs\]\] table"]),
    (GOOD.replace('optimizer = "gd"', 'optimizer = "adam"\nbetas = [0.9, 1.5]'),
     [r"runs\[0\]\.betas: betas\[1\] must be in \[0, 1\), got 1\.5"]),
    (GOOD + '\n[show]\nsurface3d = "yes"\n', [r"show\.surface3d: expected true or false"]),
    (GOOD.replace("start = [-5, -2]", "start = [-5, -2]\nview = [[1, -1], [0, 1]]"),
     [r"lesson\.toml:5: view: view needs xmin < xmax"]),
    (GOOD.replace('"elongated_bowl"', '"linear_regression"').replace(
        "start = [-5, -2]", "start = [0, 0]\nsurface_options = {nn = 3}"),
     [r"lesson\.toml:5: surface_options: surface 'linear_regression'.*'nn'"]),
    (GOOD + '\n[show]\narrows = ["lookahead"]\n',
     [r"show\.arrows: arrows = \[\"lookahead\"\] needs a run with optimizer = \"nesterov\""]),
    (GOOD.replace("lr = 0.4", 'lr = 0.4\narrows = ["velocity"]')
     + '\n[show]\narrows = ["gradient"]\n',
     [r"lesson\.toml:9: runs\[0\]\.arrows: this run draws 'velocity' arrows, which show\.arrows "
      r"does not list \('gradient'\): add 'velocity' to show\.arrows or leave it out of the run"]),
    (GOOD.replace("lr = 0.4", 'lr = 0.4\narrows = ["lookahead"]')
     + '\n[show]\narrows = ["lookahead", "gradient"]\n',
     [r"runs\[0\]\.arrows: a look-ahead arrow needs optimizer = \"nesterov\"; this run is "
      r"'gd': leave 'lookahead' out of its arrows"]),
    (GOOD.replace("lr = 0.4", 'lr = 0.4\narrows = ["grad"]'),
     [r"runs\[0\]\.arrows\[0\]: arrows must be 'gradient', 'velocity' or 'lookahead', got "
      r"'grad'\. Did you mean 'gradient'\?"]),
    (GOOD.replace("lr = 0.4", 'lr = 0.4\narrows = ["lookahead"]')
     + '\n[show]\narrows = ["gradient"]\n',
     [r"runs\[0\]\.arrows: a look-ahead arrow needs optimizer = \"nesterov\""]),
    (GOOD.replace("lr = 0.4", 'lr = 0.4\narrows = []') + '\n[show]\narrows = ["gradient"]\n',
     [r"show\.arrows: show\.arrows lists 'gradient', but every run's arrows leave it out: "
      r"add it to a run's arrows or leave it out of show\.arrows"]),
    (GOOD.replace("steps = 8", "steps = 1000") + 'arrows = ["gradient"]\n\n[[runs]]\n'
     'optimizer = "gd"\nlr = 0.1\n\n[show]\narrows = ["gradient"]\narrows_in_turn = true\n'
     '[pacing]\narrow_speed = 1\n',
     [r"pacing\.arrow_speed: the clip would play iterations for .* \(the arrows alone 33\.3 "
      r"minutes: 1000 steps x 2 runs in turn at 1 a second\); .*lower show\.arrow_steps \(or "
      r"leave out show\.arrows_in_turn\)"]),
    (GOOD + '\n[show]\narrows_in_turn = true\n',
     [r"show\.arrows_in_turn: arrows_in_turn plays the arrow steps once per run: add arrows"]),
    (GOOD.replace("lr = 0.4", "lr = 0.4\nbatch_size = 2"),
     [r"runs\[0\]\.batch_size: batch_size needs a data surface"]),
    (GOOD.replace('"elongated_bowl"', '"0*x + 3"'),
     [r"lesson\.toml:2: surface: the surface '0\*x \+ 3' is flat over the view \(L = 3 "
      r"at every point of a 120 x 120 grid\): there is no slope to descend"]),
    (GOOD.replace('"elongated_bowl"', '"tanh(1000*x) + 0*y"').replace(
        "start = [-5, -2]", "start = [1.5, 0]\nview = [[1, 2], [-1, 1]]"),
     [r"surface: the surface 'tanh\(1000\*x\) \+ 0\*y' is flat over the view"]),
    (GOOD + "\n[pacing]\nrace_speed = 1e-9\n",
     [r"lesson\.toml:11: pacing\.race_speed: the clip would play iterations for 92,593 days "
      r"\(the race alone 92,593 days: 8 steps at 1e-09 a second\); keep it under 30 "
      r"minutes: raise pacing\.race_speed or lower steps"]),
    (GOOD.replace("steps = 8", "steps = 100000") + '\n[show]\nplots = ["loss"]\n'
     '[pacing]\nrace_speed = 60\n',
     [r"lesson\.toml:13: pacing\.race_speed: the clip would play iterations for 45\.1 minutes "
      r"\(the race alone 27\.8 minutes: 100000 steps at 60 a second\)"]),
    (GOOD + "\n[pacing]\nhold = 1e9\n", [r"pacing\.hold: hold must be at most 60"]),
    (GOOD.replace("lr = 0.4", 'lr = 0.4\nlabel = " "'),
     [r"runs\[0\]\.label: label is blank: leave it out for the default label"]),
    ('subtitle = ""\n' + GOOD, [r"subtitle: subtitle is blank: write one, or leave it out"]),
    (GOOD.replace('"elongated_bowl"', '"log(-x**2 - 1)"'),
     [r"lesson\.toml:2: surface: the surface 'log\(-x\*\*2 - 1\)' is undefined \(not a "
      r"finite number\) everywhere over the view: choose a view where it is defined"]),
])
def test_bad_specs(tmp_path: Path, bad: str, expected: list[str]) -> None:
    msg = problems(tmp_path, bad)
    assert "Traceback" not in msg
    for pattern in expected:
        assert re.search(pattern, msg, flags=re.S), msg


def test_a_plot_of_a_series_no_run_records(tmp_path: Path) -> None:
    path = tmp_path / "lesson.toml"
    path.write_text(GOOD + '\n[show]\nplots = ["velocty"]\n')
    with pytest.raises(SpecError, match=r"show\.plots\[0\]: no run records 'velocty'\..*"
                                        r"Recorded: .*step_size"):
        prepare(load_spec(path))


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    msg = problems(tmp_path, GOOD.replace("steps = 8", "stpes = 8").replace(
        '"gd"', '"adma"'))
    assert "stpes" in msg and "adma" in msg and "Did you mean 'steps'?" in msg
    # the misspelt key is the missing one: one message for both
    assert "missing key 'steps'" not in msg


def test_four_swarm_columns_with_basins_keep_their_text_apart_inside_the_frame() -> None:
    """Four columns fill the width: the maps are sized with their tick labels, so no
    label leaves the frame; names and readouts shrink alike (never one column's alone)
    and keep apart; the basin captions wrap into balanced lines instead of shrinking
    below 80 %."""
    from manim import config
    from optiroll.scenes.lesson.acts.swarm import MARGIN, TEXT_GAP

    runs = [{"optimizer": "gd", "lr": 0.3, "label": "gradient descent"},
            {"optimizer": "momentum", "lr": 0.3, "beta": 0.95, "label": "momentum, β 0.95"},
            {"optimizer": "nesterov", "lr": 0.1, "beta": 0.9, "label": "Nesterov, β 0.9"},
            {"optimizer": "adam", "lr": 0.1, "label": "Adam"}]
    lesson = played(validate({**BASE, "surface": "wells", "start": [0, 0], "steps": 30,
                              "runs": runs, "show": {"swarm": 12, "basins": 24}}))
    cols = lesson.stage.columns
    half = config.frame_width / 2
    for col in cols.columns:  # tick labels, names, captions: all inside the frame
        assert -half + 0.5 * MARGIN < col.get_left()[0] < col.get_right()[0] < half - 0.5 * MARGIN
    scale = cols.maps[0].box.width / cols.map_w  # the closing glide scaled them all alike
    captions = [c.submobjects[-1] for c in cols.columns]  # each basin caption, last added
    for texts in (cols.names, captions):
        edges = [(m.get_left()[0], m.get_right()[0]) for m in texts]
        gaps = [b[0] - a[1] for a, b in zip(edges, edges[1:], strict=False)]
        assert min(gaps) >= 0.99 * TEXT_GAP * scale
    line_heights = {round(line.height, 6) for c in captions for line in c
                    if "%" in line.text}
    assert len(line_heights) == 1  # every column's caption at one size
    assert all(len(c) == 2 for c in captions)  # wrapped into two balanced lines
    # the live readouts: on one line they would have shrunk to ~70 %; the number goes
    # over the words they share, at (nearly) full size
    from optiroll.scenes.kit import theme
    from optiroll.scenes.lesson.acts.swarm import SPLIT_BELOW

    for read in cols.readouts:
        assert len(read) == 2 and read[1].text.replace(" ", "") == "inthedeepestwell"
        assert read[1].font_size >= SPLIT_BELOW * theme.SMALL_SIZE - 1e-6
        assert read[0].get_bottom()[1] > read[1].get_top()[1]  # the number above


def test_shared_suffix_never_splits_a_number_from_its_unit() -> None:
    from optiroll.scenes.lesson.acts.swarm import shared_suffix

    assert shared_suffix([["2 % in the deepest well", "46 % in the deepest well"],
                          ["100 % in the deepest well"]]) == 4
    assert shared_suffix([["2 % in the deepest well", "2 % in the deepest well"]]) == 4
    assert shared_suffix([["loss 0.1", "loss 0.2"]]) == 0  # a common start, not an end
    assert shared_suffix([["in the well", "in the well"], ["the well"]]) == 1  # "well" only
    assert shared_suffix([["diverged", "diverged"]]) == 0  # nothing of its own left


def test_swarm_stars_fade_in_on_their_maps() -> None:
    """A fade pauses updaters: the stars must stand on their maps when the columns are
    built (they had faded in at the frame's centre, where the maps were made)."""
    from optiroll.scenes.lesson.acts.swarm import Columns, region

    s = validate({**BASE, "surface": "wells", "start": [0, 0], "steps": 10,
                  "runs": [{"optimizer": "gd", "lr": 0.3}, {"optimizer": "adam", "lr": 0.2}],
                  "show": {"swarm": 8}})
    with tempconfig({"pixel_width": 320, "pixel_height": 180, "verbosity": "ERROR",
                     "media_dir": MEDIA}):
        lesson = lesson_class(s)()
        lesson.setup()
        cols = Columns(lesson, region(lesson))
    for stars, m in zip(cols.stars, cols.maps, strict=True):
        assert len(stars) == 3
        for star, q in zip(stars, stars.minima, strict=True):
            assert np.allclose(star.get_center(), m.c2p(*q), atol=1e-6)


def test_a_loss_below_zero_gets_a_linear_axis() -> None:
    """The wells' minimum is below zero: a log axis (the loss's default) showed nothing
    below zero, an empty or cut-short plot. The default is linear there, and a log axis
    asked for is refused."""
    from optiroll.scenes.lesson.prepare import prepare

    wells = {"surface": "wells", "start": [2.5, 2.5], "steps": 30}
    plots = prepare(spec_with(**wells, show__plots=["loss"])).plots
    assert plots[0].log is False
    assert prepare(spec_with(show__plots=["loss"])).plots[0].log is True  # above zero: log
    with pytest.raises(SpecError, match=r"show.plots\[0\]: 'loss' goes down to −\d.*below "
                                        r"zero, which a log axis cannot show; write "
                                        r"show\.plots\[0\] as a table with log = false"):
        prepare(spec_with(**wells, show__plots=[{"series": "loss", "log": True}]))


def test_the_most_steps_at_default_pacing_stay_under_the_clip_limit() -> None:
    """100,000 steps (the most a spec takes) with a replay and a 3-D ride, at the default
    speeds: the race speeds up past 36,000 steps so the clip stays within 30 minutes
    (the limit had refused lessons that set nothing but steps)."""
    from optiroll.scenes.lesson.spec import LONGEST_RACE, MAX_CLIP_SECONDS

    spec = spec_with(steps=100000, show__plots=["loss"], show__surface3d=True)
    race = spec.pacing.race(100000)
    assert 100000 / race == LONGEST_RACE
    assert 100000 / race + 100000 / spec.pacing.replay(100000) + 100000 / spec.pacing.fly(
        100000) <= MAX_CLIP_SECONDS
    assert spec.pacing.race(30000) == 60.0  # 10 s races up to 600 steps, 60/s from there


def test_a_loss_zero_throughout_gets_a_linear_axis() -> None:
    """Every run starting at the minimum has loss 0 at every step: the loss's default log
    axis had refused the lesson ("no positive values ... set log = false", without the
    syntax); the default is linear there, and a log axis asked for is refused with the
    line to write."""
    from optiroll.scenes.lesson.prepare import prepare

    at_minimum = {"surface": "ravine", "start": [0, 0], "steps": 5}
    assert prepare(spec_with(**at_minimum, show__plots=["loss"])).plots[0].log is False
    with pytest.raises(SpecError, match=r"show.plots\[1\]: 'loss' has no positive values to "
                                        r"show on a log axis; write show\.plots\[1\] as a "
                                        r'table with log = false: \{series = "loss", log = '
                                        r"false\}"):
        prepare(spec_with(**at_minimum, show__plots=["gradient", {"series": "loss",
                                                                  "log": True}]))


def test_momentum_with_beta_zero_takes_gradient_descents_colour() -> None:
    """A race of momentum's βs shows β = 0 (gradient descent, step for step) in
    gradient descent's vermillion and the first β > 0 in momentum's sky blue, wherever
    the β = 0 run is listed; a colour the spec sets still wins."""
    from optiroll.scenes.kit import theme

    def colours(betas: list[float], color: str | None = None) -> list[str]:
        runs = [RunSpec(optimizer="momentum", lr=0.1, beta=b,
                        color=color if b == 0 else None) for b in betas]
        return prepare(LessonSpec(title="βs", surface="ravine", start=(-2.4, 0.2), steps=5,
                                  runs=runs)).colors

    gd, momentum = theme.OPTIMIZER_COLORS["gd"], theme.OPTIMIZER_COLORS["momentum"]
    assert colours([0.0, 0.5, 0.9])[:2] == [gd, momentum]
    assert colours([0.5, 0.0, 0.9])[:2] == [momentum, gd]
    assert colours([0.0, 0.5], color="#FFFFFF") == ["#FFFFFF", momentum]
    nesterov = prepare(LessonSpec(title="βs", surface="ravine", start=(-2.4, 0.2), steps=5, runs=[
        RunSpec(optimizer="nesterov", lr=0.05, beta=0.0)])).colors
    assert nesterov == [gd]
