"""The catalog of named analytic surfaces.

Each entry is a formula (parsed by our own safe parser, so the catalog and
user formulas share one code path), a default view box, known minimisers, a
display name and Typst math for labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from .surfaces import Box, SymbolicSurface


@dataclass(frozen=True)
class Entry:
    formula: str
    view: Box
    display_name: str
    typst: str
    minima: tuple[tuple[float, float], ...] = ()


CATALOG: dict[str, Entry] = {
    # the momentum article's ravine ("Visualizing gradient descent with momentum in Python")
    "ravine": Entry(
        "x**2/16 + 9*y**2",
        ((-2.5, 2.5), (-0.5, 0.5)),
        "Ravine",
        "x^2 / 16 + 9 y^2",
        ((0.0, 0.0),),
    ),
    # the bowl of the d2l AdaGrad section that the AdaGrad article follows
    "elongated_bowl": Entry(
        "0.1*x**2 + 2*y**2",
        ((-6.0, 6.0), (-3.0, 3.0)),
        "Elongated bowl",
        "0.1 x^2 + 2 y^2",
        ((0.0, 0.0),),
    ),
    "bowl": Entry("x**2 + y**2", ((-2.0, 2.0), (-2.0, 2.0)), "Bowl", "x^2 + y^2", ((0.0, 0.0),)),
    "saddle": Entry("x**2 - y**2", ((-2.0, 2.0), (-2.0, 2.0)), "Saddle", "x^2 - y^2"),
    "monkey_saddle": Entry(
        "x**3 - 3*x*y**2", ((-1.5, 1.5), (-1.5, 1.5)), "Monkey saddle", "x^3 - 3 x y^2"
    ),
    "rosenbrock": Entry(
        "(1 - x)**2 + 100*(y - x**2)**2",
        ((-2.0, 2.0), (-1.0, 3.0)),
        "Rosenbrock",
        "(1 - x)^2 + 100 (y - x^2)^2",
        ((1.0, 1.0),),
    ),
    "beale": Entry(
        "(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2",
        ((-4.5, 4.5), (-4.5, 4.5)),
        "Beale",
        "(1.5 - x + x y)^2 + (2.25 - x + x y^2)^2 + (2.625 - x + x y^3)^2",
        ((3.0, 0.5),),
    ),
    "himmelblau": Entry(
        "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
        ((-5.0, 5.0), (-5.0, 5.0)),
        "Himmelblau",
        "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        (
            (3.0, 2.0),
            (-2.805118086952745, 3.131312518250573),
            (-3.779310253377747, -3.283185991286170),
            (3.584428340330492, -1.848126526964404),
        ),
    ),
    "booth": Entry(
        "(x + 2*y - 7)**2 + (2*x + y - 5)**2",
        ((-10.0, 10.0), (-10.0, 10.0)),
        "Booth",
        "(x + 2 y - 7)^2 + (2 x + y - 5)^2",
        ((1.0, 3.0),),
    ),
    "matyas": Entry(
        "0.26*(x**2 + y**2) - 0.48*x*y",
        ((-10.0, 10.0), (-10.0, 10.0)),
        "Matyas",
        "0.26 (x^2 + y^2) - 0.48 x y",
        ((0.0, 0.0),),
    ),
    "three_hump_camel": Entry(
        "2*x**2 - 1.05*x**4 + x**6/6 + x*y + y**2",
        ((-2.5, 2.5), (-2.5, 2.5)),
        "Three-hump camel",
        "2 x^2 - 1.05 x^4 + x^6 / 6 + x y + y^2",
        ((0.0, 0.0),),
    ),
    "six_hump_camel": Entry(
        "(4 - 2.1*x**2 + x**4/3)*x**2 + x*y + (-4 + 4*y**2)*y**2",
        ((-2.0, 2.0), (-1.2, 1.2)),
        "Six-hump camel",
        "(4 - 2.1 x^2 + x^4 / 3) x^2 + x y + (4 y^2 - 4) y^2",
        ((0.08984201368301331, -0.7126564032704135), (-0.08984201368301331, 0.7126564032704135)),
    ),
    "rastrigin": Entry(
        "20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)",
        ((-5.12, 5.12), (-5.12, 5.12)),
        "Rastrigin",
        "20 + x^2 - 10 cos(2 pi x) + y^2 - 10 cos(2 pi y)",
        ((0.0, 0.0),),
    ),
    # not differentiable at the minimum: the gradient there is NaN
    "ackley": Entry(
        "-20*exp(-0.2*sqrt(0.5*(x**2 + y**2))) - exp(0.5*(cos(2*pi*x) + cos(2*pi*y))) + e + 20",
        ((-5.0, 5.0), (-5.0, 5.0)),
        "Ackley",
        "-20 e^(-0.2 sqrt(0.5 (x^2 + y^2))) - e^(0.5 (cos 2 pi x + cos 2 pi y)) + e + 20",
        ((0.0, 0.0),),
    ),
    "styblinski_tang": Entry(
        "(x**4 - 16*x**2 + 5*x + y**4 - 16*y**2 + 5*y)/2",
        ((-5.0, 5.0), (-5.0, 5.0)),
        "Styblinski-Tang",
        "(x^4 - 16 x^2 + 5 x + y^4 - 16 y^2 + 5 y) / 2",
        ((-2.903534027771178, -2.903534027771178),),
    ),
    "goldstein_price": Entry(
        "(1 + (x + y + 1)**2*(19 - 14*x + 3*x**2 - 14*y + 6*x*y + 3*y**2))"
        "*(30 + (2*x - 3*y)**2*(18 - 32*x + 12*x**2 + 48*y - 36*x*y + 27*y**2))",
        ((-2.0, 2.0), (-2.0, 2.0)),
        "Goldstein-Price",
        "[1 + (x + y + 1)^2 (19 - 14 x + 3 x^2 - 14 y + 6 x y + 3 y^2)]"
        " dot [30 + (2 x - 3 y)^2 (18 - 32 x + 12 x^2 + 48 y - 36 x y + 27 y^2)]",
        ((0.0, -1.0),),
    ),
    # three local minima of different depths (deepest first)
    "wells": Entry(
        "0.05*(x**2 + y**2) - 2*exp(-((x - 1.5)**2 + (y - 1)**2))"
        " - 1.2*exp(-((x + 1.5)**2 + (y + 0.5)**2)/0.8)"
        " - 0.7*exp(-((x - 0.3)**2 + (y + 1.8)**2)/0.5)",
        ((-3.5, 3.5), (-3.5, 3.5)),
        "Three wells",
        "0.05 (x^2 + y^2) - 2 e^(-(x - 1.5)^2 - (y - 1)^2)"
        " - 1.2 e^(-((x + 1.5)^2 + (y + 0.5)^2) \\/ 0.8)"
        " - 0.7 e^(-((x - 0.3)^2 + (y + 1.8)^2) \\/ 0.5)",
        ((1.5, 1.0), (-1.5, -0.5), (0.3, -1.8)),  # well centres, refined by Newton below
    ),
    # almost flat far from the hole at the origin: gradients vanish
    "plateau": Entry(
        "1 - exp(-(x**2 + 2*y**2)/4)",
        ((-5.0, 5.0), (-5.0, 5.0)),
        "Plateau",
        "1 - e^(-(x^2 + 2 y^2) \\/ 4)",
        ((0.0, 0.0),),
    ),
}


def _newton_refine(s: SymbolicSurface, guesses: np.ndarray, iters: int = 50) -> np.ndarray:
    """Polish approximate minimisers with exact Newton steps."""
    p = np.array(guesses, dtype=float)
    for _ in range(iters):
        p = p - np.linalg.solve(s.hessian(p), s.gradient(p)[..., None])[..., 0]
    return p


@cache
def catalog_surface(name: str) -> SymbolicSurface:
    """Build (once) the catalog surface called ``name``."""
    e = CATALOG[name]
    s = SymbolicSurface(
        name=name,
        display_name=e.display_name,
        typst=e.typst,
        view=e.view,
        minima=e.minima,
        spec={"name": name},
        formula=e.formula,
    )
    if name == "wells":
        refined = tuple(map(tuple, _newton_refine(s, np.array(e.minima)).tolist()))
        object.__setattr__(s, "minima", refined)
    return s
