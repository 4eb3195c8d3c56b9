"""The optimizer spec: immutable hyperparameters plus pure ``init``/``step``.

Like optax, an optimizer holds no arrays. ``init(params)`` returns a fresh
state (a dict of named arrays with the batch shape of ``params``) and
``step(params, grad, state, t, lr, oracle)`` returns ``(new_params,
new_state)`` without mutating its inputs. ``t`` is the 1-based step number,
``lr`` the learning rate in force at that step (after any schedule) and
``oracle`` evaluates the surface elsewhere (look-ahead gradients, line
searches, Hessians) with the same mini-batch as ``grad``.

Each optimizer declares its hyperparameters in ``params``, a table of
:class:`Param` (default, check, one-line description); ``register`` writes the
"Args" section of the optimizer's docstring from that table. The common
hyperparameters (``lr``, ``eps``, ``betas``, ``weight_decay``, ...) share one
description, as torch.optim shares its doc fragments (see :func:`table`). An
optimizer is immutable: assigning an attribute raises
:class:`FrozenOptimizerError`; build a new one with ``dyn.optimizer(name, ...)``.

Every state holds ``step_size``, with one meaning for every optimizer: the
per-coordinate learning rate that multiplies the optimizer's (bias-corrected)
direction ``d_t`` this step, ``w_t = w_{t-1} - step_size * d_t`` (plus decoupled
weight decay). So a step-size panel compares like with like across optimizers:

.. code-block:: text

    optimizer                 d_t                           step_size
    gd, sgd (no momentum)     g_t                           lr
    sgd with momentum         momentum buffer b_t           lr
    momentum, nesterov        velocity v_t                  lr
    adagrad                   g_t                           lr_t / (sqrt(s_t) + eps)
    rmsprop (no momentum)     g_t                           lr / (sqrt(v_t) + eps)
    rmsprop with momentum     momentum buffer b_t           lr
    adadelta                  g_t                           lr sqrt(u_{t-1} + eps) / sqrt(v_t + eps)
    adam, adamw               m-hat = m_t / (1 - beta1^t)   lr / (sqrt(v-hat) + eps)
    radam                     m-hat                         lr r_t / (sqrt(v-hat) + eps), or lr
    adamax                    m-hat                         lr / u_t
    nadam                     Nesterov mix of g_t and m_t   lr / (sqrt(v-hat) + eps)
    newton                    (H + damping I)^-1 g_t        lr
    line_search               g_t                           the accepted step s

(``g_t`` includes any L2 weight decay; ``eps_inside_sqrt=True`` moves ``eps``
under the root; with ``amsgrad=True`` Adam's ``v-hat`` is the running maximum.)
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar, NamedTuple

import numpy as np

from ..errors import (
    OptirollError,
    check_int,
    check_number,
    check_range,
    closest,
    unknown_name,
)
from ..schedules import Schedule

Array = np.ndarray
State = dict[str, Array]


@dataclass(frozen=True)
class Oracle:
    """Evaluates the surface for one step, with that step's random sample.

    Loss, gradient and Hessian all see the sample that produced the step's
    gradient, so a step's own tests are consistent: on a data surface they are
    those of the mini-batch loss (line search's Armijo test compares batch loss
    with batch gradient), on an analytic surface the gradient carries the
    step's noise and the loss and Hessian are exact.
    """

    surface: Any
    sample: Any = None

    def gradient(self, p: Array) -> Array:
        """The step's gradient at ``p`` (mini-batch or noisy)."""
        return self.surface.gradient(p, self.sample)

    def value(self, p: Array) -> Array:
        """The step's loss at ``p`` (over the mini-batch on a data surface)."""
        return self.surface.value(p, self.sample)

    def hessian(self, p: Array) -> Array:
        """The step's Hessian at ``p`` (over the mini-batch on a data surface)."""
        return self.surface.hessian(p, self.sample)


Check = Callable[[str, object], Any]
_ALLOWED: dict[Check, str] = {}


def _allows(text: str) -> Callable[[Check], Check]:
    """Record, for the generated docs, what a check accepts."""

    def mark(check: Check) -> Check:
        _ALLOWED[check] = text
        return check

    return mark


def allowed(check: Check) -> str:
    """What ``check`` accepts, in words (for the generated "Args" sections)."""
    return _ALLOWED.get(check, f"checked by {getattr(check, '__name__', check)}")


# -- hyperparameter checks: each returns the cleaned value ------------------
@_allows("a number >= 0")
def nonneg(name: str, v: object) -> float:
    return check_range(name, v, 0.0)


@_allows("a number > 0")
def positive(name: str, v: object) -> float:
    return check_range(name, v, 0.0, low_open=True)


