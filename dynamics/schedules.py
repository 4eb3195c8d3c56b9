"""Learning-rate schedules that combine with any optimizer.

A schedule is a multiplier ``factor(k)`` of the base learning rate, where
``k = t - 1`` is the number of scheduler steps taken before optimizer step
``t`` (torch's ``scheduler.step()`` after every ``optimizer.step()``). The
closed forms below equal torch.optim.lr_scheduler's:

- ``step``:        ``gamma ** floor(k / step_size)``                (StepLR)
- ``exponential``: ``gamma ** k``                                  (ExponentialLR)
- ``inverse_time``: ``1 / (1 + decay * k)``                        (the 1/t decay)
- ``cosine``:      ``m + (1 - m) (1 + cos(pi k / T_max)) / 2``, ``m = eta_min / lr``
  (CosineAnnealingLR, given here as the ratio ``min_factor = eta_min / lr``)
- ``warmup``:      linear from ``start_factor`` to ``end_factor`` over
  ``total_iters`` steps, then constant                              (LinearLR)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from .errors import OptirollError, check_int, check_range, closest, unknown_name


@dataclass(frozen=True)
class Schedule:
    """One learning-rate schedule: its ``kind`` and that kind's parameters.

    Build it with :func:`schedule`; a direct ``Schedule(kind=...)`` checks the same:
    ``kind`` one of :data:`KINDS`, and that kind's own parameters. Parameters of other
    kinds are kept at their defaults and ignored.
    """

    kind: str
    gamma: float = 0.1
    step_size: int = 1
    decay: float = 0.0
    T_max: int = 1
    min_factor: float = 0.0
    start_factor: float = 1.0 / 3.0
    end_factor: float = 1.0
    total_iters: int = 5

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or self.kind not in _FIELDS:
            raise unknown_name("schedule", str(self.kind), _FIELDS)
        for name in sorted(_FIELDS[self.kind]):  # its own parameters, as schedule() checks
            object.__setattr__(self, name, _CHECKS[name](getattr(self, name)))

    def factor(self, k: int) -> float:
        """Multiplier of the base learning rate after ``k`` scheduler steps.

        ``lr_t = lr * factor(t - 1)`` at optimizer step ``t``; the formula of each
        kind is in the module docstring.
        """
        kind = self.kind
        if kind == "step":
            return self.gamma ** (k // self.step_size)
        if kind == "exponential":
            return self.gamma**k
        if kind == "inverse_time":
            return 1.0 / (1.0 + self.decay * k)
        if kind == "cosine":
            m = self.min_factor
            return m + (1.0 - m) * (1.0 + math.cos(math.pi * k / self.T_max)) / 2.0
        if kind == "warmup":
            frac = min(k, self.total_iters) / self.total_iters
            return self.start_factor + (self.end_factor - self.start_factor) * frac
        raise unknown_name("schedule", str(kind), _FIELDS)  # kind was changed after creation

    def to_dict(self) -> dict[str, Any]:
        """``{"kind": ..., <its own parameters>}``; :func:`schedule_from_dict` inverts it."""
        d = asdict(self)
        return {"kind": self.kind} | {k: d[k] for k in sorted(_FIELDS[self.kind])}


#: Each schedule kind and the parameters it uses.
_FIELDS = {
    "step": {"gamma", "step_size"},
    "exponential": {"gamma"},
    "inverse_time": {"decay"},
    "cosine": {"T_max", "min_factor"},
    "warmup": {"start_factor", "end_factor", "total_iters"},
}
#: The valid schedule kinds.
KINDS = tuple(_FIELDS)
#: Each parameter's check (and its clean value), by name.
_CHECKS = {
    "gamma": lambda v: check_range("gamma", v, 0.0, 1.0, low_open=True),
    "step_size": lambda v: check_int("step_size", v, 1),
    "decay": lambda v: check_range("decay", v, 0.0),
    "T_max": lambda v: check_int("T_max", v, 1),
    "min_factor": lambda v: check_range("min_factor", v, 0.0, 1.0),
    "start_factor": lambda v: check_range("start_factor", v, 0.0, 1.0, low_open=True),
    "end_factor": lambda v: check_range("end_factor", v, 0.0, 1.0, low_open=True),
    "total_iters": lambda v: check_int("total_iters", v, 1),
}


def schedule(kind: str, **kwargs: Any) -> Schedule:
    """Build a schedule: ``schedule("cosine", T_max=100)``; see module docs."""
    key = str(kind).lower()
    if key not in _FIELDS:
        raise unknown_name("schedule", str(kind), _FIELDS)
    extra = set(kwargs) - _FIELDS[key]
    if extra:
        bad = sorted(extra)[0]
        guess = closest(bad, sorted(_FIELDS[key]))
        hint = f" Did you mean {guess!r}?" if guess else ""
        raise OptirollError(
            f"unknown parameter {bad!r} for schedule {key!r}.{hint} "
            f"Valid: {', '.join(sorted(_FIELDS[key]))}."
        )
    return Schedule(kind=key, **kwargs)  # its __post_init__ checks the values


def schedule_from_dict(d: dict[str, Any]) -> Schedule:
    """Rebuild a schedule from :meth:`Schedule.to_dict`'s output."""
    rest = dict(d)
    return schedule(rest.pop("kind"), **rest)
