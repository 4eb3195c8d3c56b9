"""optiroll.dynamics: exact, vectorized optimizer trajectories on 2-D surfaces.

>>> from optiroll import dynamics as dyn
>>> s = dyn.surface("ravine")
>>> run = dyn.rollout(s, dyn.optimizer("momentum", lr=0.1, beta=0.8), (-2.4, 0.2), 50)
>>> f"{run.final_loss:.1e}"
'2.9e-05'

This package never imports manim.
"""

from __future__ import annotations

from typing import Any

from . import optimizers as _optimizers  # noqa: F401  (registers every optimizer)
from .catalog import CATALOG, catalog_surface
from .data_surfaces import DATA_SURFACES
from .errors import FormulaError, OptirollError, UnknownNameError, unknown_name
from .formula import parse_formula
from .optimizers.base import REGISTRY, Optimizer, make_optimizer
from .rollouts import Rollout, rollout
from .schedules import Schedule, schedule
from .surfaces import Box, Surface, formula_surface

__all__ = [
    "FormulaError",
    "OptirollError",
    "Optimizer",
    "Rollout",
    "Schedule",
    "Surface",
    "UnknownNameError",
    "optimizer",
    "optimizer_names",
    "rollout",
    "schedule",
    "surface",
    "surface_names",
]

def surface_names() -> list[str]:
    """Every catalog and data surface name."""
    return sorted(CATALOG) + sorted(DATA_SURFACES)


def optimizer_names() -> list[str]:
    return sorted(REGISTRY)


def _check_view(view: Any) -> Box:
    try:
        (x0, x1), (y0, y1) = view
        box = ((float(x0), float(x1)), (float(y0), float(y1)))
    except (TypeError, ValueError):
        raise OptirollError(
            f"view must be ((xmin, xmax), (ymin, ymax)), got {view!r}"
        ) from None
    if not (box[0][0] < box[0][1] and box[1][0] < box[1][1]):
        raise OptirollError(f"view needs xmin < xmax and ymin < ymax, got {view!r}")
    return box


def surface(name_or_formula: str, *, view: Any = None, **params: Any) -> Surface:
    """A loss surface by catalog name or as a formula in ``x`` and ``y``.

    ``surface("rosenbrock")``, ``surface("0.1*x**2 + 2*y**2", view=((-6, 6), (-3, 3)))``,
    ``surface("linear_regression", n=10, seed=1)``. ``view`` replaces the default
    view box; data surfaces take their dataset parameters as keywords.
    """
    if not isinstance(name_or_formula, str):
        raise OptirollError(f"surface needs a name or a formula string, got {name_or_formula!r}")
    key = name_or_formula.strip().lower().replace("-", "_").replace(" ", "_")
    if key in CATALOG:
        if params:
            raise OptirollError(
                f"surface {key!r} takes no parameters (got {', '.join(params)}); "
                "write a formula for a variant"
            )
        s = catalog_surface(key)
    elif key in DATA_SURFACES:
        try:
            s = DATA_SURFACES[key](**params)
        except TypeError as err:
            raise OptirollError(f"surface {key!r}: {err}") from None
    else:
        if params:
            raise OptirollError(f"a formula surface takes only view=..., got {', '.join(params)}")
        if key.replace("_", "").isalpha() and key not in ("x", "y"):  # a name, not a formula
            raise unknown_name(
                "surface",
                name_or_formula,
                surface_names(),
                " Or pass a formula in x and y, e.g. '0.1*x**2 + 2*y**2'.",
            )
        expr = parse_formula(name_or_formula)
        return formula_surface(name_or_formula, expr, _check_view(view) if view else None)
    if view is not None:
        s = _with_view(s, _check_view(view))
    return s


def _with_view(s: Surface, view: Box) -> Surface:
    import copy

    out = copy.copy(s)
    object.__setattr__(out, "view", view)
    object.__setattr__(out, "spec", {**s.spec, "view": [list(view[0]), list(view[1])]})
    return out


def optimizer(name: str, **kwargs: Any) -> Optimizer:
    """An optimizer spec by torch.optim class name (case-insensitive) or our own name.

    Keyword names and defaults follow torch.optim: ``optimizer("adam", lr=0.01,
    betas=(0.9, 0.999), amsgrad=True)``. Add ``schedule=schedule("cosine", T_max=100)``
    for a learning-rate schedule.
    """
    return make_optimizer(name, **kwargs)
