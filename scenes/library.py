"""The lecture library: lessons by name, for ``optiroll render NAME`` and ``optiroll list``.

Library lessons are scene files in ``scenes/`` (listed in :data:`LIBRARY`, in
teaching order); the example specs in ``examples/`` are lessons too, by their
file name. Descriptions come from each file (its docstring, or the spec's
title) without importing or rendering anything.
"""

from __future__ import annotations

import ast
import tomllib
from dataclasses import dataclass
from pathlib import Path

SCENES = Path(__file__).resolve().parent
EXAMPLES = SCENES.parent / "examples"

#: name -> scene file in scenes/, in the order a course would show them
LIBRARY = {"learning_rate": "learning_rate.py", "momentum": "momentum.py",
           "local_minima": "local_minima.py",
           "nesterov": "nesterov.py", "adaptive": "adaptive.py", "adam": "adam.py",
           "saddle": "saddle.py", "stochastic": "stochastic.py",
           "sigmoid": "sigmoid.py", "curvature": "curvature.py",
           "why_momentum": "why_momentum.py"}


@dataclass(frozen=True)
class Entry:
    name: str
    path: Path
    description: str


def _docstring_line(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def _spec_title(path: Path) -> str:
    try:
        return str(tomllib.loads(path.read_text(encoding="utf-8")).get("title", ""))
    except tomllib.TOMLDecodeError:
        return "(does not parse: run optiroll check on it)"


def entries() -> list[Entry]:
    """Every library lesson, then every example spec."""
    out = [Entry(name, SCENES / file, _docstring_line(SCENES / file))
           for name, file in LIBRARY.items()]
    if EXAMPLES.is_dir():
        out += [Entry(p.stem, p, _spec_title(p)) for p in sorted(EXAMPLES.glob("*.toml"))]
    return out


def find(name: str) -> Path | None:
    """The file of the lesson called ``name``, or None."""
    return next((e.path for e in entries() if e.name == name), None)
