"""Which acts of a lesson to render (``optiroll render --act``): names and checks.

A lesson's acts are named as its parts play them: part 1's by their own names
(``title``, ``race``, ``replay``, ...), a later part's with the part's prefix
(``part2-race``), the names :meth:`Lesson.mark` and the gallery use. A render of
some acts draws one stretch of the lesson: the acts asked for must follow each other.
Pure (no manim): the command line and the scene share it.
"""

from __future__ import annotations

from collections.abc import Sequence

from .spec import did_you_mean


def part_prefix(index: int) -> str:
    """The prefix of part ``index``'s act names (0-based): none for the first part."""
    return "" if index == 0 else f"part{index + 1}-"


def act_keys(parts: Sequence[Sequence[str]]) -> list[str]:
    """Every act of a lesson in order, named as ``--act`` takes them, from each part's
    act names (:meth:`Prepared.act_names`)."""
    return [part_prefix(i) + name for i, names in enumerate(parts) for name in names]


def pick_acts(lesson: str, keys: list[str], wanted: Sequence[str]) -> tuple[str, ...]:
    """``wanted`` checked against the lesson's acts ``keys`` and put in their order;
    a ValueError naming the problem and the fix when an act is unknown or the acts
    asked for leave a gap between them."""
    listing = ", ".join(keys)
    for name in wanted:
        if name not in keys:
            bare = [k for k in keys if k.split("-", 1)[-1] == name.split("-", 1)[-1]]
            hint = (f" Did you mean {' or '.join(repr(k) for k in bare)}?" if bare
                    else did_you_mean(name, keys))
            raise ValueError(f"--act {name}: {lesson} has no act {name!r}.{hint} Its acts: "
                             f"{listing}")
    chosen = sorted(set(wanted), key=keys.index)
    first, last = keys.index(chosen[0]), keys.index(chosen[-1])
    between = [k for k in keys[first:last + 1] if k not in chosen]
    if between:
        raise ValueError(f"--act {' --act '.join(chosen)}: a render is one stretch of the "
                         f"lesson; add the acts between them ({', '.join(between)}) or render "
                         "each on its own")
    return tuple(chosen)
