"""The flagship's numbers come from dynamics, not from the script."""

from __future__ import annotations

import dynamics as dyn
from scenes.kit import format_value
from scenes.momentum import MomentumRavine, _round_sig


def lesson(**overrides) -> MomentumRavine:
    cls = type("Variant", (MomentumRavine,), overrides)
    scene = cls.__new__(cls)  # no renderer needed to compute the lesson
    scene.compute()
    return scene


def test_conclusions_are_computed() -> None:
    scene = lesson()
    runs = [dyn.rollout(dyn.surface("ravine"), dyn.optimizer("momentum", lr=0.1, beta=b),
                        (-2.4, 0.2), 50) for b in (0.0, 0.8, 0.9)]
    ratio = runs[0].final_loss / runs[1].final_loss
    text = "\n".join(scene.conclusions())
    assert f"ends {_round_sig(ratio)}× lower" in text
    assert f"loss {format_value(runs[2].final_loss)}" in text and "β = 0.9" in text


def test_conclusions_follow_the_parameters() -> None:
    text = "\n".join(lesson(LR=0.05, STEPS=80).conclusions())
    assert "80 steps, lr 0.05" in text
    diverging = lesson(LR=0.25).conclusions()
    assert any("flies off at step" in line for line in diverging)
    assert not any("lower than" in line for line in diverging)


def test_round_sig() -> None:
    assert _round_sig(3566.2) == "3,600"
    assert _round_sig(12.34) == "12" and _round_sig(1.234) == "1.2"
