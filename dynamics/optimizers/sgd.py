"""SGD (torch.optim.SGD) and the textbook momentum forms."""

from __future__ import annotations

import numpy as np

from ..errors import OptirollError
from .base import (
    Array,
    Optimizer,
    Oracle,
    Param,
    State,
    flag,
    register,
    table,
)


@register
class SGD(Optimizer):
    r"""torch.optim.SGD, exactly.

    .. code-block:: text

        g_t = grad + weight_decay * w_{t-1}
        b_1 = g_1;  b_t = momentum * b_{t-1} + (1 - dampening) * g_t     (momentum != 0)
        d_t = g_t + momentum * b_t   if nesterov   else b_t   (or g_t without momentum)
        w_t = w_{t-1} - lr * d_t

    State: ``momentum_buffer`` (``b_t``; 0 without momentum) and ``step_size``
    = ``lr``, the rate on ``d_t``. Reference: PyTorch docs, torch.optim.SGD;
    Sutskever et al., 2013.

    Example:
        >>> from optiroll import dynamics as dyn
        >>> opt = dyn.optimizer("sgd", lr=0.05, momentum=0.9)
        >>> run = dyn.rollout(dyn.surface("elongated_bowl"), opt, (-5, -2), 100)
        >>> print(f"{run.final_loss:.1e}")
        8.2e-05
    """

    name = "sgd"
    params = table(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False)
    state_names = ("momentum_buffer",)

    def validate(self) -> None:
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise OptirollError("nesterov=True needs momentum > 0 and dampening = 0 (as in torch)")

    def step(self, params: Array, grad: Array, state: State, t: int, lr: float,
             oracle: Oracle) -> tuple[Array, State]:
        g = grad + self.weight_decay * params if self.weight_decay else grad
        buf = state["momentum_buffer"]
        if self.momentum:
            buf = g if t == 1 else self.momentum * buf + (1.0 - self.dampening) * g
            d = g + self.momentum * buf if self.nesterov else buf
        else:
            d = g
        step_size = np.full_like(params, lr)
        return params - lr * d, {"momentum_buffer": buf, "step_size": step_size}


@register
class GD(Optimizer):
    r"""Plain gradient descent: ``w_t = w_{t-1} - lr * grad L(w_{t-1})``.

    State: ``step_size`` = ``lr``, the rate on the gradient. Equals torch
    ``sgd`` with its defaults. Reference: Cauchy, 1847.

    Example:
        >>> from optiroll import dynamics as dyn
        >>> run = dyn.rollout(dyn.surface("elongated_bowl"), dyn.optimizer("gd", lr=0.4),
        ...                   (-5, -2), 50)
        >>> print(f"{run.final_loss:.1e}")  # the steep y settles; the shallow x crawls
        6.0e-04
    """

    name = "gd"
    params = table(lr=0.1)

    def step(self, params: Array, grad: Array, state: State, t: int, lr: float,
             oracle: Oracle) -> tuple[Array, State]:
        return params - lr * grad, {"step_size": np.full_like(params, lr)}


@register
class Momentum(Optimizer):
    r"""The momentum articles' heavy ball (seed 000), or its EMA form.

    .. code-block:: text

        heavy ball (ema=False):  v_t = beta * v_{t-1} + grad L(w_{t-1})
        EMA form   (ema=True):   v_t = beta * v_{t-1} + (1 - beta) * grad L(w_{t-1})
        w_t = w_{t-1} - lr * v_t,   v_0 = 0

    ``ema=False`` equals torch ``sgd(momentum=beta)``; ``ema=True`` equals
    ``sgd(momentum=beta, dampening=beta)`` except on the first step, where torch
    copies the gradient into the buffer undamped. State: ``velocity`` (``v_t``)
    and ``step_size`` = ``lr``, the rate on ``v_t``. Reference: Polyak, 1964.

    Example:
        >>> from optiroll import dynamics as dyn
        >>> opt = dyn.optimizer("momentum", lr=0.1, beta=0.8)
        >>> run = dyn.rollout(dyn.surface("ravine"), opt, (-2.4, 0.2), 50)
        >>> print(f"{run.final_loss:.1e}")
        2.9e-05
    """

    name = "momentum"
    params = table(
        lr=0.1,
        beta=0.9,
        ema=Param(False, flag, "use the EMA form, which scales the gradient by 1 - beta"),
    )
    state_names = ("velocity",)

    def step(self, params: Array, grad: Array, state: State, t: int, lr: float,
             oracle: Oracle) -> tuple[Array, State]:
        scale = (1.0 - self.beta) if self.ema else 1.0
        v = self.beta * state["velocity"] + scale * grad
        return params - lr * v, {"velocity": v, "step_size": np.full_like(params, lr)}


@register
class Nesterov(Optimizer):
    r"""Nesterov's accelerated gradient in look-ahead form.

    .. code-block:: text

        v_t = beta * v_{t-1} + grad L(w_{t-1} - lr * beta * v_{t-1})
        w_t = w_{t-1} - lr * v_t

    The gradient is taken at the look-ahead point. The state records, for the
    pictures, the look-ahead point ``lookahead`` and the gradient taken there,
    ``lookahead_gradient``, as used by step t (to leave w_{t-1}); both are 0
    before the first step. ``velocity`` is ``v_t`` and ``step_size`` = ``lr``,
    the rate on ``v_t``. torch's ``sgd(nesterov=True)`` is the same method
    after a change of variables (it tracks the look-ahead point itself), so its
    iterates differ from these. Reference: Nesterov, 1983; Sutskever et al.,
    2013, eq. (3)-(4).

    Example:
        >>> from optiroll import dynamics as dyn
        >>> opt = dyn.optimizer("nesterov", lr=0.05, beta=0.9)
        >>> run = dyn.rollout(dyn.surface("elongated_bowl"), opt, (-5, -2), 100)
        >>> print(f"{run.final_loss:.1e}")
        4.7e-07
        >>> print(*(f"{v:.3f}" for v in run.state["lookahead"][2]))  # w_1 - lr beta v_1
        -4.905 -1.240
    """

    name = "nesterov"
    params = table(lr=0.1, beta=0.9)
    state_names = ("velocity", "lookahead", "lookahead_gradient")

    def step(self, params: Array, grad: Array, state: State, t: int, lr: float,
             oracle: Oracle) -> tuple[Array, State]:
        v = state["velocity"]
        ahead = params - lr * self.beta * v
        g_ahead = oracle.gradient(ahead)
        v = self.beta * v + g_ahead
        return params - lr * v, {"velocity": v, "lookahead": ahead,
                                 "lookahead_gradient": g_ahead,
                                 "step_size": np.full_like(params, lr)}
