"""Mobjects described for comparison, every attribute: for the tests of parsed text."""

from __future__ import annotations

import enum

import numpy as np


def outlines(mobs: list) -> list:
    """Every attribute of every mobject of each family (the parent's too: Manim's flip
    turns its sheen direction), arrays as bytes (so -0.0 is not 0.0), colours and enums
    as text; and, for each named
    group of ``id_to_vgroup_dict``, which of the family's mobjects it holds and its own
    attributes; not an outline's ``path_obj``, which the kit drops (kit/svgcache.py)."""
    def attributes(m: object) -> list:
        return [(type(m).__name__, k, v.tobytes() if isinstance(v, np.ndarray) else
                 str(v) if type(v).__name__ == "ManimColor" or isinstance(v, enum.Enum)
                 else v)
                for k, v in sorted(vars(m).items())
                if k != "path_obj" and (
                    isinstance(v, np.ndarray | int | float | str | bool | type(None))
                    or type(v).__name__ == "ManimColor" or isinstance(v, enum.Enum))]

    out: list = []
    for mob in mobs:
        family = mob.get_family()
        out += [a for m in family for a in attributes(m)]
        index = {id(m): i for i, m in enumerate(family)}
        out.append([(name, [index.get(id(m)) for m in group.get_family()], attributes(group))
                    for name, group in mob.id_to_vgroup_dict.items()])
    return out
