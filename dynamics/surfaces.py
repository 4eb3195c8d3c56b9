"""Loss surfaces: value, exact gradient and exact Hessian over any leading shape.

A point array has shape ``(..., 2)``; :meth:`Surface.value` returns ``(...)``,
:meth:`Surface.gradient` ``(..., 2)`` and :meth:`Surface.hessian`
``(..., 2, 2)``. Symbolic surfaces (the catalog and user formulas) get their
derivatives from sympy and are compiled to numpy once (:mod:`.compiled`, which
keeps the compiled source on disk: sympy is imported only for a formula not seen
before).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from .compiled import compile_formula
from .errors import OptirollError

Box = tuple[tuple[float, float], tuple[float, float]]
Array = np.ndarray

#: Divergence bound: a ball further than this many half-widths of the view box
#: from the box's centre (in either coordinate) has left the picture for good.
BOUND_FACTOR = 100.0
#: grid points times data points evaluated at once by :meth:`Surface.grid` (a data
#: surface's loss holds one value per pair: 4 million floats, 32 MB a temporary)
GRID_CHUNK = 4_000_000


@dataclass(frozen=True, eq=False)
class DataSet:
    """The points a data surface's loss is computed over.

    Attributes
    ----------
    x : inputs, ``(m,)`` for one feature or ``(m, k)`` for several.
    y : targets, ``(m,)``.
    model : Typst for the model's output, e.g. ``theta_0 + theta_1 x``.
    """

    x: Array
    y: Array
    model: str


@dataclass(frozen=True, eq=False)
class Surface:
    """Base class: a scalar loss over two parameters.

    Attributes
    ----------
    name : catalog name (or ``"formula"``).
    display_name : human-readable name for titles.
    typst : Typst math for the formula, e.g. ``x^2 / 16 + 9 y^2``.
    view : default view box ``((xmin, xmax), (ymin, ymax))``.
    minima : known minimisers, possibly empty.
    axis_names : Typst names of the two parameters, e.g. ``("w", "b")``.
    spec : keyword arguments that rebuild this surface through
        :func:`optiroll.dynamics.surface`.
    """

    name: str
    display_name: str
    typst: str
    view: Box
    minima: tuple[tuple[float, float], ...] = ()
    axis_names: tuple[str, str] = ("x", "y")
    spec: dict[str, Any] = field(default_factory=dict)

    # -- numerics, overridden by subclasses ---------------------------------
    # ``sample`` is one step's randomness from :meth:`draw_sample` (None: exact).
    # On an analytic surface it is a gradient-noise vector: the gradient becomes
    # ``grad L(p) + sample`` while the loss and Hessian stay exact (the sample is
    # ignored there). On a data surface it is a mini-batch of indices, and the
    # loss, gradient and Hessian are all those of the loss over that batch.
    def value(self, p: Array, sample: Any = None) -> Array:
        """The loss ``L(p)``, shape ``p.shape[:-1]``; over ``sample``'s batch on data."""
        raise NotImplementedError

    def gradient(self, p: Array, sample: Any = None) -> Array:
        """``grad L(p)`` (plus the noise ``sample`` on an analytic surface)."""
        raise NotImplementedError

    def hessian(self, p: Array, sample: Any = None) -> Array:
        """The exact Hessian ``(..., 2, 2)``; over ``sample``'s batch on data."""
        raise NotImplementedError

    def value_and_gradient(self, p: Array, sample: Any = None) -> tuple[Array, Array]:
        """The *full* loss and the step's (possibly stochastic) gradient in one pass.

        The rollout records this loss, so it is the full-data loss even when
        ``sample`` is a mini-batch; use ``value(p, sample)`` for the batch loss.
        """
        return self.value(p), self.gradient(p, sample)

    # -- stochasticity ------------------------------------------------------
    #: True where the surface is a loss over data and supports mini-batches.
    has_data = False

    def draw_sample(self, rng: np.random.Generator, batch_size: int | None, noise: float) -> Any:
        """One step's randomness, shared by every ball at that step.

        Analytic surfaces: a gradient-noise vector ``N(0, noise^2 I)``.
        """
        if noise == 0.0:
            return None
        return rng.normal(0.0, noise, size=2)

    # -- data ----------------------------------------------------------------
    @property
    def data(self) -> DataSet | None:
        """The data points of a data surface (None for an analytic surface)."""
        return None

    def predict(self, params: Array, x: Array) -> Array:
        """The model's output at inputs ``x`` for parameters ``params`` ``(..., 2)``.

        Data surfaces only; the result has shape ``params.shape[:-1] + (len(x),)``.
        """
        raise NotImplementedError(f"{self.name!r} is not a loss over data: it has no model")

    # -- geometry -----------------------------------------------------------
    @property
    def bound(self) -> tuple[Array, Array]:
        """(centre, half-width) beyond which a ball counts as diverged."""
        (x0, x1), (y0, y1) = self.view
        centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
        half = np.array([(x1 - x0) / 2, (y1 - y0) / 2]) * BOUND_FACTOR
        return centre, half

    def grid(self, nx: int = 200, ny: int | None = None, view: Box | None = None) -> tuple:
        """``(xs, ys, Z)`` on a regular grid over ``view``, ``Z[j, i] = f(xs[i], ys[j])``."""
        (x0, x1), (y0, y1) = view or self.view
        xs = np.linspace(x0, x1, nx)
        ys = np.linspace(y0, y1, ny or nx)
        pts = np.stack(np.meshgrid(xs, ys), axis=-1)
        # a loss over data sums every point at every grid point: a few rows at a time,
        # each value the same as at once (elementwise, summed along the data alike)
        data = self.data
        rows = max(1, GRID_CHUNK // (len(xs) * (len(data.x) if data is not None else 1)))
        if rows >= len(ys):
            return xs, ys, self.value(pts)
        return xs, ys, np.concatenate([self.value(pts[j:j + rows])
                                       for j in range(0, len(ys), rows)])

    def contains(self, p: Sequence[float]) -> bool:
        """Whether ``p`` lies inside the divergence bound."""
        centre, half = self.bound
        return bool(np.all(np.abs(np.asarray(p, float) - centre) <= half))

    def __repr__(self) -> str:
        return f"<Surface {self.name}: {self.display_name}>"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by :attr:`spec` (compiled formulas do not pickle): a surface sent to a
        worker process or a cluster is rebuilt there, the same surface bit for bit."""
        if not self.spec:
            raise TypeError(f"{self!r} has no spec to rebuild it from; build surfaces "
                            "with optiroll.dynamics.surface(...)")
        return (surface_from_spec, (dict(self.spec),))

    def __copy__(self) -> Surface:
        out = object.__new__(type(self))
        out.__dict__.update(self.__dict__)
        return out

    def __deepcopy__(self, memo: dict[int, Any]) -> Surface:
        return self  # immutable (frozen, its arrays never written): copies may share it


def surface_from_spec(spec: dict[str, Any]) -> Surface:
    """The surface a :attr:`Surface.spec` describes (through the facade's ``surface``)."""
    from . import surface  # late: the facade imports this module

    params = dict(spec)
    return surface(params.pop("name"), **params)


def _broadcast(values: Sequence[Any], shape: tuple[int, ...]) -> list[Array]:
    """lambdify returns Python scalars for constant sub-expressions; broadcast them. A
    formula whose values are complex there (``(-1)**x``) is an :class:`OptirollError`."""
    out = []
    for v in values:
        v = np.asarray(v)
        if np.iscomplexobj(v):
            if np.any(v.imag != 0):
                raise OptirollError("the formula has complex values here (a power of a "
                                    "negative number?); a loss must be real")
            v = v.real
        v = np.asarray(v, dtype=float)
        out.append(v if v.shape == shape else np.broadcast_to(v, shape))
    return out


#: outside a formula's domain (log of a negative number, 1/0) its values are NaN or inf
#: without numpy's warnings: a rollout stops such a ball, a map leaves such points blank
def _quiet() -> np.errstate:
    return np.errstate(invalid="ignore", divide="ignore", over="ignore")


@dataclass(frozen=True, eq=False)
class SymbolicSurface(Surface):
    """A surface given by a formula in ``x`` and ``y`` (:mod:`.formula`).

    The gradient and Hessian are the exact symbolic derivatives, simplified
    with common-subexpression elimination and compiled to numpy
    (:func:`~.compiled.compile_formula`). Outside the formula's domain its values
    are NaN (or inf), without numpy's warnings.
    """

    #: the formula, as :func:`~.formula.parse_formula` reads it
    formula: str = "0"

    def __post_init__(self) -> None:
        c = compile_formula(self.formula)
        object.__setattr__(self, "_f", c.f)
        object.__setattr__(self, "_fg", c.fg)
        object.__setattr__(self, "_g", c.g)
        object.__setattr__(self, "_h", c.h)

    @cached_property
    def expr(self) -> Any:
        """The formula as a sympy expression (sympy is imported on first use)."""
        from .formula import parse_formula

        return parse_formula(self.formula)

    def value(self, p: Array, sample: Any = None) -> Array:
        """``f(x, y)``; a noise ``sample`` does not change the loss."""
        p = np.asarray(p, dtype=float)
        with _quiet():
            (v,) = _broadcast([self._f(p[..., 0], p[..., 1])], p.shape[:-1])
        return v

    def gradient(self, p: Array, sample: Any = None) -> Array:
        p = np.asarray(p, dtype=float)
        with _quiet():
            gx, gy = _broadcast(self._g(p[..., 0], p[..., 1]), p.shape[:-1])
        g = np.stack([gx, gy], axis=-1)
        return g if sample is None else g + sample

    def value_and_gradient(self, p: Array, sample: Any = None) -> tuple[Array, Array]:
        p = np.asarray(p, dtype=float)
        with _quiet():
            f, gx, gy = _broadcast(self._fg(p[..., 0], p[..., 1]), p.shape[:-1])
        g = np.empty(p.shape)
        g[..., 0] = gx
        g[..., 1] = gy
        return f, (g if sample is None else g + sample)

    def hessian(self, p: Array, sample: Any = None) -> Array:
        """The exact symbolic Hessian; a noise ``sample`` does not change it."""
        p = np.asarray(p, dtype=float)
        with _quiet():
            hxx, hxy, hyy = _broadcast(self._h(p[..., 0], p[..., 1]), p.shape[:-1])
        return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)


def formula_surface(text: str) -> SymbolicSurface:
    """A surface for a user formula over ``[-2, 2]^2`` (:func:`~optiroll.dynamics.surface`
    sets another view). A formula that does not parse raises
    :class:`~.errors.FormulaError`."""
    view = ((-2.0, 2.0), (-2.0, 2.0))
    try:  # sympy's derivatives, printing and code generation recurse over the tree
        typst = compile_formula(text).typst
    except RecursionError:
        from .formula import too_deep

        raise too_deep(text) from None
    return SymbolicSurface(
        name="formula",
        display_name=text,
        typst=typst,
        view=view,
        spec={"name": text, "view": [list(view[0]), list(view[1])]},
        formula=text,
    )
