"""The closing card: sentences that do not depend on the order of the runs, and every
sentence shown (a lesson that asks for more than the card holds is told so)."""

from __future__ import annotations

import pytest
from manim import Text, tempconfig
from optiroll.scenes.kit.timeline import Timeline
from optiroll.scenes.lesson import LessonSpec, RunSpec, ShowSpec
from optiroll.scenes.lesson.loading import SpecError
from optiroll.scenes.lesson.prepare import MAX_CONCLUSIONS, Part, checked_conclusions, prepare
from optiroll.scenes.momentum import MomentumRavine
from optiroll.scenes.text import format_value, join_words


def lesson_spec(runs: list[RunSpec], **show: object) -> LessonSpec:
    return LessonSpec(title="closing", surface="ravine", start=(-2.4, 0.2), steps=30,
                      runs=runs, show=ShowSpec(**{"formula": False, "rules": False, **show}))


RUNS = [RunSpec(optimizer="gd", lr=0.1, label="GD"),
        RunSpec(optimizer="momentum", lr=0.1, beta=0.8, label="momentum"),
        RunSpec(optimizer="gd", lr=0.25, label="GD, lr 0.25"),
        RunSpec(optimizer="adam", lr=0.1, label="Adam")]


def test_spec_lesson_sentences_do_not_depend_on_the_order_of_the_runs() -> None:
    forward = prepare(lesson_spec(RUNS)).conclusions
    backward = prepare(lesson_spec(RUNS[::-1])).conclusions
    assert sorted(forward) == sorted(backward)
    assert any("GD, lr 0.25 flies off" in line for line in forward)
    assert any("ends lowest" in line for line in forward)


def test_many_runs_that_fly_off_share_one_sentence() -> None:
    lrs = (0.25, 0.3, 0.35, 0.4, 0.45)
    runs = [RunSpec(optimizer="gd", lr=lr, label=f"lr {lr:g}") for lr in lrs]
    settles = RunSpec(optimizer="gd", lr=0.1, label="lr 0.1")
    lines = prepare(lesson_spec([*runs, settles])).conclusions
    assert len(lines) == 2 <= MAX_CONCLUSIONS
    assert lines[0].startswith(join_words([f"lr {lr:g}" for lr in lrs]) + " fly off")
    assert "lr 0.1 ends at loss" in lines[1]  # the one that settles keeps its sentence
    few = prepare(lesson_spec([*runs[:3], RunSpec(optimizer="gd", lr=0.1)])).conclusions
    assert len(few) == 4 and sum("flies off" in line for line in few) == 3  # room: one each


def test_momentum_compares_with_plain_gd_wherever_it_is() -> None:
    def closing(**overrides: object) -> list[str]:
        return type("Variant", (MomentumRavine,), overrides).prepare().conclusions

    first = closing(BETAS=(0.0, 0.8, 0.9))
    assert closing(BETAS=(0.9, 0.8, 0.0)) == closing(BETAS=(0.8, 0.0, 0.9)) == first
    assert "than plain gradient descent" in first[0]
    # no β = 0: the smallest β is the yardstick, and the card is not empty
    without = closing(BETAS=(0.9, 0.8))
    assert without == ["50 steps, lr 0.1: momentum β = 0.9 ends 13× higher than β = 0.8"]
    assert closing(BETAS=(0.9,)) == ["50 steps, lr 0.1: β = 0.9 ends at loss 3.64×10⁻⁴"]


def test_momentum_never_has_more_sentences_than_the_card_holds() -> None:
    betas = (0.0, 0.3, 0.5, 0.8, 0.9, 0.95, 0.99)
    for lr in (0.1, 0.2, 0.25):
        lines = type("Variant", (MomentumRavine,), {"BETAS": betas, "LR": lr}
                     ).prepare().conclusions
        text = "\n".join(lines)
        assert 1 <= len(lines) <= MAX_CONCLUSIONS, lines
        # every β is in a sentence: the one that fly off, the best, those that overshoot
        named = [b for b in betas if f"{b:g}" in text]
        assert len(named) >= len(betas) - 3, (lr, lines)  # the slower settled ones are spared


class TooMany(Part):
    spec = lesson_spec(RUNS[:2])

    @staticmethod
    def conclusions(spec, runs, labels) -> list[str]:
        return [f"sentence {i}" for i in range(MAX_CONCLUSIONS + 1)]


def test_a_lesson_with_more_sentences_than_the_card_holds_is_an_error() -> None:
    with pytest.raises(SpecError) as err:
        TooMany.prepare()
    message = str(err.value)
    assert "TooMany.conclusions" in message and f"at most {MAX_CONCLUSIONS}" in message
    assert "'sentence 4'" in message  # the sentences are named, none silently dropped
    with pytest.raises(SpecError, match="empty sentence"):
        checked_conclusions(["fine", "  "])
    assert checked_conclusions(["a"] * MAX_CONCLUSIONS) == ["a"] * MAX_CONCLUSIONS


