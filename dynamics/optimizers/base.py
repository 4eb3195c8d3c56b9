"""The optimizer spec: immutable hyperparameters plus pure ``init``/``step``.

Like optax, an optimizer holds no arrays. ``init(params)`` returns a fresh
state (a dict of named arrays with the batch shape of ``params``) and
``step(params, grad, state, t, lr, oracle)`` returns ``(new_params,
new_state)`` without mutating its inputs. ``t`` is the 1-based step number,
``lr`` the learning rate in force at that step (after any schedule) and
``oracle`` evaluates the surface elsewhere (look-ahead gradients, line
searches, Hessians) with the same mini-batch as ``grad``.

Every state holds ``step_size``, with one meaning for every optimizer: the
per-coordinate learning rate that multiplies the optimizer's (bias-corrected)
direction ``d_t`` this step, ``w_t = w_{t-1} - step_size * d_t`` (plus decoupled
weight decay). ``d_t`` is the gradient for gd, sgd without momentum, AdaGrad,
RMSprop without momentum, Adadelta and line search (step_size = lr, lr/(sqrt(s)+eps),
lr/sqrt(v)+..., the Adadelta ratio, the accepted step); the momentum buffer for
sgd with momentum, momentum, nesterov and RMSprop with momentum (step_size = lr);
m-hat = m / (1 - beta1^t) for Adam, AdamW, RAdam and Adamax (lr / (sqrt(v-hat) +
eps), times r_t for RAdam, lr / u for Adamax); NAdam's Nesterov combination of g
and m (lr / (sqrt(v-hat) + eps)); the Newton direction for newton (lr). So a
step-size panel compares like with like across optimizers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np

from ..errors import OptirollError, check_int, check_number, check_range, unknown_name
from ..schedules import Schedule

Array = np.ndarray
State = dict[str, Array]


@dataclass(frozen=True)
class Oracle:
    """Evaluates the surface for one step, with that step's random sample."""

    surface: Any
    sample: Any = None

    def gradient(self, p: Array) -> Array:
        return self.surface.gradient(p, self.sample)

    def value(self, p: Array) -> Array:
        return self.surface.value(p)

    def hessian(self, p: Array) -> Array:
        return self.surface.hessian(p)


# -- hyperparameter checks: each returns the cleaned value ------------------
def nonneg(name: str, v: object) -> float:
    return check_range(name, v, 0.0)


def positive(name: str, v: object) -> float:
    return check_range(name, v, 0.0, low_open=True)


def unit_open(name: str, v: object) -> float:
    """In [0, 1)."""
    return check_range(name, v, 0.0, 1.0, high_open=True)


def unit_closed(name: str, v: object) -> float:
    return check_range(name, v, 0.0, 1.0)


def any_number(name: str, v: object) -> float:
    return check_number(name, v)


def flag(name: str, v: object) -> bool:
    if not isinstance(v, bool | np.bool_):
        raise OptirollError(f"{name} must be True or False, got {v!r}")
    return bool(v)


def betas_pair(name: str, v: object) -> tuple[float, float]:
    try:
        b1, b2 = v  # type: ignore[misc]
    except (TypeError, ValueError):
        raise OptirollError(f"{name} must be a pair (beta1, beta2) in [0, 1), got {v!r}") from None
    return unit_open(f"{name}[0]", b1), unit_open(f"{name}[1]", b2)


def count(name: str, v: object) -> int:
    return check_int(name, v, 1)


Check = Callable[[str, object], Any]

REGISTRY: dict[str, type[Optimizer]] = {}


def register(cls: type[Optimizer]) -> type[Optimizer]:
    REGISTRY[cls.name] = cls
    return cls


class Optimizer:
    """Base class. Subclasses set ``name``, ``params`` and ``step``.

    ``params`` maps each hyperparameter to ``(default, check)``. ``lr`` is
    always first; ``schedule`` (a :class:`~optiroll.dynamics.schedules.Schedule`)
    is accepted by every optimizer and multiplies ``lr`` per step.
    """

    name: ClassVar[str] = ""
    params: ClassVar[dict[str, tuple[Any, Check]]] = {}
    state_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, schedule: Schedule | None = None, **kwargs: Any) -> None:
        unknown = set(kwargs) - set(self.params)
        if unknown:
            bad = sorted(unknown)[0]
            raise OptirollError(
                f"unknown hyperparameter {bad!r} for optimizer {self.name!r}; "
                f"valid: {', '.join(self.params)} (and schedule)"
            )
        hp = {key: check(key, kwargs.get(key, default))
              for key, (default, check) in self.params.items()}
        if schedule is not None and not isinstance(schedule, Schedule):
            raise OptirollError(
                "schedule must come from optiroll.dynamics.schedule(...), "
                f"got {type(schedule).__name__}"
            )
        self.hyperparams: Mapping[str, Any] = MappingProxyType(hp)
        self.schedule = schedule
        self.validate()

    def validate(self) -> None:
        """Cross-parameter checks (torch's own rules)."""

    def __getattr__(self, key: str) -> Any:
        hp = self.__dict__.get("hyperparams", {})
        if key in hp:
            return hp[key]
        raise AttributeError(key)

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

    def label(self) -> str:
        """Short label, e.g. ``adam(lr=0.01)``, listing non-default values."""
        diff = [
            f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
            for k, v in self.hyperparams.items()
            if k == "lr" or v != self.params[k][0]
        ]
        return f"{self.name}({', '.join(diff)})"

    def __repr__(self) -> str:
        hp = ", ".join(f"{k}={v!r}" for k, v in self.hyperparams.items())
        sched = f", schedule={self.schedule!r}" if self.schedule else ""
        return f"optimizer({self.name!r}, {hp}{sched})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Optimizer) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(repr(self))


def make_optimizer(name: str, **kwargs: Any) -> Optimizer:
    """Look ``name`` up (case-insensitive) and build the spec."""
    if not isinstance(name, str):
        raise OptirollError(f"optimizer name must be a string, got {name!r}")
    key = name.lower().replace("-", "_")
    if key not in REGISTRY:
        raise unknown_name("optimizer", name, REGISTRY)
    return REGISTRY[key](**kwargs)
