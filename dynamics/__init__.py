"""optiroll.dynamics: exact, vectorized optimizer trajectories on 2-D surfaces.

A surface, an optimizer (torch.optim's names, defaults and arithmetic), a
rollout, and the recorded arrays:

>>> from optiroll import dynamics as dyn
>>> s = dyn.surface("ravine")
>>> run = dyn.rollout(s, dyn.optimizer("momentum", lr=0.1, beta=0.8), (-2.4, 0.2), 50)
>>> f"{run.final_loss:.1e}"
'2.9e-05'

Several starts run together (the arrays gain a leading ball axis), and a
schedule multiplies the learning rate at each step:

>>> opt = dyn.optimizer("adam", lr=0.4, schedule=dyn.schedule("cosine", T_max=100))
>>> run = dyn.rollout(dyn.surface("elongated_bowl"), opt, [(-5, -2), (1, 1)], 100)
>>> run.positions.shape  # (balls, steps + 1, 2)
(2, 101, 2)
>>> print(*(f"{v:.1e}" for v in run.final_loss))
2.2e-04 2.3e-05
>>> sorted(run.state)  # the optimizer's state after every step
['exp_avg', 'exp_avg_sq', 'step_size']

``help(dyn.optimizer("adam"))`` shows an optimizer's update equation, its
hyperparameters with their defaults and allowed values, and an example.
This package never imports manim.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from . import optimizers as _optimizers  # noqa: F401  (registers every optimizer)
from .catalog import CATALOG, catalog_surface
from .data_surfaces import DATA_SURFACES
from .errors import FormulaError, OptirollError, UnknownNameError, closest, unknown_name
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
    """Every catalog and data surface name, for :func:`surface`.

    >>> from optiroll import dynamics as dyn
    >>> "rosenbrock" in dyn.surface_names(), "linear_regression" in dyn.surface_names()
    (True, True)
    """
    return sorted(CATALOG) + sorted(DATA_SURFACES)


def optimizer_names() -> list[str]:
    """Every optimizer name, for :func:`optimizer`.

    >>> from optiroll import dynamics as dyn
    >>> dyn.optimizer_names()[:5]
    ['adadelta', 'adagrad', 'adam', 'adamax', 'adamw']
    """
    return sorted(REGISTRY)


def _check_view(view: Any) -> Box:
    try:
        (x0, x1), (y0, y1) = view
        box = ((float(x0), float(x1)), (float(y0), float(y1)))
    except (TypeError, ValueError):
        raise OptirollError(
            f"view must be ((xmin, xmax), (ymin, ymax)), got {view!r}"
        ) from None
    if not all(np.isfinite(v) for pair in box for v in pair):
        raise OptirollError(f"view needs finite bounds, got {view!r}")
    if not (box[0][0] < box[0][1] and box[1][0] < box[1][1]):
        raise OptirollError(f"view needs xmin < xmax and ymin < ymax, got {view!r}")
    if max(box[0][1] - box[0][0], box[1][1] - box[1][0]) > MAX_VIEW:
        raise OptirollError(f"view is wider than {MAX_VIEW:g} units, got {view!r}; rescale the "
                            "formula instead")
    return box


#: the widest view box (the divergence bound is 100 half-widths past it, and a grid over it
#: must stay finite)
MAX_VIEW = 1e12


def surface(name_or_formula: str, *, view: Any = None, **params: Any) -> Surface:
    """A loss surface by catalog name or as a formula in ``x`` and ``y``.

    ``surface("rosenbrock")``, ``surface("0.1*x**2 + 2*y**2", view=((-6, 6), (-3, 3)))``,
    ``surface("linear_regression", n=10, seed=1)``. ``view`` replaces the default
    view box; data surfaces take their dataset parameters as keywords.
    :func:`surface_names` lists the names.

    >>> import numpy as np
    >>> from optiroll import dynamics as dyn
    >>> s = dyn.surface("rosenbrock")
    >>> print(float(s.value(np.array([0.0, 0.0]))), float(s.value(np.array([1.0, 1.0]))))
    1.0 0.0
    >>> s = dyn.surface("0.1*x**2 + 2*y**2", view=((-6, 6), (-3, 3)))
    >>> print(float(s.value(np.array([1.0, 1.0]))), s.view)
    2.1 ((-6.0, 6.0), (-3.0, 3.0))
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
        make = DATA_SURFACES[key]
        accepted = [n for n, p in inspect.signature(make).parameters.items()
                    if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)]
        for name in params:
            if name not in accepted:
                guess = closest(name, accepted)
                hint = f" Did you mean {guess!r}?" if guess else ""
                raise OptirollError(f"surface {key!r} has no parameter {name!r}.{hint} Its "
                                    f"parameters: {', '.join(accepted)}")
        try:
            s = make(**params)
        except TypeError as err:
            raise OptirollError(f"surface {key!r}: {err}") from None
    else:
        if params:
            raise OptirollError(f"a formula surface takes only view=..., got {', '.join(params)}")
        try:
            s = formula_surface(name_or_formula)
        except FormulaError:
            # not a formula: a mistyped name (letters, _ - and spaces only; 'x - y' parses)
            if len(key) <= 64 and key.replace("_", "").isalpha():
                raise unknown_name(
                    "surface",
                    name_or_formula,
                    surface_names(),
                    " Or pass a formula in x and y, e.g. '0.1*x**2 + 2*y**2'.",
                ) from None
            raise
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
    for a learning-rate schedule. :func:`optimizer_names` lists the names, and
    ``help()`` on an optimizer shows its update, hyperparameters and defaults.

    An optimizer is an immutable spec (no arrays); to change a setting, build a
    new one.

    >>> from optiroll import dynamics as dyn
    >>> opt = dyn.optimizer("AdamW", lr=0.01)
    >>> opt.name, opt.lr, opt.weight_decay, opt.hyperparams["betas"]
    ('adamw', 0.01, 0.01, (0.9, 0.999))
    >>> try:
    ...     opt.lr = 0.1
    ... except dyn.OptirollError as err:
    ...     print(err)
    optimizers are immutable; build a new one: dyn.optimizer('adamw', ..., lr=0.1)
    >>> opt = dyn.optimizer("sgd", lr=0.4, schedule=dyn.schedule("step", step_size=30, gamma=0.5))
    >>> print(opt.lr_at(1), opt.lr_at(31), opt.lr_at(61))  # lr at steps 1, 31, 61
    0.4 0.2 0.1
    """
    return make_optimizer(name, **kwargs)