@_allows("in [0, 1)")
def unit_open(name: str, v: object) -> float:
    """In [0, 1)."""
    return check_range(name, v, 0.0, 1.0, high_open=True)


@_allows("in [0, 1]")
def unit_closed(name: str, v: object) -> float:
    return check_range(name, v, 0.0, 1.0)


@_allows("any finite number")
def any_number(name: str, v: object) -> float:
    return check_number(name, v)


@_allows("True or False")
def flag(name: str, v: object) -> bool:
    if not isinstance(v, bool | np.bool_):
        raise OptirollError(f"{name} must be True or False, got {v!r}")
    return bool(v)


@_allows("a pair (beta1, beta2), each in [0, 1)")
def betas_pair(name: str, v: object) -> tuple[float, float]:
    try:
        b1, b2 = v  # type: ignore[misc]
    except (TypeError, ValueError):
        raise OptirollError(f"{name} must be a pair (beta1, beta2) in [0, 1), got {v!r}") from None
    return unit_open(f"{name}[0]", b1), unit_open(f"{name}[1]", b2)


@_allows("an integer >= 1")
def count(name: str, v: object) -> int:
    return check_int(name, v, 1)


class Param(NamedTuple):
    """One hyperparameter: its default, the check that cleans a value, and what it does."""

    default: Any
    check: Check
    doc: str


#: The hyperparameters several optimizers share: (check, description), written once
#: (as torch.optim shares its doc fragments); :func:`table` adds each optimizer's default.
COMMON: dict[str, tuple[Check, str]] = {
    "lr": (nonneg, "learning rate; a schedule, when given, multiplies it at each step"),
    "eps": (positive, "term added to the denominator to improve numerical stability"),
    "weight_decay": (nonneg, "weight decay (L2 penalty): adds weight_decay * w to the gradient"),
    "decoupled_weight_decay": (
        flag,
        "decay the weights directly, w *= 1 - lr * weight_decay (as AdamW), instead of "
        "adding the L2 term to the gradient",
    ),
    "betas": (
        betas_pair,
        "coefficients of the running averages of the gradient (beta1) and of its square (beta2)",
    ),
    "amsgrad": (
        flag,
        "use AMSGrad: divide by the running maximum of the second moment "
        "(state max_exp_avg_sq)",
    ),
    "momentum": (nonneg, "momentum factor"),
    "dampening": (any_number, "dampening for momentum"),
    "nesterov": (flag, "use Nesterov momentum (needs momentum > 0 and dampening = 0)"),
    "beta": (nonneg, "momentum coefficient: the share of the previous velocity kept each step"),
    "eps_inside_sqrt": (
        flag,
        "put eps inside the square root, sqrt(v + eps), instead of adding it after",
    ),
}


def table(**entries: Any) -> dict[str, Param]:
    """A hyperparameter table, in the order given.

    ``name=default`` takes the check and description from :data:`COMMON`; pass a
    :class:`Param` for a hyperparameter of one optimizer (or to override a shared one).
    """
    out: dict[str, Param] = {}
    for key, value in entries.items():
        if isinstance(value, Param):
            out[key] = value
        elif key in COMMON:
            out[key] = Param(value, *COMMON[key])
        else:
            raise TypeError(f"{key!r} is not a shared hyperparameter; pass a Param")
    return out


SCHEDULE_DOC = (
    "schedule: a learning-rate schedule from dyn.schedule(...); its factor multiplies lr "
    "at each step. Default None (constant lr)"
)


def args_section(params: Mapping[str, Param]) -> str:
    """The "Args" docstring section for a hyperparameter table."""
    items = [f"{key}: {p.doc}. Default {p.default!r}; {allowed(p.check)}."
             for key, p in params.items()] + [f"{SCHEDULE_DOC}."]
    wrap = {"width": 88, "initial_indent": "    ", "subsequent_indent": "        ",
            "break_on_hyphens": False, "break_long_words": False}
    return "\n".join(["Args:"] + [textwrap.fill(item, **wrap) for item in items])


_EXAMPLE_HEADING = re.compile(r"^Examples?:?\s*$", re.MULTILINE)


def _document(cls: type[Optimizer]) -> None:
    """Insert the generated "Args" section before the "Example" heading (or at the end)."""
    doc = inspect.cleandoc(cls.__doc__ or "")
    args = args_section(cls.params)
    m = _EXAMPLE_HEADING.search(doc)
    if m:
        doc = f"{doc[:m.start()]}{args}\n\n{doc[m.start():]}"
    else:
        doc = f"{doc}\n\n{args}" if doc else args
    cls.__doc__ = doc


REGISTRY: dict[str, type[Optimizer]] = {}


