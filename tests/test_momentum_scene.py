"""The flagship's numbers and words come from dynamics, not from the script."""

from __future__ import annotations

from optiroll import dynamics as dyn
from optiroll.scenes.momentum import MomentumRavine
from optiroll.scenes.text import format_value, round_sig


def lesson(**overrides) -> type[MomentumRavine]:
    return type("Variant", (MomentumRavine,), overrides)


def closing(**overrides) -> list[str]:
    return lesson(**overrides).prepare().conclusions


def test_conclusions_are_computed() -> None:
    runs = [dyn.rollout(dyn.surface("ravine"), dyn.optimizer("momentum", lr=0.1, beta=b),
                        (-2.4, 0.2), 50) for b in (0.0, 0.8, 0.9)]
    ratio = runs[0].final_loss / runs[1].final_loss
    text = "\n".join(closing())
    assert f"ends {round_sig(ratio)}× lower" in text
    assert f"loss {format_value(runs[2].final_loss)}" in text and "β = 0.9" in text


def test_conclusions_follow_the_parameters() -> None:
    text = "\n".join(closing(LR=0.05, STEPS=80))
    assert "80 steps, lr 0.05" in text
    diverging = closing(LR=0.25)
    assert any("flies off at step" in line for line in diverging)
    assert not any("lower than" in line for line in diverging)


def test_plain_gd_need_not_come_first() -> None:
    lines = closing(BETAS=(0.8, 0.0, 0.9))
    assert any("β = 0.8 ends" in line and "lower than plain" in line for line in lines)
    assert any("β = 0.9 builds up" in line for line in lines)


def test_every_sentence_is_kept() -> None:
    lines = closing(BETAS=(0.0, 0.5, 0.8, 0.9, 0.95))
    assert len(lines) == 2  # the comparison, then every overshooting β in one sentence
    assert lines[1].startswith("β = 0.9 and 0.95 build up too much speed and overshoot")


def test_captions_follow_the_runs() -> None:
    along, across = lesson().prepare().plots[0].caption, lesson().prepare().plots[1].caption
    assert along == "along the valley, velocity builds up"
    assert across == "across it, the zig-zags cancel"
    swinging = lesson(BETAS=(0.0, 0.8, 0.95)).prepare().plots[1].caption
    assert swinging == "across it, β = 0.95 keeps zig-zagging"


def test_round_sig() -> None:
    assert round_sig(3566.2) == "3,600"
    assert round_sig(12.34) == "12" and round_sig(1.234) == "1.2"