class FullCard(Part):
    spec = lesson_spec(RUNS[:2])

    @staticmethod
    def conclusions(spec, runs, labels) -> list[str]:
        return [f"sentence {i}: a long computed statement about what run {i} did, with a "
                "number or two, long enough that it has to wrap onto a second line"
                for i in range(MAX_CONCLUSIONS)]


def test_the_card_shows_every_sentence_and_fits_its_box() -> None:
    from optiroll.scenes.kit.motion import fit_target, place
    from optiroll.scenes.lesson.stage import Stage, box_of

    p = FullCard.prepare()
    with tempconfig({"pixel_width": 320, "pixel_height": 180}):
        stage = Stage(p, Timeline(p.spec.steps))
        card = stage.card
        assert len(card) == MAX_CONCLUSIONS  # one block per sentence, in order
        # (manim keeps a Text's characters without whitespace)
        glyphs = [m.text for m in card if isinstance(m, Text)]
        assert glyphs == ["".join(s.split()) for s in p.conclusions]  # wrapped, never cut
        boxes = stage.layout["closing"]
        place(card, fit_target(card, boxes["card"]))
        assert box_of(card).inside(boxes["card"], tol=1e-3)
        assert not boxes["card"].overlaps(boxes["map"])
        # four two-line sentences: the map keeps about 40 % of its height (39.5 % at every
        # output size since kit.typeset; the 47 % once measured here at 320x180 came from
        # Manim wrapping the sentences on that small canvas)
        assert boxes["map"].height > 0.38 * stage.layout["race"]["map"].height


def test_below_zero_the_card_compares_differences_not_ratios() -> None:
    """On the wells (minimum below zero) "3.3x below" was a ratio of excess losses read as
    a ratio of losses: the card says by how much the loss is lower instead; a run that
    leaves the map is named as the legend names it, and not compared."""
    spec = LessonSpec(title="wells", surface="wells", start=(2.8, -2.8), steps=70,
                      runs=[RunSpec(optimizer="gd", lr=0.3), RunSpec(optimizer="gd", lr=1.0),
                            RunSpec(optimizer="gd", lr=3.0),
                            RunSpec(optimizer="nesterov", lr=0.3, beta=0.9)],
                      show=ShowSpec(formula=False, rules=False))
    p = prepare(spec)
    lines = p.conclusions
    assert lines[0] == "GD, lr 3 leaves the map at step 11"
    assert lines[1].startswith("After 70 steps, Nesterov ends lowest: loss −1.08, ")
    gap = float(p.runs[1].final_loss - p.runs[3].final_loss)
    assert lines[1].endswith(f"{gap:.3g} below GD, lr 1") and "×" not in lines[1]


def test_runs_in_different_equally_low_minima_are_not_ranked() -> None:
    """Four starts reach Himmelblau's four minima (losses of 10^-31 to 10^-8): no "27
    orders of magnitude below", and no "A and B end lowest" for the two that happen to
    reach rounding; the card says where each landed. A run still rolling is named with
    its loss."""
    starts = [(0.0, 0.0), (-1.0, 4.0), (-4.0, -1.0), (1.0, -4.0)]
    runs = [RunSpec(optimizer="gd", lr=0.01, start=p, label=f"from {p}") for p in starts]
    spec = LessonSpec(title="h", surface="himmelblau", steps=50, runs=runs,
                      show=ShowSpec(formula=False, rules=False))
    (line,) = prepare(spec).conclusions
    assert line == ("After 50 steps, all 4 runs reach a lowest point (loss 0), 4 different "
                    "ones: from (0.0, 0.0) at (3, 2); from (-1.0, 4.0) at (−2.81, 3.13); "
                    "from (-4.0, -1.0) at (−3.78, −3.28); from (1.0, -4.0) at (3.58, −1.85)")
    slow = RunSpec(optimizer="gd", lr=0.001, start=(4.5, 4.5), label="slow")
    spec = LessonSpec(title="h", surface="himmelblau", steps=50, runs=[*runs[:2], slow],
                      show=ShowSpec(formula=False, rules=False))
    p = prepare(spec)
    assert p.conclusions[0].startswith("After 50 steps, 2 of the 3 runs reach a lowest point")
    assert p.conclusions[1] == f"slow is still at loss {format_value(p.runs[2].final_loss)}"
    slower = RunSpec(optimizer="gd", lr=0.0005, start=(4.5, 4.5), label="slower")
    spec = LessonSpec(title="h", surface="himmelblau", steps=50,
                      runs=[*runs[:2], slow, slower], show=ShowSpec(formula=False, rules=False))
    p = prepare(spec)  # several still rolling: one short sentence (long labels fill cards)
    low, high = sorted(float(r.final_loss) for r in p.runs[2:])
    assert p.conclusions[1] == (f"the other 2 are still above it (loss {format_value(low)} "
                                f"to {format_value(high)})")
    # one minimum for all: ranked as before (which run got closest is the result)
    same = LessonSpec(title="h", surface="himmelblau", steps=50,
                      runs=[RunSpec(optimizer="gd", lr=0.01, start=(0.0, 0.0)),
                            RunSpec(optimizer="adam", lr=0.1, start=(0.0, 0.0))],
                      show=ShowSpec(formula=False, rules=False))
    assert "lowest point" not in prepare(same).conclusions[-1]