def register(cls: type[Optimizer]) -> type[Optimizer]:
    """Add ``cls`` to :data:`REGISTRY` and write its docstring's "Args" section."""
    REGISTRY[cls.name] = cls
    _document(cls)
    return cls


class FrozenOptimizerError(OptirollError, AttributeError):
    """Raised on assigning or deleting an attribute of an (immutable) optimizer."""


class Optimizer:
    """Base class. Subclasses set ``name``, ``params`` and ``step``.

    ``params`` maps each hyperparameter to a :class:`Param` (default, check,
    description), ``lr`` first; ``schedule`` (a
    :class:`~optiroll.dynamics.schedules.Schedule`) is accepted by every optimizer
    and multiplies ``lr`` per step. Hyperparameters read as attributes
    (``opt.lr``) or from ``opt.hyperparams``; nothing can be assigned after
    construction (:class:`FrozenOptimizerError`).
    """

    name: ClassVar[str] = ""
    params: ClassVar[dict[str, Param]] = {}
    state_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, schedule: Schedule | None = None, **kwargs: Any) -> None:
        unknown = set(kwargs) - set(self.params)
        if unknown:
            bad = sorted(unknown)[0]
            guess = closest(bad, [*self.params, "schedule"])
            hint = f" Did you mean {guess!r}?" if guess else ""
            raise OptirollError(
                f"unknown hyperparameter {bad!r} for optimizer {self.name!r}.{hint} "
                f"Valid: {', '.join(self.params)} (and schedule)."
            )
        hp = {key: p.check(key, kwargs.get(key, p.default)) for key, p in self.params.items()}
        if schedule is not None and not isinstance(schedule, Schedule):
            raise OptirollError(
                "schedule must come from optiroll.dynamics.schedule(...), "
                f"got {type(schedule).__name__}"
            )
        object.__setattr__(self, "hyperparams", MappingProxyType(hp))
        object.__setattr__(self, "schedule", schedule)
        self.validate()

    hyperparams: Mapping[str, Any]
    schedule: Schedule | None

    def validate(self) -> None:
        """Cross-parameter checks (torch's own rules)."""

    def __getattr__(self, key: str) -> Any:
        hp = self.__dict__.get("hyperparams", {})
        if key in hp:
            return hp[key]
        raise AttributeError(key)

    def __setattr__(self, key: str, value: Any) -> None:
        raise self._frozen(key, f"{key}={value!r}")

    def __delattr__(self, key: str) -> None:
        raise self._frozen(key, "")

    def _frozen(self, key: str, change: str) -> FrozenOptimizerError:
        if change and (key in self.params or key == "schedule"):
            return FrozenOptimizerError(
                "optimizers are immutable; build a new one: "
                f"dyn.optimizer({self.name!r}, ..., {change})"
            )
        return FrozenOptimizerError(
            f"optimizers are immutable ({key!r} cannot be set or deleted); build a new one: "
            f"dyn.optimizer({self.name!r}, ...)"
        )

    def lr_at(self, t: int) -> float:
        """Learning rate in force at 1-based step ``t``."""
        lr = self.hyperparams["lr"]
        return lr if self.schedule is None else lr * self.schedule.factor(t - 1)

    def init(self, params: Array) -> State:
        z = np.zeros_like(params, dtype=float)
        return {name: z.copy() for name in self.state_names} | {"step_size": z + 0.0}

    def step(
        self, params: Array, grad: Array, state: State, t: int, lr: float, oracle: Oracle
    ) -> tuple[Array, State]:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """Name and hyperparameters as plain data (for saved rollouts)."""
        hp = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.hyperparams.items()}
        out: dict[str, Any] = {"name": self.name, "hyperparams": hp}
        if self.schedule is not None:
            out["schedule"] = self.schedule.to_dict()
        return out

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle and (deep)copy by rebuilding from the hyperparameters."""
        return (_rebuild, (type(self), dict(self.hyperparams), self.schedule))

    def __repr__(self) -> str:
        hp = ", ".join(f"{k}={v!r}" for k, v in self.hyperparams.items())
        sched = f", schedule={self.schedule!r}" if self.schedule else ""
        return f"optimizer({self.name!r}, {hp}{sched})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Optimizer) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(repr(self))


def _rebuild(cls: type[Optimizer], hp: dict[str, Any], schedule: Schedule | None) -> Optimizer:
    return cls(schedule=schedule, **hp)


def make_optimizer(name: str, **kwargs: Any) -> Optimizer:
    """Look ``name`` up (case-insensitive) and build the spec."""
    if not isinstance(name, str):
        raise OptirollError(f"optimizer name must be a string, got {name!r}")
    key = name.lower().replace("-", "_")
    if key not in REGISTRY:
        raise unknown_name("optimizer", name, REGISTRY)
    return REGISTRY[key](**kwargs)