def test_one_optimizer_with_two_rules_names_each_by_its_run() -> None:
    """Heavy-ball and EMA momentum are one optimizer with two update rules: the title card
    shows both, named by their runs (the EMA rule had replaced the other)."""
    spec = LessonSpec(title="two", surface="ravine", start=(-2.4, 0.2), steps=10,
                      runs=[RunSpec(optimizer="momentum", lr=0.1, beta=0.9, label="heavy ball"),
                            RunSpec(optimizer="momentum", lr=0.1, beta=0.9, ema=True,
                                    label="EMA"),
                            RunSpec(optimizer="gd", lr=0.1)])
    names = [name for name, _ in prepare(spec).rules]
    assert names == ["heavy ball", "EMA", "GD"]
    assert "(1 - beta) nabla L(w)" in prepare(spec).rules[1][1]


def test_a_scheduled_runs_rule_reads_eta_t() -> None:
    """With a schedule the learning rate changes with the step: the rule says eta_t (it
    read eta, as for a constant rate), and a constant-rate run of the same optimizer keeps
    its own rule, both named by their runs."""
    from optiroll.scenes.lesson.spec import ScheduleSpec

    spec = LessonSpec(title="s", surface="ravine", start=(-2.4, 0.2), steps=10,
                      runs=[RunSpec(optimizer="gd", lr=0.1, label="constant"),
                            RunSpec(optimizer="gd", lr=0.1, label="cosine",
                                    schedule=ScheduleSpec(kind="cosine", T_max=10))])
    rules = prepare(spec).rules
    assert [name for name, _ in rules] == ["constant", "cosine"]
    assert rules[0][1] == "w arrow.l w - eta nabla L(w)"
    assert rules[1][1] == "w arrow.l w - eta_t nabla L(w)"
    beta = prepare(LessonSpec(title="s", surface="ravine", start=(-2.4, 0.2), steps=10, runs=[
        RunSpec(optimizer="momentum", lr=0.1, beta=0.9,
                schedule=ScheduleSpec(kind="cosine", T_max=10))])).rules[0][1]
    assert "eta_t v" in beta and "beta v" in beta  # beta is not a learning rate


def test_a_loss_at_float64s_rounding_reads_as_a_bound_not_as_flickering_digits() -> None:
    """Damped Newton on Rosenbrock reaches (1, 1) by step ~70, then its loss wanders
    between 5e-30 and 6e-29 (the iterate is stored to 2e-16): the legend had shown new
    digits every frame for the rest of the race. Below the rounding floor it reads one
    bound; a minimum at the origin has no such floor."""
    import numpy as np
    from optiroll import dynamics as dyn
    from optiroll.scenes.lesson.prepare import readout_strings, rounding_floor
    from optiroll.scenes.text import loss_string

    surface = dyn.surface("rosenbrock")
    run = dyn.rollout(surface, dyn.optimizer("newton", lr=0.5), start=(-1.2, 1.0),
                      steps=400)
    noisy = readout_strings(run, surface.view)
    steady = readout_strings(run, surface.view, surface=surface)
    assert len(set(noisy[100:])) > 5  # digits that change from step to step
    first = next(k for k, s in enumerate(steady) if "<" in s)
    assert 60 < first < 100 and set(steady[first:]) == {"loss < 10⁻²⁷"}
    assert steady[:first] == noisy[:first]
    floor = rounding_floor(surface, np.array([[1.0, 1.0], [0.0, 0.0], [np.nan, 0.0]]))
    np.testing.assert_allclose(floor[0], 4 * 0.5 * 1001.6 * (2.22e-16 * 2**0.5) ** 2,
                               rtol=0.01)
    assert floor[1] == 0 and np.isnan(floor[2])
    bowl = dyn.surface("bowl")
    tiny = rounding_floor(bowl, np.array([[1e-20, 0.0]]))
    assert loss_string([1e-40], -1, 0, tiny) == "loss 1.00×10⁻⁴⁰"  # exact, not noise
    assert loss_string([-2.5], -1, 0, [1e-3]) == "loss −2.50"  # below zero: a value


def test_a_subnormal_loss_is_written_not_a_crash() -> None:
    """Newton at lr 1.2 on Matyas reaches losses of 5e-324: format_value divided by
    10.0**-324, which is 0 (ZeroDivisionError in the legend's readouts)."""
    assert format_value(5e-324) == "4.94×10⁻³²⁴"
    assert format_value(-5e-324) == "−4.94×10⁻³²⁴"
    assert format_value(1e-310) == "1.00×10⁻³¹⁰"
